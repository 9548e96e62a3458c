"""Permits through the JSON API: refused before a convention is adopted, then applied, approved, issued; limits."""

from __future__ import annotations

from plugins.parking.tests.support import adopt_convention

API = "/api/v1/districts/haishu/parking"


def _auth(world, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[user]}"}


def _apply(client, world, household: int, plate: str, user: str = "worker", channel: str = "window"):
    return client.post(
        f"{API}/estates/{world.estate}/permits",
        json={"household_id": household, "plate": plate, "channel": channel},
        headers=_auth(world, user),
    )


def test_no_card_before_the_convention_is_adopted(client, world):
    """Without an adopted convention an application is refused (409) with the reason, and nothing is recorded."""
    response = _apply(client, world, world.households[0], "浙B10001")
    assert response.status_code == 409, response.text
    assert "尚未经业主表决通过" in response.json()["detail"]
    listed = client.get(f"{API}/estates/{world.estate}/permits", headers=_auth(world, "worker"))
    assert listed.json() == []


def test_apply_approve_issue_and_the_gate_whitelist(client, world, seed):
    """A resident applies online; the chair approves and issues card P-0001 valid a year; it is on the whitelist."""
    seed(lambda s: adopt_convention(s, world))
    applied = _apply(client, world, world.households[0], "浙b 10001", user="resident", channel="online")
    assert applied.status_code == 201, applied.text
    permit = applied.json()
    assert (permit["plate"], permit["kind"], permit["status"], permit["fee_fen"]) == (
        "浙B10001",
        "resident",
        "applied",
        0,
    )
    chair = _auth(world, "parking-chair")
    assert client.post(f"{API}/permits/{permit['id']}/approve", headers=chair).json()["status"] == "approved"
    issued = client.post(f"{API}/permits/{permit['id']}/issue", headers=chair).json()
    assert issued["status"] == "issued"
    assert issued["card_no"] == "P-0001"
    assert issued["valid_from"] < issued["valid_to"]
    csv = client.get(f"{API}/estates/{world.estate}/whitelist.csv", headers=chair)
    assert csv.headers["content-type"].startswith("text/csv")
    assert "浙B10001,P-0001,resident,1234567,00:00,24:00" in csv.text
    again = client.post(f"{API}/permits/{permit['id']}/issue", headers=chair)
    assert again.status_code == 409


def test_second_car_pays_and_a_third_is_refused(client, world, seed):
    """The second card of a household is a second car at 50.00 yuan; the third is refused (2 cards per household)."""
    seed(lambda s: adopt_convention(s, world))
    first = _apply(client, world, world.households[0], "浙B10001").json()
    second = _apply(client, world, world.households[0], "浙B10002").json()
    assert (first["kind"], second["kind"], second["fee_fen"]) == ("resident", "second_car", 5000)
    third = _apply(client, world, world.households[0], "浙B10003")
    assert third.status_code == 409
    assert "每户最多 2 张停车卡" in third.json()["detail"]


def test_one_live_permit_per_plate_and_only_registered_plates(client, world, seed):
    """The same plate twice is refused (409); a plate not registered to the household is refused (400)."""
    seed(lambda s: adopt_convention(s, world))
    assert _apply(client, world, world.households[1], "浙B20001").status_code == 201
    twice = _apply(client, world, world.households[1], "浙B20001")
    assert twice.status_code == 409
    assert "已有有效的停车卡" in twice.json()["detail"]
    stranger = _apply(client, world, world.households[1], "浙B30001")
    assert stranger.status_code == 400
    assert stranger.json()["errors"]["plate"]


def test_pool_full_goes_to_the_waiting_list_and_a_freed_place_goes_to_the_first(client, world, seed):
    """3 pool spaces: the 4th and 5th wait (first cars ahead of second cars); revoking one promotes the first."""
    seed(lambda s: adopt_convention(s, world))
    h = world.households
    ids = [_apply(client, world, h[i], p).json() for i, p in ((0, "浙B10001"), (1, "浙B20001"), (2, "浙B30001"))]
    assert [p["status"] for p in ids] == ["applied"] * 3
    second_car = _apply(client, world, h[0], "浙B10002").json()
    first_car = _apply(client, world, h[3], "浙B40001").json()
    assert (second_car["status"], first_car["status"]) == ("waiting", "waiting")
    waiting = client.get(f"{API}/estates/{world.estate}/waiting", headers=_auth(world, "worker")).json()
    assert [p["plate"] for p in waiting] == ["浙B40001", "浙B10002"]
    assert client.post(f"{API}/permits/{ids[1]['id']}/revoke", headers=_auth(world, "worker")).status_code == 201
    waiting = client.get(f"{API}/estates/{world.estate}/waiting", headers=_auth(world, "worker")).json()
    assert [p["plate"] for p in waiting] == ["浙B10002"]
    promoted = client.get(f"{API}/estates/{world.estate}/permits?status=applied", headers=_auth(world, "worker"))
    assert "浙B40001" in [p["plate"] for p in promoted.json()]


def test_residents_apply_only_for_their_own_household_and_do_not_approve(client, world, seed):
    """A resident applying for a neighbour's household gets 403; approving is for the committee (403)."""
    seed(lambda s: adopt_convention(s, world))
    other = _apply(client, world, world.households[1], "浙B20001", user="resident", channel="online")
    assert other.status_code == 403
    mine = _apply(client, world, world.households[0], "浙B10001", user="resident", channel="online").json()
    refused = client.post(f"{API}/permits/{mine['id']}/approve", headers=_auth(world, "resident"))
    assert refused.status_code == 403
    patroller = client.post(f"{API}/permits/{mine['id']}/approve", headers=_auth(world, "patroller"))
    assert patroller.status_code == 403
