"""``GET /cases``: the queue's filters as query parameters, keyset pages, and the OpenAPI document."""

from __future__ import annotations

from core.cases import service
from tests.api_cases.conftest import API
from tests.cases.conftest import RESIDENT_REQUEST

PATHS = {
    "/case-types": {"get"},
    "/case-types/{type_key}": {"get"},
    "/case-types/{type_key}/schema": {"get"},
    "/cases": {"get", "post"},
    "/cases/{reference}": {"get", "patch"},
    "/cases/{reference}/transitions": {"get", "post"},
    "/cases/{reference}/comments": {"get", "post"},
    "/cases/{reference}/attachments": {"get", "post"},
    "/cases/{reference}/attachments/{attachment_id}": {"get"},
    "/cases/{reference}/timeline": {"get"},
    "/cases/{reference}/claim": {"post"},
    "/cases/{reference}/assign": {"post"},
}


def _many(as_user, n: int) -> list[str]:
    async def create(ctx):
        references = []
        for i in range(n):
            data = {**RESIDENT_REQUEST, "category": "safety" if i % 10 == 0 else "environment"}
            case = await service.create_case(
                ctx, "resident_request", title=f"诉求 {i:03d}", data=data, channel="phone" if i % 2 else "web"
            )
            references.append(case.reference)
        return references

    return list(as_user("worker", create))


def test_keyset_pages_cover_every_case_once(world, as_user, api):
    """120 cases come back as pages of 50, 50 and 20 following next_cursor, none twice, none missed."""
    references = _many(as_user, 120)
    worker = api("worker")
    seen: list[str] = []
    sizes = []
    params: dict[str, str | int] = {"sort": "reference"}
    while True:
        page = worker.get(f"{API}/cases", params=params).json()
        sizes.append(len(page["items"]))
        seen += [c["reference"] for c in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert sizes == [50, 50, 20]
    assert seen == sorted(references)
    newest_first = worker.get(f"{API}/cases", params={"limit": 200}).json()
    assert len(newest_first["items"]) == 120 and newest_first["next_cursor"] is None
    stamps = [c["updated_at"] for c in newest_first["items"]]
    assert stamps == sorted(stamps, reverse=True)


def test_filters_match_the_queue(world, as_user, api):
    """type, channel, q, scope, assignee and open narrow the list exactly like the queue's URL parameters."""
    _many(as_user, 20)
    worker = api("worker")

    def refs(**params):
        return {c["title"] for c in worker.get(f"{API}/cases", params={"limit": 200, **params}).json()["items"]}

    assert len(refs(type="resident_request")) == 20
    assert refs(type="casework") == set()
    assert len(refs(channel="phone")) == 10
    assert refs(q="诉求 007") == {"诉求 007"}
    assert len(refs(scope="unassigned")) == 20
    assert refs(assignee="me") == set()
    first = worker.get(f"{API}/cases", params={"q": "诉求 003"}).json()["items"][0]
    assert worker.post(f"{API}/cases/{first['reference']}/claim").status_code == 200
    assert refs(scope="mine") == refs(assignee="me") == {"诉求 003"}
    assert len(refs(scope="unassigned")) == 19
    assert refs(open="closed") == set()
    assert len(refs(state="reported")) == 20
    assert refs(state="triaged") == set()
    assert len(refs(created_from="2000-01-01", due_to="2999-12-31")) == 20


def test_bad_list_parameters_are_400(world, api):
    """A limit above 200, an unknown scope or a malformed date is a 400 naming the parameter."""
    worker = api("worker")
    for name, value in (("limit", 201), ("limit", 0), ("scope", "everything"), ("created_from", "yesterday")):
        response = worker.get(f"{API}/cases", params={name: value})
        assert response.status_code == 400, (name, value)
        assert name in response.json()["errors"]


def test_a_foreign_cursor_is_400(world, as_user, api):
    """A cursor that is garbage, or was made for another sort order, is refused on ``cursor``."""
    _many(as_user, 3)
    worker = api("worker")
    by_reference = worker.get(f"{API}/cases", params={"sort": "reference", "limit": 1}).json()["next_cursor"]
    for params in ({"cursor": "nonsense"}, {"cursor": by_reference}, {"cursor": by_reference, "sort": "-priority"}):
        response = worker.get(f"{API}/cases", params=params)
        assert response.status_code == 400, params
        assert set(response.json()["errors"]) == {"cursor"}
    assert worker.get(f"{API}/cases", params={"cursor": by_reference, "sort": "reference"}).status_code == 200


def test_openapi_lists_every_case_path(client):
    """The OpenAPI document at /schema has every case path and method, with a summary and its tag."""
    document = client.get("/schema/openapi.json").json()
    prefix = "/api/v1/districts/{district_code}"
    for path, methods in PATHS.items():
        operations = document["paths"][prefix + path]
        assert methods <= set(operations), path
        for method in methods:
            operation = operations[method]
            assert operation["summary"], (path, method)
            tag = "case-types" if path.startswith("/case-types") else "cases"
            assert tag in operation["tags"], (path, method)
    create = document["paths"][prefix + "/cases"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("CaseIn")
    upload = document["paths"][prefix + "/cases/{reference}/attachments"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    listed = document["paths"][prefix + "/cases"]["get"]
    assert {p["name"] for p in listed["parameters"]} >= {
        "type", "state", "scope", "assignee", "team", "channel", "open", "created_from", "created_to",
        "due_from", "due_to", "q", "sort", "cursor", "limit",
    }  # fmt: skip
    assert {"CaseOut", "CaseList", "CasePatch", "TransitionIn", "CaseTypeOut"} <= set(document["components"]["schemas"])
