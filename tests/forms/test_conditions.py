"""show_if / required_if / computed fields, evaluated with CEL on the server."""

from __future__ import annotations

import pytest

from core.forms import DefinitionError, form_input, parse_form, validate, visible_fields
from core.forms.expressions import ExpressionError, check, evaluate

FORM = {
    "fields": [
        {"key": "living_alone", "type": "yes_no", "label": "独居", "required": True},
        {"key": "age", "type": "integer", "label": "年龄"},
        {
            "key": "diet",
            "type": "choice",
            "label": "饮食",
            "choices": ["normal", "soft"],
            "show_if": "living_alone == true",
        },
        {"key": "guardian_phone", "type": "phone", "label": "监护人电话", "required_if": "age >= 80"},
        {"key": "elderly", "type": "computed", "label": "老年人", "expression": "age >= 60"},
        {
            "key": "members",
            "type": "group",
            "label": "家庭成员",
            "max_items": 2,
            "fields": [
                {"key": "name", "type": "text", "label": "姓名", "required": True},
                {"key": "phone", "type": "phone", "label": "电话"},
            ],
        },
    ]
}


def test_hidden_field_is_not_stored():
    """A field whose show_if is false is dropped from the data even if it was submitted."""
    form = parse_form(FORM)
    result = validate(form, {"living_alone": False, "diet": "soft"})
    assert "diet" not in result.data
    assert result.ok


def test_shown_field_is_validated():
    """When show_if holds, the field is validated like any other."""
    form = parse_form(FORM)
    result = validate(form, {"living_alone": True, "diet": "spicy"})
    assert "diet" in result.errors


def test_required_if():
    """required_if makes a field required only when its condition holds."""
    form = parse_form(FORM)
    assert "guardian_phone" in validate(form, {"living_alone": True, "age": 85}).errors
    assert "guardian_phone" not in validate(form, {"living_alone": True, "age": 70}).errors


def test_computed_value():
    """A computed field is filled from its expression and cannot be set by input."""
    form = parse_form(FORM)
    assert validate(form, {"living_alone": True, "age": 61, "elderly": False}).data["elderly"] is True


def test_repeating_group_rows_and_limits():
    """Each row is validated with its own path; too many rows are refused."""
    form = parse_form(FORM)
    result = validate(form, {"living_alone": True, "members": [{"name": "李四"}, {"phone": "123"}]})
    assert set(result.errors) == {"members.1.name", "members.1.phone"}
    assert "members" in validate(form, {"living_alone": True, "members": [{"name": "a"}] * 3}).errors


def test_form_input_reads_html_names():
    """HTML names (group cells, time windows, multi values) become nested input."""
    form = parse_form(FORM)

    class MultiDict(dict):
        def getall(self, key, default):
            value = self.get(key)
            return default if value is None else [value]

    raw = form_input(form, MultiDict({"living_alone": "yes", "members.0.name": "王五", "members.1.name": "赵六"}))
    assert raw["members"] == [{"name": "王五", "phone": None}, {"name": "赵六", "phone": None}]


def test_visible_fields_follow_input():
    """The htmx re-render shows diet once living_alone is yes."""
    form = parse_form(FORM)
    assert "diet" not in [f.key for f in visible_fields(form, {"living_alone": False})]
    assert "diet" in [f.key for f in visible_fields(form, {"living_alone": True})]


def test_only_limits_errors_to_the_field_left():
    """Validating one field (on blur) reports only that field's error."""
    form = parse_form(FORM)
    result = validate(form, {"age": "x"}, only=["age"])
    assert set(result.errors) == {"age"}


class TestExpressions:
    def test_no_python_eval(self):
        """Python code is not an expression: it fails to parse or to evaluate, never runs."""
        with pytest.raises(ExpressionError):
            check("__import__('os').system('true')", {})

    def test_unknown_name_reported(self):
        """A condition naming a field that does not exist is refused at load time."""
        with pytest.raises(DefinitionError) as info:
            parse_form({"fields": [{"key": "a", "type": "text", "label": "A", "show_if": "b == 1"}]})
        assert info.value.problems[0].path == "form.fields[0].show_if"
        assert "b" in info.value.problems[0].message

    def test_parse_error_reported_with_path(self):
        """A condition that does not parse names its path."""
        with pytest.raises(DefinitionError) as info:
            parse_form(
                {
                    "fields": [
                        {"key": "a", "type": "text", "label": "A"},
                        {"key": "b", "type": "text", "label": "B", "required_if": "a =="},
                    ]
                }
            )
        assert info.value.problems[0].path == "form.fields[1].required_if"

    def test_error_counts_as_false(self):
        """Comparing a missing value is false, not an exception."""
        assert evaluate("age >= 60", {"age": None}) is False


class TestDefinitionErrors:
    def test_every_problem_listed(self):
        """Unknown type, duplicate key, missing label and bad pattern are all reported at once."""
        with pytest.raises(DefinitionError) as info:
            parse_form(
                {
                    "fields": [
                        {"key": "a", "type": "nope", "label": "A"},
                        {"key": "b", "type": "text"},
                        {"key": "b", "type": "text", "label": "B2", "pattern": "("},
                    ]
                }
            )
        paths = [p.path for p in info.value.problems]
        assert paths == ["form.fields[0].type", "form.fields[1].label", "form.fields[2].pattern", "form.fields[2].key"]
