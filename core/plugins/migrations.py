"""Applying the core's and the installed plugins' Alembic migrations.

The core's revisions (``migrations/``, version table ``alembic_version``) run first;
then each installed plugin's own revisions (``<plugin package>/migrations/``, version
table ``alembic_version_<key>``), plugins in dependency order. Downgrading goes the
other way round. Enabling a plugin for a district never changes the schema: every
installed plugin's tables exist.

On SQLite, foreign-key enforcement is switched off for the migration connection
(batch mode re-creates tables, which ``PRAGMA foreign_keys=ON`` would break).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from core.db.migration_env import CORE_MIGRATIONS_DIR, MigrationTarget, migration_engine, version_table_for

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from core.plugins.host import PluginHost

__all__ = (
    "MigrationSet",
    "current",
    "downgrade",
    "heads",
    "migration_engine",
    "migration_sets",
    "revision",
    "upgrade_all",
)


class MigrationSet:
    """One owner's migrations: the core or one plugin, with its scripts and version table."""

    def __init__(self, key: str, package: str, directory: Path, depends_on: tuple[str, ...] = ()) -> None:
        self.key = key
        self.package = package
        self.directory = directory
        self.depends_on = depends_on

    @property
    def target(self) -> MigrationTarget:
        return MigrationTarget(self.key, self.package)

    @property
    def version_table(self) -> str:
        return version_table_for(self.key)

    def config(self, connection: Connection | None = None) -> Config:
        """An Alembic ``Config`` for this set (no ``alembic.ini`` needed)."""
        cfg = Config()
        cfg.set_main_option("script_location", str(self.directory))
        cfg.attributes["sanshe_target"] = self.target
        if connection is not None:
            cfg.attributes["connection"] = connection
        return cfg

    def script(self) -> ScriptDirectory:
        return ScriptDirectory.from_config(self.config())

    def __repr__(self) -> str:
        return f"MigrationSet({self.key!r}, {str(self.directory)!r})"


def _default_host() -> PluginHost:
    from core.config import load_settings  # noqa: PLC0415
    from core.plugins.host import PluginHost  # noqa: PLC0415

    return PluginHost.load(load_settings().allowed_plugins)


def migration_sets(host: PluginHost | None = None) -> list[MigrationSet]:
    """The core's set, then one per installed plugin that has ``migrations/``, dependencies first."""
    host = host or _default_host()
    sets = [MigrationSet("core", "core", CORE_MIGRATIONS_DIR)]
    plugins = {p.key: p for p in host.plugins if p.migrations_dir is not None}
    done: set[str] = set()

    def visit(key: str, trail: tuple[str, ...] = ()) -> None:
        if key in done or key not in plugins or key in trail:
            return
        plugin = plugins[key]
        for dep in sorted(plugin.manifest.depends_on):
            visit(dep, (*trail, key))
        done.add(key)
        package = plugin.module.__package__ or plugin.module.__name__
        assert plugin.migrations_dir is not None
        sets.append(MigrationSet(key, package, plugin.migrations_dir, tuple(plugin.manifest.depends_on)))

    for key in sorted(plugins):
        visit(key)
    return sets


async def _run(url: str, func: Any, *args: Any) -> Any:
    engine = migration_engine(url)
    try:
        async with engine.connect() as connection:
            result = await connection.run_sync(func, *args)
            await connection.commit()
            return result
    finally:
        await engine.dispose()


def _upgrade_sync(connection: Connection, sets: list[MigrationSet], revision: str) -> None:
    for migration_set in sets:
        command.upgrade(migration_set.config(connection), revision)


async def upgrade_all(url: str, *, host: PluginHost | None = None) -> None:
    """Bring the database at ``url`` to the head of the core and of every installed plugin."""
    await _run(url, _upgrade_sync, migration_sets(host), "heads")


def _find(sets: list[MigrationSet], key: str) -> MigrationSet:
    for migration_set in sets:
        if migration_set.key == key:
            return migration_set
    known = ", ".join(s.key for s in sets)
    msg = f"没有这个迁移集 / no migrations for {key!r} (known: {known})"
    raise LookupError(msg)


def _downgrade_sync(connection: Connection, sets: list[MigrationSet], revision: str) -> None:
    for migration_set in sets:
        command.downgrade(migration_set.config(connection), revision)


async def downgrade(url: str, revision: str = "base", *, plugin: str = "core", host: PluginHost | None = None) -> None:
    """Downgrade ``plugin``'s migrations (the core's by default) to ``revision``.

    Downgrading the core to ``base`` first takes every plugin to ``base`` (their tables
    refer to the core's), last installed first; the database is then empty apart from
    the version tables.
    """
    sets = migration_sets(host)
    chosen = _find(sets, plugin)
    order = list(reversed(sets)) if plugin == "core" and revision == "base" else [chosen]
    await _run(url, _downgrade_sync, order, revision)


def _current_sync(connection: Connection, sets: list[MigrationSet]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for migration_set in sets:
        ctx = MigrationContext.configure(connection, opts={"version_table": migration_set.version_table})
        out[migration_set.key] = tuple(ctx.get_current_heads())
    return out


async def current(url: str, *, host: PluginHost | None = None) -> dict[str, tuple[str, ...]]:
    """Each owner's (``core`` and every plugin with migrations) current revisions; empty when not applied."""
    return await _run(url, _current_sync, migration_sets(host))


def heads(*, host: PluginHost | None = None) -> dict[str, tuple[str, ...]]:
    """Each owner's head revisions as found in its scripts."""
    return {s.key: tuple(s.script().get_heads()) for s in migration_sets(host)}


def _revision_sync(connection: Connection, migration_set: MigrationSet, message: str, autogenerate: bool) -> None:
    command.revision(migration_set.config(connection), message=message, autogenerate=autogenerate)


async def revision(
    url: str, message: str, *, plugin: str = "core", autogenerate: bool = True, host: PluginHost | None = None
) -> None:
    """Write a new revision for ``plugin`` (the core by default), autogenerated against the database at ``url``."""
    migration_set = _find(migration_sets(host), plugin)
    await _run(url, _revision_sync, migration_set, message, autogenerate)
