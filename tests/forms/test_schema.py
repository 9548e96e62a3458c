"""A form's JSON Schema describes what the API accepts and stores."""

from __future__ import annotations

import jsonschema

from core.forms import json_schema, parse_form, validate


def test_schema_validates_stored_data():
    """Data the validator produced is valid against the form's JSON Schema."""
    form = parse_form(
        {
            "fields": [
                {"key": "name", "type": "text", "label": "姓名", "required": True},
                {"key": "fee", "type": "money", "label": "费用"},
                {"key": "kind", "type": "choice", "label": "类别", "choices": ["a", "b"]},
                {
                    "key": "rows",
                    "type": "group",
                    "label": "明细",
                    "fields": [{"key": "x", "type": "integer", "label": "X"}],
                },
            ]
        }
    )
    schema = json_schema(form, "测试")
    data = validate(form, {"name": "张三", "fee": "1.5", "kind": "a", "rows": [{"x": "2"}]}, source="form").data
    jsonschema.validate(data, schema)
    assert schema["properties"]["fee"]["type"] == "integer"
    assert schema["required"] == ["name"]
