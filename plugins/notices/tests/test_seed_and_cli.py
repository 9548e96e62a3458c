"""Demo data and the ``sanshe notices`` command."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from core.models import District
from core.services.enablement import disable_plugin
from plugins.notices import hooks
from plugins.notices.seed import DEMO_NOTICES
from plugins.notices.tests.support import titles


async def _seed_demo(session):
    district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
    await hooks.seed_demo(session=session, district=district)


def test_demo_notices_are_added_once(world, seed):
    """Seeding the demo twice adds each demo notice exactly once."""
    seed(_seed_demo)
    seed(_seed_demo)
    names = seed(lambda s: titles(s, "haishu"))
    for demo in DEMO_NOTICES:
        assert names.count(demo.title) == 1
    assert "偃月小区停车议事会通知" in names
    assert "垃圾分类宣传周" in names


def test_demo_notices_belong_to_their_communities(client, world, seed):
    """The demo's 垃圾分类宣传周 is shown as a notice of 牡丹社区."""
    from core.testing import login

    seed(_seed_demo)
    login(client, "resident")
    page = client.get("/d/haishu/notices")
    assert "高温天气关爱独居老人提醒" in page.text
    assert "牡丹社区" in page.text


@pytest.fixture
def cli_env(database_url, tmp_path, monkeypatch):
    """Point the command line at the test database."""
    monkeypatch.setenv("SANSHE_DATABASE_URL", database_url)
    monkeypatch.setenv("SANSHE_VAR_DIR", str(tmp_path / "var"))


def _cli() -> click.Group:
    group = click.Group("sanshe")
    hooks.register_commands(cli=group)
    return group


def test_cli_lists_a_districts_notices(world, cli_env):
    """``sanshe notices list --district haishu`` prints haishu's notices, not yinzhou's."""
    result = CliRunner().invoke(_cli(), ["notices", "list", "--district", "haishu"])
    assert result.exit_code == 0, result.output
    assert "偃月小区停车议事会通知" in result.output
    assert "平桥社区" in result.output
    assert "鄞州区内部通知" not in result.output


def test_cli_refuses_unknown_district(world, cli_env):
    """An unknown district code exits with status 2 and names the known codes."""
    result = CliRunner().invoke(_cli(), ["notices", "list", "--district", "nowhere"])
    assert result.exit_code == 2
    assert "haishu" in result.output


def test_cli_refuses_district_where_notices_are_off(world, cli_env, seed, host):
    """Where the plugin is disabled, the command says so and exits with status 2."""

    async def off(session):
        district = (await session.execute(select(District).where(District.code == "yinzhou"))).scalar_one()
        await disable_plugin(session, district, host, "notices")

    seed(off)
    result = CliRunner().invoke(_cli(), ["notices", "list", "--district", "yinzhou"])
    assert result.exit_code == 2
    assert "未启用" in result.output
