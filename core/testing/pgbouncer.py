"""Debian's PgBouncer in transaction pooling mode in front of the test PostgreSQL server.

``SANSHE_TEST_BACKENDS=pgbouncer`` runs tests on databases of the process's PostgreSQL
server reached through this pooler, with ``SANSHE_DATABASE_POOLER=pgbouncer`` set, as a
production installation behind PgBouncer runs (docs/deployment-database.md). The pool is
kept small (four server connections per database) so that clients really share server
connections and consecutive transactions of one client land on different ones: what breaks
asyncpg's prepared statements when the engine is not configured for a pooler.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from core.testing.pgserver import PostgresServer, free_port

__all__ = ("PGBOUNCER", "PgBouncer", "PgBouncerNotFoundError", "shared_pgbouncer")

PGBOUNCER = Path("/usr/sbin/pgbouncer")


class PgBouncerNotFoundError(RuntimeError):
    """Debian's ``pgbouncer`` package is not installed."""


class PgBouncer:
    """Start with :meth:`start` (in front of ``server``), stop with :meth:`stop`."""

    def __init__(self, server: PostgresServer, pool_size: int = 4) -> None:
        if not PGBOUNCER.is_file():
            msg = (
                "没有找到 PgBouncer / PgBouncer not found at /usr/sbin/pgbouncer: install Debian's "
                "`pgbouncer` package (`make test` does)"
            )
            raise PgBouncerNotFoundError(msg)
        self.server = server
        self.pool_size = pool_size
        self.root = Path(tempfile.mkdtemp(prefix="sanshe-pgbouncer-"))
        self.port = free_port()
        self._proc: subprocess.Popen[bytes] | None = None

    def _config(self) -> str:
        return f"""[databases]
* = host=127.0.0.1 port={self.server.port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.port}
unix_socket_dir =
auth_type = trust
auth_file = {self.root / "users.txt"}
pool_mode = transaction
default_pool_size = {self.pool_size}
max_client_conn = 500
max_db_connections = {self.pool_size * 4}
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = {self.root / "pgbouncer.log"}
"""

    def start(self) -> PgBouncer:
        """Write the configuration, start the pooler and wait until it accepts connections."""
        (self.root / "users.txt").write_text(f'"{self.server.user}" ""\n', encoding="utf-8")
        ini = self.root / "pgbouncer.ini"
        ini.write_text(self._config(), encoding="utf-8")
        argv = [str(PGBOUNCER), str(ini)]
        if os.geteuid() == 0:  # PgBouncer refuses to run as root
            pw = pwd.getpwnam("postgres")
            for path in (self.root, *self.root.iterdir()):
                os.chown(path, pw.pw_uid, pw.pw_gid)
            argv = ["runuser", "-u", "postgres", "--", *argv]
        self._proc = subprocess.Popen(  # noqa: S603 - our own argv, no shell
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        atexit.register(self.stop)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return self
            if self._proc.poll() is not None:
                break
            time.sleep(0.05)
        logfile = self.root / "pgbouncer.log"
        log = logfile.read_text(errors="replace") if logfile.exists() else ""
        self.stop()
        msg = f"PgBouncer did not start on 127.0.0.1:{self.port}:\n{log[-3000:]}"
        raise RuntimeError(msg)

    def url(self, database: str) -> str:
        """The asyncpg URL of ``database`` through the pooler."""
        return f"postgresql+asyncpg://{self.server.user}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        """Stop the pooler and delete its directory; safe to call twice."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout=5)
            if self._proc.poll() is None:
                self._proc.kill()
        self._proc = None
        shutil.rmtree(self.root, ignore_errors=True)


_shared: list[PgBouncer] = []


def shared_pgbouncer(server: PostgresServer) -> PgBouncer:
    """This process's pooler in front of its PostgreSQL server, started on first use."""
    if not _shared:
        _shared.append(PgBouncer(server).start())
    return _shared[0]
