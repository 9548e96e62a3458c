"""Web pages of the estate fund: ``/parking/estates/{id}/money``, statements, expenses, receipts, the resident's view.

Everyone who may look at parking sees the fund's balance and the published statements;
the committee (and staff with ``parking:manage``) also sees the expenses waiting, this
month's draft statement and the forms. Who may press which button is decided by
:mod:`plugins.parking.money` (committee roles); a refused button comes back with the
reason as a notice and nothing written.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile

from core.plugin_api import (
    Form,
    FormState,
    MissingFile,
    NotFound,
    RequestContext,
    User,
    act,
    attempt,
    error_status,
    flashes,
    format_amount,
    inline_file,
    is_english,
    page,
    redirect,
    residents,
    storage_for,
    suffix_for,
)
from core.plugin_api import gettext as _
from plugins.parking import money, service
from plugins.parking.manifest import KEY
from plugins.parking.models import ParkingEstate, Permit, TidalAgreement
from plugins.parking.models_money import EXPENSE_CATEGORIES, FundLine
from plugins.parking.routes import Upload, page_helpers
from plugins.parking.seed_money import demo_receipt

__all__ = ("MONEY_ROUTES", "money_helpers", "receipt_response")


def fen_formatter(ctx: RequestContext) -> Any:
    """Fen as yuan, zero included (``0.00 元``): the figures of a statement."""
    lang = "en" if is_english(ctx.locale) else "zh"
    return lambda fen: format_amount(int(fen or 0), "fen", lang)


def money_helpers(ctx: RequestContext) -> dict[str, Any]:
    return {
        **page_helpers(ctx),
        "fen": fen_formatter(ctx),
        "category_label": money.category_label,
        "expense_status": money.status_label,
        "source_label": source_label,
        "month_label": lambda m: m.strftime("%Y-%m") if isinstance(m, date) else str(m),
        "signed": lambda fen: ("+" if int(fen) > 0 else "−") + fen_formatter(ctx)(abs(int(fen))),
    }


def source_label(source: str) -> str:
    """Where a line's money came from or went."""
    return {
        "permit": _("Parking card fee"),
        "tidal": _("Tidal rent"),
        "expense": _("Expense"),
        "dividend": _("Surplus dividend"),
        "reversal": _("Correction"),
    }.get(source, source)


async def _who(ctx: RequestContext, estate: ParkingEstate) -> tuple[str | None, bool]:
    """(the user's committee role today, may act as staff)."""
    role = await service.committee_role(ctx.session, estate.id, ctx.user.id if ctx.user else None, money.today())
    return role, ctx.can(KEY, "manage")


