"""Web pages under ``/d/{district}/parking``: estates, the convention and its vote, cards, the resident's phone page.

Every page is a full page on a normal load and its ``content`` block for htmx. A form
that is refused comes back with the messages (400, or 200 for htmx so it is swapped in)
and nothing written; a button that is refused goes back with the reason as a notice.

Who may do what: ``parking:manage`` (district admins, community workers) and the
estate's committee (chair, treasurer, members, for their term) run an estate; a
resident applies for cards of their own household and votes as its owner.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Response as PlainResponse

from core.plugin_api import (
    TIMEZONE,
    Forbidden,
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
    page,
    redirect,
    residents,
    storage_for,
    suffix_for,
    utcnow,
)
from core.plugin_api import gettext as _
from plugins.parking import conventions, permits, rota, service, tidal
from plugins.parking.manifest import KEY
from plugins.parking.models import COMMITTEE_ROLES, SPACE_KINDS, ParkingEstate, TidalDocument
from plugins.parking.trend import violations_trend

__all__ = ("ROUTES", "Upload", "may_run", "tidal_document_response")

# A form with files (multipart): its fields, and an UploadFile for each file.
Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]

CHANNEL_LABELS = {"paper": "Paper ballot", "hands": "Show of hands", "door_to_door": "Door to door"}


def _today() -> Any:
    return utcnow().astimezone(TIMEZONE).date()


async def may_run(ctx: RequestContext, estate: ParkingEstate) -> bool:
    """Staff with ``parking:manage``, or a current committee member (not a patroller) of the estate."""
    if ctx.can(KEY, "manage"):
        return True
    role = await service.committee_role(ctx.session, estate.id, ctx.user.id if ctx.user else None, _today())
    return role in ("chair", "treasurer", "member")


async def _require_run(ctx: RequestContext, estate: ParkingEstate) -> None:
    if not await may_run(ctx, estate):
        raise Forbidden(_("Only the estate's parking committee or community staff may do this."))


def _money(fen: int, locale: str) -> str:
    return format_amount(fen, "fen", "en" if locale.startswith("en") else "zh") if fen else _("free")


def page_helpers(ctx: RequestContext) -> dict[str, Any]:
    return {
        "space_kind": service.space_kind_label,
        "role_label": service.role_label,
        "convention_status": conventions.status_label,
        "permit_status": permits.status_label,
        "permit_kind": permits.kind_label,
        "window": permits.window_text,
        "money": lambda fen: _money(int(fen or 0), ctx.locale),
    }


# ---------------------------------------------------------------- home


@get("/parking", name="parking:home")
async def home(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """The district's estates under parking self-governance, and the resident's own cards."""
    ctx.require(KEY, "view")
    return await _home(request, ctx, FormState())


async def _home(request: Request[Any, Any, Any], ctx: RequestContext, form: FormState) -> Response[Any]:
    views = [await service.estate_view(ctx.session, e, ctx.locale) for e in await service.list_estates(ctx.session)]
    can_manage = ctx.can(KEY, "manage")
    return await page(
        request,
        ctx,
        "parking/home.html",
        status_code=error_status(request, form) if not form.ok else 200,
        estates=views,
        can_manage=can_manage,
        estate_options=await service.estate_choices(ctx.session, ctx.locale) if can_manage else [],
        form=form,
        notices=await flashes(request, ctx),
    )


@post("/parking/estates", name="parking:estate-add", status_code=200)
async def estate_add(request: Request[Any, Any, Any], ctx: RequestContext, data: Form) -> Response[Any]:
    """Put a core estate under parking self-governance."""
    ctx.require(KEY, "manage")
    assert ctx.district is not None
    district_id = ctx.district.id
    form = FormState(values=dict(data))
    estate = await attempt(ctx, lambda: service.create_estate(ctx.session, district_id, data.get("estate_id")), form)
    if not form.ok:
        return await _home(request, ctx, form)
    return await redirect(request, ctx, ctx.url(f"/parking/estates/{estate.id}"), _("Saved."))


# ---------------------------------------------------------------- estate


async def _estate_page(
    request: Request[Any, Any, Any], ctx: RequestContext, estate: ParkingEstate, forms: dict[str, FormState]
) -> Response[Any]:
    failed = next((f for f in forms.values() if not f.ok), None)
    convention_rows = await conventions.conventions(ctx.session, estate.id)
    can_run = await may_run(ctx, estate)
    return await page(
        request,
        ctx,
        "parking/estate.html",
        status_code=error_status(request, failed) if failed else 200,
        estate=await service.estate_view(ctx.session, estate, ctx.locale),
        spaces=await service.spaces(ctx.session, estate.id),
        members=await service.committee(ctx.session, estate.id),
        conventions=convention_rows,
        counts=await permits.counts(ctx.session, estate.id),
        can_run=can_run,
        missed_shifts=await rota.missed_count(ctx.session, estate.id) if can_run else 0,
        is_patroller=await service.committee_role(ctx.session, estate.id, ctx.user.id if ctx.user else None, _today())
        == "patroller",
        kind_options=[(k, service.space_kind_label(k)) for k in SPACE_KINDS],
        role_options=[(r, service.role_label(r)) for r in COMMITTEE_ROLES],
        forms={"space": FormState(), "member": FormState(), "convention": FormState(), **forms},
        defaults={**conventions.DEFAULT_FEES, **conventions.DEFAULT_RULES},
        notices=await flashes(request, ctx),
        **page_helpers(ctx),
    )


@get("/parking/estates/{estate_id:int}", name="parking:estate")
async def estate_detail(request: Request[Any, Any, Any], ctx: RequestContext, estate_id: int) -> Response[Any]:
    """An estate: its figures, spaces, committee and convention versions."""
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    return await _estate_page(request, ctx, estate, {})


@post("/parking/estates/{estate_id:int}/spaces", name="parking:space-add", status_code=200)
async def space_add(request: Request[Any, Any, Any], ctx: RequestContext, estate_id: int, data: Form) -> Response[Any]:
    """Add a space."""
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    await _require_run(ctx, estate)
    form = FormState(values=dict(data))
    await attempt(ctx, lambda: service.add_space(ctx.session, estate, data), form)
    if not form.ok:
        return await _estate_page(request, ctx, estate, {"space": form})
    return await redirect(request, ctx, ctx.url(f"/parking/estates/{estate.id}#spaces"), _("Saved."))


@post("/parking/estates/{estate_id:int}/committee", name="parking:member-add", status_code=200)
async def member_add(request: Request[Any, Any, Any], ctx: RequestContext, estate_id: int, data: Form) -> Response[Any]:
    """Add a committee member for a term (staff only: the committee does not appoint itself)."""
    ctx.require(KEY, "manage")
    estate = await service.estate_or_404(ctx.session, estate_id)
    form = FormState(values=dict(data))
    await attempt(ctx, lambda: service.add_member(ctx.session, estate, data), form)
    if not form.ok:
        return await _estate_page(request, ctx, estate, {"member": form})
    return await redirect(request, ctx, ctx.url(f"/parking/estates/{estate.id}#committee"), _("Saved."))


@post("/parking/estates/{estate_id:int}/conventions", name="parking:convention-add", status_code=200)
async def convention_add(
    request: Request[Any, Any, Any], ctx: RequestContext, estate_id: int, data: Form
) -> Response[Any]:
    """Draft a new version of the convention."""
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    await _require_run(ctx, estate)
    form = FormState(values=dict(data))
    user_id = ctx.user.id if ctx.user else None
    convention = await attempt(ctx, lambda: conventions.create_convention(ctx.session, estate, data, user_id), form)
    if not form.ok:
        return await _estate_page(request, ctx, estate, {"convention": form})
    return await redirect(request, ctx, ctx.url(f"/parking/conventions/{convention.id}"), _("Draft saved."))


# ---------------------------------------------------------------- convention and vote


async def _user_names(ctx: RequestContext, ids: list[int]) -> dict[int, str]:
    """Display names of the staff who entered ballots."""
    if not ids:
        return {}
    from sqlalchemy import select  # noqa: PLC0415

    rows = await ctx.session.execute(select(User.id, User.display_name).where(User.id.in_(set(ids))))
    return dict(list(rows.tuples()))


async def _convention(ctx: RequestContext, convention_id: int) -> tuple[Any, ParkingEstate]:
    from core.plugin_api import NotFound  # noqa: PLC0415
    from plugins.parking.models import Convention  # noqa: PLC0415

    convention = await ctx.session.get(Convention, convention_id)
    if convention is None or ctx.district is None or convention.district_id != ctx.district.id:
        raise NotFound(_("Not found."))
    return convention, await service.estate_or_404(ctx.session, convention.parking_estate_id)


@get("/parking/conventions/{convention_id:int}", name="parking:convention")
async def convention_detail(request: Request[Any, Any, Any], ctx: RequestContext, convention_id: int) -> Response[Any]:
    """A convention version: text, fees, rules, and its owners' vote (figures, checks, ballots)."""
    ctx.require(KEY, "view")
    convention, estate = await _convention(ctx, convention_id)
    can_run = await may_run(ctx, estate)
    owned = await conventions.owned_households(ctx.session, ctx.user.id, estate) if ctx.user else []
    tally = await conventions.tally(ctx.session, convention)
    voted = {b.voter_ref for b in tally.ballots} if tally else set()
    addresses = dict(await permits.household_choices(ctx.session, estate)) if can_run or tally else {}
    return await page(
        request,
        ctx,
        "parking/convention.html",
        convention=convention,
        estate=await service.estate_view(ctx.session, estate, ctx.locale),
        tally=tally,
        can_run=can_run,
        my_households=[(h, addresses.get(h, "")) for h in owned if conventions.household_ref(h) not in voted],
        households=[(h, a) for h, a in addresses.items() if conventions.household_ref(h) not in voted],
        addresses={conventions.household_ref(h): a for h, a in addresses.items()},
        entered=await _user_names(ctx, [b.entered_by_id for b in tally.ballots if b.entered_by_id] if tally else []),
        channels=[(k, _(v)) for k, v in CHANNEL_LABELS.items()],
        notices=await flashes(request, ctx),
        **page_helpers(ctx),
    )


