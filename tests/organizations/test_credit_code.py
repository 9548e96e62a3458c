"""The unified social credit code (GB 32100-2015) and its organization-code part (GB 11714-1997)."""

from __future__ import annotations

import pytest

from core.organizations.credit_code import (
    credit_code_check_char,
    credit_code_problem,
    is_valid_credit_code,
    make_credit_code,
    org_code_check_char,
)
from core.organizations.service import credit_code_message

# Codes published by the organizations themselves (business licences shown on their sites and in
# their annual reports) and the example printed in explanations of GB 32100.
PUBLISHED = (
    "91350100M000100Y43",  # the standard's worked example (福州, organization code M000100Y-4)
    "91440300708461136T",  # 深圳市腾讯计算机系统有限公司
    "9144030071526726XG",  # 腾讯科技（深圳）有限公司 (organization-code check character X)
    "914403001922038216",  # 华为技术有限公司
    "91110108551385082Q",  # 北京小米科技有限责任公司
    "91330100799655058B",  # 阿里巴巴（中国）有限公司
)


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(code):
    """Real codes pass both checks: the organization code's (GB 11714) and the whole code's (GB 32100)."""
    assert credit_code_problem(code) is None
    assert is_valid_credit_code(code)


def test_worked_example_step_by_step():
    """91350100M000100Y43: the organization code M000100Y gets 4, the 17 characters get 3.

    GB 11714 by hand: M=22, Y=34; weights 3,7,9,10,5,8,4,2 → 3·22 + 5·1 + 2·34 = 139;
    139 mod 11 = 7; 11 - 7 = 4.
    """
    assert org_code_check_char("M000100Y") == "4"
    assert credit_code_check_char("91350100M000100Y4") == "3"


def test_check_character_arithmetic():
    """The GB 32100 sum by hand for 91440300708461136T: weights 3^i mod 31, check = 31 - sum mod 31."""
    values = [9, 1, 4, 4, 0, 3, 0, 0, 7, 0, 8, 4, 6, 1, 1, 3, 6]
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(v * w for v, w in zip(values, weights, strict=True))
    expected = "0123456789ABCDEFGHJKLMNPQRTUWXY"[(31 - total % 31) % 31]
    assert expected == "T"
    assert credit_code_check_char("91440300708461136") == "T"


def test_make_credit_code_builds_valid_codes():
    """Codes made for the demo (海曙 330203, social organizations 51/52/53) are valid."""
    for prefix in ("51330203", "52330203", "53330203"):
        code = make_credit_code(prefix, "MJ881003")
        assert len(code) == 18
        assert code.startswith(prefix)
        assert is_valid_credit_code(code)


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("91440300708461136X", "check"),  # last character changed
        ("91440300708461135T", "org_code"),  # organization-code check changed
        ("91440300708461163T", "org_code"),  # two digits swapped in the organization code
        ("9144030070846113T", "length"),  # 17 characters
        ("91440300708461136TT", "length"),  # 19 characters
        ("", "length"),
        ("91440300708461136t", "charset"),  # lower case
        ("9144030070846113IT", "charset"),  # I is not used
        ("91440300708461130O", "charset"),  # O is not used
        ("9144030070846113ST", "charset"),  # S
        ("9144030070846113VT", "charset"),  # V
        ("9144030070846113ZT", "charset"),  # Z
        ("91AB0300708461136T", "area"),  # the area code is six digits
    ],
)
def test_invalid_codes_say_why(code, problem):
    """Each kind of mistake is named: wrong length, a character outside the alphabet, a wrong check character."""
    assert credit_code_problem(code) == problem
    assert not is_valid_credit_code(code)


def test_every_single_character_typo_is_caught():
    """Changing any one character of a valid code to another allowed one makes it invalid (the check's purpose)."""
    code = "91350100M000100Y43"
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for i in range(18):
        for char in alphabet:
            if char != code[i]:
                typo = code[:i] + char + code[i + 1 :]
                assert not is_valid_credit_code(typo), typo


def test_messages_are_chinese_first():
    """The message a user sees for a bad code is Chinese by default."""
    assert credit_code_message("91440300708461136X") == "校验码（最后一位）不符，请检查是否输错。"
    assert "18 位" in (credit_code_message("123") or "")
    assert credit_code_message("91440300708461136T") is None
