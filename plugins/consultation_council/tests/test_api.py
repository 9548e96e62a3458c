"""The council's JSON API: raise and support topics, read councils and meetings, vote as a member, object; OpenAPI."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from core.db import utcnow
from plugins.consultation_council import meetings, topics, voting
from plugins.consultation_council.councils import council_or_404
from plugins.consultation_council.models import Resolution

API = "/api/v1/districts/haishu/council"


def _h(world, name):
    return {"Authorization": f"Bearer {world.tokens[name]}"}


def test_resident_raises_and_supports_through_the_api(client, world):
    """POST a topic, POST a support: the topic reads back with 1 support; a second support is a 400 saying why."""
    body = {
        "council_id": world.council,
        "title": "楼道灯坏了",
        "description": "5 幢楼道灯坏了一个月",
        "category": "facilities",
    }
    created = client.post(f"{API}/topics", json=body, headers=_h(world, "resident"))
    assert created.status_code == 201, created.text
    ref = created.json()["reference"]
    assert client.post(f"{API}/topics/{ref}/supports", headers=_h(world, "resident")).json()["supports"] == 1
    again = client.post(f"{API}/topics/{ref}/supports", headers=_h(world, "resident"))
    assert again.status_code == 400 and "已经附议" in again.text
    listed = client.get(f"{API}/topics", headers=_h(world, "resident")).json()
    assert [t["title"] for t in listed] == ["楼道灯坏了"]
    councils = client.get(f"{API}/councils", headers=_h(world, "resident")).json()
    assert councils[0]["name"] == "平桥社区议事会" and len(councils[0]["members"]) == 5


def test_a_bad_topic_is_refused_with_the_fields(client, world):
    """A topic without a description is a 400 naming the field, and nothing is created."""
    response = client.post(
        f"{API}/topics", json={"council_id": world.council, "title": "x"}, headers=_h(world, "resident")
    )
    assert response.status_code == 400 and "description" in response.text
    assert client.get(f"{API}/topics", headers=_h(world, "resident")).json() == []


def test_member_votes_through_the_api_and_a_resident_cannot(client, world, as_user):
    """A council member casts a ballot by API; a resident's ballot is 403; the vote shows the count."""
    from plugins.consultation_council.tests.support import meeting_times, raise_parking_topic

    ref = as_user("resident", lambda ctx: raise_parking_topic(ctx, world))

    async def prepare(ctx):
        council = await council_or_404(ctx.session, world.council)
        topic, case = await topics.topic_or_404(ctx, (await _topic_id(ctx, ref)))
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

    vote_id = as_user("secretary", prepare)
    assert (
        client.post(f"{API}/votes/{vote_id}/ballots", json={"choice": "for"}, headers=_h(world, "resident")).status_code
        == 403
    )
    cast = client.post(f"{API}/votes/{vote_id}/ballots", json={"choice": "for"}, headers=_h(world, "m-party"))
    assert cast.status_code == 201, cast.text
    assert cast.json()["participating"] == 1 and cast.json()["tallies"]["for"] == 1


async def _topic_id(ctx, ref):
    from core.models.cases import Case
    from plugins.consultation_council.models import Topic

    query = select(Topic.id).join(Case, Case.id == Topic.case_id).where(Case.reference == ref)
    return (await ctx.session.execute(query)).scalar_one()


def test_objection_after_the_window_is_refused_by_the_api(client, world, seed):
    """A published resolution takes an objection by API; once the window closed the same call is a 400."""

    async def published(session):
        council_id = world.council
        row = Resolution(
            district_id=1,
            council_id=council_id,
            title="停车公约",
            status="published",
            published_at=utcnow(),
            objection_until=utcnow() + timedelta(days=7),
        )
        session.add(row)
        await session.flush()
        from plugins.consultation_council.models import ResolutionText

        session.add(ResolutionText(district_id=1, resolution_id=row.id, number=1, body="公约正文"))
        return row.id

    rid = seed(published)
    ok = client.post(
        f"{API}/resolutions/{rid}/objections", json={"reason": "访客怎么停？"}, headers=_h(world, "resident")
    )
    assert ok.status_code == 201, ok.text

    async def close(session):
        await session.execute(update(Resolution).where(Resolution.id == rid).values(objection_until=utcnow()))

    seed(close)
    late = client.post(f"{API}/resolutions/{rid}/objections", json={"reason": "太晚了"}, headers=_h(world, "resident"))
    assert late.status_code == 400 and "公示期" in late.text


def test_openapi_describes_the_council_api(client):
    """The schema lists the topics, supports, votes, ballots, resolutions and actions paths."""
    paths = client.get("/schema/openapi.json").json()["paths"]
    for path in (
        "council/topics",
        "council/topics/{reference}/supports",
        "council/votes/{vote_id}/ballots",
        "council/resolutions/{resolution_id}/objections",
        "council/actions/{action_id}",
        "council/meetings",
    ):
        assert any(p.endswith(path) for p in paths), path


def test_a_topic_accepts_a_landline(client, world, seed):
    """Elderly residents give a landline: a topic with 0574-87654321 (any spelling) is accepted, stored normalised."""
    from core.models.cases import Case

    body = {
        "council_id": world.council,
        "title": "小区门口路灯不亮",
        "description": "晚上出门看不清",
        "category": "facilities",
        "phone": "(0574) 8765 4321",
    }
    created = client.post(f"{API}/topics", json=body, headers=_h(world, "resident"))
    assert created.status_code == 201, created.text
    garbage = client.post(f"{API}/topics", json={**body, "phone": "0574-12"}, headers=_h(world, "resident"))
    assert garbage.status_code == 400 and "phone" in garbage.text

    async def stored(session):
        case = (await session.execute(select(Case).where(Case.reference == created.json()["reference"]))).scalar_one()
        return case.data["phone"], case.contact_phone

    assert seed(stored) == ("0574-87654321", "0574-87654321")
