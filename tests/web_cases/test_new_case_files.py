"""Files on the new-case form: a required file field, refusals that keep the input, pending files and their purge."""

from __future__ import annotations

import asyncio
import html
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from core.builder import service as builder
from core.cases import attachments
from core.cli import _register, cli
from core.models.cases import Attachment, Case
from core.storage import MissingFile
from tests.web_cases.conftest import HTMX, new_case_form

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4 proof of residence"
URL = "/d/haishu/cases/new/subsidy_claim"
PENDING = re.compile(r'<input type="checkbox" name="proof" value="([^"]+)" checked>')

# A case type whose form requires a file (a proof of residence), filed by staff and residents.
SUBSIDY = {
    "key": "subsidy_claim",
    "name": {"zh": "补贴申领", "en": "Subsidy claim"},
    "form": {
        "fields": [
            {"key": "applicant", "type": "text", "label": {"zh": "申请人"}, "required": True},
            {
                "key": "proof",
                "type": "file",
                "label": {"zh": "居住证明", "en": "Proof of residence"},
                "required": True,
                "max_items": 3,
            },
        ]
    },
    "workflow": {
        "initial": "applied",
        "states": [
            {"key": "applied", "label": {"zh": "已申请"}, "kind": "open"},
            {"key": "closed", "label": {"zh": "已结束"}, "kind": "closed"},
        ],
        "transitions": [
            {
                "key": "close",
                "from": ["applied"],
                "to": "closed",
                "label": {"zh": "结束"},
                "roles": ["community_worker"],
            }
        ],
    },
    "permissions": {
        "view": ["community_worker", "district_admin"],
        "view_own": ["resident"],
        "create": ["community_worker", "district_admin", "resident"],
        "edit": ["community_worker"],
        "comment": ["community_worker", "resident"],
    },
}


@pytest.fixture
def subsidy(world: Any, as_user: Any) -> str:
    """The 补贴申领 type published in 海曙区 (its ``proof`` field is a required file)."""

    async def run(ctx: Any) -> str:
        await builder.new_draft(ctx.session, ctx.district, json.loads(json.dumps(SUBSIDY)), user_id=ctx.user.id)
        return (await builder.publish(ctx.session, ctx.district, "subsidy_claim", user_id=ctx.user.id)).key

    return str(as_user("dadmin", run))


def post_form(client: Any, files: list[tuple[str, bytes]] | None = None, htmx: bool = False, **fields: Any) -> Any:
    """Open the form and send it (multipart) with ``fields`` and ``files`` for ``proof``."""
    token, nonce = new_case_form(client, "subsidy_claim")
    data = {"_csrf_token": token, "_nonce": nonce, "title": "高龄补贴", "channel": "phone", **fields}
    parts = [("proof", (name, content, "application/octet-stream")) for name, content in files or []]
    return client.post(URL, data=data, files=parts or None, headers=HTMX if htmx else {}, follow_redirects=False)


def count(seed: Any, model: Any = Case) -> int:
    async def run(session: Any) -> int:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())

    return int(seed(run))


def proof_error(html: str) -> str:
    match = re.search(r'id="f-err-proof" class="field-error" role="alert">([^<]*)<', html)
    assert match, "no error next to the proof field"
    return match.group(1)


def test_required_file_missing_is_refused(subsidy, browser, seed):
    """Without a file the form comes back (400) with the message next to the field; nothing is created."""
    worker = browser("worker")
    refused = post_form(worker, applicant="王大爷")
    assert refused.status_code == 400
    assert proof_error(refused.text) == "此项为必填项。"
    assert 'value="王大爷"' in refused.text and 'value="高龄补贴"' in refused.text
    assert 'enctype="multipart/form-data"' in refused.text and 'hx-encoding="multipart/form-data"' in refused.text
    assert count(seed) == 0


