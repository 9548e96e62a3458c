"""Choices: one of a list, several of a list, yes/no."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from core.forms.fields.base import FieldType, fail

if TYPE_CHECKING:
    from core.forms.definition import FieldDef


class Choice(FieldType):
    name = "choice"
    widget = "select"

    def parse(self, field: FieldDef, raw: Any, source: str) -> Any:
        value = str(raw).strip()
        if value not in field.choice_values():
            raise fail("Choose one of the listed options.")
        return value

    def schema(self, field: FieldDef) -> dict[str, Any]:
        return {"type": "string", "enum": field.choice_values()}


class MultiChoice(FieldType):
    name = "multi_choice"
    json_type: ClassVar[dict[str, Any]] = {"type": "array"}
    sample: ClassVar[Any] = []
    widget = "checkboxes"

    def parse(self, field: FieldDef, raw: Any, source: str) -> Any:
        values = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, (list, tuple)) else None
        allowed = field.choice_values()
        if values is None or any(str(v) not in allowed for v in values):
            raise fail("Choose only from the listed options.")
        chosen = [v for v in allowed if v in {str(x) for x in values}]
        if field.max_items is not None and len(chosen) > field.max_items:
            raise fail("Choose at most %(n)s options.", n=field.max_items)
        return chosen

    def schema(self, field: FieldDef) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": "array",
            "items": {"type": "string", "enum": field.choice_values()},
            "uniqueItems": True,
        }
        if field.max_items is not None:
            out["maxItems"] = field.max_items
        return out


class YesNo(FieldType):
    name = "yes_no"
    json_type: ClassVar[dict[str, Any]] = {"type": "boolean"}
    sample = False
    widget = "yes_no"

    def parse(self, field: FieldDef, raw: Any, source: str) -> Any:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"yes", "true", "1", "on", "是"}:
            return True
        if text in {"no", "false", "0", "off", "否"}:
            return False
        raise fail("Choose yes or no.")
