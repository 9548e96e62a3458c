"""The patrol rota through the API: plans and recurring plans (each shift once), no overlapping shifts for a patroller
(half-open, across midnight), never more patrollers than needed, giving up, rounds linked, missed shifts, reminders."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.db import for_district
from core.models import District
from core.plugin_api import TIMEZONE, JobContext, Notification, utcnow
from plugins.parking.models_rota import PatrolShift, ShiftAssignment
from plugins.parking.rota import send_reminders
from plugins.parking.tests.rota_support import API, add_patrollers, auth, count, put_shift
from plugins.parking.tests.support import haishu


def _today() -> date:
    return utcnow().astimezone(TIMEZONE).date()


def _plan(client, world, user: str = "parking-chair", **body):
    return client.post(f"{API}/estates/{world.estate}/shifts", json=body, headers=auth(world, user))


def test_a_recurring_plan_creates_each_shift_once_with_its_patrollers(client, world, seed):
    """Mon/Wed/Fri 19:00–21:00 for 4 weeks from tomorrow: 12 shifts, each with both patrollers; the same plan again
    creates none; the rota lists them with their places."""
    add_patrollers(seed, world, ["patroller-2"])
    first = _today() + timedelta(days=1)
    body = {
        "days": [1, 3, 5],
        "from_date": first.isoformat(),
        "weeks": 4,
        "start": "19:00",
        "end": "21:00",
        "area": "1–6 幢及消防通道",
        "needed": 2,
        "patrollers": [world.users["patroller"], world.users["patroller-2"]],
    }
    made = _plan(client, world, **body)
    assert made.status_code == 201, made.text
    created = made.json()["created"]
    assert (len(created), made.json()["existing"]) == (12, 0)
    starts = [datetime.fromisoformat(s["starts_at"]).astimezone(TIMEZONE) for s in created]
    assert {s.isoweekday() for s in starts} == {1, 3, 5} and {s.strftime("%H:%M") for s in starts} == {"19:00"}
    assert all(s["open_places"] == 0 and s["status"] == "planned" for s in created)
    again = _plan(client, world, **body)
    assert (again.status_code, len(again.json()["created"]), again.json()["existing"]) == (201, 0, 12)
    assert count(seed, PatrolShift) == 12 and count(seed, ShiftAssignment) == 24
    listed = client.get(
        f"{API}/estates/{world.estate}/shifts",
        params={"from_date": first.isoformat(), "to_date": (first + timedelta(days=27)).isoformat()},
        headers=auth(world, "patroller"),
    ).json()
    assert len(listed) == 12 and {p["name"] for p in listed[0]["patrollers"]} == {"吴巡查", "patroller-2"}


def test_bad_plans_are_refused_field_by_field_and_nothing_is_written(client, world, seed):
    """No days, a past first day, 13 weeks, a bad time, a 13-hour shift, no area, 0 needed, a stranger as patroller,
    more patrollers than places: 400 with each field's Chinese message; nothing written. Only who runs the estate
    plans (a patroller and a resident get 403)."""
    bad = _plan(
        client,
        world,
        days=[],
        from_date=(_today() - timedelta(days=1)).isoformat(),
        weeks=13,
        start="25:00",
        end="21:00",
        area="",
        needed=0,
        patrollers=[world.users["resident"]],
    )
    assert bad.status_code == 400
    errors = bad.json()["errors"]
    assert set(errors) >= {"days", "from_date", "weeks", "start", "area", "needed", "patrollers"}
    assert "排班有误" in bad.json()["detail"] and errors["days"] == "请选择星期几。"
    long = _plan(
        client,
        world,
        date=(_today() + timedelta(days=1)).isoformat(),
        start="08:00",
        end="21:00",
        area="全小区",
        needed=1,
    )
    assert long.status_code == 400 and "end" in long.json()["errors"]
    crowded = _plan(
        client,
        world,
        date=(_today() + timedelta(days=1)).isoformat(),
        start="19:00",
        end="21:00",
        area="全小区",
        needed=1,
        patrollers=[world.users["patroller"], world.users["parking-chair"]],
    )
    assert crowded.status_code == 400 and "patrollers" in crowded.json()["errors"]
    for user in ("patroller", "resident"):
        assert (
            _plan(
                client,
                world,
                user,
                date=(_today() + timedelta(days=1)).isoformat(),
                start="19:00",
                end="21:00",
                area="全小区",
                needed=1,
            ).status_code
            == 403
        )
    english = client.post(
        f"{API}/estates/{world.estate}/shifts",
        json={"date": "tomorrow", "start": "19:00", "end": "21:00", "area": "x", "needed": 1},
        headers={**auth(world, "parking-chair"), "Accept-Language": "en"},
    )
    assert english.status_code == 400 and english.json()["errors"]["date"] == "Enter the day, e.g. 2026-12-14."
    assert count(seed, PatrolShift) == 0


def test_a_patroller_is_never_on_two_overlapping_shifts_half_open_and_across_midnight(client, world, seed):
    """On 19:00–21:00, a plan putting them on 20:00–22:00 is refused whole (409, no shift written); 21:00–23:00 is
    fine (half-open). On 22:00–02:00, the next day's 01:00–03:00 is refused and 02:00–04:00 is fine."""
    add_patrollers(seed, world, ["patroller-2"])
    day = _today() + timedelta(days=2)
    nxt = (day + timedelta(days=1)).isoformat()
    me, other = world.users["patroller"], world.users["patroller-2"]

    def plan(on: int, start: str, end: str, area: str, when: str = day.isoformat()):
        return _plan(client, world, date=when, start=start, end=end, area=area, needed=2, patrollers=[on])

    assert plan(me, "19:00", "21:00", "东区").status_code == 201
    refused = plan(me, "20:00", "22:00", "西区")
    assert refused.status_code == 409 and "时间重叠" in refused.json()["detail"]
    assert count(seed, PatrolShift) == 1
    assert plan(me, "21:00", "23:00", "西区").status_code == 201
    night = plan(other, "22:00", "02:00", "全小区")
    assert night.status_code == 201
    ends = datetime.fromisoformat(night.json()["created"][0]["ends_at"]).astimezone(TIMEZONE)
    assert (ends.date().isoformat(), ends.strftime("%H:%M")) == (nxt, "02:00")
    assert plan(other, "01:00", "03:00", "东门", nxt).status_code == 409
    assert plan(other, "02:00", "04:00", "东门", nxt).status_code == 201
    # The committee putting them on an overlapping shift by hand is refused the same way.
    evening = client.get(f"{API}/estates/{world.estate}/shifts", headers=auth(world, "parking-chair")).json()
    west = next(s for s in evening if s["area"] == "西区")
    onto = client.post(
        f"{API}/shifts/{west['id']}/assignments", json={"patroller_id": other}, headers=auth(world, "parking-chair")
    )
    assert onto.status_code == 409 and count(seed, ShiftAssignment, ShiftAssignment.seat.is_not(None)) == 4


