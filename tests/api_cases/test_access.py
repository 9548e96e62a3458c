"""Who may see and change which case over the API: 401, 403 and 404 (never revealing a case exists)."""

from __future__ import annotations

from sqlalchemy import select

from core.models import Membership, User
from core.testing.factories import make_district
from tests.api_cases.conftest import API, new_request

CASEWORK = {
    "type": "casework",
    "title": "独居老人个案",
    "channel": "walk_in",
    "data": {"client_name": "王大爷", "service_line": "elderly", "presenting_problem": "独居，行动不便"},
}


def _casework(client) -> str:
    response = client.post(f"{API}/cases", json=CASEWORK)
    assert response.status_code == 201, response.text
    return str(response.json()["reference"])


def test_resident_sees_only_their_own_requests(world, api):
    """resident2 gets 404 for resident's request and every part of it, and an empty list."""
    mine = api("resident")
    reference = new_request(mine, channel="web")["reference"]
    assert mine.get(f"{API}/cases/{reference}").status_code == 200
    other = api("resident2")
    for part in ("", "/timeline", "/comments", "/attachments", "/transitions"):
        response = other.get(f"{API}/cases/{reference}{part}")
        assert response.status_code == 404, part
        assert response.json()["detail"] == "案件不存在，或您无权查看。"
    assert other.post(f"{API}/cases/{reference}/comments", json={"text": "偷看"}).status_code == 404
    assert other.get(f"{API}/cases").json()["items"] == []
    assert [c["reference"] for c in mine.get(f"{API}/cases").json()["items"]] == [reference]


def test_casework_is_invisible_to_another_community(world, api):
    """social2 of 牡丹社区 gets 404 for casework of 平桥社区's team and does not find it in lists or search."""
    social = api("social")
    reference = _casework(social)
    outsider = api("social2")
    assert outsider.get(f"{API}/cases/{reference}").status_code == 404
    assert outsider.get(f"{API}/cases/{reference}/timeline").status_code == 404
    assert outsider.patch(f"{API}/cases/{reference}", json={"lock_version": 1, "data": {}}).status_code == 404
    assert outsider.get(f"{API}/cases", params={"q": "王大爷"}).json()["items"] == []
    assert outsider.get(f"{API}/cases", params={"type": "casework"}).json()["items"] == []
    found = social.get(f"{API}/cases", params={"q": "王大爷"}).json()["items"]
    assert [c["reference"] for c in found] == [reference]


def test_permission_refusals_are_403(world, api):
    """A resident may not edit their request, open casework or claim; a worker may not open casework."""
    resident = api("resident")
    reference = new_request(resident, channel="web")["reference"]
    url = f"{API}/cases/{reference}"
    edit = resident.patch(url, json={"lock_version": 1, "data": {"address": "改"}})
    assert edit.status_code == 403 and edit.json()["detail"] == "您没有执行此操作的权限。"
    assert resident.post(f"{API}/cases", json=CASEWORK).status_code == 403
    assert resident.post(f"{url}/claim").status_code == 403
    assert api("worker").post(f"{API}/cases", json=CASEWORK).status_code == 403
    assert resident.get(url).json()["lock_version"] == 1


def test_anonymous_is_401(world, client):
    """Without a session or token the case API answers 401 in JSON."""
    response = client.get(f"{API}/cases")
    assert response.status_code == 401
    assert response.json()["status_code"] == 401


def test_bearer_token_works_without_csrf(world, client, token_for):
    """A personal token lists, creates and transitions cases with no CSRF header."""
    headers = {"Authorization": f"Bearer {token_for('social')}"}
    case = new_request_with(client, headers)
    url = f"{API}/cases/{case['reference']}/transitions"
    moved = client.post(url, json={"transition": "triage", "data": {"difficulty": "hard"}}, headers=headers)
    assert moved.status_code == 200 and moved.json()["state"] == "triaged"
    listed = client.get(f"{API}/cases", headers=headers).json()["items"]
    assert [c["reference"] for c in listed] == [case["reference"]]


def test_session_without_csrf_header_is_refused(world, api):
    """A logged-in browser session posting without x-csrftoken gets 403 and nothing is created."""
    worker = api("worker")
    del worker.headers["x-csrftoken"]
    body = {"type": "resident_request", "title": "x", "channel": "phone", "data": {}}
    refused = worker.post(f"{API}/cases", json=body)
    assert refused.status_code == 403
    assert "安全" in refused.json()["detail"] or "令牌" in refused.json()["detail"]
    assert worker.get(f"{API}/cases", params={"open": "any"}).json()["items"] == []


def test_another_districts_token_sees_nothing_here(world, client, seed, token_for, api):
    """worker's token for 鄞州区 answers 404 for 海曙区's cases, though worker is a member of both."""

    async def second_district(session):
        other = await make_district(session, "yinzhou", "鄞州区", ref_prefix="YZ")
        user = (await session.execute(select(User).where(User.username == "worker"))).scalar_one()
        session.add(Membership(user_id=user.id, district_id=other.id, role_key="community_worker"))

    seed(second_district)
    reference = new_request(api("worker"))["reference"]
    headers = {"Authorization": f"Bearer {token_for('worker', 'yinzhou')}"}
    assert client.get(f"{API}/cases/{reference}", headers=headers).status_code == 404
    assert client.get(f"{API}/cases", headers=headers).status_code == 404
    assert client.get(f"{API}/case-types", headers=headers).status_code == 404
    own = client.get("/api/v1/districts/yinzhou/cases", headers=headers)
    assert own.status_code == 200 and own.json()["items"] == []
    assert client.get(f"/api/v1/districts/yinzhou/cases/{reference}", headers=headers).status_code == 404


def new_request_with(client, headers) -> dict:
    from tests.cases.conftest import RESIDENT_REQUEST

    body = {"type": "resident_request", "title": "井盖缺失", "channel": "mobile", "data": dict(RESIDENT_REQUEST)}
    response = client.post(f"{API}/cases", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())
