"""Switching a plugin off for one district: its pages, API and menu vanish there and only there.

This is the issue's "Done when": ``sanshe plugins disable <key> --district <code>`` makes
that plugin's pages 404 and its nav items vanish for that district only.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from core.plugins.enabled import enabled_keys
from core.services.enablement import disable_plugin, enable_plugin
from core.testing import login
from tests.plugins_for_tests.fixtures import *  # noqa: F403 - fixtures: host, two_districts
from tests.plugins_for_tests.fixtures import clear_plugin_caches, district

NAV_LINK = 'href="/d/{code}/notices"'


def _notices_visible(client, code: str) -> dict[str, object]:
    """What a user of ``code`` sees of the notices plugin: page, form, API, nav link, dashboard widget."""
    dashboard = client.get(f"/d/{code}/").text
    return {
        "page": client.get(f"/d/{code}/notices").status_code,
        "form": client.get(f"/d/{code}/notices/new").status_code,
        "api": client.get(f"/api/v1/districts/{code}/notices").status_code,
        "nav": NAV_LINK.format(code=code) in dashboard,
        "widget": "全部公告" in dashboard,
    }


ON = {"page": 200, "form": 200, "api": 200, "nav": True, "widget": True}
OFF = {"page": 404, "form": 404, "api": 404, "nav": False, "widget": False}


def _set(seed, host, code: str, *, enabled: bool) -> None:
    async def change(session):
        target = await district(session, code)
        if enabled:
            await enable_plugin(session, target, host, "notices")
        else:
            await disable_plugin(session, target, host, "notices")

    seed(change)


def test_disabling_hides_notices_in_that_district_only(client, seed, host, two_districts):
    """After disable_plugin for haishu, its notices pages, API and nav link are gone there but not in yinzhou."""
    login(client, "both")
    assert _notices_visible(client, "haishu") == ON
    assert _notices_visible(client, "yinzhou") == ON
    _set(seed, host, "haishu", enabled=False)
    assert _notices_visible(client, "haishu") == OFF
    assert _notices_visible(client, "yinzhou") == ON


def test_re_enabling_restores_everything(client, seed, host, two_districts):
    """Enabling notices again brings back its pages, API, nav link and widget in haishu."""
    login(client, "both")
    _set(seed, host, "haishu", enabled=False)
    assert _notices_visible(client, "haishu") == OFF
    _set(seed, host, "haishu", enabled=True)
    assert _notices_visible(client, "haishu") == ON


def test_a_process_with_a_warm_cache_sees_the_change(client, seed, host, two_districts):
    """A process that cached the old state answers 404 on its next request (plugins_version moved on)."""
    login(client, "both")
    assert _notices_visible(client, "haishu")["page"] == 200
    _set(seed, host, "haishu", enabled=False)
    # No cache clearing here: the district's plugins_version is part of the cache key.
    assert client.get("/d/haishu/notices").status_code == 404


def test_hook_callers_leave_the_disabled_plugin_out(seed, host, two_districts):
    """haishu's hook callers no longer include notices once it is disabled; yinzhou's still do."""
    _set(seed, host, "haishu", enabled=False)

    async def callers(session):
        out = {}
        for code in ("haishu", "yinzhou"):
            keys = await enabled_keys(session, await district(session, code), host)
            impls = host.hooks_for(keys).nav_items.get_hookimpls()
            out[code] = {impl.plugin_name for impl in impls}
        return out

    found = seed(callers)
    assert "notices" not in found["haishu"]
    assert "core" in found["haishu"]
    assert "notices" in found["yinzhou"]


def test_disabling_keeps_the_data(client, seed, host, two_districts):
    """A notice written before the plugin was switched off is there again when it is switched back on."""
    login(client, "both")
    token = client.get("/d/haishu/notices").text.split('name="_csrf_token" value="')[1].split('"')[0]
    created = client.post("/d/haishu/notices", data={"title": "停用前的公告", "body": "x", "_csrf_token": token})
    assert created.status_code in (200, 303)
    _set(seed, host, "haishu", enabled=False)
    _set(seed, host, "haishu", enabled=True)
    assert "停用前的公告" in client.get("/d/haishu/notices").text


@pytest.fixture
def sanshe(database_url, tmp_path, monkeypatch):
    """Run the real ``sanshe`` command line against the test database."""
    from core.cli import _register, cli

    monkeypatch.setenv("SANSHE_DATABASE_URL", database_url)
    monkeypatch.setenv("SANSHE_VAR_DIR", str(tmp_path / "var"))
    _register()

    def run(*args: str):
        result = CliRunner().invoke(cli, list(args))
        clear_plugin_caches()
        return result

    return run


def test_cli_disable_hides_notices_in_that_district_only(client, sanshe, two_districts):
    """``sanshe plugins disable notices --district haishu`` makes haishu's notices 404 and its nav link vanish."""
    login(client, "both")
    result = sanshe("plugins", "disable", "notices", "--district", "haishu")
    assert result.exit_code == 0, result.output
    assert "notices" in result.output
    assert _notices_visible(client, "haishu") == OFF
    assert _notices_visible(client, "yinzhou") == ON
    result = sanshe("plugins", "enable", "notices", "--district", "haishu")
    assert result.exit_code == 0, result.output
    assert _notices_visible(client, "haishu") == ON


def test_cli_disable_refuses_unknown_district(sanshe, two_districts):
    """Disabling in a district that does not exist exits non-zero with the known codes."""
    result = sanshe("plugins", "disable", "notices", "--district", "nowhere")
    assert result.exit_code != 0
    assert "haishu" in result.output


def test_enabled_keys_reflect_the_switch(seed, host, two_districts):
    """enabled_keys answers the current state for each district."""
    _set(seed, host, "yinzhou", enabled=False)

    async def keys(session):
        return {c: await enabled_keys(session, await district(session, c), host) for c in ("haishu", "yinzhou")}

    found = seed(keys)
    assert "notices" in found["haishu"]
    assert "notices" not in found["yinzhou"]


