"""Logging in and out, password storage, and the admin password reset service."""

from __future__ import annotations

import asyncio
import re

import pytest
from sqlalchemy import select

from core.auth.admin import NotAllowedError, WeakPasswordError, reset_password
from core.auth.passwords import check_password_strength, hash_password, verify_password
from core.db import create_engine, session_factory
from core.models import User, WebSession
from core.testing import csrf_of, login
from core.testing.factories import PASSWORD, make_district, make_user
from tests.test_tokens import fresh_client

NEW_PASSWORD = "river-lantern-42"


@pytest.fixture
def people(seed):
    """haishu with a worker, a district admin and a platform admin; jiangbei with its own admin."""

    async def data(session):
        haishu = await make_district(session)
        jiangbei = await make_district(session, "jiangbei", "江北区")
        await make_user(session, "worker", district=haishu, roles=("community_worker",))
        await make_user(session, "hs-admin", district=haishu, roles=("district_admin",))
        await make_user(session, "jb-admin", district=jiangbei, roles=("district_admin",))
        await make_user(session, "root", platform_admin=True)

    seed(data)


def _post_login(client, username, password):
    token = csrf_of(client)
    return client.post(
        "/login", data={"username": username, "password": password, "_csrf_token": token}, follow_redirects=False
    )


def _user(seed, username):
    async def get(session):
        return (await session.execute(select(User).where(User.username == username))).scalar_one()

    return seed(get)


def test_login_page_is_a_form_with_csrf_field(client):
    """The login page shows a form with username, password and a CSRF field, in Chinese by default."""
    response = client.get("/login")
    assert response.status_code == 200
    assert 'name="username"' in response.text
    assert 'name="password"' in response.text
    assert 'name="_csrf_token"' in response.text
    assert "用户名" in response.text


