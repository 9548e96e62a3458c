"""Upgrading to the three-level 居民诉求: open cases of the old version keep their workflow and are migrated over
the API or the CLI; roles are created and given permissions over the API and the CLI, as on the admin pages."""

from __future__ import annotations

import copy
import time
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from core.cases import service as cases
from core.cases.types import current_versions, definition_of, store_version, sync_shipped_types
from core.casetypes.definition import parse_case_type
from core.cli import _register, cli
from core.models import District
from tests.api_cases.conftest import API
from tests.cases.conftest import RESIDENT_REQUEST


@pytest.fixture
def run(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any):
    """``run(*args)``: ``sanshe …`` against the test database; the click result."""
    monkeypatch.setenv("SANSHE_DATABASE_URL", database_url)
    monkeypatch.setenv("SANSHE_VAR_DIR", str(tmp_path / "var"))
    if "districts" not in cli.commands:
        _register()
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args), catch_exceptions=False)


def old_definition(current: dict[str, Any]) -> dict[str, Any]:
    """居民诉求 as it was: no meeting state, no community → department step, escalation of hard cases only."""
    old = copy.deepcopy(current)
    wf = old["workflow"]
    wf["states"] = [s for s in wf["states"] if s["key"] != "meeting_decided"]
    wf["transitions"] = [t for t in wf["transitions"] if t["key"] not in {"record_decision", "refer_to_department"}]
    for t in wf["transitions"]:
        if t["key"] == "escalate":
            t.update({"from": ["community_handling", "department_handling"], "guard": 'difficulty == "hard"'})
            t["roles"] = ["social_worker", "community_worker"]
        if t["key"] == "resolve":
            t["from"] = ["community_handling", "department_handling", "escalated"]
    old["queues"] = [q for q in old["queues"] if "meeting_decided" not in q.get("states", [])]
    old.pop("stage_visibility")
    return old


def _haishu(session):
    return session.execute(select(District).where(District.code == "haishu"))


@pytest.fixture
def old_cases(world, seed, as_user):
    """On the old version: A hard, passed to 民政 and escalated; B simple, with the community. Then the new shipped
    version is stored (as an upgrade does). Returns (A, B)."""

    async def downgrade(session):
        district = (await _haishu(session)).scalar_one()
        (row,) = [r for r in await current_versions(session, district) if r.key == "resident_request"]
        old = parse_case_type(old_definition(definition_of(row).to_dict()), known_roles=None)
        await store_version(session, district, old, source="core")

    seed(downgrade)

    async def file(ctx):
        steps = {
            "hard": [("triage", {"difficulty": "hard", "department": "civil_affairs"}), ("to_department", None)],
            "simple": [("triage", {"difficulty": "simple"}), ("to_community", None)],
        }
        refs = []
        for moves in steps.values():
            case = await cases.create_case(
                ctx, "resident_request", title="旧版诉求", data=RESIDENT_REQUEST, channel="web"
            )
            for key, data in moves:
                case, definition = await cases.get_case(ctx, case.reference)
                await cases.perform_transition(ctx, case, definition, key, data=data)
            refs.append(case.reference)
        case, definition = await cases.get_case(ctx, refs[0])
        await cases.perform_transition(ctx, case, definition, "escalate", reason="部门协调不了")
        return refs

    refs = as_user("social", file)

    async def upgrade(session):
        (row,) = await sync_shipped_types(session, (await _haishu(session)).scalar_one(), None)
        return row.version

    assert seed(upgrade) == 3
    return refs


def test_old_cases_keep_their_workflow_and_the_cli_migrates_them(old_cases, as_user, run):
    """An escalated case of the old version is still resolved by the old step (no meeting record); the CLI shows
    the open states, refuses an incomplete mapping, starts the migration, runs it; then the new steps apply."""
    escalated, with_community = old_cases

    async def resolve(ctx):
        case, definition = await cases.get_case(ctx, escalated)
        await cases.perform_transition(ctx, case, definition, "resolve", data={"resolution": "会议已协调"})
        return case.state

    assert as_user("social", resolve) == "resolved"
    shown = run("case-types", "migration", "resident_request", "--district", "haishu")
    assert shown.exit_code == 0
    assert "community_handling × 1" in shown.output and "resolved × 1" in shown.output
    assert "没有迁移 / no migration" in shown.output
    partial = run("case-types", "migrate", "resident_request", "--district", "haishu", "--map", "resolved=resolved")
    assert partial.exit_code == 2 and "community_handling" in partial.output
    maps = ("--map", "resolved=resolved", "--map", "community_handling=community_handling")
    started = run("case-types", "migrate", "resident_request", "--district", "haishu", *maps)
    assert started.exit_code == 0 and "已开始迁移" in started.output
    busy = run("case-types", "migrate", "resident_request", "--district", "haishu", *maps)
    assert busy.exit_code == 2 and "is under way" in busy.output
    ran = run("case-types", "migrate-run", "--district", "haishu")
    assert ran.exit_code == 0 and "resident_request → v3: 完成 / done, 2/2" in ran.output
    done = run("case-types", "migration", "resident_request", "--district", "haishu")
    assert "完成 / done 2/2" in done.output and "×" not in done.output

    async def refer(ctx):
        case, definition = await cases.get_case(ctx, with_community)
        data = {"difficulty": "departmental", "department": "housing"}
        await cases.perform_transition(ctx, case, definition, "refer_to_department", reason="需房管", data=data)
        return case.state

    assert as_user("worker", refer) == "department_handling"


