"""JSON API under ``/api/v1/districts/{district}/council``: councils, topics, supports, meetings, votes, ballots,
resolutions, objections and actions (described in the OpenAPI schema at ``/schema``).

The phone app and the call centre use it. Every call goes through the same services and
permissions as the pages; a refusal is a 400 with the reason people read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypedDict, TypeVar

from litestar import delete, get, patch, post
from litestar.exceptions import ClientException, NotFoundException, ValidationException

from core.plugin_api import CaseError, Code, InvalidData, LongText, RequestContext, Text, Title, votes
from core.plugin_api import gettext as _
from plugins.consultation_council import actions, meetings, resolutions, topics, voting
from plugins.consultation_council.councils import Refused, council_or_404, list_councils, members
from plugins.consultation_council.manifest import KEY
from plugins.consultation_council.models import ActionItem, AgendaItem, Council, Meeting, Resolution, Topic
from plugins.consultation_council.routes_public import _topic_by_ref

__all__ = ("API_ROUTES",)

T = TypeVar("T")


async def _do(action: Callable[[], Awaitable[T]]) -> T:
    try:
        return await action()
    except InvalidData as exc:
        raise ValidationException(detail=exc.message, extra={"errors": exc.errors}) from exc
    except (Refused, CaseError) as exc:
        raise ClientException(detail=exc.message) from exc
    except votes.VoteError as exc:
        raise ClientException(detail=exc.message) from exc


@dataclass(frozen=True)
class MemberOut:
    """A seat at the council's table."""

    id: int
    name: str
    party: str
    position: str
    organization: str
    user_id: int | None
    term_start: date
    term_end: date | None


@dataclass(frozen=True)
class CouncilOut:
    """A council with its current members."""

    id: int
    name: str
    org_unit_id: int
    support_threshold: int
    quorum: str
    objection_days: int
    members: list[MemberOut]


async def _council_out(ctx: RequestContext, council: Council) -> CouncilOut:
    seats = [
        MemberOut(m.id, m.name, m.party, m.position, m.organization, m.user_id, m.term_start, m.term_end)
        for m in await members(ctx.session, council.id)
    ]
    quorum = f"> {council.quorum_num}/{council.quorum_den}"
    return CouncilOut(
        council.id, council.name, council.org_unit_id, council.support_threshold, quorum, council.objection_days, seats
    )


@get("/council/councils", name="council:api:councils", summary="The district's consultation councils")
async def api_councils(ctx: RequestContext) -> list[CouncilOut]:
    ctx.require(KEY, "view")
    return [await _council_out(ctx, c) for c in await list_councils(ctx.session)]


@get("/council/councils/{council_id:int}", name="council:api:council", summary="One council and its members")
async def api_council(ctx: RequestContext, council_id: int) -> CouncilOut:
    ctx.require(KEY, "view")
    return await _council_out(ctx, await council_or_404(ctx.session, council_id))


@dataclass(frozen=True)
class TopicOut:
    """A topic (议题) as residents see it."""

    reference: str
    title: str
    council_id: int
    state: str
    supports: int
    category: str
    description: str
    public_reply: str
    created_at: datetime


class TopicIn(TypedDict, total=False):
    """A new topic: ``council_id``, ``title`` and ``description`` required."""

    council_id: int
    title: Title
    description: LongText
    category: Code
    proposal: LongText
    phone: Code
    channel: Code


def _topic_out(topic: Topic, case: Any) -> TopicOut:
    data = case.data
    return TopicOut(
        case.reference,
        case.title,
        topic.council_id,
        case.state,
        topic.supports,
        str(data.get("category", "")),
        str(data.get("description", "")),
        str(data.get("public_reply", "")),
        case.created_at,
    )


@get("/council/topics", name="council:api:topics", summary="Open topics, most supported first")
async def api_topics(ctx: RequestContext, council_id: int | None = None) -> list[TopicOut]:
    ctx.require(KEY, "view")
    return [_topic_out(t, c) for t, c in await topics.list_topics(ctx, council_id=council_id)]


@post("/council/topics", name="council:api:topic_create", summary="Raise a topic (a council_topic case)")
async def api_topic_create(ctx: RequestContext, data: TopicIn) -> TopicOut:
    ctx.require(KEY, "participate")
    council = await council_or_404(ctx.session, int(data.get("council_id") or 0))
    fields = {k: v for k, v in data.items() if k in ("description", "category", "proposal", "phone") and v}
    channel = str(data.get("channel") or "mobile")
    case, topic = await _do(
        lambda: topics.raise_topic(ctx, council, title=str(data.get("title", "")), data=fields, channel=channel)
    )
    return _topic_out(topic, case)