@post("/parking/conventions/{convention_id:int}/vote", name="parking:convention-vote", status_code=200)
async def convention_put_to_vote(
    request: Request[Any, Any, Any], ctx: RequestContext, convention_id: int, data: Form
) -> Response[Any]:
    """Put the draft to the owners' vote (electorate frozen from the households register now)."""
    ctx.require(KEY, "view")
    convention, estate = await _convention(ctx, convention_id)
    await _require_run(ctx, estate)
    back = ctx.url(f"/parking/conventions/{convention.id}")
    user_id = ctx.user.id if ctx.user else None
    return await act(
        request,
        ctx,
        back,
        lambda: conventions.put_to_vote(ctx.session, convention, user_id=user_id),
        _("The owners' vote is open."),
    )


@post("/parking/conventions/{convention_id:int}/ballot", name="parking:convention-ballot", status_code=200)
async def convention_ballot(
    request: Request[Any, Any, Any], ctx: RequestContext, convention_id: int, data: Form
) -> Response[Any]:
    """An owner's own ballot (online) for their household, or staff entering a paper/hand/door-to-door ballot."""
    ctx.require(KEY, "view")
    assert ctx.user is not None
    convention, estate = await _convention(ctx, convention_id)
    back = ctx.url(f"/parking/conventions/{convention.id}")
    channel = str(data.get("channel") or "online")
    household = data.get("household_id", "")
    if channel == "online":
        owned = await conventions.owned_households(ctx.session, ctx.user.id, estate)
        if not str(household).isdigit() or int(household) not in owned:
            raise Forbidden(_("You vote only for a household you own."))
    else:
        await _require_run(ctx, estate)
    if not str(household).isdigit():
        return await redirect(request, ctx, back, _("Choose the household."))
    return await act(
        request,
        ctx,
        back,
        lambda: conventions.cast(
            ctx.session,
            convention,
            int(household),
            str(data.get("choice") or ""),
            channel=channel,
            entered_by=ctx.user.id if ctx.user else None,
        ),
        _("The ballot is counted."),
    )


