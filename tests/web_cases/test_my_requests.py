"""我的诉求: residents see their own cases with where each stands, never the staff queue."""

from __future__ import annotations

from core.cases import service
from tests.cases.conftest import RESIDENT_REQUEST


def _file(as_user, who: str, title: str) -> str:
    async def create(ctx):
        case = await service.create_case(
            ctx, "resident_request", title=title, data=dict(RESIDENT_REQUEST), channel="web"
        )
        return case.reference

    return as_user(who, create)


def test_a_resident_gets_my_requests_not_the_staff_queue(browser, as_user):
    """The resident's /cases goes to 我的诉求: their own case with its state and what happens next;
    no assignment tools, no saved queues, no names of other users, nothing of another resident."""
    mine = _file(as_user, "resident", "楼道灯坏了")
    theirs = _file(as_user, "resident2", "邻居家漏水")
    client = browser("resident")
    queue = client.get("/d/haishu/cases", follow_redirects=False)
    assert queue.status_code == 303 and queue.headers["location"] == "/d/haishu/my-requests"
    page = client.get("/d/haishu/my-requests")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "我的诉求" in page.text and "楼道灯坏了" in page.text and mine in page.text
    assert "已登记" in page.text  # the state, by its label
    assert "工作人员正在办理。" in page.text
    assert "邻居家漏水" not in page.text and theirs not in page.text
    assert "分配给" not in page.text and "保存为队列" not in page.text and "social" not in page.text
    dashboard = client.get("/d/haishu/").text
    assert 'href="/d/haishu/my-requests"' in dashboard and 'href="/d/haishu/cases"' not in dashboard


def test_staff_still_get_the_queue(browser, as_user):
    """A community worker's /cases is the queue, and the menu says 个案队列."""
    _file(as_user, "resident", "楼道灯坏了")
    client = browser("worker")
    page = client.get("/d/haishu/cases", follow_redirects=False)
    assert page.status_code == 200 and "楼道灯坏了" in page.text
    assert 'href="/d/haishu/my-requests"' not in page.text
