"""Running async set-up code from synchronous tests.

Each call runs in a fresh event loop on a worker thread, so it works even while
Playwright's sync API keeps an event loop running in the main thread.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

__all__ = ("run_sync",)

T = TypeVar("T")


def run_sync(func: Callable[[], Awaitable[T]]) -> T:
    """Run ``await func()`` to completion in its own event loop and return the result."""

    async def main() -> T:
        return await func()

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sanshe-testing") as pool:
        return pool.submit(asyncio.run, main()).result()
