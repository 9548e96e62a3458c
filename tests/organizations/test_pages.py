"""The registry's pages: list and filters, create and edit with inline errors, members, the profile."""

from __future__ import annotations

from sqlalchemy import func, select

from core.models.organizations import Organization
from tests.organizations.conftest import GROUP_CODE, HTMX, NEW_CODE, csrf

NEW = "/d/haishu/organizations/new"


def count(seed) -> int:
    """How many organizations 海曙区 has (鄞州区 has one more of its own)."""

    async def run(session):
        return (
            await session.execute(
                select(func.count()).select_from(Organization).where(Organization.name.not_like("鄞州%"))
            )
        ).scalar_one()

    return seed(run)


def test_list_search_and_filters(browser, world):
    """The list shows the district's organizations; search and each filter narrow it; htmx gets only the results."""
    client = browser("u-community_worker")
    page = client.get("/d/haishu/organizations")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "海曙区自闭症儿童家长互助协会" in page.text
    assert "平桥社区老年协会" in page.text
    assert "鄞州秘密基金会" not in page.text
    assert "共 3 个组织" in page.text
    text = client.get("/d/haishu/organizations", params={"q": "自闭症"}).text
    assert "自闭症" in text and "老年协会" not in text
    text = client.get("/d/haishu/organizations", params={"q": GROUP_CODE.lower()}).text
    assert "互助协会" in text and "老年协会" not in text
    text = client.get("/d/haishu/organizations", params={"field": "elderly"}).text
    assert "老年协会" in text and "互助协会" not in text
    text = client.get("/d/haishu/organizations", params={"kind": "filed"}).text
    assert "老年协会" in text and "互助协会" not in text
    text = client.get("/d/haishu/organizations", params={"hub": world["hub"]}).text
    assert "互助协会" in text and "老年协会" not in text
    text = client.get("/d/haishu/organizations", params={"area": world["pingqiao"]}).text
    assert "老年协会" in text and "互助协会" not in text
    fragment = client.get(
        "/d/haishu/organizations", params={"q": "老年"}, headers={**HTMX, "HX-Target": "org-results"}
    ).text
    assert "老年协会" in fragment
    assert "<html" not in fragment and 'id="f-q"' not in fragment


def test_create_with_errors_keeps_input_and_shows_each_error(browser, seed):
    """A refused form answers 400 with every field's error next to it and what was typed kept; nothing is saved."""
    client = browser("u-district_admin")
    before = count(seed)
    token = csrf(client, NEW)
    bad = NEW_CODE[:-1] + ("0" if NEW_CODE[-1] != "0" else "1")
    response = client.post(
        "/d/haishu/organizations",
        data={
            "_csrf_token": token,
            "name": "海曙区助残服务中心",
            "kind": "registered",
            "registered_type": "social_service",
            "credit_code": bad,
            "contact_phone": "12345",
            "founded_on": "2020-13-01",
            "fields": ["disability"],
        },
    )
    assert response.status_code == 400
    text = response.text
    assert "校验码（最后一位）不符" in text
    assert "请输入手机号" in text
    assert "请输入日期" in text
    assert 'value="海曙区助残服务中心"' in text
    assert f'value="{bad}"' in text
    assert 'value="disability" checked' in text
    assert count(seed) == before


