"""The time bank's JSON API: the same rules as the pages, in OpenAPI."""

from __future__ import annotations

API = "/api/v1/districts/haishu/time-bank"


def _auth(world, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[name]}"}


def test_full_round_through_the_api(client, world):
    """resident posts, volunteer takes and records 1.5 h, resident confirms: the account shows 1 小时 30 分钟."""
    need = {"bank_id": world.bank, "category": "chat", "title": "陪聊", "description": "下午陪聊"}
    created = client.post(f"{API}/needs", json=need, headers=_auth(world, "resident"))
    assert created.status_code == 201, created.text
    ref = created.json()["reference"]
    volunteer = _auth(world, "volunteer")
    assert client.post(f"{API}/services/{ref}/actions", json={"action": "take"}, headers=volunteer).status_code == 201
    recorded = client.post(
        f"{API}/services/{ref}/actions", json={"action": "record", "hours": "1.5"}, headers=volunteer
    )
    assert recorded.json()["minutes"] == 90
    own = client.post(f"{API}/services/{ref}/actions", json={"action": "confirm"}, headers=volunteer)
    assert own.status_code == 409
    assert "不能核实自己" in own.json()["detail"]
    done = client.post(f"{API}/services/{ref}/actions", json={"action": "confirm"}, headers=_auth(world, "resident"))
    assert done.json()["state"] == "credited" and done.json()["credited_minutes"] == 90
    again = client.post(f"{API}/services/{ref}/actions", json={"action": "confirm"}, headers=_auth(world, "resident"))
    assert again.status_code == 409
    accounts = client.get(f"{API}/accounts", headers=volunteer).json()
    assert [a["balance_text"] for a in accounts] == ["1 小时 30 分钟"]
    statement = client.get(f"{API}/accounts/{world.bank}/{world.users['volunteer']}/statement", headers=volunteer)
    body = statement.json()
    assert body["opening"] + sum(line["amount"] for line in body["lines"]) == body["closing"] == 90


def test_volunteer_reads_only_their_own_account(client, world):
    """A volunteer's statement request for another member is 403; a bank's account list is staff-only."""
    volunteer = _auth(world, "volunteer")
    other = client.get(f"{API}/accounts/{world.bank}/{world.users['resident']}/statement", headers=volunteer)
    assert other.status_code == 403
    assert client.get(f"{API}/accounts?bank_id={world.bank}", headers=volunteer).status_code == 403
    staff = client.get(f"{API}/accounts?bank_id={world.bank}", headers=_auth(world, "tb-staff"))
    assert staff.status_code == 200 and len(staff.json()) >= 4
    assert client.get(f"{API}/accounts?bank_id={world.other_bank}", headers=_auth(world, "tb-staff")).status_code == 403


def test_banks_offers_and_activities(client, world):
    """Banks list categories and rates; a volunteer offers a service; staff post an activity; volunteers sign up."""
    banks = client.get(f"{API}/banks", headers=_auth(world, "resident")).json()
    assert {"key": "patrol", "name_zh": "巡查", "name_en": "Patrol", "rate_percent": 150} in banks[0]["categories"]
    offer = {"bank_id": world.bank, "category": "chat", "availability": ["sat_am"], "description": "周六上午陪老人聊天"}
    assert client.post(f"{API}/offers", json=offer, headers=_auth(world, "volunteer")).status_code == 201
    assert client.post(f"{API}/offers", json=offer, headers=_auth(world, "resident")).status_code == 403
    # The API checks what the phone page's form checks: times from the list, a description.
    bad = client.post(
        f"{API}/offers",
        json={**offer, "availability": ["someday"], "description": " "},
        headers=_auth(world, "volunteer"),
    )
    assert bad.status_code == 400
    assert set(bad.json()["extra"]["errors"]) == {"availability", "description"}
    activity = {
        "bank_id": world.bank,
        "title": "垃圾分类督导",
        "category": "patrol",
        "starts_at": "2026-12-01T09:00",
        "hours": "2",
        "capacity": 2,
    }
    assert client.post(f"{API}/activities", json=activity, headers=_auth(world, "volunteer")).status_code == 403
    made = client.post(f"{API}/activities", json=activity, headers=_auth(world, "tb-staff"))
    assert made.status_code == 201, made.text
    aid = made.json()["id"]
    assert client.post(f"{API}/activities/{aid}/signup", headers=_auth(world, "volunteer")).status_code == 200
    assert client.post(f"{API}/activities/{aid}/signup", headers=_auth(world, "volunteer2")).status_code == 200
    full = client.post(f"{API}/activities/{aid}/signup", headers=_auth(world, "resident2"))
    assert full.status_code == 409


def test_other_district_token_gets_404(client, world):
    """A yinzhou token cannot reach haishu's time bank API."""
    assert client.get(f"{API}/banks", headers=_auth(world, "yz-staff")).status_code == 404


def test_time_bank_api_is_in_openapi(client, world):
    """The needs, services, activities, accounts and statements endpoints are in /schema/openapi.json."""
    paths = client.get("/schema/openapi.json").json()["paths"]
    prefix = "/api/v1/districts/{district_code}/time-bank"
    for path in (
        "/banks",
        "/needs",
        "/services/{reference}",
        "/services/{reference}/actions",
        "/offers",
        "/activities",
        "/accounts",
        "/accounts/{bank_id}/{user_id}/statement",
    ):
        assert prefix + path in paths, path
