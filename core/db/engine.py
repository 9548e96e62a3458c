"""Engines and session factories for the app, the CLI and the tests."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.util import LRUCache
from sqlalchemy.util.concurrency import await_only, in_greenlet

from core.db.sqlite_trips import one_trip

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlalchemy.engine.interfaces import DBAPIConnection
    from sqlalchemy.pool import ConnectionPoolEntry

__all__ = (
    "READ_ONLY_METHODS",
    "create_engine",
    "is_busy",
    "is_sqlite",
    "is_unavailable",
    "pooler_connect_args",
    "session_factory",
    "share_compilation",
    "writes",
)

# SQLite: whether the transactions begun in this context will write (set per request by
# core.db.transactions.transactions: False for GET/HEAD/OPTIONS). A write transaction
# begins with BEGIN IMMEDIATE: it takes the database's write lock at its start (waiting up
# to the busy timeout behind other writers) instead of at its first write, where a
# transaction that read an older snapshot would fail at once with "database is locked"
# (SQLite cannot wait there). A read-only request begins deferred and never holds the lock.
writes: ContextVar[bool] = ContextVar("sanshe_sqlite_writes", default=True)

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# How long a SQLite writer waits for the write lock before giving up (the request then
# answers 503, see core.web.errors). Read at each BEGIN.
SQLITE_BUSY_TIMEOUT_MS = 10_000

# How long SQLite itself waits inside one statement (its busy handler). Kept short: while
# a statement waits there, its thread holds the connection's mutex, and anything else
# touching that connection blocks on it. The event loop does, when the garbage collector
# happens to finalize one of that connection's cursors there: every request of the
# process then stood still until the waiter gave up (10 parallel writes, several 503s
# after 10 s). The long wait of a writer for the lock is therefore done by _sqlite_begin,
# with asyncio sleeps between short tries, holding no mutex. (A read-only transaction keeps
# the long busy timeout: if it writes after all, it cannot retry its BEGIN.)
SQLITE_STATEMENT_BUSY_MS = 50


def is_sqlite(url: str) -> bool:
    """Tell whether a database URL points at SQLite."""
    return url.startswith("sqlite")


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry) -> None:
    # WAL lets readers work while one writer commits; the busy timeout is set per transaction
    # by _sqlite_begin (short for writers, see SQLITE_STATEMENT_BUSY_MS); foreign keys are off
    # by default in SQLite.
    # The driver must not begin transactions itself: _sqlite_begin does, IMMEDIATE or not.
    one_trip(dbapi_connection)  # each statement in one trip to aiosqlite's thread (core.db.sqlite_trips)
    dbapi_connection.isolation_level = None  # type: ignore[attr-defined]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_STATEMENT_BUSY_MS)}")
    record.info["sanshe_busy_ms"] = SQLITE_STATEMENT_BUSY_MS
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _busy_timeout(connection: Connection, ms: int) -> None:
    """Set SQLite's busy timeout of this connection (remembered per connection: no statement when unchanged)."""
    if connection.info.get("sanshe_busy_ms") != ms:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={int(ms)}")
        connection.info["sanshe_busy_ms"] = ms


def _begin_immediate(connection: Connection) -> None:
    """``BEGIN IMMEDIATE`` handed to aiosqlite's thread directly, in one trip (``execute_fetchall``).

    SQLAlchemy's execution of the same text builds an execution context: on a small write
    transaction (a tidal allocation) that was a tenth of its time (bench/parking_bench.py).
    A failure is raised wrapped, as SQLAlchemy's execution would raise it (``is_busy`` reads it the same way).
    """
    if not in_greenlet():  # a synchronous caller: no event loop to hand the statement to
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    driver = connection.connection.driver_connection
    try:
        await_only(driver.execute_fetchall("BEGIN IMMEDIATE"))  # type: ignore[union-attr]
    except sqlite3.Error as exc:
        raise DBAPIError.instance("BEGIN IMMEDIATE", None, exc, sqlite3.Error) from exc


def _sqlite_begin(connection: Connection) -> None:
    if not writes.get():
        # A read that writes after all (a notice marked read when opened) waits for the lock in
        # SQLite's busy handler: rare, and it cannot retry its BEGIN. If its snapshot went stale
        # meanwhile, core.db.transactions runs the request again as a writer.
        _busy_timeout(connection, SQLITE_BUSY_TIMEOUT_MS)
        connection.exec_driver_sql("BEGIN")
        return
    _busy_timeout(connection, SQLITE_STATEMENT_BUSY_MS)
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    pause = 0.002
    while True:
        try:
            _begin_immediate(connection)
        except OperationalError as exc:
            if not is_busy(exc) or time.monotonic() >= deadline:
                raise
        else:
            return
        # Another writer holds the lock: wait without holding the connection (see above).
        if in_greenlet():
            await_only(asyncio.sleep(pause))
        else:  # a synchronous caller (none in the app; a script using engine.sync_engine)
            time.sleep(pause)
        pause = min(pause * 2, 0.05)


# What a database answers when it could not give a transaction its turn: SQLite's write lock
# still held after the busy timeout; PostgreSQL's deadlock (40P01), serialization failure
# (40001) and lock timeout (55P03). Nothing was written; trying again later works.
_BUSY_TEXT = ("database is locked", "database table is locked", "database is busy")
_BUSY_CODES = frozenset({"40P01", "40001", "55P03"})


