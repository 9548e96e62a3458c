"""The checks a draft must pass before publishing: each with a failing and a passing example."""

from __future__ import annotations

from core.builder.checks import problems_of
from core.rbac.roles import DEFAULT_ROLES

ROLES = {r.key for r in DEFAULT_ROLES}


def paths(raw) -> list[str]:
    return [p.path for p in problems_of(raw, ROLES)]


def test_the_meal_delivery_definition_has_no_problems(meal_delivery):
    """A sound definition passes every check."""
    assert problems_of(meal_delivery, ROLES) == []


def test_an_unreachable_state_is_named_at_the_state(meal_delivery):
    """A state no transition leads to is reported at that state; adding a way in clears it."""
    meal_delivery["workflow"]["transitions"][1]["to"] = "closed"  # nothing leads to delivering any more
    problems = problems_of(meal_delivery, ROLES)
    assert [p.path for p in problems] == ["workflow.states[2]"]
    assert "cannot be reached" in problems[0].message
    meal_delivery["workflow"]["transitions"][1]["to"] = "delivering"
    assert paths(meal_delivery) == []


def test_an_open_state_without_a_way_out_is_refused(meal_delivery):
    """An open state with no outgoing transition is a dead end; a transition out of it fixes it."""
    meal_delivery["workflow"]["transitions"][2]["from"] = ["applied", "assessed"]
    problems = problems_of(meal_delivery, ROLES)
    assert [p.path for p in problems] == ["workflow.states[2]"]
    assert "no way out" in problems[0].message
    meal_delivery["workflow"]["transitions"][2]["from"] = ["delivering"]
    meal_delivery["workflow"]["transitions"][0]["to"] = "assessed"
    meal_delivery["workflow"]["transitions"].append(
        {
            "key": "drop",
            "from": ["applied", "assessed"],
            "to": "closed",
            "label": {"zh": "撤销"},
            "roles": ["social_worker"],
        }
    )
    assert paths(meal_delivery) == []


def test_a_waiting_state_needs_a_way_out_too(meal_delivery):
    """A waiting state is not closed, so it also needs a transition out."""
    meal_delivery["workflow"]["states"].append({"key": "paused", "label": {"zh": "暂停"}, "kind": "waiting"})
    meal_delivery["workflow"]["transitions"].append(
        {"key": "pause", "from": "delivering", "to": "paused", "label": {"zh": "暂停"}, "roles": ["community_worker"]}
    )
    assert paths(meal_delivery) == ["workflow.states[4]"]


def test_a_transition_without_roles_is_refused(meal_delivery):
    """A transition nobody may take is reported at its roles; naming a role clears it."""
    meal_delivery["workflow"]["transitions"][0]["roles"] = []
    problems = problems_of(meal_delivery, ROLES)
    assert [p.path for p in problems] == ["workflow.transitions[0].roles"]
    assert "needs a role" in problems[0].message
    meal_delivery["workflow"]["transitions"][0]["roles"] = ["social_worker"]
    assert paths(meal_delivery) == []


def test_a_closed_state_may_have_a_way_out_only_when_reopenable(meal_delivery):
    """A transition out of a closed state is refused unless the state is marked reopenable."""
    meal_delivery["workflow"]["transitions"].append(
        {"key": "reopen", "from": "closed", "to": "applied", "label": {"zh": "重开"}, "roles": ["community_worker"]}
    )
    assert paths(meal_delivery) == ["workflow.transitions[3].from"]
    meal_delivery["workflow"]["states"][3]["reopenable"] = True
    assert paths(meal_delivery) == []


def test_reopenable_is_only_for_closed_states(meal_delivery):
    """Marking an open state reopenable is reported at that setting."""
    meal_delivery["workflow"]["states"][0]["reopenable"] = True
    assert paths(meal_delivery) == ["workflow.states[0].reopenable"]


def test_format_problems_come_from_the_case_type_parser(meal_delivery):
    """Unknown roles, broken conditions and missing states are reported with their paths."""
    meal_delivery["workflow"]["transitions"][0]["roles"] = ["nobody"]
    meal_delivery["form"]["fields"][4]["show_if"] = 'dite == "special"'
    meal_delivery["workflow"]["transitions"][1]["to"] = "nowhere"
    found = paths(meal_delivery)
    assert "workflow.transitions[0].roles" in found
    assert "form.fields[4].show_if" in found
    assert "workflow.transitions[1].to" in found
