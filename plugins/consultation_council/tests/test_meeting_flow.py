"""From agenda to resolution: quorum before a vote, the vote decided by core.votes, minutes locked, objections."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from core.db import utcnow
from core.models.cases import Case
from plugins.consultation_council import meetings, minutes, resolutions, topics, voting
from plugins.consultation_council.councils import Refused, council_or_404
from plugins.consultation_council.models import AgendaItem, MinutesLocked, MinutesVersion, Resolution
from plugins.consultation_council.tests.support import meeting_times, raise_parking_topic

MOTION = "通过《偃月小区停车公约》：夜间按停车卡停放，外来车辆不得过夜。"


def _prepare(world, as_user):
    """The parking topic accepted and on a started 开放空间 meeting; returns (meeting id, item id, reference)."""
    ref = as_user("resident", lambda ctx: raise_parking_topic(ctx, world, title="偃月小区停车公约"))

    async def plan(ctx):
        council = await council_or_404(ctx.session, world.council)
        case = (await ctx.session.execute(select(Case).where(Case.reference == ref))).scalar_one()
        topic = await topics.topic_by_case(ctx, case.id)
        await topics.step(ctx, case, "accept")
        start, end = meeting_times()
        meeting = await meetings.create_meeting(
            ctx,
            council,
            title="偃月小区停车开放空间讨论（二）",
            fmt="open_space",
            starts_at=start,
            ends_at=end,
            place="平桥社区党群服务中心",
        )
        await meetings.add_guest(ctx, meeting, name="王警官", organization="鼓楼交警中队")
        item = await meetings.add_topic(ctx, meeting, topic, case, minutes=40)
        await meetings.send_invitations(ctx, meeting)
        await meetings.start_meeting(ctx, meeting)
        return meeting.id, item.id

    meeting_id, item_id = as_user("secretary", plan)
    return meeting_id, item_id, ref


def _sign_in(as_user, world, meeting_id, names):
    async def run(ctx):
        meeting, _council = await meetings.meeting_or_404(ctx, meeting_id)
        people = await meetings.attendees(ctx, meeting_id)
        for attendee in people:
            if attendee.member_id in {world.members[n] for n in names}:
                await meetings.sign_in(ctx, meeting, attendee.id)

    as_user("secretary", run)


def _open(as_user, meeting_id, item_id, preset="unanimity"):
    async def run(ctx):
        meeting, council = await meetings.meeting_or_404(ctx, meeting_id)
        item = await voting.item_or_404(ctx, meeting, item_id)
        return (await voting.open_item_vote(ctx, meeting, council, item, motion=MOTION, preset=preset)).id

    return as_user("secretary", run)


def test_a_vote_does_not_open_without_a_quorum_of_members_present(world, as_user):
    """With 2 of 5 members signed in the vote is refused with the figures; with 3 it opens."""
    meeting_id, item_id, _ref = _prepare(world, as_user)
    _sign_in(as_user, world, meeting_id, ["secretary", "m-party"])
    with pytest.raises(Refused, match="2"):
        _open(as_user, meeting_id, item_id)
    _sign_in(as_user, world, meeting_id, ["m-org"])
    assert _open(as_user, meeting_id, item_id) > 0


def _full_vote(world, as_user):
    meeting_id, item_id, ref = _prepare(world, as_user)
    _sign_in(as_user, world, meeting_id, ["secretary", "m-party", "m-org", "m-unit", "m-resident"])
    _open(as_user, meeting_id, item_id)

    async def member_votes(ctx):
        meeting, council = await meetings.meeting_or_404(ctx, meeting_id)
        await voting.ballot(ctx, council, await voting.item_or_404(ctx, meeting, item_id), "for")

    as_user("m-resident", member_votes)

    async def hands_and_close(ctx):
        meeting, council = await meetings.meeting_or_404(ctx, meeting_id)
        item = await voting.item_or_404(ctx, meeting, item_id)
        await voting.show_of_hands(ctx, item, {"for": 4}, note="现场举手")
        result = await voting.close_item_vote(ctx, council, item)
        await meetings.close_meeting(ctx, meeting)
        return result.passed, result.reason_zh

    passed, reason = as_user("secretary", hands_and_close)
    return meeting_id, item_id, ref, passed, reason


def test_unanimous_vote_adopts_the_topic_and_drafts_the_convention(world, as_user, seed):
    """Five for out of five: the topic is 决议通过 and a draft convention carries the motion's text."""
    _meeting, _item, ref, passed, _reason = _full_vote(world, as_user)
    assert passed

    async def check(session):
        case = (await session.execute(select(Case).where(Case.reference == ref))).scalar_one()
        resolution = (await session.execute(select(Resolution))).scalar_one()
        return case.state, resolution.kind, resolution.status

    assert seed(check) == ("adopted", "convention", "draft")


