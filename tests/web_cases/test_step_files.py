"""A step that asks for a file, on the case page: the step form takes files, keeps them, and the step links them."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from sqlalchemy import select

from core.builder import service as builder
from core.cases import attachments
from core.models.cases import Attachment, Case
from tests.web_cases.conftest import HTMX, csrf, lock_of, new_case_form

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4 repair report"
PENDING = re.compile(r'<input type="checkbox" name="photo" value="([^"]+)" checked>')

# 设施报修: filed without a photo; finishing the repair needs a photo of the work and a summary.
REPAIR = {
    "key": "repair",
    "name": {"zh": "设施报修", "en": "Repair"},
    "form": {
        "fields": [
            {"key": "description", "type": "text", "label": {"zh": "问题描述"}, "required": True},
            {"key": "summary", "type": "text", "label": {"zh": "办结说明"}, "max_length": 50},
            {"key": "photo", "type": "file", "label": {"zh": "现场照片"}, "max_items": 2},
        ]
    },
    "workflow": {
        "initial": "reported",
        "states": [
            {"key": "reported", "label": {"zh": "已报修"}, "kind": "open"},
            {"key": "fixed", "label": {"zh": "已修复"}, "kind": "open"},
            {"key": "closed", "label": {"zh": "已结束"}, "kind": "closed"},
        ],
        "transitions": [
            {
                "key": "finish",
                "from": ["reported"],
                "to": "fixed",
                "label": {"zh": "完成维修"},
                "roles": ["community_worker", "social_worker"],
                "required": ["summary", "photo"],
                "guard": 'summary != "未修好"',
                "guard_message": {"zh": "还没修好，不能完成维修。"},
            },
            {
                "key": "redo",
                "from": ["fixed"],
                "to": "reported",
                "label": {"zh": "返修"},
                "roles": ["community_worker"],
            },
            {"key": "close", "from": ["fixed"], "to": "closed", "label": {"zh": "结束"}, "roles": ["community_worker"]},
        ],
    },
    "permissions": {
        "view": ["community_worker", "social_worker", "district_admin"],
        "create": ["community_worker", "district_admin"],
        "edit": ["community_worker"],
        "comment": ["community_worker"],
    },
}


@pytest.fixture
def repair(world: Any, as_user: Any) -> str:
    """The 设施报修 type published in 海曙区 (its step ``finish`` requires a photo, a ``file`` field)."""

    async def run(ctx: Any) -> str:
        await builder.new_draft(ctx.session, ctx.district, json.loads(json.dumps(REPAIR)), user_id=ctx.user.id)
        return (await builder.publish(ctx.session, ctx.district, "repair", user_id=ctx.user.id)).key

    return str(as_user("dadmin", run))


def file_repair(client: Any) -> str:
    """File a 设施报修 through the new-case form; return its reference."""
    token, nonce = new_case_form(client, "repair")
    data = {"_csrf_token": token, "_nonce": nonce, "title": "路灯不亮", "channel": "phone", "description": "3 幢路灯"}
    response = client.post("/d/haishu/cases/new/repair", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    return str(response.headers["location"].rsplit("/", 1)[1])


def finish(client: Any, reference: str, files: list[tuple[str, bytes]] | None = None, htmx: bool = True, **data: Any):
    """Send the step form of 完成维修 from the case page (multipart when files are chosen)."""
    page = client.get(f"/d/haishu/cases/{reference}").text
    body = {"_csrf_token": csrf(page), "lock_version": lock_of(page), **data}
    parts = [("photo", (name, content, "application/octet-stream")) for name, content in files or []]
    return client.post(
        f"/d/haishu/cases/{reference}/transitions/finish",
        data=body,
        files=parts or None,
        headers=HTMX if htmx else {},
        follow_redirects=False,
    )


def field_error(text: str, key: str) -> str:
    match = re.search(rf'id="t-err-{key}" class="field-error" role="alert">([^<]*)<', text)
    assert match, f"no error next to {key}"
    return match.group(1)


def kept(text: str) -> list[dict[str, Any]]:
    """The files the step form came back with (ticked checkboxes)."""
    return [json.loads(html.unescape(v)) for v in PENDING.findall(text)]


def stored(seed: Any, reference: str) -> tuple[Case, list[Attachment]]:
    async def run(session: Any) -> tuple[Case, list[Attachment]]:
        case = (await session.execute(select(Case).where(Case.reference == reference))).scalar_one()
        rows = (await session.execute(select(Attachment).order_by(Attachment.id))).scalars()
        return case, list(rows)

    return seed(run)  # type: ignore[no-any-return]


def test_step_form_takes_files(repair, browser):
    """The step's form has a file input and is sent as multipart."""
    worker = browser("worker")
    reference = file_repair(worker)
    form = worker.get(f"/d/haishu/cases/{reference}/transitions/finish", headers=HTMX).text
    assert 'type="file" id="t-in-photo" name="photo"' in form
    assert 'enctype="multipart/form-data" hx-encoding="multipart/form-data"' in form
    assert "附件可在案件登记后" not in form  # not the new-case form's "attach later" note


