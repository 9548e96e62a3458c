"""The grants remainder: documents attached to an application (types, sizes, counts with Chinese errors;
staff and reviewers open them; parallel uploads never pass the limit), the call's own questions from a
builder case type (validated, required before submission, shown to reviewers), reviewer pools and
assignment by pool, a co-funder's money on the ledger (once, also under parallel requests) and on the
statement, the statement as PDF, files of a report through the API."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO

import httpx
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from core.cases.types import store_version
from core.casetypes.definition import parse_case_type
from core.db import for_district
from core.models import District
from core.testing import login
from core.testing.browser import serve
from core.testing.races import Call, fire
from core.testing.web import csrf_of
from plugins.grants.models import Assignment, Funder
from plugins.grants.models_extra import GrantAppFile, GrantCoPayment
from plugins.grants.tests.support import add_application, budget

API = "/api/v1/districts/haishu/grants"
PDF = b"%PDF-1.4\n" + b"0" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
QUESTIONS = {
    "key": "venture_form",
    "name": {"zh": "公益创投申报补充表", "en": "Venture application questions"},
    "form": {
        "fields": [
            {"key": "volunteers", "type": "integer", "label": {"zh": "志愿者人数"}, "required": True, "min": 0},
            {
                "key": "area",
                "type": "choice",
                "label": {"zh": "服务范围"},
                "choices": [
                    {"value": "street", "label": {"zh": "街道"}},
                    {"value": "district", "label": {"zh": "全区"}},
                ],
            },
        ]
    },
    "workflow": {
        "initial": "new",
        "states": [
            {"key": "new", "label": {"zh": "新登记"}, "kind": "open"},
            {"key": "done", "label": {"zh": "已办结"}, "kind": "closed"},
        ],
        "transitions": [
            {"key": "finish", "from": "new", "to": "done", "label": {"zh": "办结"}, "roles": ["district_admin"]}
        ],
    },
    "permissions": {"view": ["district_admin"], "create": ["district_admin"], "edit": ["district_admin"]},
}


def _auth(world, user="staff"):
    return {"Authorization": f"Bearer {world.tokens[user]}"}


def test_documents_types_sizes_and_who_sees_them(client, world, seed):
    """The applicant uploads a PDF and a photo to a draft; a text file and a fake PDF are refused in Chinese
    and nothing is stored; staff and an assigned reviewer open the file inline, another organization's leader
    gets 404; once submitted, no more changes (409)."""
    app_id = seed(lambda s: add_application(s, world, status="draft"))
    url = f"{API}/applications/{app_id}/files"
    bad = client.post(url, files={"files": ("说明.txt", b"hello", "text/plain")}, headers=_auth(world, "leader"))
    assert bad.status_code == 400 and "类型不支持" in bad.json()["detail"]
    fake = client.post(
        url, files={"files": ("预算.pdf", b"not a pdf", "application/pdf")}, headers=_auth(world, "leader")
    )
    assert fake.status_code == 400 and "预算.pdf" in fake.json()["errors"]["files"]
    big = client.post(
        url,
        files={"files": ("大.pdf", PDF + b"0" * (10 * 1024 * 1024), "application/pdf")},
        headers=_auth(world, "leader"),
    )
    assert big.status_code == 400 and "最多 10 MB" in big.json()["detail"]
    added = client.post(
        url,
        files=[("files", ("项目书.pdf", PDF, "application/pdf")), ("files", ("现场.png", PNG, "image/png"))],
        headers=_auth(world, "leader"),
    )
    assert added.status_code == 201, added.text
    assert [d["name"] for d in added.json()] == ["项目书.pdf", "现场.png"]
    assert client.post(url, files={"files": ("x.pdf", PDF, "application/pdf")}, headers=_auth(world)).status_code == 404
    file_id = added.json()[0]["id"]
    got = client.get(f"{url}/{file_id}", headers=_auth(world))
    assert got.status_code == 200 and got.content == PDF and got.headers["x-content-type-options"] == "nosniff"
    assert client.get(f"{url}/{file_id}", headers=_auth(world, "groupie")).status_code == 404
    photo_id = added.json()[1]["id"]
    assert client.delete(f"{url}/{photo_id}", headers=_auth(world, "leader")).status_code == 204
    assert [d["name"] for d in client.get(url, headers=_auth(world)).json()] == ["项目书.pdf"]
    # the page shows the documents; a reviewer of the screened application opens them
    login(client, "leader")
    page = client.get(f"/d/haishu/grants/applications/{app_id}")
    assert "项目书.pdf" in page.text and "添加附件" in page.text

    async def screen(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        for_district(session, district.id)
        from plugins.grants.models import Application

        app = await session.get(Application, app_id)
        app.status = "screened"
        session.add(Assignment(application_id=app_id, reviewer_id=world.users["r1"]))
        await session.flush()
        for_district(session, None)

    seed(screen)
    assert client.get(f"{url}/{file_id}", headers=_auth(world, "r1")).status_code == 200
    login(client, "r1")
    page = client.get(f"/d/haishu/grants/applications/{app_id}")
    assert "项目书.pdf" in page.text and "添加附件" not in page.text
    late = client.post(url, files={"files": ("x.pdf", PDF, "application/pdf")}, headers=_auth(world, "leader"))
    assert late.status_code == 409 and "附件不能再改动" in late.json()["detail"]


def test_upload_page_refuses_with_the_reason_and_keeps_nothing(client, world, seed):
    """From the phone page: a wrong file type comes back (400) with the Chinese reason and no file stored;
    a PDF is stored and listed."""
    app_id = seed(lambda s: add_application(s, world, status="draft"))
    login(client, "leader")
    token = csrf_of(client, f"/d/haishu/grants/applications/{app_id}")
    bad = client.post(
        f"/d/haishu/grants/applications/{app_id}/files",
        data={"_csrf_token": token},
        files={"files": ("a.exe", b"MZ\x90\x00", "application/octet-stream")},
    )
    assert bad.status_code == 400 and "类型不支持" in bad.text

    async def count(session):
        return (await session.execute(select(func.count(GrantAppFile.id)))).scalar_one()

    assert seed(count) == 0
    ok = client.post(
        f"/d/haishu/grants/applications/{app_id}/files",
        data={"_csrf_token": token},
        files={"files": ("预算表.pdf", PDF, "application/pdf")},
        follow_redirects=True,
    )
    assert ok.status_code == 200 and "预算表.pdf" in ok.text and seed(count) == 1


def test_parallel_uploads_never_pass_ten_documents(app, world, seed):
    """Nine documents, then four uploads of one at the same moment: exactly one succeeds, three are refused
    with “最多 10 个附件”; ten rows in the end (SQLite and PostgreSQL)."""
    app_id = seed(lambda s: add_application(s, world, status="draft"))

    async def nine(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        for_district(session, district.id)
        for i in range(9):
            session.add(
                GrantAppFile(
                    application_id=app_id,
                    key=f"k{i}",
                    name=f"{i}.pdf",
                    content_type="application/pdf",
                    size=1,
                    sha256="0",
                )
            )
        await session.flush()
        for_district(session, None)

    seed(nine)
    barrier = threading.Barrier(4)

    def upload(base: str, i: int) -> httpx.Response:
        with httpx.Client(base_url=base, timeout=60) as http:
            http.get("/healthz")
            barrier.wait(timeout=30)
            return http.post(
                f"{API}/applications/{app_id}/files",
                files={"files": (f"n{i}.pdf", PDF, "application/pdf")},
                headers=_auth(world, "leader"),
            )

    with serve(app) as url, ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(lambda i: upload(url, i), range(4)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201, 400, 400, 400], [r.text[:200] for r in responses]
    assert all("最多 10 个附件" in r.json()["detail"] for r in responses if r.status_code == 400)

    async def count(session):
        return (await session.execute(select(func.count(GrantAppFile.id)))).scalar_one()

    assert seed(count) == 10


def _questions(seed):
    async def store(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        await store_version(session, district, parse_case_type(QUESTIONS, known_roles=None), source="builder")

    seed(store)


def test_call_questions_from_a_builder_case_type(client, world, seed):
    """Staff give the call the builder form 公益创投申报补充表; an unknown type is refused. The applicant's
    answers are validated by the forms engine (a word where a number is asked is refused), submission waits
    for the required question, and staff see the answers as text (the choice by its label)."""
    _questions(seed)
    bad = client.put(f"{API}/calls/{world.call}/setup", json={"case_type": "nope"}, headers=_auth(world))
    assert bad.status_code == 400 and "case_type" in bad.json()["errors"]
    ok = client.put(f"{API}/calls/{world.call}/setup", json={"case_type": "venture_form"}, headers=_auth(world))
    assert ok.status_code == 200 and ok.json()["case_type"] == "venture_form"
    app_id = seed(lambda s: add_application(s, world, status="draft"))
    submit = client.post(f"{API}/applications/{app_id}/submit", headers=_auth(world, "leader"))
    assert submit.status_code == 400 and "answers" in submit.json()["errors"]
    wrong = client.put(
        f"{API}/applications/{app_id}/answers", json={"volunteers": "很多"}, headers=_auth(world, "leader")
    )
    assert wrong.status_code == 400 and "volunteers" in wrong.json()["errors"]
    saved = client.put(
        f"{API}/applications/{app_id}/answers",
        json={"volunteers": 12, "area": "street"},
        headers=_auth(world, "leader"),
    )
    assert saved.status_code == 200 and saved.json()["answers"] == {"volunteers": 12, "area": "street"}
    submitted = client.post(f"{API}/applications/{app_id}/submit", headers=_auth(world, "leader"))
    assert submitted.status_code == 200, submitted.text
    login(client, "staff")
    page = client.get(f"/d/haishu/grants/applications/{app_id}")
    assert "志愿者人数" in page.text and "街道" in page.text
    # The scores workbook staff decide with carries the answers too: sheet 申报内容, one column per question.
    book = load_workbook(BytesIO(client.get(f"{API}/calls/{world.call}/scores.xlsx", headers=_auth(world)).content))
    rows = list(book["申报内容"].iter_rows(values_only=True))
    header, row = rows[0], rows[1]
    assert header[:8] == (
        "项目",
        "申报组织",
        "类别",
        "状态",
        "申请金额（元）",
        "自筹配套（元）",
        "项目概述",
        "受益对象",
    )
    answers = dict(zip(header[8:], row[8:], strict=True))
    assert answers["志愿者人数"] == 12 and answers["服务范围"] == "街道"
    assert row[:5] == ("银发课堂", "阳光社工服务社", "为老服务", "已提交，待形式审查", 50000)


def test_questions_answered_on_the_application_page(client, world, seed):
    """The applicant's page shows the builder form; a missing required answer comes back with its error."""
    _questions(seed)
    client.put(f"{API}/calls/{world.call}/setup", json={"case_type": "venture_form"}, headers=_auth(world))
    app_id = seed(lambda s: add_application(s, world, status="draft"))
    login(client, "leader")
    page = client.get(f"/d/haishu/grants/applications/{app_id}")
    assert "征集的附加问题" in page.text and "志愿者人数" in page.text
    token = csrf_of(client, f"/d/haishu/grants/applications/{app_id}")
    missing = client.post(
        f"/d/haishu/grants/applications/{app_id}/answers", data={"_csrf_token": token, "volunteers": ""}
    )
    assert missing.status_code == 400
    done = client.post(
        f"/d/haishu/grants/applications/{app_id}/answers",
        data={"_csrf_token": token, "volunteers": "8", "area": "district"},
        follow_redirects=True,
    )
    assert done.status_code == 200
    assert client.get(f"{API}/applications/{app_id}/answers", headers=_auth(world)).json()["answers"]["volunteers"] == 8


