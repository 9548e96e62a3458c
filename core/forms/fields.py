"""Field types: how each turns input into a stored value, and describes itself in JSON Schema.

Values arrive from an HTML form (strings; ``source="form"``) or from the JSON API
(typed JSON; ``source="json"``). Stored values are JSON: money is integer fen, dates
are ISO strings, a time window is ``{"start": "HH:MM", "end": "HH:MM"}``.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar

from core.i18n import TIMEZONE, gettext

if TYPE_CHECKING:
    from core.forms.definition import FieldDef

__all__ = ("FIELD_TYPES", "FieldError", "FieldType", "resident_id_valid")


class FieldError(ValueError):
    """A value a field refuses; the message is already in the user's language."""


def _fail(msgid: str, **params: object) -> FieldError:
    return FieldError(gettext(msgid, **params))


class FieldType:
    """Base of every field type."""

    name: ClassVar[str]
    json_type: ClassVar[dict[str, Any]] = {"type": "string"}
    sample: ClassVar[Any] = ""
    widget: ClassVar[str] = "text"

    def parse(self, field: FieldDef, raw: Any, source: str) -> Any:
        """Return the stored value for ``raw`` (never empty: emptiness is handled by the caller)."""
        return str(raw).strip()

    def schema(self, field: FieldDef) -> dict[str, Any]:
        """The JSON Schema of the stored value."""
        return dict(self.json_type)

    @staticmethod
    def is_empty(raw: Any) -> bool:
        return raw is None or (isinstance(raw, str) and not raw.strip()) or (isinstance(raw, (list, dict)) and not raw)


class Text(FieldType):
    name = "text"

    def parse(self, field: FieldDef, raw: Any, source: str) -> Any:
        if not isinstance(raw, (str, int, float)):
            raise _fail("Enter text.")
        value = str(raw).strip()
        if field.min_length is not None and len(value) < field.min_length:
            raise _fail("Enter at least %(n)s characters.", n=field.min_length)
        max_length = field.max_length or (200 if self.name == "text" else 10000)
        if len(value) > max_length:
            raise _fail("Enter at most %(n)s characters.", n=max_length)
        if field.pattern and not re.fullmatch(field.pattern, value):
            raise FieldError(field.pattern_message() or gettext("The value does not have the expected format."))
        return value

    def schema(self, field: FieldDef) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": "string",
            "maxLength": field.max_length or (200 if self.name == "text" else 10000),
        }
        if field.min_length is not None:
            out["minLength"] = field.min_length
        if field.pattern:
            out["pattern"] = field.pattern
        return out


class LongText(Text):
    name = "long_text"
    widget = "textarea"


class Address(Text):
    name = "address"


class Email(FieldType):
    name = "email"
    widget = "email"
    _re = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

    def parse(self, field: FieldDef, raw: Any, source: str) -> Any:
        value = str(raw).strip()
        if len(value) > 200 or not self._re.match(value):
            raise _fail("Enter a valid email address.")
        return value

    def schema(self, field: FieldDef) -> dict[str, Any]:
        return {"type": "string", "format": "email"}


class Phone(FieldType):
    """A mainland China mobile number: 11 digits starting 13–19 (+86 and separators allowed)."""

    name = "phone"
    widget = "tel"
    _re = re.compile(r"^1[3-9]\d{9}$")

    def parse(self, field: FieldDef, raw: Any, source: str) -> Any:
        value = re.sub(r"[\s\-]", "", str(raw))
        if value.startswith("+86"):
            value = value[3:]
        if not self._re.match(value):
            raise _fail("Enter an 11-digit mobile number starting with 1, e.g. 13800138000.")
        return value

    def schema(self, field: FieldDef) -> dict[str, Any]:
        return {"type": "string", "pattern": r"^1[3-9]\d{9}$"}


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def resident_id_valid(value: str) -> bool:
    """Whether an 18-character resident ID number has a real birth date and the right check digit."""
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if born > datetime.now(TIMEZONE).date() or born.year < 1900:
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17]


