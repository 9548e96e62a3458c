"""Projects after award: the agreement, funders, tranches released on the core ledger, mid-term, closing.

The district's grant is paid in tranches (default 50 / 30 / 20 %): the first when the agreement is signed,
the second when the mid-term report is accepted, the last when the project is closed. Once closed, only
the closing tranche is still paid, and not to a project closed as failed (不合格). Each release is
refused until its condition is met and is one balanced transfer (fen) from the district's venture
philanthropy fund account to the project's account (``core.ledger``); a release can be reversed once.
Co-funders (companies adopting the project, matching programmes) are recorded with their committed amounts,
and the budget by line (``budget.py``): together the award, the own contribution and the co-funders.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from core.plugin_api import Refusal, ledger, localized, utcnow
from plugins.grants import budget
from plugins.grants.models import Application, Funder, Tranche

if TYPE_CHECKING:
    from core.plugin_api import RequestContext

__all__ = (
    "CONDITIONS",
    "FUND_REF",
    "accept_midterm",
    "budget_view",
    "close_project",
    "funders_of",
    "paid_in",
    "project_account",
    "release_tranche",
    "reverse_tranche",
    "sign_agreement",
    "tranches_of",
)

CONDITIONS = ("signed", "midterm", "closed")
FUND_REF = "grants:fund"
FUNDER_KINDS = ("district", "company", "matching")


def t(zh: str, en: str) -> str:
    return localized(zh, en)


async def fund_account(ctx: RequestContext) -> Any:
    """The district's venture philanthropy fund (a system account: no lower limit, it issues the grants)."""
    assert ctx.district is not None
    return await ledger.open_account(
        ctx.session,
        district_id=ctx.district.id,
        owner_kind="system",
        owner_ref=FUND_REF,
        unit="fen",
        name="公益创投资金",
        min_balance=None,
    )


async def project_account(ctx: RequestContext, app: Application) -> Any:
    """The project's account, where its tranches arrive."""
    assert ctx.district is not None
    return await ledger.open_account(
        ctx.session,
        district_id=ctx.district.id,
        owner_kind="organization",
        owner_ref=f"grants:project:{app.id}",
        unit="fen",
        name=f"公益创投项目：{app.title}"[:100],
    )


async def tranches_of(ctx: RequestContext, app: Application) -> list[Tranche]:
    query = select(Tranche).where(Tranche.application_id == app.id).order_by(Tranche.position)
    return list((await ctx.session.execute(query.execution_options(populate_existing=True))).scalars())


async def funders_of(ctx: RequestContext, app: Application) -> list[Funder]:
    query = select(Funder).where(Funder.application_id == app.id).order_by(Funder.id)
    return list((await ctx.session.execute(query)).scalars())


def _day(raw: Any, errors: dict[str, str], name: str) -> date | None:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw or "").strip()[:10])
    except ValueError:
        errors[name] = t("日期格式如 2026-05-01。", "Enter a date such as 2026-05-01.")
        return None


