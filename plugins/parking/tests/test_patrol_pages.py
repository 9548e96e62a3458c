"""The patrol pages as people see them: a patroller's round and photo report, the owner's dispute, mediation."""

from __future__ import annotations

import re

from core.testing import csrf_of, login
from plugins.parking.tests.patrol_support import PLATE, prepare

BASE = "/d/haishu/parking"
HTMX = {"HX-Request": "true"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_patroller_reports_with_a_photo_the_owner_disputes_and_staff_withdraw(app, world, seed):
    """On the pages: a refused report keeps the form with the reason; a photo report warns; the owner sees and disputes
    it; community staff withdraw it in mediation; the committee's list shows each state; a resident may not patrol."""
    from litestar.testing import TestClient

    prepare(seed, world)
    patrol_url = f"{BASE}/estates/{world.estate}/patrol"
    with TestClient(app=app) as patroller:
        login(patroller, "patroller")
        page = patroller.get(patrol_url)
        assert page.status_code == 200 and "开始巡查" in page.text
        fragment = patroller.get(patrol_url, headers=HTMX)
        assert fragment.status_code == 200 and "<html" not in fragment.text and "开始巡查" in fragment.text
        token = csrf_of(patroller, patrol_url)
        started = patroller.post(f"{patrol_url}/start", data={"_csrf_token": token}, follow_redirects=True)
        assert "巡查进行中" in started.text and "查验车牌" in started.text
        round_id = re.search(r'name="round_id" value="(\d+)"', started.text).group(1)
        token = csrf_of(patroller, patrol_url)
        checked = patroller.post(
            f"{BASE}/rounds/{round_id}/checks",
            data={"_csrf_token": token, "plate": "沪A12345", "place": "V-01"},
            follow_redirects=True,
        )
        assert "沪A12345: 无停车卡" in checked.text
        refused = patroller.post(
            f"{BASE}/estates/{world.estate}/violations",
            data={"_csrf_token": token, "plate": PLATE, "place": "6 幢消防通道"},
            files={"empty": ("", b"", "application/octet-stream")},
        )
        assert refused.status_code == 400
        assert "违规记录须附照片，或由第二名巡查员作证" in refused.text
        assert 'value="6 幢消防通道"' in refused.text  # the form keeps what was typed
        reported = patroller.post(
            f"{BASE}/estates/{world.estate}/violations",
            data={"_csrf_token": token, "plate": PLATE, "place": "6 幢消防通道", "round_id": round_id},
            files={"photo": ("car.png", PNG, "image/png")},
            follow_redirects=True,
        )
        assert reported.status_code == 200 and "违规已记录（警告），已通知车主。" in reported.text
        assert "已记录违规" in reported.text  # the round's check list
        listed = patroller.get(f"{BASE}/estates/{world.estate}/violations").text
        assert PLATE in listed and "期内第 1 次" in listed and "警告" in listed
        photo_link = listed.split("/photo")[0].rsplit('href="', 1)[1] + "/photo"
        photo = patroller.get(photo_link)
        assert photo.status_code == 200 and photo.content == PNG and photo.headers["content-type"] == "image/png"

    with TestClient(app=app) as resident:
        login(resident, "resident")
        assert resident.get(patrol_url).status_code == 403
        mine = resident.get(f"{BASE}/violations/mine")
        assert PLATE in mine.text and "已记录，已通知车主" in mine.text and "提出异议" in mine.text
        assert resident.get(photo_link).status_code == 200
        violation_id = photo_link.rsplit("/", 2)[1]
        token = csrf_of(resident, f"{BASE}/violations/mine")
        empty = resident.post(
            f"{BASE}/violations/{violation_id}/dispute", data={"_csrf_token": token, "reason": ""}, headers=HTMX
        )
        assert empty.status_code == 200 and "请写明理由" in empty.text
        sent = resident.post(
            f"{BASE}/violations/{violation_id}/dispute",
            data={"_csrf_token": token, "reason": "当时车位被他人占用，临时停放"},
            follow_redirects=True,
        )
        assert "您的异议已提交居委会调解。" in sent.text and "有异议：调解中" in sent.text

    with TestClient(app=app) as neighbour:
        login(neighbour, "neighbour")
        assert neighbour.get(photo_link).status_code == 404
        assert PLATE not in neighbour.get(f"{BASE}/violations/mine").text

    with TestClient(app=app) as worker:
        login(worker, "worker")
        mediation = worker.get(f"{BASE}/mediation")
        assert "待调解（居委会）" in mediation.text and "当时车位被他人占用" in mediation.text
        token = csrf_of(worker, f"{BASE}/mediation")
        done = worker.post(
            f"{BASE}/violations/{violation_id}/decide",
            data={"_csrf_token": token, "outcome": "withdrawn", "note": "监控显示车位被占"},
            follow_redirects=True,
        )
        assert "处理结果已记录。" in done.text and "暂无待调解的异议。" in done.text
        assert "撤销" in worker.get(f"{BASE}/estates/{world.estate}/violations").text
