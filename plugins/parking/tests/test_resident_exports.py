"""A resident's phone pages (renew a card, report a wrongly parked car), the exports and the violations trend."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from core.testing import csrf_of, login
from plugins.parking import exports, money
from plugins.parking.tests.money_support import API, add_treasurer_and_agreement, auth, collect_rent
from plugins.parking.tests.patrol_support import PLATE, prepare
from plugins.parking.tests.patrol_support import PNG as PNG_BASE64

BASE = "/d/haishu/parking"
HTMX = {"HX-Request": "true"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
THIS_MONTH = money.month_of(money.today()).strftime("%Y-%m")


def test_resident_renews_on_the_phone_page_and_the_committee_approves(app, world, seed):
    """The resident asks to renew the issued card (once: a second ask is refused with the reason); the chair sees it
    waiting and approves it: the card is valid one more year and the resident's page says 已续期."""
    from litestar.testing import TestClient

    prepare(seed, world)
    with TestClient(app=app) as resident:
        login(resident, "resident")
        mine = resident.get(f"{BASE}/mine")
        assert "停车卡续期" in mine.text and "举报违停车辆" in mine.text
        page = resident.get(f"{BASE}/mine/renewals")
        assert page.status_code == 200 and PLATE in page.text and "申请续期一年" in page.text
        fragment = resident.get(f"{BASE}/mine/renewals", headers=HTMX)
        assert "<html" not in fragment.text and "申请续期一年" in fragment.text
        permit = re.search(r"/parking/mine/renewals/(\d+)", page.text).group(1)
        token = csrf_of(resident, f"{BASE}/mine/renewals")
        asked = resident.post(f"{BASE}/mine/renewals/{permit}", data={"_csrf_token": token}, follow_redirects=True)
        assert "续期申请已提交" in asked.text and "续期申请待自管会审批" in asked.text
        again = resident.post(f"{BASE}/mine/renewals/{permit}", data={"_csrf_token": token}, follow_redirects=True)
        assert "已有续期申请在等待自管会审批" in again.text
        valid_to = re.search(r"有效至 (\d{4}年\d+月\d+日)", asked.text)

    with TestClient(app=app) as chair:
        login(chair, "parking-chair")
        url = f"{BASE}/estates/{world.estate}/renewals"
        waiting = chair.get(url)
        assert waiting.status_code == 200 and PLATE in waiting.text and "批准：续期一年" in waiting.text
        renewal = re.search(r"/parking/renewals/(\d+)/approve", waiting.text).group(1)
        token = csrf_of(chair, url)
        empty = chair.post(
            f"{BASE}/renewals/{renewal}/refuse", data={"_csrf_token": token, "note": ""}, follow_redirects=True
        )
        assert "请说明不批准续期的理由" in empty.text
        done = chair.post(f"{BASE}/renewals/{renewal}/approve", data={"_csrf_token": token}, follow_redirects=True)
        assert "已续期一年" in done.text and "没有待审批的续期申请" in done.text

    with TestClient(app=app) as resident:
        login(resident, "resident")
        after = resident.get(f"{BASE}/mine/renewals").text
        assert "已续期" in after
        assert valid_to is None or valid_to.group(1) not in re.findall(r"有效至 (\d{4}年\d+月\d+日)", after)[-1:]
        assert resident.get(f"{BASE}/estates/{world.estate}/renewals").status_code == 403


