"""A step whose field is a file, over the API: upload first, then claim the file in the transition call."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from core.cases import attachments
from tests.api_cases.conftest import API
from tests.web_cases.test_step_files import PDF, PNG, repair  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("repair")  # 设施报修: its step ``finish`` requires a photo and a summary

UPLOAD = f"{API}/case-types/repair/attachments"


def upload(client: Any, name: str = "维修后.png", content: bytes = PNG) -> dict[str, Any]:
    response = client.post(UPLOAD, files={"file": (name, content, "application/octet-stream")})
    assert response.status_code == 201, response.text
    return dict(response.json())


def new_repair(client: Any) -> dict[str, Any]:
    body = {"type": "repair", "title": "路灯不亮", "channel": "phone", "data": {"description": "3 幢路灯"}}
    response = client.post(f"{API}/cases", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def finish(client: Any, case: dict[str, Any], photo: Any = None, summary: str = "已更换灯泡") -> Any:
    data: dict[str, Any] = {"summary": summary}
    if photo is not None:
        data["photo"] = photo
    body = {"transition": "finish", "lock_version": case["lock_version"], "data": data}
    return client.post(f"{API}/cases/{case['reference']}/transitions", json=body)


def test_the_step_lists_the_file_field(api):
    """The step says it needs the photo."""
    worker = api("worker")
    case = new_repair(worker)
    steps = worker.get(f"{API}/cases/{case['reference']}/transitions").json()
    assert next(s for s in steps if s["key"] == "finish")["required"] == ["summary", "photo"]


def test_step_with_an_uploaded_file(api):
    """An uploaded file claimed in the step: the case moves, holds the file, lists it, and records it."""
    worker = api("worker")
    case = new_repair(worker)
    missing = finish(worker, case)
    assert missing.status_code == 400 and missing.json()["errors"] == {"photo": "此项为必填项。"}
    pending = upload(worker)
    moved = finish(worker, case, [{"id": pending["id"], "token": pending["token"]}])
    assert moved.status_code == 200, moved.text
    out = moved.json()
    assert out["state"] == "fixed"
    assert out["data"]["photo"] == [
        {"id": pending["id"], "name": "维修后.png", "size": len(PNG), "content_type": "image/png"}
    ]
    files = worker.get(f"{API}/cases/{case['reference']}/attachments").json()
    assert [f["id"] for f in files] == [pending["id"]]
    assert worker.get(files[0]["url"]).content == PNG
    timeline = worker.get(f"{API}/cases/{case['reference']}/timeline").json()
    assert [e["kind"] for e in timeline] == ["created", "transition", "attachment"]
    assert timeline[-1]["payload"]["name"] == "维修后.png"


def test_bad_foreign_or_expired_tokens_change_nothing(api, monkeypatch):
    """A wrong token, someone else's file, a file of another case, an expired file: 400 on the field, no change."""
    worker, social = api("worker"), api("social")
    case = new_repair(worker)
    mine = upload(worker)
    theirs = upload(social, "别人的.pdf", PDF)  # a social worker may take the step, so may upload for it
    other = new_repair(worker)
    linked = upload(worker, "另一件.png")
    assert finish(worker, other, [{"id": linked["id"], "token": linked["token"]}]).status_code == 200
    for photo in (
        [{"id": mine["id"], "token": "0" * 32}],
        [{"id": theirs["id"], "token": theirs["token"]}],
        [{"id": linked["id"], "token": linked["token"]}],
        [{"id": linked["id"]}],
        ["维修后.png"],
    ):
        refused = finish(worker, case, photo)
        assert refused.status_code == 400, photo
        assert refused.json()["errors"] == {"photo": "请重新上传文件。"}, photo
    later = attachments.utcnow() + timedelta(days=2)
    monkeypatch.setattr(attachments, "utcnow", lambda: later)
    expired = finish(worker, case, [{"id": mine["id"], "token": mine["token"]}])
    assert expired.status_code == 400 and expired.json()["errors"] == {"photo": "请重新上传文件。"}
    monkeypatch.undo()
    now = worker.get(f"{API}/cases/{case['reference']}").json()
    assert now["state"] == "reported" and now["lock_version"] == case["lock_version"] and "photo" not in now["data"]
    assert worker.get(f"{API}/cases/{case['reference']}/attachments").json() == []
    assert [e["kind"] for e in worker.get(f"{API}/cases/{case['reference']}/timeline").json()] == ["created"]
    # The refusals left the pending file claimable.
    assert finish(worker, case, [{"id": mine["id"], "token": mine["token"]}]).status_code == 200


def test_a_step_taker_without_create_uploads_for_the_step(api):
    """A social worker may not file a 设施报修 but may finish one: they upload its photo and take the step."""
    worker, social = api("worker"), api("social")
    case = new_repair(worker)
    assert social.post(f"{API}/cases", json={"type": "repair", "title": "x", "data": {}}).status_code == 403
    pending = upload(social, "照片.png")
    moved = finish(social, case, [{"id": pending["id"], "token": pending["token"]}])
    assert moved.status_code == 200 and moved.json()["state"] == "fixed"
    assert api("resident").post(UPLOAD, files={"file": ("a.pdf", PDF)}).status_code == 403
