"""The unified social credit code (统一社会信用代码, GB 32100-2015) and its check characters.

An 18-character code::

    5  3  330203  MJ8866431  7
    │  │  │       │          └ 校验码: check character over the 17 before it (GB 32100 §4.2)
    │  │  │       └ 主体标识码: the organization code (组织机构代码, GB 11714: 8 characters + a check)
    │  │  └ 登记管理机关行政区划码: the registering authority's area code (6 digits)
    │  └ 机构类别代码: kind of entity (for 民政: 1 社会团体, 2 民办非企业单位, 3 基金会, 9 其他)
    └ 登记管理部门代码: registering department (1 机构编制, 5 民政, 9 工商 (市场监管), Y 其他 …)

The code's alphabet is the digits and the capital letters without I, O, Z, S and V
(31 characters, valued 0–30 in that order). The check character is
``31 - (Σ value(cᵢ) × wᵢ mod 31)`` with the weights ``wᵢ = 3^(i-1) mod 31``
(1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28); a result of 31 is ``0``.

The organization code (positions 9–17) has its own check character (GB 11714-1997):
``11 - (Σ value(cᵢ) × wᵢ mod 11)`` over its first 8 characters, weights
3, 7, 9, 10, 5, 8, 4, 2, digits valued 0–9 and letters A–Z valued 10–35; 10 is written
``X`` and 11 is written ``0``.
"""

from __future__ import annotations

import re

__all__ = (
    "ALPHABET",
    "CODE_LENGTH",
    "credit_code_check_char",
    "credit_code_problem",
    "is_valid_credit_code",
    "make_credit_code",
    "org_code_check_char",
)

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CODE_LENGTH = 18
_VALUES = {char: value for value, char in enumerate(ALPHABET)}
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_BODY = re.compile(r"^[0-9A-Z]{8}$")


def credit_code_check_char(first17: str) -> str:
    """The check character (position 18) of a code whose first 17 characters are ``first17``."""
    if len(first17) != CODE_LENGTH - 1 or any(c not in _VALUES for c in first17):
        msg = f"need 17 characters of {ALPHABET}, got {first17!r}"
        raise ValueError(msg)
    total = sum(_VALUES[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(body8: str) -> str:
    """The GB 11714 check character of an organization code whose first 8 characters are ``body8``."""
    if not _ORG_BODY.match(body8):
        msg = f"need 8 digits or capital letters, got {body8!r}"
        raise ValueError(msg)
    total = sum(int(c, 36) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def make_credit_code(prefix8: str, org_body8: str) -> str:
    """A valid code from its first 8 characters (department, kind, area) and an 8-character organization code body.

    Used by the demo data and the tests; both check characters are computed.
    """
    first17 = prefix8 + org_body8 + org_code_check_char(org_body8)
    return first17 + credit_code_check_char(first17)


def credit_code_problem(code: str) -> str | None:
    """What is wrong with ``code`` (a short English key), or ``None`` when it is valid.

    ``"length"``: not 18 characters; ``"charset"``: a character outside the alphabet (I, O,
    Z, S, V, lower case …); ``"area"``: positions 3–8 are not 6 digits; ``"org_code"``: the
    organization code's own check character is wrong; ``"check"``: the last character is wrong.
    """
    if len(code) != CODE_LENGTH:
        return "length"
    if any(c not in _VALUES for c in code):
        return "charset"
    if not code[2:8].isdigit():
        return "area"
    body, org_check = code[8:16], code[16]
    # The organization-code part may itself contain only the code alphabet here; its check
    # character may be X (which is in the alphabet) or a digit.
    if _ORG_BODY.match(body) and org_code_check_char(body) != org_check:
        return "org_code"
    if credit_code_check_char(code[:17]) != code[17]:
        return "check"
    return None


def is_valid_credit_code(code: str) -> bool:
    """Whether ``code`` is a well-formed unified social credit code with both check characters right."""
    return credit_code_problem(code) is None
