"""Server-side sessions: rotation at login, logout, expiry, only hashes at rest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy import select, update

from core.auth.sessions import COOKIE_NAME, hash_id
from core.db import utcnow
from core.models import WebSession
from core.testing import csrf_of, login
from core.testing.factories import PASSWORD, make_district, make_user
from tests.test_tokens import fresh_client


@pytest.fixture
def worker(seed):
    """A community worker of haishu."""

    async def data(session):
        district = await make_district(session)
        await make_user(session, "worker", district=district, roles=("community_worker",))

    seed(data)


def _logged_in(client: TestClient) -> bool:
    return client.get("/me", follow_redirects=False).status_code == 200


def _with_cookie(settings, value: str) -> TestClient:
    client = fresh_client(settings)
    client.cookies.set(COOKIE_NAME, value, domain="testserver.local")
    return client


def test_login_sets_an_httponly_samesite_cookie(client, worker):
    """The session cookie cannot be read by scripts and is not sent on cross-site posts."""
    token = csrf_of(client)
    response = client.post(
        "/login", data={"username": "worker", "password": PASSWORD, "_csrf_token": token}, follow_redirects=False
    )
    cookie = response.headers["set-cookie"].lower()
    assert f"{COOKIE_NAME}=" in cookie
    assert "httponly" in cookie
    assert "samesite=lax" in cookie


def test_session_id_is_rotated_at_login(settings, client, worker):
    """Logging in again gives a new session id, and the old one no longer opens any page."""
    login(client, "worker")
    before = client.cookies.get(COOKIE_NAME)
    assert before
    token = csrf_of(client, "/me")
    response = client.post(
        "/login", data={"username": "worker", "password": PASSWORD, "_csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    after = client.cookies.get(COOKIE_NAME)
    assert after and after != before
    assert _logged_in(client)
    with _with_cookie(settings, before) as old:
        assert old.get("/me", follow_redirects=False).status_code == 303  # to the login page


def test_a_planted_session_cookie_is_replaced_at_login(settings, worker):
    """A session id an attacker plants before login is not the one the user ends up with (fixation)."""
    with fresh_client(settings) as attacker:
        login(attacker, "worker")
        planted = attacker.cookies.get(COOKIE_NAME)
    with _with_cookie(settings, planted) as victim:
        token = csrf_of(victim, "/me")
        victim.post(
            "/login", data={"username": "worker", "password": PASSWORD, "_csrf_token": token}, follow_redirects=False
        )
        assert victim.cookies.get(COOKIE_NAME) != planted
    with _with_cookie(settings, planted) as again:
        assert not _logged_in(again)


def test_the_database_stores_only_a_hash_of_the_session_id(client, worker, seed):
    """A copy of the sessions table is no use for hijacking: it holds SHA-256 digests, not the ids."""
    login(client, "worker")
    raw = client.cookies.get(COOKIE_NAME)

    async def ids(session):
        return list((await session.execute(select(WebSession.id_hash))).scalars())

    stored = seed(ids)
    assert raw not in stored
    assert hash_id(raw) in stored


def test_logout_ends_the_session(settings, client, worker, seed):
    """After logging out, the page says so, and the old cookie value no longer works anywhere."""
    login(client, "worker")
    raw = client.cookies.get(COOKIE_NAME)
    page = client.get("/logout")
    assert "确定退出三社系统吗？" in page.text
    token = csrf_of(client, "/logout")
    response = client.post("/logout", data={"_csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert not _logged_in(client)
    with _with_cookie(settings, raw) as replay:
        assert not _logged_in(replay)

    async def count(session):
        return len((await session.execute(select(WebSession).where(WebSession.id_hash == hash_id(raw)))).all())

    assert seed(count) == 0


def test_opening_the_logout_page_does_not_log_out(client, worker):
    """Logging out changes state, so merely visiting /logout (a link, a prefetch) keeps the session."""
    login(client, "worker")
    assert client.get("/logout").status_code == 200
    assert _logged_in(client)


def test_expired_session_is_not_accepted(client, worker, seed):
    """A session past its expiry time is treated as logged out."""
    login(client, "worker")
    raw = client.cookies.get(COOKIE_NAME)

    async def expire(session):
        await session.execute(
            update(WebSession)
            .where(WebSession.id_hash == hash_id(raw))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )

    seed(expire)
    assert not _logged_in(client)


def test_garbage_cookie_is_ignored(settings, worker):
    """A made-up or oversized session cookie just means "not logged in", never an error."""
    for value in ("nonsense", "x" * 5000):
        with _with_cookie(settings, value) as client:
            response = client.get("/me", follow_redirects=False)
            assert response.status_code == 303


def test_two_browsers_have_independent_sessions(settings, worker):
    """Logging out in one browser leaves the user's other browser logged in."""
    with fresh_client(settings) as first, fresh_client(settings) as second:
        login(first, "worker")
        login(second, "worker")
        token = csrf_of(first, "/logout")
        first.post("/logout", data={"_csrf_token": token})
        assert not _logged_in(first)
        assert _logged_in(second)
