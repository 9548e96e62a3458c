"""Residents' pages, made for a phone: open topics with supports, the meeting calendar, resolutions and progress.

``/council`` lists all three; a topic, a meeting and a resolution each have a page with
the few things a resident does there (support, register and sign in, vote as a member,
correct the minutes, object to a published resolution).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from sqlalchemy import select

from core.plugin_api import (
    Case,
    Forbidden,
    Form,
    InvalidData,
    NotFound,
    Refusal,
    RequestContext,
    act,
    flashes,
    is_fragment,
    page,
    redirect,
    votes,
)
from core.plugin_api import gettext as _
from plugins.consultation_council import actions, meetings, minutes, notify, resolutions, topics, voting
from plugins.consultation_council.councils import council_or_404, list_councils, member_of_user
from plugins.consultation_council.manifest import CASE_TYPE, KEY
from plugins.consultation_council.models import AgendaItem, Council, Meeting, Support, Topic

__all__ = ("PUBLIC_ROUTES",)

HOME = "/council"


async def _supported(ctx: RequestContext, topic_ids: list[int]) -> set[int]:
    if ctx.user is None or not topic_ids:
        return set()
    query = select(Support.topic_id).where(Support.user_id == ctx.user.id, Support.topic_id.in_(topic_ids))
    return set((await ctx.session.execute(query)).scalars())


async def _progress(ctx: RequestContext, resolution_ids: list[int]) -> dict[int, int]:
    return {rid: actions.overall(await actions.actions_of(ctx.session, rid)) for rid in resolution_ids}


@get(HOME, name="council:home")
async def home(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """Open topics (most supported first), coming meetings, resolutions with their progress."""
    ctx.require(KEY, "view")
    assert ctx.user is not None
    rows = await topics.list_topics(ctx, limit=50)
    published = await resolutions.list_resolutions(ctx)
    return await page(
        request,
        ctx,
        "consultation_council/home.html",
        topics=rows,
        supported=await _supported(ctx, [t.id for t, _c in rows]),
        councils={c.id: c for c in await list_councils(ctx.session)},
        meetings=await meetings.upcoming(ctx),
        past=await meetings.upcoming(ctx, past=True),
        resolutions=published,
        progress=await _progress(ctx, [r.id for r in published]),
        unread=await notify.unread_count(ctx.session, ctx.user.id),
        flashes=await flashes(request, ctx),
        can_manage=ctx.can(KEY, "manage"),
        can_participate=ctx.can(KEY, "participate"),
    )


async def _topic_form(
    request: Request[Any, Any, Any], ctx: RequestContext, values: dict[str, str], errors: dict[str, str]
) -> Response[Any]:
    return await page(
        request,
        ctx,
        "consultation_council/topic_form.html",
        status_code=400 if errors else 200,
        councils=[c for c in await list_councils(ctx.session) if c.active],
        values=values,
        errors=errors,
    )


@get(f"{HOME}/topics/new", name="council:topic_new")
async def topic_new(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """The short form a resident fills on the phone to raise a topic."""
    ctx.require(KEY, "participate")
    return await _topic_form(request, ctx, {"category": "other"}, {})


@post(f"{HOME}/topics", name="council:topic_create", status_code=200)
async def topic_create(request: Request[Any, Any, Any], ctx: RequestContext, data: Form) -> Response[Any]:
    """Raise the topic as a ``council_topic`` case, then show it."""
    ctx.require(KEY, "participate")
    errors: dict[str, str] = {}
    try:
        council = await council_or_404(ctx.session, int(data.get("council_id") or 0))
    except (NotFound, ValueError):
        return await _topic_form(request, ctx, data, {"council_id": _("Choose a council.")})
    fields = {k: data[k] for k in ("category", "description", "proposal", "phone") if data.get(k, "").strip()}
    try:
        async with ctx.session.begin_nested():
            case, _topic = await topics.raise_topic(ctx, council, title=data.get("title", ""), data=fields)
    except InvalidData as exc:
        errors = exc.errors or {"title": exc.message}
        return await _topic_form(request, ctx, data, errors)
    return await redirect(request, ctx, ctx.url(f"{HOME}/topics/{case.reference}"))


async def _topic_by_ref(ctx: RequestContext, reference: str) -> tuple[Topic, Case]:
    row = (
        await ctx.session.execute(
            select(Topic, Case)
            .join(Case, Case.id == Topic.case_id)
            .where(Case.reference == reference, Case.case_type_key == CASE_TYPE)
        )
    ).first()
    if row is None:
        raise NotFoundException(_("Not found."))
    return row[0], row[1]


@get(f"{HOME}/topics/{{reference:str}}", name="council:topic")
async def topic_page(request: Request[Any, Any, Any], ctx: RequestContext, reference: str) -> Response[Any]:
    """A topic as residents see it: what, how many support it, where it stands, the council's answer."""
    ctx.require(KEY, "view")
    topic, case = await _topic_by_ref(ctx, reference)
    council = await ctx.session.get(Council, topic.council_id)
    on_agenda = (
        await ctx.session.execute(
            select(Meeting).join(AgendaItem, AgendaItem.meeting_id == Meeting.id).where(AgendaItem.topic_id == topic.id)
        )
    ).scalars()
    linked = await ctx.session.get(Case, topic.escalated_case_id) if topic.escalated_case_id else None
    listed = await resolutions.list_resolutions(ctx, include_drafts=ctx.can(KEY, "manage"))
    decided = [r for r in listed if r.topic_id == topic.id]
    return await page(
        request,
        ctx,
        "consultation_council/topic.html",
        topic=topic,
        case=case,
        council=council,
        meetings=list(on_agenda),
        linked=linked,
        resolutions=decided,
        supported=topic.id in await _supported(ctx, [topic.id]),
        can_support=ctx.can(KEY, "participate") and case.state in topics.SUPPORTABLE,
        can_manage=ctx.can(KEY, "manage"),
        flashes=await flashes(request, ctx),
    )


