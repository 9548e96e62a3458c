"""Patrols and violations through the API: evidence required, escalation in 30 days, disputes lift suspensions."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from core.plugin_api import TIMEZONE, Notification
from plugins.parking.models import Permit
from plugins.parking.models_patrols import PlateCheck, Violation
from plugins.parking.tests.patrol_support import API, PLATE, ago, auth, local_now, prepare, report
from plugins.parking.tests.support import haishu


def _rows(seed, model):
    async def run(session):
        await haishu(session)
        return list((await session.execute(select(model))).scalars())

    return seed(run)


def _permit_status(seed, permit_id: int) -> str:
    return next(p.status for p in _rows(seed, Permit) if p.id == permit_id)


def test_a_violation_without_photo_or_witness_is_refused_and_nothing_is_written(client, world, seed):
    """No photo and no second patroller: 400 with the Chinese reason naming both fields; no violation, no notice."""
    prepare(seed, world)
    refused = report(client, world, photo=False)
    assert refused.status_code == 400, refused.text
    body = refused.json()
    assert "违规记录须附照片，或由第二名巡查员作证" in body["detail"]
    assert set(body["errors"]) == {"photo", "witness_id"}
    self_witness = client.post(
        f"{API}/estates/{world.estate}/violations",
        json={"plate": PLATE, "place": "P-01", "witness_id": world.users["patroller"]},
        headers=auth(world, "patroller"),
    )
    assert self_witness.status_code == 400 and "witness_id" in self_witness.json()["errors"]
    by_resident = client.post(
        f"{API}/estates/{world.estate}/violations",
        json={"plate": PLATE, "place": "P-01", "photo_name": "a.png", "photo_base64": "iVBORw0KGgo="},
        headers=auth(world, "resident"),
    )
    assert by_resident.status_code == 400 and "巡查员" in by_resident.json()["detail"]
    assert _rows(seed, Violation) == []
    assert [n for n in _rows(seed, Notification) if n.kind == "parking.violation"] == []


def test_round_logs_every_check_and_a_witnessed_violation_warns_the_owner(client, world, seed):
    """A round logs a compliant check and a no-card check; a witnessed first violation is a warning the owner gets."""
    prepare(seed, world)
    started = client.post(f"{API}/estates/{world.estate}/rounds", headers=auth(world, "patroller"))
    assert started.status_code == 201, started.text
    round_id = started.json()["id"]
    ok = client.post(
        f"{API}/rounds/{round_id}/checks", json={"plate": PLATE, "place": "P-01"}, headers=auth(world, "patroller")
    )
    stranger = client.post(
        f"{API}/rounds/{round_id}/checks", json={"plate": "沪A99999", "place": "V-01"}, headers=auth(world, "patroller")
    )
    assert [ok.json()["result"], stranger.json()["result"]] == ["ok", "no_permit"]
    first = report(client, world, photo=False, witness=True)
    assert first.status_code == 201, first.text
    assert (first.json()["step"], first.json()["ordinal"], first.json()["status"]) == ("warning", 1, "open")
    ended = client.post(f"{API}/rounds/{round_id}/end", headers=auth(world, "patroller"))
    assert ended.json()["ended_at"] is not None
    assert len(_rows(seed, PlateCheck)) == 2
    notices = [n for n in _rows(seed, Notification) if n.kind == "parking.violation"]
    assert [n.user_id for n in notices] == [world.users["resident"]]
    assert notices[0].params["plate"] == PLATE
    mine = client.get(f"{API}/violations/mine", headers=auth(world, "resident")).json()
    assert [v["plate"] for v in mine] == [PLATE]


def test_the_third_violation_in_30_days_suspends_the_card_but_not_over_31_days(client, world, seed):
    """At 31, 10 and 0 days ago the third counts only two in its 30 days: no suspension. One entered late (5 days ago)
    has 31 days ago outside its period: it is the third of its 30 days (10 and 5 days ago and itself), and suspends."""
    permit_id = prepare(seed, world)
    steps = [report(client, world, when=ago(d)).json()["step"] for d in (31, 10, 0)]
    assert steps == ["warning", "recorded", "recorded"]
    assert _permit_status(seed, permit_id) == "issued"
    fourth = report(client, world, when=ago(5)).json()
    assert (fourth["step"], fourth["ordinal"], fourth["suspended_permit_id"]) == ("suspension", 3, permit_id)
    assert _permit_status(seed, permit_id) == "suspended"
    corrected = client.post(f"{API}/violations/{fourth['id']}/correct", headers=auth(world, "parking-chair"))
    assert corrected.json()["status"] == "corrected"
    assert _permit_status(seed, permit_id) == "suspended"  # corrected still counts


def _at(moment: datetime) -> str:
    return moment.astimezone(TIMEZONE).isoformat()


def test_the_30_days_end_with_the_violation_and_include_exactly_30_days_before(client, world, seed):
    """The period is the 30 days up to and including the violation: exactly 30 days (720 h) before counts, 30 days
    and a minute before does not, and a violation observed after one never counts toward it."""
    permit_id = prepare(seed, world)
    now = local_now().replace(second=0, microsecond=0) - timedelta(hours=1)
    other = "浙B20001"  # no card: counted the same way
    assert report(client, world, plate=other, when=_at(now - timedelta(days=30, minutes=1))).json()["ordinal"] == 1
    assert report(client, world, plate=other, when=_at(now)).json()["ordinal"] == 1  # a minute too early: outside
    assert report(client, world, when=_at(now - timedelta(days=30))).json()["ordinal"] == 1
    on_edge = report(client, world, when=_at(now)).json()
    assert (on_edge["ordinal"], on_edge["step"]) == (2, "recorded")  # exactly 30 days before: inside
    assert _permit_status(seed, permit_id) == "issued"
    # Entered late, 29 days ago: the one "now" is after it and does not count toward it (ordinal 2) …
    late = report(client, world, when=_at(now - timedelta(days=29))).json()
    assert late["ordinal"] == 2
    # … but it makes "now" the third of its own 30 days (30 and 29 days before, itself): the card is suspended.
    assert (late["step"], late["suspended_permit_id"]) == ("suspension", permit_id)
    assert _permit_status(seed, permit_id) == "suspended"


def test_a_late_report_that_makes_a_later_violation_the_third_suspends(client, world, seed):
    """Violations 10 and 0 days ago are recorded; one 20 days ago is entered late. It is the first of its own 30 days,
    but the one 0 days ago now has three in its 30 days (20, 10, 0): the card is suspended."""
    permit_id = prepare(seed, world)
    assert [report(client, world, when=ago(d)).json()["ordinal"] for d in (10, 0.01)] == [1, 2]
    late = report(client, world, when=ago(20)).json()
    assert (late["ordinal"], late["step"]) == (1, "suspension")
    assert _permit_status(seed, permit_id) == "suspended"


def test_a_withdrawn_violation_lifts_the_suspension_it_caused(client, world, seed):
    """Three violations suspend the card; the owner disputes the third; mediation refers, the community withdraws it."""
    permit_id = prepare(seed, world)
    ids = [report(client, world, when=ago(d)).json()["id"] for d in (20, 10, 1)]
    assert _permit_status(seed, permit_id) == "suspended"
    by_stranger = client.post(
        f"{API}/violations/{ids[2]}/dispute", json={"reason": "不是我的车"}, headers=auth(world, "neighbour")
    )
    assert by_stranger.status_code == 403
    short = client.post(f"{API}/violations/{ids[2]}/dispute", json={"reason": "错"}, headers=auth(world, "resident"))
    assert short.status_code == 400 and "异议理由" in short.json()["detail"]
    disputed = client.post(
        f"{API}/violations/{ids[2]}/dispute",
        json={"reason": "当时车位被他人占用，临时停放五分钟"},
        headers=auth(world, "resident"),
    )
    assert disputed.json()["status"] == "disputed"
    not_staff = client.post(
        f"{API}/violations/{ids[2]}/decide", json={"outcome": "withdrawn"}, headers=auth(world, "parking-chair")
    )
    assert not_staff.status_code == 403
    referred = client.post(
        f"{API}/violations/{ids[2]}/decide",
        json={"outcome": "referred", "note": "双方未达成一致"},
        headers=auth(world, "worker"),
    )
    assert referred.json()["status"] == "referred"
    assert _permit_status(seed, permit_id) == "suspended"
    withdrawn = client.post(
        f"{API}/violations/{ids[2]}/decide",
        json={"outcome": "withdrawn", "note": "监控显示车位被占"},
        headers=auth(world, "worker"),
    )
    assert withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["suspension_lifted_at"] is not None
    assert _permit_status(seed, permit_id) == "issued"
    again = client.post(f"{API}/violations/{ids[2]}/decide", json={"outcome": "upheld"}, headers=auth(world, "worker"))
    assert again.status_code == 409
    # The withdrawn one no longer counts: the next violation is the third again and suspends.
    nxt = report(client, world).json()
    assert (nxt["ordinal"], nxt["step"]) == (3, "suspension")
    assert _permit_status(seed, permit_id) == "suspended"
