"""The case_panels hook: plugins add panels to the case page (test plugin: tests/web_cases/panel_plugin.py)."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from core.models import District
from core.plugins import PluginHost
from core.services.enablement import enable_plugin
from core.testing import login
from core.testing.apps import lease
from tests.web_cases import panel_plugin
from tests.web_cases.conftest import file_case


@pytest.fixture
def panel_host() -> PluginHost:
    return PluginHost.load(frozenset(), extra_modules=(panel_plugin,))


@pytest.fixture
def panel_client(world, seed, settings, panel_host):
    async def enable(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        await enable_plugin(session, district, panel_host, "panel_test")

    seed(enable)
    with TestClient(app=lease(settings, panel_host)) as client:
        yield login(client, "worker")


def test_hook_case_panels(panel_client):
    """Each panel is rendered from its template with its context, ctx and case, in order, escaped, under its title."""
    reference = file_case(panel_client)
    text = panel_client.get(f"/d/haishu/cases/{reference}").text
    assert f"{reference}: 90 分钟 · &lt;b&gt;plugin&lt;/b&gt; · worker" in text
    assert text.index("先显示") < text.index("服务时长")
    assert text.index(f"{reference}: 5 分钟") < text.index(f"{reference}: 90 分钟")


def test_no_panel_for_other_types(panel_client):
    """A plugin that returns no panel for a type adds nothing to its page."""
    login(panel_client, "social")
    casework = {"client_name": "王", "service_line": "elderly", "presenting_problem": "独居"}
    reference = file_case(panel_client, type_key="casework", title="个案", **casework)
    assert "panel-test" not in panel_client.get(f"/d/haishu/cases/{reference}").text
