"""Hub supervision (issue part 6, scenario I3): a hub's staff supervise their members — stages, sessions (督导),
reports, annual evaluations — and reach nothing of an organization they do not supervise: 404 in pages, API and
exports. Also the desk occupancy sheet of the XLSX export against a hand count (part 7)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from openpyxl import load_workbook

from core.testing import csrf_of, login
from plugins.incubation.models import Allocation
from plugins.incubation.routes import _month_starts
from plugins.incubation.tests.support import apply_as, district, to_resident, today

D = "/d/haishu/incubation"
API = "/api/v1/districts/haishu/incubation"


def _auth(world: Any, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[name]}"}


def test_hub_staff_reach_nothing_of_a_non_member(client, as_user, world):
    """Sessions, assessments, the whole-path page and the incubation page of a non-member: 404 for the hub's staff;
    another organization's staff get 404 for the hub's members list and evaluations."""
    member = apply_as(as_user, world)
    outsider = apply_as(as_user, world, organization_id=world.outsider)
    hub = _auth(world, "hubstaff")
    for path in (f"/cases/{outsider}", f"/cases/{outsider}/sessions", f"/cases/{outsider}/assessments"):
        assert client.get(API + path, headers=hub).status_code == 404, path
    assert client.get(f"{API}/cases/{member}/sessions", headers=hub).status_code == 200
    login(client, "hubstaff")
    assert client.get(f"{D}/path/{world.outsider}").status_code == 404
    assert "平桥老年合唱团" in client.get(f"{D}/path/{world.member}").text
    other = _auth(world, "other")
    assert client.get(f"{API}/hubs/{world.hub}/members", headers=other).status_code == 404
    assert client.get(f"{API}/hubs/{world.hub}/evaluations", headers=other).status_code == 404
    assert client.get(f"{API}/hubs/{world.outsider}/evaluations", headers=_auth(world, "incubator")).status_code == 404


def test_hub_staff_record_a_supervision_session_for_members_only(client, as_user, world):
    """The hub's staff record a 督导 for their member (API and page) and read the member's evaluations; the same for a
    non-member is 404, and an organization's own staff (no mentor, no hub) get 403."""
    member = apply_as(as_user, world)
    outsider = apply_as(as_user, world, organization_id=world.outsider)
    to_resident(as_user, member)
    session = {
        "held_on": today().isoformat(),
        "notes": "枢纽督导：年度计划",
        "items": "提交年度计划",
        "due_on": today().isoformat(),
    }
    hub = _auth(world, "hubstaff")
    made = client.post(f"{API}/cases/{member}/sessions", json=session, headers=hub)
    assert made.status_code == 201, made.text
    assert client.post(f"{API}/cases/{outsider}/sessions", json=session, headers=hub).status_code == 404
    own = client.post(f"{API}/cases/{outsider}/sessions", json=session, headers=_auth(world, "other"))
    assert own.status_code == 403
    evaluation = {"member_id": world.member, "year": 2025, "score": 88, "grade": "良好"}
    assert client.post(f"{API}/hubs/{world.hub}/evaluations", json=evaluation, headers=hub).status_code == 201
    listed = client.get(f"{API}/hubs/{world.hub}/evaluations", headers=hub).json()
    assert [(e["member_id"], e["year"], e["score"]) for e in listed] == [(world.member, 2025, 88)]
    login(client, "hubstaff")
    page = client.get(f"{D}/cases/{member}").text
    assert "枢纽督导：年度计划" in page and 'id="session-notes"' in page
    data = {"held_on": today().isoformat(), "notes": "第二次督导", "_csrf_token": csrf_of(client, D)}
    assert client.post(f"{D}/cases/{member}/sessions", data=data, follow_redirects=False).status_code == 303
    assert client.post(f"{D}/cases/{outsider}/sessions", data=data, follow_redirects=False).status_code == 404
    assert "第二次督导" in client.get(f"{D}/cases/{member}").text


def test_the_export_counts_desk_occupancy_by_hand(client, as_user, world, seed):
    """D-1 held from three month-starts ago, D-2 for one month two month-starts ago, the office (not a desk) all
    year: 1, 2 and 1 of 3 desks on the last three month-starts, 0 before; the hub's staff get no occupancy sheet."""
    member = apply_as(as_user, world)
    outsider = apply_as(as_user, world, organization_id=world.outsider)
    months = _month_starts(today())

    async def hold(session: Any) -> None:
        haishu = (await district(session)).id
        session.add_all(
            [
                Allocation(district_id=haishu, space_id=world.desks[0], incubation_id=member, starts_on=months[-3]),
                Allocation(
                    district_id=haishu,
                    space_id=world.desks[1],
                    incubation_id=outsider,
                    starts_on=months[-2],
                    ends_on=months[-1],
                ),
                Allocation(
                    district_id=haishu, space_id=world.office, incubation_id=outsider, starts_on=date(2020, 1, 1)
                ),
            ]
        )

    seed(hold)
    login(client, "incubator")
    book = load_workbook(io.BytesIO(client.get(f"{D}/reports.xlsx").content))
    assert "工位使用率" in book.sheetnames
    rows = list(book["工位使用率"].iter_rows(values_only=True))
    assert rows[0] == ("日期", "已用工位", "工位总数", "使用率 %")
    got = [(r[0].date(), r[1], r[2], r[3]) for r in rows[1:]]
    assert got[-3:] == [(months[-3], 1, 3, 33.3), (months[-2], 2, 3, 66.7), (months[-1], 1, 3, 33.3)]
    assert all(r[1] == 0 for r in got[:-3]) and len(got) == 12
    login(client, "hubstaff")
    hub_book = load_workbook(io.BytesIO(client.get(f"{D}/reports.xlsx").content))
    assert "工位使用率" not in hub_book.sheetnames
