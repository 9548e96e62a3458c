"""The case-type keys casework brings: audit_reads, supervisors, and a queue's where (field = value)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from core.cases.queues import Filters
from core.casetypes.definition import parse_case_type
from core.forms.definition import DefinitionError
from core.rbac.roles import DEFAULT_ROLES

ROLES = [r.key for r in DEFAULT_ROLES]
SHIPPED = Path(__file__).resolve().parents[2] / "core/casetypes/builtin/casework.yaml"


def _shipped() -> dict:
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def test_the_shipped_type_is_protected_with_four_service_line_queues():
    """Casework: visible to the people on the case, supervised, every read logged, a queue per service line."""
    definition = parse_case_type(_shipped(), known_roles=ROLES)
    assert (definition.visibility, definition.audit_reads, definition.supervisors) == (
        "assigned",
        True,
        ("casework_supervisor",),
    )
    lines = {q.key: dict(q.where) for q in definition.queues if q.where}
    assert lines == {
        "elderly": {"service_line": "elderly"},
        "youth": {"service_line": "youth"},
        "disability": {"service_line": "disability"},
        "correction": {"service_line": "correction"},
    }
    again = parse_case_type(definition.to_dict(), known_roles=ROLES)
    assert again.checksum() == definition.checksum()


@pytest.mark.parametrize(
    ("change", "where", "text"),
    [
        ({"audit_reads": "yes"}, "audit_reads", "audit_reads must be true or false"),
        ({"supervisors": ["boss"]}, "supervisors", "role 'boss' does not exist"),
        ({"supervisors": "casework_supervisor"}, "supervisors", "must be a list of roles"),
    ],
)
def test_bad_sensitivity_keys_are_refused(change, where, text):
    """A bad audit_reads or supervisors names the key and says what is wrong (Chinese first)."""
    with pytest.raises(DefinitionError) as caught:
        parse_case_type({**_shipped(), **change}, known_roles=ROLES)
    problems = {p.path: p.message for p in caught.value.problems}
    assert text in problems[where] and problems[where][0] > "\u4e00"


def test_a_queue_where_must_name_a_field_and_one_of_its_choices():
    """where: on an unknown field or a value the choice field does not offer is refused."""
    raw = _shipped()
    raw["queues"] = [
        {"key": "aa", "label": {"zh": "甲"}, "where": {"no_such": "x"}},
        {"key": "bb", "label": {"zh": "乙"}, "where": {"service_line": "pets"}},
    ]
    with pytest.raises(DefinitionError) as caught:
        parse_case_type(raw, known_roles=ROLES)
    messages = [p.message for p in caught.value.problems]
    assert any("field 'no_such' does not exist" in m for m in messages)
    assert any("service_line has no choice 'pets'" in m for m in messages)


def test_field_filters_round_trip_and_ignore_garbage():
    """field=key:value survives the URL; malformed ones (no colon, bad key, empty value) are left out."""
    filters = Filters.from_query({"field": ["service_line:elderly", "nocolon", "Bad-Key:x", "empty:", "a:b:c"]})
    assert filters.fields == (("service_line", "elderly"), ("a", "b:c"))
    assert Filters.from_query(_pairs(filters.to_query())).fields == filters.fields
    assert Filters.from_query(dict(_pairs(filters.to_query()))).fields == filters.fields


def _pairs(query: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in query:
        out.setdefault(key, []).append(value)
    return out
