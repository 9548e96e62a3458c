"""The reports' escalations per level: the three-level response's requests (the core's 居民诉求) sent to the
community, to a department and to the town office meeting, counted from their timelines — on the page, in the
XLSX and in the API, the same figures."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from core.testing.factories import make_org_unit
from plugins.one_window.tests.support import API, _district, catalogue

REQUEST = {
    "requester": "张阿姨",
    "phone": "13800138000",
    "address": "偃月小区 3 幢 201",
    "category": "environment",
    "description": "楼道漏水无人处理",
}
REPORTS = "/d/haishu/one_window/reports"


def _people(factory) -> None:
    """民政办 as the resident-request type names it (civil_affairs), a social worker, a community worker, 民政's
    officer and the town office."""
    from core.plugin_api import OrgUnit, OrgUnitKind

    async def work(session):
        district = await _district(session)
        street = (await session.execute(select(OrgUnit).where(OrgUnit.code == "gulou"))).scalar_one_or_none()
        await make_org_unit(session, district, "civil_affairs", "民政办", OrgUnitKind.DEPARTMENT, street)

    factory.run(work)
    factory.user("sw", role="social_worker")
    factory.user("cw", role="community_worker")
    factory.user("civil", role="department_staff", org_unit="civil_affairs")
    factory.user("town", role="town_office")


def _steps(factory, reference: str, *steps: tuple[str, str, dict]) -> None:
    for key, who, data in steps:
        reason = data.pop("reason", "")
        refused = factory.transition(reference, key, as_user=who, data=data, reason=reason)
        assert refused is None, (key, refused)


def test_escalations_per_level_on_the_page_in_the_xlsx_and_the_api(sanshe_factory, sanshe_district, sanshe_client_for):
    """Four requests: one settled by the community; one the community passes to 民政 which settles it; one sent to
    民政 which takes it to the meeting, decided and settled; one so hard it goes from triage straight to the meeting.
    Per level — sent there, of which from the level below, settled there, passed on up: community 2, —, 1, 1;
    department 2, 1, 1, 1; meeting 2, 1, 1, —."""
    catalogue(sanshe_factory)
    _people(sanshe_factory)
    simple = {"difficulty": "simple"}
    resolve = ("resolve", "sw", {"resolution": "已处理"})
    a = sanshe_factory.case("resident_request", as_user="sw", data=dict(REQUEST))
    _steps(sanshe_factory, a, ("triage", "sw", dict(simple)), ("to_community", "sw", {}), resolve)
    b = sanshe_factory.case("resident_request", as_user="sw", data=dict(REQUEST))
    refer = {"difficulty": "departmental", "department": "civil_affairs", "reason": "需民政救助"}
    _steps(
        sanshe_factory, b,
        ("triage", "sw", dict(simple)), ("to_community", "sw", {}), ("refer_to_department", "cw", refer),
        ("resolve", "civil", {"resolution": "已发放临时救助"}),
    )  # fmt: skip
    c = sanshe_factory.case("resident_request", as_user="sw", data=dict(REQUEST))
    decision = {"meeting_date": "2026-12-04", "meeting_decision": "民政办牵头", "meeting_actor": "civil_affairs"}
    _steps(
        sanshe_factory, c,
        ("triage", "sw", {"difficulty": "departmental", "department": "civil_affairs"}),
        ("to_department", "sw", {"department": "civil_affairs"}),
        ("escalate", "civil", {"reason": "涉及多部门"}),
        ("record_decision", "town", decision),
        ("resolve", "town", {"resolution": "按会议决定办结"}),
    )  # fmt: skip
    d = sanshe_factory.case("resident_request", as_user="sw", data=dict(REQUEST))
    _steps(sanshe_factory, d, ("triage", "sw", {"difficulty": "hard"}), ("escalate", "sw", {"reason": "重大疑难"}))

    client = sanshe_client_for("social_worker")
    expected = [("community", 2, 0, 1, 1), ("department", 2, 1, 1, 1), ("meeting", 2, 1, 1, 0)]
    api = client.get(f"{API}/reports").json()["escalations"]
    assert [(r["level"], r["sent"], r["from_below"], r["settled"], r["passed_up"]) for r in api] == expected
    page = client.get(REPORTS).text
    section = page.split('id="ow-escalations"', 1)[1].split("</section>", 1)[0]
    rows = section.split("<tr>")[2:]
    cells = [[cell.split("</td>", 1)[0] for cell in row.split("<td>")[1:]] for row in rows]
    assert cells == [
        ["社区", "2", "—", "1", "1"],
        ["职能部门", "2", "1", "1", "1"],
        ["镇长办公会议", "2", "1", "1", "—"],
    ]
    sheet = load_workbook(io.BytesIO(client.get(f"{REPORTS}.xlsx").content))["三级响应"]
    assert list(sheet.iter_rows(values_only=True)) == [
        ("层级", "转入", "其中由下一级转来", "本级办结", "上交上一级"),
        ("社区", 2, 0, 1, 1),
        ("职能部门", 2, 1, 1, 1),
        ("镇长办公会议", 2, 1, 1, 0),
    ]
    before = client.get(f"{API}/reports", params={"start": "2026-01-01", "end": "2026-01-31"}).json()
    assert [r["sent"] for r in before["escalations"]] == [0, 0, 0]  # nothing was taken in January
