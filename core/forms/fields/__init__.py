"""Field types: how each turns input into a stored value, and describes itself in JSON Schema.

Values arrive from an HTML form (strings; ``source="form"``) or from the JSON API
(typed JSON; ``source="json"``). Stored values are JSON: money is integer fen, dates
are ISO strings, a time window is ``{"start": "HH:MM", "end": "HH:MM"}``.
"""

from __future__ import annotations

from core.forms.fields.base import FieldError, FieldType
from core.forms.fields.choices import Choice, MultiChoice, YesNo
from core.forms.fields.dates import DateField, DateTimeField, TimeWindow
from core.forms.fields.numbers import DecimalField, Integer, Money, Rating
from core.forms.fields.records import Computed, FileField, Group, Organization, Person
from core.forms.fields.text import Address, Email, LongText, Phone, ResidentId, Text, resident_id_valid

__all__ = ("FIELD_TYPES", "FieldError", "FieldType", "resident_id_valid")

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