def test_correct_password_logs_in_and_goes_to_next(client, people):
    """A right password logs in and goes to the local page named by ``next``."""
    token = csrf_of(client)
    response = client.post(
        "/login",
        data={"username": "worker", "password": PASSWORD, "_csrf_token": token, "next": "/me"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/me"
    assert client.get("/me").status_code == 200


def test_login_never_redirects_to_another_site(client, people):
    """A ``next`` pointing at another site is ignored: the user lands on our own start page."""
    token = csrf_of(client)
    response = client.post(
        "/login",
        data={"username": "worker", "password": PASSWORD, "_csrf_token": token, "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"


@pytest.mark.parametrize(
    "target",
    [
        "///evil.example",
        "//evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "/%2F/evil.example",
        "/%5Cevil.example",
        "/\t/evil.example",
        "https:evil.example",
        "javascript:alert(1)",
        "HTTPS://evil.example",
    ],
)
def test_login_next_is_only_a_path_of_this_site(client, people, target):
    """Every spelling of another site in ``next`` (///host, /\\host, encoded, control characters) lands on /."""
    token = csrf_of(client)
    response = client.post(
        "/login",
        data={"username": "worker", "password": PASSWORD, "_csrf_token": token, "next": target},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_username_is_not_case_sensitive(client, people):
    """Typing the username in capitals still logs in."""
    assert _post_login(client, "WORKER", PASSWORD).status_code == 303


def test_login_never_reveals_whether_a_username_exists(client, people, seed):
    """A wrong password, an unknown user and a deactivated user all get the very same answer."""

    async def deactivate(session):
        user = (await session.execute(select(User).where(User.username == "hs-admin"))).scalar_one()
        user.is_active = False

    seed(deactivate)
    wrong = _post_login(client, "worker", "not-the-password")
    unknown = _post_login(client, "nobody-here", "not-the-password")
    inactive = _post_login(client, "hs-admin", PASSWORD)
    assert wrong.status_code == unknown.status_code == inactive.status_code == 400
    for response in (wrong, unknown, inactive):
        assert "用户名或密码错误。" in response.text
    # Apart from the echoed username (and each form's one-time token), the three pages are identical.
    pairs = ((wrong, "worker"), (unknown, "nobody-here"), (inactive, "hs-admin"))
    strip = [re.sub(r'name="_form_token" value="[^"]*"', "", r.text.replace(name, "X")) for r, name in pairs]
    assert strip[0] == strip[1] == strip[2]
    assert "sanshe_session" not in wrong.headers.get("set-cookie", "")


def test_failed_login_keeps_the_username(client, people):
    """After a wrong password the form shows the username again, not the password."""
    response = _post_login(client, "worker", "not-the-password")
    assert 'value="worker"' in response.text
    assert "not-the-password" not in response.text


def test_empty_fields_get_a_clear_message(client, people):
    """Submitting an empty form asks for the username and password."""
    token = csrf_of(client)
    response = client.post("/login", data={"username": "", "password": "", "_csrf_token": token})
    assert response.status_code == 400
    assert "请输入用户名和密码。" in response.text


def test_logged_in_user_visiting_login_goes_home(client, people):
    """Opening the login page while logged in sends the user on instead of showing the form."""
    login(client, "worker")
    response = client.get("/login", follow_redirects=False)
    assert response.status_code == 303


def test_anonymous_user_is_sent_to_login(client):
    """A page that needs a login sends an anonymous visitor to the login form, remembering where they were."""
    response = client.get("/me", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/me"


def test_passwords_are_stored_as_argon2_hashes(people, seed):
    """The users table holds argon2id hashes, never the password itself."""
    user = _user(seed, "worker")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert verify_password(user.password_hash, PASSWORD)
    assert not verify_password(user.password_hash, PASSWORD + "x")


def test_verify_password_refuses_missing_or_broken_hash():
    """An account without a usable hash can never log in."""
    assert not verify_password("", "anything-at-all")
    assert not verify_password(None, "anything-at-all")
    assert not verify_password("not-a-hash", "anything-at-all")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "The password must have at least 8 characters."),
        ("aaaaaaaaaa", "The password is too simple: use more different characters."),
        ("password1", "This password is too common; choose another one."),
        ("worker-2026!", "The password must not contain the username."),
        (" leading-space", "The password must not start or end with a space."),
        ("x" * 300, "The password must have at most 256 characters."),
    ],
)
def test_weak_passwords_are_refused(password, message):
    """The strength check names what is wrong with a weak password."""
    assert check_password_strength(password, "worker") == message


def test_good_password_passes_the_strength_check():
    """A long passphrase that is not common and does not contain the username is accepted."""
    assert check_password_strength(NEW_PASSWORD, "worker") is None


def test_login_upgrades_an_old_hash(client, people, seed):
    """A hash made with weaker parameters is replaced by a current one at the next login."""
    from argon2 import PasswordHasher

    old = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)

    async def weaken(session):
        user = (await session.execute(select(User).where(User.username == "worker"))).scalar_one()
        user.password_hash = old

    seed(weaken)
    login(client, "worker")
    assert _user(seed, "worker").password_hash != old


# --- reset_password (used by the admin users page) ---------------------------------


def _run(database_url, func):
    async def runner():
        engine = create_engine(database_url)
        try:
            async with session_factory(engine)() as session:
                result = await func(session)
                await session.commit()
                return result
        finally:
            await engine.dispose()

    return asyncio.run(runner())


async def _by_name(session, username):
    return (await session.execute(select(User).where(User.username == username))).scalar_one()


def test_district_admin_resets_a_members_password_and_ends_their_sessions(client, settings, people, database_url):
    """A district admin's reset sets the new password and logs the member out everywhere."""
    member = client
    login(member, "worker")
    assert member.get("/me").status_code == 200

    async def reset(session):
        return await reset_password(
            session, await _by_name(session, "hs-admin"), await _by_name(session, "worker"), NEW_PASSWORD
        )

    assert _run(database_url, reset) == 1
    assert member.get("/me", follow_redirects=False).status_code == 303  # logged out
    with fresh_client(settings) as fresh:
        assert _post_login(fresh, "worker", PASSWORD).status_code == 400
    with fresh_client(settings) as fresh:
        assert _post_login(fresh, "worker", NEW_PASSWORD).status_code == 303

    async def remaining(session):
        user = await _by_name(session, "worker")
        return user.password_changed_at, (
            await session.execute(select(WebSession).where(WebSession.user_id == user.id))
        ).all()

    changed_at, sessions = _run(database_url, remaining)
    assert changed_at is not None
    assert len(sessions) == 1  # only the login just made


@pytest.mark.parametrize(
    ("actor", "target"),
    [("worker", "hs-admin"), ("jb-admin", "worker"), ("hs-admin", "root")],
    ids=["no-users-manage", "other-district", "platform-admin-target"],
)
def test_reset_password_is_refused_without_the_right(people, database_url, actor, target):
    """Only someone who manages the target's district may reset; nobody but a platform admin resets one."""

    async def attempt(session):
        target_user = await _by_name(session, target)
        before = target_user.password_hash
        with pytest.raises(NotAllowedError) as info:
            await reset_password(session, await _by_name(session, actor), target_user, NEW_PASSWORD)
        return before, target_user.password_hash, info.value.message

    before, after, message = _run(database_url, attempt)
    assert before == after
    assert message == "您没有执行此操作的权限。"


def test_platform_admin_may_reset_anyone(people, database_url):
    """A platform admin may reset the password of any account."""

    async def reset(session):
        target = await _by_name(session, "jb-admin")
        await reset_password(session, await _by_name(session, "root"), target, NEW_PASSWORD)
        return verify_password(target.password_hash, NEW_PASSWORD)

    assert _run(database_url, reset)


def test_reset_with_a_weak_password_changes_nothing(people, database_url):
    """A weak new password is refused with a clear message and the old password still works."""

    async def attempt(session):
        target = await _by_name(session, "worker")
        with pytest.raises(WeakPasswordError) as info:
            await reset_password(session, await _by_name(session, "hs-admin"), target, "short")
        return info.value.message, verify_password(target.password_hash, PASSWORD)

    message, still_old = _run(database_url, attempt)
    assert message == "密码至少需要 8 个字符。"
    assert still_old


def test_hash_password_is_salted():
    """Hashing the same password twice gives two different hashes."""
    assert hash_password(PASSWORD) != hash_password(PASSWORD)
