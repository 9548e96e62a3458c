"""Streaming replicas of a test PostgreSQL server on loopback, made with ``pg_basebackup``.

:class:`Copy` is a physical copy of a running server (``pg_basebackup`` over the
replication protocol, the way an operator makes a standby) started on a free
127.0.0.1 port: a streaming **standby** (``standby=True``: ``standby.signal`` and
``primary_conninfo`` written by ``pg_basebackup -R``, hot standby on) or an independent
**primary** with the source's data (``standby=False``: for a failover test that may kill
it). Like :class:`core.testing.pgserver.PostgresServer` it lives in RAM when there is
``/dev/shm``, runs as ``postgres`` through ``runuser`` when the tests run as root, and a
watchdog stops and deletes it when the test process dies.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING

from core.testing.pgserver import PostgresServer

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ("Copy",)


def _alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie waiting to be reaped does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


class Copy(PostgresServer):
    """A ``pg_basebackup`` copy of ``source`` (a standby of it, or a new primary); :meth:`start` it."""

    def __init__(self, source: PostgresServer, *, standby: bool = True, options: Sequence[str] = ()) -> None:
        super().__init__(source.bindir)
        self.source = source
        self.standby = standby
        self.options = list(options)

    def _prepare(self) -> None:
        """Hand the server's directory to the user the servers run as, and connect as the source's user."""
        if self._as_root:
            import pwd  # noqa: PLC0415

            pw = pwd.getpwnam("postgres")
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        self.user = self.source.user

    def start(self) -> Copy:
        """Copy the source's data (``pg_basebackup``), then start the server on its own port."""
        self._prepare()
        args = ["-h", "127.0.0.1", "-p", str(self.source.port), "-U", self.source.user]
        args += ["-D", str(self.datadir), "-X", "stream", "-c", "fast", "--no-sync"]
        if self.standby:
            args.append("-R")  # standby.signal + primary_conninfo in postgresql.auto.conf
        self._run(str(self.bindir / "pg_basebackup"), *args, timeout=120)
        self.launch()
        return self

    def start_command(self) -> list[str]:
        """``pg_ctl start`` of this server (its port, socket directory and settings), waiting until it accepts."""
        options = " ".join(
            [
                "-h 127.0.0.1",
                f"-p {self.port}",
                f"-k {self.root}",
                "-c fsync=off",
                "-c full_page_writes=off",
                "-c max_connections=300",
                "-c shared_buffers=32MB",
                "-c hot_standby=on",
                "-c wal_receiver_status_interval=1s",
                "-c hot_standby_feedback=on",
                *(f"-c {o}" for o in self.options),
            ]
        )
        pg_ctl = str(self.bindir / "pg_ctl")
        return [pg_ctl, "-D", str(self.datadir), "-l", str(self.logfile), "-o", options, "-w", "-t", "60", "start"]

    def launch(self) -> None:
        """Start the server on the copied (or kept) data directory and wait until it accepts connections."""
        self._run(*self.start_command())
        self._running = True
        if self._watchdog is None:
            import atexit  # noqa: PLC0415
            import sys  # noqa: PLC0415

            from core.testing.pgserver import _WATCHDOG  # noqa: PLC0415

            atexit.register(self.stop)
            stop = self._cmd(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "-w", "stop")
            self._watchdog = subprocess.Popen(  # noqa: S603 - our own argv, no shell
                [sys.executable, "-c", _WATCHDOG, str(os.getpid()), str(self.root), *stop],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )

    def halt(self) -> None:
        """Stop the server (fast, as an operator's ``pg_ctl stop``) and keep its data to :meth:`launch` again."""
        if self._running:
            self._running = False
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "stop")

    def kill(self) -> None:
        """``kill -9`` the postmaster and every process of it (a crash: nothing flushed, nothing said)."""
        pid_file = self.datadir / "postmaster.pid"
        postmaster = int(pid_file.read_text().split()[0])
        children = [postmaster]
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == postmaster:
                    children.append(int(stat.parent.name))
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self._running = False
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _alive(postmaster):
            time.sleep(0.02)