def test_assignment_by_pool(client, world, seed):
    """Pools: r1 and r3 experts, r2 finance (but a member of the hub: a conflict), r3 also community
    representative for 为老服务 only. Quota expert 1 + finance 1 + community 1; application 甲 is 为老服务,
    乙 is 青少年成长. 甲 gets r1 (the least loaded expert, ties by id) and r3 as community representative;
    乙 gets r1 (r3 has one already) and no community representative (r3 does not take 青少年成长); nobody
    from finance (its only member conflicts). A second run assigns nothing more."""
    a1 = seed(lambda s: add_application(s, world, title="甲"))
    a2 = seed(lambda s: add_application(s, world, title="乙"))

    async def youth(session):
        from plugins.grants.models import Application

        await session.execute(update(Application).where(Application.id == a2).values(category_id=world.categories[1]))

    seed(youth)
    pools = (("r1", "expert", []), ("r3", "expert", []), ("r2", "finance", []), ("r3", "community", ["为老服务"]))
    for user, pool, cats in pools:
        put = client.put(
            f"{API}/pools", json={"user_id": world.users[user], "pool": pool, "categories": cats}, headers=_auth(world)
        )
        assert put.status_code == 200, put.text
    bad = client.put(f"{API}/pools", json={"user_id": world.users["leader"], "pool": "x"}, headers=_auth(world))
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"pool", "user_id"}
    none_yet = client.post(f"{API}/calls/{world.call}/auto-assign-pools", headers=_auth(world))
    assert none_yet.status_code == 409  # the call sets no quota yet
    quota = {"expert": 1, "finance": 1, "community": 1}
    client.put(f"{API}/calls/{world.call}/setup", json={"pool_quota": quota}, headers=_auth(world))
    made = client.post(f"{API}/calls/{world.call}/auto-assign-pools", headers=_auth(world))
    assert made.status_code == 200 and made.json()["assigned"] == 3, made.text

    async def assigned(session):
        rows = await session.execute(select(Assignment.application_id, Assignment.reviewer_id))
        return sorted(rows.tuples().all())

    r1, r3 = world.users["r1"], world.users["r3"]
    assert seed(assigned) == sorted([(a1, r1), (a1, r3), (a2, r1)])
    assert client.post(f"{API}/calls/{world.call}/auto-assign-pools", headers=_auth(world)).json()["assigned"] == 0
    login(client, "staff")
    assert "社区代表" in client.get("/d/haishu/grants/pools").text
    assert client.post(f"{API}/calls/{world.call}/auto-assign-pools", headers=_auth(world, "leader")).status_code == 403


