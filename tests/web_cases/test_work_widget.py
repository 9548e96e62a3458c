"""The 工作台 shows staff what they must do today; residents get no staff widget."""

from __future__ import annotations

import re

from core.cases import service
from tests.cases.conftest import RESIDENT_REQUEST


def test_staff_dashboard_shows_my_cases_my_queue_counts_and_the_week(browser, as_user):
    """A worker's dashboard: 今日工作 with the counts of their queues (linked), their open case with its
    due date, and this week's chart counting today's new case; role names, never role keys."""

    async def create(ctx):
        case = await service.create_case(
            ctx, "resident_request", title="楼道灯坏了", data=dict(RESIDENT_REQUEST), channel="phone"
        )
        await service.claim(ctx, case, (await service.get_case(ctx, case.reference))[1])
        return case.reference

    reference = as_user("worker", create)
    page = browser("worker").get("/d/haishu/").text
    assert "今日工作" in page
    assert re.search(r'href="/d/haishu/cases\?scope=mine"[^>]*><strong>1</strong> 我的个案', page)
    assert 'href="/d/haishu/cases?scope=overdue"' in page
    assert "楼道灯坏了" in page and reference in page
    assert "本周新增与办结" in page and "<svg" in page and "新增 1，办结 0" in page
    assert "社区工作者" in page and "community_worker" not in page


def test_residents_get_no_staff_widget(browser):
    """A resident's dashboard has no 今日工作 (their page is 我的诉求)."""
    page = browser("resident").get("/d/haishu/").text
    assert "今日工作" not in page and "我的诉求" in page
