"""Selection: the committee's vote on the shortlist (core votes), the combination rule, fitting the budget,
overrides with a published reason, and the determinations sent to applicants.

**Combination rule** (documented in docs/plugins/grants.md): each screened, reviewed application gets
``combined = (100 − w)% × score + w% × vote share``, where *score* is the call's ranking score (raw or
normalised, 0–100), *vote share* is the percentage of the committee's ballots that chose it (0–100) and
``w`` is the call's ``vote_weight_pct`` (default 30; 0 = scores only). Without a committee vote the
vote share is left out (combined = score). Ties: higher score, then earlier submission.

**Budget fit**: in combined order, each application gets what it asked for while the total budget and
its category's budget (when the category has one) last; when the rest is smaller than the request, it gets
the rest only if the call allows partial awards and the rest is at least the smallest grant — otherwise
nothing, and the next one is tried. Staff may override any proposal with a written reason, which is
published with the results.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from core.plugin_api import Refusal, localized, notify, utcnow, votes
from plugins.grants.models import Application, Call
from plugins.grants.reviews import ranking

if TYPE_CHECKING:
    from core.plugin_api import RequestContext

__all__ = (
    "Proposal",
    "cast_committee_ballot",
    "combine",
    "decide",
    "fit_budget",
    "open_committee_vote",
    "proposals",
)


def t(zh: str, en: str) -> str:
    return localized(zh, en)


def combine(score: float | None, vote_share: float | None, vote_weight_pct: int) -> float | None:
    """The combination rule: ``(100 − w)% · score + w% · vote share`` (score alone without a vote)."""
    if score is None:
        return None
    if vote_share is None:
        return round(score, 2)
    return round(((100 - vote_weight_pct) * score + vote_weight_pct * vote_share) / 100, 2)


@dataclass(frozen=True)
class Ask:
    """One application's request for the budget fit, in combined order."""

    application_id: int
    category_id: int | None
    requested_fen: int


def fit_budget(
    asks: Sequence[Ask],
    budget_fen: int,
    category_budgets: Mapping[int, int | None],
    *,
    partial: bool,
    min_grant_fen: int,
) -> dict[int, int]:
    """Application id → amount proposed (fen), in order, within the total and the category budgets."""
    left = budget_fen
    cat_left = {k: v for k, v in category_budgets.items() if v is not None}
    awards: dict[int, int] = {}
    for ask in asks:
        room = left
        if ask.category_id is not None and ask.category_id in cat_left:
            room = min(room, cat_left[ask.category_id])
        amount = (
            ask.requested_fen
            if ask.requested_fen <= room
            else (room if partial and room >= min_grant_fen and room > 0 else 0)
        )
        if amount <= 0:
            continue
        awards[ask.application_id] = amount
        left -= amount
        if ask.category_id in cat_left:
            cat_left[ask.category_id] -= amount  # type: ignore[index]
    return awards


def _option(app: Application) -> str:
    return f"#{app.id} {app.title}"[:200]


async def open_committee_vote(
    ctx: RequestContext,
    call: Call,
    member_ids: Sequence[int],
    *,
    shortlist: int,
    choices: int,
    hours: int = 72,
) -> int:
    """Open the committee's vote (core votes, method ``multiple``): the top ``shortlist`` applications by
    score; each member chooses up to ``choices``. Returns the vote's id."""
    assert ctx.district is not None
    if call.committee_vote_id is not None:
        raise Refusal("这次大赛已经有评审委员会表决。", "The committee vote was opened already.", status_code=409)
    rows = [r for r in await ranking(ctx, call) if r.reviews][: max(2, shortlist)]
    if len(rows) < 2:
        raise Refusal(
            "至少要有两个已评审的项目才能表决。",
            "At least two reviewed projects are needed for a vote.",
            status_code=409,
        )
    members = sorted(set(member_ids))
    if not members:
        raise Refusal(
            "请选择评审委员会成员。",
            "Choose the committee's members.",
            errors={"members": t("请选择评审委员会成员。", "Choose the committee's members.")},
        )
    now = utcnow()
    vote = await votes.create_vote(
        ctx.session,
        district_id=ctx.district.id,
        subject_ref=f"grants:call:{call.id}",
        title=f"{call.title} 评审委员会票决",
        method="multiple",
        options=[_option(r.application) for r in rows],
        rules=votes.Rules.plurality(),
        secrecy="named",
        opens_at=now - timedelta(seconds=1),
        closes_at=now + timedelta(hours=hours),
        created_by_id=ctx.user.id if ctx.user else None,
        max_choices=max(1, min(choices, len(rows))),
    )
    await votes.open_vote(ctx.session, vote.id, [votes.Voter(f"user:{uid}", uid) for uid in members])
    call.committee_vote_id = vote.id
    await ctx.session.flush()
    return vote.id


async def cast_committee_ballot(ctx: RequestContext, call: Call, application_ids: Sequence[int]) -> None:
    """A committee member's ballot: the applications they choose (refusals come from core votes)."""
    assert ctx.user is not None
    if call.committee_vote_id is None:
        raise Refusal("还没有评审委员会表决。", "There is no committee vote.", status_code=409)
    vote = await votes.get_vote(ctx.session, call.committee_vote_id)
    by_id = {int(o.split(" ", 1)[0][1:]): o for o in vote.options}
    unknown = [i for i in application_ids if i not in by_id]
    if unknown:
        raise Refusal("只能选择入围名单上的项目。", "Choose projects on the shortlist only.")
    await votes.cast_ballot(
        ctx.session, vote.id, voter_ref=f"user:{ctx.user.id}", choice=[by_id[i] for i in application_ids]
    )