@post(f"{HOME}/topics/{{reference:str}}/support", name="council:support", status_code=200)
async def support(request: Request[Any, Any, Any], ctx: RequestContext, reference: str) -> Response[Any]:
    """Support (附议) the topic."""
    ctx.require(KEY, "participate")
    topic, case = await _topic_by_ref(ctx, reference)
    back = ctx.url(f"{HOME}/topics/{reference}")
    return await act(request, ctx, back, lambda: topics.support(ctx, topic, case), _("Thank you for your support."))


@post(f"{HOME}/topics/{{reference:str}}/unsupport", name="council:unsupport", status_code=200)
async def unsupport(request: Request[Any, Any, Any], ctx: RequestContext, reference: str) -> Response[Any]:
    """Withdraw one's support."""
    ctx.require(KEY, "participate")
    topic, case = await _topic_by_ref(ctx, reference)
    return await act(request, ctx, ctx.url(f"{HOME}/topics/{reference}"), lambda: topics.unsupport(ctx, topic, case))


@get(f"{HOME}/meetings/{{meeting_id:int}}", name="council:meeting")
async def meeting_page(request: Request[Any, Any, Any], ctx: RequestContext, meeting_id: int) -> Response[Any]:
    """A meeting: when and where, the agenda, registration and sign-in, a member's ballot, the minutes."""
    ctx.require(KEY, "view")
    return await _meeting(request, ctx, meeting_id)


async def _meeting(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    meeting_id: int,
    *,
    block: str = "content",
    notice: str = "",
    refused: bool = False,
) -> Response[Any]:
    """The meeting page, or (htmx) only its ``member`` block: registration, sign-in and the ballots."""
    assert ctx.user is not None
    meeting, council = await meetings.meeting_or_404(ctx, meeting_id)
    people = await meetings.attendees(ctx, meeting.id)
    mine = next((a for a in people if a.user_id == ctx.user.id), None)
    seat = await member_of_user(ctx.session, council.id, ctx.user.id)
    items = await meetings.agenda(ctx, meeting.id)
    vote_rows: dict[int, Any] = {}
    for item, _case in items:
        if item.vote_id is not None:
            vote = await votes.get_vote(ctx.session, item.vote_id)
            voted = seat is not None and await votes.has_voted(ctx.session, vote.id, f"member:{seat.id}")
            electors = {v.voter_ref for v in await votes.electorate(ctx.session, vote.id)}
            can_vote = vote.status == "open" and seat is not None and f"member:{seat.id}" in electors and not voted
            vote_rows[item.id] = (vote, await votes.results(ctx.session, vote.id), can_vote, voted)
    version = await minutes.latest(ctx, meeting.id)
    final = next((v for v in reversed(await minutes.versions(ctx, meeting.id)) if v.status == "final"), None)
    return await page(
        request,
        ctx,
        "consultation_council/meeting.html",
        meeting=meeting,
        council=council,
        items=items,
        votes=vote_rows,
        attendees=people,
        mine=mine,
        quorum=await meetings.quorum(ctx, meeting, council),
        minutes_version=version,
        final=final,
        can_correct=version is not None and version.status == "circulated" and mine is not None and mine.signed_in_at,
        can_participate=ctx.can(KEY, "participate"),
        can_manage=ctx.can(KEY, "manage"),
        flashes=await flashes(request, ctx) if block == "content" else [],
        notice=notice,
        refused=refused,
        swapped=block if is_fragment(request) else "",
        block=block,
    )


