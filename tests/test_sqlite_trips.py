"""SQLite statements go to aiosqlite's thread in one trip (core.db.sqlite_trips) and behave as before.

Rows, row counts, the last row id, many parameter rows at once, server-side cursors, and
failures wrapped as SQLAlchemy's own errors: what the adapter's four-trip cursor gave.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from core.db import create_engine
from core.db.sqlite_trips import _OneTripConnection

if TYPE_CHECKING:
    from pathlib import Path


def test_statements_answer_as_the_adapter_did(tmp_path: Path) -> None:
    """Rows, counts, ids and errors of statements on the app's SQLite engine."""

    async def run() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'trips.db'}")
        try:
            async with engine.begin() as conn:
                raw = await conn.get_raw_connection()
                assert isinstance(raw.dbapi_connection, _OneTripConnection)
                await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL)"))
                inserted = await conn.execute(text("INSERT INTO t (name) VALUES ('甲')"))
                assert inserted.lastrowid == 1
                assert inserted.rowcount == 1
                many = await conn.execute(text("INSERT INTO t (name) VALUES (:name)"), [{"name": n} for n in "乙丙丁"])
                assert many.rowcount == 3
                returned = await conn.execute(text("INSERT INTO t (name) VALUES ('戊') RETURNING id, name"))
                assert returned.all() == [(5, "戊")]
                changed = await conn.execute(text("UPDATE t SET name = name || '!' WHERE id > 3"))
                assert changed.rowcount == 2
                names = (await conn.execute(text("SELECT name FROM t ORDER BY id"))).scalars().all()
                assert names == ["甲", "乙", "丙", "丁!", "戊!"]
                streamed = await conn.stream(text("SELECT id FROM t ORDER BY id"))  # a server-side cursor
                assert [row[0] async for row in streamed] == [1, 2, 3, 4, 5]
                with pytest.raises(IntegrityError, match="UNIQUE"):
                    await conn.execute(text("INSERT INTO t (name) VALUES ('甲')"))
            async with engine.connect() as conn:
                with pytest.raises(OperationalError, match="no such table"):
                    await conn.execute(text("SELECT * FROM missing"))
        finally:
            await engine.dispose()

    asyncio.run(run())