def test_resident_reports_a_car_with_a_photo_and_the_patroller_records_it(app, world, seed):
    """Without a photo the report is refused and nothing is stored; with one it waits in the patrollers' list; the
    patroller records it as a violation of the car (the owner's page shows it) and the reporter sees the outcome."""
    from litestar.testing import TestClient

    prepare(seed, world)
    with TestClient(app=app) as neighbour_client:
        login(neighbour_client, "resident")
        url = f"{BASE}/mine/report"
        form = neighbour_client.get(url)
        assert form.status_code == 200 and "举报违停车辆" in form.text and 'for="pk-rp-photo"' in form.text
        token = csrf_of(neighbour_client, url)
        fields = {"_csrf_token": token, "estate_id": str(world.estate), "plate": "浙B20001", "place": "6 幢消防通道"}
        refused = neighbour_client.post(url, data=fields, files={"empty": ("", b"", "application/octet-stream")})
        assert refused.status_code == 400 and "请附上车辆停放位置的照片" in refused.text
        assert 'value="6 幢消防通道"' in refused.text
        sent = neighbour_client.post(
            url, data=fields, files={"photo": ("car.png", PNG, "image/png")}, follow_redirects=True
        )
        assert "举报已提交" in sent.text and "待巡查员核实" in sent.text

    with TestClient(app=app) as patroller:
        login(patroller, "patroller")
        listed = patroller.get(f"{BASE}/estates/{world.estate}/reports")
        assert listed.status_code == 200 and "浙B20001" in listed.text and "6 幢消防通道" in listed.text
        report = re.search(r"/parking/reports/(\d+)/record", listed.text).group(1)
        assert f"/parking/reports/{report}/photo" in listed.text
        photo = patroller.get(f"{BASE}/reports/{report}/photo")
        assert photo.status_code == 200 and photo.content == PNG
        token = csrf_of(patroller, f"{BASE}/estates/{world.estate}/reports")
        done = patroller.post(f"{BASE}/reports/{report}/record", data={"_csrf_token": token}, follow_redirects=True)
        assert "已记为违规，并已通知车主" in done.text and "没有待处理的举报" in done.text
        violations = patroller.get(f"{BASE}/estates/{world.estate}/violations").text
        assert "浙B20001" in violations and "居民举报" in violations

    with TestClient(app=app) as reporter:
        login(reporter, "resident")
        assert "已记为违规" in reporter.get(f"{BASE}/mine/report").text
        assert reporter.get(f"{BASE}/estates/{world.estate}/reports").status_code == 403


