"""Staff pages: the queues, the scores workbook; the organization's own list; what others may not open."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook

from core.testing import login
from plugins.grants.tests.support import add_application

API = "/api/v1/districts/haishu/grants"


def test_queues_list_what_waits_for_staff(client, world, seed):
    """A submitted application is under “To screen”, a screened one without reviewers under “Reviewers to assign”."""
    seed(lambda s: add_application(s, world, status="submitted", title="待审项目"))
    seed(lambda s: add_application(s, world, status="screened", title="待分配项目"))
    login(client, "staff")
    page = client.get("/d/haishu/grants/queues")
    assert page.status_code == 200
    text = page.text
    assert text.index("待形式审查") < text.index("待审项目") < text.index("待分配评审人") < text.index("待分配项目")
    login(client, "leader")
    assert client.get("/d/haishu/grants/queues").status_code == 403


def test_scores_workbook(client, world, seed):
    """The XLSX has one row per submitted review with each criterion (n/a written out) and the ranking sheet."""
    app_id = seed(lambda s: add_application(s, world, title="银发课堂"))
    client.post(
        f"{API}/applications/{app_id}/assignments",
        json={"reviewer_id": world.users["r1"]},
        headers={"Authorization": f"Bearer {world.tokens['staff']}"},
    )
    c1, c2, c3 = (str(c) for c in world.criteria)
    done = client.put(
        f"{API}/applications/{app_id}/review",
        json={"scores": {c1: 8, c2: None, c3: 4}, "submit": True},
        headers={"Authorization": f"Bearer {world.tokens['r1']}"},
    )
    assert done.status_code == 200
    login(client, "staff")
    response = client.get(f"/d/haishu/grants/calls/{world.call}/scores.xlsx")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    rows = list(book["评分明细"].iter_rows(values_only=True))
    assert rows[1][:6] == ("银发课堂", "阳光社工服务社", "r1", 8, "不适用", 4)
    assert rows[1][6] == 80.0
    assert list(book["排名"].iter_rows(values_only=True))[1][1] == "银发课堂"


def test_organization_sees_its_own_applications(client, world, seed):
    """The leader's page lists their organizations' applications with the status; the group's leader sees none."""
    seed(lambda s: add_application(s, world, status="more_info", title="补材料项目"))
    login(client, "leader")
    page = client.get("/d/haishu/grants")
    assert "补材料项目" in page.text and "需要补充材料" in page.text
    login(client, "groupie")
    assert "补材料项目" not in client.get("/d/haishu/grants").text


def test_dashboard_widget_shows_the_district_totals(client, world, seed):
    """Staff's dashboard shows applications submitted, projects funded and the money committed (the leader's not)."""
    seed(lambda s: add_application(s, world, status="approved", award_fen=4_000_000, title="甲"))
    seed(lambda s: add_application(s, world, status="submitted", title="乙"))
    login(client, "staff")
    page = client.get("/d/haishu/")
    assert "获资助项目" in page.text
    assert "40000.00 元" in page.text
    login(client, "leader")
    assert "获资助项目" not in client.get("/d/haishu/").text


def test_announced_results_keep_closed_projects(client, world, seed):
    """Once the results are announced, the call page lists every funded project — one already closed too —
    and not the one that was not funded."""
    seed(lambda s: add_application(s, world, status="approved", decision="approved", award_fen=4_000_000, title="在办"))
    seed(lambda s: add_application(s, world, status="closed", decision="approved", award_fen=3_000_000, title="已结"))
    seed(lambda s: add_application(s, world, status="rejected", decision="rejected", title="未获"))

    async def announce(session):
        from sqlalchemy import update

        from core.db import utcnow
        from plugins.grants.models import Call

        await session.execute(update(Call).where(Call.id == world.call).values(decided_at=utcnow()))

    seed(announce)
    login(client, "resident")
    page = client.get(f"/d/haishu/grants/calls/{world.call}").text
    results = page[page.index("立项结果") :]
    assert "在办" in results and "已结" in results and "30000.00 元" in results and "未获" not in results
