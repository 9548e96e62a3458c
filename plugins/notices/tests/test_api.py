"""The notices JSON API under /api/v1/districts/{code}/notices."""

from __future__ import annotations

from core.testing import login
from plugins.notices.tests.support import titles

API = "/api/v1/districts/haishu/notices"


def _auth(world, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[user]}"}


def test_list_shows_published_notices_pinned_first(client, world):
    """A resident's token lists the district's published notices, pinned first."""
    response = client.get(API, headers=_auth(world, "resident"))
    assert response.status_code == 200
    assert [n["title"] for n in response.json()] == ["偃月小区停车议事会通知", "垃圾分类宣传周"]
    assert response.json()[0]["org_unit_id"] == world.pingqiao


def test_managers_list_scheduled_notices_too(client, world):
    """A community worker's list includes the notice scheduled for later."""
    response = client.get(API, headers=_auth(world, "worker"))
    assert "下月体检安排" in [n["title"] for n in response.json()]


def test_create_get_update_delete(client, world, seed):
    """A worker creates, reads, changes and deletes a notice; each step shows in the next answer."""
    headers = _auth(world, "worker")
    created = client.post(API, json={"title": "停电通知", "body": "周四 9:00–12:00 停电。"}, headers=headers)
    assert created.status_code == 201, created.text
    notice = created.json()
    assert notice["pinned"] is False
    url = f"{API}/{notice['id']}"
    assert client.get(url, headers=headers).json()["title"] == "停电通知"
    changed = client.patch(url, json={"title": "停电通知（已改期）", "org_unit_id": world.mudan}, headers=headers)
    assert changed.status_code == 200, changed.text
    assert changed.json()["title"] == "停电通知（已改期）"
    assert changed.json()["body"] == "周四 9:00–12:00 停电。"
    assert changed.json()["org_unit_id"] == world.mudan
    assert client.delete(url, headers=headers).status_code == 204
    assert client.get(url, headers=headers).status_code == 404
    assert "停电通知（已改期）" not in seed(lambda s: titles(s, "haishu"))


def test_invalid_notice_is_refused_with_errors_by_field(client, world, seed):
    """A notice without a title gets 400 with a message for that field, and nothing is saved."""
    bad = {"title": "", "body": "内容", "published_at": "not a date"}
    response = client.post(API, json=bad, headers=_auth(world, "worker"))
    assert response.status_code == 400
    errors = response.json()["extra"]["errors"]
    assert errors["title"] == "请填写标题。"
    assert "published_at" in errors
    assert len(seed(lambda s: titles(s, "haishu"))) == 3


def test_patch_with_bad_value_changes_nothing(client, world):
    """A PATCH with another district's community is refused and the notice is unchanged."""
    url = f"{API}/{world.notices['sorting']}"
    headers = _auth(world, "worker")
    response = client.patch(url, json={"org_unit_id": world.baihe}, headers=headers)
    assert response.status_code == 400
    assert "org_unit_id" in response.json()["extra"]["errors"]
    assert client.get(url, headers=headers).json()["org_unit_id"] == world.mudan


def test_resident_may_read_but_not_write(client, world):
    """A resident's token reads a notice but gets 403 on create, update and delete."""
    headers = _auth(world, "resident")
    url = f"{API}/{world.notices['sorting']}"
    assert client.get(url, headers=headers).status_code == 200
    assert client.post(API, json={"title": "x", "body": "y"}, headers=headers).status_code == 403
    assert client.patch(url, json={"title": "x"}, headers=headers).status_code == 403
    assert client.delete(url, headers=headers).status_code == 403


def test_other_district_is_never_reached(client, world):
    """A haishu token gets 404 for yinzhou's notices, and a haishu notice id is 404 through yinzhou's URL."""
    headers = _auth(world, "worker")
    assert client.get("/api/v1/districts/yinzhou/notices", headers=headers).status_code == 404
    assert client.get(f"{API}/{world.notices['yinzhou']}", headers=headers).status_code == 404
    yz = _auth(world, "yz-worker")
    assert client.get(f"/api/v1/districts/yinzhou/notices/{world.notices['sorting']}", headers=yz).status_code == 404
    assert client.delete(f"/api/v1/districts/yinzhou/notices/{world.notices['sorting']}", headers=yz).status_code == 404


def test_browser_session_needs_csrf_for_writes(client, world):
    """With the browser session, a POST without the CSRF header is refused; with it, it works."""
    login(client, "worker")
    assert client.post(API, json={"title": "无令牌", "body": "x"}).status_code == 403
    token = client.get("/d/haishu/notices").text.split('name="_csrf_token" value="')[1].split('"')[0]
    response = client.post(API, json={"title": "有令牌", "body": "x"}, headers={"x-csrftoken": token})
    assert response.status_code == 201


def test_notices_api_is_in_the_openapi_schema(client, world):
    """The notices endpoints are described at /schema/openapi.json."""
    paths = client.get("/schema/openapi.json").json()["paths"]
    assert "/api/v1/districts/{district_code}/notices" in paths
    assert "/api/v1/districts/{district_code}/notices/{notice_id}" in paths
