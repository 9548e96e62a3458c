"""A bank is run by an organization of the core's registry: chosen on the settings page or the API, kept through a
rename, shown on the organization's profile with its members and hours; banks made before are linked by name."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from core.models import District
from core.organizations.service import OrganizationInput, create_organization
from core.plugins.migrations import downgrade, upgrade_all
from core.testing import csrf_of, login
from plugins.time_bank.models import Bank
from plugins.time_bank.tests.support import post_need, step

TB = "/d/haishu/time-bank"
API = "/api/v1/districts/haishu/time-bank"


def _organization(seed, name: str, code: str = "haishu") -> int:
    async def make(session):
        district = (await session.execute(select(District).where(District.code == code))).scalar_one()
        return (await create_organization(session, district, OrganizationInput(name=name, kind="filed"))).id

    return seed(make)


def _settings(organization_id: int, token: str) -> dict[str, str]:
    """The whole settings form of 平桥时间银行, run by ``organization_id``."""
    return {
        "name": "平桥时间银行",
        "organization_id": str(organization_id),
        "organization": "",
        "org_unit_id": "",
        "description": "",
        "active": "on",
        "_csrf_token": token,
    }


def _bank(seed, name: str) -> tuple[str, int | None]:
    async def read(session):
        bank = (await session.execute(select(Bank).where(Bank.name == name))).scalar_one()
        return bank.organization, bank.organization_id

    return seed(read)


def test_the_admin_picks_the_organization_from_the_registry_and_its_profile_shows_the_bank(
    client, world, seed, as_user
):
    org = _organization(seed, "白云社会工作服务社")
    login(client, "district-admin")
    form_page = client.get(f"{TB}/banks/new").text
    assert f'<option value="{org}">白云社会工作服务社</option>' in form_page
    token = csrf_of(client, f"{TB}/banks/new")
    made = client.post(
        f"{TB}/banks/new",
        data={
            "name": "白云时间银行",
            "organization_id": str(org),
            "organization": "",
            "categories": ["chat"],
            "_csrf_token": token,
        },
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    assert _bank(seed, "白云时间银行") == ("白云社会工作服务社", org)

    # The 平桥 bank is linked the same way; a service credited this year shows on its organization's profile.
    pingqiao = _organization(seed, "平桥社区社会工作服务中心")
    settings = f"{TB}/banks/{world.bank}/settings"
    saved = client.post(settings, data=_settings(pingqiao, token), follow_redirects=False)
    assert saved.status_code == 303, saved.text
    ref = as_user("resident", lambda ctx: post_need(ctx, world.bank, title="陪王阿姨聊天"))
    as_user("volunteer", lambda ctx: step(ctx, ref, "match", volunteer=world.users["volunteer"]))
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    as_user("volunteer", lambda ctx: step(ctx, ref, "complete", served_on=today.isoformat(), minutes=90))
    as_user("resident", lambda ctx: step(ctx, ref, "verify"))
    profile = client.get(f"/d/haishu/organizations/{pingqiao}").text
    panel = profile[profile.index("<h2>时间银行</h2>") :]
    assert "平桥时间银行" in panel
    assert "白云时间银行" not in panel  # run by another organization
    assert "成员 5 人，其中志愿者 2 人" in panel  # its staff member, two volunteers, two residents
    assert f"{today.year} 年：已记入服务 1 次（1 小时 30 分钟）" in panel


def test_a_renamed_organization_keeps_its_bank(client, world, seed):
    org = _organization(seed, "平桥社区社会工作服务中心")
    login(client, "district-admin")
    token = csrf_of(client, f"{TB}/banks/{world.bank}/settings")
    client.post(f"{TB}/banks/{world.bank}/settings", data=_settings(org, token))

    async def rename(session):
        from core.models.organizations import Organization

        row = (await session.execute(select(Organization).where(Organization.id == org))).scalar_one()
        row.name = "平桥社工服务中心"

    seed(rename)
    assert _bank(seed, "平桥时间银行")[1] == org
    assert "平桥时间银行" in client.get(f"/d/haishu/organizations/{org}").text


def test_an_organization_not_of_this_district_or_not_a_number_is_refused_and_nothing_changes(client, world, seed):
    other = _organization(seed, "鄞州社工站", code="yinzhou")
    before = _bank(seed, "平桥时间银行")
    headers = {"Authorization": f"Bearer {world.tokens['district-admin']}"}
    for bad in (other, 99_999_999):
        refused = client.patch(f"{API}/banks/{world.bank}", json={"organization_id": bad}, headers=headers)
        assert refused.status_code == 400, refused.text
        assert refused.json()["errors"]["organization_id"] == "请选择本区社会组织名录中的机构。"
    login(client, "district-admin")
    token = csrf_of(client, f"{TB}/banks/{world.bank}/settings")
    page = client.post(f"{TB}/banks/{world.bank}/settings", data=_settings(other, token))
    assert page.status_code == 400
    assert "请选择本区社会组织名录中的机构。" in page.text
    assert 'value="平桥时间银行"' in page.text  # the rest of the form is kept
    garbage = client.post(f"{TB}/banks/{world.bank}/settings", data={**_settings(other, token), "organization_id": "x"})
    assert garbage.status_code == 400  # the input guard: an "…_id" that is no number
    assert _bank(seed, "平桥时间银行") == before


def test_the_api_links_a_name_that_is_registered_and_says_so(client, world, seed):
    org = _organization(seed, "白云社工站")
    headers = {"Authorization": f"Bearer {world.tokens['district-admin']}"}
    body = {"name": "白云时间银行", "organization": "白云社工站", "categories": ["chat"]}
    made = client.post(f"{API}/banks", json=body, headers=headers)
    assert made.status_code == 201, made.text
    assert (made.json()["organization"], made.json()["organization_id"]) == ("白云社工站", org)
    unregistered = client.post(
        f"{API}/banks", json={**body, "name": "黑石时间银行", "organization": "黑石志愿队"}, headers=headers
    )
    assert unregistered.json()["organization_id"] is None


def test_banks_made_before_the_link_are_linked_by_their_organization_name(world, seed, database_url, host):
    org = _organization(seed, "平桥社区社会工作服务中心")
    asyncio.run(downgrade(database_url, "time_bank_0001", plugin="time_bank", host=host))
    asyncio.run(upgrade_all(database_url, host=host))

    async def links(session):
        rows = await session.execute(text("SELECT name, organization_id FROM time_bank_bank"))
        return dict(rows.tuples().all())

    assert seed(links) == {"平桥时间银行": org, "牡丹时间银行": None, "鄞州时间银行": None}
