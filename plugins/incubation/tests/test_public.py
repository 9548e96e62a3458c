"""The public page (no login) and its API twin: incubated and graduated organizations, public facts only."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from core.db import for_district
from core.models import OrgUnit
from core.models.organizations import Organization, OrganizationArea
from core.plugins import PluginHost
from core.plugins.enabled import clear_cache
from core.services.enablement import enable_plugin
from plugins.incubation.models import Assessment, Incubation
from plugins.incubation.tests.support import apply_as, district

PAGE = "/d/haishu/public/incubation"
HTMX = {"HX-Request": "true", "HX-Target": "main"}


def _shape(as_user: Any, world: Any, seed: Any) -> dict[str, int]:
    """合唱团 graduated (serves 平桥社区, an assessment), 环保队 resident, 联合会 only applied."""
    ids = {
        "member": apply_as(as_user, world),
        "outsider": apply_as(as_user, world, organization_id=world.outsider),
        "hub": apply_as(as_user, world, organization_id=world.hub),
    }

    async def shape(session: Any) -> int:
        for_district(session, (await district(session)).id)
        rows = {r.organization_id: r for r in (await session.execute(select(Incubation))).scalars()}
        member, outsider = rows[world.member], rows[world.outsider]
        member.stage, member.active = "graduated", False
        member.resident_on, member.graduated_on = date(2024, 3, 1), date(2025, 3, 1)
        member.screening_notes = "内部筛选意见：骨干不稳定"
        outsider.stage, outsider.resident_on = "resident", date(2025, 9, 1)
        org = (await session.execute(select(Organization).where(Organization.id == world.member))).scalar_one()
        org.contact_name, org.contact_phone = "张秘书长", "13912345678"
        pingqiao = (await session.execute(select(OrgUnit).where(OrgUnit.code == "pingqiao"))).scalar_one()
        session.add(OrganizationArea(organization_id=world.member, org_unit_id=pingqiao.id))
        from plugins.incubation.assessments import current_instrument

        instrument = await current_instrument(session)
        assert instrument is not None
        session.add(
            Assessment(
                incubation_id=member.id,
                instrument_id=instrument.id,
                phase="final",
                assessed_on=date(2025, 2, 1),
                scores={"governance": 4, "finance": 3},
            )
        )
        return pingqiao.id

    ids["pingqiao"] = seed(shape)
    return ids


def test_anyone_sees_incubated_and_graduated_organizations_and_nothing_private(client, as_user, world, seed):
    """Without logging in: the index links the page; it lists the graduated and the resident organizations with
    stage, field, community served and dates, whole and as an htmx fragment; never an applicant still being
    screened, a person's name or phone, a screening note or a score (the district has not chosen to publish them)."""
    _shape(as_user, world, seed)
    client.cookies.clear()
    index = client.get("/d/haishu/public/")
    assert f'href="{PAGE}"' in index.text and "社会组织孵化：在孵与出壳组织" in index.text
    page = client.get(PAGE)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "平桥老年合唱团" in text and "牡丹环保队" in text
    assert "社区社会组织联合会" not in text  # only applied
    assert "已出壳" in text and "在孵（入驻）" in text and "文化体育" in text
    assert "平桥社区" in text and "2024-03-01" in text and "2025-03-01" in text and "海曙孵化基地" in text
    for secret in ("13912345678", "张秘书长", "13805747701", "王晓红", "骨干不稳定", "能力评估"):
        assert secret not in text, secret
    part = client.get(PAGE, headers=HTMX)
    assert part.status_code == 200 and "<html" not in part.text and "平桥老年合唱团" in part.text
    client.cookies.set("sanshe_lang", "en")
    english = client.get(PAGE).text
    assert "Graduated from the incubator" in english and "Culture and sports" in english and "已出壳" not in english


def test_the_public_page_filters_by_stage_and_community_served(client, as_user, world, seed):
    """?stage=graduated shows only graduated ones; ?area= only those serving that community; a bad filter shows all."""
    ids = _shape(as_user, world, seed)
    client.cookies.clear()
    graduated = client.get(PAGE, params={"stage": "graduated"}).text
    assert "平桥老年合唱团" in graduated and "牡丹环保队" not in graduated
    serving = client.get(PAGE, params={"area": ids["pingqiao"]}).text
    assert "平桥老年合唱团" in serving and "牡丹环保队" not in serving
    assert '<option value="' + str(ids["pingqiao"]) + '" selected>平桥社区</option>' in serving
    anything = client.get(PAGE, params={"stage": "x' or 1=1", "area": "abc"})
    assert anything.status_code == 200 and "牡丹环保队" in anything.text and "平桥老年合唱团" in anything.text


def test_scores_are_public_only_when_the_district_publishes_them(client, as_user, world, seed):
    """With publish_assessments on, the page and the API show the latest assessment's average (3.5)."""
    _shape(as_user, world, seed)

    async def publish(session: Any) -> None:
        await enable_plugin(
            session,
            await district(session),
            PluginHost.load(None, entry_points=False),
            "incubation",
            settings={"publish_assessments": True},
        )

    seed(publish)
    clear_cache()
    client.cookies.clear()
    page = client.get(PAGE).text
    assert "能力评估（满分 5 分，平均）" in page and "3.5" in page
    api = client.get(
        "/api/v1/districts/haishu/incubation/organizations",
        headers={"Authorization": f"Bearer {world.tokens['other']}"},
    )
    assert api.status_code == 200
    by_name = {o["name"]: o for o in api.json()}
    assert by_name["平桥老年合唱团"]["assessment_average"] == 3.5
    assert by_name["平桥老年合唱团"]["communities"] == ["平桥社区"]
    assert "assessment_average" not in by_name["牡丹环保队"]


def test_the_api_lists_the_public_facts_and_refuses_a_bad_stage(client, as_user, world, seed):
    """Any member of the district gets the same list as the page (no phone, no score); stage=x → 400 in Chinese."""
    _shape(as_user, world, seed)
    url = "/api/v1/districts/haishu/incubation/organizations"
    auth = {"Authorization": f"Bearer {world.tokens['other']}"}
    body = client.get(url, params={"stage": "graduated"}, headers=auth).json()
    assert [o["name"] for o in body] == ["平桥老年合唱团"]
    assert body[0]["stage"] == "graduated" and body[0]["graduated_on"] == "2025-03-01"
    assert "13912345678" not in str(body) and "assessment_average" not in body[0]
    bad = client.get(url, params={"stage": "x"}, headers=auth)
    assert bad.status_code == 400 and "阶段只能是" in bad.json()["detail"]
    huge = client.get(url, params={"community": 2**70}, headers=auth)
    assert huge.status_code == 400
    assert client.get(url).status_code == 401
