"""The residents JSON API: CRUD, search, masking per role, logged ID reveals, unknown fields refused, OpenAPI."""

from __future__ import annotations

from sqlalchemy import func, select

from core.models import SensitiveAccess
from tests.residents.conftest import OWNER_ID

API = "/api/v1/districts/haishu"


def test_crud_and_search(world, as_role):
    """A worker records, finds, changes and deletes a person; areas come back as exact decimal text."""
    client = as_role("worker")
    created = client.post(f"{API}/residents", json={"name": "赵阿姨", "phone": "0574-8765 4321转8"})
    assert created.status_code == 201, created.text
    person = created.json()
    assert person["phone"] == "0574-87654321-8"
    found = client.get(f"{API}/residents", params={"q": "0574 87654321"}).json()
    assert [p["name"] for p in found] == ["赵阿姨"]
    changed = client.patch(f"{API}/residents/{person['id']}", json={"notes": "独居，每周探访"})
    assert changed.json()["notes"] == "独居，每周探访"
    household = client.get(f"{API}/households/{world['first']}").json()
    assert household["area"] == "89.55"
    assert household["plates"] == ["浙B5G7H3"]
    assert client.delete(f"{API}/residents/{person['id']}").status_code == 204
    assert client.get(f"{API}/residents/{person['id']}").status_code == 404


def test_unknown_fields_and_bad_values_refused(world, as_role):
    """A body with an unknown field is a 400; a bad phone or plate is a 400 naming the field; nothing is created."""
    client = as_role("worker")
    unknown = client.post(f"{API}/residents", json={"name": "钱七", "phone": "13800138000", "is_admin": True})
    assert unknown.status_code == 400
    bad = client.post(f"{API}/residents", json={"name": "钱七", "phone": "0574-123"})
    assert bad.status_code == 400
    assert "phone" in bad.json()["extra"]["errors"]
    plate = client.post(f"{API}/vehicles", json={"plate": "浙B1", "household_id": world["first"]})
    assert plate.status_code == 400
    assert "plate" in plate.json()["extra"]["errors"]
    assert client.get(f"{API}/residents", params={"q": "钱七"}).json() == []


def test_masking_per_role_and_logged_reveal(world, as_role, seed):
    """Social workers get masked phones and may not reveal; a worker's reveal returns the number and is logged."""
    social = as_role("social")
    masked = social.get(f"{API}/residents/{world['owner']}").json()
    assert masked["phone"] == "137****2345"
    assert masked["id_number"] == "3302**********0425"
    assert social.get(f"{API}/residents/{world['owner']}", params={"reveal": "id_number"}).status_code == 403
    worker = as_role("worker")
    plain = worker.get(f"{API}/residents/{world['owner']}").json()
    assert plain["phone"] == "13777812345"
    assert plain["id_number"] == "3302**********0425"
    whole = worker.get(f"{API}/residents/{world['owner']}", params={"reveal": "id_number", "reason": "核对"}).json()
    assert whole["id_number"] == OWNER_ID

    async def count(session):
        return (await session.execute(select(func.count(SensitiveAccess.id)))).scalar_one()

    assert seed(count) == 1


def test_permissions_and_isolation(world, as_role):
    """Volunteers and residents get 403; another district's people are 404 through the API too."""
    for username in ("volunteer", "resident"):
        client = as_role(username)
        assert client.get(f"{API}/residents").status_code == 403
        assert client.post(f"{API}/residents", json={"name": "x"}).status_code == 403
    worker = as_role("worker")
    assert worker.get(f"{API}/residents/{world['stranger']}").status_code == 404
    assert worker.patch(f"{API}/residents/{world['stranger']}", json={"notes": "x"}).status_code == 404
    social = as_role("social")
    assert social.post(f"{API}/residents", json={"name": "社工登记", "phone": "13500000000"}).status_code == 201


def test_households_members_vehicles(world, as_role):
    """A household is recorded, gets a member and a new-energy plate; the estate list sums its areas."""
    client = as_role("worker")
    created = client.post(
        f"{API}/households", json={"estate_id": world["estate"], "building": "9", "room": "101", "area": "60.1"}
    )
    assert created.status_code == 201, created.text
    household = created.json()
    assert household["area"] == "60.10"
    again = client.post(f"{API}/households", json={"estate_id": world["estate"], "building": "9", "room": "101"})
    assert again.status_code == 409
    joined = client.post(
        f"{API}/households/{household['id']}/members", json={"person_id": world["wife"], "relation": "owner"}
    )
    assert [m["name"] for m in joined.json()["members"]] == ["孙秀英"]
    car = client.post(f"{API}/vehicles", json={"plate": "浙bf a1234", "household_id": household["id"]})
    assert car.json()["plate"] == "浙BFA1234"
    listed = client.get(f"{API}/households", params={"estate_id": world["estate"]}).json()
    assert len(listed) == 3
    not_estate = client.post(f"{API}/households", json={"estate_id": 999999, "building": "1", "room": "1"})
    assert not_estate.status_code == 400


def test_openapi_documents_the_endpoints(world, as_role):
    """The residents endpoints and their bodies are in the OpenAPI document."""
    schema = as_role("worker").get("/schema/openapi.json").json()
    paths = schema["paths"]
    assert "/api/v1/districts/{district_code}/residents" in paths
    assert "/api/v1/districts/{district_code}/households/{household_id}" in paths
    assert "PersonIn" in schema["components"]["schemas"]
