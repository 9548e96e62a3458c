"""Each field type accepts good values, refuses bad ones with a clear message, and stores JSON."""

from __future__ import annotations

import pytest

from core.forms import parse_form, validate
from core.forms.fields import resident_id_valid
from core.i18n import use_locale


def one(field: dict, value, source: str = "form"):
    """Validate a single field; return (stored data, errors)."""
    form = parse_form({"fields": [{"key": "f", "label": "字段", **field}]})
    result = validate(form, {"f": value}, source=source)
    return result.data.get("f"), result.errors.get("f")


class TestText:
    def test_keeps_malicious_html_as_text(self):
        """HTML in a text field is stored as typed (templates escape it when rendering)."""
        value, error = one({"type": "text"}, "<script>alert(1)</script>")
        assert error is None
        assert value == "<script>alert(1)</script>"

    def test_refuses_too_long(self):
        """A text longer than max_length is refused with the limit in the message."""
        _, error = one({"type": "text", "max_length": 5}, "abcdefg")
        assert "5" in error

    def test_pattern_with_own_message(self):
        """A pattern mismatch shows the definition's own message."""
        with use_locale("zh_CN"):
            _, error = one({"type": "text", "pattern": r"\d{6}", "pattern_message": {"zh": "请输入6位邮编"}}, "abc")
        assert error == "请输入6位邮编"


class TestPhone:
    @pytest.mark.parametrize("raw", ["13800138000", "+86 138-0013-8000", "19912345678"])
    def test_accepts_mobile_numbers(self, raw):
        """Mainland mobile numbers are stored as 11 bare digits."""
        value, error = one({"type": "phone"}, raw)
        assert error is None
        assert len(value) == 11

    @pytest.mark.parametrize(
        ("raw", "stored"),
        [
            ("0574-87654321", "0574-87654321"),
            ("(0574) 8765 4321", "0574-87654321"),
            ("87654321", "87654321"),
            ("0574-87654321-123", "0574-87654321-123"),
            ("0574-87654321转8", "0574-87654321-8"),
            ("010-62345678", "010-62345678"),
        ],
    )
    def test_accepts_landlines(self, raw, stored):
        """Fixed lines (elderly callers use them) with or without area code or extension are kept normalised."""
        value, error = one({"type": "phone"}, raw)
        assert error is None
        assert value == stored

    @pytest.mark.parametrize("raw", ["12800138000", "1380013800", "0574-1234567", "123", "abc", "13812345678转1"])
    def test_refuses_others(self, raw):
        """Short numbers, local numbers starting 1, text and a mobile with an extension are refused in Chinese."""
        with use_locale("zh_CN"):
            _, error = one({"type": "phone"}, raw)
        assert error and "手机号" in error and "固定电话" in error


class TestResidentId:
    def test_checksum(self):
        """The ISO 7064 check digit decides: the real one passes, a changed one fails."""
        assert resident_id_valid("11010519491231002X")
        assert not resident_id_valid("110105194912310021")

    def test_impossible_birth_date(self):
        """A number with a 31 February birth date is refused even with digits only."""
        assert not resident_id_valid("110105194902310021")

    def test_lowercase_x_is_accepted(self):
        """A lowercase x is stored uppercase."""
        value, error = one({"type": "resident_id"}, "11010519491231002x")
        assert error is None
        assert value == "11010519491231002X"


class TestNumbers:
    def test_integer_range(self):
        """An integer below min is refused, within range kept as int."""
        assert one({"type": "integer", "min": 0}, "-1")[1]
        assert one({"type": "integer", "min": 0}, "42") == (42, None)

    def test_integer_refuses_text(self):
        """Text in an integer field is refused."""
        assert one({"type": "integer"}, "4.5")[1]

    def test_decimal_is_exact(self):
        """Decimals are stored as exact strings."""
        assert one({"type": "decimal"}, "0.1") == ("0.1", None)

    def test_rating_one_to_five(self):
        """Ratings outside 1–5 are refused."""
        assert one({"type": "rating"}, "6")[1]
        assert one({"type": "rating"}, "5") == (5, None)