async def _member_act(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    meeting_id: int,
    action: Callable[[], Awaitable[Any]],
    done: str,
) -> Response[Any]:
    """A member's action on the meeting page: htmx swaps the member's part with what happened, else a redirect."""
    if not is_fragment(request):
        return await act(request, ctx, _meeting_url(ctx, meeting_id), action, done)
    refused = False
    try:
        async with ctx.session.begin_nested():
            await action()
    except Refusal as exc:
        if isinstance(exc, (Forbidden, NotFound)):
            raise
        done, refused = exc.lines(ctx.locale), True
    return await _meeting(request, ctx, meeting_id, block="member", notice=done, refused=refused)


def _meeting_url(ctx: RequestContext, meeting_id: int) -> str:
    return ctx.url(f"{HOME}/meetings/{meeting_id}")


@post(f"{HOME}/meetings/{{meeting_id:int}}/register", name="council:register", status_code=200)
async def register(request: Request[Any, Any, Any], ctx: RequestContext, meeting_id: int) -> Response[Any]:
    """Say one will come."""
    ctx.require(KEY, "participate")
    meeting, _council = await meetings.meeting_or_404(ctx, meeting_id)
    return await _member_act(
        request, ctx, meeting_id, lambda: meetings.register(ctx, meeting), _("You are registered.")
    )


@post(f"{HOME}/meetings/{{meeting_id:int}}/sign-in", name="council:self_sign_in", status_code=200)
async def self_sign_in(request: Request[Any, Any, Any], ctx: RequestContext, meeting_id: int) -> Response[Any]:
    """Sign oneself in at the meeting (on one's phone, in the room)."""
    ctx.require(KEY, "participate")
    meeting, _council = await meetings.meeting_or_404(ctx, meeting_id)
    return await _member_act(request, ctx, meeting_id, lambda: meetings.sign_in(ctx, meeting), _("Signed in."))


@post(f"{HOME}/meetings/{{meeting_id:int}}/items/{{item_id:int}}/ballot", name="council:ballot", status_code=200)
async def ballot(
    request: Request[Any, Any, Any], ctx: RequestContext, meeting_id: int, item_id: int, data: Form
) -> Response[Any]:
    """A member's ballot: for, against or abstain."""
    ctx.require(KEY, "vote")
    meeting, council = await meetings.meeting_or_404(ctx, meeting_id)
    item = await voting.item_or_404(ctx, meeting, item_id)
    choice = data.get("choice", "")
    return await _member_act(
        request, ctx, meeting_id, lambda: voting.ballot(ctx, council, item, choice), _("Your ballot is in.")
    )


@post(f"{HOME}/meetings/{{meeting_id:int}}/minutes/corrections", name="council:correction", status_code=200)
async def correction(
    request: Request[Any, Any, Any], ctx: RequestContext, meeting_id: int, data: Form
) -> Response[Any]:
    """An attendee's correction to the circulated minutes."""
    ctx.require(KEY, "participate")
    meeting, _council = await meetings.meeting_or_404(ctx, meeting_id)
    version = await minutes.latest(ctx, meeting.id)
    if version is None:
        raise NotFoundException(_("Not found."))
    text = data.get("text", "")
    back = _meeting_url(ctx, meeting_id)
    return await act(
        request, ctx, back, lambda: minutes.add_correction(ctx, meeting, version, text), _("Correction sent.")
    )


@get(f"{HOME}/notifications", name="council:notifications")
async def notifications(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """The user's notices and daily digests."""
    ctx.require(KEY, "view")
    assert ctx.user is not None
    notes, digests = await notify.recent(ctx.session, ctx.user.id)
    return await page(request, ctx, "consultation_council/notifications.html", notes=notes, digests=digests)


PUBLIC_ROUTES = [
    home,
    topic_new,
    topic_create,
    topic_page,
    support,
    unsupport,
    meeting_page,
    register,
    self_sign_in,
    ballot,
    correction,
    notifications,
]
