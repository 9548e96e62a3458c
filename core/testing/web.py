"""Logging in through the real login form, over HTTP or in a browser."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from litestar.testing import TestClient

__all__ = ("PASSWORD", "csrf_of", "log_in_page", "login")

PASSWORD = "sanshe-demo"  # noqa: S105 - the published demo and test password
CSRF_RE = re.compile(r'name="_csrf_token" value="([^"]+)"')


def csrf_of(client: TestClient[Any], path: str = "/login") -> str:
    """The CSRF token a page hands out (forms post it back as ``_csrf_token``)."""
    response = client.get(path)
    match = CSRF_RE.search(response.text)
    assert match, f"no CSRF field on {path} (status {response.status_code})"
    return match.group(1)


def login(client: TestClient[Any], username: str, password: str = PASSWORD) -> TestClient[Any]:
    """Log ``client`` in through the login form; fails the test when that does not work."""
    token = csrf_of(client)
    response = client.post(
        "/login", data={"username": username, "password": password, "_csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303, f"login as {username!r} failed ({response.status_code}): {response.text[:500]}"
    return client


def log_in_page(page: Any, username: str, password: str = PASSWORD) -> Any:
    """Log a Playwright ``page`` (opened on the live server's base URL) in; returns the page."""
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return page
