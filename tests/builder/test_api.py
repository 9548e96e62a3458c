"""The builder API: list, get, create a draft, publish (refused with problems, then accepted), export."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from litestar.testing import TestClient

from core.casetypes import load_yaml_text
from core.rbac.roles import DEFAULT_ROLES
from core.testing import csrf_of, login

if TYPE_CHECKING:
    from collections.abc import Iterator

API = "/api/v1/districts/haishu/builder/case-types"


@pytest.fixture
def admin(app: Any, world: Any) -> Iterator[tuple[TestClient[Any], dict[str, str]]]:
    """A client of the district admin and the CSRF header its writes need."""
    with TestClient(app=app) as client:
        login(client, "dadmin")
        yield client, {"x-csrftoken": csrf_of(client, "/d/haishu/admin/case-types")}


def test_create_publish_and_export_through_the_api(admin, meal_delivery):
    """A draft with a dead end is refused with its path; once fixed it publishes as v1 and exports as YAML."""
    client, headers = admin
    broken = {**meal_delivery, "workflow": {**meal_delivery["workflow"]}}
    broken["workflow"]["transitions"] = meal_delivery["workflow"]["transitions"][:2]
    created = client.post(API, json={"key": "meal_delivery", "definition": broken}, headers=headers)
    assert created.status_code == 201, created.text
    assert "workflow.states[2]" in [p["path"] for p in created.json()["problems"]]
    refused = client.post(f"{API}/meal_delivery/publish", headers=headers)
    assert refused.status_code == 409
    assert "workflow.states[2]" in [p["path"] for p in refused.json()["extra"]["problems"]]
    fixed = client.put(f"{API}/meal_delivery/draft", json={"definition": meal_delivery}, headers=headers)
    assert fixed.json()["problems"] == []
    published = client.post(f"{API}/meal_delivery/publish", headers=headers)
    assert published.status_code == 201 and published.json()["version"] == 1
    listed = {t["key"]: t for t in client.get(API).json()}
    assert listed["meal_delivery"]["versions"][0]["status"] == "published"
    assert client.get(f"{API}/meal_delivery").json()["published"]["name"]["zh"] == "独居老人送餐申请"
    text = client.get(f"{API}/meal_delivery/export").text
    assert load_yaml_text(text, known_roles={r.key for r in DEFAULT_ROLES}).key == "meal_delivery"


def test_the_builder_api_is_in_openapi_and_closed_to_workers(app, world):
    """The OpenAPI document lists the builder paths; a community worker gets 403."""
    with TestClient(app=app) as client:
        login(client, "worker")
        assert client.get(API).status_code == 403
        paths = client.get("/schema/openapi.json").json()["paths"]
        assert "/api/v1/districts/{district_code}/builder/case-types/{type_key}/publish" in paths
