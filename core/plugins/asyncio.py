"""Calling hooks whose implementations may be sync or async."""

from __future__ import annotations

import inspect
from typing import Any

__all__ = ("await_me_maybe", "call_hook", "first_result")


async def await_me_maybe(value: Any) -> Any:
    """Await ``value`` if it is awaitable, call it first if it is a plain callable returning one."""
    if inspect.isawaitable(value):
        return await value
    return value


async def call_hook(caller: Any, **kwargs: Any) -> list[Any]:
    """Call a hook caller and return every non-``None`` result, awaited, in pluggy's order."""
    results = []
    for value in caller(**kwargs):
        resolved = await await_me_maybe(value)
        if resolved is not None:
            results.append(resolved)
    return results


async def first_result(caller: Any, **kwargs: Any) -> Any:
    """Return the first non-``None`` result of a hook, awaited."""
    for value in caller(**kwargs):
        resolved = await await_me_maybe(value)
        if resolved is not None:
            return resolved
    return None


def flatten(results: list[Any]) -> list[Any]:
    """Hooks return lists; join them into one."""
    out: list[Any] = []
    for item in results:
        if isinstance(item, (list, tuple)):
            out.extend(item)
        else:
            out.append(item)
    return out
