"""A repmgr cluster on loopback: Debian's ``postgresql-15-repmgr``, set up as an operator does.

:class:`Node` is one PostgreSQL server of the cluster with its own ``repmgr.conf``. The
first node is a primary copied from a running server (``pg_basebackup``, so it has the
source's migrated databases), given a ``repmgr`` database and registered with ``repmgr
primary register``; a standby node is made from it with ``repmgr standby clone``, started,
and registered with ``repmgr standby register``. :meth:`Node.start_daemon` runs
``repmgrd`` on a node with ``failover=automatic``: when the primary stops answering, the
daemon of its standby runs ``repmgr standby promote`` by itself (docs/deployment-database.md
shows the same configuration for production servers).

Every server runs with ``shared_preload_libraries = 'repmgr'`` (what repmgrd needs) and
what ``pg_rewind`` needs to rejoin a failed primary (``wal_log_hints``, full page writes) and,
like :class:`core.testing.replica.Copy`, lives in RAM when there is ``/dev/shm``, runs as
``postgres`` when the tests run as root (repmgr refuses to run as root), and is stopped
and deleted by a watchdog when the test process dies — repmgrd too.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from core.testing.replica import Copy

if TYPE_CHECKING:
    from collections.abc import Sequence

    from core.testing.pgserver import PostgresServer

__all__ = ("Node", "RepmgrNotFoundError")


# repmgrd's library; pg_rewind (to rejoin a failed primary as a standby) needs hint bits in the WAL, and the old
# primary's WAL back to the last checkpoint both servers share (its own crash recovery must not recycle it).
SETTINGS = """
# repmgr (core/testing/repmgr.py)
shared_preload_libraries = 'repmgr'
wal_log_hints = on
wal_keep_size = 64MB
"""


class RepmgrNotFoundError(RuntimeError):
    """Debian's ``postgresql-<version>-repmgr`` package is not installed."""