class ResidentId(FieldType):
    """A 居民身份证号码 (GB 11643): 18 characters, birth date, ISO 7064 check digit."""

    name = "resident_id"

    def parse(self, field: FieldDef, raw: Any, source: str) -> Any:
        value = str(raw).strip().upper().replace(" ", "")
        if not resident_id_valid(value):
            raise _fail("This is not a valid resident ID number (18 characters; check the last digit).")
        return value

    def schema(self, field: FieldDef) -> dict[str, Any]:
        return {"type": "string", "pattern": r"^\d{17}[\dX]$"}


class Integer(FieldType):
    name = "integer"
    json_type: ClassVar[dict[str, Any]] = {"type": "integer"}
    sample = 0
    widget = "number"

    def parse(self, field: FieldDef, raw: Any, source: str) -> Any:
        if isinstance(raw, bool):
            raise _fail("Enter a whole number.")
        try:
            value = int(str(raw).strip()) if not isinstance(raw, int) else raw
        except ValueError:
            raise _fail("Enter a whole number.") from None
        _check_range(field, value)
        return value

    def schema(self, field: FieldDef) -> dict[str, Any]:
        return _with_range({"type": "integer"}, field)


class Rating(Integer):
    """A rating from 1 to 5 stars."""

    name = "rating"
    widget = "rating"

    def parse(self, field: FieldDef, raw: Any, source: str) -> Any:
        value = super().parse(field, raw, source)
        if not 1 <= value <= 5:
            raise _fail("Choose from 1 to 5.")
        return value

    def schema(self, field: FieldDef) -> dict[str, Any]:
        return {"type": "integer", "minimum": 1, "maximum": 5}


class DecimalField(FieldType):
    """A decimal number, stored as a string so no precision is lost."""

    name = "decimal"
    json_type: ClassVar[dict[str, Any]] = {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}
    sample = 0.0
    widget = "decimal"

    def parse(self, field: FieldDef, raw: Any, source: str) -> Any:
        try:
            value = Decimal(str(raw).strip().replace(",", ""))
        except InvalidOperation:
            raise _fail("Enter a number.") from None
        if not value.is_finite():
            raise _fail("Enter a number.")
        _check_range(field, value)
        return format(value, "f")


class Money(FieldType):
    """An amount in yuan on forms, stored as integer fen (1 yuan = 100 fen); the API speaks fen."""

    name = "money"
    json_type: ClassVar[dict[str, Any]] = {"type": "integer", "description": "amount in fen (分)"}
    sample = 0
    widget = "money"

    def parse(self, field: FieldDef, raw: Any, source: str) -> Any:
        if source == "json":  # the API speaks integer fen: 12.5 or "12.50" would be ambiguous
            if not isinstance(raw, int) or isinstance(raw, bool):
                raise _fail("Enter a whole number.")
            fen = raw
        else:
            text = str(raw).strip().replace(",", "").replace("，", "").removeprefix("¥").removeprefix("￥")
            try:
                yuan = Decimal(text)
            except InvalidOperation:
                raise _fail("Enter an amount in yuan, e.g. 12.50.") from None
            if not yuan.is_finite() or yuan != yuan.quantize(Decimal("0.01")):
                raise _fail("Enter an amount in yuan with at most two decimals (fen).")
            fen = int(yuan * 100)
        if field.min is None and fen < 0:
            raise _fail("The amount cannot be negative.")
        _check_range(field, Decimal(fen) / 100)  # bounds are written in yuan
        return fen

    def schema(self, field: FieldDef) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "integer", "description": "amount in fen (分)"}
        out["minimum"] = int(Decimal(str(field.min)) * 100) if field.min is not None else 0
        if field.max is not None:
            out["maximum"] = int(Decimal(str(field.max)) * 100)
        return out


