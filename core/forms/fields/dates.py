"""Dates, date-times (China time by default) and daily time windows."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from core.forms.fields.base import FieldType, check_range, fail
from core.i18n import TIMEZONE

if TYPE_CHECKING:
    from core.forms.definition import FieldDef


class DateField(FieldType):
    name = "date"
    json_type: ClassVar[dict[str, Any]] = {"type": "string", "format": "date"}
    sample = "2026-01-01"
    widget = "date"

    def parse(self, field: FieldDef, raw: Any, source: str) -> Any:
        try:
            value = date.fromisoformat(str(raw).strip())
        except ValueError:
            raise fail("Enter a date like 2026-03-01.") from None
        if field.not_future and value > datetime.now(TIMEZONE).date():
            raise fail("The date cannot be in the future.")
        check_range(field, value.isoformat())  # ISO dates compare correctly as text
        return value.isoformat()


class DateTimeField(FieldType):
    name = "datetime"
    json_type: ClassVar[dict[str, Any]] = {"type": "string", "format": "date-time"}
    sample = "2026-01-01T08:00:00+08:00"
    widget = "datetime-local"

    def parse(self, field: FieldDef, raw: Any, source: str) -> Any:
        try:
            value = datetime.fromisoformat(str(raw).strip())
        except ValueError:
            raise fail("Enter a date and time like 2026-03-01 09:30.") from None
        if value.tzinfo is None:
            value = value.replace(tzinfo=TIMEZONE)
        if field.not_future and value > datetime.now(TIMEZONE):
            raise fail("The date cannot be in the future.")
        return value.isoformat(timespec="minutes")


_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class TimeWindow(FieldType):
    """A daily time window ``{"start": "HH:MM", "end": "HH:MM"}``; overnight only if allowed."""

    name = "time_window"
    json_type: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "start": {"type": "string", "pattern": "^\\d{2}:\\d{2}$"},
            "end": {"type": "string", "pattern": "^\\d{2}:\\d{2}$"},
        },
        "required": ["start", "end"],
        "additionalProperties": False,
    }
    sample: ClassVar[Any] = {"start": "08:00", "end": "18:00"}
    widget = "time_window"

    def parse(self, field: FieldDef, raw: Any, source: str) -> Any:
        if not isinstance(raw, dict):
            raise fail("Enter a start and an end time.")
        start, end = str(raw.get("start") or "").strip(), str(raw.get("end") or "").strip()
        if not _HHMM.match(start) or not _HHMM.match(end):
            raise fail("Enter times like 08:00 and 18:00.")
        if start == end or (end < start and not field.overnight):
            raise fail("The end time must be after the start time.")
        return {"start": start, "end": end}

    @staticmethod
    def is_empty(raw: Any) -> bool:
        return not raw or (isinstance(raw, dict) and not any(str(v or "").strip() for v in raw.values()))
