"""Methods, options, choices and weights: checking what callers hand in, and putting it in one shape.

Stored choices per method (``None`` is a blank ballot: the voter takes part and picks nothing):

- ``for_against_abstain``: ``"for"``, ``"against"`` or ``"abstain"``;
- ``single``: one option, or ``None`` (``"abstain"`` is accepted for ``None``);
- ``multiple``: a list of distinct options in the vote's order, at most ``max_choices``; ``[]`` is blank;
- ``score``: ``{option: 0..5}`` scoring every option, or ``None``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from core.votes.errors import InvalidChoice, InvalidElectorate, InvalidRequest

__all__ = (
    "ABSTAIN",
    "FOR_AGAINST",
    "MAX_SCORE",
    "Method",
    "check_options",
    "normalize_choice",
    "weight_text",
)

Method = Literal["for_against_abstain", "single", "multiple", "score"]
METHODS: tuple[str, ...] = ("for_against_abstain", "single", "multiple", "score")
FOR_AGAINST = ("for", "against", "abstain")
ABSTAIN = "abstain"
MAX_SCORE = 5
MAX_WEIGHT_TEXT = 40


def check_options(method: str, options: list[str] | None, max_choices: int | None) -> list[str]:
    """The vote's options (the fixed three for ``for_against_abstain``), or :class:`InvalidRequest`."""
    if method not in METHODS:
        raise InvalidRequest(f"未知的表决方式 {method!r}", f"unknown method {method!r}: use {', '.join(METHODS)}")
    if method != "multiple" and max_choices is not None:
        raise InvalidRequest("只有多选表决才有最多可选项数", "max_choices belongs to the multiple method only")
    if method == "for_against_abstain":
        if options and list(options) != list(FOR_AGAINST):
            raise InvalidRequest(
                "赞成/反对/弃权表决的选项是固定的", "for/against/abstain has the fixed options for, against, abstain"
            )
        return list(FOR_AGAINST)
    options = list(options or [])
    if len(options) < 2:
        raise InvalidRequest("至少需要两个选项", "a vote needs at least two options")
    for option in options:
        if not isinstance(option, str) or not option.strip() or len(option) > 200:
            raise InvalidRequest(f"选项必须是非空文本（最多 200 字）：{option!r}", f"bad option {option!r}")
        if option == ABSTAIN:
            raise InvalidRequest("“abstain” 是保留字，不能作选项", "'abstain' is reserved and can't be an option")
    if len(set(options)) != len(options):
        raise InvalidRequest("选项不能重复", "options must be distinct")
    bad_max = isinstance(max_choices, bool) or not isinstance(max_choices, int) or not 1 <= max_choices <= len(options)
    if method == "multiple" and bad_max:
        n = len(options)
        raise InvalidRequest(f"多选表决需要 1 到 {n} 之间的最多可选项数", f"multiple needs max_choices in 1..{n}")
    return options


def _refuse(choice: Any, why_zh: str, why_en: str) -> InvalidChoice:
    return InvalidChoice(f"无效的选择 {choice!r}：{why_zh}", f"invalid choice {choice!r}: {why_en}", choice=choice)


def normalize_choice(method: str, options: list[str], max_choices: int | None, choice: Any) -> Any:
    """The stored form of ``choice`` for this method, or :class:`InvalidChoice`."""
    if method == "for_against_abstain":
        if choice not in FOR_AGAINST or not isinstance(choice, str):
            raise _refuse(choice, "请选 for、against 或 abstain", "use 'for', 'against' or 'abstain'")
        return choice
    if method == "single":
        if choice is None or choice == ABSTAIN:
            return None
        if not isinstance(choice, str) or choice not in options:
            raise _refuse(choice, "不是本表决的选项", "not an option of this vote")
        return choice
    if method == "multiple":
        if isinstance(choice, (str, bytes)) or not isinstance(choice, (list, tuple, set, frozenset)):
            raise _refuse(choice, "多选表决请给出选项列表", "a multiple-choice ballot is a list of options")
        picked = list(choice)
        if any(not isinstance(c, str) or c not in options for c in picked):
            raise _refuse(choice, "含有不是本表决的选项", "names something that is not an option")
        if len(set(picked)) != len(picked):
            raise _refuse(choice, "同一选项选了两次", "names an option twice")
        if max_choices is not None and len(picked) > max_choices:
            raise _refuse(choice, f"最多可选 {max_choices} 项", f"at most {max_choices} options")
        return [o for o in options if o in set(picked)]
    if choice is None or choice == {}:
        return None
    if not isinstance(choice, dict) or set(choice) != set(options):
        raise _refuse(choice, "评分表决须给每个选项打分", "a score ballot scores every option")
    for value in choice.values():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SCORE:
            raise _refuse(choice, f"分数须为 0 到 {MAX_SCORE} 的整数", f"scores are integers 0..{MAX_SCORE}")
    return {o: choice[o] for o in options}


def weight_text(weight: Any, voter_ref: str) -> str:
    """An elector's weight as exact decimal text (``1``, ``89.37``): a positive int or finite Decimal, never float."""
    if isinstance(weight, bool) or not isinstance(weight, (int, Decimal)):
        raise InvalidElectorate(
            f"{voter_ref} 的权重必须是整数或 Decimal（不能是 {type(weight).__name__}）",
            f"the weight of {voter_ref} must be an int or a Decimal, not a {type(weight).__name__}",
        )
    try:
        value = Decimal(weight)
        ok = value.is_finite() and value > 0
    except InvalidOperation:
        ok = False
    if not ok:
        raise InvalidElectorate(f"{voter_ref} 的权重必须为正数：{weight}", f"{voter_ref}: the weight must be positive")
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if len(text) > MAX_WEIGHT_TEXT:
        raise InvalidElectorate(f"{voter_ref} 的权重位数过多", f"the weight of {voter_ref} has too many digits")
    return text