def _signed_with_co_funder(client, world, seed) -> tuple[int, int]:
    app_id = seed(
        lambda s: add_application(
            s, world, status="approved", award_fen=10_000_000, decision="approved", title="银发课堂"
        )
    )
    signed = client.post(
        f"{API}/applications/{app_id}/agreement",
        headers=_auth(world),
        json={
            "starts_on": "2026-03-01",
            "ends_on": "2027-02-28",
            "co_funders": [{"kind": "company", "name": "甬城银行", "committed_fen": 3_000_000}],
            "budget": budget(14_000_000),
        },
    )
    assert signed.status_code == 200, signed.text

    async def company(session):
        query = select(Funder.id).where(Funder.application_id == app_id, Funder.kind == "company")
        return (await session.execute(query)).scalar_one()

    return app_id, seed(company)


def test_co_funder_money_on_the_ledger_and_the_statement(client, world, seed):
    """The company's 30,000 yuan arrive in the project account as one ledger transfer, shown on the statement
    (JSON and PDF); paying again is 409; the applicant may not record it."""
    app_id, funder_id = _signed_with_co_funder(client, world, seed)
    url = f"{API}/applications/{app_id}/funders/{funder_id}/payment"
    assert client.post(url, headers=_auth(world, "leader")).status_code == 403
    paid = client.post(url, headers=_auth(world))
    assert paid.status_code == 200 and paid.json()["amount_fen"] == 3_000_000
    again = client.post(url, headers=_auth(world))
    assert again.status_code == 409 and "已经入账" in again.json()["detail"]
    statement = client.get(f"{API}/applications/{app_id}/ledger", headers=_auth(world)).json()
    assert statement["closing_fen"] == 3_000_000
    assert any("甬城银行" in line["description"] and line["amount_fen"] == 3_000_000 for line in statement["lines"])
    pdf = client.get(f"{API}/applications/{app_id}/ledger.pdf", headers=_auth(world, "leader"))
    assert (
        pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf.headers["content-type"] == "application/pdf"
    )
    assert client.get(f"{API}/applications/{app_id}/ledger.pdf", headers=_auth(world, "groupie")).status_code == 404


