"""One test per hook in core/hookspecs.py, each showing what the core does with the hook's result.

The test-only plugin ``tests/plugins_for_tests/hello.py`` implements every hook (some
sync, some ``async def``); the built-in ``notices`` plugin shows the same hooks in a
real module. ``tests/test_hook_docs.py`` fails when a hook has no ``test_hook_<name>`` here.
"""

from __future__ import annotations

import types

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from core.hookspecs import hookimpl
from core.models import OrgUnit, PolicyRule, Role
from core.plugins import PluginHost
from core.plugins.asyncio import call_hook, flatten
from core.plugins.enabled import plugin_settings
from core.plugins.host import PluginError
from core.services.enablement import enable_plugin
from core.testing import login
from tests.plugins_for_tests import hello
from tests.plugins_for_tests.fixtures import *  # noqa: F403 - fixtures: host, hello_client, two_districts
from tests.plugins_for_tests.fixtures import district


async def _count_units(session, code: str, unit_code: str) -> int:
    d = await district(session, code)
    query = select(func.count(OrgUnit.id)).where(OrgUnit.district_id == d.id, OrgUnit.code == unit_code)
    return (await session.execute(query)).scalar_one()


def test_hook_plugin_manifest(host, seed, two_districts):
    """The manifest names the plugin, and enabling it gives the district its roles and its settings' defaults."""
    plugin = host.get("hello_test")
    assert (plugin.manifest.name_zh, plugin.manifest.version) == ("测试插件", "1.2.3")
    assert host.get("notices").manifest.name_zh == "社区公告"

    async def check(session):
        haishu = await district(session, "haishu")
        roles = set((await session.execute(select(Role.key).where(Role.district_id == haishu.id))).scalars())
        return roles, await plugin_settings(session, haishu, host, "hello_test")

    roles, settings = seed(check)
    assert "hello_keeper" in roles
    assert settings == {"greeting": "你好"}


def test_hook_plugin_manifest_is_required():
    """A plugin module without a manifest is refused at start-up with a clear message."""
    nameless = types.ModuleType("nameless_plugin")

    @hookimpl
    def nav_items(ctx):
        return []

    nameless.nav_items = nav_items
    with pytest.raises(PluginError, match="plugin_manifest"):
        PluginHost.load(None, entry_points=False, extra_modules=(nameless,))


def test_hook_register_routes(hello_client, two_districts):
    """A plugin's page is served under /d/{district}/ where it is enabled, and is 404 where it is not."""
    login(hello_client, "both")
    page = hello_client.get("/d/haishu/hello")
    assert page.status_code == 200
    assert "你好，海曙区" in page.text
    assert "<html" in page.text
    assert "<html" not in hello_client.get("/d/haishu/hello", headers={"HX-Request": "true"}).text
    assert hello_client.get("/d/yinzhou/hello").status_code == 404
    assert hello_client.get("/d/yinzhou/notices").status_code == 200


def test_hook_register_api_routes(hello_client, two_districts):
    """A plugin's API answers under /api/v1/districts/{district}/, 404 where disabled, and is in the OpenAPI schema."""
    login(hello_client, "both")
    assert hello_client.get("/api/v1/districts/haishu/hello").json() == {"greeting": "你好", "district": "haishu"}
    assert hello_client.get("/api/v1/districts/yinzhou/hello").status_code == 404
    paths = hello_client.get("/schema/openapi.json").json()["paths"]
    assert "/api/v1/districts/{district_code}/hello" in paths
    assert "/api/v1/districts/{district_code}/notices" in paths


def test_hook_register_commands(host):
    """Commands a plugin adds appear in ``sanshe --help`` and run."""
    from core.cli import _register, cli

    _register()
    help_text = CliRunner().invoke(cli, ["--help"]).output
    assert "notices" in help_text
    assert "社区公告" in help_text

    group = click.Group("sanshe")
    host.hook.register_commands(cli=group)
    assert "hello-test" in CliRunner().invoke(group, ["--help"]).output
    result = CliRunner().invoke(group, ["hello-test", "--name", "海曙"])
    assert result.exit_code == 0
    assert result.output.strip() == "你好，海曙"


