"""Running async set-up code from synchronous tests.

:func:`run_sync` runs each call in a fresh event loop on a worker thread, so it works even
while Playwright's sync API keeps an event loop running in the main thread.

:func:`run_in_setup_loop` runs it on the process's one set-up loop instead (a daemon thread,
started on first use), where connections outlive a call: there :func:`engine_for` keeps one
engine per PostgreSQL database, so the many ``seed`` calls of a test share a connection
instead of each starting a server process that loads its catalog caches again (about 13 ms
a call). :func:`dispose_setup_engines` closes them; the fixtures do before they drop a
test's database. The caller's context variables are those the code sees, as with
``asyncio.run``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

__all__ = ("committed", "dispose_setup_engines", "engine_for", "run_in_setup_loop", "run_sync")

T = TypeVar("T")

_setup: list[tuple[asyncio.AbstractEventLoop, threading.Thread]] = []
_setup_lock = threading.Lock()
_engines: dict[tuple[str, str], AsyncEngine] = {}
# No prepared statements kept: a test may change the schema between two calls (migrations).
_NO_STATEMENT_CACHE = {"statement_cache_size": 0, "prepared_statement_cache_size": 0}


def run_sync(func: Callable[[], Awaitable[T]]) -> T:
    """Run ``await func()`` to completion in its own event loop and return the result."""

    async def main() -> T:
        return await func()

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sanshe-testing") as pool:
        return pool.submit(asyncio.run, main()).result()


def _setup_loop() -> tuple[asyncio.AbstractEventLoop, threading.Thread]:
    with _setup_lock:
        if not _setup:
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="sanshe-testing-setup", daemon=True)
            thread.start()
            _setup.append((loop, thread))
        return _setup[0]


def run_in_setup_loop(func: Callable[[], Awaitable[T]]) -> T:
    """Run ``await func()`` on the process's set-up loop and return the result (see the module's doc)."""
    loop, thread = _setup_loop()
    if threading.current_thread() is thread:  # set-up code calling set-up code: the loop is busy with the caller
        return run_sync(func)

    async def main() -> T:
        return await func()

    # The task is made in a copy of this thread's context (call_soon_threadsafe copies it).
    return asyncio.run_coroutine_threadsafe(main(), loop).result()


@contextlib.asynccontextmanager
async def engine_for(url: str) -> AsyncIterator[AsyncEngine]:
    """An engine for ``url``: on the set-up loop a PostgreSQL database's kept one, else a new one, disposed after."""
    from core.db.engine import create_engine, is_sqlite  # noqa: PLC0415

    in_setup_loop = bool(_setup) and asyncio.get_running_loop() is _setup[0][0]
    if not in_setup_loop or is_sqlite(url):
        engine = create_engine(url)
        try:
            yield engine
        finally:
            await engine.dispose()
        return
    key = (url, os.environ.get("SANSHE_DATABASE_POOLER", ""))
    if key not in _engines:
        _engines[key] = create_engine(url, connect_args=dict(_NO_STATEMENT_CACHE))
    yield _engines[key]


def committed(url: str, func: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``await func(session)`` on the set-up loop in one transaction on ``url``, commit, and return its result."""
    from core.db import session_factory  # noqa: PLC0415

    async def work() -> T:
        async with engine_for(url) as engine, session_factory(engine)() as session:
            result = await func(session)
            await session.commit()
            return result

    return run_in_setup_loop(work)


def dispose_setup_engines() -> None:
    """Close the engines kept on the set-up loop (before a test's database is dropped)."""
    if not _engines:
        return
    engines = list(_engines.values())
    _engines.clear()

    async def dispose() -> None:
        for engine in engines:
            await engine.dispose()

    run_in_setup_loop(dispose)
