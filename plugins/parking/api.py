"""JSON API under ``/api/v1/districts/{district}/parking``: estates, spaces, committee, conventions and votes, permits.

The same services as the pages: a refusal answers 4xx with ``detail`` (Chinese / English)
and ``errors`` by field, and nothing is written.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypedDict

from litestar import get, post
from litestar.exceptions import NotFoundException
from litestar.response import Response

from core.plugin_api import Code, Forbidden, LongText, Name, RequestContext, Title, storage_for
from core.plugin_api import gettext as _
from plugins.parking import conventions, permits, service, tidal
from plugins.parking.manifest import KEY
from plugins.parking.models import (
    TIDAL_DOCUMENTS,
    CommitteeMember,
    Convention,
    ParkingEstate,
    Permit,
    Space,
    TidalAgreement,
    TidalAllocation,
)
from plugins.parking.routes import _today, may_run, tidal_document_response

__all__ = ("API_ROUTES",)


@dataclass(frozen=True)
class EstateOut:
    """An estate under parking self-governance, with its figures."""

    id: int
    estate_id: int
    name: str
    supervisor: str
    households: int
    floor_area_m2: str
    spaces: int
    pool: int
    pool_used: int


@dataclass(frozen=True)
class SpaceOut:
    """A parking space."""

    id: int
    code: str
    kind: str
    status: str

    @classmethod
    def of(cls, s: Space) -> SpaceOut:
        return cls(s.id, s.code, s.kind, s.status)


@dataclass(frozen=True)
class MemberOut:
    """A committee member and their term."""

    id: int
    name: str
    role: str
    term_from: date
    term_to: date | None
    user_id: int | None

    @classmethod
    def of(cls, m: CommitteeMember) -> MemberOut:
        return cls(m.id, m.name, m.role, m.term_from, m.term_to, m.user_id)


@dataclass(frozen=True)
class ConventionOut:
    """A convention version; ``vote`` while or after the owners voted on it."""

    id: int
    estate: int
    version: int
    title: str
    body: str
    fees: dict[str, Any]
    rules: dict[str, Any]
    major: bool
    status: str
    vote_id: int | None
    adopted_at: datetime | None

    @classmethod
    def of(cls, c: Convention) -> ConventionOut:
        return cls(
            c.id,
            c.parking_estate_id,
            c.version,
            c.title,
            c.body,
            dict(c.fees),
            dict(c.rules),
            c.major,
            c.status,
            c.vote_id,
            c.adopted_at,
        )


@dataclass(frozen=True)
class CheckOut:
    """One threshold of the vote: ``part`` of ``whole`` against ``needed`` (e.g. ``≥ 2/3``)."""

    rule: str
    part: str
    whole: str
    needed: str
    met: bool


@dataclass(frozen=True)
class VoteOut:
    """The owners' vote on a convention: figures by headcount and floor area, the checks, the outcome."""

    vote_id: int
    final: bool
    electorate_heads: int
    electorate_area: str
    participating_heads: int
    participating_area: str | None
    options: dict[str, dict[str, str | int | None]]
    checks: list[CheckOut]
    outcome: str | None
    reason: str


@dataclass(frozen=True)
class PermitOut:
    """A permit (parking card)."""

    id: int
    estate: int
    household_id: int | None
    holder_name: str
    agreement_id: int | None
    plate: str
    kind: str
    status: str
    card_no: str | None
    space_id: int | None
    days: str
    start: str
    end: str
    valid_from: date | None
    valid_to: date | None
    fee_fen: int
    channel: str
    applied_at: datetime

    @classmethod
    def of(cls, p: Permit) -> PermitOut:
        return cls(
            p.id,
            p.parking_estate_id,
            p.household_id,
            p.holder_name,
            p.agreement_id,
            p.plate,
            p.kind,
            p.status,
            p.card_no,
            p.space_id,
            p.days,
            f"{p.start_minute // 60:02d}:{p.start_minute % 60:02d}",
            f"{p.end_minute // 60:02d}:{p.end_minute % 60:02d}",
            p.valid_from,
            p.valid_to,
            p.fee_fen,
            p.channel,
            p.applied_at,
        )


class EstateIn(TypedDict, total=False):
    """A core estate (``org_units`` id of kind estate) to put under parking self-governance."""

    estate_id: int
    supervisor_id: int | None


