"""Case-type definitions are checked when loaded; a broken one is refused with file, path, line and cause."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from core.casetypes import load_yaml_file, load_yaml_text
from core.casetypes.definition import parse_case_type
from core.forms import DefinitionError
from core.rbac.roles import DEFAULT_ROLES

ROLES = [r.key for r in DEFAULT_ROLES]
RESIDENT_REQUEST = Path(__file__).resolve().parents[2] / "core" / "casetypes" / "builtin" / "resident_request.yaml"


def minimal(**over):
    base = {
        "key": "meal_delivery",
        "name": {"zh": "独居老人送餐申请"},
        "form": {"fields": [{"key": "address", "type": "address", "label": {"zh": "地址"}, "required": True}]},
        "workflow": {
            "initial": "applied",
            "states": [
                {"key": "applied", "label": {"zh": "已申请"}},
                {"key": "done", "label": {"zh": "已完成"}, "kind": "closed"},
            ],
            "transitions": [
                {
                    "key": "finish",
                    "from": "applied",
                    "to": "done",
                    "label": {"zh": "完成"},
                    "roles": ["community_worker"],
                }
            ],
        },
        "permissions": {"view": ["community_worker"], "create": ["community_worker"]},
    }
    base.update(over)
    return base


def problems_of(raw) -> dict[str, str]:
    with pytest.raises(DefinitionError) as info:
        parse_case_type(raw, known_roles=ROLES, source="meal.yaml")
    assert str(info.value).startswith("meal.yaml: ")
    return {p.path: p.message for p in info.value.problems}


def test_resident_request_loads():
    """The core's 居民诉求 type loads with its three-level flow and a waiting state."""
    ct = load_yaml_file(RESIDENT_REQUEST, known_roles=ROLES)
    assert ct.name_zh == "居民诉求"
    assert ct.workflow.initial == "reported"
    assert {s.key for s in ct.workflow.states} >= {
        "triaged",
        "community_handling",
        "department_handling",
        "escalated",
        "meeting_decided",
        "needs_info",
        "closed",
    }
    assert ct.workflow.state("needs_info").kind == "waiting"


def test_minimal_type_loads():
    """A small valid definition loads."""
    assert parse_case_type(minimal(), known_roles=ROLES).key == "meal_delivery"


def test_unknown_field_type():
    """An unknown field type is named with its path."""
    raw = minimal(form={"fields": [{"key": "a", "type": "signature", "label": "签名"}]})
    assert "signature" in problems_of(raw)["form.fields[0].type"]


def test_transition_to_missing_state():
    """A transition to a state that does not exist is refused."""
    raw = minimal()
    raw["workflow"]["transitions"][0]["to"] = "archived"
    assert "archived" in problems_of(raw)["workflow.transitions[0].to"]


def test_condition_that_does_not_parse():
    """A guard that does not parse is refused at its path."""
    raw = minimal()
    raw["workflow"]["transitions"][0]["guard"] = "address =="
    assert "workflow.transitions[0].guard" in problems_of(raw)


def test_role_that_does_not_exist():
    """Roles in transitions and permissions must exist."""
    raw = minimal(permissions={"view": ["mayor"]})
    raw["workflow"]["transitions"][0]["roles"] = ["chef"]
    found = problems_of(raw)
    assert "chef" in found["workflow.transitions[0].roles"]
    assert "mayor" in found["permissions.view"]


def test_required_field_must_exist():
    """A transition may only require fields of the form."""
    raw = minimal()
    raw["workflow"]["transitions"][0]["required"] = ["menu"]
    assert "menu" in problems_of(raw)["workflow.transitions[0].required"]


def test_yaml_errors_carry_line_numbers():
    """Problems found in YAML text name the line they are on."""
    text = RESIDENT_REQUEST.read_text().replace("to: escalated", "to: nowhere")
    with pytest.raises(DefinitionError) as info:
        load_yaml_text(text, known_roles=ROLES, source="resident_request.yaml")
    (problem,) = info.value.problems
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "to: nowhere" in row)
    assert f"(line {line})" in problem.message


def test_yaml_syntax_error_named():
    """Broken YAML is refused with the line of the syntax error."""
    with pytest.raises(DefinitionError) as info:
        load_yaml_text("key: a\nname: [unclosed\n", known_roles=ROLES, source="x.yaml")
    assert "line" in str(info.value)


def test_export_round_trip_is_identical():
    """A definition exported to YAML loads back unchanged (same checksum)."""
    ct = load_yaml_file(RESIDENT_REQUEST, known_roles=ROLES)
    again = load_yaml_text(yaml.safe_dump(ct.to_dict(), allow_unicode=True), known_roles=ROLES)
    assert again.checksum() == ct.checksum()
    assert again == ct
