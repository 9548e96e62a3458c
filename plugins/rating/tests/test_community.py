"""Ranking by community: the public ranking, the dashboard and the API narrowed to the organizations serving a place.

平桥社区 and 牡丹社区 lie in 鼓楼街道. 青少年成长服务中心 serves 平桥, 老年协会 serves 牡丹, the hub serves
the whole street (so it belongs to both communities' rankings).
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.models import District, OrgUnit, OrgUnitKind
from core.models.organizations import OrganizationArea
from core.testing import login
from core.testing.factories import make_org_unit
from plugins.rating import service
from plugins.rating.tests.support import delivered

BASE = "/d/haishu/rating"
API = "/api/v1/districts/haishu/rating"


@pytest.fixture
def rated(world, seed, as_user):
    """Areas as above; 青少年 5 × ★5, 老年协会 5 × ★3, the hub 1 × ★4 (insufficient)."""

    async def areas(session):
        haishu = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        units = {u.code: u for u in (await session.execute(select(OrgUnit))).scalars()}
        mudan = await make_org_unit(session, haishu, "mudan", "牡丹社区", OrgUnitKind.COMMUNITY, units["gulou"])
        for org, unit in (
            (world.youth, units["pingqiao"].id),
            (world.elderly, mudan.id),
            (world.hub, units["gulou"].id),
        ):
            session.add(OrganizationArea(organization_id=org, org_unit_id=unit))

    seed(areas)

    async def rate(ctx):
        for org, stars, n in ((world.youth, 5, 5), (world.elderly, 3, 5), (world.hub, 4, 1)):
            for i in range(n):
                d = await delivered(ctx, org, world.li, reference=f"c:{org}:{i}")
                await service.submit_rating(ctx, d, stars=stars, channel="paper")

    as_user("worker", rate)
    return world


def _ranked(html: str) -> list[str]:
    return re.findall(r"<tr>\s*<td>\d+</td>\s*<td>(?:<a [^>]+>)?([^<]+)", html)


def test_public_ranking_by_community(client, rated):
    """Anyone sees each community's own ranking; the street shows both; the hub is listed as insufficient in both."""
    whole = client.get(f"{BASE}/ranking").text
    assert _ranked(whole) == ["海曙区青少年成长服务中心", "平桥社区老年协会"]
    assert 'for="rating-community"' in whole and ">牡丹社区</option>" in whole
    pingqiao = client.get(f"{BASE}/ranking?community=pingqiao").text
    assert "公开排名" in pingqiao and "· 平桥社区</h1>" in pingqiao
    assert _ranked(pingqiao) == ["海曙区青少年成长服务中心"]
    assert "平桥社区老年协会" not in pingqiao
    assert "海曙区社会组织服务中心" in pingqiao and "评价数不足" in pingqiao
    mudan = client.get(f"{BASE}/ranking?community=mudan").text
    assert _ranked(mudan) == ["平桥社区老年协会"]
    assert "海曙区青少年成长服务中心" not in mudan
    assert _ranked(client.get(f"{BASE}/ranking?community=gulou").text) == _ranked(whole)
    unknown = client.get(f"{BASE}/ranking?community=nowhere")
    assert unknown.status_code == 200 and _ranked(unknown.text) == _ranked(whole)


def test_dashboard_by_community(client, rated):
    """Staff narrow the dashboard to 牡丹社区: 6 ratings (老年协会's 5 and the hub's), mean 3.17, its ranking only."""
    login(client, "worker")
    page = client.get(f"{BASE}?community=mudan").text
    assert "星级评价 · 牡丹社区" in page
    cards = re.findall(r"<article><strong[^>]*>([^<]+)</strong>", page)
    assert cards[:2] == ["6", "3.17"]
    assert _ranked(page) == ["平桥社区老年协会"]
    assert "海曙区青少年成长服务中心" not in page
    assert f"{BASE}/ranking?period=" in page and "&amp;community=mudan" in page


def test_api_ranking_by_community(client, rated):
    """The API filters by a community's code; an unknown code is 404 with a Chinese reason."""
    staff = {"Authorization": f"Bearer {rated.tokens['worker']}"}
    rows = client.get(f"{API}/ranking?community=pingqiao", headers=staff).json()
    assert [(r["name"], r["rank"], r["insufficient"]) for r in rows] == [
        ("海曙区青少年成长服务中心", 1, False),
        ("海曙区社会组织服务中心", None, True),
    ]
    missing = client.get(f"{API}/ranking?community=nowhere", headers=staff)
    assert missing.status_code == 404
    assert "没有代码为 'nowhere' 的街道或社区" in missing.json()["detail"]
