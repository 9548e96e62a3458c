"""Catalogue versions: an item's published version never changes, a change publishes the next one, and a request
keeps the version it was received under (its documents, time limit and back-office route) — also when the
catalogue changes while it waits for a document. Edits fired at once publish distinct versions."""

from __future__ import annotations

from core.testing import csrf_of
from core.testing.apps import lease
from core.testing.browser import serve
from core.testing.races import Call, fire
from plugins.one_window.tests.support import API, CATALOGUE, api_token, catalogue, item_id

ITEM = "330203-MZ-001"  # 最低生活保障申请: 5 documents, route 民政办 + 社保所 (10), then 民政办 (5)


def _headers(client) -> dict[str, str]:
    return {"x-csrftoken": csrf_of(client, "/d/haishu/")}


def _departments(client) -> dict[str, int]:
    """The demo departments' names → ids, as the API gives them in a route."""
    from plugins.one_window.seed import DEMO_DEPARTMENTS

    page = client.get(f"{CATALOGUE}/items/new").text
    found = {}
    for _code, name, _en in DEMO_DEPARTMENTS:
        marker = f">{name}</option>"
        before = page.split(marker, 1)[0]
        found[name] = int(before.rsplit('value="', 1)[1].split('"', 1)[0])
    return found


def test_a_request_keeps_the_version_it_was_received_under(sanshe_factory, sanshe_district, sanshe_client_for):
    """A request for ITEM waits for 家庭收入情况说明 under version 1. Staff then change the item: a new document, a
    shorter limit and the route to 残联 alone — version 2, while version 1's page still shows the old list. When
    the document is brought, the request goes to version 1's departments (民政办 and 社保所), keeps its five
    documents and 20 working days, and its page links to version 1; a request received now is on version 2."""
    catalogue(sanshe_factory)
    worker = sanshe_client_for("community_worker")
    headers = _headers(worker)
    item = item_id(sanshe_factory, ITEM)
    units = _departments(worker)
    body = {"item_id": item, "applicant": "周敏", "phone": "13957423456", "received": [0, 1, 3, 4]}
    waiting = worker.post(f"{API}/intakes", json=body, headers=headers).json()
    assert waiting["status"] == "waiting" and waiting["item_version"] == 1

    change = {
        "documents": [{"name": "居民身份证", "form": "both", "count": 1, "later": False}],
        "time_limit_days": 8,
        "route": [{"departments": [units["鼓楼街道残联"]], "days": 8}],
    }
    changed = worker.patch(f"{API}/items/{item}", json=change, headers=headers)
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2
    versions = worker.get(f"{API}/items/{item}/versions").json()
    assert [(v["version"], len(v["documents"]), v["time_limit_days"]) for v in versions] == [(2, 1, 8), (1, 5, 20)]
    first = worker.get(f"{CATALOGUE}/items/{item}/versions/1").text
    assert "家庭收入情况说明" in first and "20 个工作日" in first and "第 1 版" in first
    assert "家庭收入情况说明" not in worker.get(f"{CATALOGUE}/items/{item}").text

    brought = worker.post(f"{API}/intakes/{waiting['id']}/documents", json={"received": [2]}, headers=headers)
    assert brought.status_code == 200, brought.text
    assert brought.json()["status"] == "accepted" and brought.json()["missing"] == []
    steps = worker.get(f"{API}/steps", params={"status": "open"}).json()
    mine = {s["department_id"] for s in steps if s["reference"] == waiting["reference"]}
    assert mine == {units["鼓楼街道民政办"], units["鼓楼街道社保所"]}
    page = worker.get(f"/d/haishu/one_window/intakes/{waiting['id']}").text
    assert f"/one_window/items/{item}/versions/1" in page and "20 个工作日" in page

    body = {"item_id": item, "applicant": "孙秀英", "phone": "13957420000", "received": [0]}
    later = worker.post(f"{API}/intakes", json=body, headers=headers).json()
    assert later["item_version"] == 2 and later["status"] == "accepted"
    steps = worker.get(f"{API}/steps", params={"status": "open"}).json()
    assert {s["department_id"] for s in steps if s["reference"] == later["reference"]} == {units["鼓楼街道残联"]}


def test_saving_an_item_unchanged_publishes_no_version(sanshe_factory, sanshe_district, sanshe_client_for):
    """The edit form saved as it is keeps version 1; a missing version is 404 on the page and in the API."""
    catalogue(sanshe_factory)
    worker = sanshe_client_for("community_worker")
    item = item_id(sanshe_factory, ITEM)
    form = worker.get(f"{CATALOGUE}/items/{item}/edit").text
    assert "最低生活保障申请" in form
    same = worker.patch(f"{API}/items/{item}", json={"title": "最低生活保障申请"}, headers=_headers(worker))
    assert same.status_code == 200 and same.json()["version"] == 1
    assert [v["version"] for v in worker.get(f"{API}/items/{item}/versions").json()] == [1]
    assert worker.get(f"{CATALOGUE}/items/{item}/versions/2").status_code == 404
    assert worker.get(f"{API}/items/{item}/versions/2").status_code == 404


def test_edits_at_the_same_moment_publish_one_version_each(
    sanshe_factory, sanshe_district, sanshe_settings, sanshe_host
):
    """Six API edits of the time limit fired at once: all answered, versions 2 to 7 each published once, and the
    item is on version 7 with the limit of the edit that came last."""
    catalogue(sanshe_factory)
    sanshe_factory.user("keeper", role="community_worker")
    token = api_token(sanshe_factory, "keeper")
    item = item_id(sanshe_factory, ITEM)
    path = f"{API}/items/{item}"
    with serve(lease(sanshe_settings, sanshe_host)) as url:
        answers = fire(url, [Call("PATCH", path, json={"time_limit_days": 30 + n}, token=token) for n in range(6)])
        assert [a.status_code for a in answers] == [200] * 6, [a.text for a in answers if a.status_code != 200]
        assert sorted(a.json()["version"] for a in answers) == [2, 3, 4, 5, 6, 7]
        import httpx

        versions = httpx.get(f"{url}{path}/versions", headers={"Authorization": f"Bearer {token}"}).json()
    assert [v["version"] for v in versions] == [7, 6, 5, 4, 3, 2, 1]
    last = next(a.json() for a in answers if a.json()["version"] == 7)
    assert versions[0]["time_limit_days"] == last["time_limit_days"]
