"""The `sanshe districts`, `plugins` and `roles` commands."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from core.cli import _register, cli
from core.models import District, Membership, OrgUnitKind
from core.testing.factories import make_district, make_org_unit, make_user


@pytest.fixture
def run(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any):
    """Run ``sanshe …`` against the test database; returns the click result."""
    monkeypatch.setenv("SANSHE_DATABASE_URL", database_url)
    monkeypatch.setenv("SANSHE_VAR_DIR", str(tmp_path / "var"))
    if "districts" not in cli.commands:
        _register()
    runner = CliRunner()

    def invoke(*args: str) -> Any:
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke


def test_help_everywhere(run):
    """Every group and command answers --help."""
    for args in (
        ["districts"],
        ["districts", "create"],
        ["districts", "list"],
        ["plugins"],
        ["plugins", "list"],
        ["plugins", "enable"],
        ["plugins", "disable"],
        ["roles"],
        ["roles", "list"],
        ["roles", "grant"],
        ["roles", "revoke"],
    ):
        result = run(*args, "--help")
        assert result.exit_code == 0, args
        assert "Usage" in result.output


def test_districts_create_is_idempotent_and_listed(run, seed):
    """Creating a district twice changes nothing; the list shows it; bad input exits non-zero in Chinese."""
    first = run("districts", "create", "haishu", "--name-zh", "海曙区", "--name-en", "Haishu", "--ref-prefix", "HS")
    assert first.exit_code == 0 and "已创建" in first.output
    again = run("districts", "create", "haishu", "--name-zh", "海曙区")
    assert again.exit_code == 0 and "已存在" in again.output
    listed = run("districts", "list")
    assert "haishu" in listed.output and "海曙区" in listed.output and "HS" in listed.output
    bad = run("districts", "create", "X", "--name-zh", "")
    assert bad.exit_code == 2
    assert "错误" in bad.output and "代码" in bad.output

    async def count(session):
        return len((await session.execute(select(District))).all())

    assert seed(count) == 1


def test_roles_grant_list_revoke(run, seed):
    """A role is granted (twice is harmless), limited to an org unit, listed, then revoked."""

    async def data(session):
        district = await make_district(session)
        await make_org_unit(session, district, "pingqiao", "平桥社区", OrgUnitKind.COMMUNITY)
        await make_user(session, "worker")

    seed(data)
    granted = run("roles", "grant", "worker", "community_worker", "--district", "haishu", "--org-unit", "pingqiao")
    assert granted.exit_code == 0 and "已授予" in granted.output
    twice = run("roles", "grant", "worker", "community_worker", "--district", "haishu", "--org-unit", "pingqiao")
    assert twice.exit_code == 0 and "已有" in twice.output
    listed = run("roles", "list", "--district", "haishu")
    assert "社区工作者" in listed.output
    assert run("roles", "grant", "worker", "no_such_role", "--district", "haishu").exit_code == 2
    assert run("roles", "grant", "nobody", "resident", "--district", "haishu").exit_code == 2
    assert run("roles", "grant", "worker", "resident", "--district", "nowhere").exit_code == 2
    revoked = run("roles", "revoke", "worker", "community_worker", "--district", "haishu")
    assert revoked.exit_code == 0 and "已收回" in revoked.output

    async def memberships(session):
        return (await session.execute(select(Membership))).all()

    assert seed(memberships) == []


def test_plugins_list_enable_disable(run, seed):
    """Installed plugins are listed; an unknown key and a bad setting exit non-zero with a clear message."""
    seed(make_district)
    listed = run("plugins", "list")
    assert listed.exit_code == 0
    unknown = run("plugins", "enable", "no_such_plugin", "--district", "haishu")
    assert unknown.exit_code == 2 and "没有名为" in unknown.output
    malformed = run("plugins", "enable", "no_such_plugin", "--district", "haishu", "--setting", "novalue")
    assert malformed.exit_code == 2 and "名称=值" in malformed.output
    disabled = run("plugins", "disable", "no_such_plugin", "--district", "haishu")
    assert disabled.exit_code == 2


def test_plugins_enable_refuses_missing_dependency_then_enables(run, seed, monkeypatch):
    """`plugins enable beta` is refused while alpha is off; with alpha on it works and `list` shows where."""
    from core.cli import plugins as plugins_cli
    from core.plugins import PluginHost
    from tests.fakeplugins import alpha, beta

    host = PluginHost.load(frozenset(), entry_points=False, extra_modules=(alpha, beta))
    monkeypatch.setattr(plugins_cli, "_host", lambda: host)
    seed(make_district)
    refused = run("plugins", "enable", "beta", "--district", "haishu")
    assert refused.exit_code == 2 and "请先启用" in refused.output
    assert run("plugins", "enable", "alpha", "--district", "haishu").exit_code == 0
    bad = run("plugins", "enable", "beta", "--district", "haishu", "--setting", "hours_per_month=lots")
    assert bad.exit_code == 2 and "hours_per_month" in bad.output
    ok = run("plugins", "enable", "beta", "--district", "haishu", "--setting", "hours_per_month=12")
    assert ok.exit_code == 0 and "已在 haishu 启用" in ok.output
    again = run("plugins", "enable", "beta", "--district", "haishu")
    assert again.exit_code == 0 and "已是启用" in again.output
    listed = run("plugins", "list")
    assert "beta" in listed.output and "2.1.0" in listed.output and "register_routes" in listed.output
    assert "haishu" in listed.output
    assert run("plugins", "disable", "alpha", "--district", "haishu").exit_code == 2
    assert run("plugins", "disable", "beta", "--district", "haishu").exit_code == 0
