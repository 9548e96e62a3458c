"""Exports: the award list (XLSX, PDF notice, JSON) once the results are published, and a project's ledger
statement (page, XLSX, JSON) with every tranche paid or reversed and the funders' commitments."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select, update

from core.db import for_district, utcnow
from core.models import District
from core.testing import login
from plugins.grants.models import Application, Call
from plugins.grants.tests.support import add_application, budget

API = "/api/v1/districts/haishu/grants"


def _auth(world, user="staff"):
    return {"Authorization": f"Bearer {world.tokens[user]}"}


async def _in_haishu(session, statement):
    district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
    for_district(session, district.id)
    await session.execute(statement)
    for_district(session, None)


async def _publish(session, call_id):
    await _in_haishu(session, update(Call).where(Call.id == call_id).values(decided_at=utcnow()))


def _awarded(world, seed):
    """Two funded projects (one by an override with its reason) and a rejected one, in the open call."""
    seed(
        lambda s: add_application(
            s, world, title="银发课堂", status="approved", decision="approved", award_fen=12_345_600
        )
    )
    youth = seed(
        lambda s: add_application(
            s,
            world,
            org="young",
            title="青春社区行",
            status="approved",
            decision="approved",
            award_fen=5_000_000,
            override_reason="填补青少年类空缺",
        )
    )

    seed(
        lambda s: _in_haishu(
            s, update(Application).where(Application.id == youth).values(category_id=world.categories[1])
        )
    )
    seed(lambda s: add_application(s, world, title="未获资助项目", status="rejected", decision="rejected"))


def test_award_list_waits_for_the_results_then_lists_every_award(client, world, seed):
    """Before the determinations: 409 everywhere. After: the XLSX, the JSON and the PDF notice list the two
    funded projects with organization, category and amount (the rejected one nowhere), the override's reason
    and the total; an applicant may download them too, a caller of another district may not."""
    _awarded(world, seed)
    early = client.get(f"{API}/calls/{world.call}/awards.xlsx", headers=_auth(world))
    assert early.status_code == 409
    assert "尚未公布" in early.json()["detail"]
    seed(lambda s: _publish(s, world.call))

    xlsx = client.get(f"{API}/calls/{world.call}/awards.xlsx", headers=_auth(world, "leader"))
    assert xlsx.status_code == 200
    rows = list(load_workbook(BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "2026 年度公益创投大赛 立项名单"
    assert rows[3] == ("序号", "项目名称", "申报组织", "类别", "资助金额（元）", "调整说明")
    assert rows[4] == (1, "银发课堂", "阳光社工服务社", "为老服务", 123456.0, None)
    assert rows[5] == (2, "青春社区行", "新芽青年社", "青少年成长", 50000.0, "填补青少年类空缺")
    assert rows[7][:2] == ("合计", "2 个项目") and rows[7][4] == 173456.0

    listed = client.get(f"{API}/calls/{world.call}/awards", headers=_auth(world)).json()
    assert [(a["title"], a["award_fen"]) for a in listed] == [("银发课堂", 12_345_600), ("青春社区行", 5_000_000)]

    pdf = client.get(f"{API}/calls/{world.call}/awards.pdf", headers=_auth(world))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages)
    compact = "".join(text.replace("\x00", "").split())  # pypdf separates CJK glyphs with NULs
    assert "关于2026年度公益创投大赛立项结果的公示" in compact
    assert "拟资助以下2个项目，资助总额173,456.00元" in compact
    for expected in ("银发课堂", "阳光社工服务社", "123,456.00", "青春社区行", "新芽青年社", "50,000.00"):
        assert expected in compact
    assert "2.青春社区行：填补青少年类空缺" in compact
    assert "未获资助项目" not in compact

    assert client.get(f"{API}/calls/{world.call}/awards.pdf", headers=_auth(world, "yz-staff")).status_code in (
        403,
        404,
    )
    login(client, "staff")
    page = client.get(f"/d/haishu/grants/calls/{world.call}")
    assert "立项公示（PDF）" in page.text and "立项名单（XLSX）" in page.text
    assert client.get(f"/d/haishu/grants/calls/{world.call}/awards.pdf").content.startswith(b"%PDF")


def test_project_ledger_statement_lists_every_movement(client, world, seed):
    """Signed with a company co-funder, tranche 1 paid, mid-term accepted, tranche 2 paid then reversed: the
    statement opens at 0, shows the three postings with running balances and closes at tranche 1's amount;
    the funders add up to what they committed. Page, JSON and XLSX agree; a reviewer may not open it."""
    app_id = seed(lambda s: add_application(s, world, status="approved", award_fen=10_000_000, decision="approved"))
    url = f"{API}/applications/{app_id}"
    empty = client.get(f"{url}/ledger", headers=_auth(world)).json()
    assert (empty["opening_fen"], empty["closing_fen"], empty["lines"]) == (0, 0, [])
    signed = client.post(
        f"{url}/agreement",
        headers=_auth(world),
        json={
            "starts_on": "2026-03-01",
            "ends_on": "2027-02-28",
            "co_funders": [{"kind": "company", "name": "宁波某银行海曙支行", "committed_fen": 2_000_000}],
            "budget": budget(13_000_000),
        },
    )
    assert signed.status_code == 200, signed.text
    assert client.post(f"{url}/tranches/1/release", headers=_auth(world)).status_code == 200
    report = {"kind": "midterm", "indicators": "服务 120 人次", "activities": "每周两次课", "beneficiaries": 120}
    reports = f"{API}/projects/{app_id}/reports"
    assert client.post(reports, json={**report, "spending": []}, headers=_auth(world, "leader")).status_code == 200
    assert client.post(f"{url}/midterm", headers=_auth(world)).status_code == 200  # accepts the submitted report
    assert client.post(f"{url}/tranches/2/release", headers=_auth(world)).status_code == 200
    assert (
        client.post(f"{url}/tranches/2/reverse", json={"reason": "账号填错"}, headers=_auth(world)).status_code == 200
    )

    statement = client.get(f"{url}/ledger", headers=_auth(world, "leader")).json()
    assert statement["opening_fen"] == 0 and statement["closing_fen"] == 5_000_000
    assert [(x["amount_fen"], x["balance_fen"]) for x in statement["lines"]] == [
        (5_000_000, 5_000_000),
        (3_000_000, 8_000_000),
        (-3_000_000, 5_000_000),
    ]
    assert "第 1 笔（50%）" in statement["lines"][0]["description"]
    assert "账号填错" in statement["lines"][2]["description"]
    assert [(f["name"], f["committed_fen"]) for f in statement["funders"]] == [
        ("区公益创投资金", 10_000_000),
        ("宁波某银行海曙支行", 2_000_000),
    ]
    assert statement["committed_fen"] == 12_000_000

    rows = list(
        load_workbook(BytesIO(client.get(f"{url}/ledger.xlsx", headers=_auth(world)).content)).active.iter_rows(
            values_only=True
        )
    )
    assert ("宁波某银行海曙支行", "企业认捐", 20000) in [r[:3] for r in rows]
    assert ("认捐合计", None, 120000) in [r[:3] for r in rows]
    movements = [r for r in rows if isinstance(r[2], (int, float)) and str(r[0] or "")[:2] == "20"]
    assert [(r[2], r[3]) for r in movements] == [(50000.0, 50000.0), (30000.0, 80000.0), (-30000.0, 50000.0)]
    assert rows[-1][:2] == ("期末余额（元）", 50000.0)

    assert client.get(f"{url}/ledger", headers=_auth(world, "r1")).status_code == 404
    login(client, "leader")
    page = client.get(f"/d/haishu/grants/applications/{app_id}/ledger")
    assert page.status_code == 200
    assert "项目账户对账单" in page.text and "宁波某银行海曙支行" in page.text
    assert "-30000.00 元" in page.text and "期末余额" in page.text
    assert "/ledger" in client.get(f"/d/haishu/grants/applications/{app_id}").text
    fragment = client.get(f"/d/haishu/grants/applications/{app_id}/ledger", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text


def test_ledger_of_an_unfunded_application_is_not_found(client, world, seed):
    """An application under review has no project account statement (404), for staff too."""
    app_id = seed(lambda s: add_application(s, world))
    assert client.get(f"{API}/applications/{app_id}/ledger", headers=_auth(world)).status_code == 404


def test_the_exports_are_in_openapi(client):
    """The files are documented with their media types, the JSON answers with their schemas."""
    paths = client.get("/schema/openapi.json").json()["paths"]
    base = "/api/v1/districts/{district_code}/grants"
    media = {
        f"{base}/calls/{{call_id}}/awards.pdf": "application/pdf",
        f"{base}/calls/{{call_id}}/awards.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"{base}/calls/{{call_id}}/scores.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"{base}/applications/{{application_id}}/ledger.xlsx": (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
        f"{base}/calls/{{call_id}}/awards": "application/json",
        f"{base}/applications/{{application_id}}/ledger": "application/json",
    }
    for path, kind in media.items():
        assert list(paths[path]["get"]["responses"]["200"]["content"]) == [kind], path
