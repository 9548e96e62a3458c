"""Checking and normalising phones, ID numbers, plates and floor areas (no database)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from core.forms.formats import (
    area_from_hundredths,
    area_to_hundredths,
    mask_id_number,
    mask_phone,
    normalize_id_number,
    normalize_phone,
    normalize_plate,
    resident_id_valid,
)
from core.i18n import TIMEZONE


class TestIdNumber:
    def test_check_digit_decides(self):
        """The GB 11643 check digit of a real number passes; any other last character fails."""
        assert resident_id_valid("330203196203150425")
        assert resident_id_valid("11010519491231002X")
        for wrong in "0123456789X":
            if wrong != "5":
                assert not resident_id_valid("33020319620315042" + wrong)

    def test_birth_date_must_be_plausible(self):
        """An impossible date (Feb 30), a future one or one before 1900 is refused even with a matching digit."""
        weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

        def with_digit(body):
            return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]

        assert resident_id_valid(with_digit("33020319620315042"))
        assert not resident_id_valid(with_digit("33020319620230042"))
        assert not resident_id_valid(with_digit(f"330203{datetime.now(TIMEZONE).year + 1}0101042"))
        assert not resident_id_valid(with_digit("33020318890101042"))

    def test_normalised_upper_case(self):
        """A lower-case x and spaces are accepted and stored upper case; 15-digit old numbers are refused."""
        assert normalize_id_number(" 11010519491231002x ") == "11010519491231002X"
        assert normalize_id_number("110105491231002") is None

    def test_mask(self):
        """Masked ID numbers keep the first and last four characters."""
        assert mask_id_number("330203196203150425") == "3302**********0425"
        assert mask_id_number(None) == ""


class TestPhone:
    @pytest.mark.parametrize(
        ("raw", "stored"),
        [
            ("13812345678", "13812345678"),
            ("+86 138-1234-5678", "13812345678"),
            ("0086 13812345678", "13812345678"),
            ("１３８１２３４５６７８", "13812345678"),
            ("0574-87654321", "0574-87654321"),
            ("(0574) 8765 4321", "0574-87654321"),
            ("0574 87654321", "0574-87654321"),
            ("+86 574 87654321", "0574-87654321"),
            ("010-62345678", "010-62345678"),
            ("87654321", "87654321"),
            ("8765432", "8765432"),
            ("0574-87654321-123", "0574-87654321-123"),
            ("0574-87654321转123", "0574-87654321-123"),
            ("0574-87654321 ext 12", "0574-87654321-12"),
        ],
    )
    def test_accepted_and_normalised(self, raw, stored):
        """Mobiles and fixed lines, with or without area code and extension, in any usual spelling."""
        assert normalize_phone(raw) == stored

    @pytest.mark.parametrize(
        "raw",
        [
            "",
            "abc",
            "12345",
            "12800138000",
            "138123456789",
            "0574-1234567",
            "0574-0876543",
            "13812345678转1",
            "+1 202 555 0123",
            "138-1234-567a",
            "0574-87654321-1234567",
        ],
    )
    def test_garbage_refused(self, raw):
        """Short numbers, text, local numbers starting 0/1, foreign numbers, a mobile with an extension: refused."""
        assert normalize_phone(raw) is None

    def test_mask(self):
        """Masked phones keep the operator prefix or area code and the last four digits."""
        assert mask_phone("13812345678") == "138****5678"
        assert mask_phone("0574-87654321-12") == "0574-****4321"
        assert mask_phone("87654321") == "****4321"


class TestPlate:
    @pytest.mark.parametrize(
        ("raw", "stored"),
        [
            ("浙B12345", "浙B12345"),
            ("浙b 123 45", "浙B12345"),
            ("沪A·8K2M6", "沪A8K2M6"),
            ("浙BD12345", "浙BD12345"),
            ("浙BFA1234", "浙BFA1234"),
            ("浙B12345D", "浙B12345D"),
            ("粤B1234学", "粤B1234学"),
        ],
    )
    def test_valid_plates(self, raw, stored):
        """Ordinary 7-character plates and new-energy 8-character plates are stored upper case without separators."""
        assert normalize_plate(raw) == stored

    @pytest.mark.parametrize(
        "raw", ["浙B1234", "浙B123456789", "AB12345", "浙BI2345", "浙BO2345", "浙1B2345", "浙BZ12345"]
    )
    def test_invalid_plates(self, raw):
        """Too short or long, no province, the letters I/O, a new-energy plate with a wrong type letter: refused."""
        assert normalize_plate(raw) is None


class TestArea:
    def test_exact_hundredths(self):
        """Areas are whole hundredths of m²: 89.5 → 8950, and back to Decimal exactly."""
        assert area_to_hundredths("89.5") == 8950
        assert area_to_hundredths("１０２.１８") == 10218
        assert area_from_hundredths(8950) == Decimal("89.50")
        values = ["0.01"] * 100 + ["89.55", "76.32"]
        assert area_from_hundredths(sum(area_to_hundredths(v) or 0 for v in values)) == Decimal("166.87")

    @pytest.mark.parametrize("raw", ["", "0", "-5", "89.555", "abc", "1e3", "100000"])
    def test_refused(self, raw):
        """Zero, negatives, three decimals, text, exponents and absurd sizes are refused (never rounded silently)."""
        assert area_to_hundredths(raw) is None