class SpaceIn(TypedDict, total=False):
    """A space: ``code`` (letters, digits, dashes) and ``kind`` (fixed, pool, tidal, visitor, accessible)."""

    code: Code
    kind: Code
    note: Title


class MemberIn(TypedDict, total=False):
    """A committee member: name, role (chair, treasurer, patroller, member), term (ISO dates), login user id."""

    name: Name
    role: Code
    term_from: Code
    term_to: Code | None
    user_id: int | None


class ConventionIn(TypedDict, total=False):
    """A draft convention: title, text, fees in yuan, rules, and whether it is a major matter (3/4)."""

    title: Title
    body: LongText
    first_car_yuan: Code
    second_car_yuan: Code
    visitor_free_hours: int
    cards_per_household: int
    suspend_after: int
    violation_days: int
    major: bool


class BallotIn(TypedDict, total=False):
    """A household's ballot: ``choice`` for/against/abstain; ``channel`` online (owner) or paper/hands/door_to_door."""

    household_id: int
    choice: Code
    channel: Code


class VisitorIn(TypedDict, total=False):
    """A visitor's car for today: the host household, the plate, ``arrive`` (``HH:MM``, default now), a name;
    ``channel`` ``window`` when staff register it."""

    household_id: int
    plate: Code
    arrive: Code
    name: Name
    channel: Code


class PermitIn(TypedDict, total=False):
    """An application: household and plate (registered to it); ``channel`` online or window."""

    household_id: int
    plate: Code
    channel: Code


async def _estate(ctx: RequestContext, estate_id: int) -> ParkingEstate:
    ctx.require(KEY, "view")
    return await service.estate_or_404(ctx.session, estate_id)


async def _run(ctx: RequestContext, estate: ParkingEstate) -> None:
    if not await may_run(ctx, estate):
        raise Forbidden(_("Only the estate's parking committee or community staff may do this."))


async def _for_household(
    ctx: RequestContext, estate_id: int, household_id: Any, channel: Any
) -> tuple[ParkingEstate, str]:
    """The estate and the channel of a request made for a household: staff at the window (the estate's
    committee or community staff) for any household, a resident online for their own only."""
    estate = await _estate(ctx, estate_id)
    assert ctx.user is not None
    if channel == "window":
        await _run(ctx, estate)
        return estate, "window"
    from core.plugin_api import residents  # noqa: PLC0415

    mine = {h.household_id for h in await residents.households_of_user(ctx.session, ctx.user.id)}
    if household_id not in mine:
        raise Forbidden(_("You act only for your own household."))
    return estate, "online"


async def _estate_out(ctx: RequestContext, estate: ParkingEstate) -> EstateOut:
    v = await service.estate_view(ctx.session, estate, ctx.locale)
    return EstateOut(v.id, v.estate_id, v.name, v.supervisor, v.households, v.floor_area, v.spaces, v.pool, v.pool_used)


async def _convention(ctx: RequestContext, convention_id: int) -> tuple[Convention, ParkingEstate]:
    ctx.require(KEY, "view")
    convention = await ctx.session.get(Convention, convention_id)
    if convention is None or ctx.district is None or convention.district_id != ctx.district.id:
        raise NotFoundException(_("Not found."))
    return convention, await service.estate_or_404(ctx.session, convention.parking_estate_id)


def _text(value: Decimal | int | None) -> str | None:
    return None if value is None else str(value)


@get("/parking/estates", name="parking:api:estates", summary="Estates under parking self-governance")
async def api_estates(ctx: RequestContext) -> list[EstateOut]:
    ctx.require(KEY, "view")
    return [await _estate_out(ctx, e) for e in await service.list_estates(ctx.session)]


@post("/parking/estates", name="parking:api:estate-add", summary="Put a core estate under parking self-governance")
async def api_estate_add(ctx: RequestContext, data: EstateIn) -> EstateOut:
    ctx.require(KEY, "manage")
    assert ctx.district is not None
    estate = await service.create_estate(ctx.session, ctx.district.id, data.get("estate_id"), data.get("supervisor_id"))
    return await _estate_out(ctx, estate)


@get("/parking/estates/{estate_id:int}", name="parking:api:estate", summary="An estate's figures")
async def api_estate(ctx: RequestContext, estate_id: int) -> EstateOut:
    return await _estate_out(ctx, await _estate(ctx, estate_id))