@post("/parking/conventions/{convention_id:int}/close", name="parking:convention-close", status_code=200)
async def convention_close(
    request: Request[Any, Any, Any], ctx: RequestContext, convention_id: int, data: Form
) -> Response[Any]:
    """Close the vote: the convention is adopted if the owners passed it."""
    ctx.require(KEY, "view")
    convention, estate = await _convention(ctx, convention_id)
    await _require_run(ctx, estate)
    back = ctx.url(f"/parking/conventions/{convention.id}")
    return await act(request, ctx, back, lambda: conventions.close(ctx.session, convention), _("The vote is closed."))


# ---------------------------------------------------------------- permits (committee, window)


async def _permits_page(
    request: Request[Any, Any, Any], ctx: RequestContext, estate: ParkingEstate, form: FormState
) -> Response[Any]:
    addresses = dict(await permits.household_choices(ctx.session, estate))
    rows = await permits.permits(ctx.session, estate.id)
    return await page(
        request,
        ctx,
        "parking/permits.html",
        status_code=error_status(request, form) if not form.ok else 200,
        estate=await service.estate_view(ctx.session, estate, ctx.locale),
        convention=await conventions.adopted_convention(ctx.session, estate.id),
        active=[p for p in rows if p.status not in ("waiting",)],
        waiting=await permits.waiting_list(ctx.session, estate.id),
        addresses=addresses,
        household_options=sorted(addresses.items(), key=lambda kv: kv[1]),
        form=form,
        notices=await flashes(request, ctx),
        **page_helpers(ctx),
    )


