"""Condition results are cached by the expression and the values it reads, never across different data."""

from __future__ import annotations

from core.forms.expressions import evaluate, evaluate_value


def test_the_same_condition_answers_by_the_data_it_reads():
    """The cached answer follows the values of the names the condition mentions, not stale data."""
    condition = 'channel == "phone" && age >= 60'
    assert evaluate(condition, {"channel": "phone", "age": 70, "note": "a"}) is True
    assert evaluate(condition, {"channel": "phone", "age": 70, "note": "b"}) is True  # unread field changed
    assert evaluate(condition, {"channel": "phone", "age": 59}) is False
    assert evaluate(condition, {"channel": "web", "age": 70}) is False
    assert evaluate(condition, {"age": 70}) is False  # a missing value counts as false


def test_values_of_different_types_are_not_confused():
    """1, "1" and true are different values for the cache as for CEL."""
    assert evaluate('x == "1"', {"x": "1"}) is True
    assert evaluate('x == "1"', {"x": 1}) is False
    assert evaluate("x == 1", {"x": 1}) is True
    assert evaluate("x == true", {"x": True}) is True
    assert evaluate("x == true", {"x": 1}) is False


def test_a_returned_list_is_the_callers_own():
    """Changing a computed list does not change what the next evaluation returns."""
    first = evaluate_value("items", {"items": [1, 2]})
    first.append(3)
    assert evaluate_value("items", {"items": [1, 2]}) == [1, 2]
