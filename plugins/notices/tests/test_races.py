"""The limit of pinned notices holds when several are pinned at once (a real server, 10 parallel clients)."""

from __future__ import annotations

from sqlalchemy import func, select

from core.testing.browser import serve
from core.testing.races import Call, fire
from plugins.notices.models import Notice

API = "/api/v1/districts/haishu/notices"


def test_parallel_pinned_notices_never_pass_the_limit(app, world, seed):
    """At most 3 pinned (1 already); 10 pinned notices posted at once: 2 published pinned, 8 refused, none 5xx."""
    calls = [
        Call(
            "POST",
            API,
            json={"title": f"停水通知 {i}", "body": "周五停水。", "pinned": True},
            token=world.tokens["worker"],
        )
        for i in range(10)
    ]
    with serve(app) as url:
        responses = fire(url, calls)
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 2, [r.text[:200] for r in responses]
    assert [s for s in statuses if s >= 500] == []
    assert sum("最多只能置顶" in r.text or "At most 3" in r.text for r in responses) == 8

    async def pinned(session):
        return (await session.execute(select(func.count()).where(Notice.pinned.is_(True)))).scalar_one()

    assert seed(pinned) == 3
