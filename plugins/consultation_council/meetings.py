"""Meetings: format, time and place, the agenda built from accepted topics, invitations, registration, sign-in.

The votes taken at a meeting are in :mod:`plugins.consultation_council.voting`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from core.plugin_api import TIMEZONE, Case, NotFound, plugin_settings, utcnow
from core.plugin_api import gettext as _
from plugins.consultation_council import notify
from plugins.consultation_council.councils import Quorum, Refused, members, quorum_of
from plugins.consultation_council.manifest import KEY
from plugins.consultation_council.models import FORMATS, AgendaItem, Attendee, Council, Meeting, Member, Topic

if TYPE_CHECKING:
    from core.plugin_api import RequestContext

__all__ = (
    "add_guest",
    "add_topic",
    "agenda",
    "attendees",
    "close_meeting",
    "create_meeting",
    "meeting_or_404",
    "move_item",
    "present_members",
    "quorum",
    "register",
    "remove_item",
    "send_invitations",
    "sign_in",
    "start_meeting",
    "upcoming",
)

AGENDA_TOPIC_STATES = ("accepted", "deliberation", "rejected")


async def meeting_or_404(ctx: RequestContext, meeting_id: int) -> tuple[Meeting, Council]:
    """A meeting of the district and its council, or 404."""
    row = (
        await ctx.session.execute(
            select(Meeting, Council).join(Council, Council.id == Meeting.council_id).where(Meeting.id == meeting_id)
        )
    ).first()
    if row is None:
        raise NotFound(_("Not found."))
    return row[0], row[1]


async def upcoming(ctx: RequestContext, *, council_id: int | None = None, past: bool = False) -> list[Meeting]:
    """Meetings not yet over (or, with ``past``, the latest ones), in time order."""
    query = select(Meeting)
    if council_id is not None:
        query = query.where(Meeting.council_id == council_id)
    if past:
        query = query.where(Meeting.status == "closed").order_by(Meeting.starts_at.desc()).limit(20)
    else:
        query = query.where(Meeting.status != "closed").order_by(Meeting.starts_at)
    return list((await ctx.session.execute(query)).scalars())


async def create_meeting(
    ctx: RequestContext,
    council: Council,
    *,
    title: str,
    fmt: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str = "",
    online_link: str = "",
) -> Meeting:
    """Plan a meeting; every current member is on its list of attendees (invited when invitations go out)."""
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise Refused(_("Enter a title (at most 200 characters)."))
    if fmt not in FORMATS:
        raise Refused(_("Choose the meeting's format."))
    if ends_at <= starts_at:
        raise Refused(_("The meeting must end after it starts."))
    if not (place or "").strip() and not (online_link or "").strip():
        raise Refused(_("Give a place or an online link."))
    if online_link and not online_link.startswith(("https://", "http://")):
        raise Refused(_("An online link starts with https://."))
    meeting = Meeting(
        district_id=council.district_id,
        council_id=council.id,
        title=title,
        format=fmt,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip()[:200],
        online_link=online_link.strip()[:300],
    )
    ctx.session.add(meeting)
    await ctx.session.flush()
    for member in await members(ctx.session, council.id, on=starts_at.date()):
        ctx.session.add(
            Attendee(
                district_id=council.district_id,
                meeting_id=meeting.id,
                member_id=member.id,
                user_id=member.user_id,
                name=member.name,
                organization=member.organization,
                kind="member",
            )
        )
    await ctx.session.flush()
    return meeting


async def agenda(ctx: RequestContext, meeting_id: int) -> list[tuple[AgendaItem, Case | None]]:
    """The agenda in order, each item with its topic's case (if it is a topic)."""
    query = (
        select(AgendaItem, Case)
        .outerjoin(Topic, Topic.id == AgendaItem.topic_id)
        .outerjoin(Case, Case.id == Topic.case_id)
        .where(AgendaItem.meeting_id == meeting_id)
        .order_by(AgendaItem.position, AgendaItem.id)
    )
    return [(item, case) for item, case in (await ctx.session.execute(query)).all()]


def _editable(meeting: Meeting) -> None:
    if meeting.status == "closed":
        raise Refused(_("The meeting is over; its agenda can't change."))


