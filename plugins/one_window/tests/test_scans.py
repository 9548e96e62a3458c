"""Scans of the documents received at the window: attached on the intake's page or through the API, opened by
staff and by the department the request went to (not by another department), bad files refused in Chinese with
nothing stored, and the limit per request kept when scans arrive at the same moment."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import func, select

from core.testing import csrf_of, login
from core.testing.apps import lease
from core.testing.browser import serve
from plugins.one_window import scans
from plugins.one_window.models import Scan
from plugins.one_window.tests.support import API, api_token, catalogue, item_id

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
ITEM = "330203-YB-001"  # 城乡居民医保参保登记: 身份证, 户口簿; to 医保工作站 alone


def _all_at_once(url: str, path: str, token: str, n: int) -> list[httpx.Response]:
    """``n`` multipart uploads released together (a thread each, a barrier; the race kit's ``Call`` sends no files)."""
    barrier = threading.Barrier(n)

    def send(number: int) -> httpx.Response:
        with httpx.Client(base_url=url, timeout=60) as client:
            client.get("/healthz")  # the connection is open before the start signal
            barrier.wait(timeout=60)
            return client.post(
                path,
                data={"document": "0"},
                files={"file": (f"{number}.png", PNG, "image/png")},
                headers={"Authorization": f"Bearer {token}"},
            )

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(send, range(n)))


def _scan_count(factory) -> int:
    async def work(session):
        return int((await session.execute(select(func.count()).select_from(Scan))).scalar_one())

    return factory.run(work)


def _intake(client, factory, received=(0, 1)) -> dict:
    body = {"item_id": item_id(factory, ITEM), "applicant": "周敏", "phone": "13957423456", "received": list(received)}
    made = client.post(f"{API}/intakes", json=body, headers={"x-csrftoken": csrf_of(client, "/d/haishu/")})
    assert made.status_code == 201, made.text
    return made.json()


def _upload(client, intake: int, document, name: str, content: bytes, kind: str = "image/png"):
    page = f"/d/haishu/one_window/intakes/{intake}"
    data = {"document": str(document), "_csrf_token": csrf_of(client, page)}
    return client.post(f"{page}/scans", data=data, files={"file": (name, content, kind)})


def test_a_scan_is_attached_and_opened_by_staff_and_the_department(
    sanshe_factory, sanshe_district, sanshe_client_for, sanshe_client
):
    """The worker attaches a photo of the ID card: the intake's page links it under 居民身份证, and it opens as the
    same PNG. 医保工作站's officer sees it on the step page and opens it; 民政办's officer gets 404; the scan is
    listed by the API."""
    catalogue(sanshe_factory)
    worker = sanshe_client_for("community_worker")
    made = _intake(worker, sanshe_factory)
    answer = _upload(worker, made["id"], 0, "身份证正面.png", PNG)
    assert answer.status_code in (200, 303), answer.text
    page = worker.get(f"/d/haishu/one_window/intakes/{made['id']}").text
    listed = worker.get(f"{API}/intakes/{made['id']}/scans").json()
    assert [(s["document"], s["name"], s["content_type"], s["size"]) for s in listed] == [
        (0, "身份证正面.png", "image/png", len(PNG))
    ]
    link = listed[0]["url"]
    assert link in page and "身份证正面.png" in page
    opened = worker.get(link)
    assert opened.status_code == 200 and opened.content == PNG
    assert opened.headers["content-type"].startswith("image/png")

    yibao = sanshe_client_for("one_window_department", org_unit="gulou-yb")
    step = yibao.get(f"{API}/steps").json()[0]
    assert link in yibao.get(f"/d/haishu/one_window/steps/{step['id']}").text
    assert yibao.get(link).content == PNG
    sanshe_factory.user("mz-officer", role="one_window_department", org_unit="gulou-mz")
    minzheng = login(sanshe_client, "mz-officer")
    assert minzheng.get(link).status_code == 404


def test_bad_files_are_refused_in_chinese_and_nothing_is_stored(sanshe_factory, sanshe_district, sanshe_client_for):
    """A program renamed .png, an empty file, a file over 10 MB and a scan of a document not received are each
    refused with the reason in Chinese, on the page (next to the field) and in the API (400, by field); no scan is
    kept."""
    catalogue(sanshe_factory)
    worker = sanshe_client_for("community_worker")
    made = _intake(worker, sanshe_factory, received=(0,))
    renamed = _upload(worker, made["id"], 0, "照片.png", b"MZ\x90\x00" + b"\x00" * 100)
    assert renamed.status_code == 400 and "“照片.png”的类型不支持：请上传 JPEG/PNG 照片或 PDF 文件。" in renamed.text
    empty = _upload(worker, made["id"], 0, "空.pdf", b"", "application/pdf")
    assert empty.status_code == 400 and "“空.pdf”是空文件。" in empty.text
    large = _upload(worker, made["id"], 0, "大.png", PNG + b"\x00" * scans.MAX_BYTES)
    assert large.status_code == 400 and "“大.png”太大：每个文件最多 10 MB。" in large.text
    not_received = _upload(worker, made["id"], 1, "户口簿.png", PNG)
    assert not_received.status_code == 400 and "请选择已收到的材料。" in not_received.text
    headers = {"x-csrftoken": csrf_of(worker, "/d/haishu/")}
    files = {"file": ("a.exe.png", b"MZ\x90\x00", "image/png")}
    api = worker.post(f"{API}/intakes/{made['id']}/scans", data={"document": "0"}, files=files, headers=headers)
    assert api.status_code == 400 and "类型不支持" in api.json()["errors"]["file"]
    assert _scan_count(sanshe_factory) == 0


def test_scans_sent_at_once_stop_at_the_limit(
    sanshe_factory, sanshe_district, sanshe_client_for, sanshe_settings, sanshe_host, monkeypatch
):
    """With a limit of three scans per request, six sent at the same moment: three kept (201), three refused
    (400, in Chinese), and the request has exactly three."""
    catalogue(sanshe_factory)
    monkeypatch.setattr(scans, "MAX_SCANS", 3)
    worker = sanshe_client_for("community_worker")
    made = _intake(worker, sanshe_factory)
    sanshe_factory.user("scanner", role="community_worker")
    token = api_token(sanshe_factory, "scanner")
    path = f"{API}/intakes/{made['id']}/scans"
    with serve(lease(sanshe_settings, sanshe_host)) as url:
        results = _all_at_once(url, path, token, 6)
    assert sorted(r.status_code for r in results) == [201] * 3 + [400] * 3
    refused = next(r for r in results if r.status_code == 400)
    assert "本申请已有 3 份扫描件，已达上限。" in refused.json()["errors"]["file"]
    assert _scan_count(sanshe_factory) == 3