@get("/council/topics/{reference:str}", name="council:api:topic", summary="One topic")
async def api_topic(ctx: RequestContext, reference: str) -> TopicOut:
    ctx.require(KEY, "view")
    return _topic_out(*await _topic_by_ref(ctx, reference))


@post("/council/topics/{reference:str}/supports", name="council:api:support", summary="Support (附议) a topic")
async def api_support(ctx: RequestContext, reference: str) -> TopicOut:
    ctx.require(KEY, "participate")
    topic, case = await _topic_by_ref(ctx, reference)
    await _do(lambda: topics.support(ctx, topic, case))
    return _topic_out(topic, case)


@delete("/council/topics/{reference:str}/supports", name="council:api:unsupport", summary="Withdraw one's support")
async def api_unsupport(ctx: RequestContext, reference: str) -> None:
    ctx.require(KEY, "participate")
    topic, case = await _topic_by_ref(ctx, reference)
    await _do(lambda: topics.unsupport(ctx, topic, case))


@dataclass(frozen=True)
class AgendaOut:
    """An agenda item, with the vote taken on it."""

    id: int
    position: int
    title: str
    minutes: int
    topic_reference: str | None
    vote_id: int | None


@dataclass(frozen=True)
class MeetingOut:
    """A meeting with its agenda."""

    id: int
    council_id: int
    title: str
    format: str
    starts_at: datetime
    ends_at: datetime
    place: str
    online_link: str
    status: str
    agenda: list[AgendaOut]


async def _meeting_out(ctx: RequestContext, meeting: Meeting) -> MeetingOut:
    items = [
        AgendaOut(i.id, i.position, i.title, i.minutes, c.reference if c else None, i.vote_id)
        for i, c in await meetings.agenda(ctx, meeting.id)
    ]
    return MeetingOut(
        meeting.id,
        meeting.council_id,
        meeting.title,
        meeting.format,
        meeting.starts_at,
        meeting.ends_at,
        meeting.place,
        meeting.online_link,
        meeting.status,
        items,
    )


@get("/council/meetings", name="council:api:meetings", summary="Coming meetings (the calendar)")
async def api_meetings(ctx: RequestContext) -> list[MeetingOut]:
    ctx.require(KEY, "view")
    return [await _meeting_out(ctx, m) for m in await meetings.upcoming(ctx)]


@get("/council/meetings/{meeting_id:int}", name="council:api:meeting", summary="One meeting and its agenda")
async def api_meeting(ctx: RequestContext, meeting_id: int) -> MeetingOut:
    ctx.require(KEY, "view")
    meeting, _council = await meetings.meeting_or_404(ctx, meeting_id)
    return await _meeting_out(ctx, meeting)


@dataclass(frozen=True)
class VoteOut:
    """A council vote's result as the core's voting service computed it (sealed while secret and open)."""

    id: int
    title: str
    status: str
    final: bool
    sealed: bool
    outcome: str | None
    reason: str
    electorate: int
    participating: int
    tallies: dict[str, int]


async def _council_vote(ctx: RequestContext, vote_id: int) -> tuple[AgendaItem, Meeting]:
    from sqlalchemy import select  # noqa: PLC0415

    row = (
        await ctx.session.execute(
            select(AgendaItem, Meeting)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .where(AgendaItem.vote_id == vote_id)
        )
    ).first()
    if row is None:
        raise NotFoundException(_("Not found."))
    return row[0], row[1]


async def _vote_out(ctx: RequestContext, vote_id: int) -> VoteOut:
    vote = await votes.get_vote(ctx.session, vote_id)
    result = await votes.results(ctx.session, vote_id)
    return VoteOut(
        vote.id,
        vote.title,
        vote.status,
        result.final,
        result.sealed,
        result.outcome.value if result.outcome else None,
        result.reason_zh,
        result.electorate_heads,
        result.participating_heads,
        {t.option: t.heads for t in result.options},
    )


@get("/council/votes/{vote_id:int}", name="council:api:vote", summary="A council vote's result")
async def api_vote(ctx: RequestContext, vote_id: int) -> VoteOut:
    ctx.require(KEY, "view")
    await _council_vote(ctx, vote_id)
    return await _vote_out(ctx, vote_id)


class BallotIn(TypedDict):
    """A member's ballot: ``for``, ``against`` or ``abstain``."""

    choice: Code


