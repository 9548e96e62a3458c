"""The period's XLSX workbook through the JSON API and the command line; ``sanshe rating ratings|grades``."""

from __future__ import annotations

import io

import click
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from plugins.rating import hooks, service
from plugins.rating.tests.support import delivered

API = "/api/v1/districts/haishu/rating"


@pytest.fixture
def cli_env(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SANSHE_DATABASE_URL", database_url)
    monkeypatch.setenv("SANSHE_VAR_DIR", str(tmp_path / "var"))


def _run(*args: str) -> click.testing.Result:
    group = click.Group("sanshe")
    hooks.register_commands(cli=group)
    return CliRunner().invoke(group, ["rating", *args])


def _rated(world, as_user) -> str:
    """Two ratings this quarter: ★3 for 青少年 (paper) and a voided ★1 for 老年协会; the period's key."""

    async def rate(ctx):
        d = await delivered(ctx, world.youth, world.li, reference="x:1")
        await service.submit_rating(ctx, d, stars=3, channel="paper", comment="还行")
        d = await delivered(ctx, world.elderly, world.li, reference="x:2")
        bad = await service.submit_rating(ctx, d, stars=1, channel="phone_survey", comment="态度差")
        bad.status = "voided"
        return service.Period.of(service.local_today()).key

    return as_user("worker", rate)


def test_api_export_is_the_periods_workbook_for_staff_only(client, world, as_user):
    """Staff download the XLSX (ranking + every rating, the voided one marked); a resident is refused; a bad
    period is 422 with a Chinese reason."""
    period = _rated(world, as_user)
    staff = {"Authorization": f"Bearer {world.tokens['worker']}"}
    response = client.get(f"{API}/export.xlsx?period={period}", headers=staff)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert f"rating-{period}.xlsx" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    ranking, ratings = book.worksheets
    assert [c.value for c in ranking[2]][:3] == ["评价数不足", "海曙区青少年成长服务中心", 1]
    rows = [[c.value for c in row][1:] for row in ratings.iter_rows(min_row=2)]
    assert rows == [
        ["海曙区青少年成长服务中心", 3, "纸质问卷", "有效", "还行"],
        ["平桥社区老年协会", 1, "电话回访", "已作废", "态度差"],
    ]
    resident = {"Authorization": f"Bearer {world.tokens['resident']}"}
    assert client.get(f"{API}/export.xlsx", headers=resident).status_code == 403
    bad = client.get(f"{API}/export.xlsx?period=2026Q9", headers=staff)
    assert bad.status_code == 400 and "期次" in bad.json()["detail"]
    assert "/api/v1/districts/{district_code}/rating/export.xlsx" in client.get("/schema/openapi.json").json()["paths"]


def test_cli_ratings_grades_and_export(world, as_user, cli_env, tmp_path):
    """`ratings` lists the period's ratings (voided marked); `grades` the results with their status; `export`
    writes the same workbook as the page; a bad period exits 2."""
    period = _rated(world, as_user)
    listed = _run("ratings", "--district", "haishu", "--period", period)
    assert listed.exit_code == 0, listed.output
    young = next(line for line in listed.output.splitlines() if "青少年" in line)
    assert "★★★" in young and "纸质" in young and "有效/valid" in young
    assert "作废/voided" in next(line for line in listed.output.splitlines() if "老年协会" in line)
    only = _run("ratings", "--district", "haishu", "--period", period, "--organization", "平桥社区老年协会")
    assert "青少年" not in only.output and "老年协会" in only.output
    assert _run("ratings", "--district", "haishu", "--period", "2026Q9").exit_code == 2

    assert "还没有等级评估结果" in _run("grades", "--district", "haishu").output
    as_user("worker", lambda ctx: service.record_grade(ctx, organization_id=world.youth, year=2026, total=905))
    grades = _run("grades", "--district", "haishu")
    line = next(line for line in grades.output.splitlines() if "青少年" in line)
    assert "5A" in line and "905" in line and "公示中" in line

    out = tmp_path / "r.xlsx"
    written = _run("export", "--district", "haishu", "--period", period, "--out", str(out))
    assert written.exit_code == 0, written.output
    assert "已写入" in written.output
    book = load_workbook(out)
    assert [c.value for c in book.worksheets[1][2]][1:3] == ["海曙区青少年成长服务中心", 3]
    assert _run("export", "--district", "nowhere", "--out", str(out)).exit_code == 2
