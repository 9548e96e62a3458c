"""One review per reviewer per application, under load: 20 reviewers each submit twice at the same moment
(a real server, 40 parallel requests): 20 reviews, each reviewer's second submission refused."""

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