@post("/council/votes/{vote_id:int}/ballots", name="council:api:ballot", summary="Cast one's ballot as a member")
async def api_ballot(ctx: RequestContext, vote_id: int, data: BallotIn) -> VoteOut:
    ctx.require(KEY, "vote")
    item, meeting = await _council_vote(ctx, vote_id)
    council = await council_or_404(ctx.session, meeting.council_id)
    await _do(lambda: voting.ballot(ctx, council, item, str(data.get("choice", ""))))
    return await _vote_out(ctx, vote_id)


@dataclass(frozen=True)
class ResolutionOut:
    """A resolution or convention with the text in force, its window and progress."""

    id: int
    council_id: int
    kind: str
    title: str
    status: str
    text: str
    text_version: int
    vote_id: int | None
    published_at: datetime | None
    objection_until: datetime | None
    in_force_at: datetime | None
    progress: int


async def _resolution_out(ctx: RequestContext, r: Resolution) -> ResolutionOut:
    latest = (await resolutions.texts(ctx.session, r.id))[0]
    progress = actions.overall(await actions.actions_of(ctx.session, r.id))
    return ResolutionOut(
        r.id,
        r.council_id,
        r.kind,
        r.title,
        r.status,
        latest.body,
        latest.number,
        r.vote_id,
        r.published_at,
        r.objection_until,
        r.in_force_at,
        progress,
    )


@get("/council/resolutions", name="council:api:resolutions", summary="Published resolutions and conventions")
async def api_resolutions(ctx: RequestContext) -> list[ResolutionOut]:
    ctx.require(KEY, "view")
    return [await _resolution_out(ctx, r) for r in await resolutions.list_resolutions(ctx)]


@get("/council/resolutions/{resolution_id:int}", name="council:api:resolution", summary="One resolution")
async def api_resolution(ctx: RequestContext, resolution_id: int) -> ResolutionOut:
    ctx.require(KEY, "view")
    return await _resolution_out(ctx, await resolutions.resolution_or_404(ctx, resolution_id))


class ObjectionIn(TypedDict):
    """An objection's reason."""

    reason: Text


@post(
    "/council/resolutions/{resolution_id:int}/objections",
    name="council:api:object",
    summary="Object to a published resolution (only while the window is open)",
)
async def api_object(ctx: RequestContext, resolution_id: int, data: ObjectionIn) -> dict[str, Any]:
    ctx.require(KEY, "participate")
    resolution = await resolutions.resolution_or_404(ctx, resolution_id)
    row = await _do(lambda: resolutions.object_to(ctx, resolution, str(data.get("reason", ""))))
    return {"id": row.id, "resolution_id": resolution.id, "reason": row.reason, "created_at": row.created_at}


@dataclass(frozen=True)
class ActionOut:
    """An action of a resolution, with its progress."""

    id: int
    resolution_id: int
    title: str
    party: str
    assignee_id: int | None
    due_on: date
    percent: int
    done: bool


def _action_out(a: ActionItem) -> ActionOut:
    return ActionOut(a.id, a.resolution_id, a.title, a.party, a.assignee_id, a.due_on, a.percent, a.done_at is not None)


@get("/council/actions", name="council:api:actions", summary="Actions (only the overdue ones with overdue=true)")
async def api_actions(ctx: RequestContext, resolution_id: int | None = None, overdue: bool = False) -> list[ActionOut]:
    ctx.require(KEY, "view")
    if overdue:
        return [_action_out(a) for a in await actions.overdue(ctx.session)]
    if resolution_id is None:
        raise ValidationException(detail=_("Give resolution_id, or overdue=true."))
    await resolutions.resolution_or_404(ctx, resolution_id)
    return [_action_out(a) for a in await actions.actions_of(ctx.session, resolution_id)]


class ProgressIn(TypedDict, total=False):
    """Progress in % (0–100) and a note."""

    percent: int
    note: Text


@patch("/council/actions/{action_id:int}", name="council:api:progress", summary="Record progress on an action")
async def api_progress(ctx: RequestContext, action_id: int, data: ProgressIn) -> ActionOut:
    ctx.require(KEY, "view")
    item = await actions.action_or_404(ctx, action_id)
    if ctx.user is None or (item.assignee_id != ctx.user.id and not ctx.can(KEY, "manage")):
        ctx.require(KEY, "manage")
    await _do(lambda: actions.record_progress(ctx, item, int(data.get("percent", -1)), str(data.get("note", ""))))
    return _action_out(item)


API_ROUTES = [
    api_councils,
    api_council,
    api_topics,
    api_topic_create,
    api_topic,
    api_support,
    api_unsupport,
    api_meetings,
    api_meeting,
    api_vote,
    api_ballot,
    api_resolutions,
    api_resolution,
    api_object,
    api_actions,
    api_progress,
]
