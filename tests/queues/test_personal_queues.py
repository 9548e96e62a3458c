"""Personal queues: staff save the current filters under a name, rename and delete them; nobody else sees them."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.models.cases import SavedQueue
from core.testing import csrf_of
from tests.queues.conftest import make_requests
from tests.queues.test_queue_lists import refs_in

HEADER_RE = re.compile(r'<th scope="col" class="col-(\w+)"')


def token(client):
    return csrf_of(client, "/d/haishu/cases")


def queue_row(seed):
    async def run(session):
        rows = (await session.execute(select(SavedQueue.id, SavedQueue.key, SavedQueue.label_zh))).all()
        return [tuple(r) for r in rows]

    return seed(run)


def save(client, name, query):
    return client.post(
        "/d/haishu/queues/saved",
        data={"name": name, "query": query, "_csrf_token": token(client)},
        follow_redirects=False,
    )


def test_save_open_rename_and_delete_my_queue(seed, as_user, world, logged_in):
    """Saved filters open as a queue with their rows, columns and sort; it can be renamed and deleted."""
    phones = make_requests(as_user, 3, channel="phone")
    make_requests(as_user, 1, channel="walk_in")
    worker = logged_in("worker")
    response = save(worker, "我的电话件", "channel=phone&col=title&col=reference&sort=reference")
    [(queue_id, key, label)] = queue_row(seed)
    assert label == "我的电话件"
    assert response.headers["location"] == f"/d/haishu/cases?queue={key}"
    page = worker.get(response.headers["location"]).text
    assert "队列“我的电话件”已保存。" in page
    assert refs_in(page) == sorted(phones)
    assert HEADER_RE.findall(page) == ["title", "reference"]
    assert 'name="name" value="我的电话件"' in page  # the rename form of one's own queue

    renamed = worker.post(
        "/d/haishu/queues/saved/rename",
        data={"id": queue_id, "name": "电话诉求", "_csrf_token": token(worker)},
        follow_redirects=False,
    )
    assert renamed.status_code == 303
    page = worker.get("/d/haishu/cases").text
    assert "电话诉求" in page and "我的电话件" not in page
    empty = worker.post(
        "/d/haishu/queues/saved/rename", data={"id": queue_id, "name": " ", "_csrf_token": token(worker)}
    )
    assert "请为队列命名（最多 100 个字符）。" in empty.text
    assert queue_row(seed)[0][2] == "电话诉求"

    worker.post("/d/haishu/queues/saved/delete", data={"id": queue_id, "_csrf_token": token(worker)})
    assert queue_row(seed) == []
    assert "电话诉求" not in worker.get("/d/haishu/cases").text
    assert worker.get(f"/d/haishu/cases?queue={key}").status_code == 404


def test_another_users_queue_is_invisible_and_untouchable(seed, as_user, world, logged_in):
    """A colleague neither sees my queue, nor opens, renames or deletes it (404 each time)."""
    make_requests(as_user, 1, channel="phone")
    worker = logged_in("worker")
    save(worker, "只给我看的", "channel=phone")
    [(queue_id, key, _label)] = queue_row(seed)
    social = logged_in("social")
    assert "只给我看的" not in social.get("/d/haishu/cases").text
    assert social.get(f"/d/haishu/cases?queue={key}").status_code == 404
    assert social.get(f"/d/haishu/queues/export.csv?queue={key}").status_code == 404
    for action, extra in (("rename", {"name": "抢过来"}), ("delete", {})):
        response = social.post(
            f"/d/haishu/queues/saved/{action}", data={"id": queue_id, "_csrf_token": token(social), **extra}
        )
        assert response.status_code == 404
    assert queue_row(seed) == [(queue_id, key, "只给我看的")]


def test_saving_refuses_a_bad_name_or_filter(seed, world, logged_in):
    """No name, or a case type that does not exist: a message, and nothing saved."""
    worker = logged_in("worker")
    no_name = save(worker, "", "channel=phone")
    assert "请为队列命名（最多 100 个字符）。" in worker.get(no_name.headers["location"]).text
    bad_type = save(worker, "坏的", "type=no_such_type")
    assert "未知的个案类型：no_such_type" in worker.get(bad_type.headers["location"]).text
    assert queue_row(seed) == []
