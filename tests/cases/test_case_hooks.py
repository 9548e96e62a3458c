"""The case hooks: what the core does with each plugin answer (test plugin: tests/plugins_for_tests/case_hooks.py)."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from core.cases import service
from core.cases.errors import TransitionRefused
from core.cases.queues import Filters, count_cases, list_cases
from core.models import District
from core.models.cases import Case, CaseEvent, CaseTypeVersion
from core.plugins import PluginHost
from core.refusal import NotFound
from core.services.enablement import enable_plugin
from core.testing import csrf_of, login
from core.testing.apps import lease
from tests.plugins_for_tests import case_hooks

pytestmark = pytest.mark.pgbouncer  # also through PgBouncer in transaction mode (core.testing.pgbouncer)


@pytest.fixture
def host() -> PluginHost:
    return PluginHost.load(frozenset(), extra_modules=(case_hooks,))


@pytest.fixture
def enabled(world, seed, host):
    async def run(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        await enable_plugin(session, district, host, "hook_cases")

    seed(run)


def create(as_user, title, who="worker", **data):
    async def run(ctx):
        case = await service.create_case(ctx, "hook_demo", title=title, data=data, channel="web")
        return case.reference

    return as_user(who, run)


def finish(as_user, reference, **data):
    async def run(ctx):
        case, definition = await service.get_case(ctx, reference)
        await service.perform_transition(ctx, case, definition, "finish", data=data)

    return as_user("worker", run)


def read(as_user, reference, who="worker"):
    async def run(ctx):
        case, _ = await service.get_case(ctx, reference)
        events = (
            await ctx.session.execute(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq))
        ).scalars()
        return case.state, case.priority, [e.payload.get("text") or e.kind for e in events]

    return as_user(who, run)


def test_hook_case_types(enabled, seed):
    """A plugin's YAML becomes a published, versioned case type when the plugin is enabled."""

    async def run(session):
        return (
            await session.execute(
                select(CaseTypeVersion.version, CaseTypeVersion.source).where(CaseTypeVersion.key == "hook_demo")
            )
        ).all()

    assert seed(run) == [(1, "plugin:hook_cases")]


def test_hook_on_case_created(enabled, as_user, seed):
    """on_case_created runs in the creating transaction: its change is saved, its exception undoes the case."""
    reference = create(as_user, "楼顶漏水", urgent=True)
    assert read(as_user, reference)[1] == 3
    with pytest.raises(RuntimeError):
        create(as_user, "explode")

    async def titles(session):
        return list((await session.execute(select(Case.title))).scalars())

    assert seed(titles) == ["楼顶漏水"]


def test_hook_before_transition(enabled, as_user):
    """A reason returned by before_transition refuses the step and is shown as it was written."""
    reference = create(as_user, "检查消防栓")
    with pytest.raises(TransitionRefused) as info:
        finish(as_user, reference)
    assert info.value.message == "请先完成检查再办结。"
    assert read(as_user, reference)[0] == "open"
    finish(as_user, reference, checked=True)
    assert read(as_user, reference)[0] == "done"


def test_hook_after_transition(enabled, as_user):
    """after_transition's side effect lands with the step; when it fails, the state change is undone too."""
    reference = create(as_user, "检查路灯")
    finish(as_user, reference, checked=True)
    state, _, timeline = read(as_user, reference)
    assert state == "done"
    assert timeline[-1] == "已归档（插件）"

    failing = create(as_user, "fail-after")
    with pytest.raises(RuntimeError):
        finish(as_user, failing, checked=True)
    state, _, timeline = read(as_user, failing)
    assert state == "open"
    assert timeline == ["created"]


def test_refusal_after_the_write_keeps_nothing_from_the_case_page(enabled, settings, host, as_user):
    """A step refused by after_transition, taken from the case page by htmx (answered 200): the case stays as it was."""
    reference = create(as_user, "refuse-after", checked=True)
    with TestClient(app=lease(settings, host)) as client:
        login(client, "worker")
        token = csrf_of(client, f"/d/haishu/cases/{reference}")
        answer = client.post(
            f"/d/haishu/cases/{reference}/transitions/finish",
            data={"_csrf_token": token},
            headers={"HX-Request": "true"},
        )
        assert answer.status_code == 200
        assert "档案系统拒收：编号重复。" in answer.text
        page = client.get(f"/d/haishu/cases/{reference}").text
        assert f"/cases/{reference}/transitions/finish" in page  # the step is still offered: nothing was kept
    state, _, timeline = read(as_user, reference)
    assert state == "open"
    assert timeline == ["created"]


def test_hook_case_record_rules(enabled, as_user):
    """A record rule narrows what the user sees in lists, counts and by reference; others are unaffected."""
    secret = create(as_user, "机密：家暴线索", who="dadmin")
    create(as_user, "普通：楼道灯坏", who="dadmin")

    async def visible(ctx):
        types = [d for _, d in (await service.case_types(ctx)).values()]
        filters = Filters(types=("hook_demo",))
        page = await list_cases(ctx, filters, types)
        return [c.title for c in page.cases], await count_cases(ctx, filters, types)

    assert as_user("worker", visible) == (["普通：楼道灯坏"], 1)
    assert sorted(as_user("dadmin", visible)[0]) == ["普通：楼道灯坏", "机密：家暴线索"]
    with pytest.raises(NotFound):
        read(as_user, secret)
