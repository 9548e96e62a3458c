"""Who may do what with organizations, per default role; and no organization crosses districts."""

from __future__ import annotations

import pytest

from tests.organizations.conftest import csrf

API = "/api/v1/districts/haishu/organizations"
LIST = "/d/haishu/organizations"


@pytest.mark.parametrize(
    ("role", "listed", "can_create", "can_import"),
    [
        ("district_admin", 3, True, True),
        ("community_worker", 3, True, False),
        ("social_worker", 3, True, False),
        ("org_staff", 1, False, False),
        ("volunteer", None, False, False),
        ("resident", None, False, False),
        ("expert", None, False, False),
    ],
)
def test_permissions_per_role(browser, world, role, listed, can_create, can_import):
    """Admins and workers see every organization; org staff only theirs; residents, volunteers, experts none."""
    client = browser(f"u-{role}")
    page = client.get(LIST)
    api = client.get(API)
    if listed is None:
        assert page.status_code == 403
        assert api.status_code == 403
        assert "社会组织" not in client.get("/d/haishu/").text.split("<main")[0]
    else:
        assert page.status_code == 200
        assert api.json()["total"] == listed
    assert (client.get(f"{LIST}/new").status_code == 200) is can_create
    assert (client.get(f"{LIST}/import").status_code == 200) is can_import
    created = client.post(API, json={"name": f"{role} 的新团队", "kind": "informal"})
    assert created.status_code == (201 if can_create else 403)


def test_org_staff_sees_and_edits_only_their_own(browser, world):
    """The leader of the autism association edits its profile and people; other organizations are 404 to them."""
    client = browser("u-org_staff")
    own = f"{LIST}/{world['autism']}"
    page = client.get(own)
    assert page.status_code == 200
    assert "编辑资料" in page.text
    assert "海曙区社会组织服务中心" in page.text  # its hub's name is part of its profile
    patched = client.patch(f"{API}/{world['autism']}", json={"contact_name": "陈海燕"})
    assert patched.status_code == 200
    for other in (world["elderly"], world["hub"]):
        assert client.get(f"{LIST}/{other}").status_code == 404
        assert client.get(f"{API}/{other}").status_code == 404
        assert client.patch(f"{API}/{other}", json={"contact_name": "x"}).status_code == 404
    listed = client.get(LIST).text
    assert "互助协会" in listed and "老年协会" not in listed


def test_org_member_without_staff_role_cannot_edit(browser, world, seed):
    """A plain member (成员) of an organization is not its staff: the record rule shows them nothing."""
    admin = browser("u-district_admin")
    admin.post(f"{API}/{world['autism']}/members", json={"username": "u-org_staff", "role": "member"})
    client = browser("u-org_staff")
    admin_url = f"{API}/{world['autism']}/members"
    member_id = next(m["id"] for m in admin.get(admin_url).json() if m["username"] == "u-org_staff")
    assert admin.patch(f"{admin_url}/{member_id}", json={"role": "member"}).status_code == 200
    assert client.get(f"{LIST}/{world['autism']}").status_code == 404
    assert client.get(API).json()["total"] == 0


def test_another_districts_organization_is_404(browser, world):
    """海曙's admin gets 404 for 鄞州's organization by id, on pages and API, reading and writing."""
    client = browser("u-district_admin")
    other = world["other"]
    assert client.get(f"{LIST}/{other}").status_code == 404
    assert client.get(f"{LIST}/{other}/edit").status_code == 404
    assert client.get(f"{API}/{other}").status_code == 404
    assert client.patch(f"{API}/{other}", json={"name": "改名"}).status_code == 404
    assert client.get(f"{API}/{other}/members").status_code == 404
    token = csrf(client, LIST)
    assert client.post(f"{LIST}/{other}", data={"_csrf_token": token, "name": "x"}).status_code == 404
    # Nor can 鄞州's foundation be chosen as a hub, nor 鄞州 be read through its own URL.
    hub = client.patch(f"{API}/{world['elderly']}", json={"hub_id": other})
    assert hub.status_code == 400
    assert client.get("/api/v1/districts/yinzhou/organizations").status_code == 404
    assert "鄞州秘密基金会" not in client.get(LIST, params={"q": "鄞州"}).text


def test_org_staff_cannot_change_registration_facts(browser, world):
    """Their own staff keep the profile, but kind, code, status and hub stay the district's: 403 by API,
    left out of the form (and ignored if posted anyway)."""
    client = browser("u-org_staff")
    url = f"{API}/{world['autism']}"
    refused = client.patch(url, json={"status": "deregistered"})
    assert refused.status_code == 403
    assert "只有区里的工作人员能修改组织的登记信息" in refused.text
    assert client.patch(url, json={"hub_id": None}).status_code == 403
    assert client.patch(url, json={"status": "active", "address": "鼓楼街道 1 号"}).status_code == 200  # unchanged
    page = f"{LIST}/{world['autism']}"
    form = client.get(f"{page}/edit").text
    assert 'name="credit_code"' not in form and 'name="status"' not in form
    assert "登记信息（类型、信用代码、备案、状态、枢纽型组织）由区里维护。" in form
    token = csrf(client, f"{page}/edit")
    posted = client.post(
        page,
        data={"_csrf_token": token, "name": "海曙区自闭症儿童家长互助协会", "status": "revoked", "kind": "informal"},
        follow_redirects=False,
    )
    assert posted.status_code == 303
    after = client.get(url).json()
    assert after["status"] == "active" and after["kind"] == "registered" and after["hub_id"] == world["hub"]
