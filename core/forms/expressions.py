"""Conditions (``show_if``, ``required_if``, guards, computed fields) in CEL.

CEL, the Common Expression Language, is side-effect free and never ``eval``s Python;
we use the maintained ``cel-python`` implementation. Field keys are the variables:
``channel == "phone" && age >= 60``. Compiled programs are cached by their text, and
results by the text and the values of the names it mentions: a page or a transition
asks the same ``show_if`` many times over the same data (each field's visibility, the
step's required fields, validation), and cel-python's evaluation is slow in Python.
"""

from __future__ import annotations

import copy
import json
import re
from functools import lru_cache
from typing import Any

import celpy
from celpy import celtypes

__all__ = ("ExpressionError", "check", "evaluate", "evaluate_value")

_env = celpy.Environment()
# Every word that could be a variable (string literals and member names included: a
# superset is harmless, only the values of these names are looked at).
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class ExpressionError(ValueError):
    """An expression that does not parse, or names something that is not a field."""


@lru_cache(maxsize=4096)
def _program(expression: str) -> celpy.Runner:
    try:
        return _env.program(_env.compile(expression))
    except celpy.CELParseError as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else "syntax error"
        msg = f"条件无法解析 / condition does not parse: {expression!r} ({first_line})"
        raise ExpressionError(msg) from None


def _activation(data: dict[str, Any]) -> dict[str, Any]:
    return {key: celpy.json_to_cel(_jsonable(value)) for key, value in data.items()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _to_python(value: Any) -> Any:
    if isinstance(value, celtypes.BoolType):
        return bool(value)
    if isinstance(value, (celtypes.IntType, celtypes.UintType)):
        return int(value)
    if isinstance(value, celtypes.DoubleType):
        return float(value)
    if isinstance(value, celtypes.StringType):
        return str(value)
    if isinstance(value, celtypes.ListType):
        return [_to_python(v) for v in value]
    if isinstance(value, celtypes.MapType):
        return {str(k): _to_python(v) for k, v in value.items()}
    return value


def check(expression: str, sample: dict[str, Any]) -> None:
    """Raise :class:`ExpressionError` unless ``expression`` parses and uses only names in ``sample``.

    ``sample`` maps every field key to a value of the field's type; an undeclared
    name or a type clash shows up as an evaluation error.
    """
    program = _program(expression)
    try:
        result = program.evaluate(_activation(sample))
    except celpy.CELEvalError as exc:
        raise ExpressionError(_eval_message(expression, exc)) from None
    if isinstance(result, celpy.CELEvalError):
        raise ExpressionError(_eval_message(expression, result))


def _eval_message(expression: str, exc: Exception) -> str:
    text = str(exc.args[0]) if exc.args else str(exc)
    if "undeclared reference to" in text:
        name = text.split("undeclared reference to ", 1)[1].split(" ", 1)[0].strip("'\"")
        return f"条件引用了不存在的字段 {name} / condition refers to unknown field {name!r}: {expression!r}"
    return f"条件无法计算 / condition cannot be evaluated: {expression!r} ({text[:120]})"


def evaluate(expression: str, data: dict[str, Any]) -> bool:
    """Evaluate a condition on ``data``; an error (e.g. a missing value) counts as false."""
    value = evaluate_value(expression, data)
    return value is True


def evaluate_value(expression: str, data: dict[str, Any]) -> Any:
    """Evaluate an expression on ``data`` and return a Python value (``None`` on error)."""
    names = _names(expression)
    used = tuple(sorted((k, _frozen(data[k])) for k in names if k in data))
    result = _evaluate_cached(expression, used)
    return copy.deepcopy(result) if isinstance(result, (list, dict)) else result


@lru_cache(maxsize=4096)
def _names(expression: str) -> frozenset[str]:
    return frozenset(_NAME_RE.findall(expression))


def _frozen(value: Any) -> str:
    return json.dumps(_jsonable(value), sort_keys=True, ensure_ascii=False)


@lru_cache(maxsize=16384)
def _evaluate_cached(expression: str, used: tuple[tuple[str, str], ...]) -> Any:
    program = _program(expression)
    activation = {key: celpy.json_to_cel(json.loads(value)) for key, value in used}
    try:
        result = program.evaluate(activation)
    except (celpy.CELEvalError, TypeError, ValueError, ZeroDivisionError):
        return None
    if isinstance(result, celpy.CELEvalError):
        return None
    return _to_python(result)