async def add_topic(ctx: RequestContext, meeting: Meeting, topic: Topic, case: Case, minutes: int = 20) -> AgendaItem:
    """Put an accepted topic on the agenda (last), with the time it gets."""
    _editable(meeting)
    if topic.council_id != meeting.council_id:
        raise Refused(_("The topic belongs to another council."))
    if case.state not in AGENDA_TOPIC_STATES:
        raise Refused(_("Only topics accepted onto the agenda can be put on a meeting."))
    if not 1 <= minutes <= 480:
        raise Refused(_("Give the item between 1 and 480 minutes."))
    taken = select(AgendaItem.id).where(AgendaItem.meeting_id == meeting.id, AgendaItem.topic_id == topic.id)
    if (await ctx.session.execute(taken)).first():
        raise Refused(_("The topic is already on this agenda."))
    last = select(func.coalesce(func.max(AgendaItem.position), 0)).where(AgendaItem.meeting_id == meeting.id)
    position = int((await ctx.session.execute(last)).scalar_one()) + 1
    item = AgendaItem(
        district_id=meeting.district_id,
        meeting_id=meeting.id,
        topic_id=topic.id,
        position=position,
        title=case.title,
        minutes=minutes,
        motion=str(case.data.get("proposal") or ""),
    )
    ctx.session.add(item)
    await ctx.session.flush()
    return item


async def move_item(ctx: RequestContext, meeting: Meeting, item_id: int, delta: int) -> None:
    """Move an item up (``-1``) or down (``+1``) the agenda."""
    _editable(meeting)
    items = [i for i, _c in await agenda(ctx, meeting.id)]
    index = next((n for n, i in enumerate(items) if i.id == item_id), None)
    if index is None:
        raise NotFound(_("Not found."))
    other = index + delta
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    for position, item in enumerate(items, start=1):
        item.position = position
    await ctx.session.flush()


async def remove_item(ctx: RequestContext, meeting: Meeting, item_id: int) -> None:
    """Take an item off the agenda (not once a vote was opened on it)."""
    _editable(meeting)
    item = await ctx.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        raise NotFound(_("Not found."))
    if item.vote_id is not None:
        raise Refused(_("An item that was voted on stays on the agenda."))
    await ctx.session.delete(item)
    await ctx.session.flush()
    for position, (left, _case) in enumerate(await agenda(ctx, meeting.id), start=1):
        left.position = position
    await ctx.session.flush()


async def attendees(ctx: RequestContext, meeting_id: int) -> list[Attendee]:
    """Members first (in seat order), then invited parties and residents."""
    rows = (await ctx.session.execute(select(Attendee).where(Attendee.meeting_id == meeting_id))).scalars()
    order = {"member": 0, "guest": 1, "resident": 2}
    return sorted(rows, key=lambda a: (order.get(a.kind, 3), a.id))


async def add_guest(
    ctx: RequestContext, meeting: Meeting, *, name: str, organization: str = "", user_id: int | None = None
) -> Attendee:
    """Invite a party from outside the council (交警, 城管, the street's property section …)."""
    _editable(meeting)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise Refused(_("Enter the guest's name."))
    guest = Attendee(
        district_id=meeting.district_id,
        meeting_id=meeting.id,
        user_id=user_id,
        name=name,
        organization=(organization or "").strip()[:100],
        kind="guest",
        invited_at=utcnow() if meeting.invitations_sent_at else None,
    )
    ctx.session.add(guest)
    await ctx.session.flush()
    return guest


async def send_invitations(ctx: RequestContext, meeting: Meeting) -> int:
    """Invite everyone on the list not yet invited (an in-app notice each); return how many."""
    _editable(meeting)
    now = utcnow()
    waiting = [a for a in await attendees(ctx, meeting.id) if a.invited_at is None]
    for attendee in waiting:
        attendee.invited_at = now
    meeting.invitations_sent_at = meeting.invitations_sent_at or now
    await notify.notify(
        ctx.session,
        meeting.district_id,
        [a.user_id for a in waiting],
        _("Invitation: %(title)s", title=meeting.title),
        ctx.url(f"/council/meetings/{meeting.id}"),
    )
    return len(waiting)


async def register(ctx: RequestContext, meeting: Meeting) -> Attendee:
    """The user says they will come (a member's invitation, or a resident joining an open meeting)."""
    assert ctx.user is not None
    _editable(meeting)
    # One line per person: looked up under the meeting's row lock, so a form sent twice at
    # once registers once (instead of the second failing on the unique key).
    await ctx.session.execute(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())
    mine = next((a for a in await attendees(ctx, meeting.id) if a.user_id == ctx.user.id), None)
    if mine is None:
        mine = Attendee(
            district_id=meeting.district_id,
            meeting_id=meeting.id,
            user_id=ctx.user.id,
            name=ctx.user.label,
            kind="resident",
        )
        ctx.session.add(mine)
    mine.registered_at = mine.registered_at or utcnow()
    await ctx.session.flush()
    return mine


