"""Race tests: fire N HTTP requests at a live server at the same moment and collect the answers.

Rules that depend on a sum or a count (a yearly cap, a gift limit, one ballot per member)
hold only if they are checked under the same lock as the write. A test proves it by
sending many requests at once to a real server (:func:`core.testing.browser.serve`, or the
``sanshe_live_url`` fixture) and checking that the rule held::

    from core.testing.races import Call, fire

    calls = [Call("POST", f"/api/v1/time-bank/services/{ref}/actions", json={"action": "confirm"}, token=token)
             for ref in references]
    responses = fire(live_url, calls)
    assert sorted(r.status_code for r in responses) == [200] * len(calls)

Each call runs in its own thread with its own ``httpx.Client`` (its own connection, and its
own cookies when it logs in); a barrier releases them together. Everything is bounded in
time and refuses any host but the loopback.
"""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from core.testing.web import PASSWORD

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = ("Call", "fire", "logged_in")

_LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
_CSRF_RE = re.compile(r'name="_csrf_token" value="([^"]+)"')


def _check_loopback(base_url: str) -> None:
    host = urlsplit(base_url).hostname or ""
    if host not in _LOOPBACK:
        msg = f"race tests only talk to the loopback, not to {host!r}"
        raise ValueError(msg)


@dataclass(frozen=True)
class Call:
    """One request of a race: ``method`` and ``path`` (relative to the server), and how to send it.

    ``token`` sends ``Authorization: Bearer <token>`` (API requests); ``client`` sends it
    through a client made by :func:`logged_in` (its cookies; ``csrf`` adds the form's
    ``_csrf_token`` to ``data``). Without either, the request is anonymous. ``delay``
    (seconds after the start signal) spreads requests over a window, so that slow writes
    overlap with many short reads.
    """

    method: str
    path: str
    json: Any = None
    data: Mapping[str, Any] | None = None
    token: str | None = None
    client: httpx.Client | None = None
    csrf: bool = False
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0


def logged_in(
    base_url: str, username: str, password: str = PASSWORD, *, csrf_path: str | None = None, timeout: float = 30
) -> httpx.Client:
    """An ``httpx.Client`` on ``base_url`` logged in through the login form (close it when done).

    The session's CSRF token is read from ``csrf_path`` (default: the page login leads to).
    """
    _check_loopback(base_url)
    client = httpx.Client(base_url=base_url, timeout=timeout, follow_redirects=False)
    page = client.get("/login")
    match = _CSRF_RE.search(page.text)
    if match is None:
        client.close()
        msg = f"no CSRF field on /login (status {page.status_code})"
        raise AssertionError(msg)
    answer = client.post("/login", data={"username": username, "password": password, "_csrf_token": match.group(1)})
    if answer.status_code != 303:
        client.close()
        msg = f"login as {username!r} failed ({answer.status_code}): {answer.text[:300]}"
        raise AssertionError(msg)
    page = client.get(csrf_path or answer.headers.get("location", "/"), follow_redirects=True)
    token = _CSRF_RE.search(page.text)  # the session's token changes at login
    client.headers["x-sanshe-csrf"] = token.group(1) if token else ""  # kept for Call(csrf=True)
    return client


def _send(base_url: str, call: Call, barrier: threading.Barrier, timeout: float) -> httpx.Response:
    headers = dict(call.headers)
    if call.token:
        headers["Authorization"] = f"Bearer {call.token}"
    own = call.client is None
    client = call.client or httpx.Client(base_url=base_url, timeout=timeout, follow_redirects=False)
    data = dict(call.data) if call.data is not None else None
    if call.csrf and call.client is not None:
        data = {**(data or {}), "_csrf_token": call.client.headers.get("x-sanshe-csrf", "")}
    request = client.build_request(call.method, call.path, json=call.json, data=data, headers=headers)
    try:
        client.get("/healthz")  # open the connection before the start signal
        barrier.wait(timeout=timeout)
        if call.delay > 0:
            time.sleep(min(call.delay, timeout))
        return client.send(request)
    finally:
        if own:
            client.close()


def fire(base_url: str, calls: Sequence[Call], *, timeout: float = 60) -> list[httpx.Response]:
    """Send every call at once (a thread each, released together); the responses in the order of ``calls``.

    Raises the first transport error (a timeout after ``timeout`` seconds included), so a
    hung server fails the test instead of hanging it.
    """
    _check_loopback(base_url)
    if not calls:
        return []
    barrier = threading.Barrier(len(calls))
    with ThreadPoolExecutor(max_workers=len(calls), thread_name_prefix="sanshe-race") as pool:
        futures = [pool.submit(_send, base_url, call, barrier, timeout) for call in calls]
        return [future.result(timeout=timeout * 2) for future in futures]
