"""JSON API of the estate fund under ``/api/v1/districts/{district}/parking``: income, expenses, statements.

The same services as the pages (:mod:`plugins.parking.money`): a refusal answers 4xx with
``detail`` (Chinese / English) and nothing is written; a step taken twice answers 409.
Amounts are in fen (``amount_fen``); amounts sent are in yuan (``amount_yuan``: "120.50").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, TypedDict

from litestar import get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body

from core.plugin_api import Code, Forbidden, LongText, Name, NotFound, RequestContext, Title, storage_for
from core.plugin_api import gettext as _
from plugins.parking import money, service
from plugins.parking.manifest import KEY
from plugins.parking.models import ParkingEstate
from plugins.parking.models_money import Expense, FundLine, ParkingStatement

__all__ = ("MONEY_API_ROUTES",)


@dataclass(frozen=True)
class FundOut:
    """An estate's fund: balance (fen), the two-approver amount, the month new lines go on."""

    estate: int
    balance_fen: int
    threshold_fen: int
    open_month: str
    first_month: str
    last_published: str | None


@dataclass(frozen=True)
class LineOut:
    """A line of the fund: + into it, − out of it; its source and the ledger transfer."""

    id: int
    month: str
    source: str
    amount_fen: int
    description: str
    period: str
    permit_id: int | None
    agreement_id: int | None
    expense_id: int | None
    reverses_line_id: int | None
    ledger_transfer_id: int
    booked_on: date

    @classmethod
    def of(cls, line: FundLine) -> LineOut:
        return cls(
            line.id,
            line.month.strftime("%Y-%m"),
            line.source,
            line.amount_fen,
            line.description,
            line.period,
            line.permit_id,
            line.agreement_id,
            line.expense_id,
            line.reverses_line_id,
            line.transfer_id,
            line.booked_on,
        )


@dataclass(frozen=True)
class ExpenseOut:
    """An expense and where it is in its flow; ``approvers`` are user ids."""

    id: int
    estate: int
    title: str
    category: str
    amount_fen: int
    status: str
    approvals_needed: int
    approvers: list[int]
    requested_by: int | None
    requested_at: datetime
    receipt_name: str
    receipt_sha256: str
    paid_at: datetime | None
    note: str


@dataclass(frozen=True)
class StatementOut:
    """A month's statement; ``published`` with its SHA-256 and canonical ``content`` once the treasurer published it."""

    estate: int
    month: str
    opening_fen: int
    income_fen: int
    expenses_fen: int
    closing_fen: int
    lines: list[dict[str, Any]]
    published: bool
    published_at: datetime | None
    sha256: str | None
    content: str | None


class IncomeIn(TypedDict, total=False):
    """Money collected: ``source`` ``permit`` (with ``permit_id``) or ``tidal`` (with ``agreement_id``)."""

    source: Code
    permit_id: int
    agreement_id: int
    period: Code
    amount_yuan: Code


class DecisionIn(TypedDict, total=False):
    """A reason (rejecting an expense)."""

    note: LongText


class PublishIn(TypedDict):
    """The month to publish (``2026-11``)."""

    month: Code


class ReverseIn(TypedDict):
    """Why the line is corrected."""

    reason: LongText


class ThresholdIn(TypedDict):
    """Two approvers above this amount (yuan)."""

    threshold_yuan: Code


@dataclass
class ExpenseIn:
    """A request for an expense (multipart): what, kind, amount in yuan, the receipt (JPEG, PNG or PDF)."""

    title: Title
    category: Code
    amount_yuan: Code
    receipt: UploadFile
    note: Name = ""


async def _estate(ctx: RequestContext, estate_id: int) -> ParkingEstate:
    ctx.require(KEY, "view")
    return await service.estate_or_404(ctx.session, estate_id)


async def _committee(ctx: RequestContext, estate: ParkingEstate) -> tuple[str | None, bool]:
    role = await service.committee_role(ctx.session, estate.id, ctx.user.id if ctx.user else None, money.today())
    staff = ctx.can(KEY, "manage")
    return role, staff


async def _require_committee(ctx: RequestContext, estate: ParkingEstate) -> tuple[str | None, bool]:
    role, staff = await _committee(ctx, estate)
    if role is None and not staff:
        raise Forbidden(_("Only the estate's parking committee or community staff may do this."))
    return role, staff


async def _expense_out(ctx: RequestContext, expense: Expense) -> ExpenseOut:
    approvals = (await money.approvals(ctx.session, [expense.id]))[expense.id]
    return ExpenseOut(
        expense.id,
        expense.parking_estate_id,
        expense.title,
        expense.category,
        expense.amount_fen,
        expense.status,
        expense.approvals_needed,
        [a.user_id for a in approvals],
        expense.requested_by,
        expense.requested_at,
        expense.receipt_name,
        expense.receipt_sha256,
        expense.paid_at,
        expense.note,
    )