@get("/parking/estates/{estate_id:int}/spaces", name="parking:api:spaces", summary="An estate's spaces")
async def api_spaces(ctx: RequestContext, estate_id: int) -> list[SpaceOut]:
    estate = await _estate(ctx, estate_id)
    return [SpaceOut.of(s) for s in await service.spaces(ctx.session, estate.id)]


@post("/parking/estates/{estate_id:int}/spaces", name="parking:api:space-add", summary="Add a space")
async def api_space_add(ctx: RequestContext, estate_id: int, data: SpaceIn) -> SpaceOut:
    estate = await _estate(ctx, estate_id)
    await _run(ctx, estate)
    return SpaceOut.of(await service.add_space(ctx.session, estate, dict(data)))


@get("/parking/estates/{estate_id:int}/committee", name="parking:api:committee", summary="The committee")
async def api_committee(ctx: RequestContext, estate_id: int) -> list[MemberOut]:
    estate = await _estate(ctx, estate_id)
    return [MemberOut.of(m) for m in await service.committee(ctx.session, estate.id)]


@post("/parking/estates/{estate_id:int}/committee", name="parking:api:member-add", summary="Add a committee member")
async def api_member_add(ctx: RequestContext, estate_id: int, data: MemberIn) -> MemberOut:
    ctx.require(KEY, "manage")
    estate = await _estate(ctx, estate_id)
    return MemberOut.of(await service.add_member(ctx.session, estate, dict(data), data.get("user_id")))


@get("/parking/estates/{estate_id:int}/conventions", name="parking:api:conventions", summary="Convention versions")
async def api_conventions(ctx: RequestContext, estate_id: int) -> list[ConventionOut]:
    estate = await _estate(ctx, estate_id)
    return [ConventionOut.of(c) for c in await conventions.conventions(ctx.session, estate.id)]


@post("/parking/estates/{estate_id:int}/conventions", name="parking:api:convention-add", summary="Draft a convention")
async def api_convention_add(ctx: RequestContext, estate_id: int, data: ConventionIn) -> ConventionOut:
    estate = await _estate(ctx, estate_id)
    await _run(ctx, estate)
    raw: dict[str, Any] = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    convention = await conventions.create_convention(ctx.session, estate, raw, ctx.user.id if ctx.user else None)
    return ConventionOut.of(convention)


@get("/parking/conventions/{convention_id:int}", name="parking:api:convention", summary="A convention version")
async def api_convention(ctx: RequestContext, convention_id: int) -> ConventionOut:
    convention, _estate_row = await _convention(ctx, convention_id)
    return ConventionOut.of(convention)


@post(
    "/parking/conventions/{convention_id:int}/vote",
    name="parking:api:convention-vote",
    summary="Put a draft to the owners' vote (Civil Code art. 278; electorate frozen from the register)",
)
async def api_put_to_vote(ctx: RequestContext, convention_id: int) -> ConventionOut:
    convention, estate = await _convention(ctx, convention_id)
    await _run(ctx, estate)
    await conventions.put_to_vote(ctx.session, convention, user_id=ctx.user.id if ctx.user else None)
    return ConventionOut.of(convention)


@post(
    "/parking/conventions/{convention_id:int}/ballots",
    name="parking:api:ballot",
    summary="A household's ballot: online by its owner, or entered by staff (paper, hands, door to door)",
)
async def api_ballot(ctx: RequestContext, convention_id: int, data: BallotIn) -> dict[str, Any]:
    convention, estate = await _convention(ctx, convention_id)
    assert ctx.user is not None
    channel = str(data.get("channel") or "online")
    household = data.get("household_id")
    if not isinstance(household, int):
        raise service.Refused(
            "请选择住户", "household_id is required.", errors={"household_id": _("Choose the household.")}
        )
    if channel == "online":
        if household not in await conventions.owned_households(ctx.session, ctx.user.id, estate):
            raise Forbidden(_("You vote only for a household you own."))
    else:
        await _run(ctx, estate)
    receipt = await conventions.cast(
        ctx.session, convention, household, str(data.get("choice") or ""), channel=channel, entered_by=ctx.user.id
    )
    return {
        "vote_id": receipt.vote_id,
        "voter_ref": receipt.voter_ref,
        "channel": receipt.channel,
        "entered_by_id": receipt.entered_by_id,
    }


