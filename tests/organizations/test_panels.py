"""The organization_panels hook: modules add panels to the profile (test plugin: org_panel_plugin.py)."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from core.models import District
from core.plugins import PluginHost
from core.services.enablement import disable_plugin, enable_plugin
from core.testing import csrf_of, login
from core.testing.apps import lease
from tests.organizations import org_panel_plugin


@pytest.fixture
def panel_host() -> PluginHost:
    return PluginHost.load(frozenset(), extra_modules=(org_panel_plugin,))


@pytest.fixture
def panel_client(world, seed, settings, panel_host):
    async def enable(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        await enable_plugin(session, district, panel_host, "org_panel_test")

    seed(enable)
    with TestClient(app=lease(settings, panel_host)) as client:
        yield login(client, "u-social_worker")


def test_hook_organization_panels(panel_client, world):
    """Each panel is rendered from its template with its context, ctx and the organization, in order, escaped."""
    text = panel_client.get(f"/d/haishu/organizations/{world['autism']}").text
    assert "海曙区自闭症儿童家长互助协会: 120 小时 · &lt;b&gt;plugin&lt;/b&gt; · u-social_worker" in text
    assert "<b>plugin</b>" not in text
    assert text.index("星级评价") < text.index("时间银行时长")
    assert text.index(": 5 小时") < text.index(": 120 小时")


def test_no_panel_when_the_plugin_returns_none(panel_client, world):
    """An organization the plugin has nothing for gets no panel."""
    text = panel_client.get(f"/d/haishu/organizations/{world['elderly']}").text
    assert "org-panel-test" not in text
    assert "时间银行时长" not in text


def test_no_panel_where_the_plugin_is_disabled(panel_client, world, seed, panel_host):
    """A district that switched the module off shows none of its panels."""

    async def disable(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        await disable_plugin(session, district, panel_host, "org_panel_test")

    seed(disable)
    text = panel_client.get(f"/d/haishu/organizations/{world['autism']}").text
    assert "时间银行时长" not in text


def test_hook_organization_standing(panel_client, world):
    """A module's restriction is shown on the profile in the reader's language; others show none."""
    text = panel_client.get(f"/d/haishu/organizations/{world['autism']}").text
    assert "观察期</strong>: 连续两期评价末位" in text
    assert "观察期" not in panel_client.get(f"/d/haishu/organizations/{world['elderly']}").text
    panel_client.post("/lang", data={"lang": "en", "_csrf_token": csrf_of(panel_client, "/me")})
    english = panel_client.get(f"/d/haishu/organizations/{world['autism']}").text
    assert "On probation</strong>: Bottom decile two periods running" in english