async def _names(ctx: RequestContext, ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    from sqlalchemy import select  # noqa: PLC0415

    rows = await ctx.session.execute(select(User.id, User.display_name).where(User.id.in_(wanted)))
    return dict(list(rows.tuples()))


async def _sources(ctx: RequestContext, estate: ParkingEstate) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The cards with a fee and the signed agreements: what the treasurer may record money for."""
    from sqlalchemy import select  # noqa: PLC0415

    cards = (
        await ctx.session.execute(
            select(Permit)
            .where(
                Permit.parking_estate_id == estate.id,
                Permit.status.in_(("approved", "issued")),
                Permit.fee_fen > 0,
            )
            .order_by(Permit.card_no, Permit.id)
            .limit(500)
        )
    ).scalars()
    agreements = (
        await ctx.session.execute(
            select(TidalAgreement)
            .where(TidalAgreement.parking_estate_id == estate.id, TidalAgreement.status == "signed")
            .order_by(TidalAgreement.id)
            .limit(500)
        )
    ).scalars()
    helpers = page_helpers(ctx)
    return (
        [(str(p.id), f"{p.card_no or '—'} · {p.plate} · {helpers['money'](p.fee_fen)}") for p in cards],
        [(str(a.id), f"{a.partner} · {helpers['money'](a.price_fen * a.space_count)}") for a in agreements],
    )


async def _money_page(
    request: Request[Any, Any, Any], ctx: RequestContext, estate: ParkingEstate, forms: dict[str, FormState]
) -> Response[Any]:
    role, staff = await _who(ctx, estate)
    committee = role is not None or staff
    fund = await money.ensure_fund(ctx.session, estate)
    open_month = await money.open_month(ctx.session, estate.id)
    rows = await money.expenses(ctx.session, estate.id) if committee else []
    approvals = await money.approvals(ctx.session, [e.id for e in rows])
    cards, agreements = await _sources(ctx, estate) if role == "treasurer" or staff else ([], [])
    last = await money.last_published(ctx.session, estate.id)
    publishable = money.next_month(last) if last is not None else fund.first_month
    failed = next((f for f in forms.values() if not f.ok), None)
    return await page(
        request,
        ctx,
        "parking/money/fund.html",
        status_code=error_status(request, failed) if failed else 200,
        estate=await service.estate_view(ctx.session, estate, ctx.locale),
        fund=fund,
        balance=await money.balance(ctx.session, fund),
        role=role,
        staff=staff,
        committee=committee,
        user_id=ctx.user.id if ctx.user else None,
        expenses=[e for e in rows if e.status in ("requested", "approved")],
        done_expenses=[e for e in rows if e.status not in ("requested", "approved")][:8],
        approvals=approvals,
        names=await _names(ctx, {e.requested_by for e in rows}),
        draft=await money.statement_draft(ctx.session, estate, open_month) if committee else None,
        publishable=publishable if publishable <= money.month_of(money.today()) else None,
        statements=await money.statements(ctx.session, estate.id),
        card_options=cards,
        agreement_options=agreements,
        category_options=[(c, money.category_label(c)) for c in EXPENSE_CATEGORIES],
        forms={"income": FormState(), "expense": FormState(), "threshold": FormState(), **forms},
        this_month=money.month_of(money.today()).strftime("%Y-%m"),
        notices=await flashes(request, ctx),
        **money_helpers(ctx),
    )


def _back(ctx: RequestContext, estate: ParkingEstate) -> str:
    # No #anchor: htmx's redirect to the same page with only a new anchor would not reload it.
    return ctx.url(f"/parking/estates/{estate.id}/money")


@get("/parking/estates/{estate_id:int}/money", name="parking:money")
async def fund_page(request: Request[Any, Any, Any], ctx: RequestContext, estate_id: int) -> Response[Any]:
    """The estate's fund: balance, statements; for the committee the expenses, the draft and the forms."""
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    return await _money_page(request, ctx, estate, {})


@post("/parking/estates/{estate_id:int}/money/income", name="parking:money-income", status_code=200)
async def income_add(request: Request[Any, Any, Any], ctx: RequestContext, estate_id: int, data: Form) -> Response[Any]:
    """The treasurer records a card fee or a tidal rent collected (once per card/agreement and month)."""
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    _role, staff = await _who(ctx, estate)
    form = FormState(values=dict(data))
    by = ctx.user.id if ctx.user else None
    values: dict[str, Any] = dict(data)
    await attempt(ctx, lambda: money.record_income(ctx.session, estate, values, by=by, staff=staff), form)
    if not form.ok:
        return await _money_page(request, ctx, estate, {"income": form})
    return await redirect(request, ctx, _back(ctx, estate), _("Recorded in the fund."))


@post("/parking/estates/{estate_id:int}/money/expenses", name="parking:money-expense", status_code=200)
async def expense_add(
    request: Request[Any, Any, Any], ctx: RequestContext, estate_id: int, data: Upload
) -> Response[Any]:
    """A committee member requests an expense with its receipt (a photo or a PDF)."""
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    values = {k: v for k, v in data.items() if not isinstance(v, UploadFile)}
    form = FormState(values=values)
    upload = data.get("receipt")
    filename, content = "", b""
    if isinstance(upload, UploadFile):
        filename, content = upload.filename or "", await upload.read(money.RECEIPT_MAX_BYTES + 1)
    storage = storage_for(ctx)
    assert ctx.district is not None
    prefix = f"parking/{ctx.district.code}/receipts"
    by = ctx.user.id if ctx.user else None
    await attempt(
        ctx,
        lambda: money.request_expense(
            ctx.session, estate, values, (filename, content), lambda b: storage.save(b, prefix=prefix), by=by
        ),
        form,
    )
    if not form.ok:
        return await _money_page(request, ctx, estate, {"expense": form})
    return await redirect(request, ctx, _back(ctx, estate), _("The expense is waiting for approval."))


@post("/parking/estates/{estate_id:int}/money/threshold", name="parking:money-threshold", status_code=200)
async def threshold_set(
    request: Request[Any, Any, Any], ctx: RequestContext, estate_id: int, data: Form
) -> Response[Any]:
    """The chair sets the amount above which two approvers are needed."""
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    _role, staff = await _who(ctx, estate)
    form = FormState(values=dict(data))
    by = ctx.user.id if ctx.user else None
    await attempt(
        ctx, lambda: money.set_threshold(ctx.session, estate, data.get("threshold_yuan"), by=by, staff=staff), form
    )
    if not form.ok:
        return await _money_page(request, ctx, estate, {"threshold": form})
    return await redirect(request, ctx, _back(ctx, estate), _("Saved."))


async def _expense_step(request: Request[Any, Any, Any], ctx: RequestContext, expense_id: int, step: str, data: Any):  # type: ignore[no-untyped-def]
    ctx.require(KEY, "view")
    expense, estate = await money.expense_or_404(ctx.session, expense_id)
    by = ctx.user.id if ctx.user else 0
    actions = {
        "approve": (lambda: money.approve(ctx.session, expense, estate, by=by), _("Approved.")),
        "reject": (
            lambda: money.reject(ctx.session, expense, estate, by=by, note=str(data.get("note") or "")),
            _("Rejected."),
        ),
        "pay": (lambda: money.pay(ctx.session, expense, estate, by=by, locale=ctx.locale), _("Paid out of the fund.")),
    }
    action, done = actions[step]
    return await act(request, ctx, _back(ctx, estate), action, done)


@post("/parking/expenses/{expense_id:int}/approve", name="parking:expense-approve", status_code=200)
async def expense_approve(
    request: Request[Any, Any, Any], ctx: RequestContext, expense_id: int, data: Form
) -> Response[Any]:
    """The chair or the treasurer approves (two different ones above the threshold; never the requester)."""
    return await _expense_step(request, ctx, expense_id, "approve", data)


@post("/parking/expenses/{expense_id:int}/reject", name="parking:expense-reject", status_code=200)
async def expense_reject(
    request: Request[Any, Any, Any], ctx: RequestContext, expense_id: int, data: Form
) -> Response[Any]:
    """The chair or the treasurer rejects an expense not paid yet, with a reason."""
    return await _expense_step(request, ctx, expense_id, "reject", data)


@post("/parking/expenses/{expense_id:int}/pay", name="parking:expense-pay", status_code=200)
async def expense_pay(
    request: Request[Any, Any, Any], ctx: RequestContext, expense_id: int, data: Form
) -> Response[Any]:
    """The treasurer pays an approved expense out of the fund (once; never below zero)."""
    return await _expense_step(request, ctx, expense_id, "pay", data)


@post("/parking/estates/{estate_id:int}/money/publish", name="parking:money-publish", status_code=200)
async def statement_publish(
    request: Request[Any, Any, Any], ctx: RequestContext, estate_id: int, data: Form
) -> Response[Any]:
    """The treasurer publishes a month's statement (month by month; once)."""
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    view = await service.estate_view(ctx.session, estate, "zh")
    by = ctx.user.id if ctx.user else None

    async def run() -> Any:
        month = money.parse_month(data.get("month"))
        return await money.publish(ctx.session, estate, month, by=by, estate_name=view.name)

    return await act(request, ctx, _back(ctx, estate), run, _("The statement is published."))


@post("/parking/lines/{line_id:int}/reverse", name="parking:line-reverse", status_code=200)
async def line_reverse(request: Request[Any, Any, Any], ctx: RequestContext, line_id: int, data: Form) -> Response[Any]:
    """The treasurer corrects a line with a reversal on the open month."""
    ctx.require(KEY, "view")
    line = await ctx.session.get(FundLine, line_id)
    if line is None or line.district_id != (ctx.district.id if ctx.district else None):
        raise NotFound(_("Not found."))
    estate = await service.estate_or_404(ctx.session, line.parking_estate_id)
    by = ctx.user.id if ctx.user else None
    return await act(
        request,
        ctx,
        _back(ctx, estate),
        lambda: money.reverse_line(ctx.session, line, estate, reason=str(data.get("reason") or ""), by=by),
        _("The correction is on this month's statement."),
    )


# ---------------------------------------------------------------- statements and receipts


async def statement_context(
    ctx: RequestContext, estate: ParkingEstate, month: date, *, drafts: bool
) -> dict[str, Any] | None:
    """What a statement page shows: published (from its stored content) or, for the committee, the draft."""
    published = await money.published(ctx.session, estate.id, month)
    if published is None and not drafts:
        return None
    draft = await money.statement_draft(ctx.session, estate, month)
    previous = await money.published(ctx.session, estate.id, money.previous_month(month))
    following = await money.published(ctx.session, estate.id, money.next_month(month))
    return {
        "estate": await service.estate_view(ctx.session, estate, ctx.locale),
        "month": month,
        "statement": published,
        "draft": draft,
        "lines": money.statement_lines(published) if published else draft.lines,
        "previous": previous.month if previous else None,
        "following": following.month if following else None,
        **money_helpers(ctx),
    }


@get("/parking/estates/{estate_id:int}/statements/{month:str}", name="parking:statement")
async def statement_page(
    request: Request[Any, Any, Any], ctx: RequestContext, estate_id: int, month: str
) -> Response[Any]:
    """A month's statement: published (with its SHA-256) or, for the committee, the draft."""
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    role, staff = await _who(ctx, estate)
    try:
        first = money.parse_month(month)
    except money.Refused:
        raise NotFound(_("Not found.")) from None
    data = await statement_context(ctx, estate, first, drafts=role is not None or staff)
    if data is None:
        raise NotFound(_("This statement is not published."))
    base = f"/parking/estates/{estate.id}/statements/"
    return await page(request, ctx, "parking/money/statement.html", base=base, public=False, **data)


async def receipt_response(ctx: RequestContext, expense: Any) -> Response[Any]:
    """The receipt's bytes (inline), or 404 when the storage has lost them."""
    if expense.receipt_key.startswith("demo/"):  # the demo's receipts are generated, not stored
        content = demo_receipt(expense.title, expense.amount_fen)
    else:
        try:
            content = await storage_for(ctx).read(expense.receipt_key)
        except (MissingFile, ValueError):
            raise NotFound(_("The receipt's file is missing.")) from None
    return inline_file(content, expense.receipt_type, f"receipt-{expense.id}{suffix_for(expense.receipt_type)}")


@get("/parking/expenses/{expense_id:int}/receipt", name="parking:expense-receipt")
async def expense_receipt(ctx: RequestContext, expense_id: int) -> Response[Any]:
    """An expense's receipt, for the committee and staff."""
    ctx.require(KEY, "view")
    expense, estate = await money.expense_or_404(ctx.session, expense_id)
    role, staff = await _who(ctx, estate)
    if role is None and not staff and await money.receipt_public(ctx.session, estate.id, expense.id) is None:
        raise NotFound(_("Not found."))
    return await receipt_response(ctx, expense)


@get("/parking/mine/statements", name="parking:mine-statements")
async def mine_statements(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """The statements of the estates the resident lives in: the latest one in full, the others listed."""
    ctx.require(KEY, "view")
    assert ctx.user is not None
    households = await residents.households_of_user(ctx.session, ctx.user.id, ctx.locale)
    by_core = {e.estate_id: e for e in await service.list_estates(ctx.session)}
    shown: list[dict[str, Any]] = []
    for estate_id in dict.fromkeys(h.estate_id for h in households):
        estate = by_core.get(estate_id)
        if estate is None:
            continue
        rows = await money.statements(ctx.session, estate.id)
        latest = await statement_context(ctx, estate, rows[0].month, drafts=False) if rows else None
        shown.append(
            {
                "estate": await service.estate_view(ctx.session, estate, ctx.locale),
                "statements": rows,
                "latest": latest,
            }
        )
    return await page(
        request,
        ctx,
        "parking/money/mine.html",
        estates=shown,
        notices=await flashes(request, ctx),
        **money_helpers(ctx),
    )


MONEY_ROUTES = [
    fund_page,
    income_add,
    expense_add,
    threshold_set,
    expense_approve,
    expense_reject,
    expense_pay,
    statement_publish,
    line_reverse,
    statement_page,
    expense_receipt,
    mine_statements,
]
