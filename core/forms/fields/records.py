"""References to people and organizations, files, computed values and repeating groups."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from core.forms.fields.base import FieldType, fail

if TYPE_CHECKING:
    from core.forms.definition import FieldDef


class Reference(FieldType):
    """The id of a person (user) or an organization (org unit); existence is checked by the case layer."""

    json_type: ClassVar[dict[str, Any]] = {"type": "integer", "minimum": 1}
    sample = 1
    widget = "reference"

    def parse(self, field: FieldDef, raw: Any, source: str) -> Any:
        try:
            value = int(raw) if not isinstance(raw, bool) else 0
        except (TypeError, ValueError):
            value = 0
        if value < 1:
            raise (
                fail("Choose someone from the list.")
                if self.name == "person"
                else fail("Choose an organization from the list.")
            )
        return value


class Person(Reference):
    name = "person"


class Organization(Reference):
    name = "organization"


class FileField(FieldType):
    """Attachments: a list of ``{"id", "name", "size", "content_type"}`` made by the upload endpoint."""

    name = "file"
    json_type: ClassVar[dict[str, Any]] = {"type": "array"}
    sample: ClassVar[Any] = []
    widget = "file"

    def parse(self, field: FieldDef, raw: Any, source: str) -> Any:
        items = raw if isinstance(raw, list) else [raw]
        out = []
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("id"), int):
                out.append({k: item[k] for k in ("id", "name", "size", "content_type") if k in item})
            else:
                raise fail("Upload the file again.")
        if len(out) > (field.max_items or 10):
            raise fail("Attach at most %(n)s files.", n=field.max_items or 10)
        return out

    def schema(self, field: FieldDef) -> dict[str, Any]:
        return {
            "type": "array",
            "maxItems": field.max_items or 10,
            "description": (
                "Upload each file first (POST /api/v1/districts/{code}/case-types/{type}/attachments), "
                'then list {"id": …, "token": …} of each answer here.'
            ),
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "token": {"type": "string"},
                    "name": {"type": "string"},
                    "size": {"type": "integer"},
                    "content_type": {"type": "string"},
                },
                "required": ["id"],
            },
        }


class Computed(FieldType):
    """A read-only value computed from other fields by a CEL expression."""

    name = "computed"
    widget = "computed"
    sample = ""

    def schema(self, field: FieldDef) -> dict[str, Any]:
        return {"readOnly": True}


class Group(FieldType):
    """A repeating group: a list of rows, each a small form of its own ``fields``."""

    name = "group"
    json_type: ClassVar[dict[str, Any]] = {"type": "array"}
    sample: ClassVar[Any] = []
    widget = "group"