def test_step_needs_the_file_then_links_it(repair, browser, seed):
    """Without a photo the step is refused by the field (in Chinese); with one it moves the case and keeps the file."""
    worker = browser("worker")
    reference = file_repair(worker)
    refused = finish(worker, reference, summary="已更换灯泡")
    assert refused.status_code == 200
    assert "请填写这一步所需的字段。" in refused.text
    assert field_error(refused.text, "photo") == "此项为必填项。"
    assert 'value="已更换灯泡"' in refused.text
    assert stored(seed, reference)[0].state == "reported"

    done = finish(worker, reference, files=[("维修后.png", PNG)], summary="已更换灯泡")
    assert done.headers["hx-location"].startswith(f'{{"path": "/d/haishu/cases/{reference}"')
    case, rows = stored(seed, reference)
    assert case.state == "fixed"
    [attachment] = rows
    assert attachment.case_id == case.id
    assert case.data["photo"] == [
        {"id": attachment.id, "name": "维修后.png", "size": len(PNG), "content_type": "image/png"}
    ]
    page = worker.get(f"/d/haishu/cases/{reference}").text
    events = page[page.index('id="case-events"') :]
    assert "完成维修：已报修 → 已修复" in events
    assert events.count("上传了附件 维修后.png") == 1
    link = f"/d/haishu/cases/{reference}/attachments/{attachment.id}"
    assert link in page
    download = worker.get(link)
    assert download.status_code == 200 and download.content == PNG


def test_another_field_wrong_keeps_the_uploaded_file(repair, browser, seed):
    """The summary left empty, then a guard's refusal: the photo stays with the form; the third send needs no upload."""
    worker = browser("worker")
    reference = file_repair(worker)
    refused = finish(worker, reference, files=[("维修后.png", PNG)], summary="")
    assert field_error(refused.text, "summary") == "此项为必填项。"
    [entry] = kept(refused.text)
    assert entry["name"] == "维修后.png" and entry["token"]
    assert 'enctype="multipart/form-data"' in refused.text
    case, [pending] = stored(seed, reference)
    assert case.state == "reported" and pending.case_id is None  # kept, not yet linked

    guarded = finish(worker, reference, summary="未修好", photo=json.dumps(entry))
    assert "还没修好，不能完成维修。" in guarded.text
    assert [e["id"] for e in kept(guarded.text)] == [pending.id]

    # Sent as it came back (the checkbox ticked, the file input empty): the step is taken with that file.
    done = finish(worker, reference, files=[("", b"")], summary="已更换灯泡", photo=json.dumps(entry))
    assert "hx-location" in done.headers, done.text
    case, [linked] = stored(seed, reference)
    assert case.state == "fixed" and linked.case_id == case.id
    assert [e["id"] for e in case.data["photo"]] == [pending.id]
    page = worker.get(f"/d/haishu/cases/{reference}").text
    assert page.count("上传了附件 维修后.png") == 1


def test_without_htmx_the_file_survives_the_refusal(repair, browser, seed):
    """A plain form post that is refused (400, rolled back) still keeps the uploaded file for the next send."""
    worker = browser("worker")
    reference = file_repair(worker)
    refused = finish(worker, reference, files=[("报告.pdf", PDF)], htmx=False, summary="")
    assert refused.status_code == 400
    [entry] = kept(refused.text)
    done = finish(worker, reference, htmx=False, summary="已修好", photo=json.dumps(entry))
    assert done.status_code == 303
    assert stored(seed, reference)[0].data["photo"][0]["name"] == "报告.pdf"


def test_refused_file_changes_nothing(repair, browser, seed):
    """A forbidden or too large file is named by the field; the case does not move and no file is kept."""
    worker = browser("worker")
    reference = file_repair(worker)
    exe = finish(worker, reference, files=[("tool.exe", b"MZ\x90\x00")], summary="已修好")
    assert "tool.exe" in field_error(exe.text, "photo") and "不接受这种类型的文件" in exe.text
    assert 'value="已修好"' in exe.text
    big = finish(worker, reference, files=[("扫描件.pdf", b"%PDF-" + b"0" * attachments.MAX_BYTES)], summary="已修好")
    assert "扫描件.pdf" in field_error(big.text, "photo") and "文件太大" in big.text
    case, rows = stored(seed, reference)
    assert case.state == "reported" and rows == [] and case.lock_version == 1


def test_a_file_the_field_holds_is_kept_without_uploading_again(repair, browser, seed):
    """Back for repair, the step's form lists the photo already there; finishing again keeps it as it is."""
    worker = browser("worker")
    reference = file_repair(worker)
    finish(worker, reference, files=[("维修后.png", PNG)], summary="已更换灯泡")
    page = worker.get(f"/d/haishu/cases/{reference}").text
    worker.post(
        f"/d/haishu/cases/{reference}/transitions/redo",
        data={"_csrf_token": csrf(page), "lock_version": lock_of(page)},
        headers=HTMX,
    )
    form = worker.get(f"/d/haishu/cases/{reference}/transitions/finish", headers=HTMX).text
    [held] = kept(form)
    assert held["name"] == "维修后.png" and "token" not in held
    done = finish(worker, reference, summary="再次修好", photo=json.dumps(held))
    assert "hx-location" in done.headers, done.text
    case, rows = stored(seed, reference)
    assert case.state == "fixed" and case.data["photo"] == [held] and len(rows) == 1


def test_a_pending_file_of_someone_else_is_refused(repair, browser, seed):
    """Another user's pending file (its entry with the token) cannot be claimed by a step: the form says to upload."""
    worker, social = browser("worker"), browser("social")
    reference = file_repair(worker)
    entry = kept(finish(worker, reference, files=[("维修后.png", PNG)], summary="").text)[0]
    stolen = finish(social, reference, summary="已修好", photo=json.dumps(entry))
    assert field_error(stolen.text, "photo") == "请重新上传文件。"
    assert kept(stolen.text) == []  # shown again without the file it may not claim
    case, [pending] = stored(seed, reference)
    assert case.state == "reported" and pending.case_id is None