async def sign_in(
    ctx: RequestContext, meeting: Meeting, attendee_id: int | None = None, *, undo: bool = False
) -> Attendee:
    """Sign an attendee in (staff, by id) or oneself (no id) at a meeting that has begun or is about to."""
    if meeting.status == "closed":
        raise Refused(_("The meeting is over."))
    rows = await attendees(ctx, meeting.id)
    if attendee_id is None:
        assert ctx.user is not None
        found = next((a for a in rows if a.user_id == ctx.user.id), None)
    else:
        found = next((a for a in rows if a.id == attendee_id), None)
    if found is None:
        raise Refused(_("You are not on this meeting's list; ask the secretary."))
    if not undo and found.signed_in_at is None:
        await _check_sign_in_open(ctx, meeting)
    found.signed_in_at = None if undo else (found.signed_in_at or utcnow())
    await ctx.session.flush()
    return found


DEFAULT_SIGN_IN_OPENS = 60  # minutes before the start; the district's setting ``sign_in_opens_minutes``


async def sign_in_opens_at(ctx: RequestContext, meeting: Meeting) -> datetime:
    """When sign-in opens: the district's ``sign_in_opens_minutes`` (default 60) before the meeting starts."""
    settings = await plugin_settings(ctx.session, ctx.district, ctx.host, KEY) if ctx.district else {}
    minutes = settings.get("sign_in_opens_minutes", DEFAULT_SIGN_IN_OPENS)
    return meeting.starts_at - timedelta(minutes=int(minutes))


async def _check_sign_in_open(ctx: RequestContext, meeting: Meeting) -> None:
    """Refuse a sign-in before it opens: a sign-in counts toward the quorum, so only at the meeting."""
    if meeting.status == "in_progress":  # the secretary opened the meeting: sign-in is open
        return
    opens = await sign_in_opens_at(ctx, meeting)
    if utcnow() < opens:
        raise Refused(
            _(
                "Sign-in opens at %(time)s, %(minutes)s minutes before the meeting starts.",
                time=opens.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M"),
                minutes=int((meeting.starts_at - opens).total_seconds() // 60),
            )
        )


async def quorum(ctx: RequestContext, meeting: Meeting, council: Council) -> Quorum:
    """Members signed in against the council's members whose term covers the meeting day."""
    current = await members(ctx.session, council.id, on=meeting.starts_at.date())
    ids = {m.id for m in current}
    present = {a.member_id for a in await attendees(ctx, meeting.id) if a.signed_in_at and a.member_id in ids}
    return quorum_of(council, len(present), len(ids))


async def present_members(ctx: RequestContext, meeting: Meeting) -> list[Member]:
    """The members signed in at the meeting."""
    signed = {a.member_id for a in await attendees(ctx, meeting.id) if a.signed_in_at and a.member_id}
    if not signed:
        return []
    return list((await ctx.session.execute(select(Member).where(Member.id.in_(signed)).order_by(Member.id))).scalars())


async def start_meeting(ctx: RequestContext, meeting: Meeting) -> None:
    """Open the meeting; topics on its agenda move into deliberation."""
    from plugins.consultation_council.topics import step  # noqa: PLC0415 - topics imports councils, not meetings

    if meeting.status != "planned":
        raise Refused(_("The meeting has already begun."))
    meeting.status, meeting.started_at = "in_progress", utcnow()
    for _item, case in await agenda(ctx, meeting.id):
        if case is not None and case.state == "accepted":
            await step(ctx, case, "deliberate")
    await ctx.session.flush()


async def close_meeting(ctx: RequestContext, meeting: Meeting) -> None:
    """End the meeting (no vote may still be open); the minutes' first draft is written from the agenda."""
    from plugins.consultation_council.minutes import draft_from_agenda, latest  # noqa: PLC0415
    from plugins.consultation_council.voting import open_votes  # noqa: PLC0415

    if meeting.status != "in_progress":
        raise Refused(_("Only a meeting in progress can be closed."))
    if await open_votes(ctx, meeting):
        raise Refused(_("Close the open vote first."))
    meeting.status, meeting.closed_at = "closed", utcnow()
    await ctx.session.flush()
    # Minutes already circulated or final (taken during the meeting) are kept as they are:
    # the meeting can always be closed; their next revision starts from them.
    current = await latest(ctx, meeting.id)
    if current is None or current.status == "draft":
        await draft_from_agenda(ctx, meeting)
