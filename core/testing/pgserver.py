"""A throw-away PostgreSQL server for the test session, run from Debian's binaries.

The server's data lives in a temporary directory, it listens on 127.0.0.1 on a free port
(and on a Unix socket in that directory only), runs with durability off (``fsync``,
``synchronous_commit``, ``full_page_writes``) because nothing in it must survive, without
the background work a test database never needs (autovacuum, table statistics, JIT
compilation: 7 % of the server's CPU over the time-bank and parking tests), and is
stopped and deleted when the session ends. A watchdog process stops and deletes it too
when the test process dies without cleaning up (a crash, ``kill -9``, a ``timeout``).
As root, ``initdb`` and ``pg_ctl`` run as the ``postgres`` user through ``runuser``.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = ("PostgresNotFoundError", "PostgresServer", "find_bindir", "shared_server")

SEARCH_GLOB = "/usr/lib/postgresql/*/bin"

# Run detached: waits for the owner process to end (or the server directory to go away),
# then stops the server and deletes its directory.
_WATCHDOG = """
import os, shutil, subprocess, sys, time
owner, root, stop = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
while os.path.isdir(root):
    try:
        os.kill(owner, 0)
    except ProcessLookupError:
        subprocess.run(stop, capture_output=True, timeout=60, check=False)
        shutil.rmtree(root, ignore_errors=True)
        break
    except PermissionError:
        pass
    time.sleep(1)
"""


class PostgresNotFoundError(RuntimeError):
    """Debian's PostgreSQL server binaries are not installed."""


def find_bindir() -> Path:
    """The newest ``/usr/lib/postgresql/<version>/bin`` that has ``initdb`` and ``pg_ctl``."""
    candidates = [
        p for p in Path("/").glob(SEARCH_GLOB.lstrip("/")) if (p / "initdb").is_file() and (p / "pg_ctl").is_file()
    ]

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(x) for x in path.parent.name.split(".") if x.isdigit())

    if not candidates:
        msg = (
            "没有找到 PostgreSQL / PostgreSQL server binaries not found in "
            f"{SEARCH_GLOB}: install Debian's `postgresql` package (`make test` does), "
            "or run only the SQLite tests with SANSHE_TEST_BACKENDS=sqlite"
        )
        raise PostgresNotFoundError(msg)
    return max(candidates, key=version)


def _scratch_dir() -> str | None:
    """Where the cluster lives: RAM (``/dev/shm``) when there is one, else the system temp dir."""
    shm = Path("/dev/shm")  # noqa: S108 - a private mkdtemp directory inside it
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """Start with :meth:`start`, stop (and delete the data) with :meth:`stop`."""

    def __init__(self, bindir: Path | None = None) -> None:
        self.bindir = bindir or find_bindir()
        self.root = Path(tempfile.mkdtemp(prefix="sanshe-pg-", dir=_scratch_dir()))
        self.datadir = self.root / "data"
        self.logfile = self.root / "server.log"
        self.port = free_port()
        self.user = "postgres"
        self._as_root = os.geteuid() == 0
        self._running = False
        self._watchdog: subprocess.Popen[bytes] | None = None

    def _cmd(self, *args: str) -> list[str]:
        if self._as_root:
            return ["runuser", "-u", "postgres", "--", *args]
        return list(args)

    def _run(self, *args: str, timeout: float = 60) -> None:
        result = subprocess.run(  # noqa: S603 - our own argv, no shell
            self._cmd(*args), capture_output=True, text=True, timeout=timeout, check=False
        )
        if result.returncode != 0:
            log = self.logfile.read_text(errors="replace")[-4000:] if self.logfile.exists() else ""
            msg = f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}\n{log}"
            raise RuntimeError(msg)

    def start(self) -> PostgresServer:
        """Create the cluster and start the server; returns ``self``."""
        if self._as_root:
            pw = pwd.getpwnam("postgres")
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        else:
            self.user = pwd.getpwuid(os.geteuid()).pw_name
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.datadir),
            "-U",
            self.user,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
            "--no-instructions",
        )
        options = " ".join(
            [
                "-h 127.0.0.1",
                f"-p {self.port}",
                f"-k {self.root}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=300",
                "-c shared_buffers=64MB",
                "-c autovacuum=off",
                "-c jit=off",
                "-c track_counts=off",
            ]
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.datadir),
            "-l",
            str(self.logfile),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
            timeout=90,
        )
        self._running = True
        atexit.register(self.stop)
        stop = self._cmd(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "-w", "stop")
        self._watchdog = subprocess.Popen(  # noqa: S603 - our own argv, no shell
            [sys.executable, "-c", _WATCHDOG, str(os.getpid()), str(self.root), *stop],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        return self

    def url(self, database: str = "postgres") -> str:
        """The asyncpg URL of ``database`` on this server."""
        return f"postgresql+asyncpg://{self.user}@127.0.0.1:{self.port}/{database}"

    def dsn(self, database: str = "postgres") -> str:
        """The plain libpq-style DSN of ``database`` (for ``asyncpg.connect``)."""
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its directory; safe to call twice."""
        if self._running:
            self._running = False
            with contextlib.suppress(Exception):
                self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
        if self._watchdog is not None and self._watchdog.poll() is None:
            self._watchdog.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._watchdog.wait(timeout=5)


_shared: list[PostgresServer] = []


def shared_server() -> PostgresServer:
    """This process's PostgreSQL server, started on first use and stopped when the process exits.

    Every fixture of a test session (the ``sanshe_*`` kit and the suite's ``database_url``)
    uses this one server; under pytest-xdist each worker process has its own (a free port,
    its own directory), so workers never share a database.
    """
    if not _shared:
        server = PostgresServer().start()  # registers its own stop with atexit
        _shared.append(server)
    return _shared[0]
