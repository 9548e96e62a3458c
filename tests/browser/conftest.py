"""A real Sanshe server and Debian's Chromium for the browser tests.

``live_server`` migrates a SQLite file, seeds the demo district with ``sanshe demo``,
starts ``sanshe run`` on a free 127.0.0.1 port in a subprocess, waits for ``/healthz``
and stops the server after the module's tests. ``page`` is a Playwright (sync API) page in
``/usr/bin/chromium``; no browser is ever downloaded.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from core.testing.pgserver import free_port

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("SANSHE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SANSHE = [sys.executable, "-c", "from core.cli import main; main()"]


def _sanshe(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [*SANSHE, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert result.returncode == 0, f"sanshe {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"sanshe run exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"sanshe run did not answer /healthz within {timeout:.0f} s:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="module")
def live_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The live server's folder: its ``demo.db`` (SQLite), ``var/`` and ``server.log``."""
    return tmp_path_factory.mktemp("live")


@pytest.fixture(scope="module")
def live_server(live_workdir: Path) -> Iterator[str]:
    """Base URL of a running ``sanshe run`` over a migrated, demo-seeded SQLite database."""
    workdir = live_workdir
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SANSHE_")},
        "SANSHE_VAR_DIR": str(workdir / "var"),
        "SANSHE_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'demo.db'}",
        "SANSHE_SECRET_KEY": "browser-test-secret",
        "SANSHE_HOST": "127.0.0.1",
        "SANSHE_PORT": str(port),
    }
    _sanshe(env, "db", "upgrade")
    _sanshe(env, "demo", "--quiet")
    log = workdir / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*SANSHE, "run", "--workers", "1"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright's sync API (fails when Chromium is missing).

    Module-scoped on purpose: while Playwright's sync API is active it keeps an event loop
    running in the main thread, and every ``asyncio.run`` of the other tests would fail.
    """
    if not CHROMIUM.is_file():
        pytest.fail(
            f"没有找到 Chromium / {CHROMIUM} not found: install Debian's `chromium` (`make test` does)", pytrace=False
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) and page; Chinese is what a new visitor gets."""
    context = browser.new_context(locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
