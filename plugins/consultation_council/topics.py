"""Topics (议题): raised as ``council_topic`` cases, supported (附议), refused or accepted, escalated.

Every step of a topic goes through the core's case service, so roles, the timeline and
the hooks apply; this module adds what the council knows: the council a topic belongs
to, its supports and the automatic step onto the agenda when they reach the threshold.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from core.plugin_api import (
    Case,
    CaseError,
    InvalidData,
    NotFound,
    OrgUnit,
    comment,
    create_case,
    definition_for,
    normalize_phone,
    perform_transition,
    utcnow,
)
from core.plugin_api import gettext as _
from plugins.consultation_council import notify
from plugins.consultation_council.councils import Refused, council_for_place, secretary_user_ids
from plugins.consultation_council.manifest import CASE_TYPE
from plugins.consultation_council.models import Council, Support, Topic

if TYPE_CHECKING:
    from core.plugin_api import RequestContext

__all__ = (
    "OPEN_STATES",
    "SUPPORTABLE",
    "escalate",
    "list_topics",
    "on_created",
    "raise_topic",
    "step",
    "support",
    "supporters",
    "topic_by_case",
    "topic_or_404",
    "unsupport",
)

SUPPORTABLE = ("submitted", "accepted", "deliberation")
OPEN_STATES = ("submitted", "accepted", "deliberation", "voted", "adopted", "in_action", "done", "escalated")
# The core's resident-request categories for the topic's.
ESCALATION_CATEGORY = {
    "parking": "traffic",
    "environment": "environment",
    "facilities": "facilities",
    "safety": "safety",
    "neighbours": "neighbours",
    "services": "services",
}


async def topic_by_case(ctx: RequestContext, case_id: int) -> Topic | None:
    """The council's record of a topic case."""
    return (await ctx.session.execute(select(Topic).where(Topic.case_id == case_id))).scalar_one_or_none()


async def topic_or_404(ctx: RequestContext, topic_id: int) -> tuple[Topic, Case]:
    """A topic of the district and its case, or 404."""
    row = (
        await ctx.session.execute(select(Topic, Case).join(Case, Case.id == Topic.case_id).where(Topic.id == topic_id))
    ).first()
    if row is None:
        raise NotFound(_("Not found."))
    return row[0], row[1]


async def list_topics(
    ctx: RequestContext, *, council_id: int | None = None, states: tuple[str, ...] = OPEN_STATES, limit: int = 100
) -> list[tuple[Topic, Case]]:
    """Topics in ``states``: most supported first, then newest."""
    query = select(Topic, Case).join(Case, Case.id == Topic.case_id).where(Case.state.in_(states))
    if council_id is not None:
        query = query.where(Topic.council_id == council_id)
    query = query.order_by(Topic.supports.desc(), Case.created_at.desc()).limit(limit)
    return [(t, c) for t, c in (await ctx.session.execute(query)).all()]


async def on_created(ctx: RequestContext, case: Case) -> None:
    """A new topic case joins the council of its place (refused when the place has none)."""
    council = await council_for_place(ctx.session, case.data.get("place"))
    if council is None:
        raise InvalidData(
            _("Please correct the marked fields."),
            {"place": _("This community or estate has no consultation council yet.")},
        )
    ctx.session.add(Topic(district_id=case.district_id, council_id=council.id, case_id=case.id))
    await ctx.session.flush()
    link = ctx.url(f"/council/topics/{case.reference}")
    await notify.notify(
        ctx.session,
        case.district_id,
        await secretary_user_ids(ctx.session, council.id),
        _("New topic for %(council)s: %(title)s", council=council.name, title=case.title),
        link,
    )


async def raise_topic(
    ctx: RequestContext, council: Council, *, title: str, data: dict[str, Any], channel: str = "web"
) -> tuple[Case, Topic]:
    """Raise a topic for ``council`` (the topic form's fields in ``data``); :class:`InvalidData` on bad input."""
    assert ctx.user is not None
    fields = {"place": council.org_unit_id, "source": "resident", "requester": ctx.user.label, **data}
    case = await create_case(ctx, CASE_TYPE, title=title, data=fields, channel=channel, source="api")
    topic = await topic_by_case(ctx, case.id)
    assert topic is not None
    return case, topic


