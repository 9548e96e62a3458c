"""``/api/v1/districts/{code}/queues``: the same queues, checks and permissions as the pages."""

from __future__ import annotations

from core.testing import csrf_of
from tests.queues.conftest import make_requests
from tests.queues.test_queue_lists import refs_in

API = "/api/v1/districts/haishu/queues"


def headers(client):
    return {"x-csrftoken": csrf_of(client, "/d/haishu/cases")}


def test_personal_queue_round_trip(as_user, world, logged_in):
    """Create, list, open by its URL, change and delete one's own queue; colleagues get 404."""
    phones = make_requests(as_user, 2, channel="phone")
    make_requests(as_user, 1, channel="walk_in")
    worker = logged_in("worker")
    h = headers(worker)
    body = {
        "label_zh": "电话件",
        "filters": {"channel": "phone"},
        "columns": ["title", "reference"],
        "sort": "reference",
    }
    created = worker.post(API, json=body, headers=h)
    assert created.status_code == 201, created.text
    queue = created.json()
    assert queue["shared"] is False and queue["columns"] == ["title", "reference"] and queue["sort"] == "reference"
    assert queue["url"] == f"/d/haishu/cases?queue={queue['key']}"
    assert [q["key"] for q in worker.get(API).json()] == [queue["key"]]
    assert refs_in(worker.get(queue["url"]).text) == sorted(phones)

    changed = worker.patch(f"{API}/{queue['key']}", json={"label_zh": "电话诉求", "filters": {}}, headers=h)
    assert changed.status_code == 200 and changed.json()["label_zh"] == "电话诉求"
    assert changed.json()["filters"] == {} and changed.json()["columns"] == ["title", "reference"]

    social = logged_in("social")
    hs = headers(social)
    assert social.get(API).json() == []
    assert social.patch(f"{API}/{queue['key']}", json={"label_zh": "抢"}, headers=hs).status_code == 404
    assert social.delete(f"{API}/{queue['key']}", headers=hs).status_code == 404

    worker = logged_in("worker")
    assert worker.delete(f"{API}/{queue['key']}", headers=headers(worker)).status_code == 204
    assert worker.get(API).json() == []


def test_bad_definitions_answer_400_per_field(world, logged_in):
    """Unknown type, reversed dates, unknown column and roles on a personal queue: 400, nothing saved."""
    worker = logged_in("worker")
    h = headers(worker)
    response = worker.post(
        API,
        json={
            "label_zh": "",
            "filters": {"type": ["nope"], "due_from": "2026-05-02", "due_to": "2026-05-01", "colour": "red"},
            "columns": ["reference", "shoe_size"],
            "roles": ["social_worker"],
        },
        headers=h,
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"label_zh", "type", "due", "filters", "columns", "roles"}
    assert errors["type"] == "未知的个案类型：nope。"
    assert errors["due"] == "开始日期晚于结束日期。"
    assert worker.get(API).json() == []


def test_shared_queues_need_a_district_admin(world, logged_in):
    """Staff may not create or change shared queues (403); the admin's role-limited queue shows per role."""
    worker = logged_in("worker")
    refused = worker.post(API, json={"label_zh": "全区", "shared": True}, headers=headers(worker))
    assert refused.status_code == 403

    admin = logged_in("dadmin")
    h = headers(admin)
    body = {"label_zh": "社工队列", "shared": True, "roles": ["social_worker"], "filters": {"scope": "overdue"}}
    created = admin.post(API, json=body, headers=h)
    assert created.status_code == 201, created.text
    key = created.json()["key"]
    assert key in [q["key"] for q in admin.get(API).json()]  # admins list every shared queue

    social = logged_in("social")
    assert [q["label_zh"] for q in social.get(API).json()] == ["社工队列"]
    assert social.patch(f"{API}/{key}", json={"label_zh": "改"}, headers=headers(social)).status_code == 403

    worker = logged_in("worker")
    assert worker.get(API).json() == []
    assert worker.delete(f"{API}/{key}", headers=headers(worker)).status_code == 404

    admin = logged_in("dadmin")
    assert admin.delete(f"{API}/{key}", headers=headers(admin)).status_code == 204


def test_queues_are_in_the_openapi_document(world, logged_in):
    """The four operations are documented."""
    paths = logged_in("worker").get("/schema/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/districts/{district_code}/queues"])
    assert {"patch", "delete"} <= set(paths["/api/v1/districts/{district_code}/queues/{key}"])
