"""Deciding: a tally and the rules give PASSED, FAILED or NO_QUORUM, the rule that decided, and the checks.

Order (see ``docs/votes.md``):

1. Quorum: participation by headcount, then by weight, against the whole frozen electorate.
2. Leaders (for/against/abstain: ``for`` against ``against``; single choice and score: the
   option with most votes or points): a tie, or a different leader by heads and by weight,
   FAILS with the tied options listed.
3. Pass thresholds on the leader (for multiple choice, on every option: each that meets
   them is a winner) against the base, by headcount and, if the rules say so, by weight.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from core.votes.choices import MAX_SCORE

if TYPE_CHECKING:
    from core.votes.rules import Rules, Threshold
    from core.votes.tally import OptionTally, Tally

__all__ = ("Check", "Decision", "Outcome", "decide")

LABELS = {
    "quorum_heads": ("参与表决人数", "participation by headcount"),
    "quorum_weight": ("参与表决面积（权重）", "participation by weight"),
    "pass_heads": ("同意人数", "agreement by headcount"),
    "pass_weight": ("同意面积（权重）", "agreement by weight"),
}


class Outcome(StrEnum):
    """How a vote ended."""

    PASSED = "passed"
    FAILED = "failed"
    NO_QUORUM = "no_quorum"


# The fixed options of an approval vote, as a Chinese reader knows them.
APPROVAL_ZH = {"for": "同意", "against": "反对", "abstain": "弃权"}


@dataclass(frozen=True)
class Check:
    """One threshold applied: ``part`` of ``whole`` against ``threshold`` (for ``option``, if any)."""

    rule: str  # quorum_heads, quorum_weight, pass_heads, pass_weight
    part: Decimal | int
    whole: Decimal | int
    threshold: Threshold
    met: bool
    option: str | None = None

    def describe(self) -> tuple[str, str]:
        """``(中文, English)``, e.g. ``参与表决人数 30/45（要求 ≥ 2/3）：达到``."""
        zh, en = LABELS[self.rule]
        what = f"「{APPROVAL_ZH.get(self.option, self.option)}」" if self.option else ""
        need = f"{'≥' if self.threshold.inclusive else '>'} {self.threshold.fraction}"
        return (
            f"{what}{zh} {self.part}/{self.whole}（要求 {need}）：{'达到' if self.met else '未达到'}",
            f"{self.option + ': ' if self.option else ''}{en} {self.part}/{self.whole} "
            f"(needs {need}): {'met' if self.met else 'not met'}",
        )


@dataclass(frozen=True)
class Decision:
    """The outcome, the rule that decided it, every check made, the winners and any tie."""

    outcome: Outcome
    decided_by: str  # a check's rule, "tie", "split", or "pass" (every pass check met)
    checks: tuple[Check, ...]
    winners: tuple[str, ...]
    tied: tuple[str, ...]
    reason_zh: str
    reason_en: str


def _base(rules: Rules, tally: Tally, electorate: tuple[int, Decimal], by_weight: bool) -> Decimal | int | None:
    if rules.base == "electorate":
        return electorate[1] if by_weight else electorate[0]
    if by_weight:
        if tally.participating_weight is None or tally.blank_weight is None:
            return None
        blank = tally.blank_weight if rules.base == "cast" else 0
        return tally.participating_weight - blank
    return tally.participating_heads - (tally.blank_heads if rules.base == "cast" else 0)


def _pass_checks(
    rules: Rules, tally: Tally, option: OptionTally, method: str, electorate: tuple[int, Decimal]
) -> list[Check]:
    checks = []
    for rule, by_weight in (("pass_heads", False), ("pass_weight", True)):
        threshold: Threshold | None = getattr(rules, rule)
        if threshold is None:
            continue
        part, whole = option.measure(by_weight), _base(rules, tally, electorate, by_weight)
        part, whole = part or 0, whole or 0  # weight unknown: a weight rule is never met
        if method == "score":
            whole *= MAX_SCORE  # points out of the most the base could give
        checks.append(Check(rule, part, whole, threshold, threshold.met(part, whole), option.option))
    return checks


def _leaders(options: tuple[OptionTally, ...], by_weight: bool) -> tuple[str, ...]:
    values = {o.option: o.measure(by_weight) or 0 for o in options}
    top = max(values.values())
    return tuple(name for name, value in values.items() if value == top) if top > 0 else ()


def _done(
    outcome: Outcome,
    decided_by: str,
    checks: list[Check],
    winners: tuple[str, ...] = (),
    tied: tuple[str, ...] = (),
    why: tuple[str, str] | None = None,
) -> Decision:
    if why is None:
        deciding = next((c for c in checks if c.rule == decided_by and not c.met), None)
        why = deciding.describe() if deciding else ("各项门槛均达到", "every threshold met")
    return Decision(outcome, decided_by, tuple(checks), winners, tied, why[0], why[1])


def _quorum(rules: Rules, tally: Tally, electorate: tuple[int, Decimal]) -> list[Check]:
    checks = []
    for rule, part, whole in (
        ("quorum_heads", tally.participating_heads, electorate[0]),
        ("quorum_weight", tally.participating_weight or 0, electorate[1]),
    ):
        threshold: Threshold | None = getattr(rules, rule)
        if threshold is not None:
            checks.append(Check(rule, part, whole, threshold, threshold.met(part, whole)))
    return checks


def _approval(rules: Rules, tally: Tally, electorate: tuple[int, Decimal], checks: list[Check]) -> Decision:
    """Multiple choice: every option is judged on its own; each that meets the thresholds wins."""
    winners = []
    for option in tally.options:
        option_checks = _pass_checks(rules, tally, option, "multiple", electorate)
        checks.extend(option_checks)
        if all(c.met for c in option_checks):
            winners.append(option)
    if winners:
        winners.sort(key=lambda o: -o.heads)  # stable: equal counts keep the options' order
        return _done(Outcome.PASSED, "pass", checks, tuple(o.option for o in winners))
    best = max(tally.options, key=lambda o: o.heads)
    failed = next(c for c in checks if c.option == best.option and not c.met)
    return _done(Outcome.FAILED, failed.rule, checks, why=failed.describe())


def _tie(rules: Rules, method: str, tally: Tally) -> Decision | str | None:
    """A tie or split Decision (checks filled in later), else the leading option (``None``: no votes)."""
    measures = (False, True) if rules.pass_weight is not None else (False,)
    if method == "for_against_abstain":
        yes, no = tally.option("for"), tally.option("against")
        for by_weight in measures:
            if (yes.measure(by_weight) or 0) > 0 and yes.measure(by_weight) == no.measure(by_weight):
                why = ("赞成与反对票数相同（平局按未通过处理）", "for and against are level (a tie fails)")
                return _done(Outcome.FAILED, "tie", [], tied=("for", "against"), why=why)
        return "for"
    groups = {_leaders(tally.options, by_weight) for by_weight in measures}
    for group in groups:
        if len(group) > 1:
            names_zh, names_en = "、".join(group), ", ".join(group)
            why = (f"并列第一：{names_zh}（平局按未通过处理）", f"tie at the top: {names_en} (a tie fails)")
            return _done(Outcome.FAILED, "tie", [], tied=group, why=why)
    if len(groups) > 1:
        split = tuple(o.option for o in tally.options if any(o.option in g for g in groups))
        why = ("按人数和按面积领先的选项不同", "a different option leads by headcount and by weight")
        return _done(Outcome.FAILED, "split", [], tied=split, why=why)
    (group,) = groups
    return group[0] if group else None


def decide(method: str, rules: Rules, tally: Tally, electorate: tuple[int, Decimal]) -> Decision:
    """Apply ``rules`` to ``tally`` of a vote whose frozen electorate is ``(heads, weight)``."""
    checks = _quorum(rules, tally, electorate)
    failed = next((c for c in checks if not c.met), None)
    if failed is not None:
        return _done(Outcome.NO_QUORUM, failed.rule, checks)
    if method == "multiple":
        return _approval(rules, tally, electorate, checks)
    leader = _tie(rules, method, tally)
    if isinstance(leader, Decision):
        return replace(leader, checks=tuple(checks))
    if leader is None:
        return _done(Outcome.FAILED, "pass_heads", checks, why=("没有选项获得选票", "no option got a vote"))
    leader_checks = _pass_checks(rules, tally, tally.option(leader), method, electorate)
    checks.extend(leader_checks)
    failed = next((c for c in leader_checks if not c.met), None)
    if failed is not None:
        return _done(Outcome.FAILED, failed.rule, checks)
    return _done(Outcome.PASSED, "pass", checks, (leader,))
