"""The member's own pages, made for a phone: ``/time-bank`` (balance, services, needs, history) and its actions.

Every action is a small form posting back here; the step itself goes through the case
engine (roles, the plugin's per-bank checks, the timeline, the credit in one transaction)
and the member lands back on the page with a one-time notice saying what happened.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException

from core.plugin_api import TIMEZONE, Form, RequestContext, act, flashes, ledger, page
from core.plugin_api import gettext as _
from plugins.time_bank import accounts, banks, needs, offers, queries
from plugins.time_bank.manifest import KEY
from plugins.time_bank.models import Activity, Badge, CatalogueItem, FamilyLink, MemberStatus, Signup
from plugins.time_bank.web import case_by_reference, parse_hours, take_step

__all__ = ("ME_ROUTES",)

ME = "/time-bank"


async def _history(ctx: RequestContext, accounts_by_bank: list[tuple[Any, Any]], limit: int = 10) -> list[Any]:
    """The latest movements on the member's accounts this year and last, newest first."""
    now = datetime.now(TIMEZONE)
    start = datetime(now.year - 1, 1, 1, tzinfo=TIMEZONE)
    lines: list[tuple[Any, Any]] = []
    for bank, account in accounts_by_bank:
        statement = await ledger.statement(ctx.session, account_id=account.id, start=start, end=now)
        lines.extend((bank, line) for line in statement.lines)
    lines.sort(key=lambda pair: (pair[1].effective_at, pair[1].posting_id), reverse=True)
    return lines[:limit]


async def me_context(ctx: RequestContext) -> dict[str, Any]:
    """Everything the member's page shows (the offers section too)."""
    from sqlalchemy import or_, select  # noqa: PLC0415

    assert ctx.user is not None
    uid = ctx.user.id
    memberships = await banks.memberships_of(ctx.session, uid)
    approved = [(m, b) for m, b in memberships if m.status == MemberStatus.APPROVED]
    bank_ids = [b.id for _m, b in approved]
    accounts_by_bank = [(b, await banks.account_of(ctx.session, b, uid)) for _m, b in approved]
    member_of = {b.id for _m, b in memberships}
    badges = list((await ctx.session.execute(select(Badge).where(Badge.user_id == uid))).scalars())
    catalogue = list(
        (
            await ctx.session.execute(
                select(CatalogueItem).where(CatalogueItem.bank_id.in_(bank_ids), CatalogueItem.active.is_(True))
            )
        ).scalars()
    )
    links = list(
        (
            await ctx.session.execute(
                select(FamilyLink).where(
                    FamilyLink.bank_id.in_(bank_ids), or_(FamilyLink.user_id == uid, FamilyLink.relative_id == uid)
                )
            )
        ).scalars()
    )
    activities = list(
        (
            await ctx.session.execute(
                select(Activity)
                .where(Activity.bank_id.in_(bank_ids), Activity.status == "open")
                .order_by(Activity.starts_at)
                .limit(10)
            )
        ).scalars()
    )
    signed = set((await ctx.session.execute(select(Signup.activity_id).where(Signup.user_id == uid))).scalars())
    services_rows = await queries.my_services(ctx.session, uid)
    own_needs = await queries.my_needs(ctx.session, uid)
    open_needs = await queries.open_needs_for(ctx.session, uid)
    people: set[int | None] = {r.service.served_user_id for r in [*services_rows, *own_needs, *open_needs]}
    people |= (
        {r.service.volunteer_user_id for r in own_needs}
        | {lk.user_id for lk in links}
        | {lk.relative_id for lk in links}
    )
    cats = {b.id: await banks.categories(ctx.session, b.id, active_only=False) for _m, b in memberships}
    return {
        "memberships": memberships,
        "accounts": accounts_by_bank,
        "other_banks": [b for b in await banks.list_banks(ctx.session) if b.id not in member_of],
        "badges": badges,
        "catalogue": catalogue,
        "links": links,
        "activities": activities,
        "signed": signed,
        "services": services_rows,
        "needs": own_needs,
        "open_needs": open_needs,
        "names": await needs.user_names(ctx, people),
        "cats": cats,
        "history": await _history(ctx, accounts_by_bank),
        "today": datetime.now(TIMEZONE).date().isoformat(),
        "fmt": banks.fmt,
        **await offers.offer_context(ctx.session, uid),
    }


