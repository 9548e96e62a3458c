"""Text-like types: text, long text, address, email, CN phone (mobile or fixed line), resident ID number."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from core.forms.fields.base import FieldError, FieldType, fail
from core.forms.formats import PHONE_PATTERN, normalize_phone, resident_id_valid
from core.i18n import gettext

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
    """A mainland China phone: a mobile (11 digits, 13–19) or a fixed line with or without area code and extension.

    Stored normalised (``13812345678``, ``0574-87654321``, ``87654321``,
    ``0574-87654321-123``); see :func:`core.forms.formats.normalize_phone`.
    """

    name = "phone"
    widget = "tel"

    def parse(self, field: FieldDef, raw: Any, source: str) -> Any:
        value = normalize_phone(raw)
        if value is None:
            raise fail(
                "Enter a mobile number (e.g. 13800138000) or a landline with its area code "
                "(e.g. 0574-87654321, extension after a dash)."
            )
        return value

    def schema(self, field: FieldDef) -> dict[str, Any]:
        return {"type": "string", "pattern": PHONE_PATTERN}


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