def test_minutes_are_drafted_from_the_agenda_and_a_final_version_never_changes(world, as_user, seed):
    """The draft lists attendees and the vote; once locked, saving is refused and even a raw ORM write fails."""
    meeting_id, *_rest = _full_vote(world, as_user)

    async def circulate_correct_lock(ctx):
        meeting, _council = await meetings.meeting_or_404(ctx, meeting_id)
        draft = await minutes.latest(ctx, meeting_id)
        assert draft is not None and "同意 5" in draft.body and "王警官" not in draft.body
        assert "表决结果：通过（同意 5" in draft.body and "参加表决 5 人" in draft.body
        assert "for" not in draft.body  # options by their Chinese names, never the key
        await minutes.circulate(ctx, meeting, draft)
        await minutes.add_correction(ctx, meeting, draft, "第一项补充：交警表示支持夜间巡查。")
        revised = await minutes.revise(ctx, meeting, draft)
        await minutes.save_draft(ctx, revised, revised.body + "\n补充：交警表示支持夜间巡查。")
        await minutes.circulate(ctx, meeting, revised)
        await minutes.lock(ctx, revised)
        return revised.id

    final_id = as_user("secretary", circulate_correct_lock)

    async def edit_final(ctx):
        final = await ctx.session.get(MinutesVersion, final_id)
        await minutes.save_draft(ctx, final, "改写")

    with pytest.raises(Refused, match="定稿"):
        as_user("secretary", edit_final)

    async def raw_write(session):
        final = await session.get(MinutesVersion, final_id)
        final.body = "偷偷改写"
        await session.flush()

    with pytest.raises(MinutesLocked):
        seed(raw_write)
    body = seed(lambda s: _body(s, final_id))
    assert "交警表示支持夜间巡查" in body and "偷偷改写" not in body


def test_a_meeting_whose_minutes_were_made_final_can_still_be_closed(world, as_user):
    """Minutes drafted, corrected and made final during the meeting no longer keep it 进行中 forever:
    结束会议 closes it and keeps the final minutes; their start comes before their end."""
    meeting_id, _item_id, _ref = _prepare(world, as_user)
    _sign_in(as_user, world, meeting_id, ["secretary", "m-party", "m-org"])

    async def final_minutes_then_close(ctx):
        meeting, _council = await meetings.meeting_or_404(ctx, meeting_id)
        draft = await minutes.draft_from_agenda(ctx, meeting)
        await minutes.circulate(ctx, meeting, draft)
        await minutes.add_correction(ctx, meeting, draft, "请补上列席的交警中队。")
        await minutes.lock(ctx, draft)
        await meetings.close_meeting(ctx, meeting)
        final = await minutes.latest(ctx, meeting_id)
        return meeting.status, final.status, final.number, final.body

    status, minutes_status, number, body = as_user("secretary", final_minutes_then_close)
    assert (status, minutes_status, number) == ("closed", "final", 1)
    start, end = body.splitlines()[2].removeprefix("时间：").split(" 至 ")
    assert end == "（会议进行中）" or end > start


async def _body(session, version_id):
    return (await session.get(MinutesVersion, version_id)).body


