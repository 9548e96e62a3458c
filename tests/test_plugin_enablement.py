"""Modules per district: dependency refusals, the settings form, and the effect on routes."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from core.models import DistrictPlugin, Role
from core.plugins import PluginHost
from core.testing import csrf_of, login
from core.testing.apps import lease
from core.testing.factories import make_district, make_user
from tests.fakeplugins import alpha, beta

MODULES = "/d/haishu/admin/modules"


@pytest.fixture
def fake_client(settings: Any, seed: Any):
    """A client of an app whose only plugins are the test plugins alpha and beta."""

    async def data(session):
        district = await make_district(session)
        await make_user(session, "district-admin", district=district, roles=("district_admin",))

    seed(data)
    host = PluginHost.load(frozenset(), entry_points=False, extra_modules=(alpha, beta))
    with TestClient(app=lease(settings, host)) as client:
        login(client, "district-admin")
        yield client


def _post(client, path, data=None, page=MODULES):
    token = csrf_of(client, page)
    return client.post(path, data={**(data or {}), "_csrf_token": token}, follow_redirects=False)


def _rows(seed):
    async def read(session):
        return {r.plugin_key: r for r in (await session.execute(select(DistrictPlugin))).scalars()}

    return seed(read)


def test_modules_page_lists_installed_plugins(fake_client):
    """The modules page shows each plugin's name, version, description and that it is off."""
    page = fake_client.get(MODULES)
    assert page.status_code == 200
    assert "甲模块" in page.text and "乙模块" in page.text
    assert "2.1.0" in page.text and "依赖甲模块的测试模块" in page.text
    assert "启用" in page.text


def test_enabling_plugin_with_disabled_dependency_is_refused(fake_client, seed):
    """Switching beta on while alpha is off shows the clear refusal and changes nothing."""
    response = _post(fake_client, f"{MODULES}/beta/enable")
    assert response.status_code == 400
    assert "请先启用" in response.text and "甲模块" in response.text
    assert "beta" not in _rows(seed)


def test_enable_dependency_first_then_plugin_and_its_pages_answer(fake_client, seed):
    """With alpha on, beta can be switched on; its page answers, and 404s again once it is off."""
    assert fake_client.get("/d/haishu/beta").status_code == 404
    assert _post(fake_client, f"{MODULES}/alpha/enable").status_code == 303
    assert _post(fake_client, f"{MODULES}/beta/enable").status_code == 303
    assert fake_client.get("/d/haishu/beta").text == "beta page"

    async def roles(session):
        return set((await session.execute(select(Role.key))).scalars())

    assert "beta_keeper" in seed(roles)
    refused = _post(fake_client, f"{MODULES}/alpha/disable")
    assert refused.status_code == 400
    assert "乙模块" in refused.text
    assert _post(fake_client, f"{MODULES}/beta/disable").status_code == 303
    assert fake_client.get("/d/haishu/beta").status_code == 404


def test_settings_form_is_generated_from_schema(fake_client):
    """The settings form has a field per schema property, labelled in Chinese, with defaults."""
    page = fake_client.get(f"{MODULES}/beta")
    assert page.status_code == 200
    for label in ("每月时数", "模式", "发送提醒", "费率", "问候语"):
        assert label in page.text
    assert 'name="hours_per_month" value="10"' in page.text
    assert '<option value="review"' in page.text
    assert 'type="checkbox" name="notify" value="true" checked' in page.text
    fragment = fake_client.get(f"{MODULES}/beta", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "每月时数" in fragment.text


def test_a_bilingual_setting_title_shows_the_half_of_the_page_language(fake_client):
    """A title written "中文 / English" (docs/plugins/settings.md) shows only the half of the page's language."""
    page = fake_client.get(f"{MODULES}/beta").text
    assert "页面说明" in page and "Text at the top of the page" not in page
    fake_client.post("/lang", data={"lang": "en", "_csrf_token": csrf_of(fake_client, "/me")})
    page = fake_client.get(f"{MODULES}/beta").text
    assert "Text at the top of the page" in page and "页面说明" not in page


def test_bad_settings_show_errors_next_to_fields_and_keep_input(fake_client, seed):
    """A non-number and a too-long text are refused next to their fields; the input stays; nothing is saved."""
    form = {"hours_per_month": "abc", "mode": "open", "greeting": "a much too long greeting"}
    response = _post(fake_client, f"{MODULES}/beta", form, page=f"{MODULES}/beta")
    assert response.status_code == 400
    assert "整数" in response.text
    assert 'value="abc"' in response.text
    assert "beta" not in _rows(seed)
    below = _post(fake_client, f"{MODULES}/beta", {"hours_per_month": "0", "mode": "open"}, page=f"{MODULES}/beta")
    assert below.status_code == 400
    assert "s-hours_per_month-error" in below.text


def test_valid_settings_are_saved_with_their_types(fake_client, seed):
    """Valid settings are saved typed (integer, number, boolean, enum)."""
    form = {"hours_per_month": "20", "mode": "review", "rate": "1.5", "greeting": "你好"}
    response = _post(fake_client, f"{MODULES}/beta", form, page=f"{MODULES}/beta")
    assert response.status_code == 303
    saved = _rows(seed)["beta"].settings
    assert saved == {"hours_per_month": 20, "mode": "review", "rate": 1.5, "greeting": "你好", "notify": False}
    assert 'value="20"' in fake_client.get(f"{MODULES}/beta").text
