"""District admin pages: org units, users and memberships, roles and permissions."""

from __future__ import annotations

from sqlalchemy import select

from core.models import District, Membership, OrgUnit, OrgUnitKind, PolicyRule, Role
from core.testing import csrf_of, login
from core.testing.factories import make_district, make_org_unit, make_user

ADMIN = "/d/haishu/admin"


def _seed_admin(seed):
    async def data(session):
        district = await make_district(session)
        street = await make_org_unit(session, district, "gulou", "鼓楼街道", OrgUnitKind.STREET)
        await make_org_unit(session, district, "pingqiao", "平桥社区", OrgUnitKind.COMMUNITY, street)
        await make_user(session, "district-admin", district=district, roles=("district_admin",))
        await make_user(session, "worker", district=district, roles=("community_worker",))

    seed(data)


def _post(client, path, data, page=None):
    token = csrf_of(client, page or path)
    return client.post(path, data={**data, "_csrf_token": token}, follow_redirects=False)


def _units(seed):
    async def read(session):
        return {u.code: u for u in (await session.execute(select(OrgUnit))).scalars()}

    return seed(read)


def test_org_unit_tree_shows_units_indented_in_chinese(client, seed):
    """The org-unit page lists the street office and its community, with kinds in Chinese."""
    _seed_admin(seed)
    login(client, "district-admin")
    page = client.get(f"{ADMIN}/org-units")
    assert page.status_code == 200
    assert "鼓楼街道" in page.text and "平桥社区" in page.text
    assert "街道" in page.text and "添加" in page.text


def test_add_estate_under_community_then_refuse_estate_at_top(client, seed):
    """An estate can be added under a community; at the top level it is refused with a clear message."""
    _seed_admin(seed)
    login(client, "district-admin")
    community = _units(seed)["pingqiao"]
    ok = _post(
        client,
        f"{ADMIN}/org-units",
        {"code": "hy", "name_zh": "华园小区", "kind": "estate", "parent_id": str(community.id)},
    )
    assert ok.status_code == 303
    assert "华园小区" in client.get(ok.headers["location"]).text
    bad = _post(client, f"{ADMIN}/org-units", {"code": "x1", "name_zh": "孤立小区", "kind": "estate", "parent_id": ""})
    assert bad.status_code == 400
    assert "必须位于" in bad.text
    assert 'value="孤立小区"' in bad.text  # the input is kept
    assert "x1" not in _units(seed)


def test_refuse_moving_unit_under_its_own_child(client, seed):
    """Moving a street office under its own community is refused and nothing changes."""
    _seed_admin(seed)
    login(client, "district-admin")
    units = _units(seed)
    street, community = units["gulou"], units["pingqiao"]
    page = f"{ADMIN}/org-units/{street.id}"
    response = _post(client, page, {"name_zh": "鼓楼街道", "name_en": "", "parent_id": str(community.id)})
    assert response.status_code == 400
    assert "不能移到它自己" in response.text
    assert _units(seed)["gulou"].parent_id is None


def test_rename_and_delete_org_unit(client, seed):
    """A unit is renamed, a unit with children cannot be deleted, a leaf can."""
    _seed_admin(seed)
    login(client, "district-admin")
    units = _units(seed)
    community, street = units["pingqiao"], units["gulou"]
    renamed = _post(client, f"{ADMIN}/org-units/{community.id}", {"name_zh": "平桥新社区", "name_en": "Pingqiao"})
    assert renamed.status_code == 303
    assert _units(seed)["pingqiao"].name_zh == "平桥新社区"
    refused = _post(client, f"{ADMIN}/org-units/{street.id}/delete", {}, page=f"{ADMIN}/org-units/{street.id}")
    assert refused.status_code == 409
    assert "下面还有组织" in refused.text
    deleted = _post(client, f"{ADMIN}/org-units/{community.id}/delete", {}, page=f"{ADMIN}/org-units/{community.id}")
    assert deleted.status_code == 303
    assert "pingqiao" not in _units(seed)