def _vote_out(result: Any) -> VoteOut:
    return VoteOut(
        vote_id=result.vote_id,
        final=result.final,
        electorate_heads=result.electorate_heads,
        electorate_area=str(result.electorate_weight),
        participating_heads=result.participating_heads,
        participating_area=_text(result.participating_weight),
        options={o.option: {"heads": o.heads, "area": _text(o.weight)} for o in result.options},
        checks=[CheckOut(c.rule, str(c.part), str(c.whole), c.threshold.describe(), c.met) for c in result.checks],
        outcome=result.outcome.value if result.outcome else None,
        reason=result.reason_zh,
    )


@get("/parking/conventions/{convention_id:int}/vote", name="parking:api:vote", summary="The owners' vote: figures")
async def api_vote(ctx: RequestContext, convention_id: int) -> VoteOut:
    convention, _estate_row = await _convention(ctx, convention_id)
    tally = await conventions.tally(ctx.session, convention)
    if tally is None:
        raise NotFoundException(_("Not found."))
    return _vote_out(tally.result)


@post(
    "/parking/conventions/{convention_id:int}/close",
    name="parking:api:convention-close",
    summary="Close the owners' vote: the convention is adopted if it passed",
)
async def api_close(ctx: RequestContext, convention_id: int) -> VoteOut:
    convention, estate = await _convention(ctx, convention_id)
    await _run(ctx, estate)
    return _vote_out(await conventions.close(ctx.session, convention))


@get("/parking/estates/{estate_id:int}/permits", name="parking:api:permits", summary="An estate's permits")
async def api_permits(ctx: RequestContext, estate_id: int, status: str | None = None) -> list[PermitOut]:
    estate = await _estate(ctx, estate_id)
    await _run(ctx, estate)
    return [PermitOut.of(p) for p in await permits.permits(ctx.session, estate.id, status=status)]


@get("/parking/estates/{estate_id:int}/waiting", name="parking:api:waiting", summary="The waiting list, in order")
async def api_waiting(ctx: RequestContext, estate_id: int) -> list[PermitOut]:
    estate = await _estate(ctx, estate_id)
    await _run(ctx, estate)
    return [PermitOut.of(p) for p in await permits.waiting_list(ctx.session, estate.id)]


@post(
    "/parking/estates/{estate_id:int}/permits",
    name="parking:api:apply",
    summary="Apply for a card (a resident for their own household, or staff at the window)",
)
async def api_apply(ctx: RequestContext, estate_id: int, data: PermitIn) -> PermitOut:
    estate, channel = await _for_household(ctx, estate_id, data.get("household_id"), data.get("channel"))
    assert ctx.user is not None
    permit = await permits.apply(
        ctx.session, estate.id, data.get("household_id"), data.get("plate"), channel=channel, user_id=ctx.user.id
    )
    return PermitOut.of(permit)


@post(
    "/parking/estates/{estate_id:int}/visitors",
    name="parking:api:visitor",
    summary="Let a visitor's car in for the convention's free hours today (a resident for their household, or staff)",
)
async def api_visitor(ctx: RequestContext, estate_id: int, data: VisitorIn) -> PermitOut:
    estate, channel = await _for_household(ctx, estate_id, data.get("household_id"), data.get("channel"))
    assert ctx.user is not None
    permit = await permits.register_visitor(
        ctx.session,
        estate.id,
        data.get("household_id"),
        data.get("plate"),
        arrive=data.get("arrive", ""),
        name=data.get("name", ""),
        channel=channel,
        user_id=ctx.user.id,
    )
    return PermitOut.of(permit)


@post(
    "/parking/permits/{permit_id:int}/{action:str}",
    name="parking:api:permit-step",
    summary="approve, issue, suspend, reinstate, revoke or refuse a permit",
)
async def api_permit_step(ctx: RequestContext, permit_id: int, action: str) -> PermitOut:
    ctx.require(KEY, "view")
    steps = {
        "approve": permits.approve,
        "issue": permits.issue,
        "suspend": permits.suspend,
        "reinstate": permits.reinstate,
        "revoke": permits.revoke,
        "refuse": permits.refuse,
    }
    if action not in steps:
        raise NotFoundException(_("Not found."))
    permit = await permits.permit_or_404(ctx.session, permit_id)
    estate = await service.estate_or_404(ctx.session, permit.parking_estate_id)
    await _run(ctx, estate)
    return PermitOut.of(await steps[action](ctx.session, permit_id, ctx.user.id if ctx.user else None))


