"""Test engines compile each statement once for all (core.db.engine.share_compilation).

Each test has a database, hence an engine, of its own; SQLAlchemy keeps compiled SQL on
the engine. With sharing on (the test kit turns it on), a new engine of a kind takes the
dialect and the compiled statements of the first engine of that kind that connected: a
statement compiled for one test's engine is not compiled again for the next.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING
from uuid import uuid4

import pytest
from sqlalchemy import literal_column, select

from core.db import engine as engines
from core.db.engine import create_engine, share_compilation

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.ext.asyncio import AsyncEngine


def _statement() -> object:
    """A statement no other test compiles (its label is new)."""
    return select(literal_column("1").label(f"only_here_{uuid4().hex}"))


async def _cache_hit(engine: AsyncEngine, statement: object) -> bool:
    async with engine.connect() as conn:
        result = await conn.execute(statement)  # type: ignore[call-overload]
        hit = result.context.cache_hit == engine.dialect.CACHE_HIT
        result.close()
        return hit


@pytest.fixture
def fresh_sharing() -> Iterator[None]:
    """Sharing started again: no engine of any kind has connected yet (put back as the kit has it)."""
    saved = engines._shared_compilation
    share_compilation(on=False)
    share_compilation()
    yield
    engines._shared_compilation = saved


@pytest.mark.usefixtures("fresh_sharing")
def test_a_statement_compiled_for_one_engine_is_not_compiled_again_for_the_next(database_url: str) -> None:
    """The second engine has the first's dialect and cache: the statement is a cache hit there at once."""

    async def run() -> None:
        statement = _statement()
        first = create_engine(database_url)
        second = None
        try:
            assert not await _cache_hit(first, statement)  # compiled here, once
            second = create_engine(database_url)
            assert second.dialect is first.dialect
            assert await _cache_hit(second, statement)
        finally:
            await first.dispose()
            if second is not None:
                await second.dispose()

    asyncio.run(run())


@pytest.mark.usefixtures("fresh_sharing")
def test_an_engine_made_before_the_first_connected_keeps_its_own_dialect(database_url: str) -> None:
    """Only a dialect that has read the server's settings (its engine connected) is handed on."""

    async def run() -> None:
        early, before = create_engine(database_url), create_engine(database_url)
        after = None
        try:
            assert before.dialect is not early.dialect
            await _cache_hit(early, _statement())  # early connects: its dialect is now the shared one
            after = create_engine(database_url)
            assert after.dialect is early.dialect
            assert before.dialect is not early.dialect
        finally:
            for engine in (early, before, after):
                if engine is not None:
                    await engine.dispose()

    asyncio.run(run())


def test_without_sharing_each_engine_compiles_for_itself(database_url: str) -> None:
    """Production's way (one engine per database): a new engine compiles the statement again."""
    saved = engines._shared_compilation
    share_compilation(on=False)

    async def run() -> None:
        statement = _statement()
        first, second = create_engine(database_url), create_engine(database_url)
        try:
            assert not await _cache_hit(first, statement)
            assert second.dialect is not first.dialect
            assert not await _cache_hit(second, statement)
            assert await _cache_hit(second, statement)  # and keeps it
        finally:
            await first.dispose()
            await second.dispose()

    try:
        asyncio.run(run())
    finally:
        engines._shared_compilation = saved
