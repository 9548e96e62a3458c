"""The admin JSON API: districts, org units, users, memberships and modules."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from core.models import DistrictPlugin, OrgUnit, OrgUnitKind
from core.plugins import PluginHost
from core.testing import csrf_of, login
from core.testing.apps import lease
from core.testing.factories import make_district, make_org_unit, make_user
from tests.fakeplugins import alpha, beta

API = "/api/v1/districts/haishu"


def _seed(seed):
    async def data(session):
        district = await make_district(session)
        other = await make_district(session, "yinzhou", "鄞州区")
        street = await make_org_unit(session, district, "gulou", "鼓楼街道", OrgUnitKind.STREET)
        await make_org_unit(session, district, "pingqiao", "平桥社区", OrgUnitKind.COMMUNITY, street)
        await make_org_unit(session, other, "yz1", "鄞州某街道", OrgUnitKind.STREET)
        await make_user(session, "admin", platform_admin=True)
        await make_user(session, "district-admin", district=district, roles=("district_admin",))
        await make_user(session, "worker", district=district, roles=("community_worker",))
        await make_user(session, "yz-admin", district=other, roles=("district_admin",))

    seed(data)


def _headers(client):
    return {"x-csrftoken": csrf_of(client, "/me")}


@pytest.fixture
def api(client, seed):
    """A client logged in as the district admin of haishu, with its CSRF header."""
    _seed(seed)
    login(client, "district-admin")
    client.headers.update(_headers(client))
    return client


def test_list_districts_shows_only_own(api):
    """A district admin sees their district only."""
    body = api.get("/api/v1/districts").json()
    assert [d["code"] for d in body] == ["haishu"]
    assert api.get(API).json()["name_zh"] == "海曙区"
    assert api.get("/api/v1/districts/yinzhou").status_code == 404


def test_create_district_platform_admin_only(client, seed):
    """Only a platform admin creates districts; bad codes come back per field."""
    _seed(seed)
    login(client, "district-admin")
    headers = _headers(client)
    assert (
        client.post("/api/v1/districts", json={"code": "beilun", "name_zh": "北仑区"}, headers=headers).status_code
        == 403
    )
    client.post("/logout", data={"_csrf_token": headers["x-csrftoken"]})
    client.cookies.clear()
    login(client, "admin")
    headers = _headers(client)
    made = client.post(
        "/api/v1/districts", json={"code": "beilun", "name_zh": "北仑区", "ref_prefix": "BL"}, headers=headers
    )
    assert made.status_code == 201, made.text
    assert made.json()["ref_prefix"] == "BL"
    bad = client.post("/api/v1/districts", json={"code": "X", "name_zh": ""}, headers=headers)
    assert bad.status_code == 400
    assert set(bad.json()["extra"]["errors"]) == {"code", "name_zh"}
    dup = client.post("/api/v1/districts", json={"code": "beilun", "name_zh": "北仑区"}, headers=headers)
    assert dup.status_code == 409


def test_org_unit_crud_and_rules(api, seed):
    """Org units are listed as a tree, created under the right kind, renamed, and deleted when empty."""
    units = api.get(f"{API}/org-units").json()
    assert [(u["code"], u["depth"]) for u in units] == [("gulou", 0), ("pingqiao", 1)]
    community = units[1]["id"]
    made = api.post(
        f"{API}/org-units", json={"code": "hy", "name_zh": "华园小区", "kind": "estate", "parent_id": community}
    )
    assert made.status_code == 201
    estate = made.json()["id"]
    wrong = api.post(f"{API}/org-units", json={"code": "hy2", "name_zh": "错", "kind": "estate"})
    assert wrong.status_code == 400
    assert "parent_id" in wrong.json()["extra"]["errors"]
    renamed = api.patch(f"{API}/org-units/{estate}", json={"name_zh": "华园新村"})
    assert renamed.json()["name_zh"] == "华园新村" and renamed.json()["parent_id"] == community
    cycle = api.patch(f"{API}/org-units/{units[0]['id']}", json={"parent_id": community})
    assert cycle.status_code == 400
    assert api.delete(f"{API}/org-units/{community}").status_code == 409
    assert api.delete(f"{API}/org-units/{estate}").status_code == 204
    assert api.get(f"{API}/org-units/{estate}").status_code == 404


def test_other_districts_unit_is_not_found(api, seed):
    """An org unit of another district answers 404 for reading, changing and deleting."""

    async def other_id(session):
        return (await session.execute(select(OrgUnit.id).where(OrgUnit.code == "yz1"))).scalar_one()

    unit_id = seed(other_id)
    assert api.get(f"{API}/org-units/{unit_id}").status_code == 404
    assert api.patch(f"{API}/org-units/{unit_id}", json={"name_zh": "偷改"}).status_code == 404
    assert api.delete(f"{API}/org-units/{unit_id}").status_code == 404


def test_users_and_memberships(api):
    """A user is created with a role, given another, and the membership removed again."""
    made = api.post(f"{API}/users", json={"username": "lihua", "password": "long-enough-1", "role": "volunteer"})
    assert made.status_code == 201, made.text
    user = made.json()
    assert [m["role"] for m in user["memberships"]] == ["volunteer"]
    weak = api.post(f"{API}/users", json={"username": "weak", "password": "x", "role": "volunteer"})
    assert weak.status_code == 400 and "password" in weak.json()["extra"]["errors"]
    added = api.post(f"{API}/memberships", json={"username": "lihua", "role": "resident"})
    assert added.status_code == 201
    assert any(m["role"] == "resident" and m["username"] == "lihua" for m in api.get(f"{API}/memberships").json())
    outsider = api.post(f"{API}/memberships", json={"username": "yz-admin", "role": "resident"})
    assert outsider.status_code == 404
    assert api.delete(f"{API}/memberships/{added.json()['id']}").status_code == 204
    usernames = {u["username"] for u in api.get(f"{API}/users").json()}
    assert usernames == {"district-admin", "worker", "lihua"}


def test_worker_may_read_but_not_write(client, seed):
    """A community worker lists org units and users but may not create them or see modules."""
    _seed(seed)
    login(client, "worker")
    client.headers.update(_headers(client))
    assert client.get(f"{API}/org-units").status_code == 200
    assert client.get(f"{API}/users").status_code == 200
    assert client.post(f"{API}/org-units", json={"code": "a", "name_zh": "甲", "kind": "street"}).status_code == 403
    assert client.get(f"{API}/plugins").status_code == 403


def test_unsafe_api_call_without_csrf_is_refused(client, seed):
    """A browser-session API write without the CSRF header is refused and changes nothing."""
    _seed(seed)
    login(client, "district-admin")
    response = client.post(f"{API}/org-units", json={"code": "s2", "name_zh": "新街道", "kind": "street"})
    assert response.status_code == 403


@pytest.fixture
def plugin_api(settings: Any, seed: Any):
    """The district admin's API client on an app with the test plugins alpha and beta."""
    _seed(seed)
    host = PluginHost.load(frozenset(), entry_points=False, extra_modules=(alpha, beta))
    with TestClient(app=lease(settings, host)) as client:
        login(client, "district-admin")
        client.headers.update(_headers(client))
        yield client


