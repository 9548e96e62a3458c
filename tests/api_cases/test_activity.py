"""Comments, attachments, the timeline, claiming and assigning over the JSON API."""

from __future__ import annotations

import hashlib
import itertools

from tests.api_cases.conftest import API, new_request

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_comments_with_mentions(world, api):
    """A comment is stored with its @mention and listed oldest first; an empty one is a field error."""
    worker = api("worker")
    url = f"{API}/cases/{new_request(worker)['reference']}/comments"
    made = worker.post(url, json={"text": "请 @social 跟进 <b>尽快</b>"})
    assert made.status_code == 201, made.text
    comment = made.json()
    assert comment["text"] == "请 @social 跟进 <b>尽快</b>"
    assert comment["mentions"] == ["social"] and comment["author"]["username"] == "worker"
    worker.post(url, json={"text": "已电话联系"})
    assert [c["text"] for c in worker.get(url).json()] == ["请 @social 跟进 <b>尽快</b>", "已电话联系"]
    empty = worker.post(url, json={"text": "  "})
    assert empty.status_code == 400 and set(empty.json()["errors"]) == {"text"}


def test_attachment_upload_list_and_download(world, api):
    """A PNG uploaded as multipart is listed with its hash and downloads byte for byte."""
    worker = api("worker")
    url = f"{API}/cases/{new_request(worker)['reference']}/attachments"
    made = worker.post(url, files={"file": ("现场照片.png", PNG, "image/png")})
    assert made.status_code == 201, made.text
    attachment = made.json()
    assert attachment["name"] == "现场照片.png" and attachment["content_type"] == "image/png"
    assert attachment["size"] == len(PNG) and attachment["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert worker.get(url).json() == [attachment]
    download = worker.get(attachment["url"])
    assert download.status_code == 200 and download.content == PNG
    assert download.headers["content-type"] == "image/png"
    assert "attachment" in download.headers["content-disposition"]
    assert worker.get(f"{url}/999999").status_code == 404


def test_forbidden_file_is_refused_and_nothing_is_stored(world, api):
    """An executable named .exe and a fake PNG are 400 with a message on ``file``; the list stays empty."""
    worker = api("worker")
    url = f"{API}/cases/{new_request(worker)['reference']}/attachments"
    exe = worker.post(url, files={"file": ("run.exe", b"MZ\x90\x00", "application/octet-stream")})
    assert exe.status_code == 400 and "不接受" in exe.json()["errors"]["file"]
    fake = worker.post(url, files={"file": ("photo.png", b"<script>alert(1)</script>", "image/png")})
    assert fake.status_code == 400 and "file" in fake.json()["errors"]
    assert worker.get(url).json() == []


def test_timeline_is_chained_and_complete(world, api):
    """Creation, an edit, a step, a comment and a file appear in order, each chained to the one before."""
    worker, social = api("worker"), api("social")
    reference = new_request(worker)["reference"]
    base = f"{API}/cases/{reference}"
    worker.patch(base, json={"lock_version": 1, "data": {"address": "新地址"}})
    social.post(
        f"{base}/transitions", json={"transition": "return_for_info", "reason": "请补充照片"}
    ).raise_for_status()
    worker.post(f"{base}/comments", json={"text": "已补充"}).raise_for_status()
    worker.post(f"{base}/attachments", files={"file": ("a.png", PNG, "image/png")}).raise_for_status()
    events = social.get(f"{base}/timeline").json()
    assert [e["kind"] for e in events] == ["created", "updated", "transition", "comment", "attachment"]
    assert [e["seq"] for e in events] == [1, 2, 3, 4, 5]
    assert events[0]["prev_hash"] == "0" * 64
    assert all(later["prev_hash"] == earlier["hash"] for earlier, later in itertools.pairwise(events))
    assert events[2]["payload"]["reason"] == "请补充照片" and events[2]["actor"]["username"] == "social"


def test_claim_and_the_second_claimer_is_refused(world, api):
    """The first to claim gets the case; the second gets 409 naming who has it."""
    worker, social = api("worker"), api("social")
    reference = new_request(worker)["reference"]
    claimed = social.post(f"{API}/cases/{reference}/claim")
    assert claimed.status_code == 200 and claimed.json()["assignee"]["username"] == "social"
    late = worker.post(f"{API}/cases/{reference}/claim")
    assert late.status_code == 409 and "social" in late.json()["detail"]
    assert worker.get(f"{API}/cases/{reference}").json()["assignee"]["username"] == "social"


def test_assign_by_username_and_unassign(world, api):
    """A case is given to a member by username, then unassigned; an outsider is a field error."""
    worker = api("worker")
    reference = new_request(worker)["reference"]
    url = f"{API}/cases/{reference}/assign"
    given = worker.post(url, json={"username": "social2"})
    assert given.status_code == 200 and given.json()["assignee"]["username"] == "social2"
    nobody = worker.post(url, json={"username": "stranger"})
    assert nobody.status_code == 400 and set(nobody.json()["errors"]) == {"username"}
    outsider = worker.post(url, json={"assignee_id": 999999})
    assert outsider.status_code == 400 and set(outsider.json()["errors"]) == {"assignee_id"}
    cleared = worker.post(url, json={})
    assert cleared.status_code == 200 and cleared.json()["assignee"] is None
    kinds = [e["kind"] for e in worker.get(f"{API}/cases/{reference}/timeline").json()]
    assert kinds.count("assigned") == 2