def _statement_out(estate: ParkingEstate, draft: money.Draft, row: ParkingStatement | None) -> StatementOut:
    return StatementOut(
        estate.id,
        draft.label,
        row.opening if row else draft.opening,
        row.income if row else draft.income,
        row.expenses if row else draft.expenses,
        row.closing if row else draft.closing,
        money.statement_lines(row) if row else draft.lines,
        row is not None,
        row.published_at if row else None,
        row.sha256 if row else None,
        row.content if row else None,
    )


@get("/parking/estates/{estate_id:int}/fund", name="parking:api:fund", summary="An estate's fund: balance and months")
async def api_fund(ctx: RequestContext, estate_id: int) -> FundOut:
    return await _fund_out(ctx, await _estate(ctx, estate_id))


async def _fund_out(ctx: RequestContext, estate: ParkingEstate) -> FundOut:
    fund = await money.ensure_fund(ctx.session, estate)
    last = await money.last_published(ctx.session, estate.id)
    return FundOut(
        estate.id,
        await money.balance(ctx.session, fund),
        fund.threshold_fen,
        (await money.open_month(ctx.session, estate.id)).strftime("%Y-%m"),
        fund.first_month.strftime("%Y-%m"),
        last.strftime("%Y-%m") if last else None,
    )


@post(
    "/parking/estates/{estate_id:int}/fund/threshold",
    name="parking:api:threshold",
    summary="Set the amount above which an expense needs two approvers (the chair)",
    status_code=200,
)
async def api_threshold(ctx: RequestContext, estate_id: int, data: ThresholdIn) -> FundOut:
    estate = await _estate(ctx, estate_id)
    _role, staff = await _committee(ctx, estate)
    await money.set_threshold(
        ctx.session, estate, data.get("threshold_yuan"), by=ctx.user.id if ctx.user else None, staff=staff
    )
    return await _fund_out(ctx, estate)


@get("/parking/estates/{estate_id:int}/fund/lines", name="parking:api:lines", summary="The fund's lines of a month")
async def api_lines(ctx: RequestContext, estate_id: int, month: str | None = None) -> list[LineOut]:
    estate = await _estate(ctx, estate_id)
    await _require_committee(ctx, estate)
    first = money.parse_month(month) if month else await money.open_month(ctx.session, estate.id)
    from sqlalchemy import select  # noqa: PLC0415

    query = select(FundLine).where(FundLine.parking_estate_id == estate.id, FundLine.month == first)
    return [LineOut.of(line) for line in (await ctx.session.execute(query.order_by(FundLine.id))).scalars()]


@post(
    "/parking/estates/{estate_id:int}/fund/income",
    name="parking:api:income",
    summary="Record a card fee or a tidal rent collected (the treasurer; once per card/agreement and month)",
)
async def api_income(ctx: RequestContext, estate_id: int, data: IncomeIn) -> LineOut:
    estate = await _estate(ctx, estate_id)
    _role, staff = await _committee(ctx, estate)
    line = await money.record_income(ctx.session, estate, dict(data), by=ctx.user.id if ctx.user else None, staff=staff)
    return LineOut.of(line)


@get("/parking/estates/{estate_id:int}/expenses", name="parking:api:expenses", summary="An estate's expenses")
async def api_expenses(ctx: RequestContext, estate_id: int, status: str | None = None) -> list[ExpenseOut]:
    estate = await _estate(ctx, estate_id)
    await _require_committee(ctx, estate)
    rows = await money.expenses(ctx.session, estate.id, (status,) if status else None)
    return [await _expense_out(ctx, e) for e in rows]


@post(
    "/parking/estates/{estate_id:int}/expenses",
    name="parking:api:expense-add",
    summary="Request an expense with its receipt (a committee member; multipart form)",
)
async def api_expense_add(
    ctx: RequestContext,
    estate_id: int,
    data: Annotated[ExpenseIn, Body(media_type=RequestEncodingType.MULTI_PART)],
) -> ExpenseOut:
    estate = await _estate(ctx, estate_id)
    assert ctx.district is not None
    content = await data.receipt.read(money.RECEIPT_MAX_BYTES + 1) if isinstance(data.receipt, UploadFile) else b""
    storage = storage_for(ctx)
    prefix = f"parking/{ctx.district.code}/receipts"
    values = {"title": data.title, "category": data.category, "amount_yuan": data.amount_yuan, "note": data.note}
    expense = await money.request_expense(
        ctx.session,
        estate,
        values,
        (getattr(data.receipt, "filename", "") or "", content),
        lambda b: storage.save(b, prefix=prefix),
        by=ctx.user.id if ctx.user else None,
    )
    return await _expense_out(ctx, expense)


async def _expense(ctx: RequestContext, expense_id: int) -> tuple[Expense, ParkingEstate]:
    ctx.require(KEY, "view")
    return await money.expense_or_404(ctx.session, expense_id)


