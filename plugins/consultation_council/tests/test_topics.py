"""Topics: supports reaching the threshold put a topic on the agenda; escalation opens a linked resident request."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.cases.errors import TransitionRefused
from core.models.cases import Case, CaseEvent
from core.models.notifications import Notification
from plugins.consultation_council import topics
from plugins.consultation_council.councils import Refused
from plugins.consultation_council.models import Topic
from plugins.consultation_council.tests.support import raise_parking_topic


async def _topic(ctx, ref):
    case = (await ctx.session.execute(select(Case).where(Case.reference == ref))).scalar_one()
    topic = await topics.topic_by_case(ctx, case.id)
    return topic, case


def _support(as_user, name, ref):
    async def run(ctx):
        topic, case = await _topic(ctx, ref)
        return await topics.support(ctx, topic, case), case.state

    return as_user(name, run)


def test_threshold_of_supports_puts_the_topic_on_the_agenda(world, as_user):
    """The third support (the council's threshold) moves the topic to 已列入议程 and tells the secretary."""
    ref = as_user("resident", lambda ctx: raise_parking_topic(ctx, world))
    assert _support(as_user, "resident", ref) == (1, "submitted")
    assert _support(as_user, "resident2", ref) == (2, "submitted")
    count, _state = _support(as_user, "resident3", ref)
    assert count == 3

    async def check(ctx):
        topic, case = await _topic(ctx, ref)
        events = (await ctx.session.execute(select(CaseEvent).where(CaseEvent.case_id == case.id))).scalars()
        texts = [p.get("text", "") for p in (await ctx.session.execute(select(Notification.params))).scalars()]
        return (
            case.state,
            topic.threshold_reached_at is not None,
            [e.payload.get("transition") for e in events],
            list(texts),
        )

    state, reached, steps, notes = as_user("secretary", check)
    assert state == "accepted" and reached
    assert "supported" in steps
    assert any("附议" in n or "议程" in n for n in notes), notes


def test_a_second_support_by_the_same_resident_is_refused(world, as_user):
    """Supporting twice says so and still counts one."""
    ref = as_user("resident", lambda ctx: raise_parking_topic(ctx, world))
    _support(as_user, "resident2", ref)
    with pytest.raises(Refused, match="已经附议"):
        _support(as_user, "resident2", ref)
    assert as_user("resident", lambda ctx: _topic(ctx, ref))[0].supports == 1


def test_residents_cannot_take_the_automatic_step_before_the_threshold(world, as_user):
    """The 'enough supports' step is refused while supports are short, with the count in the reason."""
    ref = as_user("resident", lambda ctx: raise_parking_topic(ctx, world))

    async def push(ctx):
        _topic_row, case = await _topic(ctx, ref)
        await topics.step(ctx, case, "supported")

    with pytest.raises(TransitionRefused, match="0"):
        as_user("resident", push)


def test_escalation_creates_a_linked_resident_request(world, as_user):
    """Escalating opens a 居民诉求 case for the street, linked from the topic and back by comments."""
    ref = as_user("resident", lambda ctx: raise_parking_topic(ctx, world, title="消防通道被占需交警执法"))

    async def escalate(ctx):
        _row, case = await _topic(ctx, ref)
        await topics.step(ctx, case, "escalate", data={"escalation_note": "需要交警对占道停车执法，社区无权处罚"})

    as_user("worker", escalate)

    async def check(ctx):
        topic, case = await _topic(ctx, ref)
        request = await ctx.session.get(Case, topic.escalated_case_id)
        comments = {
            c.id: [
                e.payload.get("text", "")
                for e in (
                    await ctx.session.execute(
                        select(CaseEvent).where(CaseEvent.case_id == c.id, CaseEvent.kind == "comment")
                    )
                ).scalars()
            ]
            for c in (case, request)
        }
        return case, request, comments

    case, request, comments = as_user("worker", check)
    assert case.state == "escalated"
    assert request.case_type_key == "resident_request" and request.state == "reported"
    assert ref in request.data["description"] and request.data["category"] == "traffic"
    assert any(ref in text for text in comments[request.id])
    assert any(request.reference in text for text in comments[case.id])


def test_a_topic_for_a_place_without_council_is_refused(world, as_user, seed):
    """A topic whose place has no council is not created, and the reason names the field."""
    from core.cases.errors import InvalidData
    from core.cases.service import create_case

    async def raise_elsewhere(ctx):
        await create_case(
            ctx,
            "council_topic",
            title="无议事会",
            data={"place": 999999, "category": "other", "description": "x"},
            channel="web",
            source="api",
        )

    with pytest.raises(InvalidData):
        as_user("resident", raise_elsewhere)
    assert seed(_count) == 0


async def _count(session):
    return len(list((await session.execute(select(Topic))).scalars()))
