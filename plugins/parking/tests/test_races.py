"""The pool and the one-permit-per-plate rule hold under 20 parallel applications (a real server, both backends)."""

from __future__ import annotations

from sqlalchemy import func, select

from core.testing.browser import serve
from core.testing.races import Call, fire
from plugins.parking.models import Permit
from plugins.parking.models_patrols import Violation
from plugins.parking.tests.patrol_support import PLATE, PNG, prepare
from plugins.parking.tests.support import add_households, adopt_convention, haishu

API = "/api/v1/districts/haishu/parking"


def _count(seed, status: str) -> int:
    async def run(session):
        await haishu(session)
        return (await session.execute(select(func.count()).where(Permit.status == status))).scalar_one()

    return seed(run)


def test_twenty_parallel_applications_never_overfill_the_pool(app, world, seed):
    """3 pool spaces, 20 households apply at once at the window: 3 applied, 17 waiting in order, none 5xx."""
    seed(lambda s: adopt_convention(s, world))
    ids = seed(lambda s: add_households(s, world, [("80.00", (f"浙C{70000 + i}",)) for i in range(20)]))
    calls = [
        Call(
            "POST",
            f"{API}/estates/{world.estate}/permits",
            json={"household_id": h, "plate": f"浙C{70000 + i}", "channel": "window"},
            token=world.tokens["worker"],
        )
        for i, h in enumerate(ids)
    ]
    with serve(app) as url:
        responses = fire(url, calls)
    assert sorted(r.status_code for r in responses) == [201] * 20, [r.text[:200] for r in responses]
    assert [r.json()["status"] for r in responses].count("applied") == 3
    assert _count(seed, "applied") == 3
    assert _count(seed, "waiting") == 17


def test_one_plate_applied_for_twenty_times_at_once_gets_one_permit(app, world, seed):
    """The same plate 20 times in parallel: one application, 19 refused (409), none 5xx."""
    seed(lambda s: adopt_convention(s, world))
    calls = [
        Call(
            "POST",
            f"{API}/estates/{world.estate}/permits",
            json={"household_id": world.households[1], "plate": "浙B20001", "channel": "window"},
            token=world.tokens["worker"],
        )
        for _ in range(20)
    ]
    with serve(app) as url:
        responses = fire(url, calls)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 19, [r.text[:200] for r in responses]
    assert _count(seed, "applied") == 1


def test_ten_parallel_violation_reports_of_one_plate_suspend_its_card_once(app, world, seed):
    """10 patrol reports of one plate at once: ordinals 1…10 each once, one warning, exactly one suspension."""

    permit_id = prepare(seed, world)
    body = {"plate": PLATE, "place": "6 幢消防通道", "photo_name": "car.png", "photo_base64": PNG}
    calls = [
        Call("POST", f"{API}/estates/{world.estate}/violations", json=body, token=world.tokens["patroller"])
        for _ in range(10)
    ]
    with serve(app) as url:
        responses = fire(url, calls)
    assert sorted(r.status_code for r in responses) == [201] * 10, [r.text[:200] for r in responses]
    assert sorted(r.json()["ordinal"] for r in responses) == list(range(1, 11))
    assert [r.json()["step"] for r in responses].count("warning") == 1
    assert [r.json()["step"] for r in responses].count("suspension") == 1

    async def stored(session):
        await haishu(session)
        rows = list((await session.execute(select(Violation))).scalars())
        permit = await session.get(Permit, permit_id)
        return [v.suspended_permit_id for v in rows if v.suspended_permit_id], permit.status, len(rows)

    suspended_by, status, count = seed(stored)
    assert (suspended_by, status, count) == ([permit_id], "suspended", 10)