@pytest.mark.postgres_only
def test_the_database_refuses_overlapping_places_of_a_patroller_written_past_the_service(world, seed):
    """On PostgreSQL the exclusion constraint itself refuses a patroller's second place overlapping in time (written
    directly, not through the rota's service) and accepts one starting at the minute the first one ends."""
    begins = utcnow().replace(microsecond=0) + timedelta(days=3)
    put_shift(seed, world, begins, 2, on=("patroller",))
    with pytest.raises(IntegrityError, match="parking_shift_assignment_no_overlap"):
        put_shift(seed, world, begins + timedelta(hours=1), 2, on=("patroller",))
    put_shift(seed, world, begins + timedelta(hours=2), 2, on=("patroller",))
    assert count(seed, ShiftAssignment) == 2


def test_volunteering_fills_open_places_only_and_giving_up_opens_one_again(client, world, seed):
    """A shift needing 1: the first volunteer gets it, the second is refused (full); the first gives it up (the rota
    shows who and when), the second takes it. A resident may not volunteer; after the start nobody gives it up."""
    add_patrollers(seed, world, ["patroller-2"])
    shift_id = put_shift(seed, world, utcnow() + timedelta(days=3), 2, needed=1)
    took = client.post(f"{API}/shifts/{shift_id}/volunteer", headers=auth(world, "patroller"))
    assert took.status_code == 201 and took.json()["open_places"] == 0
    full = client.post(f"{API}/shifts/{shift_id}/volunteer", headers=auth(world, "patroller-2"))
    assert full.status_code == 409 and "已满" in full.json()["detail"]
    opens = client.get(f"{API}/estates/{world.estate}/shifts/open", headers=auth(world, "patroller-2")).json()
    assert shift_id not in [s["id"] for s in opens]
    gave = client.post(f"{API}/shifts/{shift_id}/give-up", headers=auth(world, "patroller"))
    assert gave.status_code == 201 and gave.json()["open_places"] == 1
    assert [p["name"] for p in gave.json()["given_up"]] == ["吴巡查"] and gave.json()["given_up"][0]["given_up_at"]
    opens = client.get(f"{API}/estates/{world.estate}/shifts/open", headers=auth(world, "patroller-2")).json()
    assert shift_id in [s["id"] for s in opens]
    assert client.post(f"{API}/shifts/{shift_id}/volunteer", headers=auth(world, "patroller-2")).status_code == 201
    assert client.post(f"{API}/shifts/{shift_id}/volunteer", headers=auth(world, "resident")).status_code == 400
    mine = client.get(f"{API}/estates/{world.estate}/shifts/mine", headers=auth(world, "patroller-2")).json()
    assert [s["id"] for s in mine] == [shift_id]
    started = put_shift(seed, world, utcnow() - timedelta(minutes=10), 2, on=("patroller",))
    late = client.post(f"{API}/shifts/{started}/give-up", headers=auth(world, "patroller"))
    assert late.status_code == 409 and "已开始" in late.json()["detail"]