@get(
    "/parking/estates/{estate_id:int}/whitelist.csv",
    name="parking:api:whitelist",
    summary="The barrier gate's whitelist (CSV of issued cards valid today)",
    media_type="text/csv; charset=utf-8",
)
async def api_whitelist(ctx: RequestContext, estate_id: int) -> Response[str]:
    estate = await _estate(ctx, estate_id)
    await _run(ctx, estate)
    return Response(await permits.whitelist_csv(ctx.session, estate.id, _today()), media_type="text/csv; charset=utf-8")


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@dataclass(frozen=True)
class AgreementOut:
    """A tidal sharing agreement."""

    id: int
    estate: int
    partner: str
    space_count: int
    days: str
    start: str
    end: str
    price_fen: int
    term_from: date
    term_to: date
    signatories: str
    status: str

    @classmethod
    def of(cls, a: TidalAgreement) -> AgreementOut:
        return cls(
            a.id,
            a.parking_estate_id,
            a.partner,
            a.space_count,
            a.days,
            _hhmm(a.start_minute),
            _hhmm(a.end_minute),
            a.price_fen,
            a.term_from,
            a.term_to,
            a.signatories,
            a.status,
        )


@dataclass(frozen=True)
class AllocationOut:
    """A space given to someone in weekly windows between two dates."""

    id: int
    space_id: int
    agreement_id: int | None
    holder: str
    days: str
    start: str
    end: str
    valid_from: date
    valid_to: date
    status: str

    @classmethod
    def of(cls, a: TidalAllocation) -> AllocationOut:
        return cls(
            a.id,
            a.space_id,
            a.agreement_id,
            a.holder,
            a.days,
            _hhmm(a.start_minute),
            _hhmm(a.end_minute),
            a.valid_from,
            a.valid_to,
            a.status,
        )


@dataclass(frozen=True)
class TotalsOut:
    """The district's tidal sharing today: sites (active agreements), extra spaces, estates."""

    sites: int
    spaces: int
    estates: int


class AgreementIn(TypedDict, total=False):
    """A draft agreement: partner, spaces, weekly window (days "12345", start/end "08:30"), price (fen/month), term."""

    partner: Title
    space_count: int
    days: Code
    start: Code
    end: Code
    price_fen: int
    term_from: Code
    term_to: Code
    signatories: Title


class SignIn(TypedDict, total=False):
    """Who signed (the committee's and the partner's signatories)."""

    signatories: Title


class AllocationIn(TypedDict, total=False):
    """A space for ``holder`` in weekly windows (an end not after the start crosses midnight) between two dates."""

    space_id: int
    holder: Title
    days: Code
    start: Code
    end: Code
    valid_from: Code
    valid_to: Code
    agreement_id: int | None


class TidalPermitIn(TypedDict, total=False):
    """A partner's employee: name, plate, and the two documents inline (base64, a JPEG or PNG photo or a PDF of at
    most 5 MB each): an identity document and the employer's letter."""

    holder_name: Name
    plate: Code
    identity_base64: str
    identity_name: Name
    employer_letter_base64: str
    employer_letter_name: Name


@get("/parking/estates/{estate_id:int}/agreements", name="parking:api:agreements", summary="Tidal agreements")
async def api_agreements(ctx: RequestContext, estate_id: int) -> list[AgreementOut]:
    estate = await _estate(ctx, estate_id)
    return [AgreementOut.of(a) for a in await tidal.agreements(ctx.session, estate.id)]


@post(
    "/parking/estates/{estate_id:int}/agreements", name="parking:api:agreement-add", summary="Draft a tidal agreement"
)
async def api_agreement_add(ctx: RequestContext, estate_id: int, data: AgreementIn) -> AgreementOut:
    estate = await _estate(ctx, estate_id)
    await _run(ctx, estate)
    return AgreementOut.of(await tidal.create_agreement(ctx.session, estate, dict(data)))


async def _agreement_estate(ctx: RequestContext, agreement_id: int) -> ParkingEstate:
    ctx.require(KEY, "view")
    agreement = await tidal._agreement(ctx.session, agreement_id)
    estate = await service.estate_or_404(ctx.session, agreement.parking_estate_id)
    await _run(ctx, estate)
    return estate


@post("/parking/agreements/{agreement_id:int}/sign", name="parking:api:agreement-sign", summary="Sign an agreement")
async def api_agreement_sign(ctx: RequestContext, agreement_id: int, data: SignIn) -> AgreementOut:
    await _agreement_estate(ctx, agreement_id)
    return AgreementOut.of(await tidal.sign(ctx.session, agreement_id, str(data.get("signatories") or "")))