def test_co_funder_paid_once_under_parallel_requests(app, client, world, seed):
    """Six requests at once record the payment once: one 200, five 409, one payment row, 30,000 yuan in."""
    app_id, funder_id = _signed_with_co_funder(client, world, seed)
    calls = [
        Call("POST", f"{API}/applications/{app_id}/funders/{funder_id}/payment", token=world.tokens["staff"])
        for _ in range(6)
    ]
    with serve(app) as url:
        responses = fire(url, calls)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 409, 409, 409, 409, 409], [r.text[:200] for r in responses]

    async def rows(session):
        return (await session.execute(select(func.count(GrantCoPayment.id)))).scalar_one()

    assert seed(rows) == 1
    assert client.get(f"{API}/applications/{app_id}/ledger", headers=_auth(world)).json()["closing_fen"] == 3_000_000


def test_report_files_through_the_api(client, world, seed):
    """The organization adds a photo to its submitted report through the API; a seventh file is refused;
    once accepted no more files (409)."""
    app_id, _funder = _signed_with_co_funder(client, world, seed)
    report = client.post(
        f"{API}/projects/{app_id}/reports",
        json={"kind": "midterm", "indicators": "指标", "activities": "活动", "beneficiaries": 10, "spending": []},
        headers=_auth(world, "leader"),
    )
    assert report.status_code == 200, report.text
    rid = report.json()["id"]
    url = f"{API}/reports/{rid}/files"
    added = client.post(url, files={"files": ("现场.png", PNG, "image/png")}, headers=_auth(world, "leader"))
    assert added.status_code == 201 and added.json()[0]["name"] == "现场.png"
    assert client.get(f"{url}/1", headers=_auth(world)).content == PNG
    many = client.post(
        url, files=[("files", (f"{i}.png", PNG, "image/png")) for i in range(6)], headers=_auth(world, "leader")
    )
    assert many.status_code == 400 and "最多 6 个附件" in many.json()["detail"]
    client.post(f"{API}/reports/{rid}/decision", json={"decision": "accept"}, headers=_auth(world))
    late = client.post(url, files={"files": ("x.png", PNG, "image/png")}, headers=_auth(world, "leader"))
    assert late.status_code == 409
