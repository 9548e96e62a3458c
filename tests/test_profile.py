"""The profile page /me: who I am, my districts and roles, changing my password."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.auth.passwords import verify_password
from core.models import User
from core.testing import csrf_of, login
from core.testing.factories import PASSWORD, make_district, make_org_unit, make_user
from tests.test_tokens import fresh_client

NEW_PASSWORD = "river-lantern-42"


@pytest.fixture
def people(seed):
    """``worker`` is a community worker of 平桥社区 in haishu and a resident of jiangbei."""

    async def data(session):
        from core.models import Membership, OrgUnitKind
        from core.rbac import bump_policy_version

        haishu = await make_district(session)
        jiangbei = await make_district(session, "jiangbei", "江北区")
        unit = await make_org_unit(session, haishu, "pingqiao", "平桥社区", OrgUnitKind.COMMUNITY)
        user = await make_user(session, "worker", district=haishu, roles=("community_worker",), org_unit=unit)
        session.add(Membership(user_id=user.id, district_id=jiangbei.id, role_key="resident"))
        await session.flush()
        await bump_policy_version(session, jiangbei)

    seed(data)


def _change(client, current=PASSWORD, new=NEW_PASSWORD, repeat=NEW_PASSWORD):
    token = csrf_of(client, "/me")
    return client.post(
        "/me/password",
        data={"current_password": current, "new_password": new, "new_password_repeat": repeat, "_csrf_token": token},
        follow_redirects=False,
    )


def _error_of(html: str, field: str) -> str:
    match = re.search(rf'<small id="{field}-error" class="field-error">([^<]*)</small>', html)
    return match.group(1) if match else ""


def _value_of(html: str, field: str) -> str:
    match = re.search(rf'<input id="{field}"[^>]*value="([^"]*)"', html)
    return match.group(1) if match else ""


def _password_is(seed, password):
    async def check(session):
        user = (await session.execute(select(User).where(User.username == "worker"))).scalar_one()
        return verify_password(user.password_hash, password)

    return seed(check)


def test_profile_needs_a_login(client):
    """An anonymous visitor to /me is sent to the login page."""
    response = client.get("/me", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_profile_shows_user_districts_and_roles(client, people):
    """The page shows the username, each district with the role's Chinese name and the org unit."""
    login(client, "worker")
    page = client.get("/me").text
    assert "我的账户" in page
    assert "worker" in page
    assert "海曙区" in page and "社区工作者" in page and "平桥社区" in page
    assert "江北区" in page and "居民" in page and "全区" in page


def test_profile_page_is_never_cached(client, people):
    """The profile page (it may show a new token) tells caches not to store it."""
    login(client, "worker")
    assert "no-store" in client.get("/me").headers["cache-control"]


def test_htmx_request_gets_only_the_content(client, people):
    """An htmx request for /me gets the page's main block, not the whole layout."""
    login(client, "worker")
    response = client.get("/me", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "修改密码" in response.text


def test_change_password_ends_other_sessions_only(settings, client, people, seed):
    """Changing the password keeps this browser logged in, logs out the others, and says so."""
    with fresh_client(settings) as phone:
        login(phone, "worker")
        login(client, "worker")
        response = _change(client)
        assert response.status_code == 303
        page = client.get("/me").text
        assert "密码已修改。" in page
        assert "其他设备上的登录已全部退出（共 1 个会话）。" in page
        assert phone.get("/me", follow_redirects=False).status_code == 303
    assert client.get("/me").status_code == 200
    assert "密码已修改。" not in client.get("/me").text  # the notice is shown once
    assert _password_is(seed, NEW_PASSWORD)


def test_new_password_works_and_old_one_does_not(settings, client, people):
    """After the change, logging in works with the new password only."""
    login(client, "worker")
    _change(client)
    with fresh_client(settings) as other:
        token = csrf_of(other)
        old = other.post("/login", data={"username": "worker", "password": PASSWORD, "_csrf_token": token})
        assert old.status_code == 400
        login(other, "worker", NEW_PASSWORD)


def test_wrong_current_password_is_shown_next_to_its_field(client, people, seed):
    """A wrong current password is refused next to that field; the new passwords typed are kept."""
    login(client, "worker")
    response = _change(client, current="not-my-password")
    assert response.status_code == 400
    assert _error_of(response.text, "current_password") == "当前密码不正确。"
    assert _value_of(response.text, "current_password") == ""
    assert _value_of(response.text, "new_password") == NEW_PASSWORD
    assert _value_of(response.text, "new_password_repeat") == NEW_PASSWORD
    assert _password_is(seed, PASSWORD)


def test_mismatched_repeat_is_shown_next_to_its_field(client, people, seed):
    """Two different new passwords are refused next to the repeat field; the rest is kept."""
    login(client, "worker")
    response = _change(client, repeat=NEW_PASSWORD + "x")
    assert response.status_code == 400
    assert _error_of(response.text, "new_password_repeat") == "两次输入的新密码不一致。"
    assert _value_of(response.text, "current_password") == PASSWORD
    assert _value_of(response.text, "new_password") == NEW_PASSWORD
    assert _password_is(seed, PASSWORD)


def test_weak_new_password_is_refused_with_the_reason(client, people, seed):
    """A weak new password is refused next to the new-password field, saying why."""
    login(client, "worker")
    response = _change(client, new="short", repeat="short")
    assert response.status_code == 400
    assert _error_of(response.text, "new_password") == "密码至少需要 8 个字符。"
    assert 'aria-invalid="true"' in response.text
    assert _value_of(response.text, "current_password") == PASSWORD
    assert _password_is(seed, PASSWORD)


def test_common_password_is_refused(client, people, seed):
    """A password from the list of common ones is refused."""
    login(client, "worker")
    response = _change(client, new="password1", repeat="password1")
    assert _error_of(response.text, "new_password") == "这个密码太常见，请换一个。"
    assert _password_is(seed, PASSWORD)


def test_empty_form_asks_for_each_field(client, people):
    """Submitting the empty form names each missing field."""
    login(client, "worker")
    response = _change(client, current="", new="", repeat="")
    assert response.status_code == 400
    assert _error_of(response.text, "current_password") == "请输入当前密码。"
    assert _error_of(response.text, "new_password") == "请输入新密码。"


def test_same_password_again_is_refused(client, people):
    """The new password must differ from the current one."""
    login(client, "worker")
    response = _change(client, new=PASSWORD, repeat=PASSWORD)
    assert _error_of(response.text, "new_password") == "新密码不能与当前密码相同。"


def test_profile_in_english(client, people):
    """With English chosen, the page and its messages are in English."""
    login(client, "worker")
    client.post("/lang", data={"lang": "en", "_csrf_token": csrf_of(client, "/me")})
    response = _change(client, new="short", repeat="short")
    assert "Change password" in response.text
    assert _error_of(response.text, "new_password") == "The password must have at least 8 characters."


def test_profile_has_no_inline_script_or_style(client, people):
    """The page obeys the CSP: every script is a file, no style attributes, every form has the CSRF field."""
    login(client, "worker")
    page = client.get("/me").text
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None
    assert "style=" not in page
    assert re.search(r"<[^>]+\son[a-z]+=", page) is None  # no onclick= and the like
    forms = re.findall(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", page, re.S)
    assert forms
    assert all('name="_csrf_token"' in form for form in forms)