def test_file_makes_the_case_and_only_its_viewers_download_it(subsidy, browser, seed):
    """With a file the case is filed; the file is the field's value, in the attachments and on the timeline."""
    worker = browser("worker")
    made = post_form(worker, files=[("户口本.pdf", PDF)], applicant="王大爷")
    assert made.status_code == 303, made.text
    reference = made.headers["location"].rsplit("/", 1)[1]
    page = worker.get(f"/d/haishu/cases/{reference}").text
    href = f"/d/haishu/cases/{reference}/attachments/"
    assert page.count("户口本.pdf") >= 3  # the field, the attachments list, the timeline
    assert "上传了附件 户口本.pdf" in page
    link = page[page.index(href) :].split('"', 1)[0]
    download = worker.get(link)
    assert download.status_code == 200 and download.content == PDF
    assert browser("resident2").get(link).status_code == 404
    assert count(seed, Attachment) == 1


def test_resident_files_with_a_photo_by_htmx(subsidy, browser):
    """A resident on the web: refused without a file (htmx answer 200 with the message), then filed with one."""
    resident = browser("resident")
    refused = post_form(resident, htmx=True, applicant="张阿姨")
    assert refused.status_code == 200 and proof_error(refused.text) == "此项为必填项。"
    made = post_form(resident, files=[("照片.png", PNG)], htmx=True, applicant="张阿姨")
    location = made.headers["hx-redirect"]
    page = resident.get(location).text
    assert "照片.png" in page
    link = page[page.index(f"{location}/attachments/") :].split('"', 1)[0]
    assert resident.get(link).content == PNG


def test_too_large_file_is_refused_and_the_rest_kept(subsidy, browser, seed):
    """A file over the limit gets a message by the field; what was typed and the good file stay in the form."""
    worker = browser("worker")
    big = b"%PDF-" + b"0" * attachments.MAX_BYTES
    refused = post_form(worker, files=[("扫描件.pdf", big), ("证明.pdf", PDF)], applicant="王大爷")
    assert refused.status_code == 400
    message = proof_error(refused.text)
    assert "扫描件.pdf" in message and "文件太大" in message and "10 MB" in message
    assert 'value="王大爷"' in refused.text and 'value="高龄补贴"' in refused.text
    kept = PENDING.findall(refused.text)
    assert len(kept) == 1 and "证明.pdf" in refused.text
    assert count(seed) == 0
    # Sent again as it came back (the good file ticked, nothing chosen again): filed with that file.
    token, nonce = new_case_form(worker, "subsidy_claim")
    entry = json.loads(kept[0].replace("&#34;", '"').replace("&quot;", '"'))
    data = {"_csrf_token": token, "_nonce": nonce, "title": "高龄补贴", "channel": "phone", "applicant": "王大爷"}
    again = worker.post(URL, data={**data, "proof": json.dumps(entry)}, follow_redirects=False)
    assert again.status_code == 303, again.text
    page = worker.get(again.headers["location"]).text
    assert "证明.pdf" in page and "扫描件.pdf" not in page
    assert count(seed) == 1


def test_an_empty_file_input_is_no_file(subsidy, browser, seed):
    """Sent again with the file ticked and the file input left empty (a part without a file name): filed."""
    worker = browser("worker")
    refused = post_form(worker, files=[("证明.pdf", PDF)])  # the applicant is missing
    [raw] = PENDING.findall(refused.text)
    token, nonce = new_case_form(worker, "subsidy_claim")
    data = {"_csrf_token": token, "_nonce": nonce, "title": "高龄补贴", "channel": "phone", "applicant": "王大爷"}
    empty = [("proof", ("", b"", "application/octet-stream"))]
    again = worker.post(URL, data={**data, "proof": html.unescape(raw)}, files=empty, follow_redirects=False)
    assert again.status_code == 303, again.text
    assert count(seed) == 1 and "证明.pdf" in worker.get(again.headers["location"]).text


def test_forbidden_type_keeps_the_other_fields(subsidy, browser, seed):
    """A forbidden file type is named in the message; the other input comes back."""
    worker = browser("worker")
    refused = post_form(worker, files=[("tool.exe", b"MZ\x90\x00")], applicant="李四")
    assert refused.status_code == 400
    assert "不接受这种类型的文件" in proof_error(refused.text)
    assert 'value="李四"' in refused.text
    assert count(seed) == 0


