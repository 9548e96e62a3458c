"""JSON API for banks and memberships: create a bank and edit its settings, join, approve, redeem, give.

The same service functions as the pages (:mod:`~plugins.time_bank.bank_settings`,
:mod:`~plugins.time_bank.membership`, :mod:`~plugins.time_bank.accounts`), so the same
rules, permissions and refusals: 403 for a role that may not, 404 for another district's
bank or another bank's member, 400 with ``errors`` by field for wrong input, 409 when a
rule refuses (a balance too low, the yearly gift limit, an application already decided,
a name already taken). Amounts are integer minutes; hours are typed like on the pages.
"""

from __future__ import annotations

import secrets
from typing import Any, TypedDict

from litestar import get, patch, post
from litestar.exceptions import HTTPException, PermissionDeniedException
from sqlalchemy import select

from core.plugin_api import Code, Refusal, RequestContext, Text, User
from core.plugin_api import gettext as _
from plugins.time_bank import accounts, bank_settings, banks, membership
from plugins.time_bank.api_models import BankOut, CatalogueOut, MemberOut, MovementOut
from plugins.time_bank.manifest import KEY
from plugins.time_bank.models import CatalogueItem, MemberStatus
from plugins.time_bank.web import parse_hours

__all__ = ("BANK_API",)


class BankIn(TypedDict, total=False):
    """A new bank (``name``, ``organization_id`` or ``organization``, ``categories`` required) or settings to change.

    ``organization_id``: the operating organization in the district's organizations registry
    (its name is taken from there); ``organization``: the name of one outside the registry
    (a name that is exactly a registered organization's is linked to it).

    ``categories``: keys of the starter list (chat, visit, meals, shopping, patrol, haircut,
    escort); limits in minutes (``null``: no limit), ``expiry_months`` in months.
    """

    name: Text
    organization_id: int | None
    organization: Text
    org_unit_id: int | None
    description: Text
    active: bool
    categories: list[Code]
    min_balance: int | None
    max_balance: int | None
    yearly_cap: int | None
    expiry_months: int | None
    gift_yearly_max: int | None


class JoinIn(TypedDict, total=False):
    """An application: as a volunteer and/or a resident; skills (category keys), areas (community ids),
    availability (``mon_am`` … ``sun_eve``), phone."""

    volunteer: bool
    resident: bool
    skills: list[Code]
    areas: list[int]
    availability: list[Code]
    phone: Code


class DecisionIn(TypedDict):
    """``approve`` or ``reject``."""

    decision: Code


class RedeemIn(TypedDict, total=False):
    """Spend hours on a catalogue service; ``key`` makes a retry safe (the same key moves hours once)."""

    item_id: int
    key: Code


class GiftIn(TypedDict, total=False):
    """Give ``hours`` (e.g. "1.5") to a family member linked by the bank's staff; ``key`` as for redeem."""

    bank_id: int
    to_user: int
    hours: Code
    key: Code


def _form(data: BankIn) -> dict[str, Any]:
    """The API's body as the shared check reads it (minutes → hours, like the page's fields)."""
    form: dict[str, Any] = {}
    for name, value in data.items():
        if name in {"min_balance", "max_balance", "yearly_cap", "gift_yearly_max"}:
            form[name] = bank_settings.hours_of_minutes(value)
        elif name in {"expiry_months", "org_unit_id", "organization_id"}:
            form[name] = "" if value is None else str(value)
        elif name == "active":
            form[name] = "on" if value else ""
        else:
            form[name] = value
    return form


def _conflict(exc: Refusal, locale: str) -> HTTPException:
    """A rule's refusal (nothing written) as 409 with its message; 403/404 keep theirs."""
    status = exc.status_code if exc.status_code in (403, 404) else 409
    return HTTPException(status_code=status, detail=exc.text(locale))


async def _bank_out(ctx: RequestContext, bank_id: int) -> BankOut:
    bank = await banks.bank_or_404(ctx.session, bank_id)
    return BankOut.of(bank, await banks.categories(ctx.session, bank.id))


@post("/time-bank/banks", name="time_bank:api:bank_create", summary="Create a time bank (the district's admins)")
async def api_bank_create(ctx: RequestContext, data: BankIn) -> BankOut:
    ctx.require(KEY, "admin")
    assert ctx.district is not None
    form = _form(data)
    draft = await bank_settings.check_bank(ctx.session, form)
    bank = await bank_settings.create(ctx.session, ctx.district.id, draft)
    return await _bank_out(ctx, bank.id)


@patch(
    "/time-bank/banks/{bank_id:int}",
    name="time_bank:api:bank_update",
    summary="Change a bank's settings (admins) or limits (its staff)",
)
async def api_bank_update(ctx: RequestContext, bank_id: int, data: BankIn) -> BankOut:
    ctx.require(KEY, "staff")
    bank = await banks.require_staff(ctx, bank_id)
    form = _form(data)
    if "categories" in form:
        raise Refusal(_("Categories are changed on the bank's rules page."), errors={"categories": "—"})
    if set(form) - set(bank_settings.RULE_FIELDS) and not ctx.can(KEY, "admin"):
        raise PermissionDeniedException(_("Only the district's time-bank admins may change a bank's settings."))
    draft = await bank_settings.check_bank(ctx.session, form, bank=bank)
    await bank_settings.save(ctx.session, bank, form, draft)
    return await _bank_out(ctx, bank.id)


