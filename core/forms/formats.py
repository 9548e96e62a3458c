"""Checking and normalising what a resident's record holds: phones, ID numbers, plates, floor areas.

Pure functions, no database: the form field types (``core.forms``), the residents
service and plugins all use them.

Phones (mainland China)
    * a mobile: 11 digits starting 13–19, stored bare: ``13812345678``;
    * a fixed line: area code (``010``, ``02x`` or a 4-digit code starting 0) + a local
      number of 7–8 digits not starting 0/1, stored ``0574-87654321``; without the area
      code ``87654321``; an extension (``转``, ``分机``, ``ext``, ``x``, ``#`` or a
      trailing ``-123``) is kept after a dash: ``0574-87654321-123``.
    Spaces, dashes, dots, parentheses, full-width digits and a ``+86`` / ``0086`` prefix
    are accepted on input.
Plates
    ``浙B12345`` (7 characters) and new-energy ``浙BD12345`` (8 characters), stored upper
    case without spaces or the middle dot; the letters I and O are never used.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

__all__ = (
    "PHONE_PATTERN",
    "PLATE_PATTERN",
    "area_from_hundredths",
    "area_to_hundredths",
    "id_number_birth_date",
    "mask_id_number",
    "mask_phone",
    "normalize_id_number",
    "normalize_phone",
    "normalize_plate",
    "resident_id_valid",
)

PHONE_PATTERN = r"^(1[3-9]\d{9}|(0\d{2,3}-)?[2-9]\d{6,7}(-\d{1,6})?)$"
_MOBILE = re.compile(r"1[3-9]\d{9}")
_EXTENSION = re.compile(r"(?:转|分机|ext\.?|x|#)\s*(\d{1,6})\s*$", re.IGNORECASE)
_ALLOWED = re.compile(r"[\d\s\-().+]*")

# 31 province-level abbreviations used on mainland plates.
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_LETTER = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, no O
PLATE_PATTERN = (
    rf"^[{PROVINCES}][{_LETTER}](?:[{_LETTER}0-9]{{4}}[{_LETTER}0-9挂学警港澳]"
    rf"|[DABCEFGHJK][{_LETTER}0-9][0-9]{{4}}|[0-9]{{5}}[DABCEFGHJK])$"
)
_PLATE = re.compile(PLATE_PATTERN)


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_CHINA = ZoneInfo("Asia/Shanghai")


def resident_id_valid(value: str) -> bool:
    """Whether an 18-character resident ID number has a real birth date and the right check digit (GB 11643)."""
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if born > datetime.now(_CHINA).date() or born.year < 1900:
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17]


def id_number_birth_date(value: str) -> date:
    """The birth date written in a valid ID number."""
    return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def _local(digits: str) -> bool:
    return 7 <= len(digits) <= 8 and digits[0] not in "01"


def _landline(digits: str) -> str | None:
    """``digits`` (no extension) as a fixed-line number, or ``None``."""
    if digits.startswith("0"):
        size = 3 if digits[1:2] in ("1", "2") else 4
        area, number = digits[:size], digits[size:]
        return f"{area}-{number}" if len(area) == size and _local(number) else None
    return digits if _local(digits) else None


def normalize_phone(raw: object) -> str | None:
    """The stored form of a mainland mobile or fixed-line number, or ``None`` when it is neither."""
    text = unicodedata.normalize("NFKC", str(raw or "")).strip()
    if not text or len(text) > 40:
        return None
    extension = ""
    marker = _EXTENSION.search(text)
    if marker:
        extension, text = marker.group(1), text[: marker.start()]
    if not _ALLOWED.fullmatch(text) or text.count("+") > 1 or ("+" in text and not text.lstrip().startswith("+")):
        return None
    digits = re.sub(r"\D", "", text)
    international = text.lstrip().startswith("+") or (digits.startswith("0086") and len(digits) > 12)
    if international:
        if digits.startswith("0086"):
            digits = digits[4:]
        elif digits.startswith("86"):
            digits = digits[2:]
        else:
            return None
        if not digits.startswith("1"):
            digits = "0" + digits
    if _MOBILE.fullmatch(digits):
        return digits if not extension else None
    number = _landline(digits)
    if number is None and not extension:
        # A trailing dash group of 1–6 digits after a full number is an extension: 0574-87654321-123
        groups = [g for g in re.split(r"-", text.strip()) if g.strip()]
        tail = re.sub(r"\D", "", groups[-1]) if len(groups) >= 2 else ""
        if tail and len(tail) <= 6 and len(digits) > len(tail):
            number = _landline(digits[: -len(tail)])
            extension = tail if number else ""
    if number is None:
        return None
    return f"{number}-{extension}" if extension else number


def mask_phone(value: str | None) -> str:
    """A phone for people who may not see it whole: ``138****5678``, ``0574-****4321``."""
    if not value:
        return ""
    if _MOBILE.fullmatch(value):
        return f"{value[:3]}****{value[-4:]}"
    parts = value.split("-")
    if parts[0].startswith("0") and len(parts) >= 2:
        return f"{parts[0]}-****{parts[1][-4:]}"
    return f"****{parts[0][-4:]}"


def normalize_id_number(raw: object) -> str | None:
    """An 18-character resident ID number (GB 11643) upper-cased, or ``None`` when it is not valid."""
    value = unicodedata.normalize("NFKC", str(raw or "")).strip().upper().replace(" ", "")
    return value if resident_id_valid(value) else None


def mask_id_number(value: str | None) -> str:
    """An ID number for people who may not see it whole: ``3302**********1234``."""
    if not value:
        return ""
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"


def normalize_plate(raw: object) -> str | None:
    """A mainland plate upper-cased without spaces, dashes or dots (``浙B12345``, ``浙BD12345``), or ``None``."""
    value = unicodedata.normalize("NFKC", str(raw or "")).strip().upper()
    value = re.sub(r"[\s\-·.•]", "", value)
    return value if _PLATE.fullmatch(value) else None


def area_to_hundredths(raw: object) -> int | None:
    """A floor area in m² (``"89.5"``) as whole hundredths of m² (8950), or ``None`` when it is not one.

    At most two decimals, more than 0 and less than 100,000 m²: areas are summed exactly
    for owners' votes, so nothing is rounded silently.
    """
    text = unicodedata.normalize("NFKC", str(raw if raw is not None else "")).strip().replace(",", "")
    if not re.fullmatch(r"\d{1,5}(\.\d{1,2})?", text):
        return None
    value = int((Decimal(text) * 100).to_integral_value(rounding=ROUND_HALF_UP))
    return value if 0 < value < 10_000_000 else None


def area_from_hundredths(hundredths: int | None) -> Decimal:
    """Hundredths of m² as an exact :class:`~decimal.Decimal` of m² (``8950`` → ``Decimal("89.50")``)."""
    try:
        return (Decimal(hundredths or 0) / 100).quantize(Decimal("0.01"))
    except InvalidOperation:  # pragma: no cover - ints always convert
        return Decimal("0.00")