@get("/parking/expenses/{expense_id:int}", name="parking:api:expense", summary="An expense")
async def api_expense(ctx: RequestContext, expense_id: int) -> ExpenseOut:
    expense, estate = await _expense(ctx, expense_id)
    await _require_committee(ctx, estate)
    return await _expense_out(ctx, expense)


@post(
    "/parking/expenses/{expense_id:int}/approve",
    name="parking:api:expense-approve",
    summary="Approve an expense (chair or treasurer, not the requester; two above the threshold)",
    status_code=200,
)
async def api_expense_approve(ctx: RequestContext, expense_id: int) -> ExpenseOut:
    expense, estate = await _expense(ctx, expense_id)
    assert ctx.user is not None
    return await _expense_out(ctx, await money.approve(ctx.session, expense, estate, by=ctx.user.id))


@post(
    "/parking/expenses/{expense_id:int}/reject",
    name="parking:api:expense-reject",
    summary="Reject an expense not paid yet, with a reason (chair or treasurer)",
    status_code=200,
)
async def api_expense_reject(ctx: RequestContext, expense_id: int, data: DecisionIn) -> ExpenseOut:
    expense, estate = await _expense(ctx, expense_id)
    assert ctx.user is not None
    rejected = await money.reject(ctx.session, expense, estate, by=ctx.user.id, note=str(data.get("note") or ""))
    return await _expense_out(ctx, rejected)


@post(
    "/parking/expenses/{expense_id:int}/pay",
    name="parking:api:expense-pay",
    summary="Pay an approved expense out of the fund (the treasurer; once; never below zero)",
    status_code=200,
)
async def api_expense_pay(ctx: RequestContext, expense_id: int) -> LineOut:
    expense, estate = await _expense(ctx, expense_id)
    assert ctx.user is not None
    return LineOut.of(await money.pay(ctx.session, expense, estate, by=ctx.user.id, locale=ctx.locale))


@post(
    "/parking/fund-lines/{line_id:int}/reverse",
    name="parking:api:line-reverse",
    summary="Correct a line with a reversal on the open month (the treasurer)",
)
async def api_line_reverse(ctx: RequestContext, line_id: int, data: ReverseIn) -> LineOut:
    ctx.require(KEY, "view")
    line = await ctx.session.get(FundLine, line_id)
    if line is None or ctx.district is None or line.district_id != ctx.district.id:
        raise NotFound(_("Not found."))
    estate = await service.estate_or_404(ctx.session, line.parking_estate_id)
    reversal = await money.reverse_line(
        ctx.session, line, estate, reason=str(data.get("reason") or ""), by=ctx.user.id if ctx.user else None
    )
    return LineOut.of(reversal)


@get(
    "/parking/estates/{estate_id:int}/statements",
    name="parking:api:statements",
    summary="An estate's published statements, newest first",
)
async def api_statements(ctx: RequestContext, estate_id: int) -> list[StatementOut]:
    estate = await _estate(ctx, estate_id)
    out = []
    for row in await money.statements(ctx.session, estate.id):
        draft = await money.statement_draft(ctx.session, estate, row.month)
        out.append(_statement_out(estate, draft, row))
    return out


@get(
    "/parking/estates/{estate_id:int}/statements/{month:str}",
    name="parking:api:statement",
    summary="A month's statement: published, or the draft (committee only)",
)
async def api_statement(ctx: RequestContext, estate_id: int, month: str) -> StatementOut:
    estate = await _estate(ctx, estate_id)
    first = money.parse_month(month)
    draft = await money.statement_draft(ctx.session, estate, first)
    if draft.published is None:
        role, staff = await _committee(ctx, estate)
        if role is None and not staff:
            raise NotFound(_("This statement is not published."))
    return _statement_out(estate, draft, draft.published)


@post(
    "/parking/estates/{estate_id:int}/statements",
    name="parking:api:publish",
    summary="Publish a month's statement (the treasurer; month by month; a second time answers 409)",
)
async def api_publish(ctx: RequestContext, estate_id: int, data: PublishIn) -> StatementOut:
    estate = await _estate(ctx, estate_id)
    view = await service.estate_view(ctx.session, estate, "zh")
    month = money.parse_month(data.get("month"))
    row = await money.publish(ctx.session, estate, month, by=ctx.user.id if ctx.user else None, estate_name=view.name)
    return _statement_out(estate, await money.statement_draft(ctx.session, estate, month), row)


MONEY_API_ROUTES = [
    api_fund,
    api_threshold,
    api_lines,
    api_income,
    api_expenses,
    api_expense_add,
    api_expense,
    api_expense_approve,
    api_expense_reject,
    api_expense_pay,
    api_line_reverse,
    api_statements,
    api_statement,
    api_publish,
]
