"""Listing and taking workflow steps over the JSON API."""

from __future__ import annotations

from tests.api_cases.conftest import API, new_request


def _triage(social, reference: str, difficulty: str) -> dict:
    response = social.post(
        f"{API}/cases/{reference}/transitions",
        json={"transition": "triage", "lock_version": 1, "data": {"difficulty": difficulty}},
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_available_transitions_depend_on_the_role(world, api):
    """A social worker may triage a reported request (needing category and difficulty); a community worker may not."""
    worker, social = api("worker"), api("social")
    reference = new_request(worker)["reference"]
    steps = {t["key"]: t for t in social.get(f"{API}/cases/{reference}/transitions").json()}
    assert set(steps) == {"triage", "return_for_info"}
    assert steps["triage"]["required"] == ["category", "difficulty"]
    assert steps["triage"]["label"] == "分派" and steps["triage"]["target"] == "triaged"
    assert steps["return_for_info"]["reason_required"] is True
    mine = [t["key"] for t in worker.get(f"{API}/cases/{reference}/transitions").json()]
    assert mine == ["return_for_info"]


def test_transition_moves_the_case_and_shows_confirm_text(world, api):
    """Triage then pass to the community; the next steps carry their confirmation text."""
    worker, social = api("worker"), api("social")
    reference = new_request(worker)["reference"]
    triaged = _triage(social, reference, "simple")
    assert (triaged["state"], triaged["state_label"], triaged["lock_version"]) == ("triaged", "已分派", 2)
    assert triaged["data"]["difficulty"] == "simple"
    moved = social.post(f"{API}/cases/{reference}/transitions", json={"transition": "to_community"})
    assert moved.status_code == 200 and moved.json()["state"] == "community_handling"
    done = social.post(
        f"{API}/cases/{reference}/transitions", json={"transition": "resolve", "data": {"resolution": "已清理"}}
    )
    assert done.json()["state"] == "resolved"
    steps = {t["key"]: t for t in social.get(f"{API}/cases/{reference}/transitions").json()}
    assert steps["close"]["confirm"] == "关闭后不能再修改，确定吗？"
    closed = social.post(f"{API}/cases/{reference}/transitions", json={"transition": "close"}).json()
    assert closed["is_open"] is False and closed["closed_at"] is not None
    assert social.get(f"{API}/cases/{reference}/transitions").json() == []


def test_guard_refusal_is_409_with_its_chinese_reason(world, api):
    """Passing a departmental request to the community is refused with the guard's message; the state stays."""
    worker, social = api("worker"), api("social")
    reference = new_request(worker)["reference"]
    _triage(social, reference, "departmental")
    refused = social.post(f"{API}/cases/{reference}/transitions", json={"transition": "to_community"})
    assert refused.status_code == 409
    assert refused.json() == {
        "status_code": 409,
        "detail": "只有简单诉求才能交社区办理；需部门或疑难的请选其他路径。",
    }
    case = social.get(f"{API}/cases/{reference}").json()
    assert (case["state"], case["lock_version"]) == ("triaged", 2)


def test_step_input_is_checked(world, api):
    """A missing reason or a required field left empty is 400 per field; a step from the wrong state is 409."""
    worker, social = api("worker"), api("social")
    reference = new_request(worker)["reference"]
    url = f"{API}/cases/{reference}/transitions"
    no_reason = social.post(url, json={"transition": "return_for_info"})
    assert no_reason.status_code == 400 and set(no_reason.json()["errors"]) == {"reason"}
    no_difficulty = social.post(url, json={"transition": "triage"})
    assert no_difficulty.status_code == 400 and set(no_difficulty.json()["errors"]) == {"difficulty"}
    wrong_state = social.post(url, json={"transition": "close"})
    assert wrong_state.status_code == 409 and wrong_state.json()["detail"] == "案件当前状态下不能执行这一步。"
    unknown = social.post(url, json={})
    assert unknown.status_code == 400 and set(unknown.json()["errors"]) == {"transition"}
    assert social.get(f"{API}/cases/{reference}").json()["state"] == "reported"


def test_a_bad_body_names_only_its_own_fields_after_the_openapi_document_was_served(world, api):
    """After /schema was served Litestar also lists the path's district_code: the 400 names only the body's field."""
    worker, social = api("worker"), api("social")
    assert social.get("/schema/openapi.json").status_code == 200
    reference = new_request(worker)["reference"]
    unknown = social.post(f"{API}/cases/{reference}/transitions", json={})
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == {"transition": "此项为必填项。"}


def test_transition_without_permission_is_403(world, api):
    """A community worker may not triage: 403, and the case is unchanged."""
    worker = api("worker")
    reference = new_request(worker)["reference"]
    response = worker.post(
        f"{API}/cases/{reference}/transitions", json={"transition": "triage", "data": {"difficulty": "simple"}}
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "您没有执行此操作的权限。"
    assert worker.get(f"{API}/cases/{reference}").json()["state"] == "reported"


def test_stale_transition_is_409_with_the_current_version(world, api):
    """A step sent with an old lock_version is refused with what changed and the current version."""
    worker, social = api("worker"), api("social")
    reference = new_request(worker)["reference"]
    worker.patch(f"{API}/cases/{reference}", json={"lock_version": 1, "data": {"address": "新地址"}})
    stale = social.post(
        f"{API}/cases/{reference}/transitions",
        json={"transition": "triage", "lock_version": 1, "data": {"difficulty": "simple"}},
    )
    assert stale.status_code == 409
    body = stale.json()
    assert body["lock_version"] == 2
    assert body["changes"][0]["field"] == "address" and body["changes"][0]["by"] == "worker"
