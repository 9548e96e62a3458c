"""The migrations of the core and of every installed plugin build exactly the models' schema, and undo cleanly."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from core.db.base import Base
from core.db.migration_env import configure_kwargs, migration_engine, owned_tables, version_table_for
from core.plugins import PluginHost
from core.plugins.migrations import current, downgrade, heads, migration_sets, upgrade_all

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from core.plugins.migrations import MigrationSet


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return PluginHost.load(None)


def _drift_sync(connection: Connection, sets: list[MigrationSet]) -> dict[str, list[Any]]:
    out = {}
    for migration_set in sets:
        ctx = MigrationContext.configure(connection, opts=configure_kwargs(migration_set.target))
        out[migration_set.key] = compare_metadata(ctx, Base.metadata)
    return out


def _tables_sync(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def _inspect(url: str, func: Any, *args: Any) -> Any:
    engine = migration_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(func, *args)
    finally:
        await engine.dispose()


def drift(url: str, host: PluginHost) -> dict[str, list[Any]]:
    """Alembic's differences between the database and the models, per owner (empty lists: no drift)."""
    return asyncio.run(_inspect(url, _drift_sync, migration_sets(host)))


def tables(url: str) -> set[str]:
    return asyncio.run(_inspect(url, _tables_sync))


def test_every_table_has_an_owner_with_migrations(host):
    """Every table of the models belongs to the core or to one installed plugin that ships migrations for it."""
    owners: dict[str, str] = {}
    for migration_set in migration_sets(host):
        for table in owned_tables(migration_set.package):
            assert table not in owners, f"{table} is claimed by {owners[table]} and {migration_set.key}"
            owners[table] = migration_set.key
    for plugin in host.plugins:
        # A plugin's models are imported with it; tables without migrations would never be created.
        package = plugin.module.__package__ or plugin.module.__name__
        if owned_tables(package):
            assert plugin.migrations_dir is not None, f"plugin {plugin.key} maps tables but has no migrations/"
    assert set(Base.metadata.tables) == set(owners), set(Base.metadata.tables) ^ set(owners)


def test_each_owner_has_one_head(host):
    """The core and each plugin have a single, linear head revision (no unmerged branches)."""
    for key, revisions in heads(host=host).items():
        assert len(revisions) == 1, f"{key} has heads {revisions}"


def test_upgrade_from_empty_matches_models_then_downgrade_and_upgrade_again(empty_database_url, host):
    """From an empty database, every migration applies with no drift; downgrading leaves only version tables."""
    url = empty_database_url
    sets = migration_sets(host)

    asyncio.run(upgrade_all(url, host=host))
    assert drift(url, host) == {s.key: [] for s in sets}
    assert asyncio.run(current(url, host=host)) == heads(host=host)
    assert set(Base.metadata.tables) <= tables(url)

    asyncio.run(downgrade(url, "base", host=host))
    version_tables = {version_table_for(s.key) for s in sets}
    assert tables(url) <= version_tables
    assert asyncio.run(current(url, host=host)) == {s.key: () for s in sets}

    asyncio.run(upgrade_all(url, host=host))
    assert drift(url, host) == {s.key: [] for s in sets}
    assert tables(url) == set(Base.metadata.tables) | version_tables


def test_upgrade_twice_changes_nothing(empty_database_url, host):
    """Running the upgrade on an up-to-date database is a no-op."""
    asyncio.run(upgrade_all(empty_database_url, host=host))
    before = tables(empty_database_url)
    asyncio.run(upgrade_all(empty_database_url, host=host))
    assert tables(empty_database_url) == before
    assert asyncio.run(current(empty_database_url, host=host)) == heads(host=host)


def test_plugin_migrations_downgrade_alone(empty_database_url, host):
    """Reverting one plugin's migrations drops only that plugin's tables; the core's stay."""
    plugin_sets = [s for s in migration_sets(host) if s.key != "core"]
    if not plugin_sets:
        pytest.skip("no installed plugin ships migrations")
    chosen = plugin_sets[-1]
    asyncio.run(upgrade_all(empty_database_url, host=host))
    asyncio.run(downgrade(empty_database_url, "base", plugin=chosen.key, host=host))
    left = tables(empty_database_url)
    assert not (owned_tables(chosen.package) & left)
    assert owned_tables("core") <= left
    asyncio.run(upgrade_all(empty_database_url, host=host))
    assert owned_tables(chosen.package) <= tables(empty_database_url)