@post(
    "/parking/agreements/{agreement_id:int}/terminate",
    name="parking:api:agreement-terminate",
    summary="Terminate an agreement (its allocations released, its cards revoked)",
)
async def api_agreement_terminate(ctx: RequestContext, agreement_id: int) -> AgreementOut:
    await _agreement_estate(ctx, agreement_id)
    return AgreementOut.of(await tidal.terminate(ctx.session, agreement_id))


@post(
    "/parking/agreements/{agreement_id:int}/permits",
    name="parking:api:tidal-permit",
    summary="A partner's employee applies for a tidal card (only under a signed agreement)",
)
async def api_tidal_permit(ctx: RequestContext, agreement_id: int, data: TidalPermitIn) -> PermitOut:
    await _agreement_estate(ctx, agreement_id)
    documents = {}
    for kind in TIDAL_DOCUMENTS:
        try:
            content = base64.b64decode(str(data.get(f"{kind}_base64") or ""), validate=True)  # type: ignore[misc]
        except (binascii.Error, ValueError):
            raise service.Refused(
                "文件数据有误", "A document is not valid base64.", errors={f"{kind}_base64": _("Not valid base64.")}
            ) from None
        documents[kind] = (str(data.get(f"{kind}_name") or kind), content)  # type: ignore[misc]
    storage = storage_for(ctx)
    assert ctx.district is not None
    prefix = f"parking/{ctx.district.code}/tidal-documents"
    permit = await tidal.apply_tidal(
        ctx.session,
        agreement_id,
        data.get("plate"),
        str(data.get("holder_name") or ""),
        ctx.user.id if ctx.user else None,
        documents,
        lambda b: storage.save(b, prefix=prefix),
    )
    return PermitOut.of(permit)


@get(
    "/parking/permits/{permit_id:int}/documents/{kind:str}",
    name="parking:api:tidal-document",
    summary="A tidal card's document (identity or employer_letter), for the committee and staff",
    media_type="application/octet-stream",
)
async def api_tidal_document(ctx: RequestContext, permit_id: int, kind: str) -> Response[Any]:
    ctx.require(KEY, "view")
    document, permit = await tidal.document_or_404(ctx.session, permit_id, kind)
    await _run(ctx, await service.estate_or_404(ctx.session, permit.parking_estate_id))
    response = await tidal_document_response(ctx, document)
    response.media_type = "application/octet-stream"  # as the schema says; the file name's suffix tells PNG from PDF
    return response


@get("/parking/estates/{estate_id:int}/allocations", name="parking:api:allocations", summary="Active allocations")
async def api_allocations(ctx: RequestContext, estate_id: int) -> list[AllocationOut]:
    estate = await _estate(ctx, estate_id)
    return [AllocationOut.of(a) for a in await tidal.allocations(ctx.session, estate.id)]


@post(
    "/parking/estates/{estate_id:int}/allocations",
    name="parking:api:allocate",
    summary="Allocate a space in weekly windows (409 when it overlaps another allocation of the space)",
)
async def api_allocate(ctx: RequestContext, estate_id: int, data: AllocationIn) -> AllocationOut:
    estate = await _estate(ctx, estate_id)
    await _run(ctx, estate)
    allocation = await tidal.allocate(ctx.session, estate.id, dict(data), data.get("agreement_id"))
    return AllocationOut.of(allocation)


@get("/parking/tidal-totals", name="parking:api:tidal-totals", summary="The district's tidal sharing today")
async def api_tidal_totals(ctx: RequestContext) -> TotalsOut:
    ctx.require(KEY, "view")
    t = await tidal.totals(ctx.session, _today())
    return TotalsOut(t.sites, t.spaces, t.estates)


API_ROUTES = [
    api_estates,
    api_estate_add,
    api_estate,
    api_spaces,
    api_space_add,
    api_committee,
    api_member_add,
    api_conventions,
    api_convention_add,
    api_convention,
    api_put_to_vote,
    api_ballot,
    api_vote,
    api_close,
    api_permits,
    api_waiting,
    api_apply,
    api_visitor,
    api_permit_step,
    api_whitelist,
    api_agreements,
    api_agreement_add,
    api_agreement_sign,
    api_agreement_terminate,
    api_tidal_permit,
    api_allocations,
    api_allocate,
    api_tidal_document,
    api_tidal_totals,
]