def test_create_user_with_role_and_manage_memberships(client, seed):
    """An admin creates a user with a role, adds a second role, then removes it."""
    _seed_admin(seed)
    login(client, "district-admin")
    created = _post(
        client,
        f"{ADMIN}/users",
        {
            "username": "lihua",
            "display_name": "李华",
            "password": "long-enough-1",
            "role": "volunteer",
            "org_unit_id": "",
        },
    )
    assert created.status_code == 303, created.text
    detail = client.get(created.headers["location"])
    assert "李华" in detail.text and "志愿者" in detail.text
    path = created.headers["location"]
    added = _post(client, f"{path}/memberships", {"role": "resident", "org_unit_id": ""}, page=path)
    assert added.status_code == 303
    assert "居民" in client.get(path).text

    async def memberships(session):
        rows = await session.execute(select(Membership).where(Membership.role_key == "resident"))
        return list(rows.scalars())

    resident = memberships_list = seed(memberships)
    assert len(memberships_list) == 1
    removed = _post(client, f"{path}/memberships/{resident[0].id}/delete", {}, page=path)
    assert removed.status_code == 303
    assert seed(memberships) == []


def test_create_user_bad_input_keeps_input_and_explains(client, seed):
    """A duplicate username and a short password are refused next to their fields; nothing is created."""
    _seed_admin(seed)
    login(client, "district-admin")
    response = _post(
        client,
        f"{ADMIN}/users",
        {"username": "worker", "display_name": "重复", "password": "short", "role": "volunteer"},
    )
    assert response.status_code == 400
    assert "至少" in response.text
    assert 'value="重复"' in response.text


def test_role_permissions_form_uses_labels_and_saves(client, seed):
    """The role editor shows permission labels grouped by module and saves the ticked boxes."""
    _seed_admin(seed)
    login(client, "district-admin")
    page = client.get(f"{ADMIN}/roles/volunteer")
    assert "查看组织架构" in page.text and "核心" in page.text
    assert "org_units:view" not in page.text
    saved = _post(
        client,
        f"{ADMIN}/roles/volunteer/permissions",
        {"permission": ["dashboard view", "org_units view"]},
        page=f"{ADMIN}/roles/volunteer",
    )
    assert saved.status_code == 303

    async def rules(session):
        rows = await session.execute(
            select(PolicyRule.resource, PolicyRule.action).where(PolicyRule.subject == "volunteer")
        )
        return set(rows.tuples())

    assert ("org_units", "view") in seed(rules)


def _rules_of(seed, role):
    async def rules(session):
        rows = await session.execute(select(PolicyRule.resource, PolicyRule.action).where(PolicyRule.subject == role))
        return set(rows.tuples())

    return seed(rules)


def test_removing_permissions_asks_for_confirmation(client, seed):
    """Unticking every box of 社区工作者 shows what would be taken away and changes nothing; confirming removes."""
    _seed_admin(seed)
    login(client, "district-admin")
    before = _rules_of(seed, "community_worker")
    assert ("users", "view") in before
    asked = _post(client, f"{ADMIN}/roles/community_worker/permissions", {}, page=f"{ADMIN}/roles/community_worker")
    assert asked.status_code == 200
    assert "将被移除的权限" in asked.text and "查看用户" in asked.text and "确认移除这些权限" in asked.text
    assert _rules_of(seed, "community_worker") == before
    confirmed = _post(
        client,
        f"{ADMIN}/roles/community_worker/permissions",
        {"confirm": "1"},
        page=f"{ADMIN}/roles/community_worker",
    )
    assert confirmed.status_code == 303
    after = _rules_of(seed, "community_worker")
    assert not after & {("users", "view"), ("org_units", "view"), ("dashboard", "view")}  # the editor's boxes


