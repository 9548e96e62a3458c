"""Forms: post a need (``/time-bank/needs/new``), apply to join a bank (``/time-bank/join/{bank}``).

Offering a service is in :mod:`plugins.time_bank.routes_offers`.

On an error the form comes back (status 400) with the messages next to the fields and
everything typed kept; on success the member goes back to their page with a notice.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from sqlalchemy import select

from core.plugin_api import (
    Form,
    InvalidData,
    OrgUnit,
    OrgUnitKind,
    Refusal,
    RequestContext,
    User,
    create_case,
    page,
    redirect,
)
from core.plugin_api import gettext as _
from plugins.time_bank import banks, membership
from plugins.time_bank.manifest import CASE_TYPE, KEY
from plugins.time_bank.models import Member, MemberStatus
from plugins.time_bank.offers import SLOTS
from plugins.time_bank.web import slot_label

__all__ = ("FORM_ROUTES",)


async def _communities(ctx: RequestContext) -> list[OrgUnit]:
    query = select(OrgUnit).where(OrgUnit.kind == OrgUnitKind.COMMUNITY).order_by(OrgUnit.code)
    return list((await ctx.session.execute(query)).scalars())


async def _need_banks(ctx: RequestContext) -> list[Any]:
    """Banks the user may post a need in: where they are an approved member, or staff."""
    assert ctx.user is not None
    staff = await banks.staff_bank_ids(ctx)
    found = []
    for bank in await banks.list_banks(ctx.session):
        member = await banks.member_of(ctx.session, bank.id, ctx.user.id)
        if bank.id in staff or member is not None:
            found.append((bank, await banks.categories(ctx.session, bank.id), bank.id in staff))
    return found


async def _residents(ctx: RequestContext, bank_ids: list[int]) -> list[tuple[int, User]]:
    query = (
        select(Member.bank_id, User)
        .join(User, User.id == Member.user_id)
        .where(Member.bank_id.in_(bank_ids), Member.status == MemberStatus.APPROVED, Member.is_resident.is_(True))
        .order_by(User.display_name)
    )
    return [(b, u) for b, u in (await ctx.session.execute(query)).all()]


async def _need_form(
    request: Request[Any, Any, Any], ctx: RequestContext, form: dict[str, Any], errors: dict[str, str]
) -> Response[Any]:
    choices = await _need_banks(ctx)
    staff_banks = [b.id for b, _c, staff in choices if staff]
    residents = await _residents(ctx, staff_banks) if staff_banks else []
    several = len(choices) > 1
    return await page(
        request,
        ctx,
        "time_bank/need_form.html",
        status_code=400 if errors else 200,
        form=form,
        errors=errors,
        choices=choices,
        category_options=[
            (key, f"{cat.name(ctx.locale)} · {bank.name}" if several else cat.name(ctx.locale))
            for bank, cats, _staff in choices
            for key, cat in cats.items()
        ],
        bank_options=[(str(bank.id), bank.name) for bank, _c, _s in choices],
        resident_options=list(dict.fromkeys((str(user.id), user.label) for _b, user in residents)),
        channel_options=[
            ("web", _("Web")),
            ("phone", _("Phone")),
            ("walk_in", _("Walk-in")),
            ("door_to_door", _("Door to door")),
        ],
        community_options=[(str(u.id), u.name(ctx.locale)) for u in await _communities(ctx)],
    )


@get("/time-bank/needs/new", name="time_bank:need_new")
async def need_new(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """The form to post a need (staff may post one for a resident, by phone or at the door)."""
    ctx.require(KEY, "use")
    return await _need_form(request, ctx, {"channel": "web"}, {})


@post("/time-bank/needs", name="time_bank:need_create", status_code=303)
async def need_create(request: Request[Any, Any, Any], ctx: RequestContext, data: Form) -> Response[Any]:
    """Post the need as a case of 时间银行服务, or show the form again with what is wrong."""
    ctx.require(KEY, "use")
    raw = {
        k: data.get(k, "")
        for k in ("bank_id", "category", "served_user", "area", "address", "wanted_on", "description")
    }
    payload: dict[str, Any] = {k: v for k, v in raw.items() if v != ""}
    start, end = data.get("wanted_start", ""), data.get("wanted_end", "")
    if start and end:
        payload["wanted_time"] = {"start": start, "end": end}
    channel = data.get("channel") or "web"
    try:
        case = await create_case(
            ctx, CASE_TYPE, title=data.get("title", ""), data=payload, channel=channel, source="form"
        )
    except InvalidData as exc:
        return await _need_form(request, ctx, dict(data), exc.errors)
    return await redirect(
        request,
        ctx,
        ctx.url("/time-bank"),
        _("Your need %(reference)s is posted; a volunteer will take it.", reference=case.reference),
    )


async def _join_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    bank: Any,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Response[Any]:
    assert ctx.user is not None
    member = await banks.member_of(ctx.session, bank.id, ctx.user.id, approved=False)
    if form is None:  # filled from the application (or the defaults: a new volunteer)
        form = {
            "volunteer": not member or member.is_volunteer,
            "resident": bool(member and member.is_resident),
            "skills": list(member.skills) if member else [],
            "areas": [str(a) for a in member.areas] if member else [],
            "availability": list(member.availability) if member else [],
            "phone": member.phone if member else "",
        }
    cats = await banks.categories(ctx.session, bank.id)
    return await page(
        request,
        ctx,
        "time_bank/join.html",
        status_code=400 if errors else 200,
        bank=bank,
        member=member,
        form=form,
        errors=errors or {},
        skill_options=[(key, cat.name(ctx.locale)) for key, cat in cats.items()],
        area_options=[(str(u.id), u.name(ctx.locale)) for u in await _communities(ctx)],
        slot_options=[(slot, slot_label(slot)) for slot in SLOTS],
    )


@get("/time-bank/join/{bank_id:int}", name="time_bank:join")
async def join_form(request: Request[Any, Any, Any], ctx: RequestContext, bank_id: int) -> Response[Any]:
    """Apply to join a bank: as a volunteer and/or a resident, with skills, areas and availability."""
    ctx.require(KEY, "use")
    return await _join_page(request, ctx, await banks.bank_or_404(ctx.session, bank_id))


@post("/time-bank/join/{bank_id:int}", name="time_bank:join_apply", status_code=303)
async def join_apply(request: Request[Any, Any, Any], ctx: RequestContext, bank_id: int) -> Response[Any]:
    """Send the application (the same check as the API's); the bank's staff approve it."""
    ctx.require(KEY, "use")
    assert ctx.user is not None
    bank = await banks.bank_or_404(ctx.session, bank_id)
    raw = await request.form()
    form: dict[str, Any] = {
        "volunteer": raw.get("volunteer") == "on",
        "resident": raw.get("resident") == "on",
        "skills": [str(v) for v in raw.getall("skills", [])],
        "areas": [str(v) for v in raw.getall("areas", [])],
        "availability": [str(v) for v in raw.getall("availability", [])],
        "phone": str(raw.get("phone") or ""),
    }
    try:
        async with ctx.session.begin_nested():
            await membership.apply(
                ctx.session,
                bank,
                ctx.user.id,
                volunteer=bool(form["volunteer"]),
                resident=bool(form["resident"]),
                skills=form["skills"],
                areas=form["areas"],
                availability=form["availability"],
                phone=form["phone"],
            )
    except Refusal as exc:
        if exc.status_code in (403, 404):
            raise
        return await _join_page(request, ctx, bank, form, exc.errors or {"_": exc.text(ctx.locale)})
    return await redirect(
        request,
        ctx,
        ctx.url("/time-bank"),
        _("Your application to %(bank)s is sent; the bank's staff will review it.", bank=bank.name),
    )


FORM_ROUTES = [need_new, need_create, join_form, join_apply]
