"""Evidence of the grade self-assessment: photos and PDFs per indicator, uploaded by the organization (page and
API), size and type checked with Chinese reasons, seen by staff and the panel, closed once handed in."""

from __future__ import annotations

from typing import Any

import pytest

from core.refusal import Refusal
from core.testing import csrf_of, login
from plugins.rating import grade_evidence, grading
from plugins.rating.tests.test_grade_process import _all, _setup

JPEG = b"\xff\xd8\xff\xe0" + b"photo" * 50
PDF = b"%PDF-1.4\n" + b"x" * 100
BASE = "/d/haishu/rating/grade-evaluations"
API = "/api/v1/districts/haishu/rating"


def test_check_file_limits_say_why_in_chinese():
    """JPEG/PNG/PDF by their first bytes, at most 8 MB; an empty, renamed or oversized file is refused."""
    assert grade_evidence.check_file("C:\\相册\\现场.JPG", JPEG) == ("现场.JPG", "image/jpeg")
    assert grade_evidence.check_file("章程.pdf", PDF) == ("章程.pdf", "application/pdf")
    cases = {
        ("a.jpg", b""): "请选择要上传的照片或 PDF 文件",
        ("伪装.jpg", b"MZ\x90\x00"): "“伪装.jpg”不是 JPEG/PNG 照片或 PDF 文件",
        ("脚本.exe", b"\xff\xd8\xff"): "“脚本.exe”不是 JPEG/PNG 照片或 PDF 文件",
        ("大图.jpg", b"\xff\xd8\xff" + b"0" * grade_evidence.FILE_MAX_BYTES): "“大图.jpg”太大：每个文件最多 8 MB",
    }
    for (name, data), reason in cases.items():
        with pytest.raises(Refusal) as refused:
            grade_evidence.check_file(name, data)
        assert refused.value.zh == reason


def test_organization_uploads_per_indicator_and_panel_sees_it(client, world, as_user, seed):
    """The organization's staff (e4) upload a photo for 2.2 from the page (listed, opened inline with its type);
    a fake photo comes back with the reason; a resident gets 404; through the API: a PDF for 1.1, the list with
    indicator codes, an unknown indicator refused, a delete (204); after handing in, uploads are refused (409)
    and the expert on the panel sees the files without an upload form."""
    ids = _setup(seed, world)

    async def apply(ctx: Any) -> int:
        ev = await grading.apply(ctx, organization_id=world.youth, year=2026, annual_report_filed=True)
        await grading.assign_expert(ctx, ev, ids["e1"])
        return ev.id

    ev_id = as_user("worker", apply)
    login(client, "e4")
    url = f"{BASE}/{ev_id}/evidence"
    page = client.get(url)
    assert page.status_code == 200 and "添加照片或 PDF" in page.text and 'accept="image/jpeg' in page.text
    token = csrf_of(client, url)
    sent = client.post(
        url, data={"_csrf_token": token, "indicator": "2.2"}, files={"file": ("现场照片.jpg", JPEG, "image/jpeg")}
    )
    assert "文件已上传" in sent.text and "现场照片.jpg" in sent.text
    fake = client.post(
        url, data={"_csrf_token": token, "indicator": "2.2"}, files={"file": ("伪装.jpg", b"GIF89a", "image/jpeg")}
    )
    assert "“伪装.jpg”不是 JPEG/PNG 照片或 PDF 文件" in fake.text

    staff = {"Authorization": f"Bearer {world.tokens['worker']}"}
    (photo,) = client.get(f"{API}/grade-evaluations/{ev_id}/evidence", headers=staff).json()
    assert (photo["indicator_code"], photo["name"], photo["content_type"]) == ("2.2", "现场照片.jpg", "image/jpeg")
    opened = client.get(photo["url"])
    assert opened.headers["content-type"] == "image/jpeg" and opened.content == JPEG

    login(client, "other")
    assert client.get(url).status_code == 404
    assert client.get(photo["url"]).status_code == 404

    org_token = _token(seed, "e4")
    pdf = client.post(
        f"{API}/grade-evaluations/{ev_id}/evidence",
        data={"indicator": "1.1"},
        files={"file": ("章程.pdf", PDF, "application/pdf")},
        headers=org_token,
    )
    assert pdf.status_code == 201, pdf.text
    unknown = client.post(
        f"{API}/grade-evaluations/{ev_id}/evidence",
        data={"indicator": "9.9"},
        files={"file": ("章程.pdf", PDF, "application/pdf")},
        headers=org_token,
    )
    assert unknown.status_code == 400 and "请选择指标" in unknown.json()["detail"]
    listed = client.get(f"{API}/grade-evaluations/{ev_id}/evidence", headers=org_token).json()
    assert sorted(e["indicator_code"] for e in listed) == ["1.1", "2.2"]
    assert client.delete(f"{API}/grade-evidence/{pdf.json()['id']}", headers=org_token).status_code == 204
    assert [e["name"] for e in client.get(f"{API}/grade-evaluations/{ev_id}/evidence", headers=staff).json()] == [
        "现场照片.jpg"
    ]

    async def hand_in(ctx: Any) -> None:
        ev = await grading.get_evaluation(ctx.session, ev_id)
        tree = await grading.indicators(ctx.session, ev.org_type, ev.tree_version)
        await grading.save_self_assessment(ctx, ev, _all(tree), submit=True)

    as_user("e4", hand_in)
    late = client.post(
        f"{API}/grade-evaluations/{ev_id}/evidence",
        data={"indicator": "1.1"},
        files={"file": ("章程.pdf", PDF, "application/pdf")},
        headers=org_token,
    )
    assert late.status_code == 409 and "自评已经提交" in late.json()["detail"]
    login(client, "e1")
    seen = client.get(url).text
    assert "现场照片.jpg" in seen and "添加照片或 PDF" not in seen and "仅供查阅" in seen


