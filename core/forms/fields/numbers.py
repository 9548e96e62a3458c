"""Numbers: integers, ratings, exact decimals, money (yuan on forms, fen stored)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar

from core.forms.fields.base import FieldType, check_range, fail, with_range

if TYPE_CHECKING:
    from core.forms.definition import FieldDef


class Integer(FieldType):
    name = "integer"
    json_type: ClassVar[dict[str, Any]] = {"type": "integer"}
    sample = 0
    widget = "number"

    def parse(self, field: FieldDef, raw: Any, source: str) -> Any:
        if isinstance(raw, bool):
            raise fail("Enter a whole number.")
        try:
            value = int(str(raw).strip()) if not isinstance(raw, int) else raw
        except ValueError:
            raise fail("Enter a whole number.") from None
        check_range(field, value)
        return value

    def schema(self, field: FieldDef) -> dict[str, Any]:
        return with_range({"type": "integer"}, field)


class Rating(Integer):
    """A rating from 1 to 5 stars."""

    name = "rating"
    widget = "rating"

    def parse(self, field: FieldDef, raw: Any, source: str) -> Any:
        value = super().parse(field, raw, source)
        if not 1 <= value <= 5:
            raise fail("Choose from 1 to 5.")
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
            raise fail("Enter a number.") from None
        if not value.is_finite():
            raise fail("Enter a number.")
        check_range(field, value)
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
                raise fail("Enter a whole number.")
            fen = raw
        else:
            text = str(raw).strip().replace(",", "").replace("，", "").removeprefix("¥").removeprefix("￥")
            try:
                yuan = Decimal(text)
            except InvalidOperation:
                raise fail("Enter an amount in yuan, e.g. 12.50.") from None
            if not yuan.is_finite() or yuan != yuan.quantize(Decimal("0.01")):
                raise fail("Enter an amount in yuan with at most two decimals (fen).")
            fen = int(yuan * 100)
        if field.min is None and fen < 0:
            raise fail("The amount cannot be negative.")
        check_range(field, Decimal(fen) / 100)  # bounds are written in yuan
        return fen

    def schema(self, field: FieldDef) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "integer", "description": "amount in fen (分)"}
        out["minimum"] = int(Decimal(str(field.min)) * 100) if field.min is not None else 0
        if field.max is not None:
            out["maximum"] = int(Decimal(str(field.max)) * 100)
        return out