@get("/parking/estates/{estate_id:int}/permits", name="parking:permits")
async def permit_list(request: Request[Any, Any, Any], ctx: RequestContext, estate_id: int) -> Response[Any]:
    """The committee's cards page: applications, cards, the waiting list, and the window's intake form."""
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    await _require_run(ctx, estate)
    return await _permits_page(request, ctx, estate, FormState())


@post("/parking/estates/{estate_id:int}/permits", name="parking:permit-intake", status_code=200)
async def permit_intake(
    request: Request[Any, Any, Any], ctx: RequestContext, estate_id: int, data: Form
) -> Response[Any]:
    """Staff at the property window enter an application for a household."""
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    await _require_run(ctx, estate)
    form = FormState(values=dict(data))
    user_id = ctx.user.id if ctx.user else None
    permit = await attempt(
        ctx,
        lambda: permits.apply(
            ctx.session,
            estate.id,
            data.get("household_id"),
            data.get("plate"),
            channel="window",
            user_id=user_id,
            note=data.get("note", ""),
        ),
        form,
    )
    if not form.ok:
        return await _permits_page(request, ctx, estate, form)
    message = _("Put on the waiting list.") if permit.status == "waiting" else _("Application recorded.")
    return await redirect(request, ctx, ctx.url(f"/parking/estates/{estate.id}/permits"), message)


@post("/parking/permits/{permit_id:int}/{action:str}", name="parking:permit-step", status_code=200)
async def permit_step(
    request: Request[Any, Any, Any], ctx: RequestContext, permit_id: int, action: str, data: Form
) -> Response[Any]:
    """approve, issue, suspend, reinstate, revoke or refuse a permit."""
    from core.plugin_api import NotFound  # noqa: PLC0415

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
        raise NotFound(_("Not found."))
    permit = await permits.permit_or_404(ctx.session, permit_id)
    estate = await service.estate_or_404(ctx.session, permit.parking_estate_id)
    await _require_run(ctx, estate)
    back = ctx.url(f"/parking/estates/{estate.id}/permits")
    user_id = ctx.user.id if ctx.user else None
    return await act(request, ctx, back, lambda: steps[action](ctx.session, permit_id, user_id), _("Saved."))


@get("/parking/estates/{estate_id:int}/whitelist.csv", name="parking:whitelist")
async def whitelist(ctx: RequestContext, estate_id: int) -> PlainResponse[str]:
    """The barrier gate's whitelist (CSV): issued cards valid today with their days and hours."""
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    await _require_run(ctx, estate)
    body = await permits.whitelist_csv(ctx.session, estate.id, _today())
    return PlainResponse(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="whitelist-{estate.id}.csv"'},
    )


# ---------------------------------------------------------------- the resident's phone page


async def _mine(
    request: Request[Any, Any, Any], ctx: RequestContext, form: FormState, visitor: FormState | None = None
) -> Response[Any]:
    """The phone page; ``form`` is the card application's state, ``visitor`` the visitor form's."""
    assert ctx.user is not None
    visitor = visitor or FormState()
    households = await residents.households_of_user(ctx.session, ctx.user.id, ctx.locale)
    estates = {e.estate_id: e for e in await service.list_estates(ctx.session)}
    options, cards, plates = [], [], {}
    for h in households:
        estate = estates.get(h.estate_id)
        if estate is None:
            continue
        options.append((f"{estate.id}:{h.household_id}", h.address))
        plates[h.household_id] = await residents.household_vehicles(ctx.session, h.household_id)
        cards += [(p, h.address) for p in await permits.permits(ctx.session, estate.id, household_ids=[h.household_id])]
    plate_options = sorted({(p, p) for ps in plates.values() for p in ps})
    return await page(
        request,
        ctx,
        "parking/mine.html",
        status_code=error_status(request, form)
        if not form.ok
        else error_status(request, visitor)
        if not visitor.ok
        else 200,
        cards=cards,
        household_options=options,
        plate_options=plate_options,
        form=form,
        visitor=visitor,
        notices=await flashes(request, ctx),
        **page_helpers(ctx),
    )


