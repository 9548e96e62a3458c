"""``sanshe incubation instruments list|show|export``: every version with its size and use, one version's indicators
and full scores, a version as JSON (the API's shape) or CSV; unknown versions and districts exit with status 2."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import click
import pytest
from click.testing import CliRunner

from core.plugin_api import for_district
from plugins.incubation import hooks
from plugins.incubation.models import Instrument
from plugins.incubation.tests.support import district


@pytest.fixture
def cli_env(database_url: str, tmp_path: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("SANSHE_DATABASE_URL", database_url)
    monkeypatch.setenv("SANSHE_VAR_DIR", str(tmp_path / "var"))


def _run(*args: str) -> Any:
    group = click.Group("sanshe")
    hooks.register_commands(cli=group)
    return CliRunner().invoke(group, ["incubation", "instruments", *args])


def _add_version_2(seed: Any) -> None:
    """Version 2: governance renamed and scored out of 20, a new 党建引领 dimension with one indicator."""

    async def add(session: Any) -> None:
        for_district(session, (await district(session)).id)
        session.add(
            Instrument(
                district_id=(await district(session)).id,
                version=2,
                name="能力评估 2026 版",
                dimensions=[
                    {
                        "key": "governance",
                        "zh": "治理",
                        "en": "Governance",
                        "indicators": [{"key": "i1", "zh": "章程", "en": "Statutes", "max": 20}],
                    },
                    {
                        "key": "party",
                        "zh": "党建引领",
                        "en": "Party building",
                        "indicators": [{"key": "i1", "zh": "党建活动", "en": "Activities", "max": 10}],
                    },
                ],
            )
        )

    seed(add)


def test_list_show_and_export_the_versions(world, seed, cli_env, tmp_path):
    """list makes version 1 on first use (5 dimensions, 10 indicators) and lists version 2 above it; show prints a
    version's indicators with full scores (the latest by default); export gives the API's JSON and a CSV row per
    indicator, to standard output or a file."""
    first = _run("list", "--district", "haishu")
    assert first.exit_code == 0, first.output
    assert "社会组织能力评估" in first.output and "  5  " in first.output and "  10  " in first.output
    _add_version_2(seed)
    listed = _run("list", "--district", "haishu").output.splitlines()
    assert "能力评估 2026 版" in listed[2] and "社会组织能力评估" in listed[3]

    latest = _run("show", "--district", "haishu")
    assert latest.exit_code == 0, latest.output
    assert (
        "第 2 版" in latest.output and "党建引领/Party building" in latest.output and "章程/Statutes" in latest.output
    )
    one = _run("show", "--district", "haishu", "--version", "1").output
    assert "内部治理/Governance" in one and "账目规范/Sound accounts" in one and "党建引领" not in one

    exported = _run("export", "--district", "haishu", "--version", "2")
    data = json.loads(exported.output)
    assert (data["version"], data["name"], data["assessments"]) == (2, "能力评估 2026 版", 0)
    assert [(d["key"], [i["max"] for i in d["indicators"]]) for d in data["dimensions"]] == [
        ("governance", [20]),
        ("party", [10]),
    ]
    target = tmp_path / "v1.csv"
    written = _run("export", "--district", "haishu", "--version", "1", "--format", "csv", "--output", str(target))
    assert written.exit_code == 0 and str(target) in written.output
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows[0][:3] == ["version", "dimension_key", "dimension_zh"] and len(rows) == 11
    assert rows[1] == ["1", "governance", "内部治理", "Governance", "i1", "章程与负责人", "Statutes and leaders", "10"]


def test_unknown_versions_and_districts_exit_with_status_2(world, seed, cli_env):
    """A version that does not exist (or beyond any integer the database holds) and an unknown district: status 2,
    Chinese first."""
    missing = _run("show", "--district", "haishu", "--version", "9")
    assert missing.exit_code == 2 and "没有第 9 版评估工具 / no instrument version 9" in missing.output
    huge = _run("export", "--district", "haishu", "--version", str(2**40))
    assert huge.exit_code == 2
    nowhere = _run("list", "--district", "nowhere")
    assert nowhere.exit_code == 2 and "没有代码为 'nowhere' 的区" in nowhere.output
