"""Field types' shared base: the error, the protocol every type follows, range checks."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar

from core.i18n import gettext

if TYPE_CHECKING:
    from core.forms.definition import FieldDef


class FieldError(ValueError):
    """A value a field refuses; the message is already in the user's language."""


def fail(msgid: str, **params: object) -> FieldError:
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


def _bound(bound: Any, like: Any) -> Any:
    if isinstance(like, Decimal):
        return Decimal(str(bound))
    if isinstance(like, str):
        return str(bound)
    return type(like)(bound)


def check_range(field: FieldDef, value: Any) -> None:
    """Refuse ``value`` outside ``field.min`` / ``field.max`` (bounds in the value's own unit)."""
    try:
        too_low = field.min is not None and value < _bound(field.min, value)
        too_high = field.max is not None and value > _bound(field.max, value)
    except (TypeError, ValueError, InvalidOperation):
        return
    if too_low:
        raise fail("The value must be at least %(min)s.", min=field.min)
    if too_high:
        raise fail("The value must be at most %(max)s.", max=field.max)


def with_range(schema: dict[str, Any], field: FieldDef) -> dict[str, Any]:
    if field.min is not None:
        schema["minimum"] = field.min
    if field.max is not None:
        schema["maximum"] = field.max
    return schema
