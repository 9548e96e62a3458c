"""Behind PgBouncer, SANSHE_DATABASE_POOLER=pgbouncer makes asyncpg safe (docs/deployment-database.md)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from core.db.engine import create_engine, pooler_connect_args


def test_no_pooler_changes_nothing_and_an_unknown_one_is_refused():
    """Without a pooler the engine keeps asyncpg's caches; a misspelt pooler stops the start with a clear message."""
    assert pooler_connect_args("") == {}
    args = pooler_connect_args("PgBouncer")
    assert args["statement_cache_size"] == 0
    assert args["prepared_statement_cache_size"] == 0
    names = {args["prepared_statement_name_func"]() for _ in range(100)}
    assert len(names) == 100
    with pytest.raises(ValueError, match="SANSHE_DATABASE_POOLER 只能是 pgbouncer"):
        pooler_connect_args("pgpool")


def test_parallel_clients_through_pgbouncer_work_only_with_the_setting(pgbouncer, postgres_server):
    """12 clients sharing PgBouncer's 4 server connections: asyncpg's own statement names collide without the setting.

    Without it a client finds "its" prepared statement missing or taken on the server
    connection it was lent (what made `sanshe demo` fail behind PgBouncer); with it all
    240 queries answer.
    """

    async def run(pooler: str) -> list[int]:
        engines = [create_engine(pgbouncer.url("postgres"), pooler=pooler) for _ in range(4)]

        async def client(engine, n):
            got = []
            async with engine.connect() as conn:
                for i in range(20):
                    got.append((await conn.execute(text("SELECT :n * 100 + :i"), {"n": n, "i": i})).scalar_one())
                    await conn.commit()
            return got

        try:
            results = await asyncio.gather(*(client(e, n) for n, e in enumerate(engines * 3)))
        finally:
            for engine in engines:
                await engine.dispose()
        return [x for r in results for x in r]

    with pytest.raises(Exception, match="prepared statement"):
        asyncio.run(run(""))
    assert len(asyncio.run(run("pgbouncer"))) == 240
