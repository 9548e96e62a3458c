"""Text-like types: text, long text, address, email, CN mobile phone, resident ID number."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from core.forms.fields.base import FieldError, FieldType, fail
from core.i18n import TIMEZONE, gettext

if TYPE_CHECKING:
    from core.forms.definition import FieldDef


class Text(FieldType):
    name = "text"

    def parse(self, field: FieldDef, raw: Any, source: str) -> Any:
        if not isinstance(raw, (str, int, float)):
            raise fail("Enter text.")
        value = str(raw).strip()
        if field.min_length is not None and len(value) < field.min_length:
            raise fail("Enter at least %(n)s characters.", n=field.min_length)
        max_length = field.max_length or (200 if self.name == "text" else 10000)
        if len(value) > max_length:
            raise fail("Enter at most %(n)s characters.", n=max_length)
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
            raise fail("Enter a valid email address.")
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
            raise fail("Enter an 11-digit mobile number starting with 1, e.g. 13800138000.")
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
            raise fail("This is not a valid resident ID number (18 characters; check the last digit).")
        return value

    def schema(self, field: FieldDef) -> dict[str, Any]:
        return {"type": "string", "pattern": r"^\d{17}[\dX]$"}
