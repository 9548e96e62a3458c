"""CSRF: every unsafe request from a browser must carry the page's token, or nothing happens."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from core.auth.middleware import ANON_CSRF_COOKIE, LANG_COOKIE
from core.auth.passwords import verify_password
from core.auth.sessions import COOKIE_NAME
from core.models import User, WebSession
from core.testing import csrf_of, login
from core.testing.apps import lease
from core.testing.factories import PASSWORD, make_district, make_user
from tests.test_tokens import add_probe, fresh_client

REFUSED_ZH = "表单已过期或缺少安全令牌。请刷新页面后重试。"
REFUSED_EN = "The form has expired or the security token is missing. Reload the page and try again."
NEW_PASSWORD = "river-lantern-42"


@pytest.fixture
def worker(seed):
    """A community worker of haishu."""

    async def data(session):
        district = await make_district(session)
        await make_user(session, "worker", district=district, roles=("community_worker",))

    seed(data)


def _password_still(seed, password: str) -> bool:
    async def check(session):
        user = (await session.execute(select(User).where(User.username == "worker"))).scalar_one()
        return verify_password(user.password_hash, password)

    return seed(check)


def _change(client: TestClient, **extra: str):
    data = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_repeat": NEW_PASSWORD, **extra}
    return client.post("/me/password", data=data, follow_redirects=False)


def test_post_without_token_is_refused_and_changes_nothing(client, worker, seed):
    """A password change posted without the CSRF field is refused with 403 and the Chinese message."""
    login(client, "worker")
    response = _change(client)
    assert response.status_code == 403
    assert REFUSED_ZH in response.text
    assert response.headers["content-type"].startswith("text/html")  # a page with a way back, not bare text
    assert "返回首页" in response.text
    assert _password_still(seed, PASSWORD)
    assert not _password_still(seed, NEW_PASSWORD)


def test_post_with_wrong_token_is_refused_and_changes_nothing(client, worker, seed):
    """A forged CSRF token (another valid-looking value) is refused just the same."""
    login(client, "worker")
    response = _change(client, _csrf_token="forged-" + "x" * 40)
    assert response.status_code == 403
    assert REFUSED_ZH in response.text
    assert _password_still(seed, PASSWORD)


def test_token_of_another_session_is_refused(client, settings, worker, seed):
    """The token of one session does not work for another (tokens are per session)."""
    with fresh_client(settings) as theirs:
        mine = client
        login(mine, "worker")
        login(theirs, "worker")
        response = _change(mine, _csrf_token=csrf_of(theirs, "/me"))
        assert response.status_code == 403
    assert _password_still(seed, PASSWORD)


def test_post_with_the_page_token_goes_through(client, worker, seed):
    """With the token from the page the same request is accepted."""
    login(client, "worker")
    response = _change(client, _csrf_token=csrf_of(client, "/me"))
    assert response.status_code == 303
    assert _password_still(seed, NEW_PASSWORD)


def test_header_token_is_accepted(client, worker):
    """htmx sends the token as the ``X-CSRFToken`` header (from ``<body hx-headers>``), which is enough."""
    login(client, "worker")
    token = csrf_of(client, "/me")
    assert f'hx-headers=\'{{"x-csrftoken": "{token}"}}\'' in client.get("/me").text
    response = client.post("/me/tokens", data={"name": "htmx", "district": "haishu"}, headers={"X-CSRFToken": token})
    assert response.status_code == 201


def test_login_form_needs_the_token_too(client, worker, seed):
    """Even the login form is protected: posted without its token it is refused and nobody is logged in."""
    client.get("/login")
    response = client.post("/login", data={"username": "worker", "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 403
    assert REFUSED_ZH in response.text
    assert COOKIE_NAME not in response.headers.get("set-cookie", "")

    async def sessions(session):
        return (await session.execute(select(WebSession))).all()

    assert seed(sessions) == []


def test_anonymous_token_lives_in_its_own_cookie(client):
    """An anonymous visitor gets a CSRF cookie that matches the token in the form (double submit)."""
    response = client.get("/login")
    assert client.cookies.get(ANON_CSRF_COOKIE) == csrf_of(client)
    assert "httponly" in response.headers["set-cookie"].lower()


def test_logout_without_token_is_refused(client, worker):
    """A cross-site POST to /logout cannot log the user out."""
    login(client, "worker")
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert client.get("/me", follow_redirects=False).status_code == 200


def test_refusal_is_in_english_for_english_users(client, worker):
    """Someone who chose English reads the refusal in English."""
    login(client, "worker")
    client.cookies.set(LANG_COOKIE, "en", domain="testserver.local")
    response = _change(client)
    assert response.status_code == 403
    assert REFUSED_EN in response.text


def test_browser_session_api_write_without_token_is_refused(settings, worker):
    """An unsafe API request made with the browser session and no CSRF token gets 403 in JSON."""
    with TestClient(app=lease(settings, extend=add_probe)) as client:
        login(client, "worker")
        response = client.post("/api/v1/districts/haishu/probe")
        assert response.status_code == 403
        assert response.json()["detail"] == REFUSED_ZH
        token = csrf_of(client, "/me")
        accepted = client.post("/api/v1/districts/haishu/probe", headers={"X-CSRFToken": token})
        assert accepted.status_code == 201


def test_safe_requests_need_no_token(client, worker):
    """Reading pages (GET) never asks for a token."""
    login(client, "worker")
    assert client.get("/me").status_code == 200
    assert client.get("/api/v1/me").status_code == 200