def is_busy(exc: BaseException) -> bool:
    """Whether a database error means "busy, try again in a moment" (answered 503), not a bug."""
    orig = getattr(exc, "orig", None)
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    code = code or getattr(getattr(orig, "__cause__", None), "sqlstate", None)
    return code in _BUSY_CODES or any(text in str(orig or exc).lower() for text in _BUSY_TEXT)


# The database went away under a request or cannot be reached: connection exceptions (08…),
# an administrator's or a crash's shutdown and "cannot connect now" (57P01/2/3), a standby
# that refuses writes (25006: the app reached a server not yet promoted); asyncpg's refused
# or reset connection (raw OSErrors, not wrapped by SQLAlchemy) and "no server of the
# multi-host URL is read-write". During a failover: answered 503 "try again", never 500.
_UNAVAILABLE_CODES = ("08", "57P01", "57P02", "57P03", "25006")
_UNAVAILABLE_NAMES = frozenset({"TargetServerAttributeNotMatched", "ConnectionDoesNotExistError"})


def is_unavailable(exc: BaseException) -> bool:
    """Whether an error means "the database cannot be reached right now" (answered 503 "try again")."""
    if getattr(exc, "connection_invalidated", False):
        return True
    orig = getattr(exc, "orig", None)
    for error in (exc, orig, getattr(orig, "__cause__", None)):
        if error is None:
            continue
        if isinstance(error, (ConnectionError, TimeoutError)) or type(error).__name__ in _UNAVAILABLE_NAMES:
            return True
        code = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
        if isinstance(code, str) and code.startswith(_UNAVAILABLE_CODES):
            return True
    return False


POOLERS = frozenset({"", "pgbouncer"})


def _statement_name() -> str:
    return f"__asyncpg_{uuid4().hex}__"


def pooler_connect_args(pooler: str | None = None) -> dict[str, Any]:
    """asyncpg's arguments for a connection pooler in transaction mode (``SANSHE_DATABASE_POOLER``).

    Behind PgBouncer in ``pool_mode = transaction`` consecutive transactions of one client
    connection run on different server connections, and two clients share one. asyncpg's
    statement cache (and SQLAlchemy's) would reuse a prepared statement on a server
    connection that never saw it, and asyncpg's counter names (``__asyncpg_stmt_1__``)
    collide between clients: so no caches, and every prepared statement gets a unique name
    (SQLAlchemy's documented recipe). ``{}`` without a pooler.
    """
    pooler = (os.environ.get("SANSHE_DATABASE_POOLER", "") if pooler is None else pooler).strip().lower()
    if pooler not in POOLERS:
        msg = f"SANSHE_DATABASE_POOLER 只能是 pgbouncer 或留空 / must be 'pgbouncer' or empty, not {pooler!r}"
        raise ValueError(msg)
    if not pooler:
        return {}
    return {
        "statement_cache_size": 0,
        "prepared_statement_cache_size": 0,
        "prepared_statement_name_func": _statement_name,
    }


# Set by share_compilation: per kind of dialect, the dialect and compiled statements engines share.
_shared_compilation: dict[type, tuple[Any, Any]] | None = None
SHARED_COMPILED_STATEMENTS = 3000  # SQLAlchemy's default of 500 per engine is for one app's statements


def share_compilation(*, on: bool = True) -> None:
    """Make the engines created from now on in this process compile each statement once for all.

    SQLAlchemy keeps the SQL it compiled for a statement on the engine, keyed by the
    engine's dialect object, so a new engine compiles every statement again. Tests turn
    this on (core.testing.plugin): each test has a database, hence an engine, of its own,
    and in a sample of the suite 94 % of the compilations were of statements compiled
    already for an earlier test's engine, about a sixth of the tests' CPU. An engine then
    takes the dialect and the compiled statements of the first engine of its kind (the
    same dialect class: backend and driver) that connected, so whose dialect has read the
    server's settings. Production makes one engine per database and leaves this off.
    """
    global _shared_compilation  # noqa: PLW0603 - a process-wide switch
    if not on:
        _shared_compilation = None
    elif _shared_compilation is None:
        _shared_compilation = {}


def _share_compilation(engine: AsyncEngine) -> None:
    shared = _shared_compilation
    if shared is None:
        return
    sync = engine.sync_engine
    kind = type(sync.dialect)
    if kind in shared:
        sync.dialect, sync._compiled_cache = shared[kind]
        return

    def connected(*_: object) -> None:  # SQLAlchemy's first connect has initialized the dialect
        if kind not in shared:
            sync._compiled_cache = LRUCache(SHARED_COMPILED_STATEMENTS)
            shared[kind] = (sync.dialect, sync._compiled_cache)

    event.listen(sync.pool, "connect", connected, once=True)


def create_engine(url: str, *, pooler: str | None = None, **kwargs: Any) -> AsyncEngine:
    """Create an async engine with the settings Sanshe relies on for each backend.

    ``pooler`` (default: ``SANSHE_DATABASE_POOLER``) is ``"pgbouncer"`` when the PostgreSQL
    URL points at PgBouncer in transaction mode (docs/deployment-database.md).
    """
    if is_sqlite(url):
        kwargs.setdefault("connect_args", {"timeout": SQLITE_STATEMENT_BUSY_MS / 1000})
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        _share_compilation(engine)
        return engine
    if "poolclass" not in kwargs:  # tests pass NullPool (one event loop per TestClient)
        kwargs.setdefault("pool_pre_ping", True)
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 20)
    if extra := pooler_connect_args(pooler):
        kwargs["connect_args"] = {**extra, **kwargs.get("connect_args", {})}
    engine = create_async_engine(url, **kwargs)
    _share_compilation(engine)
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """A session factory that keeps loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)
