"""Login throttling per account and per IP address, with a clear message and the right password refused."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import update

from core.config import Settings, load_settings
from core.db import utcnow
from core.models import LoginAttempt
from core.testing import csrf_of
from core.testing.factories import PASSWORD, make_district, make_user

ACCOUNT_LIMIT = 3
IP_LIMIT = 6
LOCKED_ZH = "登录失败次数过多，请 15 分钟后再试。"


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    """Small limits so the tests stay short: 3 failures per account, 6 per IP, in 15 minutes."""
    base = Settings(database_url=database_url, secret_key="test-secret", var_dir=tmp_path / "var")
    return dataclasses.replace(
        base, login_max_failures_account=ACCOUNT_LIMIT, login_max_failures_ip=IP_LIMIT, login_window_seconds=900
    )


@pytest.fixture
def people(seed):
    """Two community workers of haishu."""

    async def data(session):
        district = await make_district(session)
        await make_user(session, "worker", district=district, roles=("community_worker",))
        await make_user(session, "social", district=district, roles=("social_worker",))

    seed(data)


def _login(client, username, password):
    token = csrf_of(client)
    return client.post(
        "/login", data={"username": username, "password": password, "_csrf_token": token}, follow_redirects=False
    )


def _fail(client, username, times):
    for _ in range(times):
        assert _login(client, username, "wrong-password").status_code == 400


def test_account_is_locked_after_too_many_failures(client, people):
    """After 3 wrong passwords the account is locked: even the right password gets 429 and the wait."""
    _fail(client, "worker", ACCOUNT_LIMIT)
    response = _login(client, "worker", PASSWORD)
    assert response.status_code == 429
    assert LOCKED_ZH in response.text
    assert "sanshe_session" not in response.headers.get("set-cookie", "")


def test_other_accounts_are_not_locked_by_one_accounts_failures(client, people):
    """Failures on one account do not lock a colleague (below the IP limit)."""
    _fail(client, "worker", ACCOUNT_LIMIT)
    assert _login(client, "social", PASSWORD).status_code == 303


def test_ip_is_locked_after_too_many_failures_across_accounts(client, people):
    """Guessing across many usernames from one address locks that address, for every account."""
    for name in ("alice", "bob", "carol"):
        _fail(client, name, 2)  # below the per-account limit each time
    response = _login(client, "worker", PASSWORD)
    assert response.status_code == 429
    assert LOCKED_ZH in response.text


def test_unknown_usernames_are_throttled_like_real_ones(client, people):
    """A locked unknown username reads exactly like a locked real one (no way to probe for accounts)."""
    _fail(client, "worker", ACCOUNT_LIMIT)
    real = _login(client, "worker", "wrong-password")
    client.cookies.clear()
    _fail(client, "ghost", ACCOUNT_LIMIT)
    ghost = _login(client, "ghost", "wrong-password")
    assert real.status_code == ghost.status_code == 429
    assert LOCKED_ZH in real.text
    assert LOCKED_ZH in ghost.text


def test_successful_login_clears_the_accounts_failures(client, people):
    """Logging in correctly forgets earlier failures of that account."""
    _fail(client, "worker", ACCOUNT_LIMIT - 1)
    assert _login(client, "worker", PASSWORD).status_code == 303
    client.cookies.clear()
    _fail(client, "worker", ACCOUNT_LIMIT - 1)
    assert _login(client, "worker", PASSWORD).status_code == 303


def test_lock_ends_when_the_failures_leave_the_window(client, people, seed):
    """Once the failures are older than the window, the right password works again."""
    _fail(client, "worker", ACCOUNT_LIMIT)
    assert _login(client, "worker", PASSWORD).status_code == 429

    async def age(session):
        await session.execute(update(LoginAttempt).values(attempted_at=utcnow() - timedelta(minutes=16)))

    seed(age)
    assert _login(client, "worker", PASSWORD).status_code == 303


def test_message_counts_down_the_minutes_left(client, people, seed):
    """The message says how many minutes remain until the oldest failure expires."""
    _fail(client, "worker", ACCOUNT_LIMIT)

    async def age(session):
        await session.execute(update(LoginAttempt).values(attempted_at=utcnow() - timedelta(minutes=10)))

    seed(age)
    response = _login(client, "worker", PASSWORD)
    assert "登录失败次数过多，请 5 分钟后再试。" in response.text


def test_username_case_does_not_bypass_the_lock(client, people):
    """Typing the username in capitals counts against the same account."""
    _fail(client, "worker", 2)
    _fail(client, "WORKER", 1)
    assert _login(client, "Worker", PASSWORD).status_code == 429


def test_wrong_current_password_on_profile_counts_as_a_failed_login(client, people):
    """Guessing the current password on the profile page is throttled like the login form."""
    assert _login(client, "worker", PASSWORD).status_code == 303
    for _ in range(ACCOUNT_LIMIT):
        token = csrf_of(client, "/me")
        response = client.post(
            "/me/password",
            data={
                "current_password": "guess-guess",
                "new_password": "river-lantern-42",
                "new_password_repeat": "river-lantern-42",
                "_csrf_token": token,
            },
        )
        assert response.status_code == 400
    token = csrf_of(client, "/me")
    response = client.post(
        "/me/password",
        data={
            "current_password": PASSWORD,
            "new_password": "river-lantern-42",
            "new_password_repeat": "river-lantern-42",
            "_csrf_token": token,
        },
    )
    assert response.status_code == 429
    assert LOCKED_ZH in response.text


def test_limits_come_from_sanshe_settings(monkeypatch, tmp_path):
    """``SANSHE_LOGIN_MAX_FAILURES_ACCOUNT``, ``..._IP`` and ``SANSHE_LOGIN_WINDOW_SECONDS`` change the limits."""
    monkeypatch.setenv("SANSHE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("SANSHE_SECRET_KEY", "k")
    monkeypatch.setenv("SANSHE_LOGIN_MAX_FAILURES_ACCOUNT", "7")
    monkeypatch.setenv("SANSHE_LOGIN_MAX_FAILURES_IP", "70")
    monkeypatch.setenv("SANSHE_LOGIN_WINDOW_SECONDS", "600")
    settings = load_settings()
    assert (settings.login_max_failures_account, settings.login_max_failures_ip, settings.login_window_seconds) == (
        7,
        70,
        600,
    )


def test_default_limits():
    """By default: 5 failures per account and 20 per IP address within 15 minutes."""
    settings = Settings(database_url="sqlite+aiosqlite://", secret_key="k", var_dir=None)  # type: ignore[arg-type]
    assert (settings.login_max_failures_account, settings.login_max_failures_ip, settings.login_window_seconds) == (
        5,
        20,
        900,
    )
