"""Core statements sent on the driver (core.db.driver_statements) answer as SQLAlchemy's execution does.

Same rows and types (dates and zoned times processed both ways), in the session's own
transaction (rolled back with it, visible to it), driver errors raised as SQLAlchemy's,
and refusals for what the fast path cannot do — on SQLite, PostgreSQL and PostgreSQL behind
PgBouncer (no prepared statements kept).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime

import pytest
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import Column, Date, Integer, MetaData, String, Table, bindparam, insert, select, text
from sqlalchemy.exc import IntegrityError, InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import create_engine, session_factory
from core.db.base import BigId
from core.plugin_api import DriverStatement

pytestmark = pytest.mark.pgbouncer

metadata = MetaData()
things = Table(
    "driver_thing",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("name", String(20), unique=True, nullable=False),
    Column("day", Date, nullable=False),
    Column("at", DateTimeUTC(timezone=True), nullable=False),
)
ADD = DriverStatement(insert(things))
ADD_ONE = DriverStatement(
    insert(things)
    .values(name=bindparam("name"), day=bindparam("day"), at=bindparam("at"))
    .returning(things.c.id, things.c.day)
)
FIRST_AFTER = DriverStatement(
    select(things.c.name, things.c.day, things.c.at)
    .where(things.c.day > bindparam("after"))
    .order_by(things.c.day)
    .limit(2)
)
ROWS = [
    {"name": "甲", "day": date(2026, 3, 1), "at": datetime(2026, 3, 1, 8, 30, tzinfo=UTC)},
    {"name": "乙", "day": date(2026, 3, 2), "at": datetime(2026, 3, 2, 17, 0, tzinfo=UTC)},
    {"name": "丙", "day": date(2026, 3, 3), "at": datetime(2026, 3, 3, 23, 59, 59, 5, tzinfo=UTC)},
]


def run(database_url: str, body: Callable[[AsyncSession], Awaitable[None]]) -> None:
    async def main() -> None:
        engine = create_engine(database_url)
        try:
            async with engine.begin() as conn:
                await conn.run_sync(metadata.create_all)
            async with session_factory(engine)() as session:
                await body(session)
        finally:
            await engine.dispose()

    asyncio.run(main())


def test_rows_and_types_are_what_sqlalchemy_gives(database_url: str) -> None:
    """Many rows in; a select with a LIMIT of its own returns dates and zoned times, as session.execute does."""

    async def body(session: AsyncSession) -> None:
        connection = await session.connection()
        await ADD.executemany(connection, ROWS)
        rows = await FIRST_AFTER.all(connection, {"after": date(2026, 3, 1)})
        assert rows == [("乙", date(2026, 3, 2), ROWS[1]["at"]), ("丙", date(2026, 3, 3), ROWS[2]["at"])]
        assert rows == [tuple(r) for r in await session.execute(FIRST_AFTER.statement, {"after": date(2026, 3, 1)})]
        # Stored as SQLAlchemy stores them: its own comparison, its parameters processed, finds the row.
        same = select(things.c.name).where(things.c.at == ROWS[2]["at"], things.c.day == ROWS[2]["day"])
        assert (await session.execute(same)).scalars().all() == ["丙"]
        returned = await ADD_ONE.first(connection, {"name": "丁", "day": date(2026, 3, 4), "at": ROWS[0]["at"]})
        assert returned is not None
        assert returned[1] == date(2026, 3, 4)
        assert await FIRST_AFTER.first(connection, {"after": date(2027, 1, 1)}) is None

    run(database_url, body)


def test_it_runs_in_the_sessions_transaction(database_url: str) -> None:
    """What it writes the session sees, a rollback takes back, and a commit keeps."""

    async def body(session: AsyncSession) -> None:
        await ADD.executemany(await session.connection(), ROWS[:1])
        assert (await session.execute(text("SELECT count(*) FROM driver_thing"))).scalar() == 1
        await session.rollback()
        assert (await session.execute(text("SELECT count(*) FROM driver_thing"))).scalar() == 0
        await ADD.executemany(await session.connection(), ROWS)
        await session.commit()
        assert (await session.execute(text("SELECT count(*) FROM driver_thing"))).scalar() == 3

    run(database_url, body)


def test_a_driver_error_is_sqlalchemys_and_the_session_recovers(database_url: str) -> None:
    """A unique name twice: IntegrityError as session.execute raises it; after the rollback the session works."""

    async def body(session: AsyncSession) -> None:
        connection = await session.connection()
        await ADD.executemany(connection, ROWS[:1])
        with pytest.raises(IntegrityError):
            await ADD_ONE.first(connection, ROWS[0])
        await session.rollback()
        connection = await session.connection()
        await ADD.executemany(connection, ROWS[:1])
        with pytest.raises(IntegrityError):
            await ADD.executemany(connection, ROWS)
        await session.rollback()
        assert (await session.execute(text("SELECT count(*) FROM driver_thing"))).scalar() == 0

    run(database_url, body)


def test_what_the_fast_path_cannot_do_is_refused(database_url: str) -> None:
    """Outside a transaction (it would autocommit), a parameter left out, expanding IN, a Python-side default."""

    async def body(session: AsyncSession) -> None:
        engine = session.bind
        async with engine.connect() as bare:  # type: ignore[union-attr]
            with pytest.raises(InvalidRequestError, match="not in a transaction"):
                await FIRST_AFTER.all(bare, {"after": date(2026, 1, 1)})
        connection = await session.connection()
        with pytest.raises(InvalidRequestError, match="required for the parameter 'after'"):
            await FIRST_AFTER.all(connection, {})
        with pytest.raises(InvalidRequestError, match="required for the parameter 'at'"):
            await ADD.executemany(connection, [ROWS[0], {"name": "戊", "day": date(2026, 3, 5)}])
        expanding = DriverStatement(select(things.c.id).where(things.c.name.in_(bindparam("names", expanding=True))))
        with pytest.raises(InvalidRequestError, match="expanding"):
            await expanding.all(connection, {"names": ["甲"]})
        defaulted = Table(
            "driver_default", MetaData(), Column("id", Integer, primary_key=True), Column("n", Integer, default=1)
        )
        with pytest.raises(InvalidRequestError, match="Python-side defaults"):
            await DriverStatement(insert(defaulted)).executemany(connection, [{"id": 1}])

    run(database_url, body)
