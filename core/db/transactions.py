"""When a request's database work is kept: on a 2xx or 3xx answer, unless the handler refused.

Advanced Alchemy's auto-commit handler commits the request's session when the answer is
2xx/3xx and rolls it back otherwise. An htmx refusal is answered 200, though (htmx swaps
nothing on a 4xx), with the reason in the page: a step refused by a plugin's
``after_transition`` after the state was already written must not be committed with it.
A handler that answers a refusal calls :func:`roll_back`; the session is then rolled back
whatever the status. Work the handler committed itself before (pending uploads kept for
the form) stays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from litestar.types import Message, Scope

    Handler = Callable[[Message, Scope], Awaitable[None]]

__all__ = ("is_rolled_back", "roll_back", "rolling_back")

_KEY = "sanshe_roll_back"


def roll_back(scope: Any) -> None:
    """Mark the request (its ``scope``, or the request itself) so its session is rolled back, not committed."""
    getattr(scope, "scope", scope)[_KEY] = True


def is_rolled_back(scope: Any) -> bool:
    """Whether :func:`roll_back` marked the request: its work is not kept whatever its status."""
    return bool(getattr(scope, "scope", scope).get(_KEY))


def rolling_back(handler: Handler) -> Handler:
    """Wrap the auto-commit ``before_send`` handler: a request marked by :func:`roll_back` is rolled back."""

    async def before_send(message: Message, scope: Scope) -> None:
        if message["type"] == "http.response.start" and scope.get(_KEY):  # type: ignore[call-overload]
            message = {**message, "status": 500}  # what the handler decides by; the answer sent is unchanged
        await handler(message, scope)

    return before_send