@post("/time-bank/banks/{bank_id:int}/join", name="time_bank:api:join", summary="Apply to join a bank")
async def api_join(ctx: RequestContext, bank_id: int, data: JoinIn) -> MemberOut:
    ctx.require(KEY, "use")
    assert ctx.user is not None
    bank = await banks.bank_or_404(ctx.session, bank_id)
    member = await membership.apply(
        ctx.session,
        bank,
        ctx.user.id,
        volunteer=bool(data.get("volunteer", True)),
        resident=bool(data.get("resident", False)),
        skills=data.get("skills", []),
        areas=data.get("areas", []),
        availability=data.get("availability", []),
        phone=data.get("phone", ""),
    )
    return MemberOut.of(member, ctx.user.label)


@get(
    "/time-bank/banks/{bank_id:int}/members",
    name="time_bank:api:members",
    summary="A bank's members or applications (its staff); status: applied, approved, rejected, left",
)
async def api_members(ctx: RequestContext, bank_id: int, status: str = MemberStatus.APPROVED) -> list[MemberOut]:
    ctx.require(KEY, "staff")
    bank = await banks.require_staff(ctx, bank_id)
    if status not in {MemberStatus.APPLIED, MemberStatus.APPROVED, MemberStatus.REJECTED, MemberStatus.LEFT}:
        raise Refusal(_("Unknown status."), errors={"status": "applied, approved, rejected, left"})
    rows = await banks.members_with_balances(ctx.session, bank, status)
    return [MemberOut.of(m, label, balance) for m, label, balance in rows]


@post(
    "/time-bank/banks/{bank_id:int}/members/{member_id:int}/decision",
    name="time_bank:api:decide",
    summary="Approve or reject an application (the bank's staff)",
)
async def api_decide(ctx: RequestContext, bank_id: int, member_id: int, data: DecisionIn) -> MemberOut:
    ctx.require(KEY, "staff")
    assert ctx.user is not None
    bank = await banks.require_staff(ctx, bank_id)
    try:
        async with ctx.session.begin_nested():
            member = await membership.decide(
                ctx.session, bank, member_id, str(data.get("decision", "")), by=ctx.user.id
            )
    except Refusal as exc:
        if exc.errors:
            raise
        raise _conflict(exc, ctx.locale) from exc
    user = await ctx.session.get(User, member.user_id)
    return MemberOut.of(member, user.label if user else "")


@get("/time-bank/catalogue", name="time_bank:api:catalogue", summary="Services a member can spend hours on")
async def api_catalogue(ctx: RequestContext, bank_id: int) -> list[CatalogueOut]:
    ctx.require(KEY, "use")
    assert ctx.user is not None
    bank = await banks.bank_or_404(ctx.session, bank_id)
    if not await banks.is_staff_of(ctx, bank.id) and await banks.member_of(ctx.session, bank.id, ctx.user.id) is None:
        raise PermissionDeniedException(_("Only approved members of this time bank can spend hours here."))
    query = select(CatalogueItem).where(CatalogueItem.bank_id == bank.id, CatalogueItem.active.is_(True))
    return [CatalogueOut.of(item) for item in (await ctx.session.execute(query.order_by(CatalogueItem.id))).scalars()]


async def _movement(ctx: RequestContext, bank: Any, transfer: Any, amount: int) -> MovementOut:
    """What moved out of the user's account and the balance left."""
    assert ctx.user is not None
    account = await banks.account_of(ctx.session, bank, ctx.user.id)
    await ctx.session.refresh(account)
    return MovementOut(bank.id, amount, transfer.reason, account.balance, banks.fmt(account.balance, ctx.locale))


@post("/time-bank/redeem", name="time_bank:api:redeem", summary="Spend hours on a catalogue service")
async def api_redeem(ctx: RequestContext, data: RedeemIn) -> MovementOut:
    ctx.require(KEY, "use")
    assert ctx.user is not None
    item = await accounts.catalogue_item(ctx.session, data.get("item_id"))
    bank = await banks.bank_or_404(ctx.session, item.bank_id)
    key = str(data.get("key") or secrets.token_hex(8))
    uid = ctx.user.id
    try:
        async with ctx.session.begin_nested():
            transfer = await accounts.redeem(ctx.session, bank, uid, key=key, by=uid, item=item, locale=ctx.locale)
    except accounts.Refused as exc:
        raise _conflict(exc, ctx.locale) from exc
    return await _movement(ctx, bank, transfer, item.price)


@post("/time-bank/gifts", name="time_bank:api:gift", summary="Give hours to a linked family member (转赠)")
async def api_gift(ctx: RequestContext, data: GiftIn) -> MovementOut:
    ctx.require(KEY, "use")
    assert ctx.user is not None
    bank = await banks.bank_or_404(ctx.session, int(data.get("bank_id") or 0))
    minutes, why = parse_hours(data.get("hours"))
    if minutes is None:
        raise Refusal(_("Please correct the marked fields."), errors={"hours": why})
    key = str(data.get("key") or secrets.token_hex(8))
    uid = ctx.user.id
    try:
        async with ctx.session.begin_nested():
            transfer = await accounts.gift(
                ctx.session, bank, uid, int(data.get("to_user") or 0), minutes, key=key, by=uid, locale=ctx.locale
            )
    except accounts.Refused as exc:
        raise _conflict(exc, ctx.locale) from exc
    return await _movement(ctx, bank, transfer, minutes)


BANK_API = [
    api_bank_create,
    api_bank_update,
    api_join,
    api_members,
    api_decide,
    api_catalogue,
    api_redeem,
    api_gift,
]
