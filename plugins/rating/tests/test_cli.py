"""``sanshe rating ranking`` prints the period's table; ``sanshe rating record-delivery`` records like the page."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from core.models.deliveries import ServiceDelivery
from plugins.rating import hooks, service
from plugins.rating.tests.support import delivered


@pytest.fixture
def cli_env(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SANSHE_DATABASE_URL", database_url)
    monkeypatch.setenv("SANSHE_VAR_DIR", str(tmp_path / "var"))


def _run(*args: str) -> click.testing.Result:
    group = click.Group("sanshe")
    hooks.register_commands(cli=group)
    return CliRunner().invoke(group, ["rating", *args])


async def _deliveries(session):
    return list((await session.execute(select(ServiceDelivery))).scalars())


def test_ranking_prints_the_table(world, as_user, cli_env):
    """5 ratings of ★5 rank 青少年 first; one ★4 leaves 老年协会 "insufficient"; a bad period or place exits 2."""

    async def rate(ctx):
        for i in range(5):
            d = await delivered(ctx, world.youth, world.li, reference=f"cli:{i}")
            await service.submit_rating(ctx, d, stars=5, channel="paper")
        d = await delivered(ctx, world.elderly, world.li, reference="cli:x")
        await service.submit_rating(ctx, d, stars=4, channel="paper")
        return service.Period.of(service.local_today()).key

    period = as_user("worker", rate)
    result = _run("ranking", "--district", "haishu", "--period", period)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("海曙区 · ")
    first = next(line for line in lines if "海曙区青少年成长服务中心" in line)
    assert first.split()[:1] == ["1"] and "5.00" in first
    assert "评价数不足/insufficient" in next(line for line in lines if "平桥社区老年协会" in line)
    assert "本期没有评价" in _run("ranking", "--district", "haishu", "--community", "pingqiao").output
    bad = _run("ranking", "--district", "haishu", "--period", "2026Q9")
    assert bad.exit_code == 2 and "错误 / error" in bad.output
    assert _run("ranking", "--district", "haishu", "--community", "nowhere").exit_code == 2
    assert _run("ranking", "--district", "nowhere").exit_code == 2


def test_record_delivery_checks_like_the_page(world, seed, cli_env):
    """A worker records a service to 李大爷 by phone and gets its rating link; bad input exits 2 and writes nothing."""
    args = ["record-delivery", "--district", "haishu", "--organization", "平桥社区老年协会", "--title", "助餐送餐"]
    bad = _run(*args, "--as", "worker", "--phone", "13900000000", "--when", "昨天")
    assert bad.exit_code == 2
    assert "请更正标出的项目" in bad.output and "--phone: " in bad.output and "--when: " in bad.output
    refused = _run(*args, "--as", "resident", "--phone", "13805740002", "--when", "2026-12-01T09:30")
    assert refused.exit_code == 2 and "无权登记服务" in refused.output
    assert seed(_deliveries) == []
    done = _run(*args, "--as", "worker", "--phone", "13805740002", "--when", "2026-12-01T09:30")
    assert done.exit_code == 0, done.output
    assert "已登记 / recorded: 助餐送餐" in done.output and "/d/haishu/rating/r/" in done.output
    (delivery,) = seed(_deliveries)
    assert (delivery.organization_id, delivery.person_id, delivery.is_rateable) == (world.elderly, world.li, True)
    assert delivery.verified_by_id == world.users["worker"]
