"""``/case-types``: which types a caller gets, their workflow, and JSON Schemas that match stored data."""

from __future__ import annotations

import jsonschema
import pytest
from sqlalchemy import select

from core.cases.types import store_version
from core.casetypes.definition import parse_case_type
from core.models import District
from tests.api_cases.conftest import API, new_request

GRANT = {
    "key": "hardship_grant",
    "name": {"zh": "困难补助", "en": "Hardship grant"},
    "form": {
        "fields": [
            {"key": "applicant", "type": "text", "label": {"zh": "申请人"}, "required": True},
            {"key": "amount", "type": "money", "label": {"zh": "金额"}, "required": True, "max": 5000},
            {"key": "paid_on", "type": "date", "label": {"zh": "发放日期"}},
            {"key": "urgent", "type": "yes_no", "label": {"zh": "紧急"}},
        ]
    },
    "workflow": {
        "initial": "applied",
        "states": [
            {"key": "applied", "label": {"zh": "已申请"}, "kind": "open"},
            {"key": "paid", "label": {"zh": "已发放"}, "kind": "closed"},
        ],
        "transitions": [
            {"key": "pay", "from": "applied", "to": "paid", "label": {"zh": "发放"}, "roles": ["community_worker"]}
        ],
    },
    "permissions": {"view": ["community_worker"], "create": ["community_worker"], "edit": ["community_worker"]},
}


@pytest.fixture
def grant_type(world, seed):
    """A district-made type with a money field (stored in fen)."""

    async def store(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        await store_version(session, district, parse_case_type(GRANT, known_roles=None), source="builder")

    seed(store)


def test_types_follow_the_callers_permissions(world, api):
    """A community worker gets 居民诉求 only; a social worker also 个案工作; a resident may create requests."""
    worker = [t["key"] for t in api("worker").get(f"{API}/case-types").json()]
    assert worker == ["resident_request"]
    social = {t["key"]: t for t in api("social").get(f"{API}/case-types").json()}
    assert set(social) == {"casework", "resident_request"}
    assert social["casework"]["name"] == "个案工作" and social["casework"]["visibility"] == "assigned"
    resident = api("resident").get(f"{API}/case-types").json()
    assert [(t["key"], t["can_create"]) for t in resident] == [("resident_request", True)]


def test_one_type_has_states_transitions_and_schema(world, api):
    """居民诉求 lists its states with kinds and SLAs, its steps with roles and needs, and its JSON Schema."""
    worker = api("worker")
    body = worker.get(f"{API}/case-types/resident_request").json()
    assert (body["name"], body["name_en"], body["version"], body["initial_state"]) == (
        "居民诉求",
        "Resident request",
        1,
        "reported",
    )
    states = {s["key"]: s for s in body["states"]}
    assert states["reported"] == {
        "key": "reported",
        "label": "已登记",
        "label_zh": "已登记",
        "label_en": "Reported",
        "kind": "open",
        "sla": {"working_hours": 8},
    }
    assert states["needs_info"]["kind"] == "waiting"
    steps = {t["key"]: t for t in body["transitions"]}
    assert steps["escalate"]["confirm"] == "确定提交镇长办公会议吗？" and steps["escalate"]["reason_required"]
    assert steps["triage"]["roles"] == ["social_worker"]
    schema = worker.get(f"{API}/case-types/resident_request/schema").json()
    assert schema == body["json_schema"]
    assert schema["$schema"].endswith("2020-12/schema") and schema["title"] == "居民诉求"
    # The stored forms: a mobile, or a landline (area code, number, extension) as normalised.
    assert schema["properties"]["phone"]["pattern"] == r"^(1[3-9]\d{9}|(0\d{2,3}-)?[2-9]\d{6,7}(-\d{1,6})?)$"
    assert set(schema["required"]) >= {"requester", "phone", "category", "description"}


def test_types_the_caller_may_not_use_are_not_found(world, api):
    """A community worker asking for casework, or anyone for an unknown type, gets 404."""
    worker = api("worker")
    assert worker.get(f"{API}/case-types/casework").status_code == 404
    assert worker.get(f"{API}/case-types/casework/schema").status_code == 404
    assert worker.get(f"{API}/case-types/nope").json()["detail"] == "没有这种案件类型。"


def test_schema_validates_a_created_cases_data(world, api):
    """The published JSON Schema accepts the data of a case created over the API and rejects a bad phone."""
    worker = api("worker")
    schema = worker.get(f"{API}/case-types/resident_request/schema").json()
    case = new_request(worker, satisfaction=5)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    validator.validate(case["data"])
    assert list(validator.iter_errors({**case["data"], "phone": "12345"}))


def test_money_travels_in_fen(grant_type, api):
    """An amount of 1250 fen is stored and returned as 1250; yuan strings and floats are field errors."""
    worker = api("worker")
    schema = worker.get(f"{API}/case-types/hardship_grant/schema").json()
    assert schema["properties"]["amount"]["type"] == "integer"
    assert schema["properties"]["amount"]["maximum"] == 500000
    body = {"type": "hardship_grant", "title": "临时困难补助", "channel": "walk_in"}
    data = {"applicant": "李阿婆", "amount": 1250, "paid_on": "2026-03-01", "urgent": True}
    made = worker.post(f"{API}/cases", json={**body, "data": data})
    assert made.status_code == 201, made.text
    assert made.json()["data"] == data
    jsonschema.Draft202012Validator(schema).validate(made.json()["data"])
    for bad in ("12.50", 12.5, 600000):
        refused = worker.post(f"{API}/cases", json={**body, "data": {**data, "amount": bad}})
        assert refused.status_code == 400, bad
        assert set(refused.json()["errors"]) == {"amount"}
