"""Core statements compiled once and sent on the driver, in the session's transaction.

SQLAlchemy's execution of a statement costs Python every time: an execution context, the
cache key, a cursor wrapper, a result object, a greenlet switch. On a small statement on a
hot path that is more than the database's own work: a tidal allocation (two statements)
spent about a third of its time there (bench/parking_bench.py). :class:`DriverStatement`
keeps what matters of SQLAlchemy and leaves the rest:

- the SQL is SQLAlchemy's: the statement is a Core construct, compiled by the connection's
  dialect once per dialect (and, for many rows, per set of columns);
- parameters go through the column types' bind processors, and result columns through
  their result processors, as SQLAlchemy's execution would;
- it runs on the connection the session holds, inside its transaction (begun as SQLAlchemy
  begins it: ``BEGIN IMMEDIATE`` on SQLite, the asyncpg adapter's transaction on
  PostgreSQL), and a driver error is raised as SQLAlchemy raises it
  (:class:`sqlalchemy.exc.IntegrityError`, :class:`~sqlalchemy.exc.OperationalError` …).

What it does not do: no events fire (no ``before_cursor_execute``, no ORM events, so no
tenant scoping: put the district in the statement, as any Core statement must), and
statements with expanding ``IN`` parameters or Python-side column defaults are refused
when compiled. Use it where a benchmark shows the need; everywhere else use
``session.execute``.

    ALLOCATE = DriverStatement(insert(table).from_select(...).returning(table.c.id))
    connection = await session.connection()
    row = await ALLOCATE.first(connection, {"space": 7, ...})
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy.exc import DBAPIError, InvalidRequestError

from core.db.sqlite_trips import run_many, run_one

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from sqlalchemy.engine import Dialect
    from sqlalchemy.ext.asyncio import AsyncConnection
    from sqlalchemy.sql import ClauseElement, Executable

__all__ = ("DriverStatement",)


class _Compiled:
    """One statement compiled for one dialect: its SQL, and how to turn parameters and rows."""

    __slots__ = ("binds", "columns", "defaults", "required", "sql")

    def __init__(self, statement: Executable, dialect: Dialect, column_keys: Sequence[str] | None) -> None:
        keys = list(column_keys) if column_keys else None
        compiled: Any = cast("ClauseElement", statement).compile(dialect=dialect, column_keys=keys)
        if compiled.literal_execute_params or compiled.post_compile_params:
            msg = "DriverStatement: expanding or literal-execute parameters are not supported"
            raise InvalidRequestError(msg)
        if compiled.insert_prefetch or compiled.update_prefetch:
            msg = "DriverStatement: give every column a value (Python-side defaults are not run)"
            raise InvalidRequestError(msg)
        if not compiled.positional:  # both drivers of the app are positional (qmark, numeric_dollar)
            msg = f"DriverStatement: {dialect.name} has named parameters"
            raise InvalidRequestError(msg)
        self.sql: str = compiled.string
        processors = compiled._bind_processors  # what SQLAlchemy's execution applies
        self.binds: list[tuple[str, Any]] = [(name, processors.get(name)) for name in compiled.positiontup]
        self.defaults: dict[str, Any] = compiled.construct_params(escape_names=False, _check=False)
        self.required = frozenset(name for bind, name in compiled.bind_names.items() if bind.required)
        columns = [c.type._cached_result_processor(dialect, None) for c in compiled._result_columns]
        self.columns: list[Any] | None = columns if any(columns) else None

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        out = []
        for name, process in self.binds:
            if name in params:
                value = params[name]
            elif name in self.required:
                msg = f"DriverStatement: a value is required for the parameter {name!r}"
                raise InvalidRequestError(msg)
            else:
                value = self.defaults[name]
            out.append(value if process is None else process(value))
        return out

    def rows(self, rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
        if self.columns is None:
            return [tuple(row) for row in rows]
        columns = self.columns
        return [tuple(v if p is None else p(v) for p, v in zip(columns, row, strict=True)) for row in rows]


class DriverStatement:
    """A Core statement sent on the session connection's driver (see the module's text)."""

    __slots__ = ("_compiled", "statement")

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: weakref.WeakKeyDictionary[Dialect, dict[tuple[str, ...] | None, _Compiled]] = (
            weakref.WeakKeyDictionary()
        )

    def _for(self, dialect: Dialect, column_keys: tuple[str, ...] | None = None) -> _Compiled:
        shapes = self._compiled.setdefault(dialect, {})
        compiled = shapes.get(column_keys)
        if compiled is None:
            compiled = shapes[column_keys] = _Compiled(self.statement, dialect, column_keys)
        return compiled

    async def all(self, connection: AsyncConnection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run it once with ``params``; its rows (an empty list for a statement returning none)."""
        compiled = self._for(connection.dialect)
        arguments = compiled.arguments(params)
        return compiled.rows(await _driver(connection).fetch(compiled.sql, arguments))

    async def first(self, connection: AsyncConnection, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """Run it once with ``params``; its first row, or ``None``."""
        rows = await self.all(connection, params)
        return rows[0] if rows else None

    async def executemany(self, connection: AsyncConnection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run it once per parameter row, in one call to the driver (an INSERT of many rows)."""
        if not rows:
            return
        compiled = self._for(connection.dialect, tuple(rows[0]))
        await _driver(connection).executemany(compiled.sql, [compiled.arguments(row) for row in rows])


class _Driver:
    """The driver calls of one backend, errors raised as SQLAlchemy raises them."""

    def __init__(self, dialect: Dialect, adapter: Any) -> None:
        self.dialect, self.adapter = dialect, adapter

    def _wrapped(self, sql: str, arguments: Any, error: Exception) -> Exception:
        dbapi = self.dialect.loaded_dbapi
        if isinstance(error, dbapi.Error):
            return DBAPIError.instance(sql, arguments, error, dbapi.Error)
        return error

    async def fetch(self, sql: str, arguments: list[Any]) -> Sequence[Sequence[Any]]:
        raise NotImplementedError

    async def executemany(self, sql: str, rows: list[list[Any]]) -> None:
        raise NotImplementedError


class _Sqlite(_Driver):
    """aiosqlite: one trip to its thread per statement (core.db.sqlite_trips)."""

    async def fetch(self, sql: str, arguments: list[Any]) -> Sequence[Sequence[Any]]:
        try:
            return await run_one(self.adapter.driver_connection, sql, arguments)
        except Exception as error:
            raise self._wrapped(sql, arguments, error) from error

    async def executemany(self, sql: str, rows: list[list[Any]]) -> None:
        try:
            await run_many(self.adapter.driver_connection, sql, rows)
        except Exception as error:
            raise self._wrapped(sql, rows, error) from error


class _Asyncpg(_Driver):
    """asyncpg through SQLAlchemy's adapter: its lock, its transaction, its prepared statements."""

    def _wrapped(self, sql: str, arguments: Any, error: Exception) -> Exception:
        try:
            self.adapter._handle_exception(error)  # asyncpg's error as the adapter's DB-API error (it raises)
        except Exception as translated:  # noqa: BLE001 - what it raised is the error to wrap
            error = translated
        dbapi: Any = self.dialect.loaded_dbapi
        if isinstance(error, (dbapi.InvalidCachedStatementError, dbapi.InternalServerError)):
            # The schema changed under a prepared statement: every connection prepares again, as
            # SQLAlchemy's own execution context makes them (PGExecutionContext_asyncpg).
            self.dialect._invalidate_schema_cache()  # type: ignore[attr-defined]
        return super()._wrapped(sql, arguments, error)

    async def fetch(self, sql: str, arguments: list[Any]) -> Sequence[Sequence[Any]]:
        adapter = self.adapter
        try:
            async with adapter._execute_mutex:
                await self._begin()
                prepared, _attributes = await adapter._prepare(sql, self.dialect._invalidate_schema_cache_asof)  # type: ignore[attr-defined]
                return await prepared.fetch(*arguments)
        except Exception as error:
            raise self._wrapped(sql, arguments, error) from error

    async def executemany(self, sql: str, rows: list[list[Any]]) -> None:
        adapter = self.adapter
        try:
            async with adapter._execute_mutex:
                await self._begin()
                await adapter._connection.executemany(sql, rows)  # as the adapter's cursor does
        except Exception as error:
            raise self._wrapped(sql, rows, error) from error

    async def _begin(self) -> None:
        adapter = self.adapter
        if not adapter._started:  # the adapter begins its transaction at the first statement
            await adapter._start_transaction()


def _driver(connection: AsyncConnection) -> _Driver:
    """The driver of the connection a session holds; refused outside a transaction (it would autocommit)."""
    if not connection.in_transaction():
        msg = "DriverStatement: the connection is not in a transaction (use `await session.connection()`)"
        raise InvalidRequestError(msg)
    dialect = connection.dialect
    adapter = connection.sync_connection.connection.dbapi_connection  # type: ignore[union-attr]
    if dialect.driver == "aiosqlite":
        return _Sqlite(dialect, adapter)
    if dialect.driver == "asyncpg":
        return _Asyncpg(dialect, adapter)
    msg = f"DriverStatement: no driver path for {dialect.name}+{dialect.driver}"
    raise InvalidRequestError(msg)
