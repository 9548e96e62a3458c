"""core.testing.loop_pool: a PostgreSQL pool for apps driven from several event loops.

Each event loop gets back only the connections it opened, even while another loop is
running; disposing the pool closes the disposing loop's idle connections.
"""

from __future__ import annotations

import asyncio
import threading

import pytest
from sqlalchemy import text

from core.db import create_engine
from core.testing.loop_pool import LoopPool

pytestmark = pytest.mark.postgres_only


async def _server_process(engine) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()


async def _open_processes(url: str) -> set[int]:
    engine = create_engine(url, poolclass=LoopPool)
    try:
        async with engine.connect() as conn:
            query = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            return set((await conn.execute(text(query))).scalars())
    finally:
        await engine.dispose()


def test_each_loop_gets_back_only_its_own_connections(backend, database_url):
    engine = create_engine(database_url, poolclass=LoopPool)
    loop = asyncio.new_event_loop()
    try:
        first = loop.run_until_complete(_server_process(engine))
        assert loop.run_until_complete(_server_process(engine)) == first, "a loop reuses its idle connection"

        # Another loop, in its own thread while the first is still open: never the first loop's connection.
        other: list[int] = []
        thread = threading.Thread(target=lambda: other.append(asyncio.run(_server_process(engine))))
        thread.start()
        thread.join(30)
        assert other and other[0] != first
        assert loop.run_until_complete(_server_process(engine)) == first, "the first loop still has its own"

        loop.run_until_complete(engine.dispose())  # as the app's lifespan does when its client closes
        assert first not in asyncio.run(_open_processes(database_url)), "disposing closed the loop's idle connection"
    finally:
        loop.close()
