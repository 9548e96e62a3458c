"""The registry's JSON API: list and filters, create, get, update, members; unknown fields refused."""

from __future__ import annotations

from tests.organizations.conftest import GROUP_CODE, NEW_CODE

API = "/api/v1/districts/haishu/organizations"


def test_list_and_filter(browser, world):
    """The list answers items and a total; filters narrow it; another district's organizations never appear."""
    client = browser("u-social_worker")
    body = client.get(API).json()
    assert body["total"] == 3
    assert {o["name"] for o in body["items"]} == {
        "海曙区社会组织服务中心",
        "海曙区自闭症儿童家长互助协会",
        "平桥社区老年协会",
    }
    assert [o["name"] for o in client.get(API, params={"field": "disability"}).json()["items"]] == [
        "海曙区自闭症儿童家长互助协会"
    ]
    assert client.get(API, params={"hub": world["hub"]}).json()["total"] == 1
    assert client.get(API, params={"limit": 0}).status_code == 400


def test_create_get_update(browser, world):
    """A valid body creates (201); GET returns it; PATCH changes only the fields sent and bumps the version."""
    client = browser("u-district_admin")
    created = client.post(
        API,
        json={
            "name": "海曙区助残服务中心",
            "kind": "registered",
            "registered_type": "social_service",
            "credit_code": NEW_CODE,
            "hub_id": world["hub"],
            "fields": ["disability"],
            "founded_on": "2019-05-01",
        },
    )
    assert created.status_code == 201, created.text
    org = created.json()
    assert org["credit_code"] == NEW_CODE and org["hub_id"] == world["hub"] and org["version"] == 1
    assert client.get(f"{API}/{org['id']}").json()["name"] == "海曙区助残服务中心"
    patched = client.patch(f"{API}/{org['id']}", json={"contact_phone": "13900001111", "version": 1})
    assert patched.status_code == 200, patched.text
    assert patched.json()["contact_phone"] == "13900001111"
    assert patched.json()["credit_code"] == NEW_CODE
    assert patched.json()["version"] == 2
    stale = client.patch(f"{API}/{org['id']}", json={"contact_phone": "13900002222", "version": 1})
    assert stale.status_code == 409


def test_validation_errors_by_field(browser):
    """A bad body answers 400 with a Chinese message per field; nothing is created."""
    client = browser("u-district_admin")
    response = client.post(
        API,
        json={"name": "", "kind": "registered", "registered_type": "foundation", "credit_code": "91440300708461136X"},
    )
    assert response.status_code == 400
    errors = response.json()["extra"]["errors"]
    assert errors["name"] == "请填写名称。"
    assert errors["credit_code"] == "校验码（最后一位）不符，请检查是否输错。"
    assert client.get(API).json()["total"] == 3


def test_wrong_type_of_code_is_refused(browser):
    """A valid company code (91…) is not a foundation's code (53…)."""
    client = browser("u-district_admin")
    response = client.post(
        API,
        json={
            "name": "某基金会",
            "kind": "registered",
            "registered_type": "foundation",
            "credit_code": "91440300708461136T",
        },
    )
    assert response.status_code == 400
    assert "基金会以 53 开头" in response.json()["extra"]["errors"]["credit_code"]


def test_unknown_fields_are_refused(browser, world):
    """A body with a field the API does not know answers 400 naming it, for create, update and members."""
    client = browser("u-district_admin")
    response = client.post(API, json={"name": "甲", "kind": "informal", "colour": "red"})
    assert response.status_code == 400
    assert response.json()["extra"]["errors"] == {"colour": "未知字段：colour。"}
    response = client.patch(f"{API}/{world['elderly']}", json={"nmae": "乙"})
    assert response.status_code == 400
    assert response.json()["extra"]["errors"] == {"nmae": "未知字段：nmae。"}
    response = client.post(
        f"{API}/{world['elderly']}/members", json={"username": "u-volunteer", "role": "member", "x": 1}
    )
    assert response.status_code == 400
    assert response.json()["extra"]["errors"] == {"x": "未知字段：x。"}


def test_duplicate_code_is_409(browser):
    """A credit code already in the registry answers 409 naming the organization that holds it."""
    client = browser("u-district_admin")
    response = client.post(
        API,
        json={"name": "另一个协会", "kind": "registered", "registered_type": "social_group", "credit_code": GROUP_CODE},
    )
    assert response.status_code == 409
    assert "海曙区自闭症儿童家长互助协会" in response.json()["extra"]["errors"]["credit_code"]


