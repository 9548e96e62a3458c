"""Counting: ballots and shows of hands into per-option tallies, participation and the base (pure, exact).

Heads are integers; weights are ``Decimal`` sums of the electors' exact decimal weights
(a sum that would need rounding raises ``decimal.Inexact``). Weights are known only for
named ballots: an anonymous ballot carries none, and raised hands carry none, so a
tally with either has ``weight`` ``None`` (rules that count weight refuse both up front).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, Inexact, localcontext
from fractions import Fraction
from typing import Any

from core.votes.choices import ABSTAIN

__all__ = ("Ballot", "OptionTally", "Tally", "count")


@dataclass(frozen=True)
class Ballot:
    """A current ballot as the counter sees it: the stored choice, and the elector's weight if known."""

    choice: Any
    weight: Decimal | None = None


@dataclass(frozen=True)
class OptionTally:
    """What one option got.

    ``heads``: voters who chose it (ballots and raised hands); for ``score`` the voters
    who scored it above zero. ``points``/``weighted_points`` (``score`` only): the sum of
    its scores, and of score × weight. ``mean`` (``score``): points per non-blank ballot.
    """

    option: str
    heads: int
    weight: Decimal | None
    points: int | None = None
    weighted_points: Decimal | None = None
    mean: Fraction | None = None

    def measure(self, by_weight: bool) -> Decimal | int | None:
        """The quantity thresholds are applied to: heads or weight, points for score."""
        if self.points is not None:
            return self.weighted_points if by_weight else self.points
        return self.weight if by_weight else self.heads


@dataclass(frozen=True)
class Tally:
    """Everything counted from the ballots and the hands of one vote."""

    options: tuple[OptionTally, ...]
    ballots: int  # current ballots (one per elector who voted)
    hands: int  # heads counted by shows of hands
    blank_heads: int  # abstentions and blank ballots (ballots and hands)
    participating_heads: int
    participating_weight: Decimal | None
    blank_weight: Decimal | None

    def option(self, name: str) -> OptionTally:
        """The tally of option ``name``."""
        return next(o for o in self.options if o.option == name)


def _exact_sum(values: list[Decimal]) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 80
        ctx.traps[Inexact] = True
        total = Decimal(0)
        for value in values:
            total += value
        return total


def _picks(method: str, choice: Any) -> list[str]:
    """The options a stored choice counts for (empty: abstention or blank)."""
    if choice is None:
        return []
    if method == "for_against_abstain":
        return [] if choice == ABSTAIN else [choice]
    if method == "single":
        return [choice]
    if method == "multiple":
        return list(choice)
    return [option for option, score in choice.items() if score > 0]


def count(method: str, options: list[str], ballots: list[Ballot], hands: list[dict[str, int]]) -> Tally:
    """Tally ``ballots`` and shows of ``hands`` of a vote with ``method`` and ``options``."""
    known = [b.weight for b in ballots if b.weight is not None]
    weighted = len(known) == len(ballots) and not hands
    heads: Counter[str] = Counter()
    weights: dict[str, list[Decimal]] = {o: [] for o in options}
    points: Counter[str] = Counter()
    weighted_points: dict[str, list[Decimal]] = {o: [] for o in options}
    blank, blank_weights, scored = 0, [], 0
    for ballot in ballots:
        weight = ballot.weight if ballot.weight is not None else Decimal(0)
        picks = _picks(method, ballot.choice)
        if method == "for_against_abstain" and ballot.choice == ABSTAIN:
            picks = [ABSTAIN]  # shown as an option, counted as an abstention
        is_blank = ballot.choice is None if method == "score" else (not picks or picks == [ABSTAIN])
        if is_blank:
            blank += 1
            if weighted:
                blank_weights.append(weight)
        for option in picks:
            heads[option] += 1
            if weighted:
                weights[option].append(weight)
        if method == "score" and ballot.choice is not None:
            scored += 1
            for option, score in ballot.choice.items():
                points[option] += score
                if weighted:
                    weighted_points[option].append(score * weight)
    hand_heads = 0
    for block in hands:
        for key, number in block.items():
            hand_heads += number
            if key == ABSTAIN:
                blank += number
            if key != ABSTAIN or method == "for_against_abstain":
                heads[key] += number
    tallies = tuple(
        OptionTally(
            option=option,
            heads=heads[option],
            weight=_exact_sum(weights[option]) if weighted else None,
            points=points[option] if method == "score" else None,
            weighted_points=_exact_sum(weighted_points[option]) if method == "score" and weighted else None,
            mean=Fraction(points[option], scored) if method == "score" and scored else None,
        )
        for option in options
    )
    return Tally(
        options=tallies,
        ballots=len(ballots),
        hands=hand_heads,
        blank_heads=blank,
        participating_heads=len(ballots) + hand_heads,
        participating_weight=_exact_sum(known) if weighted else None,
        blank_weight=_exact_sum(blank_weights) if weighted else None,
    )
