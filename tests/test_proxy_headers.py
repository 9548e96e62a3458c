"""``sanshe run --proxy-headers``: behind a balancer, login throttling counts the real client, not the balancer.

A real ``sanshe run`` trusts X-Forwarded-For from 127.0.0.1 only (``--forwarded-allow-ips``).
The test talks to it as the balancer (from 127.0.0.1, naming the client in the header) and
as an untrusted peer (from 127.0.0.2, whose header must be ignored).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from core.testing.factories import make_district, make_user
from core.testing.servers import SansheProcess, sanshe_env
from core.testing.web import PASSWORD

if TYPE_CHECKING:
    from pathlib import Path

CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


def attempt(client: httpx.Client, forwarded_for: str, username: str, password: str = "wrong-password") -> int:
    """One login through the form, the client named in X-Forwarded-For; the answer's status."""
    headers = {"x-forwarded-for": forwarded_for}
    token = CSRF.search(client.get("/login", headers=headers).text)
    assert token, "no login form"
    response = client.post(
        "/login", data={"username": username, "password": password, "_csrf_token": token.group(1)}, headers=headers
    )
    return response.status_code


# SQLite only: the same throttling through a balancer on PostgreSQL is part of tests/test_two_servers.py
# (each failed login costs a production argon2 check in the server: kept to one run).
@pytest.mark.parametrize("backend", ["sqlite"])
def test_throttling_counts_the_client_named_by_a_trusted_balancer(
    backend: str, database_url: str, seed: Any, tmp_path: Path
) -> None:
    """20 failed logins of one client through the balancer lock out that client only; an untrusted peer's
    X-Forwarded-For is ignored (it cannot pose as the locked-out client, nor as anyone else)."""

    async def world(session: Any) -> None:
        district = await make_district(session)
        await make_user(session, "worker", district=district, roles=("community_worker",))

    seed(world)
    env = sanshe_env(database_url, tmp_path / "var", scheduler="0")
    server = SansheProcess(env, tmp_path / "server.log", "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1")
    try:
        server.wait()

        def client(source: str = "127.0.0.1") -> httpx.Client:
            return httpx.Client(base_url=server.url, transport=httpx.HTTPTransport(local_address=source), timeout=30)

        with client() as balancer, client("127.0.0.2") as stranger:
            for n in range(20):  # another username each time: only the address's counter fills
                assert attempt(balancer, "198.51.100.7", f"nobody{n}") == 400
            assert attempt(balancer, "198.51.100.7", "worker", PASSWORD) == 429
            with client() as other:
                assert attempt(other, "198.51.100.8", "worker", PASSWORD) == 303

            # A peer not in --forwarded-allow-ips naming the locked-out client: the header is ignored,
            # the peer itself (127.0.0.2) has no failures, so it is let in.
            assert attempt(stranger, "198.51.100.7", "worker", PASSWORD) == 303
        assert "X-Forwarded-For trusted from: 127.0.0.1" in server.output()
    finally:
        server.stop()