def _token(seed: Any, username: str) -> dict[str, str]:
    from sqlalchemy import select

    from core.auth.tokens import create_token
    from core.models import District, User

    async def work(session: Any) -> str:
        user = (await session.execute(select(User).where(User.username == username))).scalar_one()
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        value, _ = await create_token(session, user, district.id, "tests")
        return value

    return {"Authorization": f"Bearer {seed(work)}"}


def test_eight_uploads_at_once_keep_at_most_five(app, world, as_user, seed):
    """Eight photos for the same indicator sent at the same moment (a real server): five kept (201), three
    refused with the reason (400), never more than five."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    import httpx
    from sqlalchemy import func, select

    from core.testing.browser import serve
    from plugins.rating.models_process import GradeEvidence

    _setup(seed, world)
    ev_id = as_user(
        "worker",
        lambda ctx: _apply(ctx, world.youth),
    )
    headers = _token(seed, "e4")
    path = f"{API}/grade-evaluations/{ev_id}/evidence"
    n = 8
    barrier = Barrier(n)

    def send(k: int, url: str) -> httpx.Response:
        with httpx.Client(base_url=url, timeout=60) as client:
            client.get("/healthz")
            barrier.wait(timeout=60)
            return client.post(
                path, data={"indicator": "2.2"}, files={"file": (f"照片{k}.jpg", JPEG, "image/jpeg")}, headers=headers
            )

    with serve(app) as url, ThreadPoolExecutor(max_workers=n) as pool:
        responses = list(pool.map(lambda k: send(k, url), range(n)))
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] * 5 + [400] * 3, [r.text[:200] for r in responses]
    assert all("最多 5 个文件" in r.json()["detail"] for r in responses if r.status_code == 400)

    async def kept(session: Any) -> int:
        return (await session.execute(select(func.count()).select_from(GradeEvidence))).scalar_one()

    assert seed(kept) == 5


async def _apply(ctx: Any, org_id: int) -> int:
    ev = await grading.apply(ctx, organization_id=org_id, year=2026, annual_report_filed=True)
    return ev.id
