"""Creating, reading and editing cases over the JSON API."""

from __future__ import annotations

import re

from tests.api_cases.conftest import API, new_request


def test_create_returns_the_case(world, api):
    """A phone case comes back 201 with its reference, first state, typed data, ISO dates and lock version 1."""
    worker = api("worker")
    case = new_request(worker)
    assert re.fullmatch(r"HS-20\d\d-000001", case["reference"])
    assert case["type"] == "resident_request" and case["type_version"] == 1
    assert (case["state"], case["state_label"], case["is_open"]) == ("reported", "已登记", True)
    assert case["data"]["phone"] == "13800138000" and case["data"]["category"] == "environment"
    assert case["channel"] == "phone" and case["lock_version"] == 1
    assert case["created_by"]["username"] == "worker" and case["assignee"] is None
    assert case["team_id"] == world["pingqiao"]
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", case["due_at"])
    assert case["created_at"].endswith(("Z", "+00:00"))
    again = worker.get(f"{API}/cases/{case['reference']}").json()
    assert again == case


def test_bad_data_is_refused_per_field_and_nothing_is_created(world, api):
    """Wrong phone, unknown category and empty title come back 400 with a Chinese message for each; no case exists."""
    worker = api("worker")
    body = {
        "type": "resident_request",
        "title": "",
        "channel": "fax",
        "data": {"requester": "张阿姨", "phone": "12345", "category": "nonsense", "description": "x"},
    }
    response = worker.post(f"{API}/cases", json=body)
    assert response.status_code == 400
    payload = response.json()
    assert payload["status_code"] == 400 and payload["detail"] == "请修改标出的字段。"
    assert set(payload["errors"]) == {"title", "channel", "phone", "category"}
    assert "手机号" in payload["errors"]["phone"]
    listed = worker.get(f"{API}/cases", params={"open": "any"}).json()
    assert listed == {"items": [], "next_cursor": None}
    assert new_request(worker)["reference"].endswith("000001")


def test_body_of_the_wrong_shape_is_a_field_error(world, api):
    """A missing title and a priority that is not a number are 400 with errors named by field."""
    worker = api("worker")
    missing = worker.post(f"{API}/cases", json={"type": "resident_request", "data": {}})
    assert missing.status_code == 400
    assert missing.json()["errors"] == {"title": "此项为必填项。"}
    wrong = worker.post(f"{API}/cases", json={"type": "resident_request", "title": "x", "priority": "high"})
    assert wrong.status_code == 400
    assert set(wrong.json()["errors"]) == {"priority"}


def test_unknown_data_field_is_refused(world, api):
    """A data key the form does not have is a 400 on that key, not silently dropped."""
    worker = api("worker")
    body = {"type": "resident_request", "title": "x", "channel": "phone", "data": {**_data(), "colour": "red"}}
    response = worker.post(f"{API}/cases", json=body)
    assert response.status_code == 400
    assert response.json()["errors"] == {"colour": "没有这个字段。"}


def test_unknown_type_is_not_found(world, api):
    """Creating a case of a type the district does not have answers 404."""
    response = api("worker").post(f"{API}/cases", json={"type": "nope", "title": "x"})
    assert response.status_code == 404
    assert response.json()["detail"] == "没有这种案件类型。"


def test_team_and_assignee_are_checked(world, api):
    """Staff may set a team and assignee of the district; an unknown unit or outsider is a field error."""
    social = api("social")
    base = {"type": "resident_request", "title": "路灯不亮", "channel": "walk_in", "data": {**_data()}}
    ok = social.post(f"{API}/cases", json={**base, "team_id": world["mudan"], "assignee_id": _uid(social, "social")})
    assert ok.status_code == 201, ok.text
    assert ok.json()["team_id"] == world["mudan"] and ok.json()["assignee"]["username"] == "social"
    bad = social.post(f"{API}/cases", json={**base, "team_id": 999999, "assignee_id": 999999})
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"team_id", "assignee_id"}


