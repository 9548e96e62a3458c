"""The council's pages as people use them, and who may do what (residents can't open votes; other districts get 404)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from core.models.cases import Case
from core.testing import csrf_of, login
from plugins.consultation_council.models import AgendaItem, Attendee, Meeting

HOME = "/d/haishu/council"


def _post(client: Any, path: str, data: dict[str, str] | None = None) -> Any:
    token = csrf_of(client, HOME)
    return client.post(path, data={**(data or {}), "_csrf_token": token}, follow_redirects=False)


def _raise(client: Any, world: Any, title: str = "偃月小区停车难") -> str:
    response = _post(
        client,
        f"{HOME}/topics",
        {"council_id": str(world.council), "title": title, "category": "parking", "description": "120 辆车 60 个车位"},
    )
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[-1]


def _as(client: Any, name: str) -> Any:
    client.cookies.clear()
    return login(client, name)


def test_resident_raises_and_supports_a_topic_and_sees_the_count(client, world):
    """The resident's topic shows on the home page with 1 support after they press 附议."""
    login(client, "resident")
    ref = _raise(client, world)
    page = client.get(f"{HOME}/topics/{ref}").text
    assert "偃月小区停车难" in page and "附议" in page
    assert _post(client, f"{HOME}/topics/{ref}/support").status_code == 303
    home = client.get(HOME).text
    assert "偃月小区停车难" in home and re.search(r"1\s*人附议", home), home


def test_topic_form_keeps_input_and_says_what_is_missing(client, world):
    """A topic without a description comes back with the title kept and the field marked."""
    login(client, "resident")
    response = _post(client, f"{HOME}/topics", {"council_id": str(world.council), "title": "楼道灯坏了"})
    assert response.status_code == 400
    assert "楼道灯坏了" in response.text and "aria-invalid" in response.text


def test_secretary_runs_a_meeting_in_the_room(client, world, seed):
    """Accept, plan, add to the agenda, begin, sign five members in, open, hands, close: the page says 通过."""
    login(client, "resident")
    ref = _raise(client, world, "偃月小区停车公约")
    _as(client, "secretary")
    assert _post(client, f"/d/haishu/council/admin/topics/{ref}/decide", {"do": "accept"}).status_code == 303
    response = _post(
        client,
        f"/d/haishu/council/admin/councils/{world.council}/meetings",
        {
            "title": "停车议事会",
            "format": "council",
            "starts_at": "2030-05-01T09:00",
            "ends_at": "2030-05-01T11:00",
            "place": "社区二楼会议室",
        },
    )
    room = response.headers["location"]
    meeting_id = int(room.rsplit("/", 1)[-1])
    topic_id = seed(lambda s: _topic_id(s, ref))
    assert _post(client, room, {"do": "add_topic", "topic_id": str(topic_id), "minutes": "30"}).status_code == 303
    assert _post(client, room, {"do": "start"}).status_code == 303
    for attendee_id in seed(lambda s: _attendees(s, meeting_id)):
        _post(client, room, {"do": "sign_in", "attendee_id": str(attendee_id)})
    item_id = seed(lambda s: _item(s, meeting_id))
    _post(client, room, {"do": "open_vote", "item_id": str(item_id), "motion": "通过停车公约", "preset": "unanimity"})
    _post(client, room, {"do": "hands", "item_id": str(item_id), "for": "5"})
    _post(client, room, {"do": "close_vote", "item_id": str(item_id)})
    page = client.get(room).text
    assert "5/5" in page or "通过" in page, page
    assert "决议通过" in client.get(f"{HOME}/topics/{ref}").text


async def _topic_id(session, ref):
    from plugins.consultation_council.models import Topic

    query = select(Topic.id).join(Case, Case.id == Topic.case_id).where(Case.reference == ref)
    return (await session.execute(query)).scalar_one()


async def _attendees(session, meeting_id):
    query = select(Attendee.id).where(Attendee.meeting_id == meeting_id, Attendee.member_id.is_not(None))
    return list((await session.execute(query)).scalars())


async def _item(session, meeting_id):
    return (await session.execute(select(AgendaItem.id).where(AgendaItem.meeting_id == meeting_id))).scalar_one()


async def _meeting(session):
    return (await session.execute(select(Meeting.id))).scalars().first()


def test_residents_cannot_open_votes_or_enter_the_room(client, world, seed):
    """A resident posting to the meeting room is refused (403) and nothing opens."""
    _as(client, "secretary")
    response = _post(
        client,
        f"/d/haishu/council/admin/councils/{world.council}/meetings",
        {
            "title": "季度例会",
            "format": "quarterly",
            "starts_at": "2030-05-01T09:00",
            "ends_at": "2030-05-01T11:00",
            "place": "社区",
        },
    )
    room = response.headers["location"]
    _as(client, "resident")
    assert client.get(room).status_code == 403
    assert _post(client, room, {"do": "start"}).status_code == 403
    assert _post(client, room, {"do": "open_vote", "item_id": "1", "motion": "x"}).status_code == 403
    assert client.get("/d/haishu/council/admin").status_code == 403


def test_another_districts_users_get_404(client, world):
    """A 鄞州区 worker gets 404 on 海曙区's council pages and on its API."""
    login(client, "yz-worker")
    assert client.get(HOME).status_code == 404
    assert client.get("/d/yinzhou/council").status_code == 200
    assert client.get(f"/d/yinzhou/council/admin/councils/{world.council}").status_code == 404
    headers = {"Authorization": f"Bearer {world.tokens['yz-worker']}"}
    client.cookies.clear()
    assert client.get("/api/v1/districts/haishu/council/councils", headers=headers).status_code == 404
    assert client.get(f"/api/v1/districts/yinzhou/council/councils/{world.council}", headers=headers).status_code == 404


def test_the_case_page_names_the_topics_community(client, world, seed):
    """The topic's case page shows its community or estate by name (it once showed "#2")."""
    login(client, "resident")
    ref = _raise(client, world)

    async def reference(session):
        return (await session.execute(select(Case.reference).where(Case.title == "偃月小区停车难"))).scalar_one()

    case_ref = seed(reference)
    _as(client, "secretary")
    page = client.get(f"/d/haishu/cases/{case_ref}").text
    assert "所在社区或小区" in page
    assert not re.search(r"(?<![\w&])#\d+\b", page.split("<main", 1)[1]), ref
