"""The one Alembic ``env.py`` body shared by the core and every plugin.

``migrations/env.py`` and each plugin's ``migrations/env.py`` contain only::

    from core.db.migration_env import run_env

    run_env()

:func:`run_env` works out whose migrations are running (the core, or one plugin), gives
that owner its own version table (``alembic_version`` for the core,
``alembic_version_<key>`` for a plugin) and limits autogenerate and ``compare_metadata``
to the tables that owner maps: a table belongs to the core when the class that maps it
lives in a ``core.`` module, and to a plugin when it lives in the plugin's package.

Every environment renders SQLite-friendly batch operations (``render_as_batch=True``)
and names constraints through :data:`core.db.base.NAMING_CONVENTION`, so later ALTERs
work on SQLite too. Migrations run through :mod:`core.plugins.migrations`, which hands the
environment an open connection (``config.attributes["connection"]``) and a
:class:`MigrationTarget` (``config.attributes["sanshe_target"]``).
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import context
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from core.config import PROJECT_ROOT
from core.db.base import Base
from core.db.engine import is_sqlite, pooler_connect_args

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlalchemy.schema import SchemaItem

__all__ = (
    "CORE_MIGRATIONS_DIR",
    "MigrationTarget",
    "configure_kwargs",
    "owned_tables",
    "run_env",
    "version_table_for",
)

CORE_MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


def version_table_for(key: str) -> str:
    """The Alembic version table of ``key``: ``alembic_version`` for the core, else ``alembic_version_<key>``."""
    return "alembic_version" if key == "core" else f"alembic_version_{key}"


@dataclass(frozen=True)
class MigrationTarget:
    """Whose migrations run: ``key`` (``"core"`` or a plugin key) and its Python package."""

    key: str
    package: str

    @property
    def version_table(self) -> str:
        return version_table_for(self.key)


def import_models(package: str) -> None:
    """Import ``<package>.models`` (if there is one) so its tables are mapped on ``Base.metadata``."""
    name = "core.models" if package == "core" else f"{package}.models"
    try:
        found = importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        found = False
    if found:
        importlib.import_module(name)


def owned_tables(package: str) -> set[str]:
    """Names of the tables mapped by classes whose module is ``package`` or inside it."""
    import_models(package)
    prefix = f"{package}."
    tables: set[str] = set()
    for mapper in Base.registry.mappers:
        module = mapper.class_.__module__
        if module == package or module.startswith(prefix):
            tables.update(t.name for t in mapper.tables)
    return tables


def _include_object(tables: set[str]) -> Any:
    def include_object(obj: SchemaItem, name: str | None, type_: str, _reflected: bool, _compare_to: Any) -> bool:
        if type_ == "table":
            return name in tables
        table = getattr(obj, "table", None)
        return table is None or table.name in tables

    return include_object


def configure_kwargs(target: MigrationTarget) -> dict[str, Any]:
    """The ``context.configure`` / ``MigrationContext.configure`` options for ``target``.

    Also used by the drift test, which compares the database with the models through
    Alembic's ``compare_metadata`` with exactly these options.
    """
    return {
        "target_metadata": Base.metadata,
        "version_table": target.version_table,
        "include_object": _include_object(owned_tables(target.package)),
        "render_as_batch": True,
        "compare_type": True,
        "compare_server_default": False,
    }


def _guess_target(script_location: str) -> MigrationTarget:
    """For runs started by the ``alembic`` command itself: the core, or the plugin owning the directory."""
    location = Path(script_location).resolve()
    if location == CORE_MIGRATIONS_DIR.resolve():
        return MigrationTarget("core", "core")
    package_dir = location.parent
    root = package_dir
    parts = [package_dir.name]
    while (root.parent / "__init__.py").is_file():
        root = root.parent
        parts.insert(0, root.name)
    return MigrationTarget(package_dir.name, ".".join(parts))


def _target() -> MigrationTarget:
    config = context.config
    target = config.attributes.get("sanshe_target")
    if isinstance(target, MigrationTarget):
        return target
    return _guess_target(config.get_main_option("script_location") or str(CORE_MIGRATIONS_DIR))


def _run_with_connection(connection: Connection, target: MigrationTarget) -> None:
    context.configure(connection=connection, **configure_kwargs(target))
    with context.begin_transaction():
        context.run_migrations()


def _sqlite_migration_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def migration_engine(url: str) -> AsyncEngine:
    """An engine for migrations: on SQLite, foreign keys off and a busy timeout."""
    if is_sqlite(url):
        engine = create_async_engine(url, connect_args={"timeout": 10})
        event.listen(engine.sync_engine, "connect", _sqlite_migration_pragmas)
        return engine
    return create_async_engine(url, connect_args=pooler_connect_args())


async def _run_with_url(url: str, target: MigrationTarget) -> None:
    engine = migration_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_with_connection, target)
            await connection.commit()
    finally:
        await engine.dispose()


def run_env() -> None:
    """Run the current Alembic command for the core or for the plugin whose ``env.py`` calls it."""
    target = _target()
    config = context.config
    if context.is_offline_mode():
        url = config.get_main_option("sqlalchemy.url")
        context.configure(url=url, literal_binds=True, **configure_kwargs(target))
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_with_connection(connection, target)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from core.config import load_settings  # noqa: PLC0415

        url = load_settings().database_url
    asyncio.run(_run_with_url(url, target))