async def step(
    ctx: RequestContext, case: Case, key: str, *, data: dict[str, Any] | None = None, reason: str = ""
) -> Case:
    """Take a workflow step of a topic through the core (roles, hooks, timeline)."""
    definition = await definition_for(ctx, case)
    return await perform_transition(ctx, case, definition, key, data=data or {}, reason=reason, source="api")


async def supporters(ctx: RequestContext, topic_id: int) -> list[int]:
    """Users who support a topic."""
    return list((await ctx.session.execute(select(Support.user_id).where(Support.topic_id == topic_id))).scalars())


async def _recount(ctx: RequestContext, topic: Topic) -> int:
    count = (await ctx.session.execute(select(func.count(Support.id)).where(Support.topic_id == topic.id))).scalar_one()
    topic.supports = int(count)
    await ctx.session.flush()
    return topic.supports


async def support(ctx: RequestContext, topic: Topic, case: Case) -> int:
    """Support (附议) a topic once; at the council's threshold it goes onto the agenda by itself."""
    assert ctx.user is not None
    if case.state not in SUPPORTABLE:
        raise Refused(_("This topic can no longer be supported."))
    try:
        async with ctx.session.begin_nested():
            ctx.session.add(Support(district_id=topic.district_id, topic_id=topic.id, user_id=ctx.user.id))
    except IntegrityError:
        raise Refused(_("You already support this topic.")) from None
    count = await _recount(ctx, topic)
    council = await ctx.session.get(Council, topic.council_id)
    assert council is not None
    if case.state == "submitted" and count >= council.support_threshold:
        try:
            async with ctx.session.begin_nested():
                await step(ctx, case, "supported")
        except CaseError:
            return count  # someone else's support took the step at the same moment
        topic.threshold_reached_at = utcnow()
        await notify.notify(
            ctx.session,
            topic.district_id,
            [*await secretary_user_ids(ctx.session, council.id), case.created_by_id],
            _("%(title)s reached %(n)s supports and is on the agenda queue.", title=case.title, n=count),
            ctx.url(f"/council/topics/{case.reference}"),
        )
    return count


async def unsupport(ctx: RequestContext, topic: Topic, case: Case) -> int:
    """Withdraw one's support while the topic is still waiting to be accepted."""
    assert ctx.user is not None
    if case.state != "submitted":
        raise Refused(_("A topic on the agenda keeps its supports."))
    await ctx.session.execute(delete(Support).where(Support.topic_id == topic.id, Support.user_id == ctx.user.id))
    return await _recount(ctx, topic)


def _phone(*candidates: Any) -> str:
    for value in candidates:
        number = normalize_phone(value)
        if number:
            return number
    return ""


async def escalate(ctx: RequestContext, case: Case) -> Case:
    """After the ``escalate`` step: open the linked resident request for the street/town and link both ways."""
    assert ctx.user is not None
    topic = await topic_by_case(ctx, case.id)
    assert topic is not None
    council = await ctx.session.get(Council, topic.council_id)
    assert council is not None
    unit = await ctx.session.get(OrgUnit, council.org_unit_id)
    data = case.data
    description = "\n\n".join(
        part
        for part in (
            str(data.get("description", "")),
            _("Why the council escalates it: %(note)s", note=data.get("escalation_note", "")),
            _("From the council topic %(ref)s of %(council)s.", ref=case.reference, council=council.name),
        )
        if part
    )
    request = await create_case(
        ctx,
        "resident_request",
        title=f"【议事上报】{case.title}"[:200],
        data={
            "requester": str(data.get("requester") or council.name)[:50],
            "phone": _phone(data.get("phone"), council.phone, ctx.user.phone),
            "address": unit.name_zh if unit else "",
            "category": ESCALATION_CATEGORY.get(str(data.get("category")), "other"),
            "description": description[:2000],
        },
        channel="web",
        source="api",
        team_id=unit.parent_id if unit else None,
    )
    topic.escalated_case_id = request.id
    request_definition = await definition_for(ctx, request)
    await comment(ctx, request, request_definition, _("Escalated from council topic %(ref)s.", ref=case.reference))
    await comment(
        ctx, case, await definition_for(ctx, case), _("Resident request %(ref)s opened.", ref=request.reference)
    )
    return request