def test_plugins_list_enable_and_settings_errors(plugin_api, seed):
    """Modules are listed with state and settings; bad settings get per-field 400s; dependencies are enforced."""
    listed = {p["key"]: p for p in plugin_api.get(f"{API}/plugins").json()}
    assert listed["beta"]["enabled"] is False and listed["beta"]["settings"]["hours_per_month"] == 10
    refused = plugin_api.patch(f"{API}/plugins/beta", json={"enabled": True})
    assert refused.status_code == 400
    assert "甲模块" in refused.json()["detail"]
    assert plugin_api.patch(f"{API}/plugins/alpha", json={"enabled": True}).json()["enabled"] is True
    bad = plugin_api.patch(f"{API}/plugins/beta", json={"enabled": True, "settings": {"hours_per_month": 0, "x": 1}})
    assert bad.status_code == 400
    assert set(bad.json()["extra"]["errors"]) >= {"x"}

    async def rows(session):
        return {r.plugin_key: r.enabled for r in (await session.execute(select(DistrictPlugin))).scalars()}

    assert "beta" not in seed(rows)
    ok = plugin_api.patch(f"{API}/plugins/beta", json={"enabled": True, "settings": {"hours_per_month": 5}})
    assert ok.status_code == 200
    assert ok.json()["enabled"] is True and ok.json()["settings"]["hours_per_month"] == 5
    assert plugin_api.patch(f"{API}/plugins/nope", json={"enabled": True}).status_code == 404


def test_openapi_documents_admin_bodies(client):
    """The OpenAPI document at /schema describes the admin request bodies."""
    schema = client.get("/schema/openapi.json").json()
    assert "/api/v1/districts/{district_code}/org-units" in schema["paths"]
    names = set(schema["components"]["schemas"])
    assert {"OrgUnitIn", "UserIn", "PluginPatch", "MembershipIn"} <= names