async def sign_agreement(
    ctx: RequestContext,
    app: Application,
    raw: Mapping[str, Any],
    *,
    split: Sequence[int] = (50, 30, 20),
    co_funders: Sequence[Mapping[str, Any]] = (),
) -> Application:
    """Record the signed agreement (dates, milestones, budget lines, co-funders) and set up the tranches."""
    await ctx.session.refresh(app, with_for_update=True)  # two signings at the same moment: one after the other
    if app.status != "approved" or not app.award_fen:
        raise Refusal("只有获得资助的项目可以签订协议。", "Only funded projects sign an agreement.", status_code=409)
    if app.signed_at is not None:
        raise Refusal("协议已经签订。", "The agreement was signed already.", status_code=409)
    errors: dict[str, str] = {}
    starts, ends = _day(raw.get("starts_on"), errors, "starts_on"), _day(raw.get("ends_on"), errors, "ends_on")
    if starts and ends and ends <= starts:
        errors["ends_on"] = t("结束日期必须晚于开始日期。", "The end must come after the start.")
    if len(split) != len(CONDITIONS) or sum(split) != 100 or any(p < 0 for p in split):
        errors["split"] = t("三笔拨付比例之和必须是 100%。", "The three tranches must add up to 100 %.")
    funders: list[Funder] = []
    for i, item in enumerate(co_funders):
        name = str(item.get("name") or "").strip()
        kind = str(item.get("kind") or "company")
        amount = item.get("committed_fen")
        if not name or len(name) > 100 or kind not in FUNDER_KINDS[1:] or not isinstance(amount, int) or amount <= 0:
            errors[f"funder_{i}"] = t(
                "每个共同出资方需要名称、类型（企业或配套资金）和认捐金额（分）。",
                "Each co-funder needs a name, a kind (company or matching) and an amount in fen.",
            )
            continue
        funders.append(Funder(application_id=app.id, kind=kind, name=name, committed_fen=amount))
    lines = budget.parse_lines(raw.get("budget"), errors, "budget")
    if not any(k.startswith("funder_") for k in errors):
        total = app.award_fen + app.own_contribution_fen + sum(f.committed_fen for f in funders)
        budget.check_budget(lines, total, errors)
    if errors:
        raise Refusal(
            "协议未保存，请改正标出的内容。", "The agreement was not saved: see the marked fields.", errors=errors
        )
    app.starts_on, app.ends_on = starts, ends
    app.milestones = str(raw.get("milestones") or "").strip()[:5000]
    app.signed_at = utcnow()
    ctx.session.add(Funder(application_id=app.id, kind="district", name="区公益创投资金", committed_fen=app.award_fen))
    ctx.session.add_all(funders)
    budget.save_budget(ctx.session, app, lines)
    left = app.award_fen
    for i, (pct, condition) in enumerate(zip(split, CONDITIONS, strict=True)):
        amount = left if i == len(CONDITIONS) - 1 else app.award_fen * pct // 100
        left -= amount
        ctx.session.add(
            Tranche(application_id=app.id, position=i + 1, percent=pct, amount_fen=amount, condition=condition)
        )
    await ctx.session.flush()
    return app


async def accept_midterm(ctx: RequestContext, app: Application) -> Application:
    """Staff accept the submitted mid-term report (see ``evaluation.decide_report``): the second tranche's condition."""
    from plugins.grants.evaluation import decide_report, reports_of  # noqa: PLC0415

    if app.signed_at is None:
        raise Refusal("协议签订后才能验收中期报告。", "Sign the agreement first.", status_code=409)
    report = (await reports_of(ctx.session, app.id)).get("midterm")
    if report is None or report.status == "returned":
        raise Refusal(
            "机构尚未提交中期报告，不能验收。",
            "The organization has not submitted its mid-term report.",
            status_code=409,
        )
    if report.status == "submitted":
        await decide_report(ctx, report, app, "accept", "")
    return app


async def close_project(ctx: RequestContext, app: Application, result: str, grade: str = "") -> Application:
    """Close the project with its grade and a note (结项): the last tranche's condition (see ``evaluation``)."""
    from plugins.grants.evaluation import close_project as close  # noqa: PLC0415

    await close(ctx, app, grade, result)
    return app


async def paid_in(ctx: RequestContext, app: Application) -> int:
    """Money paid into the project's account: tranches paid and not reversed, co-funders' payments."""
    from plugins.grants.extra import co_payments  # noqa: PLC0415

    tranches = sum(x.amount_fen for x in await tranches_of(ctx, app) if x.released_at and not x.reversed_at)
    return tranches + sum(p.amount_fen for p in (await co_payments(ctx, app.id)).values())


async def budget_view(ctx: RequestContext, app: Application) -> budget.BudgetView:
    """The agreement's budget against the reports (see ``budget.budget_view``)."""
    from plugins.grants.evaluation import reports_of  # noqa: PLC0415
    from plugins.grants.models import Call  # noqa: PLC0415

    call = await ctx.session.get(Call, app.call_id)
    assert call is not None
    reports = await reports_of(ctx.session, app.id)
    return await budget.budget_view(ctx.session, app, call, reports, await paid_in(ctx, app))


