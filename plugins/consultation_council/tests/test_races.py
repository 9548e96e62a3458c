"""One-per-person rules of the council under parallel requests, sign-in only near the meeting, seats of this district.

The parallel tests run a real server and send 10–16 requests at once
(:func:`core.testing.races.fire`), on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.auth.tokens import create_token
from core.db import utcnow
from core.models import District, User
from core.models.cases import Case
from core.testing import csrf_of, login
from core.testing.browser import serve
from core.testing.races import Call, fire, logged_in
from plugins.consultation_council import meetings, topics, voting
from plugins.consultation_council.councils import Refused, council_or_404
from plugins.consultation_council.models import Member
from plugins.consultation_council.tests.support import MEMBERS, meeting_times, raise_parking_topic

API = "/api/v1/districts/haishu/council"


def _open_vote(as_user, world) -> int:
    ref = as_user("resident", lambda ctx: raise_parking_topic(ctx, world))

    async def prepare(ctx):
        council = await council_or_404(ctx.session, world.council)
        case = (await ctx.session.execute(select(Case).where(Case.reference == ref))).scalar_one()
        topic = await topics.topic_by_case(ctx, case.id)
        await topics.step(ctx, case, "accept")
        start, end = meeting_times()
        meeting = await meetings.create_meeting(
            ctx, council, title="议事会", fmt="council", starts_at=start, ends_at=end, place="社区"
        )
        item = await meetings.add_topic(ctx, meeting, topic, case)
        await meetings.start_meeting(ctx, meeting)
        for attendee in await meetings.attendees(ctx, meeting.id):
            await meetings.sign_in(ctx, meeting, attendee.id)
        vote = await voting.open_item_vote(ctx, meeting, council, item, motion="同意", preset="simple_majority")
        return vote.id

    return as_user("secretary", prepare)


def test_parallel_ballots_count_each_member_once(app, as_user, world, seed):
    """The five members each send their ballot twice at once (10 requests): 5 ballots counted, no answer 5xx."""
    vote_id = _open_vote(as_user, world)

    async def tokens(session):
        made = {}
        haishu = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        for username, *_rest in MEMBERS:
            user = (await session.execute(select(User).where(User.username == username))).scalar_one()
            made[username], _ = await create_token(session, user, haishu.id, "races")
        return made

    member_tokens = seed(tokens)
    calls = [
        Call("POST", f"{API}/votes/{vote_id}/ballots", json={"choice": "for"}, token=member_tokens[name])
        for name, *_rest in MEMBERS * 2
    ]
    with serve(app) as url:
        responses = fire(url, calls)
        final = fire(url, [Call("GET", f"{API}/votes/{vote_id}", token=member_tokens["m-party"])])[0]
    assert [r.status_code for r in responses if r.status_code >= 500] == []
    assert sorted(r.status_code for r in responses).count(201) >= 5
    assert final.json()["participating"] == 5
    assert final.json()["tallies"]["for"] == 5


def test_parallel_seating_of_one_user_gives_one_seat(app, world, seed):
    """The secretary's 8 sessions seat the same resident at once: one seat, the others told they already have one."""
    with serve(app) as url:
        clients = [logged_in(url, "secretary", csrf_path="/d/haishu/council") for _ in range(8)]
        try:
            calls = [
                Call(
                    "POST",
                    f"/d/haishu/council/admin/councils/{world.council}/members",
                    data={"name": "", "party": "resident", "position": "member", "username": "resident2"},
                    client=client,
                    csrf=True,
                )
                for client in clients
            ]
            responses = fire(url, calls)
        finally:
            for client in clients:
                client.close()
    assert [r.status_code for r in responses if r.status_code >= 500] == []

    async def seats(session):
        query = select(func.count()).select_from(Member).where(Member.user_id == world.users["resident2"])
        return (await session.execute(query)).scalar_one()

    assert seed(seats) == 1


def test_a_user_of_another_district_cannot_be_seated(client, world, seed):
    """Seating 鄞州区's yz-worker by username says "no such user", exactly as for a name nobody has."""
    login(client, "secretary")
    path = f"/d/haishu/council/admin/councils/{world.council}/members"
    pages = []
    for username in ("yz-worker", "nobody-at-all"):
        token = csrf_of(client, "/d/haishu/council")
        data = {"name": "", "party": "resident", "position": "member", "username": username, "_csrf_token": token}
        client.post(path, data=data, follow_redirects=False)
        pages.append(client.get(f"/d/haishu/council/admin/councils/{world.council}").text)
    assert "没有用户 yz-worker" in pages[0] or "No user yz-worker" in pages[0], pages[0][:500]
    assert pages[1].count("nobody-at-all") >= 1

    async def seated(session):
        query = select(func.count()).select_from(Member).where(Member.user_id == world.users["yz-worker"])
        return (await session.execute(query)).scalar_one()

    assert seed(seated) == 0


def test_sign_in_opens_shortly_before_the_meeting(as_user, world):
    """A member can't sign in to a meeting seven days away (not counted for the quorum); 30 minutes before, they can."""

    async def plan(ctx, days: float):
        council = await council_or_404(ctx.session, world.council)
        start = utcnow() + timedelta(days=days)
        meeting = await meetings.create_meeting(
            ctx,
            council,
            title="议事会",
            fmt="council",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            place="社区",
        )
        await meetings.send_invitations(ctx, meeting)
        return meeting.id

    far = as_user("secretary", lambda ctx: plan(ctx, 7))
    soon = as_user("secretary", lambda ctx: plan(ctx, 1 / 48))

    async def sign(ctx, meeting_id):
        meeting, council = await meetings.meeting_or_404(ctx, meeting_id)
        await meetings.sign_in(ctx, meeting)
        return (await meetings.quorum(ctx, meeting, council)).present

    with pytest.raises(Refused) as refused:
        as_user("m-party", lambda ctx: sign(ctx, far))
    assert "签到将于" in refused.value.message and "会议开始前 60 分钟" in refused.value.message

    async def present(ctx):
        meeting, council = await meetings.meeting_or_404(ctx, far)
        return (await meetings.quorum(ctx, meeting, council)).present

    assert as_user("secretary", present) == 0
    assert as_user("m-party", lambda ctx: sign(ctx, soon)) == 1


def test_registering_from_eight_sessions_at_once_registers_once(app, as_user, world, seed):
    """A resident's 8 sessions register for an open meeting at once: one line on the list, no answer 5xx."""
    from plugins.consultation_council.models import Attendee

    async def plan(ctx):
        council = await council_or_404(ctx.session, world.council)
        start, end = meeting_times(48)
        meeting = await meetings.create_meeting(
            ctx, council, title="开放空间", fmt="open_space", starts_at=start, ends_at=end, place="社区"
        )
        return meeting.id

    meeting_id = as_user("secretary", plan)
    with serve(app) as url:
        clients = [logged_in(url, "resident3", csrf_path="/d/haishu/council") for _ in range(8)]
        try:
            path = f"/d/haishu/council/meetings/{meeting_id}/register"
            responses = fire(url, [Call("POST", path, data={}, client=c, csrf=True) for c in clients])
        finally:
            for client in clients:
                client.close()
    assert [r.status_code for r in responses if r.status_code >= 500] == []

    async def lines(session):
        query = select(func.count()).select_from(Attendee).where(Attendee.user_id == world.users["resident3"])
        return (await session.execute(query)).scalar_one()

    assert seed(lines) == 1
