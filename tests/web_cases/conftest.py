"""The 海曙区 world of the case tests, driven through the web pages by logged-in clients."""

from __future__ import annotations

import re
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

import pytest
from litestar.testing import TestClient

from core.testing import login
from tests.cases.conftest import RESIDENT_REQUEST, world  # noqa: F401 - a fixture

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
NONCE = re.compile(r'name="_nonce" value="([^"]+)"')
LOCK = re.compile(r'id="case-lock" name="page_lock_version" value="(\d+)"')
HTMX = {"HX-Request": "true"}


@pytest.fixture
def browser(app: Any, world: Any) -> Iterator[Callable[[str], TestClient[Any]]]:  # noqa: F811
    """``browser(name)`` is a client logged in as that user (one per name; closed last-opened first)."""
    clients: dict[str, TestClient[Any]] = {}
    with ExitStack() as stack:

        def open_as(username: str) -> TestClient[Any]:
            if username not in clients:
                clients[username] = login(stack.enter_context(TestClient(app=app)), username)
            return clients[username]

        yield open_as


def csrf(html: str) -> str:
    """The CSRF token on a page."""
    match = CSRF.search(html)
    assert match, "no CSRF field"
    return match.group(1)


def new_case_form(client: TestClient[Any], type_key: str = "resident_request") -> tuple[str, str]:
    """Open the new-case form; return (csrf token, one-time nonce)."""
    page = client.get(f"/d/haishu/cases/new/{type_key}")
    assert page.status_code == 200, page.text
    nonce = NONCE.search(page.text)
    assert nonce
    return csrf(page.text), nonce.group(1)


def file_case(
    client: TestClient[Any], title: str = "楼道垃圾", type_key: str = "resident_request", **fields: Any
) -> str:
    """File a case through the form; return its reference (follows the 303)."""
    token, nonce = new_case_form(client, type_key)
    data = {"_csrf_token": token, "_nonce": nonce, "title": title, "channel": "phone", **RESIDENT_REQUEST, **fields}
    response = client.post(f"/d/haishu/cases/new/{type_key}", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[1]


def lock_of(html: str) -> str:
    """The case page's lock version."""
    match = LOCK.search(html)
    assert match
    return match.group(1)