def _met(app: Application, condition: str) -> bool:
    return {"signed": app.signed_at, "midterm": app.midterm_accepted_at, "closed": app.closed_at}[condition] is not None


async def _tranche(ctx: RequestContext, app: Application, position: int) -> Tranche:
    for tranche in await tranches_of(ctx, app):
        if tranche.position == position:
            return tranche
    from core.plugin_api import NotFound  # noqa: PLC0415

    raise NotFound("未找到。", "Not found.")


async def _failed(ctx: RequestContext, app: Application) -> bool:
    """The project was closed as failed (不合格): its closing tranche is not paid."""
    from plugins.grants.evaluation import outcome_of  # noqa: PLC0415

    outcome = await outcome_of(ctx.session, app.id)
    return outcome is not None and outcome.grade == "fail"


async def release_tranche(ctx: RequestContext, app: Application, position: int) -> Tranche:
    """Pay the tranche on the ledger (fund → project) if its condition is met; once, also when simultaneous."""
    assert ctx.district is not None
    tranche = await _tranche(ctx, app, position)
    names = {
        "signed": ("协议签订", "the agreement is signed"),
        "midterm": ("中期报告验收", "the mid-term report is accepted"),
        "closed": ("项目结项", "the project is closed"),
    }
    if not _met(app, tranche.condition):
        zh, en = names[tranche.condition]
        raise Refusal(f"第 {position} 笔须在{zh}后拨付。", f"Tranche {position} is paid when {en}.", status_code=409)
    if tranche.reversed_at is not None:
        raise Refusal(f"第 {position} 笔已冲正，请另行处理。", f"Tranche {position} was reversed.", status_code=409)
    if app.closed_at is not None and (tranche.condition != "closed" or await _failed(ctx, app)):
        raise Refusal(
            f"项目已结项，第 {position} 笔不再拨付。",
            f"The project is closed: tranche {position} is not paid.",
            status_code=409,
        )
    claimed = await ctx.session.execute(
        update(Tranche)
        .where(Tranche.id == tranche.id, Tranche.released_at.is_(None))
        .values(released_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Refusal(f"第 {position} 笔已经拨付。", f"Tranche {position} was paid already.", status_code=409)
    fund, project = await fund_account(ctx), await project_account(ctx, app)
    transfer = await ledger.move(
        ctx.session,
        district_id=ctx.district.id,
        from_account=fund.id,
        to_account=project.id,
        amount=tranche.amount_fen,
        reason=f"公益创投拨付：{app.title} 第 {position} 笔（{tranche.percent}%）",
        category="grants.tranche",
        link=f"/d/{ctx.district.code}/grants/applications/{app.id}",
        idempotency_key=f"grants:tranche:{tranche.id}",
        created_by_id=ctx.user.id if ctx.user else None,
    )
    await ctx.session.execute(
        update(Tranche)
        .where(Tranche.id == tranche.id)
        .values(transfer_id=transfer.id)
        .execution_options(synchronize_session=False)
    )
    return await _tranche(ctx, app, position)


async def reverse_tranche(ctx: RequestContext, app: Application, position: int, reason: str) -> Tranche:
    """Undo a paid tranche on the ledger (its mirror transfer), with the reason."""
    assert ctx.district is not None
    tranche = await _tranche(ctx, app, position)
    if tranche.transfer_id is None:
        raise Refusal(f"第 {position} 笔尚未拨付。", f"Tranche {position} was not paid.", status_code=409)
    if not (reason or "").strip():
        raise Refusal(
            "请写明冲正理由。", "Give the reason.", errors={"reason": t("请写明冲正理由。", "Give the reason.")}
        )
    await ledger.reverse(
        ctx.session,
        district_id=ctx.district.id,
        transfer_id=tranche.transfer_id,
        reason=f"冲正：{reason.strip()}"[:200],
        created_by_id=ctx.user.id if ctx.user else None,
        idempotency_key=f"grants:tranche:{tranche.id}:reversal",
    )
    await ctx.session.execute(
        update(Tranche)
        .where(Tranche.id == tranche.id)
        .values(reversed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return await _tranche(ctx, app, position)