@dataclass
class Proposal:
    """One application in the selection: its scores, vote share, combined score and proposed award."""

    application: Application
    score: float | None
    vote_share: float | None
    combined: float | None
    proposed_fen: int


async def _vote_shares(ctx: RequestContext, call: Call) -> dict[int, float] | None:
    if call.committee_vote_id is None:
        return None
    result = await votes.results(ctx.session, call.committee_vote_id)
    if result.sealed:
        return None
    total = max(1, result.ballots + result.hands)
    return {int(o.option.split(" ", 1)[0][1:]): 100 * o.heads / total for o in result.options}


async def proposals(ctx: RequestContext, call: Call) -> list[Proposal]:
    """The selection proposal: combined order, with the budget fit's proposed amounts."""
    shares = await _vote_shares(ctx, call)
    rows = []
    for row in await ranking(ctx, call):
        score = row.normalised if call.ranking == "normalised" else row.raw
        share = None if shares is None else shares.get(row.application.id, 0.0)
        rows.append((row.application, score, share, combine(score, share, call.vote_weight_pct)))
    rows.sort(
        key=lambda r: (r[3] is None, -(r[3] or 0), -(r[1] or 0), (r[0].submitted_at or utcnow()).timestamp(), r[0].id)
    )
    fitted = fit_budget(
        [Ask(a.id, a.category_id, a.requested_fen) for a, _s, _v, c in rows if c is not None],
        call.budget_fen,
        {c.id: c.budget_fen for c in call.categories},
        partial=call.partial_awards,
        min_grant_fen=call.min_grant_fen,
    )
    return [Proposal(a, s, v, c, fitted.get(a.id, 0)) for a, s, v, c in rows]


async def decide(ctx: RequestContext, call: Call, overrides: Mapping[int, tuple[int, str]] | None = None) -> int:
    """Send the determinations: the proposal, changed by ``overrides`` (application id → (amount in fen,
    reason)); an override without a reason, or awards beyond the budget, are refused. Returns awards made."""
    assert ctx.district is not None
    # Under the call's row lock: two staff announcing at once must not both pass the check below
    # (the awards would be written and notified twice). SQLite's write transaction serialises too.
    await ctx.session.refresh(call, with_for_update=True)
    if call.decided_at is not None:
        raise Refusal("这次大赛的结果已经公布。", "The results were announced already.", status_code=409)
    overrides = dict(overrides or {})
    plan = await proposals(ctx, call)
    known = {p.application.id for p in plan}
    errors: dict[str, str] = {}
    for app_id, (amount, reason) in overrides.items():
        if app_id not in known:
            errors[f"override_{app_id}"] = t("只能调整已评审的项目。", "Only reviewed projects can be changed.")
        elif not (reason or "").strip():
            errors[f"override_{app_id}"] = t(
                "调整必须写明理由（将随结果公布）。", "An override needs a written reason (it is published)."
            )
        elif amount < 0 or amount > call.max_grant_fen:
            errors[f"override_{app_id}"] = t(
                "调整后的金额超出单个项目的资助范围。", "The amount is outside the grant range."
            )
    total = sum(overrides[p.application.id][0] if p.application.id in overrides else p.proposed_fen for p in plan)
    if total > call.budget_fen:
        errors["_"] = t(
            f"资助总额 {total / 100:.2f} 元超过预算 {call.budget_fen / 100:.2f} 元。",
            f"Awards of {total / 100:.2f} yuan exceed the budget of {call.budget_fen / 100:.2f} yuan.",
        )
    if errors:
        raise Refusal("结果未公布，请改正标出的内容。", "Nothing was announced: see the marked items.", errors=errors)
    awarded = 0
    for p in plan:
        app = p.application
        amount, reason = overrides.get(app.id, (p.proposed_fen, ""))
        app.override_reason = reason.strip()
        app.award_fen = amount if amount > 0 else None
        app.decision = "approved" if amount > 0 else "rejected"
        app.status = app.decision
        awarded += amount > 0
        app.decision_message = (f"获得资助 {amount / 100:.2f} 元。" if amount > 0 else "未获资助。") + (
            f"调整理由：{app.override_reason}" if app.override_reason else ""
        )
        await notify(
            ctx.session,
            [app.created_by],
            f"grants.{app.decision}",
            {"title": app.title, "amount": f"{amount / 100:.2f}", "message": app.decision_message},
            link=f"/d/{ctx.district.code}/grants/applications/{app.id}",
        )
    call.decided_at = utcnow()
    await ctx.session.flush()
    return awarded


def parse_overrides(raw: Mapping[str, Any]) -> dict[int, tuple[int, str]]:
    """Form fields ``amount_<id>`` (yuan, blank: keep the proposal) and ``reason_<id>`` → overrides."""
    from plugins.grants.service import parse_yuan  # noqa: PLC0415

    found: dict[int, tuple[int, str]] = {}
    errors: dict[str, str] = {}
    for key, value in raw.items():
        if not key.startswith("amount_") or str(value).strip() == "":
            continue
        try:
            app_id = int(key.removeprefix("amount_"))
        except ValueError:
            continue
        fen = parse_yuan(value, errors, f"override_{app_id}")
        if fen is not None:
            found[app_id] = (fen, str(raw.get(f"reason_{app_id}") or ""))
    if errors:
        raise Refusal("金额格式不对。", "Amounts are not valid.", errors=errors)
    return found