def test_pending_file_cannot_be_claimed_by_another_user(subsidy, browser, seed):
    """A pending file's entry (with its token) sent by another user, or with a forged token, is refused."""
    resident = browser("resident")
    refused = post_form(resident, files=[("证明.pdf", PDF)])  # the applicant is missing
    assert refused.status_code == 400
    raw = PENDING.findall(refused.text)[0].replace("&#34;", '"').replace("&quot;", '"')
    entry = json.loads(raw)
    thief = browser("resident2")
    stolen = post_form(thief, applicant="李四", proof=json.dumps(entry))
    assert stolen.status_code == 400 and proof_error(stolen.text) == "请重新上传文件。"
    assert not PENDING.findall(stolen.text)  # shown again without the file it may not claim
    forged = post_form(resident, applicant="张阿姨", proof=json.dumps({**entry, "token": "0" * 32}))
    assert forged.status_code == 400 and proof_error(forged.text) == "请重新上传文件。"
    assert count(seed) == 0
    made = post_form(resident, applicant="张阿姨", proof=json.dumps(entry))
    assert made.status_code == 303
    reused = post_form(resident, applicant="张阿姨", proof=json.dumps(entry))  # claimed once only
    assert reused.status_code == 400 and proof_error(reused.text) == "请重新上传文件。"
    assert count(seed) == 1


def test_double_submit_with_a_file_makes_one_case(subsidy, browser, seed):
    """The same form with a file sent twice: one case, its file attached once, the second send goes there."""
    worker = browser("worker")
    token, nonce = new_case_form(worker, "subsidy_claim")
    data = {"_csrf_token": token, "_nonce": nonce, "title": "双击", "channel": "phone", "applicant": "王大爷"}
    parts = [("proof", ("证明.pdf", PDF, "application/pdf"))]
    first = worker.post(URL, data=data, files=parts, follow_redirects=False)
    second = worker.post(URL, data=data, files=parts, headers=HTMX, follow_redirects=False)
    assert first.status_code == 303
    assert second.headers["hx-redirect"] == first.headers["location"]
    assert count(seed) == 1
    page = worker.get(first.headers["location"]).text
    assert page.count("上传了附件 证明.pdf") == 1


def test_purge_pending(subsidy, browser, as_user, seed, settings, database_url, monkeypatch):
    """Pending files older than a day are deleted with their bytes; younger ones and claimed ones stay."""
    worker = browser("worker")
    assert post_form(worker, files=[("证明.pdf", PDF)], applicant="王大爷").status_code == 303
    assert post_form(worker, files=[("草稿.pdf", PDF)]).status_code == 400  # left pending
    storage = attachments.storage_at(settings)

    async def pending_keys(session: Any) -> list[str]:
        query = select(Attachment.storage_key).where(Attachment.case_id.is_(None))
        return list((await session.execute(query)).scalars())

    [key] = seed(pending_keys)
    assert asyncio.run(storage.read(key)) == PDF

    async def purge(session: Any, hours: int) -> int:
        now = attachments.utcnow() + timedelta(hours=hours)
        return await attachments.purge_pending(session, storage, now=now)

    assert seed(lambda session: purge(session, 1)) == 0  # younger than a day: kept
    assert seed(lambda session: purge(session, 25)) == 1
    assert seed(pending_keys) == []
    assert count(seed, Attachment) == 1  # the claimed one
    with pytest.raises(MissingFile):
        asyncio.run(storage.read(key))
    # The command line runs the same purge.
    monkeypatch.setenv("SANSHE_DATABASE_URL", database_url)
    monkeypatch.setenv("SANSHE_VAR_DIR", str(settings.var_dir))
    _register()
    result = CliRunner().invoke(cli, ["attachments", "purge-pending", "--hours", "1"])
    assert result.exit_code == 0, result.output
    assert "deleted 0" in result.output
