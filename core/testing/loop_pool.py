"""A connection pool for tests whose app is driven from several event loops (:class:`LoopPool`).

Every ``TestClient`` runs the app in an event loop of its own thread, a live server in
another, and tests may hold several clients of one app at once. An asyncpg connection
belongs to the loop that opened it: handed to another loop by a shared pool it breaks,
and closing it from another loop corrupts it (it crashed the interpreter). Without a pool
(``NullPool``, SQLAlchemy's advice for engines used from several loops) every request
opens a connection: on PostgreSQL a server process that reloads its catalog caches for
each table the request touches.

:class:`LoopPool` keeps the idle connections of each event loop apart: a loop gets only
connections it opened, and a connection goes back to the loop that opened it or, returned
anywhere else, is closed. Disposing the pool (the app's lifespan does when its client
closes) closes the idle connections of the loop that disposes it; another loop's are left
to that loop. Those of a loop that closed without disposing (a client used without its
lifespan) cannot be closed from here: the pool lets go of them when it next opens a
connection, and the test's database is dropped at the end of the test in any case.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from sqlalchemy.pool import Pool

if TYPE_CHECKING:
    from sqlalchemy.pool import ConnectionPoolEntry

__all__ = ("LoopPool",)

_LOOP = "sanshe_loop"


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class LoopPool(Pool):
    """Idle connections kept per event loop; each handed out only in the loop that opened it."""

    def __init__(self, creator: Any, **kwargs: Any) -> None:
        super().__init__(creator, **kwargs)
        # Not weak: an idle connection holds its loop alive. Closed loops are let go in _do_get.
        self._idle: dict[asyncio.AbstractEventLoop, list[ConnectionPoolEntry]] = {}

    def status(self) -> str:
        return f"LoopPool: {sum(map(len, self._idle.values()))} idle in {len(self._idle)} event loops"

    def _do_get(self) -> ConnectionPoolEntry:
        loop = _running_loop()
        idle = self._idle.get(loop) if loop is not None else None
        if idle:
            return idle.pop()
        for closed in [other for other in self._idle if other.is_closed()]:
            del self._idle[closed]
        record = self._create_connection()
        record.info[_LOOP] = loop
        return record

    def _do_return_conn(self, record: ConnectionPoolEntry) -> None:
        loop = _running_loop()
        owner: asyncio.AbstractEventLoop | None = record.info.get(_LOOP)
        if loop is not None and not loop.is_closed() and owner is loop:
            self._idle.setdefault(loop, []).append(record)
        else:
            record.close()

    def dispose(self) -> None:
        loop = _running_loop()
        idle = self._idle.pop(loop, []) if loop is not None else []
        for record in idle:
            record.close()

    def recreate(self) -> LoopPool:
        return self.__class__(
            self._creator,
            recycle=self._recycle,
            echo=self.echo,
            logging_name=self._orig_logging_name,
            reset_on_return=self._reset_on_return,
            pre_ping=self._pre_ping,
            _dispatch=self.dispatch,
            dialect=self._dialect,
        )