def test_the_last_role_administering_the_district_keeps_it(client, seed):
    """区管理员 is the only role with 管理本区设置 and 管理角色与权限: taking them away is refused, even confirmed."""
    _seed_admin(seed)
    login(client, "district-admin")
    before = _rules_of(seed, "district_admin")
    refused = _post(
        client,
        f"{ADMIN}/roles/district_admin/permissions",
        {"permission": ["dashboard view"], "confirm": "1"},
        page=f"{ADMIN}/roles/district_admin",
    )
    assert refused.status_code == 409
    assert "本区没有其他角色拥有 district:admin, roles:manage" in refused.text
    assert _rules_of(seed, "district_admin") == before


def test_role_create_and_refuse_delete_in_use(client, seed):
    """A new role can be made and given to a user; deleting it while in use is refused."""
    _seed_admin(seed)
    login(client, "district-admin")
    made = _post(client, f"{ADMIN}/roles", {"key": "grid_worker", "name_zh": "网格员", "name_en": "Grid worker"})
    assert made.status_code == 303

    async def give(session):
        district = (await session.execute(select(District))).scalar_one()
        await make_user(session, "grid1", district=district, roles=("grid_worker",))

    seed(give)
    refused = _post(client, f"{ADMIN}/roles/grid_worker/delete", {}, page=f"{ADMIN}/roles/grid_worker")
    assert refused.status_code == 409
    assert "仍" in refused.text

    async def roles(session):
        return set((await session.execute(select(Role.key))).scalars())

    assert "grid_worker" in seed(roles)


def test_worker_cannot_open_admin_pages_but_sees_org_units(client, seed):
    """A community worker may view org units (without edit buttons) but not roles or modules."""
    _seed_admin(seed)
    login(client, "worker")
    units = client.get(f"{ADMIN}/org-units")
    assert units.status_code == 200
    assert 'action="/d/haishu/admin/org-units"' not in units.text
    assert client.get(f"{ADMIN}/roles").status_code == 403
    assert client.get(f"{ADMIN}/modules").status_code == 403


def test_htmx_form_error_swaps_only_the_main_area(client, seed):
    """With htmx, a refused form comes back as the page's main block (status 200, so it swaps), errors shown."""
    _seed_admin(seed)
    login(client, "district-admin")
    token = csrf_of(client, f"{ADMIN}/roles")
    response = client.post(
        f"{ADMIN}/roles",
        data={"key": "Bad Key", "name_zh": "", "_csrf_token": token},
        headers={"HX-Request": "true"},
        follow_redirects=False,
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "请填写中文名称" in response.text and 'value="Bad Key"' in response.text


def test_every_admin_page_renders_as_htmx_fragment(client, seed):
    """Each admin page also answers an htmx request with just its main block."""
    _seed_admin(seed)
    login(client, "district-admin")
    unit = _units(seed)["pingqiao"]

    async def user_id(session):
        from core.models import User

        return (await session.execute(select(User.id).where(User.username == "worker"))).scalar_one()

    uid = seed(user_id)
    for path in (
        f"{ADMIN}/org-units",
        f"{ADMIN}/org-units/{unit.id}",
        f"{ADMIN}/users",
        f"{ADMIN}/users/{uid}",
        f"{ADMIN}/roles",
        f"{ADMIN}/roles/volunteer",
        f"{ADMIN}/modules",
    ):
        response = client.get(path, headers={"HX-Request": "true"})
        assert response.status_code == 200, path
        assert "<html" not in response.text and "<h1>" in response.text, path


def test_admin_pages_are_sent_as_html_not_json(client, seed):
    """Every district admin page answers text/html: sent as JSON, Chromium showed its HTML source (issue 11)."""
    _seed_admin(seed)
    login(client, "district-admin")
    for path in ("modules", "users", "roles", "org-units", "queues", "case-types"):
        answer = client.get(f"{ADMIN}/{path}")
        assert answer.status_code == 200, path
        assert answer.headers["content-type"] == "text/html; charset=utf-8", path
        assert answer.text.lstrip().lower().startswith("<!doctype html>"), path
