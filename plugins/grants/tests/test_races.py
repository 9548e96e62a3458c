"""Under load, on a real server: 20 reviewers each submit twice at the same moment (20 reviews, each second
submission refused); staff pressing "assign automatically" / "assign by pool" six times at once (each
application gets exactly its number of reviewers, nobody twice: the district's open calls are locked)."""

from __future__ import annotations

from sqlalchemy import func, select

from core.db import for_district
from core.testing.browser import serve
from core.testing.races import Call, fire
from plugins.grants.models import Assignment, Review
from plugins.grants.tests.support import add_application, build_world

API = "/api/v1/districts/haishu/grants"


def test_twenty_reviewers_submitting_at_once(app, seed):
    """40 submissions at once (20 reviewers × 2): exactly 20 succeed, 20 answer 409, none 5xx; 20 rows."""
    world = seed(lambda s: build_world(s, reviewers=20))
    app_id = seed(lambda s: add_application(s, world, org="removed"))

    async def assign(session):
        from core.models import District

        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        for_district(session, district.id)
        session.add_all(Assignment(application_id=app_id, reviewer_id=world.users[f"r{i}"]) for i in range(1, 21))
        await session.flush()
        for_district(session, None)

    seed(assign)
    c1, c2, c3 = (str(c) for c in world.criteria)
    calls = [
        Call(
            "PUT",
            f"{API}/applications/{app_id}/review",
            json={"scores": {c1: i % 11, c2: None, c3: 3}, "submit": True},
            token=world.tokens[f"r{i}"],
        )
        for i in range(1, 21)
        for _twice in range(2)
    ]
    with serve(app) as url:
        responses = fire(url, calls)
    statuses = sorted(r.status_code for r in responses)
    assert [s for s in statuses if s >= 500] == [], [r.text[:200] for r in responses if r.status_code >= 500]
    assert statuses.count(200) == 20, [r.text[:200] for r in responses]
    assert statuses.count(409) == 20

    async def counts(session):
        total = (await session.execute(select(func.count(Review.id)))).scalar_one()
        submitted = (
            await session.execute(select(func.count(Review.id)).where(Review.submitted_at.is_not(None)))
        ).scalar_one()
        reviewers = (await session.execute(select(func.count(func.distinct(Review.reviewer_id))))).scalar_one()
        return total, submitted, reviewers

    assert seed(counts) == (20, 20, 20)


def _assignments_per_application(seed, call_id):
    async def read(session):
        from plugins.grants.models import Application

        rows = await session.execute(
            select(Assignment.application_id, func.count(Assignment.id))
            .join(Application, Application.id == Assignment.application_id)
            .where(Application.call_id == call_id)
            .group_by(Assignment.application_id)
        )
        per_reviewer = await session.execute(
            select(Assignment.reviewer_id, func.count(Assignment.id)).group_by(Assignment.reviewer_id)
        )
        return sorted(n for _a, n in rows.tuples()), sorted(n for _r, n in per_reviewer.tuples())

    return seed(read)


def test_staff_pressing_auto_assign_at_once(app, seed):
    """Six "assign automatically" at the same moment (two reviewers per application, five applications, four
    reviewers without conflicts): every one answers 200, ten assignments in all, each application exactly
    two, loads 3/3/2/2 — nobody assigned twice, no application over its number."""
    world = seed(lambda s: build_world(s, reviewers=4))
    for i in range(5):
        seed(lambda s, i=i: add_application(s, world, org="group", title=f"项目{i}"))
    calls = [Call("POST", f"{API}/calls/{world.call}/auto-assign", token=world.tokens["staff"]) for _ in range(6)]
    with serve(app) as url:
        responses = fire(url, calls)
    assert [r.status_code for r in responses] == [200] * 6, [r.text[:200] for r in responses]
    assert sum(r.json()["added"] for r in responses) == 10
    assert _assignments_per_application(seed, world.call) == ([2] * 5, [2, 2, 3, 3])


def test_staff_pressing_assign_by_pool_at_once(app, client, seed):
    """Six "assign by pool" at the same moment (three experts, two per application, five applications):
    ten assignments in all, each application exactly two, loads 4/3/3."""
    world = seed(lambda s: build_world(s, reviewers=4))
    staff = {"Authorization": f"Bearer {world.tokens['staff']}"}
    for user in ("r1", "r3", "r4"):
        client.put(f"{API}/pools", json={"user_id": world.users[user], "pool": "expert"}, headers=staff)
    client.put(f"{API}/calls/{world.call}/setup", json={"pool_quota": {"expert": 2}}, headers=staff)
    for i in range(5):
        seed(lambda s, i=i: add_application(s, world, org="group", title=f"项目{i}"))
    calls = [Call("POST", f"{API}/calls/{world.call}/auto-assign-pools", token=world.tokens["staff"]) for _ in range(6)]
    with serve(app) as url:
        responses = fire(url, calls)
    assert [r.status_code for r in responses] == [200] * 6, [r.text[:200] for r in responses]
    assert sum(r.json()["assigned"] for r in responses) == 10
    assert _assignments_per_application(seed, world.call) == ([2] * 5, [3, 3, 4])