def test_hook_default_policies(hello_client, seed, two_districts):
    """Enabling a plugin adds its default rules: the community worker may open its page, the resident may not."""

    async def rules(session):
        haishu = await district(session, "haishu")
        query = select(PolicyRule.subject).where(PolicyRule.district_id == haishu.id, PolicyRule.resource == "hello")
        return set((await session.execute(query)).scalars())

    assert seed(rules) == {"community_worker", "hello_keeper"}
    login(hello_client, "worker")
    assert hello_client.get("/d/haishu/hello").status_code == 200
    hello_client.cookies.clear()
    login(hello_client, "resident")
    assert hello_client.get("/d/haishu/hello").status_code == 403
    assert hello_client.get("/d/haishu/notices").status_code == 200


def test_hook_nav_items(hello_client, two_districts):
    """The nav link shows for a user with its permission, not for one without, and not where the plugin is off."""
    login(hello_client, "worker")
    page = hello_client.get("/d/haishu/")
    assert hello.NAV_LABEL in page.text
    assert 'href="/d/haishu/notices"' in page.text
    hello_client.cookies.clear()
    login(hello_client, "resident")
    page = hello_client.get("/d/haishu/")
    assert hello.NAV_LABEL not in page.text
    assert 'href="/d/haishu/notices"' in page.text
    hello_client.cookies.clear()
    login(hello_client, "yz-worker")
    assert hello.NAV_LABEL not in hello_client.get("/d/yinzhou/").text


def test_hook_dashboard_widgets(hello_client, two_districts):
    """An ``async def`` widget hook is awaited and its fragment rendered on the district's dashboard only."""
    login(hello_client, "both")
    assert f"{hello.WIDGET_TEXT} (haishu)" in hello_client.get("/d/haishu/").text
    assert hello.WIDGET_TEXT not in hello_client.get("/d/yinzhou/").text


def test_hook_seed_demo(seed):
    """``sanshe demo``'s seeding runs every plugin's seed_demo; running it twice adds nothing twice.

    Two plugins (``hello_test`` and the built-in ``notices``) show it: the whole demo, every
    built-in plugin twice over, is tests/test_demo.py's (its seeds take seconds each).
    """
    from core.demo import seed_demo
    from plugins.notices.models import Notice

    host = PluginHost.load(frozenset({"notices", "hello_test"}), entry_points=False, extra_modules=(hello,))
    seed(lambda session: seed_demo(session, host))
    seed(lambda session: seed_demo(session, host))
    assert seed(lambda s: _count_units(s, "haishu", hello.SEEDED_UNIT)) == 1

    async def notices(session):
        return list((await session.execute(select(Notice.title))).scalars())

    titles = seed(notices)
    assert titles.count("垃圾分类宣传周") == 1
    assert titles.count("偃月小区停车议事会通知") == 1


def test_hook_on_plugin_enabled(seed, host, two_districts):
    """Enabling a plugin calls its hook in the same transaction; a district that never enabled it is untouched."""
    assert seed(lambda s: _count_units(s, "haishu", hello.ENABLED_UNIT)) == 1
    assert seed(lambda s: _count_units(s, "yinzhou", hello.ENABLED_UNIT)) == 0

    async def enable(session):
        await enable_plugin(session, await district(session, "yinzhou"), host, "hello_test")

    seed(enable)
    assert seed(lambda s: _count_units(s, "yinzhou", hello.ENABLED_UNIT)) == 1


def test_sync_and_async_implementations_are_both_awaited(host):
    """``call_hook`` returns the results of a sync and of an async implementation alike."""
    import asyncio

    class FakeCtx:
        district = types.SimpleNamespace(code="haishu")
        roles: tuple[str, ...] = ()  # no role here: the core's widgets read nothing from the database
        is_platform_admin = False

        @staticmethod
        def url(path: str) -> str:
            return f"/d/haishu{path}"

    hooks = host.hooks_for(frozenset({"hello_test"}))
    navs = flatten(asyncio.run(call_hook(hooks.nav_items, ctx=FakeCtx())))
    widgets = flatten(asyncio.run(call_hook(hooks.dashboard_widgets, ctx=FakeCtx())))
    assert hello.NAV_LABEL in [n.label for n in navs]
    assert hello.WIDGET_TEXT in [w.context.get("message") for w in widgets]
