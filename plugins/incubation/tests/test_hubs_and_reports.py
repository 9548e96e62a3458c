"""Hub supervision (scenario I3: a hub sees its members and nothing else — pages, API, export) and the report figures
against a hand-counted fixture (invariant 14)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from core.models import OrgUnit
from core.models.organizations import OrganizationArea
from core.organizations import OrganizationInput, create_organization
from core.testing import csrf_of, login
from plugins.incubation.models import Incubation
from plugins.incubation.tests.support import apply_as, district

API = "/api/v1/districts/haishu/incubation"


def _get(client: Any, path: str, token: str) -> Any:
    return client.get(path, headers={"Authorization": f"Bearer {token}"})


def test_hub_staff_see_members_and_nothing_else(client, as_user, world):
    """The hub's staff open their member's incubation (page and API) but get 404 for a non-member's, also in lists."""
    member = apply_as(as_user, world)
    outsider = apply_as(as_user, world, organization_id=world.outsider)
    token = world.tokens["hubstaff"]
    listed = {row["organization_id"] for row in _get(client, f"{API}/cases", token).json()}
    assert listed == {world.member}
    assert _get(client, f"{API}/cases/{member}", token).status_code == 200
    assert _get(client, f"{API}/cases/{outsider}", token).status_code == 404
    login(client, "hubstaff")
    assert "平桥老年合唱团" in client.get(f"/d/haishu/incubation/cases/{member}").text
    assert client.get(f"/d/haishu/incubation/cases/{outsider}").status_code == 404
    home = client.get("/d/haishu/incubation").text
    assert "平桥老年合唱团" in home and "牡丹环保队" not in home
    hubs = client.get("/d/haishu/incubation/hubs").text
    assert "社区社会组织联合会" in hubs and "牡丹环保队" not in hubs


def test_hub_files_an_annual_evaluation_only_for_members(client, as_user, world):
    """The hub evaluates its member once a year; a non-member or a second evaluation for the year is refused."""
    token = {"Authorization": f"Bearer {world.tokens['hubstaff']}"}
    url = f"{API}/hubs/{world.hub}/evaluations"
    ok = client.post(url, json={"member_id": world.member, "year": 2025, "score": 86, "grade": "良好"}, headers=token)
    assert ok.status_code == 201, ok.text
    assert (
        client.post(url, json={"member_id": world.member, "year": 2025, "score": 90}, headers=token).status_code == 409
    )
    assert (
        client.post(url, json={"member_id": world.outsider, "year": 2025, "score": 90}, headers=token).status_code
        == 403
    )
    other = {"Authorization": f"Bearer {world.tokens['other']}"}
    assert (
        client.post(url, json={"member_id": world.member, "year": 2024, "score": 90}, headers=other).status_code == 403
    )
    login(client, "hubstaff")
    assert "86" in client.get("/d/haishu/incubation/hubs").text


def test_an_organization_sees_only_its_own_incubation(client, as_user, world):
    """A plain organization's leader sees their own incubation, never another's."""
    outsider = apply_as(as_user, world, organization_id=world.outsider)
    member = apply_as(as_user, world)
    assert _get(client, f"{API}/cases/{outsider}", world.tokens["other"]).status_code == 200
    assert _get(client, f"{API}/cases/{member}", world.tokens["other"]).status_code == 404


def _fixture(as_user: Any, world: Any, seed: Any) -> None:
    """Five incubations, dates set by hand (see the expected figures in each test)."""

    async def more(session: Any) -> list[int]:
        haishu = await district(session)
        pingqiao = (await session.execute(select(OrgUnit.id).where(OrgUnit.code == "pingqiao"))).scalar_one()
        session.add(OrganizationArea(organization_id=world.member, org_unit_id=pingqiao))  # it serves 平桥社区
        return [
            (await create_organization(session, haishu, OrganizationInput(name=n, kind="informal", fields=f))).id
            for n, f in (("甲团队", ["elderly"]), ("乙团队", ["elderly"]))
        ]

    extra = seed(more)
    orgs = [world.member, world.outsider, world.hub, *extra]
    ids = [apply_as(as_user, world, organization_id=o) for o in orgs]
    plan = [  # stage, resident_on, graduated_on
        ("graduated", date(2024, 3, 1), date(2025, 3, 1)),  # 365 days: 12.0 months
        ("graduated", date(2024, 6, 1), date(2025, 12, 1)),  # 548 days: 18.0 months
        ("exited", date(2025, 1, 10), None),
        ("resident", date(2025, 2, 1), None),
        ("exited", None, None),  # left before residency: not incubated
    ]

    async def shape(session: Any) -> None:
        for inc_id, (stage, resident, graduated) in zip(ids, plan, strict=True):
            row = (await session.execute(select(Incubation).where(Incubation.id == inc_id))).scalar_one()
            row.stage, row.resident_on, row.graduated_on = stage, resident, graduated
            row.active = stage not in ("graduated", "exited")

    seed(shape)


def test_report_figures_match_the_hand_count(client, as_user, world, seed):
    """Incubated 4, graduated 2, exited 2, rate 50 %, 15 months on average; 2024: 2/2, 2025: 2 incubated, 1 exited."""
    _fixture(as_user, world, seed)
    body = _get(client, f"{API}/reports", world.tokens["incubator"]).json()
    assert body["total"] == {
        "label": "合计",
        "incubated": 4,
        "graduated": 2,
        "exited": 2,
        "graduation_rate": 50.0,
        "avg_months_to_graduate": 15.0,
    }
    years = {r["label"]: (r["incubated"], r["graduated"], r["exited"]) for r in body["by_year"]}
    assert years == {"2024": (2, 2, 0), "2025": (2, 0, 1)}
    # By the community each organization serves (the registry's service areas), not the incubator's place.
    communities = {r["label"]: (r["incubated"], r["graduated"], r["exited"]) for r in body["by_community"]}
    assert communities == {"平桥社区": (1, 1, 0), "未登记服务区域": (3, 1, 2)}
    fields = {r["label"]: r["incubated"] for r in body["by_field"]}
    assert fields["为老服务"] == 1  # 甲 is resident; 乙 left before residency
    login(client, "incubator")
    page = client.get("/d/haishu/incubation/reports").text
    assert 'id="fig-incubated">4<' in page and 'id="fig-rate">50.0%<' in page
    book = load_workbook(io.BytesIO(client.get("/d/haishu/incubation/reports.xlsx").content))
    first = list(book.worksheets[0].iter_rows(values_only=True))
    assert first[1] == ("合计", 4, 2, 2, 50.0, 15.0)


def test_hub_report_and_export_count_only_members(client, as_user, world, seed):
    """The hub's staff get figures over their own organization and its member only (2 of 4), API and export."""
    _fixture(as_user, world, seed)
    assert _get(client, f"{API}/reports", world.tokens["hubstaff"]).json()["total"]["incubated"] == 2
    login(client, "hubstaff")
    book = load_workbook(io.BytesIO(client.get("/d/haishu/incubation/reports.xlsx").content))
    assert list(book.worksheets[0].iter_rows(values_only=True))[1][:4] == ("合计", 2, 1, 1)
    _ = csrf_of
