"""SQLite statements in one trip to aiosqlite's thread instead of four.

aiosqlite runs every call on the connection in a thread of its own; each call is a trip
there and back (a queue, a future, a switch of the event loop). SQLAlchemy's aiosqlite
adapter makes four trips per statement: a cursor, the statement, its rows, the cursor's
close. On a small statement the trips cost more than SQLite's work: a tidal allocation
(two statements) spent about half its time on them (bench/parking_bench.py).

:func:`one_trip` gives a connection of the adapter a cursor that sends a function doing
all four in the thread at once. What a statement returns and raises is unchanged (the
adapter's own exception handling wraps failures as before), and a server-side cursor —
which keeps the driver's cursor open — is still the adapter's own.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_connection, AsyncAdapt_aiosqlite_cursor

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Sequence

    import aiosqlite

__all__ = ("one_trip", "run_many", "run_one")


Outcome = tuple[Any, int, "int | None", list[Any]]  # description, rowcount, lastrowid, rows


def _statement(connection: sqlite3.Connection, operation: str, parameters: Any) -> Outcome:
    """In aiosqlite's thread: run one statement; (description, rowcount, lastrowid, rows)."""
    cursor = connection.cursor()
    try:
        if parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        if cursor.description:
            return cursor.description, -1, -1, cursor.fetchall()
        return None, cursor.rowcount, cursor.lastrowid, []
    finally:
        cursor.close()


def _statements(connection: sqlite3.Connection, operation: str, rows: Sequence[Any]) -> tuple[int, int | None]:
    """In aiosqlite's thread: one statement for many parameter rows; (rowcount, lastrowid)."""
    cursor = connection.cursor()
    try:
        cursor.executemany(operation, rows)
        return cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


async def run_one(driver: aiosqlite.Connection, operation: str, parameters: Any) -> list[Any]:
    """One statement on an aiosqlite connection in one trip; its rows (``core.db.driver_statements``)."""
    _description, _rowcount, _lastrowid, rows = await driver._execute(_statement, driver._conn, operation, parameters)
    return rows


async def run_many(driver: aiosqlite.Connection, operation: str, rows: Sequence[Any]) -> None:
    """One statement for many parameter rows on an aiosqlite connection, in one trip."""
    await driver._execute(_statements, driver._conn, operation, rows)


class _OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        try:
            driver = self._connection
            description, rowcount, lastrowid, rows = self.await_(
                driver._execute(_statement, driver._conn, operation, parameters)
            )
        except Exception as error:  # noqa: BLE001 - wrapped as the adapter does
            self._adapt_connection._handle_exception(error)
        self.description = description
        self.rowcount, self.lastrowid = rowcount, lastrowid
        self._rows = deque(rows)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        try:
            driver = self._connection
            rowcount, lastrowid = self.await_(driver._execute(_statements, driver._conn, operation, seq_of_parameters))
        except Exception as error:  # noqa: BLE001
            self._adapt_connection._handle_exception(error)
        self.description = None
        self.rowcount, self.lastrowid = rowcount, lastrowid


class _OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()

    def cursor(self, server_side: bool = False) -> AsyncAdapt_aiosqlite_cursor:
        return super().cursor(server_side=True) if server_side else _OneTripCursor(self)


def one_trip(dbapi_connection: Any) -> None:
    """Make the adapter's connection send each statement in one trip (an engine's ``connect`` event)."""
    if type(dbapi_connection) is AsyncAdapt_aiosqlite_connection:
        dbapi_connection.__class__ = _OneTripConnection