def test_create_then_profile(browser, seed, world):
    """A valid form adds the organization and opens its profile with its facts and hub."""
    client = browser("u-district_admin")
    token = csrf(client, NEW)
    response = client.post(
        "/d/haishu/organizations",
        data={
            "_csrf_token": token,
            "name": "海曙区助残服务中心",
            "kind": "registered",
            "registered_type": "social_service",
            "credit_code": NEW_CODE.lower(),
            "contact_name": "周敏",
            "contact_phone": "0574-87301234",
            "hub_id": str(world["hub"]),
            "founded_on": "2019-05-01",
            "registered_on": "2019-08-01",
            "fields": ["disability", "health"],
            "areas": [str(world["pingqiao"])],
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    profile = client.get(response.headers["location"])
    assert "已添加 海曙区助残服务中心。" in profile.text
    assert NEW_CODE in profile.text
    assert "社会服务机构（民办非企业单位）" in profile.text
    assert "海曙区社会组织服务中心" in profile.text
    assert "助残服务" in profile.text and "平桥社区" in profile.text
    assert count(seed) == 4


def test_duplicate_code_and_name_are_refused(browser, seed):
    """The same credit code or name as another organization of the district gets a 409 naming the holder."""
    client = browser("u-district_admin")
    token = csrf(client, NEW)
    response = client.post(
        "/d/haishu/organizations",
        data={
            "_csrf_token": token,
            "name": "平桥社区老年协会",
            "kind": "registered",
            "registered_type": "social_group",
            "credit_code": GROUP_CODE,
        },
    )
    assert response.status_code == 409
    assert "该统一社会信用代码已属于 海曙区自闭症儿童家长互助协会。" in response.text
    assert "名录中已有名为 平桥社区老年协会 的组织。" in response.text
    assert count(seed) == 3


def test_edit_and_stale_version(browser, world):
    """An edit is saved; a second edit based on the old version is refused with 409, keeping what was typed."""
    client = browser("u-social_worker")
    url = f"/d/haishu/organizations/{world['elderly']}"
    form = client.get(f"{url}/edit").text
    assert 'name="version" value="1"' in form
    token = csrf(client, f"{url}/edit")
    data = {"_csrf_token": token, "name": "平桥社区老年协会", "kind": "filed", "status": "active", "version": "1"}
    saved = client.post(url, data={**data, "contact_name": "张阿姨"}, follow_redirects=False)
    assert saved.status_code == 303
    assert "张阿姨" in client.get(url).text
    stale = client.post(url, data={**data, "contact_name": "李阿姨"})
    assert stale.status_code == 409
    assert "他人已修改该组织" in stale.text
    assert 'value="李阿姨"' in stale.text
    assert "李阿姨" not in client.get(url).text


def test_htmx_refusal_swaps_the_form(browser):
    """Posted by htmx, a refused form answers 200 (so htmx swaps it) with the errors, and saves nothing."""
    client = browser("u-district_admin")
    token = csrf(client, NEW)
    response = client.post(
        "/d/haishu/organizations",
        data={"_csrf_token": token, "name": "", "kind": "informal", "credit_code": GROUP_CODE},
        headers={**HTMX, "HX-Target": "main"},
    )
    assert response.status_code == 200
    assert "请填写名称。" in response.text
    assert "未备案也未登记的群众团队没有统一社会信用代码。" in response.text
    assert "<html" not in response.text


def test_members_page(browser, world):
    """Staff add a district user with a role, change it and take them out; a stranger's username is refused."""
    client = browser("u-district_admin")
    url = f"/d/haishu/organizations/{world['elderly']}"
    token = csrf(client, url)
    added = client.post(
        f"{url}/members",
        data={"_csrf_token": token, "username": "u-volunteer", "role": "staff", "title": "秘书"},
        follow_redirects=False,
    )
    assert added.status_code == 303
    text = client.get(url).text
    assert "u-volunteer" in text and "秘书" in text and "工作人员" in text
    unknown = client.post(f"{url}/members", data={"_csrf_token": token, "username": "yz-admin", "role": "member"})
    assert unknown.status_code == 400
    assert "本区没有这个用户。" in unknown.text
    twice = client.post(f"{url}/members", data={"_csrf_token": token, "username": "u-volunteer", "role": "member"})
    assert twice.status_code == 409
    member_id = int(text.split(f"{url}/members/")[1].split('"')[0])
    changed = client.post(
        f"{url}/members/{member_id}", data={"_csrf_token": token, "role": "leader"}, follow_redirects=False
    )
    assert changed.status_code == 303
    assert "负责人" in client.get(url).text
    removed = client.post(
        f"{url}/members/{member_id}", data={"_csrf_token": token, "remove": "1"}, follow_redirects=False
    )
    assert removed.status_code == 303
    assert "u-volunteer" not in client.get(url).text


def test_second_page_links_keep_the_filters(browser, seed):
    """With more than 50 organizations, page 2 opens (it used to answer 500) and its links keep the search, once."""
    from core.models import District
    from core.organizations import OrganizationInput, create_organization

    async def many(session):
        haishu = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        for i in range(52):
            await create_organization(session, haishu, OrganizationInput(name=f"翻页测试团队{i:02d}", kind="informal"))

    seed(many)
    client = browser("u-community_worker")
    page = client.get("/d/haishu/organizations", params={"q": "翻页测试", "page": "2"})
    assert page.status_code == 200, page.text[:300]
    assert "翻页测试团队51" in page.text or "翻页测试团队00" in page.text
    assert "page=1" in page.text and page.text.count("page=") == page.text.count("q=%E7%BF%BB")
