"""Real ``sanshe run`` processes for tests: started on a free 127.0.0.1 port, always stopped.

Used by the proxy-header and two-server tests (tests/test_proxy_headers.py,
tests/test_two_servers.py). Each server runs in its own process group with its own log
file; :meth:`SansheProcess.kill` is ``kill -9`` (a crash), :meth:`stop` a clean stop.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from core.testing.pgserver import free_port

__all__ = ("ROOT", "SANSHE", "SansheProcess", "sanshe_env")

ROOT = Path(__file__).resolve().parents[2]
SANSHE = [sys.executable, "-c", "from core.cli import main; main()"]


def sanshe_env(database_url: str, var_dir: Path, **settings: str) -> dict[str, str]:
    """The environment of a test server: this one without ``SANSHE_*``, plus the given settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANSHE_")}
    env.update(
        {
            "SANSHE_DATABASE_URL": database_url,
            "SANSHE_VAR_DIR": str(var_dir),
            "SANSHE_SECRET_KEY": "two-servers-test-secret",
            "SANSHE_HOST": "127.0.0.1",
        }
    )
    if pooler := os.environ.get("SANSHE_DATABASE_POOLER"):  # the test runs through PgBouncer
        env["SANSHE_DATABASE_POOLER"] = pooler
    env.update({f"SANSHE_{k.upper()}": v for k, v in settings.items()})
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return env


class SansheProcess:
    """One ``sanshe run`` on a free port; ``url`` once :meth:`wait` returned."""

    def __init__(self, env: dict[str, str], log: Path, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        with log.open("wb") as out:
            self.proc = subprocess.Popen(  # noqa: S603 - our own argv
                [*SANSHE, "run", "--workers", "1", "--port", str(self.port), *args],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait(self, timeout: float = 60) -> None:
        """Wait until ``/healthz`` answers 200; raise with the server's log when it exits or never does."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                msg = f"sanshe run exited with {self.proc.returncode}:\n{self.output()}"
                raise RuntimeError(msg)
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:  # noqa: S310 - loopback
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        msg = f"sanshe run did not answer /healthz within {timeout:.0f} s:\n{self.output()}"
        raise RuntimeError(msg)

    def kill(self) -> None:
        """``kill -9`` the server's process group (a crash: nothing is cleaned up)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s); safe to call twice."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