def test_members(browser, world):
    """Members are listed with roles; added by username; changed; removed."""
    client = browser("u-community_worker")
    url = f"{API}/{world['autism']}/members"
    assert [(m["username"], m["role"]) for m in client.get(url).json()] == [("u-org_staff", "leader")]
    added = client.post(url, json={"username": "u-resident", "role": "member"})
    assert added.status_code == 201, added.text
    member = added.json()
    changed = client.patch(f"{url}/{member['id']}", json={"role": "staff", "title": "志愿者联络"})
    assert changed.json()["role"] == "staff" and changed.json()["title"] == "志愿者联络"
    assert client.delete(f"{url}/{member['id']}").status_code == 204
    assert len(client.get(url).json()) == 1
    assert client.post(url, json={"username": "nobody", "role": "member"}).status_code == 400


def test_hub_rules(browser, world):
    """A hub cannot supervise itself, supervision cannot go in a circle, and only hubs supervise."""
    client = browser("u-district_admin")
    hub = world["hub"]
    second = client.post(
        API, json={"name": "海曙区社区社会组织联合会", "kind": "filed", "is_hub": True, "hub_id": hub}
    ).json()
    itself = client.patch(f"{API}/{hub}", json={"hub_id": hub})
    assert itself.status_code == 400
    assert itself.json()["extra"]["errors"]["hub_id"] == "组织不能联系指导自己。"
    circle = client.patch(f"{API}/{hub}", json={"hub_id": second["id"]})
    assert circle.status_code == 400
    assert "指导关系不能循环" in circle.json()["extra"]["errors"]["hub_id"]
    not_hub = client.patch(f"{API}/{world['elderly']}", json={"hub_id": world["autism"]})
    assert not_hub.status_code == 400
    assert "不是枢纽型组织" in not_hub.json()["extra"]["errors"]["hub_id"]
    still = client.patch(f"{API}/{hub}", json={"is_hub": False})
    assert still.status_code == 400
    assert "仍在联系指导其他组织" in still.json()["extra"]["errors"]["is_hub"]
    assert client.get(f"{API}/{hub}").json()["hub_id"] is None


def test_openapi_describes_the_registry(browser):
    """The operations and their schemas are in OpenAPI."""
    schema = browser("u-district_admin").get("/schema/openapi.json").json()
    paths = schema["paths"]
    assert "/api/v1/districts/{district_code}/organizations" in paths
    assert "/api/v1/districts/{district_code}/organizations/{organization_id}/members" in paths
    assert {"OrganizationIn", "OrganizationOut", "OrganizationMemberIn"} <= set(schema["components"]["schemas"])


def test_bad_input_is_a_clear_4xx(browser, world):
    """Huge ids, NUL characters and wrong types answer 4xx with a message, never a server error."""
    client = browser("u-district_admin")
    huge = 2**70
    assert client.get(f"{API}/{huge}").status_code == 404
    assert client.get(f"{API}/{world['elderly']}/members/{huge}").status_code in {404, 405}
    response = client.post(API, json={"name": "甲", "kind": "informal", "hub_id": huge, "areas": [huge]})
    assert response.status_code == 400
    assert set(response.json()["extra"]["errors"]) <= {"hub_id", "areas"}  # refused before it reaches the registry
    response = client.post(API, json={"name": "甲\x00乙", "kind": "informal"})
    assert response.status_code == 400
    assert "不允许的空字符" in response.json()["extra"]["errors"]["name"]
    assert client.get(API, params={"q": "老\x00年", "hub": str(huge)}).status_code == 400
    assert client.post(API, json={"name": 5, "kind": "informal"}).status_code == 400
    response = client.post(
        f"{API}/{world['elderly']}/members", json={"username": "u-volunteer", "role": "member", "title": "a\x00"}
    )
    assert response.status_code == 400


def test_a_date_is_in_the_future_by_the_calendar_in_china(browser, monkeypatch):
    """At 01:00 in China (17:00 UTC the day before) today's date is accepted and tomorrow's refused.

    The registry compared with the server's own calendar day: on a server on UTC, from
    midnight to 08:00 in China a founding or registration dated today was refused as future.
    """
    from datetime import UTC, datetime

    from core.organizations import service

    class ChinaOneAm(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 12, 7, 17, 0, tzinfo=UTC).astimezone(tz)

    monkeypatch.setattr(service, "datetime", ChinaOneAm)
    client = browser("u-district_admin")
    body = {"name": "海曙区新成立的志愿队", "kind": "informal"}
    assert client.post(API, json={**body, "founded_on": "2026-12-08"}).status_code == 201
    refused = client.post(API, json={**body, "name": "明天成立的队", "founded_on": "2026-12-09"})
    assert refused.status_code == 400
    assert refused.json()["extra"]["errors"] == {"founded_on": "日期不能晚于今天。"}