def test_statement_pdf_and_xlsx_carry_the_published_figures_and_hash(client, world, seed):
    """A published month as PDF (the SHA-256 in it, linked from the statement page) and XLSX (figures in fen, every
    line, the SHA-256); an unpublished month has no export (404)."""
    agreement = seed(lambda s: add_treasurer_and_agreement(s, world))
    assert collect_rent(client, world, agreement, THIS_MONTH).status_code == 201
    before = client.get(
        f"{API}/estates/{world.estate}/statements/{THIS_MONTH}/statement.pdf", headers=auth(world, "resident")
    )
    assert before.status_code == 404
    published = client.post(
        f"{API}/estates/{world.estate}/statements", json={"month": THIS_MONTH}, headers=auth(world, "parking-treasurer")
    ).json()
    sha = published["sha256"]
    pdf = client.get(
        f"{API}/estates/{world.estate}/statements/{THIS_MONTH}/statement.pdf", headers=auth(world, "resident")
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"].startswith("application/pdf") and sha.encode() in pdf.content
    public = client.get(f"/d/haishu/public/parking/estates/{world.estate}/statements/{THIS_MONTH}/statement.xlsx")
    assert public.status_code == 200
    sheet = load_workbook(io.BytesIO(public.content)).active
    rows = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert rows[1][:2] == ["期初余额（分）", 0]
    assert rows[2][:2] == ["本月收入（分）", 60000] and rows[4][:2] == ["期末余额（分）", 60000]
    assert any(r and r[0] == "SHA-256" and r[1] == sha for r in rows)
    assert any("光大厦" in str(r[1]) and r[2] == "潮汐租金" and r[3] == 60000 for r in rows if len(r) >= 4)
    page = client.get(f"/d/haishu/public/parking/estates/{world.estate}/statements/{THIS_MONTH}").text
    assert f"/statements/{THIS_MONTH}/statement.pdf" in page and f"/statements/{THIS_MONTH}/statement.xlsx" in page


def test_violations_xlsx_masks_plates_and_the_dashboard_counts_per_month(client, world, seed):
    """The committee's workbook lists each violation with the plate masked (浙B·10***), never whole; residents get 403;
    the district trend counts this month's violation for the estate (API and dashboard)."""
    prepare(seed, world)
    reported = client.post(
        f"{API}/estates/{world.estate}/violations",
        json={"plate": PLATE, "place": "6 幢消防通道", "photo_name": "car.png", "photo_base64": PNG_BASE64},
        headers=auth(world, "patroller"),
    )
    assert reported.status_code == 201, reported.text
    assert (
        client.get(f"{API}/estates/{world.estate}/violations.xlsx", headers=auth(world, "resident")).status_code == 403
    )
    book = client.get(f"{API}/estates/{world.estate}/violations.xlsx", headers=auth(world, "patroller"))
    assert book.status_code == 200
    rows = list(load_workbook(io.BytesIO(book.content)).active.iter_rows(values_only=True))
    assert rows[2][1:3] == ("6 幢消防通道", exports.mask_plate(PLATE)) and exports.mask_plate(PLATE) == "浙B·10***"
    assert rows[2][4] == "警告" and not any(PLATE in str(cell) for row in rows for cell in row)
    trend = client.get(f"{API}/dashboard/violations-trend", headers=auth(world, "worker"))
    assert trend.status_code == 200 and len(trend.json()) == 12
    assert trend.json()[-1] == {"month": THIS_MONTH, "total": 1, "by_estate": {str(world.estate): 1}}
    assert client.get(f"{API}/dashboard/violations-trend", headers=auth(world, "resident")).status_code == 403
    login(client, "worker")
    dashboard = client.get(f"{BASE}/dashboard").text
    assert "每月违规数" in dashboard and re.search(rf"{THIS_MONTH}</td>\s*<td><meter[^>]*value=\"1\"", dashboard)


def test_renewal_and_report_through_the_api(client, world, seed):
    """The API gives the same flows: a renewal asked once (409 the second time), approved by staff for a year; a
    report refused without a photo (400), stored with one, dismissed by a patroller only with a reason, once."""
    permit = prepare(seed, world)
    asked = client.post(f"{API}/permits/{permit}/renewals", headers=auth(world, "resident"))
    assert asked.status_code == 201 and asked.json()["status"] == "requested", asked.text
    assert client.post(f"{API}/permits/{permit}/renewals", headers=auth(world, "resident")).status_code == 409
    assert client.post(f"{API}/permits/{permit}/renewals", headers=auth(world, "neighbour")).status_code == 404
    approved = client.post(f"{API}/renewals/{asked.json()['id']}/approve", headers=auth(world, "worker"))
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    before, after = approved.json()["valid_to_before"], approved.json()["valid_to_after"]
    assert after > before and int(after[:4]) - int(before[:4]) == 1

    report = {"estate_id": world.estate, "plate": "浙B20001", "place": "P-02"}
    bare = client.post(f"{API}/car-reports", json=report, headers=auth(world, "resident"))
    assert bare.status_code == 400 and "photo" in bare.json()["errors"]
    sent = client.post(
        f"{API}/car-reports",
        json={**report, "photo_name": "car.png", "photo_base64": PNG_BASE64},
        headers=auth(world, "resident"),
    )
    assert sent.status_code == 201 and sent.json()["status"] == "open", sent.text
    rid = sent.json()["id"]
    listed = client.get(f"{API}/estates/{world.estate}/car-reports", headers=auth(world, "patroller")).json()
    assert [r["plate"] for r in listed] == ["浙B20001"]
    not_patroller = client.post(f"{API}/car-reports/{rid}/dismiss", json={"note": "x"}, headers=auth(world, "resident"))
    assert not_patroller.status_code == 400
    no_reason = client.post(f"{API}/car-reports/{rid}/dismiss", json={"note": ""}, headers=auth(world, "patroller"))
    assert no_reason.status_code == 400
    dismissed = client.post(
        f"{API}/car-reports/{rid}/dismiss", json={"note": "车主有访客登记"}, headers=auth(world, "patroller")
    )
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
    again = client.post(f"{API}/car-reports/{rid}/record", headers=auth(world, "patroller"))
    assert again.status_code == 409
    mine = client.get(f"{API}/car-reports/mine", headers=auth(world, "resident")).json()
    assert [(r["status"], r["note"]) for r in mine] == [("dismissed", "车主有访客登记")]