@get("/parking/mine", name="parking:mine")
async def mine(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """My parking cards and the form to apply (made for a phone)."""
    ctx.require(KEY, "view")
    return await _mine(request, ctx, FormState())


@post("/parking/mine", name="parking:apply", status_code=200)
async def mine_apply(request: Request[Any, Any, Any], ctx: RequestContext, data: Form) -> Response[Any]:
    """A resident applies for a card for one of their household's cars."""
    ctx.require(KEY, "view")
    assert ctx.user is not None
    form = FormState(values=dict(data))
    estate_part, _sep, household_part = str(data.get("household") or "").partition(":")
    mine_ids = {h.household_id for h in await residents.households_of_user(ctx.session, ctx.user.id)}
    if not estate_part.isdigit() or not household_part.isdigit() or int(household_part) not in mine_ids:
        form.errors["household"] = _("Choose your household.")
        return await _mine(request, ctx, form)
    user_id = ctx.user.id
    permit = await attempt(
        ctx,
        lambda: permits.apply(
            ctx.session, int(estate_part), int(household_part), data.get("plate"), channel="online", user_id=user_id
        ),
        form,
    )
    if not form.ok:
        return await _mine(request, ctx, form)
    message = _("Put on the waiting list.") if permit.status == "waiting" else _("Application sent.")
    return await redirect(request, ctx, ctx.url("/parking/mine"), message)


@post("/parking/mine/visitors", name="parking:visitor", status_code=200)
async def mine_visitor(request: Request[Any, Any, Any], ctx: RequestContext, data: Form) -> Response[Any]:
    """A resident lets a visitor's car in for the convention's free hours today."""
    ctx.require(KEY, "view")
    assert ctx.user is not None
    form = FormState(values=dict(data))
    estate_part, _sep, household_part = str(data.get("household") or "").partition(":")
    mine_ids = {h.household_id for h in await residents.households_of_user(ctx.session, ctx.user.id)}
    if not estate_part.isdigit() or not household_part.isdigit() or int(household_part) not in mine_ids:
        form.errors["household"] = _("Choose your household.")
        return await _mine(request, ctx, FormState(), form)
    user_id = ctx.user.id
    permit = await attempt(
        ctx,
        lambda: permits.register_visitor(
            ctx.session,
            int(estate_part),
            int(household_part),
            data.get("plate"),
            arrive=data.get("arrive"),
            name=data.get("name"),
            channel="online",
            user_id=user_id,
        ),
        form,
    )
    if not form.ok:
        return await _mine(request, ctx, FormState(), form)
    hours = permits.window_text(permit).split(" ", 1)[1]
    message = _("%(plate)s may come in today, %(hours)s.", plate=permit.plate, hours=hours)
    return await redirect(request, ctx, ctx.url("/parking/mine"), message)


# ---------------------------------------------------------------- tidal sharing and the district dashboard


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


async def _tidal_page(
    request: Request[Any, Any, Any], ctx: RequestContext, estate: ParkingEstate, forms: dict[str, FormState]
) -> Response[Any]:
    failed = next((f for f in forms.values() if not f.ok), None)
    spaces = await service.spaces(ctx.session, estate.id)
    agreements = await tidal.agreements(ctx.session, estate.id)
    can_run = await may_run(ctx, estate)
    cards = await tidal.tidal_cards(ctx.session, estate.id) if can_run else []
    return await page(
        request,
        ctx,
        "parking/tidal.html",
        status_code=error_status(request, failed) if failed else 200,
        estate=await service.estate_view(ctx.session, estate, ctx.locale),
        agreements=agreements,
        partners={a.id: a.partner for a in agreements},
        allocations=await tidal.allocations(ctx.session, estate.id),
        cards=cards,
        documents=await tidal.documents_of(ctx.session, [c.id for c in cards]),
        document_label={"identity": _("Identity document"), "employer_letter": _("Employer's letter")},
        space_codes={s.id: s.code for s in spaces},
        space_options=[(s.id, f"{s.code} · {service.space_kind_label(s.kind)}") for s in spaces],
        can_run=can_run,
        forms={"agreement": FormState(), "allocation": FormState(), "card": FormState(), **forms},
        hhmm=_hhmm,
        day_text=lambda days: "、".join("一二三四五六日"[int(d) - 1] for d in days),
        agreement_status={"draft": _("Draft"), "signed": _("Signed"), "terminated": _("Terminated")},
        day_options=[("12345", _("Workdays (Mon–Fri)")), ("67", _("Weekends")), ("1234567", _("Every day"))],
        agreement_options=[(a.id, a.partner) for a in agreements if a.status == "signed"],
        notices=await flashes(request, ctx),
        **page_helpers(ctx),
    )


@get("/parking/estates/{estate_id:int}/tidal", name="parking:tidal")
async def tidal_page(request: Request[Any, Any, Any], ctx: RequestContext, estate_id: int) -> Response[Any]:
    """Tidal sharing of an estate: agreements with partners and the allocations of spaces by time."""
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    return await _tidal_page(request, ctx, estate, {})


@post("/parking/estates/{estate_id:int}/agreements", name="parking:agreement-add", status_code=200)
async def agreement_add(
    request: Request[Any, Any, Any], ctx: RequestContext, estate_id: int, data: Form
) -> Response[Any]:
    """Draft an agreement with a partner (price entered in yuan per space and month)."""
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    await _require_run(ctx, estate)
    form = FormState(values=dict(data))
    values = dict(data)
    try:
        values["price_fen"] = str(conventions._fen(data.get("price_yuan", "0"), "price_yuan"))
    except service.Refused as exc:
        form.refuse(exc, ctx.locale)
        return await _tidal_page(request, ctx, estate, {"agreement": form})
    await attempt(ctx, lambda: tidal.create_agreement(ctx.session, estate, values), form)
    if not form.ok:
        return await _tidal_page(request, ctx, estate, {"agreement": form})
    return await redirect(request, ctx, ctx.url(f"/parking/estates/{estate.id}/tidal"), _("Saved."))


@post("/parking/agreements/{agreement_id:int}/{action:str}", name="parking:agreement-step", status_code=200)
async def agreement_step(
    request: Request[Any, Any, Any], ctx: RequestContext, agreement_id: int, action: str, data: Form
) -> Response[Any]:
    """Sign or terminate an agreement."""
    from core.plugin_api import NotFound  # noqa: PLC0415

    ctx.require(KEY, "view")
    agreement = await tidal._agreement(ctx.session, agreement_id)
    estate = await service.estate_or_404(ctx.session, agreement.parking_estate_id)
    await _require_run(ctx, estate)
    back = ctx.url(f"/parking/estates/{estate.id}/tidal")
    if action == "sign":
        signatories = data.get("signatories", "")
        return await act(request, ctx, back, lambda: tidal.sign(ctx.session, agreement_id, signatories), _("Signed."))
    if action == "terminate":
        return await act(request, ctx, back, lambda: tidal.terminate(ctx.session, agreement_id), _("Terminated."))
    raise NotFound(_("Not found."))


@post("/parking/estates/{estate_id:int}/allocations", name="parking:allocate", status_code=200)
async def allocation_add(
    request: Request[Any, Any, Any], ctx: RequestContext, estate_id: int, data: Form
) -> Response[Any]:
    """Allocate a space in weekly windows; an overlap with another allocation comes back next to the hours."""
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    await _require_run(ctx, estate)
    form = FormState(values=dict(data))
    values = dict(data)
    raw_agreement = str(data.get("agreement_id") or "")
    agreement_id = int(raw_agreement) if raw_agreement.isdigit() else None
    await attempt(ctx, lambda: tidal.allocate(ctx.session, estate.id, values, agreement_id), form)
    if not form.ok:
        return await _tidal_page(request, ctx, estate, {"allocation": form})
    return await redirect(request, ctx, ctx.url(f"/parking/estates/{estate.id}/tidal"), _("Saved."))


@post("/parking/estates/{estate_id:int}/tidal-cards", name="parking:tidal-apply", status_code=200)
async def tidal_apply(
    request: Request[Any, Any, Any], ctx: RequestContext, estate_id: int, data: Upload
) -> Response[Any]:
    """The property window enters a partner employee's application: agreement, name, plate, identity document and
    employer's letter (scenario P2); a card is applied for only under a signed agreement with a space left."""
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    await _require_run(ctx, estate)
    values = {k: v for k, v in data.items() if not isinstance(v, UploadFile)}
    form = FormState(values=values)
    documents: dict[str, tuple[str, bytes]] = {}
    for kind in ("identity", "employer_letter"):
        upload = data.get(kind)
        if isinstance(upload, UploadFile):
            documents[kind] = (upload.filename or "", await upload.read(tidal.DOCUMENT_MAX_BYTES + 1))
    raw = str(values.get("agreement_id") or "")
    agreement_id = int(raw) if raw.isdigit() else 0
    storage = storage_for(ctx)
    assert ctx.district is not None
    prefix = f"parking/{ctx.district.code}/tidal-documents"
    user_id = ctx.user.id if ctx.user else None

    async def apply() -> Any:
        if agreement_id not in {a.id for a in await tidal.agreements(ctx.session, estate.id)}:
            raise service.Refused(
                "请选择本小区已签署的协议",
                "Choose a signed agreement of this estate.",
                errors={"agreement_id": _("Choose the agreement.")},
            )
        return await tidal.apply_tidal(
            ctx.session,
            agreement_id,
            values.get("plate"),
            str(values.get("holder_name") or ""),
            user_id,
            documents,
            lambda b: storage.save(b, prefix=prefix),
        )

    await attempt(ctx, apply, form)
    if not form.ok:
        return await _tidal_page(request, ctx, estate, {"card": form})
    return await redirect(request, ctx, ctx.url(f"/parking/estates/{estate.id}/tidal"), _("Saved."))


async def tidal_document_response(ctx: RequestContext, document: TidalDocument) -> Response[Any]:
    """A tidal card's document (inline), or 404 when the storage has lost it."""
    try:
        content = await storage_for(ctx).read(document.storage_key)
    except (MissingFile, ValueError):
        raise NotFound(_("The document's file is missing.")) from None
    name = f"{document.kind}-{document.permit_id}{suffix_for(document.content_type)}"
    return inline_file(content, document.content_type, name)


@get("/parking/permits/{permit_id:int}/documents/{kind:str}", name="parking:tidal-document")
async def tidal_document(ctx: RequestContext, permit_id: int, kind: str) -> Response[Any]:
    """A tidal card's identity document or employer's letter, for the committee and community staff."""
    ctx.require(KEY, "view")
    document, permit = await tidal.document_or_404(ctx.session, permit_id, kind)
    await _require_run(ctx, await service.estate_or_404(ctx.session, permit.parking_estate_id))
    return await tidal_document_response(ctx, document)


@get("/parking/dashboard", name="parking:dashboard")
async def dashboard(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """The district's parking: estates, spaces, cards, waiting lists, tidal sharing (sites and extra spaces)."""
    ctx.require(KEY, "manage")
    estates = [await service.estate_view(ctx.session, e, ctx.locale) for e in await service.list_estates(ctx.session)]
    rows = []
    for view in estates:
        counts = await permits.counts(ctx.session, view.id)
        rows.append((view, counts))
    return await page(
        request,
        ctx,
        "parking/dashboard.html",
        rows=rows,
        totals=await tidal.totals(ctx.session, _today()),
        spaces=sum(v.spaces for v in estates),
        issued=sum(c.get("issued", 0) for _v, c in rows),
        waiting=sum(c.get("waiting", 0) for _v, c in rows),
        trend=await violations_trend(ctx.session, _today()),
        estate_names={v.id: v.name for v in estates},
        notices=[],
    )


ROUTES = [
    home,
    estate_add,
    estate_detail,
    space_add,
    member_add,
    convention_add,
    convention_detail,
    convention_put_to_vote,
    convention_ballot,
    convention_close,
    permit_list,
    permit_intake,
    permit_step,
    whitelist,
    mine,
    mine_apply,
    mine_visitor,
    tidal_page,
    agreement_add,
    agreement_step,
    allocation_add,
    tidal_apply,
    tidal_document,
    dashboard,
]
