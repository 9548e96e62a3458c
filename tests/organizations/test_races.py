"""Uniqueness under parallel requests: the same credit code (or name) sent at once is registered once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import func, select

from core.models.organizations import Organization
from tests.organizations.conftest import NEW_CODE

API = "/api/v1/districts/haishu/organizations"
PARALLEL = 4


def fire(app: Any, browser: Any, bodies: list[dict[str, Any]]) -> list[Any]:
    """POST each body at the same moment from its own client (same logged-in session)."""
    template = browser("u-district_admin")
    barrier = threading.Barrier(len(bodies))
    with ExitStack() as stack:
        clients = []
        for _ in bodies:
            client = stack.enter_context(TestClient(app=app))
            client.cookies.update(template.cookies)
            client.headers.update({"x-csrftoken": template.headers["x-csrftoken"]})
            client.get("/healthz")  # the client's event loop is up before the race starts
            clients.append(client)

        def post(pair: tuple[TestClient[Any], dict[str, Any]]) -> Any:
            client, body = pair
            barrier.wait()
            return client.post(API, json=body)

        with ThreadPoolExecutor(len(bodies)) as pool:
            return list(pool.map(post, zip(clients, bodies, strict=True)))


def codes_in_db(seed: Any, code: str) -> int:
    async def run(session):
        return (
            await session.execute(
                select(func.count()).select_from(Organization).where(Organization.credit_code == code)
            )
        ).scalar_one()

    return seed(run)


def test_parallel_creation_of_one_credit_code(app, browser, world, seed):
    """Four requests registering the same code under different names: one 201, the others 409, one row."""
    bodies = [
        {"name": f"并发组织{i}", "kind": "registered", "registered_type": "social_service", "credit_code": NEW_CODE}
        for i in range(PARALLEL)
    ]
    responses = fire(app, browser, bodies)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (PARALLEL - 1), [r.text for r in responses]
    for response in responses:
        if response.status_code == 409:
            assert "统一社会信用代码" in response.json()["extra"]["errors"]["credit_code"]
    assert codes_in_db(seed, NEW_CODE) == 1


def test_parallel_creation_of_one_name(app, browser, world, seed):
    """Four requests adding the same name at once: exactly one organization of that name exists."""
    bodies = [{"name": "同名并发团队", "kind": "informal"} for _ in range(PARALLEL)]
    responses = fire(app, browser, bodies)
    assert sorted(r.status_code for r in responses) == [201] + [409] * (PARALLEL - 1)

    async def run(session):
        return (
            await session.execute(
                select(func.count()).select_from(Organization).where(Organization.name == "同名并发团队")
            )
        ).scalar_one()

    assert seed(run) == 1