def test_migration_over_the_api(old_cases, api):
    """GET says what must be mapped; an incomplete mapping is 400 naming the state; a full one is 202 and the
    server's worker moves the cases; afterwards an escalated case needs the meeting's decision. Staff get 403."""
    escalated, _with_community = old_cases
    social, admin = api("social"), api("dadmin")  # the admin's client last: its server's worker is woken
    url = f"{API}/builder/case-types/resident_request/migration"
    assert social.get(url).status_code == 403
    status = admin.get(url).json()
    assert status["target_version"] == 3 and status["job"] is None
    assert status["open_states"] == {"community_handling": 1, "escalated": 1}
    assert "meeting_decided" in status["target_states"]
    refused = admin.post(url, json={"mapping": {"escalated": "escalated"}})
    assert refused.status_code == 400 and set(refused.json()["extra"]["errors"]) == {"community_handling"}
    mapping = {"escalated": "escalated", "community_handling": "community_handling"}
    assert social.post(url, json={"mapping": mapping}).status_code == 403
    started = admin.post(url, json={"mapping": mapping})
    assert started.status_code == 202 and started.json()["total"] == 2
    deadline = time.monotonic() + 20
    while admin.get(url).json()["job"]["status"] != "done" and time.monotonic() < deadline:
        time.sleep(0.1)  # the server's worker moves the cases; only the job is read
    job = admin.get(url).json()["job"]
    assert (job["status"], job["moved"], job["percent"]) == ("done", 2, 100)
    assert admin.get(url).json()["open_states"] == {}
    step = social.post(
        f"{API}/cases/{escalated}/transitions", json={"transition": "resolve", "data": {"resolution": "x"}}
    )
    assert step.status_code == 409  # on the new version the meeting's decision comes first


def test_roles_over_the_api(world, api):
    """A district admin lists the roles (department and town office among them), adds one, gives and takes
    permissions (taking needs confirm), renames and deletes it; a community worker gets 403."""
    admin, worker = api("dadmin"), api("worker")
    assert worker.get(f"{API}/roles").status_code == 403
    assert worker.post(f"{API}/roles", json={"key": "inspector", "name_zh": "巡查员"}).status_code == 403
    roles = {r["key"]: r for r in admin.get(f"{API}/roles").json()}
    assert roles["department_staff"]["name_zh"] == "职能部门工作人员" and roles["town_office"]["builtin"]
    granted = {(p["resource"], p["action"]) for p in roles["town_office"]["permissions"]}
    assert {("case:resident_request", "view"), ("case:resident_request", "transition:record_decision")} <= granted
    created = admin.post(f"{API}/roles", json={"key": "inspector", "name_zh": "巡查员"})
    assert created.status_code == 201 and created.json()["permissions"] == []
    again = admin.post(f"{API}/roles", json={"key": "inspector", "name_zh": "巡查员"})
    assert again.status_code == 409
    bad = admin.post(f"{API}/roles", json={"key": "Bad Key", "name_zh": "x"})
    assert bad.status_code == 400 and "key" in bad.json()["extra"]["errors"]
    perms = f"{API}/roles/inspector/permissions"
    two = [{"resource": "dashboard", "action": "view"}, {"resource": "users", "action": "view"}]
    assert admin.put(perms, json={"permissions": two}).json()["permissions"] == two
    taking = admin.put(perms, json={"permissions": two[:1]})
    assert taking.status_code == 409 and taking.json()["extra"]["removed"] == two[1:]
    assert admin.put(perms, json={"permissions": two[:1], "confirm": True}).json()["permissions"] == two[:1]
    unknown = admin.put(perms, json={"permissions": [{"resource": "nope", "action": "x"}]})
    assert unknown.status_code == 400
    renamed = admin.patch(f"{API}/roles/inspector", json={"name_zh": "街道巡查员"})
    assert renamed.json()["name_zh"] == "街道巡查员"
    assert admin.delete(f"{API}/roles/town_office").status_code == 409  # built in
    assert admin.delete(f"{API}/roles/inspector").status_code == 204
    assert admin.get(f"{API}/roles/inspector").status_code == 404


def test_roles_on_the_command_line(world, run):
    """`sanshe roles create`, `permissions --set`, `permissions`, `rename`, `delete`, with clear refusals."""
    created = run("roles", "create", "inspector", "--district", "haishu", "--name-zh", "巡查员")
    assert created.exit_code == 0 and "已新建角色 inspector" in created.output
    assert run("roles", "create", "inspector", "--district", "haishu", "--name-zh", "巡查员").exit_code == 2
    assert run("roles", "create", "Bad Key", "--district", "haishu", "--name-zh", "x").exit_code == 2
    given = run("roles", "permissions", "inspector", "--district", "haishu", "--set", "dashboard:view")
    assert given.exit_code == 0 and given.output.splitlines()[-1] == "dashboard:view"
    taking = run("roles", "permissions", "inspector", "--district", "haishu", "--clear")
    assert taking.exit_code == 2 and "--yes" in taking.output
    assert run("roles", "permissions", "inspector", "--district", "haishu", "--clear", "--yes").exit_code == 0
    assert run("roles", "permissions", "inspector", "--district", "haishu").output == ""
    town = run("roles", "permissions", "town_office", "--district", "haishu").output.splitlines()
    assert "case:resident_request:transition:record_decision" in town
    assert run("roles", "rename", "inspector", "--district", "haishu", "--name-zh", "街道巡查员").exit_code == 0
    assert "街道巡查员" in run("roles", "list", "--district", "haishu").output
    assert run("roles", "delete", "inspector", "--district", "haishu").exit_code == 0
    assert run("roles", "delete", "town_office", "--district", "haishu").exit_code == 2
