"""``sanshe grants calls|ranking|remind|export``: the calls table, a call's ranking for staff only, review
reminders sent once per phase, the scores and award list written to files (refused before the results)."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from typing import Any

import click
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import select, update

from core.db import for_district, utcnow
from core.i18n import TIMEZONE
from core.models import District
from core.models.notifications import Notification
from plugins.grants import hooks
from plugins.grants.models import Call
from plugins.grants.tests.support import add_application

API = "/api/v1/districts/haishu/grants"


@pytest.fixture
def cli_env(database_url: str, tmp_path: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("SANSHE_DATABASE_URL", database_url)
    monkeypatch.setenv("SANSHE_VAR_DIR", str(tmp_path / "var"))


def _run(*args: str) -> Any:
    group = click.Group("sanshe")
    hooks.register_commands(cli=group)
    return CliRunner().invoke(group, ["grants", *args])


def _auth(world: Any, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[user]}"}


def _reviewed(client: Any, world: Any, seed: Any) -> tuple[int, int]:
    """Two screened applications, both scored by r1 (银发课堂 higher); r3 is assigned to the first and silent."""
    first = seed(lambda s: add_application(s, world, title="银发课堂"))
    second = seed(lambda s: add_application(s, world, org="young", title="青春社区行"))
    c1, c2, c3 = (str(c) for c in world.criteria)
    for app_id, marks in ((first, (9, 8, 5)), (second, (4, 3, 2))):
        assigned = client.post(
            f"{API}/applications/{app_id}/assignments",
            json={"reviewer_id": world.users["r1"]},
            headers=_auth(world, "staff"),
        )
        assert assigned.status_code in (200, 201), assigned.text
        scored = client.put(
            f"{API}/applications/{app_id}/review",
            json={"scores": dict(zip((c1, c2, c3), marks, strict=True)), "submit": True},
            headers=_auth(world, "r1"),
        )
        assert scored.status_code == 200, scored.text
    client.post(
        f"{API}/applications/{first}/assignments",
        json={"reviewer_id": world.users["r3"]},
        headers=_auth(world, "staff"),
    )
    return first, second


async def _set_call(session: Any, call_id: int, **values: Any) -> None:
    district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
    for_district(session, district.id)
    await session.execute(update(Call).where(Call.id == call_id).values(**values))
    for_district(session, None)


def test_calls_and_ranking(client, world, seed, cli_env):
    """The calls table lists both calls with their phase; the ranking puts the better-scored project first;
    an applicant may not see it, an unknown call or district exits 2."""
    _reviewed(client, world, seed)
    calls = _run("calls", "--district", "haishu")
    assert calls.exit_code == 0, calls.output
    line = next(x for x in calls.output.splitlines() if "2026 年度公益创投大赛" in x)
    assert "征集中/open" in line and "1,000,000.00" in line
    assert "已截止/closed" in next(x for x in calls.output.splitlines() if "2025 年度公益创投大赛" in x)

    ranked = _run("ranking", "--district", "haishu", "--call", str(world.call), "--as", "staff")
    assert ranked.exit_code == 0, ranked.output
    rows = [x.split() for x in ranked.output.splitlines()[3:]]
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("1", "银发课堂", "阳光社工服务社"),
        ("2", "青春社区行", "新芽青年社"),
    ]

    refused = _run("ranking", "--district", "haishu", "--call", str(world.call), "--as", "leader")
    assert refused.exit_code == 2 and "无权管理公益创投" in refused.output
    assert _run("ranking", "--district", "haishu", "--call", "999999", "--as", "staff").exit_code == 2
    assert _run("calls", "--district", "nowhere").exit_code == 2


def test_remind_sends_each_reviewer_one_notice_per_phase(client, world, seed, cli_env):
    """Reviews due today: r3 (one pending) is reminded, r1 (all submitted) is not; a second run sends nothing;
    once the day has passed r3 hears once more that the reviews are overdue."""
    _reviewed(client, world, seed)
    today = utcnow().astimezone(TIMEZONE).date()
    seed(lambda s: _set_call(s, world.call, review_by=today))
    first = _run("remind", "--district", "haishu")
    assert first.exit_code == 0, first.output
    assert "已提醒 1 位评审人即将截止、0 位已逾期" in first.output
    assert "已提醒 0 位评审人即将截止、0 位已逾期" in _run("remind", "--district", "haishu").output
    seed(lambda s: _set_call(s, world.call, review_by=today - timedelta(days=1)))
    assert "已提醒 0 位评审人即将截止、1 位已逾期" in _run("remind", "--district", "haishu").output

    async def notices(session):
        rows = await session.execute(select(Notification.user_id, Notification.kind, Notification.params))
        return [(u, k, p) for u, k, p in rows.all() if k.startswith("grants.review")]

    found = seed(notices)
    assert [(u, k) for u, k, _p in found] == [
        (world.users["r3"], "grants.review_due"),
        (world.users["r3"], "grants.review_overdue"),
    ]
    assert found[0][2]["count"] == "1" and found[0][2]["call"] == "2026 年度公益创投大赛"


def test_export_writes_the_files(client, world, seed, cli_env, tmp_path):
    """Scores to an XLSX file; the award list is refused (exit 2) until the results are out, then written as
    XLSX and as the PDF notice; scores as PDF is refused."""
    _reviewed(client, world, seed)
    scores = tmp_path / "scores.xlsx"
    done = _run(
        "export", "scores", "--district", "haishu", "--call", str(world.call), "--as", "staff", "--out", str(scores)
    )
    assert done.exit_code == 0, done.output
    rows = list(load_workbook(BytesIO(scores.read_bytes()))["排名"].iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["银发课堂", "青春社区行"]

    args = ["--district", "haishu", "--call", str(world.call), "--as", "staff"]
    early = _run("export", "awards", *args, "--out", str(tmp_path / "a.xlsx"))
    assert early.exit_code == 2 and "立项结果尚未公布" in early.output
    assert not (tmp_path / "a.xlsx").exists()
    seed(lambda s: _set_call(s, world.call, decided_at=utcnow()))
    assert _run("export", "awards", *args, "--out", str(tmp_path / "a.xlsx")).exit_code == 0
    assert load_workbook(tmp_path / "a.xlsx").active["A1"].value == "2026 年度公益创投大赛 立项名单"
    pdf = _run("export", "awards", *args, "--format", "pdf", "--out", str(tmp_path / "a.pdf"))
    assert pdf.exit_code == 0, pdf.output
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
    assert _run("export", "scores", *args, "--format", "pdf", "--out", str(tmp_path / "s.pdf")).exit_code == 2
