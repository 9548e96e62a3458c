"""Each step of the grade evaluation is notified through the core's notifications service; the organization
withdraws its application before the result (page and API), with a reason."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from core.models import Notification, User
from core.refusal import Refusal
from core.testing import csrf_of, login
from plugins.rating import grading, service
from plugins.rating.grade_notices import KINDS
from plugins.rating.tests.test_grade_process import _score, _setup, _to_scoring


def _told(seed: Any) -> dict[str, list[str]]:
    """Each grade notice kind → the usernames told, sorted."""

    async def work(session: Any) -> dict[str, list[str]]:
        rows = (
            await session.execute(
                select(Notification.kind, User.username)
                .join(User, User.id == Notification.user_id)
                .where(Notification.kind.like("rating.grade_%"))
            )
        ).all()
        found: dict[str, list[str]] = {}
        for kind, name in rows:
            found.setdefault(kind, []).append(name)
        return {k: sorted(v) for k, v in found.items()}

    return seed(work)


def test_every_step_is_notified_to_those_concerned(world, as_user, seed):
    """Submitted → the evaluation staff (district admin, social worker; not the worker who did it); expert on
    the panel → that expert and the organization's staff (e4); scored and in publicity → the organization and
    the panel; an objection → staff and the organization; confirmed → the organization and the panel. Once the
    result is out, the organization can no longer withdraw."""
    ids = _setup(seed, world)

    async def start(ctx: Any) -> int:
        ev_id = await _to_scoring(ctx, world.youth, 2026)
        await grading.assign_expert(ctx, await grading.get_evaluation(ctx.session, ev_id), ids["e1"])
        return ev_id

    ev_id = as_user("worker", start)
    told = _told(seed)
    assert told["rating.grade_submitted"] == ["dadmin", "social"]
    assert told["rating.grade_panel"] == ["e1", "e4"]
    _score(as_user, "e1", ev_id)

    async def close(ctx: Any) -> int:
        ev = await grading.get_evaluation(ctx.session, ev_id)
        await grading.close_scoring(ctx, ev, today=date(2026, 12, 10))
        assert ev.grade_id is not None
        return ev.grade_id

    grade_id = as_user("worker", close)

    async def withdraw_late(ctx: Any) -> str:
        with pytest.raises(Refusal) as refused:
            await grading.withdraw(ctx, await grading.get_evaluation(ctx.session, ev_id), "不评了")
        return refused.value.zh

    assert as_user("e4", withdraw_late) == "评估结果已经产生，不能撤回"

    async def objection(ctx: Any) -> None:
        await service.object_to_grade(
            ctx, await service.get_grade(ctx.session, grade_id), "分数偏高", today=date(2026, 12, 12)
        )

    as_user("other", objection)

    async def finish(ctx: Any) -> None:
        (o,) = (await grading.objections(ctx.session, [grade_id]))[grade_id]
        await service.answer_objection(ctx, o, "维持")
        ev = await grading.get_evaluation(ctx.session, ev_id)
        await grading.end_publicity(ctx, ev, today=date(2026, 12, 18))
        await grading.confirm(ctx, ev, "通过", today=date(2026, 12, 20))

    as_user("worker", finish)
    told = _told(seed)
    assert told["rating.grade_scored"] == ["e4"]
    assert told["rating.grade_publicity"] == ["e1", "e4"]
    assert told["rating.grade_objection"] == ["dadmin", "e4", "social"]
    assert told["rating.grade_confirmed"] == ["e1", "e4"]

    async def e4_notices(session: Any) -> list[str]:
        e4 = (await session.execute(select(User.id).where(User.username == "e4"))).scalar_one()
        rows = (await session.execute(select(Notification).where(Notification.user_id == e4))).scalars()
        kinds = {k.key: k for k in KINDS}
        return [kinds[n.kind].title("zh_CN", n.params) for n in rows if n.kind in kinds]

    titles = seed(e4_notices)
    assert "海曙区青少年成长服务中心 2026 年度等级评估得分 1100：5A" in titles
    assert "海曙区青少年成长服务中心 等级确认为 5A，有效期 2027-01-01 至 2031-12-31" in titles


def test_organization_withdraws_before_the_result(client, world, as_user, seed):
    """The organization's staff (e4) withdraw on the page: no reason → back to the page with the Chinese reason,
    nothing changed; with a reason → withdrawn, the staff and the panel told; the API refuses a second withdrawal (409);
    a resident of the district cannot see it (404)."""
    ids = _setup(seed, world)

    async def start(ctx: Any) -> int:
        ev_id = await _to_scoring(ctx, world.youth, 2026)
        await grading.assign_expert(ctx, await grading.get_evaluation(ctx.session, ev_id), ids["e1"])
        return ev_id

    ev_id = as_user("worker", start)
    login(client, "e4")
    page = client.get(f"/d/haishu/rating/grade-evaluations/{ev_id}")
    assert "撤回申请" in page.text
    url = f"/d/haishu/rating/grade-evaluations/{ev_id}/withdraw"
    empty = client.post(url, data={"_csrf_token": csrf_of(client), "reason": " "})
    assert "请填写撤回原因" in empty.text
    assert as_user("worker", lambda ctx: _status(ctx, ev_id)) == "expert_scoring"
    done = client.post(url, data={"_csrf_token": csrf_of(client), "reason": "负责人变更，明年再申请"})
    assert done.status_code in (200, 303)
    shown = client.get(f"/d/haishu/rating/grade-evaluations/{ev_id}").text
    assert "已撤回" in shown and "负责人变更，明年再申请" in shown
    assert _told(seed)["rating.grade_withdrawn"] == ["dadmin", "e1", "social"]
    assert as_user("worker", lambda ctx: _status(ctx, ev_id)) == "withdrawn"

    token = {"Authorization": f"Bearer {world.tokens['worker']}"}
    again = client.post(
        f"/api/v1/districts/haishu/rating/grade-evaluations/{ev_id}/withdraw", json={"reason": "再撤"}, headers=token
    )
    assert again.status_code == 409 and "不能撤回" in again.json()["detail"]
    resident = {"Authorization": f"Bearer {world.tokens['resident']}"}
    hidden = client.post(
        f"/api/v1/districts/haishu/rating/grade-evaluations/{ev_id}/withdraw", json={"reason": "x"}, headers=resident
    )
    assert hidden.status_code == 404


async def _status(ctx: Any, ev_id: int) -> str:
    return (await grading.get_evaluation(ctx.session, ev_id)).status