class DateField(FieldType):
    name = "date"
    json_type: ClassVar[dict[str, Any]] = {"type": "string", "format": "date"}
    sample = "2026-01-01"
    widget = "date"

    def parse(self, field: FieldDef, raw: Any, source: str) -> Any:
        try:
            value = date.fromisoformat(str(raw).strip())
        except ValueError:
            raise _fail("Enter a date like 2026-03-01.") from None
        if field.not_future and value > datetime.now(TIMEZONE).date():
            raise _fail("The date cannot be in the future.")
        _check_range(field, value.isoformat())  # ISO dates compare correctly as text
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
            raise _fail("Enter a date and time like 2026-03-01 09:30.") from None
        if value.tzinfo is None:
            value = value.replace(tzinfo=TIMEZONE)
        if field.not_future and value > datetime.now(TIMEZONE):
            raise _fail("The date cannot be in the future.")
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
            raise _fail("Enter a start and an end time.")
        start, end = str(raw.get("start") or "").strip(), str(raw.get("end") or "").strip()
        if not _HHMM.match(start) or not _HHMM.match(end):
            raise _fail("Enter times like 08:00 and 18:00.")
        if start == end or (end < start and not field.overnight):
            raise _fail("The end time must be after the start time.")
        return {"start": start, "end": end}

    @staticmethod
    def is_empty(raw: Any) -> bool:
        return not raw or (isinstance(raw, dict) and not any(str(v or "").strip() for v in raw.values()))


class Choice(FieldType):
    name = "choice"
    widget = "select"

    def parse(self, field: FieldDef, raw: Any, source: str) -> Any:
        value = str(raw).strip()
        if value not in field.choice_values():
            raise _fail("Choose one of the listed options.")
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
            raise _fail("Choose only from the listed options.")
        chosen = [v for v in allowed if v in {str(x) for x in values}]
        if field.max_items is not None and len(chosen) > field.max_items:
            raise _fail("Choose at most %(n)s options.", n=field.max_items)
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
        raise _fail("Choose yes or no.")


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
                _fail("Choose someone from the list.")
                if self.name == "person"
                else _fail("Choose an organization from the list.")
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
                raise _fail("Upload the file again.")
        if len(out) > (field.max_items or 10):
            raise _fail("Attach at most %(n)s files.", n=field.max_items or 10)
        return out

    def schema(self, field: FieldDef) -> dict[str, Any]:
        return {
            "type": "array",
            "maxItems": field.max_items or 10,
            "items": {
                "type": "object",
                "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
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


def _bound(bound: Any, like: Any) -> Any:
    if isinstance(like, Decimal):
        return Decimal(str(bound))
    if isinstance(like, str):
        return str(bound)
    return type(like)(bound)


def _check_range(field: FieldDef, value: Any) -> None:
    """Refuse ``value`` outside ``field.min`` / ``field.max`` (bounds in the value's own unit)."""
    try:
        too_low = field.min is not None and value < _bound(field.min, value)
        too_high = field.max is not None and value > _bound(field.max, value)
    except (TypeError, ValueError, InvalidOperation):
        return
    if too_low:
        raise _fail("The value must be at least %(min)s.", min=field.min)
    if too_high:
        raise _fail("The value must be at most %(max)s.", max=field.max)


def _with_range(schema: dict[str, Any], field: FieldDef) -> dict[str, Any]:
    if field.min is not None:
        schema["minimum"] = field.min
    if field.max is not None:
        schema["maximum"] = field.max
    return schema


FIELD_TYPES: dict[str, FieldType] = {
    cls.name: cls()
    for cls in (
        Text,
        LongText,
        Address,
        Email,
        Phone,
        ResidentId,
        Integer,
        Rating,
        DecimalField,
        Money,
        DateField,
        DateTimeField,
        TimeWindow,
        Choice,
        MultiChoice,
        YesNo,
        Person,
        Organization,
        FileField,
        Computed,
        Group,
    )
}
