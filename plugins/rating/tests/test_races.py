"""One rating per delivery holds when 10 ratings of it arrive at once (a real server, 10 parallel clients)."""

from __future__ import annotations

from sqlalchemy import func, select

from core.testing.browser import serve
from core.testing.races import Call, fire
from plugins.rating.models import FollowUp, Rating
from plugins.rating.tests.support import delivered


def test_ten_ratings_of_one_delivery_at_once_keep_one(app, world, as_user, seed):
    """10 staff-entered 1-star ratings of the same delivery sent together: one 201, nine 409, no 5xx; one
    rating and one follow-up in the database."""

    async def make(ctx):
        return (await delivered(ctx, world.youth, world.li)).id

    did = as_user("worker", make)
    path = f"/api/v1/districts/haishu/rating/deliveries/{did}/rating"
    calls = [Call("POST", path, json={"stars": 1, "channel": "paper"}, token=world.tokens["worker"]) for _ in range(10)]
    with serve(app) as url:
        responses = fire(url, calls)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 9, [r.text[:200] for r in responses]

    async def counts(session):
        ratings = (await session.execute(select(func.count()).select_from(Rating))).scalar_one()
        follow_ups = (await session.execute(select(func.count()).select_from(FollowUp))).scalar_one()
        return ratings, follow_ups

    assert seed(counts) == (1, 1)