def test_resident_cannot_choose_the_assignee(world, api):
    """A resident creating their own request may not pick who works it."""
    resident = api("resident")
    body = {"type": "resident_request", "title": "噪音", "channel": "web", "data": _data(), "assignee_id": 1}
    response = resident.post(f"{API}/cases", json=body)
    assert response.status_code == 400
    assert "assignee_id" in response.json()["errors"]
    assert resident.post(f"{API}/cases", json={**body, "assignee_id": None}).status_code == 201


def test_patch_changes_only_the_fields_sent(world, api):
    """PATCH with the current lock_version changes the sent fields, bumps the version and records a diff."""
    worker = api("worker")
    case = new_request(worker)
    url = f"{API}/cases/{case['reference']}"
    response = worker.patch(url, json={"lock_version": 1, "data": {"address": "偃月小区 5 幢"}, "priority": 2})
    assert response.status_code == 200, response.text
    changed = response.json()
    assert changed["lock_version"] == 2 and changed["priority"] == 2
    assert changed["data"]["address"] == "偃月小区 5 幢"
    assert changed["data"]["phone"] == case["data"]["phone"]
    events = worker.get(f"{url}/timeline").json()
    assert events[-1]["kind"] == "updated"
    assert events[-1]["payload"]["changes"]["address"] == ["偃月小区 3 幢 201", "偃月小区 5 幢"]


def test_stale_patch_is_409_with_the_other_editors_change(world, api):
    """Two editors load version 1; the second gets 409 naming social's change, and social's value stays."""
    worker, social = api("worker"), api("social")
    case = new_request(worker)
    url = f"{API}/cases/{case['reference']}"
    first = social.patch(url, json={"lock_version": 1, "data": {"address": "社工改的地址"}})
    assert first.status_code == 200
    second = worker.patch(url, json={"lock_version": 1, "data": {"address": "社区改的地址"}})
    assert second.status_code == 409
    body = second.json()
    assert body["status_code"] == 409 and "他人已修改此案件" in body["detail"]
    assert body["lock_version"] == 2
    assert [(c["field"], c["new"], c["by"]) for c in body["changes"]] == [("address", "社工改的地址", "social")]
    assert worker.get(url).json()["data"]["address"] == "社工改的地址"


def test_patch_needs_the_lock_version(world, api):
    """PATCH without lock_version is 400 naming that field; an unknown data field is a field error too."""
    worker = api("worker")
    url = f"{API}/cases/{new_request(worker)['reference']}"
    missing = worker.patch(url, json={"data": {"address": "x"}})
    assert missing.status_code == 400 and "lock_version" in missing.json()["errors"]
    unknown = worker.patch(url, json={"lock_version": 1, "data": {"colour": "red"}})
    assert unknown.status_code == 400 and "colour" in unknown.json()["errors"]
    bad = worker.patch(url, json={"lock_version": 1, "data": {"phone": "123"}})
    assert bad.status_code == 400 and "phone" in bad.json()["errors"]
    assert worker.get(url).json()["lock_version"] == 1


def test_patch_cannot_name_attachments_in_a_file_field(world, api):
    """Files are attached through /attachments; naming attachment ids in an edit is refused, nothing changes."""
    worker = api("worker")
    url = f"{API}/cases/{new_request(worker)['reference']}"
    forged = [{"id": 1, "name": "合同.pdf"}]
    response = worker.patch(url, json={"lock_version": 1, "data": {"attachments": forged}})
    assert response.status_code == 400
    assert "附件" in response.json()["errors"]["attachments"]
    case = worker.get(url).json()
    assert case["lock_version"] == 1 and not case["data"].get("attachments")


def _data() -> dict[str, str]:
    from tests.cases.conftest import RESIDENT_REQUEST

    return dict(RESIDENT_REQUEST)


def _uid(client, username: str) -> int:
    me = client.get("/api/v1/me").json()
    assert me["username"] == username
    return int(me["id"])
