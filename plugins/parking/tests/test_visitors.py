"""Visitors' cars: a resident lets one in for the convention's free hours today (phone page or API); it is on the
gate's whitelist for those hours; at most the convention's visits a day per household, even at once; none before
the convention is adopted; a car with a live card or visit is refused; a visit that is over frees the plate."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from core.plugin_api import TIMEZONE
from core.testing import csrf_of, login
from core.testing.browser import serve
from core.testing.races import Call, fire
from plugins.parking import permits
from plugins.parking.models import Permit
from plugins.parking.tests.support import adopt_convention, haishu

API = "/api/v1/districts/haishu/parking"
BASE = "/d/haishu/parking"


def _visit(client, world, plate: str, *, arrive: str = "", user: str = "resident", household: int | None = None):
    return client.post(
        f"{API}/estates/{world.estate}/visitors",
        json={"household_id": household or world.households[0], "plate": plate, "arrive": arrive},
        headers={"Authorization": f"Bearer {world.tokens[user]}"},
    )


def _visits(seed) -> list[tuple[str, str, int, int]]:
    async def run(session):
        await haishu(session)
        rows = await session.execute(
            select(Permit.plate, Permit.status, Permit.start_minute, Permit.end_minute)
            .where(Permit.kind == "visitor")
            .order_by(Permit.id)
        )
        return [tuple(r) for r in rows.all()]

    return seed(run)


def test_none_before_the_convention_is_adopted(client, world, seed):
    refused = _visit(client, world, "浙B88888")
    assert refused.status_code == 409
    assert "尚未经业主表决通过" in refused.json()["detail"]
    assert _visits(seed) == []


def test_a_resident_lets_a_visitor_in_on_the_phone_page_and_the_gate_knows_for_the_free_hours(client, world, seed):
    seed(lambda s: adopt_convention(s, world))  # the default convention: visitors free for 2 hours
    login(client, "resident")
    page = client.get(f"{BASE}/mine").text
    assert "登记访客车辆" in page
    token = csrf_of(client, f"{BASE}/mine")
    household = f"{world.estate}:{world.households[0]}"
    bad = client.post(
        f"{BASE}/mine/visitors",
        data={"household": household, "plate": "浙B88888", "arrive": "25:00", "_csrf_token": token},
    )
    assert bad.status_code == 400
    assert "请按 时:分 填写时间" in bad.text and 'value="浙B88888"' in bad.text
    assert _visits(seed) == []
    made = client.post(
        f"{BASE}/mine/visitors",
        data={"household": household, "plate": "浙b 88888", "arrive": "14:30", "name": "王阿姨", "_csrf_token": token},
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    assert "浙B88888 今天 14:30–16:30 可以入场" in client.get(made.headers["location"]).text
    assert _visits(seed) == [("浙B88888", "issued", 14 * 60 + 30, 16 * 60 + 30)]
    client.get("/logout")
    login(client, "parking-chair")
    today = datetime.now(TIMEZONE).date()
    whitelist = client.get(f"{BASE}/estates/{world.estate}/whitelist.csv").text
    assert f"浙B88888,,visitor,{today.isoweekday()},14:30,16:30,{today.isoformat()},{today.isoformat()}" in whitelist


def test_a_car_with_a_live_card_or_visit_is_refused_and_a_visit_that_is_over_frees_the_plate(client, world, seed):
    seed(lambda s: adopt_convention(s, world))
    assert _visit(client, world, "浙B10001").status_code == 201  # from now, for two hours
    again = _visit(client, world, "浙B10001")
    assert again.status_code == 409
    assert again.json()["errors"]["plate"] == "该车辆已有有效的停车卡或访客登记。"
    later = datetime.now(TIMEZONE) + timedelta(hours=3)  # the same car comes back once its visit is over

    async def come_back(session):
        await haishu(session)
        return await permits.register_visitor(
            session, world.estate, world.households[0], "浙B10001", channel="online", user_id=None, now=later
        )

    permit = seed(come_back)
    assert (permit.start_minute, permit.status) == (later.hour * 60 + later.minute, "issued")
    assert [(p, s) for p, s, _b, _e in _visits(seed)] == [("浙B10001", "expired"), ("浙B10001", "issued")]


def test_not_for_a_neighbours_household(client, world, seed):
    seed(lambda s: adopt_convention(s, world))
    refused = _visit(client, world, "浙B77777", user="neighbour")
    assert refused.status_code == 403
    assert _visits(seed) == []


def test_six_visitors_at_once_give_the_household_exactly_its_three_a_day(app, world, seed):
    """The convention's default: three visits a day per household; six parallel registrations keep three."""
    seed(lambda s: adopt_convention(s, world))
    calls = [
        Call(
            "POST",
            f"{API}/estates/{world.estate}/visitors",
            json={"household_id": world.households[0], "plate": f"浙D6000{i}"},
            token=world.tokens["resident"],
        )
        for i in range(6)
    ]
    with serve(app) as url:
        responses = fire(url, calls)
    assert sorted(r.status_code for r in responses) == [201] * 3 + [409] * 3, [r.text[:200] for r in responses]
    assert all("每户每天最多登记 3 辆访客车辆" in r.json()["detail"] for r in responses if r.status_code == 409)
    assert len(_visits(seed)) == 3


def test_past_midnight_a_visit_ends_at_the_end_of_the_day(seed, world):
    seed(lambda s: adopt_convention(s, world))

    async def late(session):
        await haishu(session)
        now = datetime.now(TIMEZONE).replace(hour=23, minute=10)
        return await permits.register_visitor(
            session, world.estate, world.households[0], "浙B55555", channel="online", user_id=None, now=now
        )

    permit = seed(late)
    assert (permit.start_minute, permit.end_minute) == (23 * 60 + 10, 24 * 60)
