"""The council's staff pages: queues (new topics, agenda queue, overdue actions, reviews due), members, meetings.

Everything here needs ``consultation_council:manage``. The live meeting room is in
``routes_room.py``.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from sqlalchemy import select

from core.plugin_api import Form, OrgUnit, OrgUnitKind, RequestContext, act, flashes, page, redirect
from core.plugin_api import gettext as _
from plugins.consultation_council import actions, meetings, topics
from plugins.consultation_council.councils import (
    Refused,
    add_member,
    council_or_404,
    district_user,
    list_councils,
    members,
    today,
)
from plugins.consultation_council.manifest import KEY
from plugins.consultation_council.models import FORMATS, PARTIES, POSITIONS, AgendaItem, Council, Member, Resolution
from plugins.consultation_council.web import parse_date, parse_local

__all__ = ("STAFF_ROUTES",)

ADMIN = "/council/admin"


async def _queues(ctx: RequestContext, council: Council) -> dict[str, Any]:
    new = await topics.list_topics(ctx, council_id=council.id, states=("submitted",))
    planned = select(AgendaItem.topic_id).join(meetings.Meeting, meetings.Meeting.id == AgendaItem.meeting_id)
    on_meeting = set((await ctx.session.execute(planned.where(meetings.Meeting.status != "closed"))).scalars())
    agenda_queue = [
        (t, c) for t, c in await topics.list_topics(ctx, council_id=council.id, states=("accepted", "deliberation"))
    ]
    reviews = (
        await ctx.session.execute(
            select(Resolution).where(
                Resolution.council_id == council.id,
                Resolution.review_on <= today(),
                Resolution.reviewed_at.is_(None),
            )
        )
    ).scalars()
    return {
        "new": new,
        "agenda_queue": agenda_queue,
        "on_meeting": on_meeting,
        "overdue": await actions.overdue(ctx.session, council_id=council.id),
        "reviews": list(reviews),
        "meetings": await meetings.upcoming(ctx, council_id=council.id),
    }


@get(ADMIN, name="council:admin")
async def admin(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """Every council with its queues; a form for a new council."""
    ctx.require(KEY, "manage")
    councils = await list_councils(ctx.session)
    units = (
        await ctx.session.execute(
            select(OrgUnit).where(OrgUnit.kind.in_((OrgUnitKind.COMMUNITY, OrgUnitKind.ESTATE))).order_by(OrgUnit.id)
        )
    ).scalars()
    return await page(
        request,
        ctx,
        "consultation_council/admin.html",
        councils=[(c, await _queues(ctx, c)) for c in councils],
        units=list(units),
        flashes=await flashes(request, ctx),
    )


def _int(raw: str | None, default: int) -> int:
    text = (raw or "").strip()
    return int(text) if text.isdigit() else default


@post(f"{ADMIN}/councils", name="council:create", status_code=200)
async def create_council(request: Request[Any, Any, Any], ctx: RequestContext, data: Form) -> Response[Any]:
    """A council for a community or an estate."""
    ctx.require(KEY, "manage")
    assert ctx.district is not None

    async def run() -> None:
        unit = await ctx.session.get(OrgUnit, _int(data.get("org_unit_id"), 0))
        if unit is None or unit.district_id != ctx.district.id:  # type: ignore[union-attr]
            raise Refused(_("Choose a community or estate."))
        name = data.get("name", "").strip() or f"{unit.name_zh}议事会"
        ctx.session.add(
            Council(
                district_id=unit.district_id,
                org_unit_id=unit.id,
                name=name[:100],
                phone=data.get("phone", "").strip()[:20],
                support_threshold=max(1, _int(data.get("support_threshold"), 10)),
                objection_days=max(1, _int(data.get("objection_days"), 7)),
            )
        )
        await ctx.session.flush()

    return await act(request, ctx, ctx.url(ADMIN), run, _("Council created."))


@get(f"{ADMIN}/councils/{{council_id:int}}", name="council:council")
async def council_page(request: Request[Any, Any, Any], ctx: RequestContext, council_id: int) -> Response[Any]:
    """A council: members by party, queues, a form for a new meeting."""
    ctx.require(KEY, "manage")
    council = await council_or_404(ctx.session, council_id)
    seats = list((await ctx.session.execute(select(Member).where(Member.council_id == council.id))).scalars())
    return await page(
        request,
        ctx,
        "consultation_council/council.html",
        council=council,
        seats=sorted(seats, key=lambda m: (POSITIONS.index(m.position), m.party)),
        current={m.id for m in await members(ctx.session, council.id)},
        queues=await _queues(ctx, council),
        parties=PARTIES,
        positions=POSITIONS,
        formats=FORMATS,
        flashes=await flashes(request, ctx),
    )


@post(f"{ADMIN}/councils/{{council_id:int}}/members", name="council:member_add", status_code=200)
async def member_add(
    request: Request[Any, Any, Any], ctx: RequestContext, council_id: int, data: Form
) -> Response[Any]:
    """Seat a member (optionally linked to a user account by username)."""
    ctx.require(KEY, "manage")
    council = await council_or_404(ctx.session, council_id)

    async def run() -> None:
        user_id = None
        username = data.get("username", "").strip()
        if username:
            user = await district_user(ctx.session, council.district_id, username=username)  # this district only
            if user is None:
                raise Refused(_("No user %(name)s.", name=username))
            user_id = user.id
        await add_member(
            ctx.session,
            council,
            name=data.get("name", ""),
            party=data.get("party", ""),
            position=data.get("position", "member"),
            organization=data.get("organization", ""),
            user_id=user_id,
            term_start=parse_date(data.get("term_start")),
            term_end=parse_date(data.get("term_end")),
        )

    return await act(request, ctx, ctx.url(f"{ADMIN}/councils/{council.id}"), run, _("Member added."))


@post(f"{ADMIN}/members/{{member_id:int}}/end", name="council:member_end", status_code=200)
async def member_end(request: Request[Any, Any, Any], ctx: RequestContext, member_id: int) -> Response[Any]:
    """End a member's term today."""
    ctx.require(KEY, "manage")
    member = await ctx.session.get(Member, member_id)
    if member is None or member.district_id != (ctx.district.id if ctx.district else None):
        raise NotFoundException(_("Not found."))

    async def run() -> None:
        member.term_end = today()
        await ctx.session.flush()

    return await act(request, ctx, ctx.url(f"{ADMIN}/councils/{member.council_id}"), run, _("Term ended."))


