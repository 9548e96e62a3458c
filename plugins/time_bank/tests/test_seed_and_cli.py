"""Demo data (a year in 鼓楼街道时间银行, idempotent) and the ``sanshe time-bank`` commands."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from core import ledger
from core.models import District, User
from core.models.cases import Case
from plugins.time_bank import hooks
from plugins.time_bank.models import Activity, Member, Service
from plugins.time_bank.seed import BANK_NAME


async def _seed(session):
    district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
    from core.db import for_district

    for_district(session, district.id)
    await hooks.seed_demo(session=session, district=district)


async def _counts(session):
    def count(model, *where):
        return select(func.count()).select_from(model).where(*where)

    volunteers = (await session.execute(count(Member, Member.is_volunteer.is_(True)))).scalar_one()
    residents = (await session.execute(count(Member, Member.is_resident.is_(True)))).scalar_one()
    services = (await session.execute(count(Service))).scalar_one()
    credited = (await session.execute(count(Case, Case.state == "credited"))).scalar_one()
    activities = (await session.execute(count(Activity, Activity.status == "credited"))).scalar_one()
    staff = (await session.execute(select(User.id).where(User.username == "tb-staff"))).scalar_one_or_none()
    return volunteers, residents, services, credited, activities, staff, await ledger.verify(session)


@pytest.fixture
def demo_world(seed):
    from core.testing.factories import make_district, make_org_unit, make_user

    async def build(session):
        from core.models import OrgUnitKind
        from core.plugins import PluginHost
        from core.services.enablement import enable_plugin

        district = await make_district(session, "haishu", "海曙区", ref_prefix="HS")
        street = await make_org_unit(session, district, "gulou", "鼓楼街道", OrgUnitKind.STREET)
        await make_org_unit(session, district, "pingqiao", "平桥社区", OrgUnitKind.COMMUNITY, street)
        await make_user(session, "volunteer", district=district, roles=("volunteer",))
        await make_user(session, "resident", district=district, roles=("resident",))
        await enable_plugin(session, district, PluginHost.load(None, entry_points=False), "time_bank")

    seed(build)


def test_demo_bank_is_seeded_once_with_a_year_of_history(demo_world, seed):
    """The demo has 40 volunteers, 15 residents, a year of credited services and activities; a rerun adds nothing."""
    seed(_seed)
    first = seed(_counts)
    volunteers, residents, services, credited, activities, staff, problems = first
    assert (volunteers, residents) == (40, 15)
    assert services > 200 and credited > 200
    assert activities == 24
    assert staff is not None
    assert problems == []
    seed(_seed)
    assert seed(_counts) == first


@pytest.fixture
def cli_env(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SANSHE_DATABASE_URL", database_url)
    monkeypatch.setenv("SANSHE_VAR_DIR", str(tmp_path / "var"))


def _cli() -> click.Group:
    group = click.Group("sanshe")
    hooks.register_commands(cli=group)
    return group


def test_cli_lists_banks_and_runs_expiry_and_incentives(world, cli_env):
    """``sanshe time-bank banks`` lists 平桥时间银行; expiry and incentives run and report counts."""
    result = CliRunner().invoke(_cli(), ["time-bank", "banks", "--district", "haishu"])
    assert result.exit_code == 0, result.output
    assert "平桥时间银行" in result.output and "鄞州" not in result.output
    assert CliRunner().invoke(_cli(), ["time-bank", "expire", "--district", "haishu"]).exit_code == 0
    result = CliRunner().invoke(_cli(), ["time-bank", "incentives", "--district", "haishu"])
    assert result.exit_code == 0 and "awarded: 0" in result.output


def test_cli_refuses_unknown_district(world, cli_env):
    """An unknown district exits with status 2."""
    assert CliRunner().invoke(_cli(), ["time-bank", "banks", "--district", "nowhere"]).exit_code == 2


assert BANK_NAME == "鼓楼街道时间银行"