def test_a_round_in_ones_shift_links_to_it_done_and_missed_shifts_are_counted(client, world, seed):
    """A round started during one's shift is linked: the shift is done with its checks counted. A past shift with a
    patroller and no round is missed, counted in the rota summary; a past shift with nobody on it is not."""
    now = utcnow()
    current = put_shift(seed, world, now - timedelta(minutes=30), 2, on=("patroller",))
    missed = put_shift(seed, world, now - timedelta(days=2), 2, on=("patroller",))
    put_shift(seed, world, now - timedelta(days=3), 2)
    started = client.post(f"{API}/estates/{world.estate}/rounds", headers=auth(world, "patroller")).json()
    check = client.post(
        f"{API}/rounds/{started['id']}/checks",
        json={"plate": "沪A12345", "place": "V-01"},
        headers=auth(world, "patroller"),
    )
    assert check.status_code == 201
    shifts = {
        s["id"]: s
        for s in client.get(f"{API}/estates/{world.estate}/shifts", headers=auth(world, "parking-chair")).json()
    }
    assert (shifts[current]["status"], shifts[current]["rounds"], shifts[current]["checks"]) == ("done", 1, 1)
    assert shifts[missed]["status"] == "missed"
    summary = client.get(f"{API}/estates/{world.estate}/rota-summary", headers=auth(world, "parking-chair")).json()
    assert summary["missed_30_days"] == 1


def _remind(seed, at: datetime) -> int:
    async def job(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        for_district(session, district.id)
        result = await send_reminders(JobContext(session, district, at, at, "parking.shift_reminders"))
        for_district(session, None)
        return result.counts["sent"]

    return seed(job)


def test_each_patroller_is_reminded_the_day_before_once(world, seed):
    """Two patrollers on tomorrow's shift, one on the day after: the job reminds the two (zh title with the time and
    area); run again (or by a second server) it sends nothing more; the day after's shift is not yet reminded."""
    add_patrollers(seed, world, ["patroller-2"])
    now = datetime.combine(_today(), datetime.min.time(), TIMEZONE) + timedelta(hours=16)
    put_shift(seed, world, now + timedelta(days=1, hours=3), 2, on=("patroller", "patroller-2"))
    put_shift(seed, world, now + timedelta(days=2, hours=3), 2, on=("patroller",))
    assert _remind(seed, now) == 2
    assert _remind(seed, now) == 0
    assert _remind(seed, now + timedelta(minutes=5)) == 0

    async def notices(session):
        await haishu(session)
        return list((await session.execute(select(Notification))).scalars())

    rows = [n for n in seed(notices) if n.kind == "parking.shift_reminder"]
    assert sorted(n.user_id for n in rows) == sorted([world.users["patroller"], world.users["patroller-2"]])
    assert rows[0].params["start"] == "19:00" and rows[0].params["area"] == "测试区域"