@post(f"{ADMIN}/councils/{{council_id:int}}/meetings", name="council:meeting_create", status_code=200)
async def meeting_create(
    request: Request[Any, Any, Any], ctx: RequestContext, council_id: int, data: Form
) -> Response[Any]:
    """Plan a meeting, then build its agenda."""
    ctx.require(KEY, "manage")
    council = await council_or_404(ctx.session, council_id)
    created: list[int] = []

    async def run() -> None:
        starts, ends = parse_local(data.get("starts_at")), parse_local(data.get("ends_at"))
        if starts is None or ends is None:
            raise Refused(_("Give the start and end times."))
        meeting = await meetings.create_meeting(
            ctx,
            council,
            title=data.get("title", ""),
            fmt=data.get("format", ""),
            starts_at=starts,
            ends_at=ends,
            place=data.get("place", ""),
            online_link=data.get("online_link", ""),
        )
        created.append(meeting.id)

    response = await act(request, ctx, ctx.url(f"{ADMIN}/councils/{council.id}"), run)
    return await redirect(request, ctx, ctx.url(f"{ADMIN}/meetings/{created[0]}")) if created else response


@post(f"{ADMIN}/topics/{{reference:str}}/decide", name="council:decide", status_code=200)
async def decide(request: Request[Any, Any, Any], ctx: RequestContext, reference: str, data: Form) -> Response[Any]:
    """Accept a new topic onto the agenda, or decline it with a published reason."""
    ctx.require(KEY, "manage")
    from plugins.consultation_council.routes_public import _topic_by_ref  # noqa: PLC0415

    _topic, case = await _topic_by_ref(ctx, reference)
    do = data.get("do", "")

    async def run() -> None:
        if do == "accept":
            await topics.step(ctx, case, "accept")
        elif do == "decline":
            await topics.step(ctx, case, "decline", data={"public_reply": data.get("public_reply", "")})
        else:
            raise Refused(_("Unknown action."))

    back = data.get("back", "") if data.get("back", "").startswith(ctx.url("/council")) else ctx.url(ADMIN)
    return await act(request, ctx, back, run, _("Saved."))


STAFF_ROUTES = [admin, create_council, council_page, member_add, member_end, meeting_create, decide]
