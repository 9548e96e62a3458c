"""The JSON Schema of a form, published for API clients."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.forms.definition import FieldDef, FormDef

__all__ = ("json_schema",)


def _field_schema(f: FieldDef) -> dict[str, Any]:
    if f.type == "group":
        schema: dict[str, Any] = {"type": "array", "items": _object_schema(f.fields)}
        if f.min_items is not None:
            schema["minItems"] = f.min_items
        if f.max_items is not None:
            schema["maxItems"] = f.max_items
    else:
        schema = f.kind.schema(f)
    schema["title"] = f.label_zh
    if f.label_en:
        schema["x-title-en"] = f.label_en
    if f.help_zh:
        schema["description"] = f.help_zh
    if f.show_if:
        schema["x-show-if"] = f.show_if
    if f.required_if:
        schema["x-required-if"] = f.required_if
    if f.type in {"choice", "multi_choice"}:
        schema["x-choice-labels"] = {v: {"zh": zh, "en": en} for v, zh, en in f.choices}
    return schema


def _object_schema(fields: tuple[FieldDef, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {f.key: _field_schema(f) for f in fields},
        "required": [f.key for f in fields if f.required and not f.show_if],
        "additionalProperties": False,
    }


def json_schema(form: FormDef, title: str = "") -> dict[str, Any]:
    """A JSON Schema (2020-12) of the data a form stores. Conditions appear as ``x-`` keywords."""
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **_object_schema(form.fields)}
    if title:
        schema["title"] = title
    return schema
