"""JSON API under ``/api/v1/districts/{district}/time-bank``: banks, needs, services, offers, activities,
accounts and statements (all in OpenAPI). Amounts are integer minutes; every rule of the pages applies.

Refusals answer 409 with the reason as ``detail`` (e.g. the volunteer verifying their own
hours, a balance too low); invalid input 400 with ``extra.errors`` by field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

from litestar import get, post
from litestar.exceptions import HTTPException, NotFoundException, PermissionDeniedException, ValidationException
from sqlalchemy import select

from core.plugin_api import (
    TIMEZONE,
    CaseError,
    Code,
    InvalidData,
    LongText,
    RequestContext,
    Text,
    Title,
    create_case,
    ledger,
)
from core.plugin_api import gettext as _
from plugins.time_bank import banks, needs, offers, queries
from plugins.time_bank.api_activities import ACTIVITY_API
from plugins.time_bank.api_banks import BANK_API
from plugins.time_bank.api_models import (
    AccountOut,
    BankOut,
    LineOut,
    OfferOut,
    ServiceOut,
    StatementOut,
)
from plugins.time_bank.manifest import CASE_TYPE, KEY
from plugins.time_bank.models import Offer
from plugins.time_bank.web import case_by_reference, parse_hours, take_step

__all__ = ("API_ROUTES",)


class NeedIn(TypedDict, total=False):
    """A need: ``bank_id``, ``category``, ``title``, ``description`` required; ``served_user`` for staff."""

    bank_id: int
    category: Code
    title: Title
    description: LongText
    served_user: int
    area: int
    address: Text
    wanted_on: Code
    channel: Code


class ActionIn(TypedDict, total=False):
    """A step: take, start, record (``hours`` like "1.5", ``served_on``), giveback, confirm, dispute, cancel;
    staff also match (``volunteer``), resolve (``hours``), reject, credit. ``reason`` where needed."""

    action: Code
    hours: Code
    served_on: Code
    reason: Text
    volunteer: int


class OfferIn(TypedDict, total=False):
    bank_id: int
    category: Code
    area_id: int
    availability: list[Code]
    description: Text


def _conflict(message: str) -> HTTPException:
    return HTTPException(status_code=409, detail=message)


async def _service_out(ctx: RequestContext, reference: str) -> ServiceOut:
    case = await case_by_reference(ctx, reference)
    row = await needs.service_of(ctx, case) if case else None
    if case is None or row is None:
        raise NotFoundException(_("No such service."))
    assert ctx.user is not None
    uid = ctx.user.id
    open_to_me = case.state == "posted" and (
        (m := await banks.member_of(ctx.session, row.bank_id, uid)) is not None and m.is_volunteer
    )
    if not (
        await banks.is_staff_of(ctx, row.bank_id)
        or uid in {row.served_user_id, row.volunteer_user_id, case.created_by_id}
        or open_to_me
    ):
        raise NotFoundException(_("No such service."))
    return ServiceOut.of(row, case)


@get("/time-bank/banks", name="time_bank:api:banks", summary="The district's time banks, their categories and rules")
async def api_banks(ctx: RequestContext) -> list[BankOut]:
    ctx.require(KEY, "use")
    return [BankOut.of(b, await banks.categories(ctx.session, b.id)) for b in await banks.list_banks(ctx.session)]


@get("/time-bank/needs", name="time_bank:api:needs", summary="Needs: mine and those I can take; a bank's for its staff")
async def api_needs(ctx: RequestContext, bank_id: int | None = None) -> list[ServiceOut]:
    ctx.require(KEY, "use")
    assert ctx.user is not None
    if bank_id is not None:
        await banks.require_staff(ctx, bank_id)
        rows = await queries.bank_queue(
            ctx.session, bank_id, (*queries.ACTIVE_STATES, "posted", "credited", "cancelled")
        )
    else:
        rows = [
            *await queries.my_needs(ctx.session, ctx.user.id),
            *await queries.open_needs_for(ctx.session, ctx.user.id),
        ]
    return [ServiceOut.of(r.service, r.case) for r in rows]


@post("/time-bank/needs", name="time_bank:api:need_create", summary="Post a need (a 时间银行服务 case)")
async def api_need_create(ctx: RequestContext, data: NeedIn) -> ServiceOut:
    ctx.require(KEY, "use")
    payload = {k: v for k, v in data.items() if k not in {"title", "channel"}}
    try:
        case = await create_case(
            ctx, CASE_TYPE, title=str(data.get("title", "")), data=payload, channel=str(data.get("channel", "mobile"))
        )
    except InvalidData as exc:
        raise ValidationException(detail=exc.message, extra={"errors": exc.errors}) from exc
    return await _service_out(ctx, case.reference)


@get("/time-bank/services/{reference:str}", name="time_bank:api:service", summary="One service")
async def api_service(ctx: RequestContext, reference: str) -> ServiceOut:
    ctx.require(KEY, "use")
    return await _service_out(ctx, reference)


STEPS = {
    "take": "match",
    "match": "match",
    "start": "start",
    "record": "complete",
    "giveback": "unmatch",
    "confirm": "verify",
    "dispute": "dispute",
    "cancel": "cancel",
    "resolve": "resolve",
    "reject": "reject",
    "credit": "credit",
}


@post("/time-bank/services/{reference:str}/actions", name="time_bank:api:action", summary="Take a step on a service")
async def api_action(ctx: RequestContext, reference: str, data: ActionIn) -> ServiceOut:
    ctx.require(KEY, "use")
    assert ctx.user is not None
    await _service_out(ctx, reference)
    case = await case_by_reference(ctx, reference)
    assert case is not None
    action = str(data.get("action", ""))
    if action not in STEPS:
        raise ValidationException(detail=_("No such action."), extra={"errors": {"action": ", ".join(STEPS)}})
    step_data: dict[str, Any] = {}
    if action in {"take", "match"}:
        step_data["volunteer"] = ctx.user.id if action == "take" else data.get("volunteer")
    if action in {"record", "resolve"}:
        minutes, why = parse_hours(data.get("hours"))
        if minutes is None:
            raise ValidationException(detail=why, extra={"errors": {"hours": why}})
        step_data["minutes"] = minutes
        if action == "record":
            step_data["served_on"] = data.get("served_on") or datetime.now(TIMEZONE).date().isoformat()
    try:
        async with ctx.session.begin_nested():
            await take_step(ctx, case, STEPS[action], data=step_data, reason=str(data.get("reason", "")))
    except InvalidData as exc:
        raise ValidationException(detail=exc.message, extra={"errors": exc.errors}) from exc
    except CaseError as exc:
        raise HTTPException(status_code=exc.status_code, detail=exc.message) from exc
    return await _service_out(ctx, reference)


@get("/time-bank/offers", name="time_bank:api:offers", summary="Services volunteers offer in a bank")
async def api_offers(ctx: RequestContext, bank_id: int) -> list[OfferOut]:
    ctx.require(KEY, "use")
    assert ctx.user is not None
    if not await banks.is_staff_of(ctx, bank_id) and await banks.member_of(ctx.session, bank_id, ctx.user.id) is None:
        raise NotFoundException(_("No such time bank."))
    rows = (await ctx.session.execute(select(Offer).where(Offer.bank_id == bank_id, Offer.active.is_(True)))).scalars()
    return [OfferOut.of(o) for o in rows]


@post("/time-bank/offers", name="time_bank:api:offer_create", summary="Offer a service (volunteers)")
async def api_offer_create(ctx: RequestContext, data: OfferIn) -> OfferOut:
    """The same checks as the phone page's form (``offers.check_offer``): approved volunteer, category, area,
    times from the list, a description; 403 for a non-volunteer, 400 with ``errors`` by field otherwise."""
    ctx.require(KEY, "use")
    assert ctx.user is not None
    area = data.get("area_id")
    draft = await offers.check_offer(
        ctx.session,
        ctx.user.id,
        bank_id=str(data.get("bank_id", "")),
        category=str(data.get("category", "")),
        areas=[] if area is None else [str(area)],
        availability=[str(slot) for slot in data.get("availability", [])],
        description=str(data.get("description", "")),
    )
    if "bank" in draft.errors:
        raise PermissionDeniedException(draft.errors["bank"])
    if draft.errors:
        raise ValidationException(detail=next(iter(draft.errors.values())), extra={"errors": draft.errors})
    (offer,) = await offers.create_offers(ctx.session, ctx.user.id, draft)
    return OfferOut.of(offer)


@get("/time-bank/accounts", name="time_bank:api:accounts", summary="My accounts; all of a bank's for its staff")
async def api_accounts(ctx: RequestContext, bank_id: int | None = None) -> list[AccountOut]:
    ctx.require(KEY, "use")
    assert ctx.user is not None
    if bank_id is not None:
        bank = await banks.require_staff(ctx, bank_id)
        prefix = f"time_bank:{bank.id}:user:"
        query = select(ledger.LedgerAccount).where(ledger.LedgerAccount.owner_ref.startswith(prefix, autoescape=True))
        return [AccountOut.of(bank, a) for a in (await ctx.session.execute(query)).scalars()]
    found = []
    for _member, bank in await banks.memberships_of(ctx.session, ctx.user.id):
        account = await ledger.get_account(
            ctx.session, district_id=bank.district_id, owner_ref=banks.member_ref(bank.id, ctx.user.id), unit="minutes"
        )
        if account is not None:
            found.append(AccountOut.of(bank, account))
    return found


@get(
    "/time-bank/accounts/{bank_id:int}/{user_id:int}/statement",
    name="time_bank:api:statement",
    summary="A member's statement for a year (the member, or the bank's staff)",
)
async def api_statement(ctx: RequestContext, bank_id: int, user_id: int, year: int | None = None) -> StatementOut:
    ctx.require(KEY, "use")
    assert ctx.user is not None
    bank = await banks.bank_or_404(ctx.session, bank_id)
    if user_id != ctx.user.id and not await banks.is_staff_of(ctx, bank.id):
        raise PermissionDeniedException(_("You may only read your own statement."))
    account = await ledger.get_account(
        ctx.session, district_id=bank.district_id, owner_ref=banks.member_ref(bank.id, user_id), unit="minutes"
    )
    if account is None:
        raise NotFoundException(_("No account in this time bank."))
    now = datetime.now(TIMEZONE)
    year = year or now.year
    if not 2000 <= year <= now.year:
        raise ValidationException(detail=_("Year"), extra={"errors": {"year": f"2000–{now.year}"}})
    start = datetime(year, 1, 1, tzinfo=TIMEZONE)
    end = min(datetime(year + 1, 1, 1, tzinfo=TIMEZONE), now)
    statement = await ledger.statement(ctx.session, account_id=account.id, start=start, end=end)
    return StatementOut(
        account=AccountOut.of(bank, account),
        start=start,
        end=end,
        opening=statement.opening,
        closing=statement.closing,
        lines=[LineOut.of(line) for line in statement.lines],
    )


API_ROUTES = [
    *ACTIVITY_API,
    *BANK_API,
    api_banks,
    api_needs,
    api_need_create,
    api_service,
    api_action,
    api_offers,
    api_offer_create,
    api_accounts,
    api_statement,
]