class Node(Copy):
    """Node ``node_id`` of a repmgr cluster: a primary copied from ``source``, or a standby of ``upstream``.

    The daemon's timings are short (the upstream checked every second, two reconnection
    attempts one second apart) so that a test's failover takes seconds, not the minute
    of repmgr's defaults.
    """

    def __init__(
        self,
        source: PostgresServer,
        node_id: int,
        *,
        upstream: Node | None = None,
        options: Sequence[str] = (),
    ) -> None:
        # Full pages in the WAL, which Copy turns off for speed: pg_rewind requires them on its source.
        super().__init__(source, standby=upstream is not None, options=["full_page_writes=on", *options])
        if not (self.bindir / "repmgr").is_file() or not (self.bindir / "repmgrd").is_file():
            shutil.rmtree(self.root, ignore_errors=True)
            version = self.bindir.parent.name
            msg = (
                f"没有找到 repmgr / repmgr not found in {self.bindir}: install Debian's "
                f"`postgresql-{version}-repmgr` package (`make test` does)"
            )
            raise RepmgrNotFoundError(msg)
        self.node_id = node_id
        self.name = f"node{node_id}"
        self.upstream = upstream
        self.conf = self.root / "repmgr.conf"
        self.daemon_log = self.root / "repmgrd.log"
        self._daemon: subprocess.Popen[bytes] | None = None
        self._daemon_dir: Path | None = None

    def conninfo(self, database: str = "repmgr") -> str:
        return f"host=127.0.0.1 port={self.port} user={self.source.user} dbname={database} connect_timeout=2"

    def _write_conf(self) -> None:
        repmgr = self.bindir / "repmgr"
        self.conf.write_text(
            f"""node_id={self.node_id}
node_name='{self.name}'
conninfo='{self.conninfo()}'
data_directory='{self.datadir}'
pg_bindir='{self.bindir}'
service_start_command='{shlex.join(self.start_command()).replace("'", "''")}'
log_level=INFO
log_file='{self.daemon_log}'
repmgrd_pid_file='{self.root / "repmgrd.pid"}'

failover=automatic
promote_command='{repmgr} standby promote -f {self.conf} --log-to-file'
follow_command='{repmgr} standby follow -f {self.conf} --log-to-file --upstream-node-id=%n'
monitor_interval_secs=1
reconnect_attempts=2
reconnect_interval=1
node_rejoin_timeout=15
standby_reconnect_timeout=15
"""
        )

    def repmgr(self, *args: str, timeout: float = 120) -> None:
        """Run ``repmgr -f <this node's repmgr.conf> …`` as the servers' user."""
        self._run(str(self.bindir / "repmgr"), "-f", str(self.conf), *args, timeout=timeout)

    def start(self) -> Node:
        """Make the node (copy + ``primary register``, or ``standby clone`` + start + ``standby register``)."""
        if self.upstream is None:
            super().start()  # a pg_basebackup copy of the source, started as a primary
            self._write_conf()
            self._run(str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, "repmgr")
            self.repmgr("primary", "register")
            return self
        self._prepare()
        self._write_conf()
        up = self.upstream
        self.repmgr("-h", "127.0.0.1", "-p", str(up.port), "-U", up.user, "-d", "repmgr", "standby", "clone", "-c")
        self.launch()
        self.repmgr("standby", "register")
        return self

    def launch(self) -> None:
        """Start the server with repmgr's settings in its ``postgresql.conf`` (a standby's clone has them already).

        In the file, not on ``pg_ctl``'s command line: ``pg_rewind`` runs the server on its own
        (crash recovery of a killed primary) and must see ``wal_log_hints`` on too.
        """
        conf = self.datadir / "postgresql.conf"
        text = conf.read_text()
        if SETTINGS not in text:
            conf.write_text(text + SETTINGS)
        super().launch()

    def rejoin(self, primary: Node) -> None:
        """Bring this failed (stopped) former primary back as a standby of ``primary`` (``repmgr node rejoin``).

        ``--force-rewind`` runs ``pg_rewind``: it first finishes the crash recovery of a server
        that was killed, then takes back what the old primary wrote after the standby's promotion
        (never acknowledged: the commits waited for the standby), and repmgr starts the server
        as a standby with ``service_start_command``.
        """
        # A promoted server writes its new timeline into pg_control at its next checkpoint: until then
        # pg_rewind sees "the same timeline", rewinds nothing, and the old primary cannot follow.
        self._run(str(self.bindir / "psql"), "-d", primary.conninfo(), "-c", "CHECKPOINT")
        archive = f"--config-archive-dir={self.root}"  # not the default, shared /tmp
        self.repmgr("node", "rejoin", "-d", primary.conninfo(), "--force-rewind", archive)
        self._running = True

    def start_daemon(self) -> None:
        """Run ``repmgrd`` for this node (in the foreground of a child process; a watchdog ends it with the tests)."""
        from core.testing.pgserver import _WATCHDOG  # noqa: PLC0415

        uid: int | None = None  # as root: the servers' user (repmgr refuses to run as root)
        gid: int | None = None
        groups: list[int] | None = None
        env = dict(os.environ)
        if self._as_root:
            import pwd  # noqa: PLC0415

            pw = pwd.getpwnam("postgres")
            uid, gid, groups, env["HOME"] = pw.pw_uid, pw.pw_gid, [], pw.pw_dir
        self._daemon = subprocess.Popen(  # noqa: S603 - our own argv, no shell
            [str(self.bindir / "repmgrd"), "-f", str(self.conf), "--daemonize=false"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            env=env,
            user=uid,
            group=gid,
            extra_groups=groups,
        )
        self._daemon_dir = Path(tempfile.mkdtemp(prefix="sanshe-repmgrd-"))
        subprocess.Popen(  # noqa: S603 - our own argv, no shell
            [sys.executable, "-c", _WATCHDOG, str(os.getpid()), str(self._daemon_dir), "kill", str(self._daemon.pid)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while "monitoring" not in self.log():
            if self._daemon.poll() is not None or time.monotonic() > deadline:
                msg = f"repmgrd of {self.name} did not start monitoring:\n{self.log()[-4000:]}"
                raise RuntimeError(msg)
            time.sleep(0.05)

    def log(self) -> str:
        """What repmgrd (and the repmgr commands it ran) logged so far."""
        return self.daemon_log.read_text(errors="replace") if self.daemon_log.exists() else ""

    def stop(self) -> None:
        """Stop repmgrd, then the server, and delete everything; safe to call twice."""
        if self._daemon is not None and self._daemon.poll() is None:
            self._daemon.terminate()
            try:
                self._daemon.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._daemon.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._daemon.wait(timeout=5)
        if self._daemon_dir is not None:
            shutil.rmtree(self._daemon_dir, ignore_errors=True)  # its watchdog ends with it
        super().stop()
