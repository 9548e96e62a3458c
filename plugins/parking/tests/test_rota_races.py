"""The rota's rules hold under parallel requests (a real server, SQLite and PostgreSQL): 10 patrollers volunteering
for 2 places get exactly 2; one patroller put on 10 overlapping shifts at once lands on exactly one."""

from __future__ import annotations

from datetime import timedelta

from core.plugin_api import utcnow
from core.testing.browser import serve
from core.testing.races import Call, fire
from plugins.parking.models_rota import ShiftAssignment
from plugins.parking.tests.rota_support import API, add_patrollers, count, put_shift


def test_ten_parallel_volunteers_for_two_places_get_exactly_two(app, world, seed):
    """A shift needing 2, ten patrollers volunteer at once from their phones: 2 taken (201), 8 refused as full (409),
    none 5xx; two places held, numbered 1 and 2."""
    names = [f"patroller-{i}" for i in range(10)]
    add_patrollers(seed, world, names)
    shift_id = put_shift(seed, world, utcnow() + timedelta(days=2), 2, needed=2)
    calls = [Call("POST", f"{API}/shifts/{shift_id}/volunteer", token=world.tokens[n]) for n in names]
    with serve(app) as url:
        responses = fire(url, calls)
    assert sorted(r.status_code for r in responses) == [201] * 2 + [409] * 8, [r.text[:200] for r in responses]
    assert all("已满" in r.json()["detail"] for r in responses if r.status_code == 409)
    assert count(seed, ShiftAssignment, ShiftAssignment.seat.is_not(None)) == 2
    assert count(seed, ShiftAssignment, ShiftAssignment.seat.in_((1, 2))) == 2


def test_one_patroller_put_on_ten_overlapping_shifts_at_once_lands_on_one(app, world, seed):
    """Ten shifts overlapping in time (each starting 10 minutes after the last, 2 hours long); the committee puts the
    same patroller on all ten at once: one succeeds, nine are refused as overlapping (409), none 5xx."""
    begins = utcnow() + timedelta(days=2)
    shifts = [put_shift(seed, world, begins + timedelta(minutes=10 * i), 2) for i in range(10)]
    calls = [
        Call(
            "POST",
            f"{API}/shifts/{shift_id}/assignments",
            json={"patroller_id": world.users["patroller"]},
            token=world.tokens["parking-chair"],
        )
        for shift_id in shifts
    ]
    with serve(app) as url:
        responses = fire(url, calls)
    assert sorted(r.status_code for r in responses) == [201] + [409] * 9, [r.text[:200] for r in responses]
    assert count(seed, ShiftAssignment, ShiftAssignment.seat.is_not(None)) == 1
