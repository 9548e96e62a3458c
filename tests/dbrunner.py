"""A transaction runner for tests of core primitives (ledger, votes) that drive the database directly."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from core.db import create_engine, session_factory

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("Db",)


class Db:
    """Runs ``fn(session)`` in one transaction on one event loop (committed on success, rolled back on error)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.runner = asyncio.Runner()
        self.engine = self.runner.run(self._engine())
        self.factory = session_factory(self.engine)

    async def _engine(self) -> Any:
        return create_engine(self.url)

    async def _tx(self, fn: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
        async with self.factory() as session:
            try:
                result = await fn(session)
            except BaseException:
                await session.rollback()
                raise
            await session.commit()
            return result

    def __call__(self, fn: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
        return self.runner.run(self._tx(fn))

    def run(self, coro: Awaitable[Any]) -> Any:
        """Run any coroutine on this loop (e.g. parallel jobs on their own engines)."""
        return self.runner.run(coro)  # type: ignore[arg-type]

    def close(self) -> None:
        self.runner.run(self.engine.dispose())
        self.runner.close()