@get(ME, name="time_bank:me")
async def me_page(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """The member's page: balance, what to do next, open needs to take, history."""
    ctx.require(KEY, "use")
    context = await me_context(ctx)
    return await page(request, ctx, "time_bank/me.html", notices=await flashes(request, ctx), **context)


async def _case_or_404(ctx: RequestContext, reference: str) -> Any:
    case = await case_by_reference(ctx, reference)
    if case is None or await needs.service_of(ctx, case) is None:
        raise NotFoundException(_("No such service."))
    return case


@post(f"{ME}/services/{{reference:str}}/{{action:str}}", name="time_bank:service_action", status_code=303)
async def service_action(
    request: Request[Any, Any, Any], ctx: RequestContext, reference: str, action: str, data: Form
) -> Response[Any]:
    """Take, give back, record hours, confirm, dispute or cancel a service (the plugin checks who may)."""
    ctx.require(KEY, "use")
    assert ctx.user is not None
    case = await _case_or_404(ctx, reference)
    back = data.get("back") or ctx.url(ME)
    if not back.startswith(ctx.url("")):
        back = ctx.url(ME)
    uid = ctx.user.id

    async def run() -> Any:
        if action == "take":
            return await take_step(ctx, case, "match", data={"volunteer": uid})
        if action == "record":
            minutes, why = parse_hours(data.get("hours"))
            if minutes is None:
                from core.plugin_api import InvalidData  # noqa: PLC0415

                raise InvalidData(_("Please correct the marked fields."), {"hours": why})
            served_on = data.get("served_on") or datetime.now(TIMEZONE).date().isoformat()
            return await take_step(ctx, case, "complete", data={"minutes": minutes, "served_on": served_on})
        steps = {"giveback": "unmatch", "confirm": "verify", "dispute": "dispute", "cancel": "cancel", "start": "start"}
        if action not in steps:
            raise NotFoundException(_("No such action."))
        return await take_step(ctx, case, steps[action], reason=data.get("reason", ""))

    done = {
        "take": _("You took this need. Thank you!"),
        "record": _("Your hours are recorded; they count once the person served confirms them."),
        "confirm": _("Thank you for confirming. The volunteer's hours are credited."),
        "dispute": _("Your objection is recorded; the bank's staff will look into it."),
        "giveback": _("The need is open again for other volunteers."),
        "cancel": _("The need is cancelled."),
        "start": _("The service has started."),
    }.get(action, "")
    return await act(request, ctx, back, run, done)


@post(f"{ME}/redeem", name="time_bank:redeem", status_code=303)
async def redeem(request: Request[Any, Any, Any], ctx: RequestContext, data: Form) -> Response[Any]:
    """Spend hours on a catalogue service; a balance too low is refused with both amounts."""
    ctx.require(KEY, "use")
    assert ctx.user is not None
    item = await accounts.catalogue_item(ctx.session, data.get("item"))
    bank = await banks.bank_or_404(ctx.session, item.bank_id)
    key = data.get("nonce") or secrets.token_hex(8)
    uid = ctx.user.id

    async def run() -> Any:
        return await accounts.redeem(ctx.session, bank, uid, key=key, by=uid, item=item, locale=ctx.locale)

    done = _("Redeemed %(name)s for %(amount)s.", name=item.name, amount=banks.fmt(item.price, ctx.locale))
    return await act(request, ctx, ctx.url(ME), run, done)


@post(f"{ME}/gift", name="time_bank:gift", status_code=303)
async def gift(request: Request[Any, Any, Any], ctx: RequestContext, data: Form) -> Response[Any]:
    """Give hours to a linked family member (转赠)."""
    ctx.require(KEY, "use")
    assert ctx.user is not None
    bank = await banks.bank_or_404(ctx.session, int(data.get("bank") or 0) if (data.get("bank") or "").isdigit() else 0)
    to_user = int(data.get("to") or 0) if (data.get("to") or "").isdigit() else 0
    minutes, why = parse_hours(data.get("hours"))
    key = data.get("nonce") or secrets.token_hex(8)
    uid = ctx.user.id

    async def run() -> Any:
        if minutes is None:
            raise accounts.Refused(why)
        return await accounts.gift(ctx.session, bank, uid, to_user, minutes, key=key, by=uid, locale=ctx.locale)

    done = _("Given %(amount)s to your family member.", amount=banks.fmt(minutes, ctx.locale)) if minutes else ""
    return await act(request, ctx, ctx.url(ME), run, done)


ME_ROUTES = [me_page, service_action, redeem, gift]
