"""Statements (page, PDF, XLSX) and the bank dashboard.

A member reads only their own statement (``/time-bank/statement``); the bank's staff read
any member's of their bank (``/time-bank/banks/{bank}/members/{user}/statement.pdf``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException

from core.plugin_api import TIMEZONE, RequestContext, User, ledger, page
from core.plugin_api import gettext as _
from plugins.time_bank import banks, exports, reports
from plugins.time_bank.manifest import KEY
from plugins.time_bank.models import Bank

__all__ = ("REPORT_ROUTES",)


def _year(raw: str | None) -> int:
    now = datetime.now(TIMEZONE).year
    return int(raw) if raw and raw.isdigit() and 2000 <= int(raw) <= now else now


async def _statement(ctx: RequestContext, bank: Bank, user_id: int, year: int) -> tuple[Any, ledger.Statement]:
    account = await ledger.get_account(
        ctx.session, district_id=bank.district_id, owner_ref=banks.member_ref(bank.id, user_id), unit="minutes"
    )
    if account is None:
        raise NotFoundException(_("No account in this time bank."))
    start = datetime(year, 1, 1, tzinfo=TIMEZONE)
    end = min(datetime(year + 1, 1, 1, tzinfo=TIMEZONE), datetime.now(TIMEZONE))
    statement = await ledger.statement(ctx.session, account_id=account.id, start=start, end=end)
    user = await ctx.session.get(User, user_id)
    info = exports.StatementInfo(
        bank=bank.name,
        organization=bank.organization,
        member=user.label if user else str(user_id),
        period=f"{year}-01-01 — {end.astimezone(TIMEZONE).date().isoformat()}",
        categories={k: c.name_zh for k, c in (await banks.categories(ctx.session, bank.id, active_only=False)).items()},
    )
    return info, statement


async def _own_bank(ctx: RequestContext, raw: str | None) -> Bank:
    assert ctx.user is not None
    memberships = await banks.memberships_of(ctx.session, ctx.user.id)
    for _member, bank in memberships:
        if raw is None or str(bank.id) == raw:
            return bank
    raise NotFoundException(_("No account in this time bank."))


def _file(body: bytes, name: str, media_type: str) -> Response[bytes]:
    return Response(
        body, media_type=media_type, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"}
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@get("/time-bank/statement", name="time_bank:statement")
async def statement_page(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """The member's own statement for a year: opening, every movement with the running balance, closing."""
    ctx.require(KEY, "use")
    assert ctx.user is not None
    bank = await _own_bank(ctx, request.query_params.get("bank"))
    year = _year(request.query_params.get("year"))
    info, statement = await _statement(ctx, bank, ctx.user.id, year)
    return await page(
        request,
        ctx,
        "time_bank/statement.html",
        bank=bank,
        info=info,
        statement=statement,
        year=year,
        years=list(range(datetime.now(TIMEZONE).year, datetime.now(TIMEZONE).year - 5, -1)),
        fmt=banks.fmt,
    )


async def _own_file(request: Request[Any, Any, Any], ctx: RequestContext, kind: str) -> Response[Any]:
    ctx.require(KEY, "use")
    assert ctx.user is not None
    bank = await _own_bank(ctx, request.query_params.get("bank"))
    return await _render(ctx, bank, ctx.user.id, _year(request.query_params.get("year")), kind)


@get("/time-bank/statement.pdf", name="time_bank:statement_pdf")
async def statement_pdf(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """The member's own statement as a printable PDF."""
    return await _own_file(request, ctx, "pdf")


@get("/time-bank/statement.xlsx", name="time_bank:statement_xlsx")
async def statement_xlsx(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """The member's own statement as an XLSX workbook."""
    return await _own_file(request, ctx, "xlsx")


async def _render(ctx: RequestContext, bank: Bank, user_id: int, year: int, kind: str) -> Response[Any]:
    if kind not in {"pdf", "xlsx"}:
        raise NotFoundException(_("Not found."))
    info, statement = await _statement(ctx, bank, user_id, year)
    name = f"statement-{bank.id}-{user_id}-{year}.{kind}"
    if kind == "pdf":
        return _file(exports.statement_pdf(info, statement), name, "application/pdf")
    return _file(exports.statement_xlsx(info, statement), name, XLSX)


async def _member_file(
    request: Request[Any, Any, Any], ctx: RequestContext, bank_id: int, user_id: int, kind: str
) -> Response[Any]:
    ctx.require(KEY, "staff")
    bank = await banks.require_staff(ctx, bank_id)
    if await banks.member_of(ctx.session, bank.id, user_id, approved=False) is None:
        raise NotFoundException(_("No account in this time bank."))
    return await _render(ctx, bank, user_id, _year(request.query_params.get("year")), kind)


MEMBER = "/time-bank/banks/{bank_id:int}/members/{user_id:int}"


@get(f"{MEMBER}/statement.pdf", name="time_bank:member_statement_pdf")
async def member_statement_pdf(
    request: Request[Any, Any, Any], ctx: RequestContext, bank_id: int, user_id: int
) -> Response[Any]:
    """A member's statement as PDF, for the bank's staff."""
    return await _member_file(request, ctx, bank_id, user_id, "pdf")


@get(f"{MEMBER}/statement.xlsx", name="time_bank:member_statement_xlsx")
async def member_statement_xlsx(
    request: Request[Any, Any, Any], ctx: RequestContext, bank_id: int, user_id: int
) -> Response[Any]:
    """A member's statement as XLSX, for the bank's staff."""
    return await _member_file(request, ctx, bank_id, user_id, "xlsx")


@get("/time-bank/banks/{bank_id:int}/dashboard", name="time_bank:dashboard")
async def bank_dashboard(request: Request[Any, Any, Any], ctx: RequestContext, bank_id: int) -> Response[Any]:
    """Hours per month and category, active and inactive volunteers, top volunteers, needs met and unmet."""
    ctx.require(KEY, "staff")
    bank = await banks.require_staff(ctx, bank_id)
    figures = await reports.dashboard(ctx.session, bank)
    cats = await banks.categories(ctx.session, bank.id, active_only=False)
    names = {k: c.name(ctx.locale) for k, c in cats.items()}

    def fmt(minutes: int) -> str:
        return banks.fmt(minutes, ctx.locale)

    hours = reports.stacked_chart([(m[2:], figures.by_month[m]) for m in figures.months], names, fmt)
    needs = reports.stacked_chart(
        [
            (_("Met"), {"met": figures.met}),
            (_("Open"), {"open": figures.unmet}),
            (_("Cancelled"), {"cancelled": figures.cancelled}),
        ],
        {"met": _("Met"), "open": _("Open"), "cancelled": _("Cancelled")},
        str,
        width=360,
        height=200,
    )
    return await page(
        request, ctx, "time_bank/dashboard.html", bank=bank, figures=figures, hours=hours, needs=needs, fmt=banks.fmt
    )


REPORT_ROUTES = [
    statement_page,
    statement_pdf,
    statement_xlsx,
    member_statement_pdf,
    member_statement_xlsx,
    bank_dashboard,
]
