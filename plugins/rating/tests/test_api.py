"""The star rating's JSON API (``/api/v1/districts/haishu/rating/…``) with API tokens."""

from __future__ import annotations

from plugins.rating import service
from plugins.rating.tests.support import delivered

API = "/api/v1/districts/haishu/rating"


def _auth(world, name):
    return {"Authorization": f"Bearer {world.tokens[name]}"}


def test_record_rate_follow_up_appeal_and_rank(client, world):
    """Staff record a delivery and enter a 1-star phone rating; the follow-up is listed; the organization
    answers and appeals; staff uphold; the ranking no longer counts it."""
    staff = _auth(world, "worker")
    made = client.post(
        f"{API}/deliveries",
        json={
            "organization_id": world.elderly,
            "resident_id": world.li,
            "title": "助餐",
            "delivered_at": "2026-12-01T02:00:00Z",
        },
        headers=staff,
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["rateable"] is True
    assert body["rating_link"].startswith("/d/haishu/rating/r/")
    rated = client.post(
        f"{API}/deliveries/{body['id']}/rating", json={"stars": 1, "channel": "phone_survey"}, headers=staff
    )
    assert rated.status_code == 201, rated.text
    again = client.post(f"{API}/deliveries/{body['id']}/rating", json={"stars": 5, "channel": "paper"}, headers=staff)
    assert again.status_code == 409
    assert "一次一评" in again.json()["detail"]
    follow_ups = client.get(f"{API}/follow-ups?open_only=true", headers=staff).json()
    assert [f["rating_id"] for f in follow_ups] == [rated.json()["id"]]
    org = _auth(world, "orgstaff")
    answer = client.post(
        f"{API}/follow-ups/{follow_ups[0]['id']}/answer",
        json={"contact_note": "电话", "action_taken": "道歉", "resident_response": "接受"},
        headers=org,
    )
    assert answer.json()["status"] == "answered"
    appeal = client.post(
        f"{API}/ratings/{rated.json()['id']}/appeal", json={"grounds": "malicious", "reason": "恶意"}, headers=org
    )
    assert appeal.status_code == 201, appeal.text
    decided = client.post(
        f"{API}/appeals/{appeal.json()['id']}/decision", json={"uphold": True, "reason": "核实"}, headers=staff
    )
    assert decided.json()["status"] == "upheld"
    assert client.get(f"{API}/ratings/{rated.json()['id']}", headers=staff).json()["status"] == "voided"
    assert client.get(f"{API}/ranking?period=2026Q4", headers=staff).json() == []


def test_bad_input_and_permissions(client, world, as_user):
    """Stars 0 → 400 with the field; a resident cannot record deliveries (403); a bad period → 400."""

    async def make(ctx):
        return (await delivered(ctx, world.youth, world.li)).id

    did = as_user("worker", make)
    staff = _auth(world, "worker")
    bad = client.post(f"{API}/deliveries/{did}/rating", json={"stars": 0, "channel": "paper"}, headers=staff)
    assert bad.status_code == 400
    assert "星级只能是 1 到 5" in bad.text
    resident = _auth(world, "resident")
    forbidden = client.post(
        f"{API}/deliveries",
        json={
            "organization_id": world.youth,
            "resident_id": world.li,
            "title": "x",
            "delivered_at": "2026-12-01T02:00:00Z",
        },
        headers=resident,
    )
    assert forbidden.status_code == 403
    assert client.get(f"{API}/ranking?period=2026Q9", headers=staff).status_code == 400
    assert service.Period.parse("2026q4").key == "2026Q4"