def test_objection_inside_the_window_is_kept_and_after_it_refused(world, as_user, seed):
    """A resident objects during 公示; after the window closes the objection is refused and the text is in force."""
    _full_vote(world, as_user)

    async def publish(ctx):
        resolution = (await ctx.session.execute(select(Resolution))).scalar_one()
        await resolutions.publish(ctx, resolution)
        return resolution.id

    rid = as_user("secretary", publish)

    async def object_(ctx):
        resolution = await resolutions.resolution_or_404(ctx, rid)
        return (await resolutions.object_to(ctx, resolution, "外来访客夜间停车怎么办？")).id

    objection_id = as_user("resident2", object_)

    async def end_window(session):
        await session.execute(
            update(Resolution).where(Resolution.id == rid).values(objection_until=utcnow() - timedelta(minutes=1))
        )

    seed(end_window)
    with pytest.raises(Refused, match="公示期"):
        as_user("resident3", object_)

    async def answer_and_force(ctx):
        resolution = await resolutions.resolution_or_404(ctx, rid)
        with pytest.raises(Refused):
            await resolutions.put_in_force(ctx, resolution)  # the objection is not answered yet
        objection = (await resolutions.objections(ctx.session, rid))[0]
        assert objection.id == objection_id
        await resolutions.answer_objection(ctx, objection, "访客车辆凭登记可临时停放两小时。")
        await resolutions.put_in_force(ctx, resolution)
        return resolution.status, len(await resolutions.objections(ctx.session, rid))

    assert as_user("secretary", answer_and_force) == ("in_force", 1)


def test_a_failed_vote_rejects_the_topic(world, as_user, seed):
    """Two against under unanimity: the service says FAILED and the topic is 决议未通过, no resolution."""
    meeting_id, item_id, ref = _prepare(world, as_user)
    _sign_in(as_user, world, meeting_id, ["secretary", "m-party", "m-org", "m-unit", "m-resident"])
    _open(as_user, meeting_id, item_id)

    async def hands(ctx):
        meeting, council = await meetings.meeting_or_404(ctx, meeting_id)
        item = await voting.item_or_404(ctx, meeting, item_id)
        await voting.show_of_hands(ctx, item, {"for": 3, "against": 2})
        return (await voting.close_item_vote(ctx, council, item)).passed

    assert as_user("secretary", hands) is False

    async def check(session):
        case = (await session.execute(select(Case).where(Case.reference == ref))).scalar_one()
        count = len(list((await session.execute(select(Resolution))).scalars()))
        item = await session.get(AgendaItem, item_id)
        return case.state, count, item.vote_id is not None

    assert seed(check) == ("rejected", 0, True)


def _vote_of_four_present(world, as_user, choices, **rule):
    """4 of 5 members signed in; the secretary opens a vote with ``rule`` and enters ``choices`` on paper."""
    meeting_id, item_id, _ref = _prepare(world, as_user)
    _sign_in(as_user, world, meeting_id, ["secretary", "m-party", "m-org", "m-unit"])

    async def run(ctx):
        meeting, council = await meetings.meeting_or_404(ctx, meeting_id)
        item = await voting.item_or_404(ctx, meeting, item_id)
        await voting.open_item_vote(ctx, meeting, council, item, motion=MOTION, **rule)
        for name, choice in choices.items():
            await voting.enter_ballot(ctx, item, world.members[name], choice)
        result = await voting.close_item_vote(ctx, council, item)
        return result.outcome.value, result.decided_by

    return as_user("secretary", run)


def test_two_thirds_of_members_present_passes_with_three_of_four(world, as_user):
    """By default the thresholds count the members present: 3 for of 4 present is two-thirds or more."""
    three_for = {"secretary": "for", "m-party": "for", "m-org": "for", "m-unit": "against"}
    assert _vote_of_four_present(world, as_user, three_for, preset="two_thirds") == ("passed", "pass")


def test_two_thirds_of_all_members_fails_with_three_of_five(world, as_user):
    """Counted of all members (the absent one in the electorate), 3 for of 5 fails two-thirds."""
    three_for = {"secretary": "for", "m-party": "for", "m-org": "for", "m-unit": "against"}
    outcome = _vote_of_four_present(world, as_user, three_for, preset="two_thirds", base="all_members")
    assert outcome == ("failed", "pass_heads")


def test_the_room_runs_an_owners_major_vote_with_a_two_thirds_quorum(world, as_user):
    """The room accepts owners_major; of all 5 members only 3 vote: below the two-thirds quorum, no quorum."""
    three = {"secretary": "for", "m-party": "for", "m-org": "for"}
    outcome = _vote_of_four_present(
        world, as_user, three, preset="owners_major", quorum_rule="two_thirds", base="all_members"
    )
    assert outcome == ("no_quorum", "quorum_heads")
