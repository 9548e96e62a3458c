"""The queue builder: district admins define shared queues (filters, columns, sort, roles) in the browser."""

from __future__ import annotations

import re

from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from core.models.cases import SavedQueue
from core.testing import csrf_of
from tests.queues.conftest import HTMX, make_requests
from tests.queues.test_queue_lists import counts_in, refs_in

ADMIN = "/d/haishu/admin/queues"
HEADER_RE = re.compile(r'<th scope="col" class="col-(\w+)"')


def token(client):
    return csrf_of(client, "/d/haishu/cases")


def saved_rows(seed):
    async def run(session):
        rows = (await session.execute(select(SavedQueue).order_by(SavedQueue.id))).scalars()
        return [(q.key, q.owner_id, q.label_zh, dict(q.filters), list(q.columns), q.sort, list(q.roles)) for q in rows]

    return seed(run)


def shared_form(client, **over):
    """A valid editor form: walk-in cases, title then reference, sorted by reference, for social workers."""
    data = {
        "_csrf_token": token(client),
        "label_zh": "来访件（社工）",
        "label_en": "Walk-ins",
        "scope": "all",
        "channel": "walk_in",
        "open": "open",
        "col": ["reference", "title"],
        "order.title": "1",
        "order.reference": "2",
        "sort": "reference",
        "role": ["social_worker"],
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_builds_a_shared_queue_for_one_role(seed, as_user, world, logged_in):
    """A queue for social workers: they see it with its rows, columns and sort; others neither see nor open it."""
    walk_ins = make_requests(as_user, 2, channel="walk_in")
    make_requests(as_user, 1, title="电话来的", channel="phone")
    admin = logged_in("dadmin")
    assert "新建共享队列" in admin.get(ADMIN).text
    response = admin.post(ADMIN, data=shared_form(admin), follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == ADMIN
    listing = admin.get(ADMIN).text
    assert "来访件（社工）" in listing and "社工" in listing and "标题、编号" in listing
    [(key, owner, _label, filters, columns, sort, roles)] = saved_rows(seed)
    assert (owner, filters, columns, sort, roles) == (
        None,
        {"channel": "walk_in"},
        ["title", "reference"],
        "reference",
        ["social_worker"],
    )

    social = logged_in("social")
    page = social.get("/d/haishu/cases").text
    assert "来访件（社工）" in page
    link = f"/d/haishu/cases?queue={key}"
    assert f'href="{link}"' in page
    opened = social.get(link).text
    assert "<h1>来访件（社工）" in opened
    assert refs_in(opened) == sorted(walk_ins)  # its filter and its sort
    assert HEADER_RE.findall(opened) == ["title", "reference"]  # its columns, in its order
    resort = f"{link}&sort=-reference"  # a column header re-sorts inside the queue
    assert f'href="{resort.replace("&", "&amp;")}"' in opened
    resorted = social.get(resort).text
    assert refs_in(resorted) == sorted(walk_ins, reverse=True)
    assert HEADER_RE.findall(resorted) == ["title", "reference"]
    assert 'aria-current="page"' in opened.split(f'href="{link}"', 1)[1].split(">", 1)[0]  # marked in the sidebar

    worker = logged_in("worker")
    assert "来访件（社工）" not in worker.get("/d/haishu/cases").text
    assert worker.get(link).status_code == 404
    assert worker.get(f"/d/haishu/queues/export.csv?queue={key}").status_code in {403, 404}
    admin = logged_in("dadmin")  # not a social worker, but opens it from the builder's "open the queue"
    assert f'href="{link}"' in admin.get(ADMIN).text
    assert "<h1>来访件（社工）" in admin.get(link).text


def test_bad_definitions_are_refused_and_change_nothing(seed, world, logged_in):
    """Unknown type, dates in the wrong order, no column, an unknown role: each field says why; nothing saved."""
    admin = logged_in("dadmin")
    admin.post(ADMIN, data=shared_form(admin), follow_redirects=False)
    before = saved_rows(seed)
    key = before[0][0]
    bad = shared_form(
        admin,
        key=key,
        label_zh="改坏了",
        type="no_such_type",
        created_from="2026-03-05",
        created_to="2026-03-01",
        col=None,
        role=["no_such_role"],
    )
    bad.pop("col", None)
    response = admin.post(ADMIN, data=bad)
    assert response.status_code == 400
    for message in (
        "请修改标出的字段；尚未保存任何内容。",
        "未知的个案类型：no_such_type",
        "开始日期晚于结束日期",
        "请至少选择一列",
        "未知的角色",
    ):
        assert message in response.text, message
    assert 'value="改坏了"' in response.text  # what was typed is kept
    assert saved_rows(seed) == before
    new = admin.post(ADMIN, data=shared_form(admin, label_zh="", assignee="999999"))
    assert new.status_code == 400 and "请选择本区成员" in new.text
    assert saved_rows(seed) == before


def test_only_district_admins_build_queues(world, logged_in):
    """Staff get 403 from every page of the builder."""
    worker = logged_in("worker")
    assert worker.get(ADMIN).status_code == 403
    assert worker.get(f"{ADMIN}/edit").status_code == 403
    assert worker.post(ADMIN, data=shared_form(worker)).status_code == 403


def test_reorder_edit_and_delete(seed, world, logged_in):
    """Queues move up and down in the list and the sidebar; editing keeps the key; deleting removes it."""
    admin = logged_in("dadmin")
    admin.post(ADMIN, data=shared_form(admin, label_zh="甲队列", role=[]))
    admin.post(ADMIN, data=shared_form(admin, label_zh="乙队列", role=[]))
    first, second = (row[0] for row in saved_rows(seed))
    admin.post(f"{ADMIN}/move", data={"_csrf_token": token(admin), "key": second, "direction": "up"})
    listing = admin.get(ADMIN).text
    assert listing.index("乙队列") < listing.index("甲队列")
    sidebar = logged_in("worker").get("/d/haishu/cases").text
    assert sidebar.index("乙队列") < sidebar.index("甲队列")
    admin = logged_in("dadmin")
    editor = admin.get(f"{ADMIN}/edit?key={first}").text
    assert 'value="甲队列"' in editor and '<option value="walk_in" selected>' in editor
    admin.post(ADMIN, data=shared_form(admin, key=first, label_zh="甲队列改", channel="phone", role=[]))
    rows = {row[0]: row for row in saved_rows(seed)}
    assert rows[first][2] == "甲队列改" and rows[first][3] == {"channel": "phone"}
    admin.post(f"{ADMIN}/delete", data={"_csrf_token": token(admin), "key": first})
    assert [row[0] for row in saved_rows(seed)] == [second]
    assert "甲队列改" not in admin.get(ADMIN).text
    assert admin.get(f"{ADMIN}/edit?key={first}").status_code == 404


def test_preview_counts_and_shows_first_rows(as_user, world, logged_in):
    """The editor's preview shows how many cases match and the first rows, or waits for corrections."""
    (walk_in,) = make_requests(as_user, 1, title="来访的", channel="walk_in")
    make_requests(as_user, 2, channel="phone")
    admin = logged_in("dadmin")
    preview = admin.post(f"{ADMIN}/preview", data=shared_form(admin), headers=HTMX).text
    assert "符合条件的个案：1 件" in preview and walk_in in preview and "来访的" in preview
    refused = admin.post(f"{ADMIN}/preview", data=shared_form(admin, type="nope"), headers=HTMX).text
    assert "请先改正标出的字段" in refused and "未知的个案类型：nope" in refused


def test_sidebar_counts_come_separately(seed, as_user, world, logged_in):
    """The queue page does not count; the counts fragment counts the shared queue too."""
    make_requests(as_user, 2, channel="walk_in")
    admin = logged_in("dadmin")
    admin.post(ADMIN, data=shared_form(admin, role=[]))
    [(key, *_rest)] = saved_rows(seed)
    worker = logged_in("worker")
    page = worker.get("/d/haishu/cases").text
    saved_count = next(v for k, v in counts_in(page).items() if k.startswith("saved."))
    assert saved_count == "…"
    counts = counts_in(worker.get("/d/haishu/queues/counts", headers={**HTMX, "HX-Target": "queue-sidebar"}).text)
    assert next(v for k, v in counts.items() if k.startswith("saved.")) == "2"
    assert key


def statements(fn):
    """The SQL statements on cases and saved queues ``fn()`` makes the server run (background jobs left out)."""
    seen: list[str] = []

    def on(_conn, _cursor, statement, *_args):
        if "saved_queues" in statement or "FROM cases" in statement:
            seen.append(statement)

    event.listen(Engine, "before_cursor_execute", on)
    try:
        fn()
    finally:
        event.remove(Engine, "before_cursor_execute", on)
    return seen


def test_more_queues_cost_the_page_no_more_queries(seed, as_user, world, logged_in):
    """The queue page and its counts run as many statements with one shared queue as with five (no N+1)."""
    make_requests(as_user, 3, channel="walk_in")
    admin = logged_in("dadmin")
    admin.post(ADMIN, data=shared_form(admin, role=[]))
    worker = logged_in("worker")
    counts = {**HTMX, "HX-Target": "queue-sidebar"}
    worker.get("/d/haishu/cases")  # warm the caches
    worker.get("/d/haishu/queues/counts", headers=counts)
    page_before = len(statements(lambda: worker.get("/d/haishu/cases")))
    counts_before = statements(lambda: worker.get("/d/haishu/queues/counts", headers=counts))
    admin = logged_in("dadmin")
    for n in range(4):
        admin.post(ADMIN, data=shared_form(admin, label_zh=f"队列{n}", role=[]))
    worker = logged_in("worker")
    worker.get("/d/haishu/cases")
    page_after = statements(lambda: worker.get("/d/haishu/cases"))
    counts_after = statements(lambda: worker.get("/d/haishu/queues/counts", headers=counts))
    assert "队列3" in worker.get("/d/haishu/cases").text
    assert page_before > 0 and len(page_after) == page_before
    assert len(counts_after) == len(counts_before)
    assert sum("count(" in s.lower() for s in counts_after) == 1  # every queue counted in one statement
