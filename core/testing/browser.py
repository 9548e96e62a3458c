"""A real HTTP server for the app and Debian's Chromium, for browser tests of plugins.

The server is uvicorn in a thread of the test process (its own event loop), on a free
127.0.0.1 port. Chromium is the system's (``/usr/bin/chromium`` on Debian, or
``SANSHE_CHROMIUM``), driven by Playwright's sync API; no browser is ever downloaded.
"""

from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from core.testing.pgserver import free_port

if TYPE_CHECKING:
    from collections.abc import Iterator

    from litestar import Litestar

__all__ = ("CHROMIUM_ARGS", "chromium_path", "launch_chromium", "serve")

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium_path() -> Path:
    """Where Chromium is: ``SANSHE_CHROMIUM`` or Debian's ``/usr/bin/chromium``."""
    return Path(os.environ.get("SANSHE_CHROMIUM", "/usr/bin/chromium"))


@contextmanager
def serve(app: Litestar, timeout: float = 30) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a background thread; yields its base URL, stops it afterwards."""
    import uvicorn  # noqa: PLC0415

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name=f"sanshe-live-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            pytest.fail(f"the test server did not start on 127.0.0.1:{port} within {timeout:.0f} s", pytrace=False)
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def launch_chromium() -> Iterator[Any]:
    """Launch headless Chromium; skips the test, saying why, when it is not installed."""
    path = chromium_path()
    if not path.is_file():
        pytest.skip(f"没有找到 Chromium / {path} not found: install Debian's `chromium` or set SANSHE_CHROMIUM")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(path), headless=True, args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()
