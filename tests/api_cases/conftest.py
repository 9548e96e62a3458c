"""Clients of the case API: people of 海曙区 logged in through the browser session, or holding tokens."""

from __future__ import annotations

from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from core.auth.tokens import create_token
from core.models import District, User
from core.testing import csrf_of, login
from tests.cases.conftest import RESIDENT_REQUEST, world  # noqa: F401 - a fixture

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

API = "/api/v1/districts/haishu"


@pytest.fixture
def api(app: Any) -> Iterator[Callable[[str], TestClient[Any]]]:
    """``api(name)``: a client logged in as ``name`` through the login form, sending the CSRF header."""
    with ExitStack() as stack:

        def make(username: str) -> TestClient[Any]:
            client = stack.enter_context(TestClient(app=app))
            login(client, username)
            client.headers.update({"x-csrftoken": csrf_of(client, "/me")})
            return client

        yield make


@pytest.fixture
def token_for(seed: Any) -> Callable[[str, str], str]:
    """``token_for(name, district_code)``: a new personal API token of that user for that district."""

    def make(username: str, code: str = "haishu") -> str:
        async def run(session: Any) -> str:
            user = (await session.execute(select(User).where(User.username == username))).scalar_one()
            district = (await session.execute(select(District).where(District.code == code))).scalar_one()
            raw, _row = await create_token(session, user, district.id, "测试")
            return raw

        return str(seed(run))

    return make


def new_request(client: TestClient[Any], **data: Any) -> dict[str, Any]:
    """Create a 居民诉求 over the API and return the case JSON (fails the test on an error)."""
    body = {
        "type": "resident_request",
        "title": data.pop("title", "楼道垃圾无人清理"),
        "channel": data.pop("channel", "phone"),
        "data": {**RESIDENT_REQUEST, **data},
    }
    response = client.post(f"{API}/cases", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())
