"""A case migrated onto a version whose form requires more is asked for it at its next step (page and API)."""

from __future__ import annotations

import copy
import re
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

import pytest
from litestar.testing import TestClient

from core.builder import migrate
from core.builder import service as builder
from core.cases import service as cases
from core.models.cases import CaseTypeVersion
from core.testing import csrf_of, login

if TYPE_CHECKING:
    from collections.abc import Iterator

DATA = {"elder_name": "王奶奶", "phone": "13800138000", "address": "平桥社区 5 幢", "diet": "normal"}
API = "/api/v1/districts/haishu"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def migrated(world, as_user, meal_delivery):
    """Two cases filed on v1, then v2 requiring 紧急联系人 (emergency contact), both cases migrated onto v2."""

    async def v1(ctx):
        await builder.new_draft(ctx.session, ctx.district, meal_delivery, user_id=None)
        await builder.publish(ctx.session, ctx.district, "meal_delivery", user_id=None)

    as_user("dadmin", v1)

    async def file(ctx):
        refs = []
        for i in range(2):
            case = await cases.create_case(ctx, "meal_delivery", title=f"送餐 {i}", data=dict(DATA), channel="web")
            refs.append(case.reference)
        return refs

    refs = as_user("worker", file)
    v2 = copy.deepcopy(meal_delivery)
    v2["form"]["fields"].append(
        {"key": "contact", "type": "text", "label": {"zh": "紧急联系人", "en": "Emergency contact"}, "required": True}
    )

    async def publish_and_migrate(ctx):
        await builder.new_draft(ctx.session, ctx.district, v2, user_id=None)
        row = await builder.publish(ctx.session, ctx.district, "meal_delivery", user_id=None)
        target = await ctx.session.get(CaseTypeVersion, row.id)
        await migrate.migrate_batch(ctx.session, ctx.district, target, {"applied": "applied"}, actor_id=None)

    as_user("dadmin", publish_and_migrate)
    return refs


@pytest.fixture
def worker(app: Any, migrated: Any) -> Iterator[TestClient[Any]]:
    with ExitStack() as stack:
        client = login(stack.enter_context(TestClient(app=app)), "worker")
        client.headers.update({"x-csrftoken": csrf_of(client, "/me")})
        yield client


def _post_step(client: TestClient[Any], reference: str, **fields: str) -> Any:
    page = client.get(f"/d/haishu/cases/{reference}").text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    lock = re.search(r'name="lock_version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    body = {"_csrf_token": token, "lock_version": lock, **fields}
    return client.post(f"/d/haishu/cases/{reference}/transitions/assess", data=body, headers=HTMX)


def test_the_step_form_asks_for_the_new_required_field(worker, migrated):
    """评估 opens a form asking for 紧急联系人; without it the step is refused in place, with it the case moves."""
    reference = migrated[0]
    page = worker.get(f"/d/haishu/cases/{reference}").text
    actions = page[page.index('id="case-actions"') :]
    assert "评估…" in actions and "/transitions/assess" in actions
    form = worker.get(f"/d/haishu/cases/{reference}/transitions/assess", headers=HTMX).text
    assert 'name="contact"' in form and "紧急联系人" in form and 'id="step-lacking"' in form
    refused = _post_step(worker, reference, contact="")
    assert "该案件缺少案件类型新版本要求的字段" in refused.text
    assert 'id="t-err-contact"' in refused.text
    assert "已申请" in worker.get(f"/d/haishu/cases/{reference}").text
    done = _post_step(worker, reference, contact="王先生 13900139000")
    assert done.status_code == 200 and "hx-location" in done.headers
    after = worker.get(f"/d/haishu/cases/{reference}").text
    assert "已评估" in after and "王先生 13900139000" in after


def test_the_api_refuses_the_step_until_the_field_is_given(worker, migrated):
    """The transitions list names the field; a step without it is refused with the field's error, then goes through."""
    reference = migrated[1]
    steps = {t["key"]: t for t in worker.get(f"{API}/cases/{reference}/transitions").json()}
    assert steps["assess"]["required"] == ["contact"]
    refused = worker.post(f"{API}/cases/{reference}/transitions", json={"transition": "assess"})
    assert refused.status_code in (400, 422), refused.text
    assert "contact" in refused.text and "该案件缺少案件类型新版本要求的字段" in refused.text
    moved = worker.post(
        f"{API}/cases/{reference}/transitions", json={"transition": "assess", "data": {"contact": "王先生"}}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["state"] == "assessed" and moved.json()["data"]["contact"] == "王先生"
    steps = {t["key"]: t for t in worker.get(f"{API}/cases/{reference}/transitions").json()}
    assert steps["start"]["required"] == []
