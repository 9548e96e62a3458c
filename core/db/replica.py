"""Read replicas: which PostgreSQL server a read-only request reads from, and read-your-writes.

``SANSHE_DATABASE_REPLICA_URL`` names one or more streaming replicas (comma separated; each
URL one server). A request that only reads (``core.db.transactions``: GET/HEAD/OPTIONS,
``writes`` false) reads from a replica; everything else, and every statement run once a
request starts writing (``writes`` set true mid-request, e.g. a flash message taken out of
the session), goes to the primary. The routing is the request session's ``get_bind``
(:func:`route_sessions`, SQLAlchemy's documented way to pick an engine per statement);
other sessions (background jobs, the CLI) always use the primary.

**Read-your-writes.** After a request that wrote commits, the primary's WAL insert position
(``pg_current_wal_insert_lsn()``, past the commit record even with asynchronous commit) is
kept in the browser's ``sanshe_lsn`` cookie. A later read of that browser goes to a replica
only when its ``pg_last_wal_replay_lsn()`` has reached that position, else to the primary.
Other users' reads do not carry the position and read from a replica at once.

**Never an error page.** Each replica's state (in recovery, replay position, lag) is checked
at most once a second per process (and again when a user needs a newer position); a replica
that does not answer within two seconds, is not in recovery (promoted) or lags more than
``SANSHE_DATABASE_REPLICA_MAX_LAG`` seconds is skipped, and a down one is tried again after
five seconds. A read that fails on a replica anyway (the server stopped between the check and
the read, or the page wrote after all: a standby refuses writes) is run again on the primary
by ``core.db.transactions``; the user sees only the second answer.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.orm import Session
from sqlalchemy.pool import AsyncAdaptedQueuePool

from core.db.engine import create_engine, is_sqlite, writes

if TYPE_CHECKING:
    from collections.abc import Sequence

    from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig
    from litestar import Litestar
    from litestar.types import Scope
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

__all__ = (
    "LSN_COOKIE",
    "Replicas",
    "close_replicas",
    "format_lsn",
    "parse_lsn",
    "reading_from",
    "replica_urls",
    "route_sessions",
    "wanted_position",
)

logger = logging.getLogger(__name__)

LSN_COOKIE = "sanshe_lsn"
LSN_COOKIE_MAX_AGE = 24 * 3600
CHECK_EVERY = 1.0  # seconds a replica's state is trusted
DOWN_FOR = 5.0  # seconds a replica that failed is left alone
CHECK_TIMEOUT = 2.0  # seconds a replica has to answer the check (and to connect)

# The replica the current request reads from (set by core.db.transactions for a read-only run).
reading_from: ContextVar[AsyncEngine | None] = ContextVar("sanshe_reading_from", default=None)

_STATE = text(
    "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, "
    "CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0 "
    "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
)
_POSITION = text("SELECT pg_current_wal_insert_lsn()::text")


def parse_lsn(value: str | None) -> int:
    """A WAL position ``"16/B374D848"`` as a number (0 when absent or malformed)."""
    if not value or "/" not in value:
        return 0
    high, _, low = value.strip().partition("/")
    try:
        return (int(high, 16) << 32) | int(low, 16)
    except ValueError:
        return 0


def format_lsn(position: int) -> str:
    """A number as PostgreSQL writes a WAL position."""
    return f"{position >> 32:X}/{position & 0xFFFFFFFF:X}"


def replica_urls(raw: str | Sequence[str] | None) -> tuple[str, ...]:
    """The replica URLs of ``SANSHE_DATABASE_REPLICA_URL`` (comma separated) or of a sequence."""
    if not raw:
        return ()
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    return tuple(u.strip() for u in items if u.strip())


def _get_bind(self: Session, mapper: Any = None, clause: Any = None, **kw: Any) -> Any:
    """The request session's ``get_bind``: a read-only run's statements go to its replica, all others to the primary."""
    replica = reading_from.get()
    if replica is not None and not writes.get():
        return replica.sync_engine
    return Session.get_bind(self, mapper=mapper, clause=clause, **kw)


def route_sessions(config: SQLAlchemyAsyncConfig) -> None:
    """Make the request sessions of ``config`` read from :data:`reading_from` (the app does, replicas or not).

    Advanced Alchemy gives its async sessions a ``sessionmaker`` of its own as their sync
    session class (its listeners live on that maker's private subclass of ``Session``);
    that private class gets the routing ``get_bind`` (SQLAlchemy's documented way to pick
    an engine per statement).
    """
    maker: Any = config.create_session_maker()
    sync = maker.kw.get("sync_session_class")
    target = getattr(sync, "class_", sync)
    if not (isinstance(target, type) and issubclass(target, Session)) or target is Session:
        msg = "the request session's class cannot be routed to replicas"
        raise TypeError(msg)
    target.get_bind = _get_bind  # type: ignore[method-assign]


@dataclass
class _Replica:
    url: str
    engine: AsyncEngine
    usable: bool = False
    replayed: int = 0
    checked: float = float("-inf")  # time.monotonic() of the last check

    def __str__(self) -> str:
        return self.url.split("@")[-1]  # host:port/db, never the password


class Replicas:
    """The configured replicas of one app (one per process): choose one for a read; where a write ended."""

    def __init__(self, urls: Sequence[str], primary: AsyncEngine, *, max_lag: float = 10.0) -> None:
        if any(is_sqlite(u) for u in urls) or (urls and primary.dialect.name != "postgresql"):
            msg = "SANSHE_DATABASE_REPLICA_URL 只用于 PostgreSQL / read replicas need PostgreSQL"
            raise ValueError(msg)
        # Tests give the app a pool of their own (one event loop per test client): the replicas use the same kind.
        default = isinstance(primary.pool, AsyncAdaptedQueuePool)
        kwargs: dict[str, Any] = {} if default else {"poolclass": type(primary.pool)}
        kwargs["connect_args"] = {"timeout": CHECK_TIMEOUT}
        self.max_lag = max_lag
        self._replicas = [_Replica(url, create_engine(url, **kwargs)) for url in urls]

    @property
    def engines(self) -> list[AsyncEngine]:
        return [r.engine for r in self._replicas]

    async def _check(self, replica: _Replica) -> None:
        async def state() -> tuple[bool, str | None, float]:
            async with replica.engine.connect() as conn:
                row = (await conn.execute(_STATE)).one()
                return bool(row[0]), row[1], float(row[2] or 0)

        was = replica.usable
        try:
            recovering, replayed, lag = await asyncio.wait_for(state(), CHECK_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 - down, refusing, too slow: skipped for a while, never an error
            replica.usable, replica.checked = False, time.monotonic() + DOWN_FOR - CHECK_EVERY
            if was or replica.replayed == 0:
                logger.warning("read replica %s skipped: %s", replica, exc)
            replica.replayed = max(replica.replayed, 1)
            return
        replica.checked = time.monotonic()
        replica.replayed = max(parse_lsn(replayed), 1)
        replica.usable = recovering and replayed is not None and lag <= self.max_lag
        if was and not replica.usable:
            why = "not in recovery (promoted?)" if not recovering else f"lagging {lag:.1f} s"
            logger.warning("read replica %s skipped: %s", replica, why)

    async def choose(self, wanted: int = 0) -> AsyncEngine | None:
        """A replica that is up, lags at most ``max_lag`` and has replayed past ``wanted``; ``None``: the primary."""
        now = time.monotonic()
        stale = [r for r in self._replicas if now - r.checked >= CHECK_EVERY]
        # Only when it could help: a known-usable replica behind the user's last write is asked again.
        stale += [r for r in self._replicas if r.usable and r.replayed < wanted and r not in stale]
        if stale:
            await asyncio.gather(*(self._check(r) for r in stale))
        fit = [r for r in self._replicas if r.usable and r.replayed >= wanted]
        return random.choice(fit).engine if fit else None  # noqa: S311 - load spreading, not security

    def failed(self, engine: AsyncEngine) -> None:
        """A read on ``engine`` failed: check it again before the next read uses it."""
        for replica in self._replicas:
            if replica.engine is engine:
                replica.checked = float("-inf")

    async def position(self, session: AsyncSession) -> int:
        """The primary's WAL insert position now (after the request's commit), on the request's session."""
        token = writes.set(True)  # the primary, whatever the request was
        try:
            return parse_lsn((await session.execute(_POSITION)).scalar_one())
        finally:
            writes.reset(token)

    async def close(self) -> None:
        for replica in self._replicas:
            await replica.engine.dispose()


def wanted_position(scope: Scope) -> int:
    """The WAL position of this browser's last write (its ``sanshe_lsn`` cookie), 0 when none."""
    for name, value in scope.get("headers") or ():
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, lsn = part.strip().partition("=")
                if key == LSN_COOKIE:
                    return parse_lsn(lsn)
    return 0


def lsn_cookie(position: int, *, secure: bool) -> bytes:
    """The ``Set-Cookie`` value that remembers a write's position for read-your-writes."""
    parts = [
        f"{LSN_COOKIE}={format_lsn(position)}",
        "Path=/",
        "HttpOnly",
        "SameSite=Lax",
        f"Max-Age={LSN_COOKIE_MAX_AGE}",
    ]
    if secure:
        parts.append("Secure")
    return "; ".join(parts).encode()


async def close_replicas(app: Litestar) -> None:
    """``on_shutdown``: close the replicas' connection pools."""
    replicas: Replicas | None = app.state.get("db_replicas")
    if replicas is not None:
        await replicas.close()
