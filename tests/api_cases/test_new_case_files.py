"""A case with a required file field over the API: upload first, then claim the file in the create call."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from sqlalchemy import func, select

from core.cases import attachments
from core.models.cases import Attachment, Case
from tests.api_cases.conftest import API
from tests.web_cases.test_new_case_files import PDF, PNG, subsidy  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("subsidy")  # the 补贴申领 type, its proof a required file

UPLOAD = f"{API}/case-types/subsidy_claim/attachments"


def upload(client: Any, name: str = "证明.pdf", content: bytes = PDF) -> Any:
    return client.post(UPLOAD, files={"file": (name, content, "application/octet-stream")})


def create(client: Any, proof: Any = None, **data: Any) -> Any:
    body = {"type": "subsidy_claim", "title": "高龄补贴", "channel": "phone", "data": {"applicant": "王大爷", **data}}
    if proof is not None:
        body["data"]["proof"] = proof
    return client.post(f"{API}/cases", json=body)


def cases(seed: Any) -> int:
    async def run(session: Any) -> int:
        return int((await session.execute(select(func.count()).select_from(Case))).scalar_one())

    return int(seed(run))


def test_schema_of_a_file_field_is_valid_and_says_how(api):
    """The type's JSON Schema is valid 2020-12; the file field is a required list of {id, token}."""
    schema = api("worker").get(f"{API}/case-types/subsidy_claim/schema").json()
    jsonschema.Draft202012Validator.check_schema(schema)
    proof = schema["properties"]["proof"]
    assert "proof" in schema["required"] and proof["type"] == "array" and proof["maxItems"] == 3
    assert set(proof["items"]["properties"]) >= {"id", "token"}
    jsonschema.validate({"applicant": "王大爷", "proof": [{"id": 1, "token": "abc"}]}, schema)


def test_required_file_missing_is_refused(api, seed):
    """Without a file: 400 naming the field; nothing is created."""
    response = create(api("worker"))
    assert response.status_code == 400
    assert response.json()["errors"] == {"proof": "此项为必填项。"}
    assert cases(seed) == 0


def test_upload_then_create(api, seed):
    """An uploaded file claimed by id and token: the case holds it, lists it, and only its viewers download it."""
    worker = api("worker")
    made = upload(worker)
    assert made.status_code == 201, made.text
    pending = made.json()
    assert pending["name"] == "证明.pdf" and pending["size"] == len(PDF) and pending["token"]
    response = create(worker, [{"id": pending["id"], "token": pending["token"]}])
    assert response.status_code == 201, response.text
    case = response.json()
    assert case["data"]["proof"] == [
        {"id": pending["id"], "name": "证明.pdf", "size": len(PDF), "content_type": "application/pdf"}
    ]
    files = worker.get(f"{API}/cases/{case['reference']}/attachments").json()
    assert [f["id"] for f in files] == [pending["id"]]
    assert worker.get(files[0]["url"]).content == PDF
    assert api("resident2").get(files[0]["url"]).status_code == 404
    timeline = worker.get(f"{API}/cases/{case['reference']}/timeline").json()
    assert [e["kind"] for e in timeline] == ["created", "attachment"]


def test_a_pending_file_is_claimed_by_its_uploader_once(api, seed):
    """Another user, a wrong token or a second claim: 400 on the field; nothing more is created."""
    resident = api("resident")
    pending = upload(resident, "照片.png", PNG).json()
    entry = {"id": pending["id"], "token": pending["token"]}
    stolen = create(api("worker"), [entry])
    assert stolen.status_code == 400 and stolen.json()["errors"] == {"proof": "请重新上传文件。"}
    forged = create(resident, [{**entry, "token": "0" * 32}])
    assert forged.status_code == 400 and forged.json()["errors"] == {"proof": "请重新上传文件。"}
    bare = create(resident, [{"id": pending["id"]}])
    assert bare.status_code == 400
    assert cases(seed) == 0
    assert create(resident, [entry]).status_code == 201
    again = create(resident, [entry])
    assert again.status_code == 400 and again.json()["errors"] == {"proof": "请重新上传文件。"}
    assert cases(seed) == 1


def test_upload_limits(api, seed):
    """Too large and forbidden files are 400 with a clear message; nothing is kept."""
    worker = api("worker")
    big = upload(worker, "扫描件.pdf", b"%PDF-" + b"0" * attachments.MAX_BYTES)
    assert big.status_code == 400 and "文件太大" in big.json()["errors"]["file"]
    exe = upload(worker, "tool.exe", b"MZ\x90\x00")
    assert exe.status_code == 400 and "不接受" in exe.json()["errors"]["file"]

    async def stored(session: Any) -> int:
        return int((await session.execute(select(func.count()).select_from(Attachment))).scalar_one())

    assert seed(stored) == 0


def test_upload_needs_create_permission(api):
    """A social worker may not file this type: 403; an unknown type: 404."""
    assert upload(api("social")).status_code == 403
    assert api("worker").post(f"{API}/case-types/nope/attachments", files={"file": ("a.pdf", PDF)}).status_code == 404


def test_pending_files_per_user_are_capped(api, monkeypatch):
    """A user cannot pile up pending files: past the cap the upload is 400 with a message; others are unaffected."""
    monkeypatch.setattr(attachments, "PENDING_PER_USER", 2)
    worker = api("worker")
    assert upload(worker).status_code == 201
    assert upload(worker).status_code == 201
    refused = upload(worker)
    assert refused.status_code == 400 and "待提交的附件过多" in refused.json()["errors"]["file"]
    assert upload(api("resident")).status_code == 201
