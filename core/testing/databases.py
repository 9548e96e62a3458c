"""Temporary databases: one migrated template per backend and plugin set, a copy per test.

SQLite templates are files copied per test; PostgreSQL templates are databases cloned
with ``CREATE DATABASE … TEMPLATE``, on the process's server started from Debian's
binaries (:func:`core.testing.pgserver.shared_server`) only when a test asks for
PostgreSQL. Under pytest-xdist every worker has its own server and templates.
"""

from __future__ import annotations

import itertools
import os
import shutil
from typing import TYPE_CHECKING, Any

from core.testing.pgserver import PostgresServer, shared_server
from core.testing.runner import run_in_setup_loop, run_sync

if TYPE_CHECKING:
    from pathlib import Path

    from core.plugins import PluginHost

__all__ = ("BACKENDS", "Databases")

BACKENDS = ("sqlite", "postgresql")
_counter = itertools.count(1)


class Databases:
    """Makes fresh migrated databases (PostgreSQL ones on the process's shared server)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self._server: PostgresServer | None = None
        self._templates: dict[tuple[str, frozenset[str]], str] = {}
        self._admin_conn: Any = None  # an asyncpg connection of the set-up loop (core.testing.runner)

    @property
    def server(self) -> PostgresServer:
        """The process's PostgreSQL server, started on first use."""
        if self._server is None:
            self._server = shared_server()
        return self._server

    def _admin(self, *statements: str) -> None:
        """Run statements on the server's ``postgres`` database, over one connection kept on the set-up loop."""
        import asyncpg  # noqa: PLC0415 - only for PostgreSQL

        dsn = self.server.dsn()

        async def run() -> None:
            if self._admin_conn is None or self._admin_conn.is_closed():
                self._admin_conn = await asyncpg.connect(dsn)
            for statement in statements:
                await self._admin_conn.execute(statement)

        run_in_setup_loop(run)

    def template(self, backend: str, host: PluginHost) -> str:
        """The migrated template of ``backend`` for ``host``'s plugins (made once): a file or database name."""
        from core.plugins.migrations import upgrade_all  # noqa: PLC0415

        keys = frozenset(p.key for p in host.plugins)
        cached = self._templates.get((backend, keys))
        if cached is not None:
            return cached
        n = len(self._templates) + 1
        if backend == "sqlite":
            template = str(self.workdir / f"template-{n}.db")
            url = f"sqlite+aiosqlite:///{template}"
        else:
            template = f"sanshe_kit_template_{os.getpid()}_{n}"
            self._admin(f'CREATE DATABASE "{template}"')
            url = self.server.url(template)
        run_sync(lambda: upgrade_all(url, host=host))
        self._templates[(backend, keys)] = template
        return template

    def create(self, backend: str, host: PluginHost, tmp_path: Path) -> str:
        """A fresh database with the core's and ``host``'s plugins' migrations applied; its URL."""
        if backend not in BACKENDS:
            msg = f"unknown database backend {backend!r}: use one of {', '.join(BACKENDS)}"
            raise ValueError(msg)
        template = self.template(backend, host)
        if backend == "sqlite":
            path = tmp_path / "sanshe-test.db"
            shutil.copyfile(template, path)
            return f"sqlite+aiosqlite:///{path}"
        name = f"sanshe_kit_{os.getpid()}_{next(_counter)}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY = FILE_COPY')
        return self.server.url(name)

    def create_empty(self, backend: str, tmp_path: Path) -> str:
        """A fresh database with no tables at all (for tests of the migrations themselves)."""
        if backend == "sqlite":
            return f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        name = f"sanshe_empty_{os.getpid()}_{next(_counter)}"
        self._admin(f'CREATE DATABASE "{name}"')
        return self.server.url(name)

    def drop(self, url: str) -> None:
        """Drop a PostgreSQL database made by :meth:`create` (SQLite files go with ``tmp_path``)."""
        if url.startswith("postgresql") and self._server is not None:
            name = url.rsplit("/", 1)[1]
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        """Drop the PostgreSQL templates made here (the shared server stops when the process exits)."""
        if self._server is not None:
            names = [t for (backend, _), t in self._templates.items() if backend == "postgresql"]
            if names:
                self._admin(*(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in names))
            if self._admin_conn is not None:
                conn, self._admin_conn = self._admin_conn, None
                run_in_setup_loop(conn.close)
            self._server = None
        self._templates.clear()
