"""``sanshe incubation list|advance``: the stage rules of the pages, Chinese-first errors, status 2 on bad input."""

from __future__ import annotations

from typing import Any

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from core.models.cases import Case
from plugins.incubation import hooks
from plugins.incubation.models import Incubation
from plugins.incubation.tests.support import VALID_CODE, apply_as, to_resident


@pytest.fixture
def cli_env(database_url: str, tmp_path: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("SANSHE_DATABASE_URL", database_url)
    monkeypatch.setenv("SANSHE_VAR_DIR", str(tmp_path / "var"))


def _run(*args: str) -> Any:
    group = click.Group("sanshe")
    hooks.register_commands(cli=group)
    return CliRunner().invoke(group, ["incubation", *args])


def _reference(seed: Any, incubation_id: int) -> str:
    async def find(session: Any) -> tuple[str, str]:
        query = select(Case.reference, Incubation.stage).join(Incubation, Incubation.case_id == Case.id)
        return tuple((await session.execute(query.where(Incubation.id == incubation_id))).one())

    return seed(find)


def test_list_shows_cases_by_stage_and_advance_takes_the_next_step(as_user, world, seed, cli_env):
    """list shows the case with its stage; advance without screening notes is refused (status 2, nothing changed),
    with notes it moves 已申请 → 已筛选; ``--stage`` filters."""
    inc = apply_as(as_user, world)
    reference, _stage = _reference(seed, inc)
    listed = _run("list", "--district", "haishu")
    assert listed.exit_code == 0, listed.output
    assert reference in listed.output and "平桥老年合唱团" in listed.output and "已申请/Applied" in listed.output

    refused = _run("advance", "--district", "haishu", "--case", reference, "--as", "incubator")
    assert refused.exit_code == 2 and "错误 / error: 未推进" in refused.output
    assert _reference(seed, inc)[1] == "applied"

    moved = _run("advance", "--district", "haishu", "--case", reference, "--as", "incubator", "--notes", "同意入驻")
    assert moved.exit_code == 0, moved.output
    assert "已申请/Applied → 已筛选/Screened" in moved.output and _reference(seed, inc)[1] == "screened"
    assert reference in _run("list", "--district", "haishu", "--stage", "screened").output
    assert reference not in _run("list", "--district", "haishu", "--stage", "applied").output


def test_advance_applies_the_evidence_rules_and_refuses_bad_input(as_user, world, seed, cli_env):
    """Registration needs a valid credit code (the page's rule); a user who may not manage, an unknown case, an
    unknown district and an unknown stage all exit with status 2 and a Chinese message first."""
    inc = apply_as(as_user, world)
    to_resident(as_user, inc)
    reference, stage = _reference(seed, inc)
    assert stage == "resident"
    base = ["advance", "--district", "haishu", "--case", reference, "--as", "incubator"]
    evidence = ["--registration-number", "海民社证字第 0200 号", "--registered-type", "social_group"]
    bad = _run(*base, *evidence, "--credit-code", "51330203MJ7700011X")
    assert bad.exit_code == 2 and "统一社会信用代码无效" in bad.output
    assert _reference(seed, inc)[1] == "resident"
    good = _run(*base, *evidence, "--credit-code", VALID_CODE)
    assert good.exit_code == 0 and "→ 已登记/Registered" in good.output, good.output

    leader = _run("advance", "--district", "haishu", "--case", reference, "--as", "leader")
    assert leader.exit_code == 2 and "无权推进" in leader.output
    unknown = _run("advance", "--district", "haishu", "--case", "HS-0000-000000", "--as", "incubator")
    assert unknown.exit_code == 2 and "没有编号为" in unknown.output
    assert _run("list", "--district", "nowhere").exit_code == 2
    assert _run("list", "--district", "haishu", "--stage", "hatched").exit_code == 2
    assert _reference(seed, inc)[1] == "registered"