class TestMoney:
    def test_yuan_on_forms_stored_as_fen(self):
        """12.50 yuan typed on a form is stored as 1250 fen."""
        assert one({"type": "money"}, "12.50") == (1250, None)
        assert one({"type": "money"}, "¥1,234.5") == (123450, None)

    def test_fen_from_the_api(self):
        """The API sends integer fen and gets it back unchanged."""
        assert one({"type": "money"}, 1250, source="json") == (1250, None)

    def test_more_than_two_decimals_refused(self):
        """Fractions of a fen are refused, never rounded."""
        assert one({"type": "money"}, "1.005")[1]

    def test_negative_refused_and_max_in_yuan(self):
        """Negative amounts are refused; max is written in yuan."""
        assert one({"type": "money"}, "-1")[1]
        assert one({"type": "money", "max": 100}, "100.01")[1]
        assert one({"type": "money", "max": 100}, "100") == (10000, None)


class TestDates:
    def test_date_iso(self):
        """A date is stored as ISO text."""
        assert one({"type": "date"}, "2026-03-01") == ("2026-03-01", None)

    def test_date_not_future(self):
        """not_future refuses a date after today."""
        assert one({"type": "date", "not_future": True}, "2999-01-01")[1]

    def test_datetime_gets_china_time_zone(self):
        """A local date-time from a form is stored with +08:00."""
        value, error = one({"type": "datetime"}, "2026-03-01T09:30")
        assert error is None
        assert value.endswith("+08:00")

    def test_time_window(self):
        """A window ends after it starts unless overnight is allowed."""
        assert one({"type": "time_window"}, {"start": "19:00", "end": "07:00"})[1]
        assert one({"type": "time_window", "overnight": True}, {"start": "19:00", "end": "07:00"}) == (
            {"start": "19:00", "end": "07:00"},
            None,
        )
        assert one({"type": "time_window"}, {"start": "8:00", "end": "9:00"})[1]


class TestChoices:
    def test_choice_must_be_listed(self):
        """A value not in the choices is refused."""
        assert one({"type": "choice", "choices": ["a", "b"]}, "c")[1]
        assert one({"type": "choice", "choices": ["a", "b"]}, "b") == ("b", None)

    def test_multi_choice_keeps_definition_order(self):
        """Chosen values are stored in the order of the definition, at most max_items."""
        assert one({"type": "multi_choice", "choices": ["a", "b", "c"]}, ["c", "a"]) == (["a", "c"], None)
        assert one({"type": "multi_choice", "choices": ["a", "b", "c"], "max_items": 1}, ["c", "a"])[1]

    def test_yes_no(self):
        """Yes/no accepts form words and JSON booleans."""
        assert one({"type": "yes_no"}, "yes") == (True, None)
        assert one({"type": "yes_no"}, False, source="json") == (False, None)
        assert one({"type": "yes_no"}, "maybe")[1]


class TestReferencesAndFiles:
    def test_person_and_organization_ids(self):
        """References are positive ids."""
        assert one({"type": "person"}, "7") == (7, None)
        assert one({"type": "organization"}, "0")[1]

    def test_file_entries_need_ids(self):
        """A file field keeps uploaded attachment entries and refuses anything else."""
        assert one({"type": "file"}, [{"id": 3, "name": "a.pdf"}], source="json") == (
            [{"id": 3, "name": "a.pdf"}],
            None,
        )
        assert one({"type": "file"}, "a.pdf")[1]

    def test_email(self):
        """An email needs an @ and a domain."""
        assert one({"type": "email"}, "a@b.cn") == ("a@b.cn", None)
        assert one({"type": "email"}, "a@b")[1]


class TestRequired:
    def test_required_message_in_chinese(self):
        """An empty required field says so in Chinese by default, in English when asked."""
        with use_locale("zh_CN"):
            assert one({"type": "text", "required": True}, "  ")[1] == "此项为必填项。"
        with use_locale("en"):
            assert one({"type": "text", "required": True}, "")[1] == "This field is required."
