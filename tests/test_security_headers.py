"""Security headers on every kind of response: pages, errors, refusals, the API, static files."""

from __future__ import annotations

import re

import pytest

from core.testing import login
from core.testing.factories import make_district, make_user


@pytest.fixture
def worker(seed):
    """A community worker of haishu."""

    async def data(session):
        district = await make_district(session)
        await make_user(session, "worker", district=district, roles=("community_worker",))

    seed(data)


def _directives(response) -> dict[str, str]:
    csp = response.headers["content-security-policy"]
    return {part.split()[0]: part.strip() for part in csp.split(";") if part.strip()}


def assert_secure(response) -> None:
    """CSP without inline script and with frame-ancestors 'none', plus the usual hardening headers."""
    directives = _directives(response)
    script = directives.get("script-src") or directives["default-src"]
    assert "'unsafe-inline'" not in script
    assert "'unsafe-eval'" not in script
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert directives["object-src"] == "object-src 'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"


def test_login_page_has_security_headers(client):
    """The login page is sent with the CSP and anti-framing headers."""
    assert_secure(client.get("/login"))


def test_logged_in_pages_have_security_headers(client, worker):
    """The dashboard and the profile page are sent with the same headers."""
    login(client, "worker")
    assert_secure(client.get("/d/haishu/"))
    assert_secure(client.get("/me"))


def test_error_pages_have_security_headers(client, worker):
    """A 404 page, a 403 CSRF refusal and a redirect to login carry the headers too."""
    not_found = client.get("/no/such/page")
    assert not_found.status_code == 404
    assert_secure(not_found)
    redirect = client.get("/me", follow_redirects=False)
    assert redirect.status_code == 303
    assert_secure(redirect)
    refused = client.post("/login", data={"username": "x", "password": "y"})
    assert refused.status_code == 403
    assert_secure(refused)


def test_api_responses_have_security_headers(client, worker):
    """API answers, including a refused token, carry the headers."""
    assert_secure(client.get("/api/v1/me", follow_redirects=False))
    assert_secure(client.get("/api/v1/me", headers={"Authorization": "Bearer sst_nope-nope-nope-nope-nope"}))
    login(client, "worker")
    assert_secure(client.get("/api/v1/me"))


def test_static_files_have_security_headers(client):
    """Our own script is served with the headers as well."""
    response = client.get("/static/app.js")
    assert response.status_code == 200
    assert_secure(response)


def test_pages_contain_no_inline_script(client, worker):
    """No page sends an inline ``<script>`` or event-handler attribute (the CSP would block it anyway)."""
    pages = [client.get("/login").text]
    login(client, "worker")
    pages += [client.get(path).text for path in ("/d/haishu/", "/me", "/logout")]
    for html in pages:
        assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
        assert re.search(r"<[^>]+\son[a-z]+=", html) is None
        assert "style=" not in html
