"""Personal API tokens: made on the profile page, Bearer auth, one district, revocable, hashed at rest."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar import Router, get, post
from litestar.testing import TestClient
from sqlalchemy import select

from core.auth.sessions import hash_id
from core.models import ApiToken
from core.testing import csrf_of, login
from core.testing.apps import lease
from core.testing.factories import make_district, make_user
from core.web.context import RequestContext, district_guard

TOKEN_RE = re.compile(r"sst_[A-Za-z0-9_-]{20,}")


@get("/probe")
async def probe_read(ctx: RequestContext) -> dict[str, Any]:
    """A district API resource for tests: which district answered."""
    assert ctx.district is not None
    return {"district": ctx.district.code}


@post("/probe", status_code=201)
async def probe_write(ctx: RequestContext) -> dict[str, Any]:
    """An unsafe district API request for tests."""
    assert ctx.district is not None
    return {"written": ctx.district.code}


def fresh_client(settings: Any, *, probe: bool = False) -> TestClient:
    """Another browser or program: a client of its own app instance (an app runs one lifespan at a time)."""
    return TestClient(app=lease(settings, extend=add_probe if probe else None))


def add_probe(app: Any) -> None:
    """Mount ``/api/v1/districts/{code}/probe`` (GET and POST) the way the core mounts district APIs."""
    app.register(
        Router(
            path="/api/v1/districts/{district_code:str}",
            route_handlers=[probe_read, probe_write],
            guards=[district_guard],
        )
    )


@pytest.fixture
def api(settings):
    """A client of an app with the probe resource (pooled apart from the plain apps: core.testing.apps)."""
    with TestClient(app=lease(settings, extend=add_probe)) as client:
        yield client


@pytest.fixture
def people(seed):
    """``multi`` works in haishu and jiangbei; ``worker`` only in haishu; ``loner`` nowhere."""

    async def data(session):
        haishu = await make_district(session)
        jiangbei = await make_district(session, "jiangbei", "江北区")
        await make_district(session, "yinzhou", "鄞州区")
        await make_user(session, "worker", district=haishu, roles=("community_worker",))
        user = await make_user(session, "multi", district=haishu, roles=("social_worker",))
        from core.models import Membership
        from core.rbac import bump_policy_version

        session.add(Membership(user_id=user.id, district_id=jiangbei.id, role_key="social_worker"))
        await session.flush()
        await bump_policy_version(session, jiangbei)
        await make_user(session, "loner")

    seed(data)


def make_token(client: TestClient, district: str = "haishu", name: str = "手机应用") -> str:
    """Create a token through the profile page and return the raw value it shows once."""
    token = csrf_of(client, "/me")
    response = client.post("/me/tokens", data={"name": name, "district": district, "_csrf_token": token})
    assert response.status_code == 201, response.text
    match = TOKEN_RE.search(response.text)
    assert match, "the new token is shown"
    return match.group(0)


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def test_new_token_is_shown_once_and_stored_only_as_hash(api, people, seed):
    """The raw token appears on the page right after creation, never again, and the table keeps its hash."""
    login(api, "worker")
    raw = make_token(api)
    again = api.get("/me").text
    assert raw not in again
    assert raw[:10] in again  # the prefix identifies it in the list
    assert "手机应用" in again

    async def stored(session):
        return (await session.execute(select(ApiToken))).scalar_one()

    row = seed(stored)
    assert row.token_hash == hash_id(raw)
    assert raw not in (row.token_hash, row.prefix)


def test_bearer_token_authenticates_the_api(settings, api, people):
    """``Authorization: Bearer`` with a live token answers /api/v1/me as its owner."""
    login(api, "worker")
    raw = make_token(api)
    with fresh_client(settings, probe=True) as program:
        response = program.get("/api/v1/me", headers=bearer(raw))
        assert response.status_code == 200
        assert response.json()["username"] == "worker"


def test_token_sees_only_its_own_district(settings, api, people):
    """A token made for haishu lists only haishu, and another district of the same user answers 404."""
    login(api, "multi")
    assert {d["code"] for d in api.get("/api/v1/me").json()["districts"]} == {"haishu", "jiangbei"}
    raw = make_token(api, "haishu")
    with fresh_client(settings, probe=True) as program:
        me = program.get("/api/v1/me", headers=bearer(raw)).json()
        assert [d["code"] for d in me["districts"]] == ["haishu"]
        assert program.get("/api/v1/districts/haishu/probe", headers=bearer(raw)).json() == {"district": "haishu"}
        other = program.get("/api/v1/districts/jiangbei/probe", headers=bearer(raw))
        assert other.status_code == 404
        assert other.json()["detail"] == "未找到。"
        assert program.get("/api/v1/districts/yinzhou/probe", headers=bearer(raw)).status_code == 404


def test_revoked_token_is_refused(settings, api, people):
    """After revoking a token on the profile page, requests with it get 401 and a clear message."""
    login(api, "worker")
    raw = make_token(api)
    with fresh_client(settings, probe=True) as program:
        assert program.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    page = api.get("/me").text
    token_id = re.search(r"/me/tokens/(\d+)/revoke", page).group(1)
    response = api.post(f"/me/tokens/{token_id}/revoke", data={"_csrf_token": csrf_of(api, "/me")})
    assert response.status_code == 200
    assert "令牌“手机应用”已撤销。" in response.text
    assert "已于" in response.text  # listed as revoked
    with fresh_client(settings, probe=True) as program:
        refused = program.get("/api/v1/me", headers=bearer(raw))
        assert refused.status_code == 401
        assert refused.json()["detail"] == "API 令牌无效或已被撤销。"
        assert refused.headers["www-authenticate"].startswith("Bearer")


def test_unknown_token_is_refused(api, people):
    """A made-up token gets 401, not an anonymous answer."""
    response = api.get("/api/v1/me", headers=bearer("sst_made-up-token-value-xxxxxxxxxxxxxxxx"))
    assert response.status_code == 401


def test_unsafe_api_request_with_token_needs_no_csrf(settings, api, people):
    """A program using a token may POST without any CSRF token (browsers never send that header on their own)."""
    login(api, "worker")
    raw = make_token(api)
    with fresh_client(settings, probe=True) as program:
        response = program.post("/api/v1/districts/haishu/probe", headers=bearer(raw))
        assert response.status_code == 201
        assert response.json() == {"written": "haishu"}


def test_token_does_not_open_web_pages(settings, api, people):
    """Tokens are for the API only: a web page asked with a token answers 401."""
    login(api, "worker")
    raw = make_token(api)
    with fresh_client(settings, probe=True) as program:
        response = program.get("/me", headers=bearer(raw), follow_redirects=False)
        assert response.status_code == 401
        assert "API 令牌只能用于 /api/ 开头的地址。" in response.text


def test_token_for_a_district_not_ones_own_is_refused(api, people, seed):
    """Asking for a token in a district where one has no role shows an error next to the field and makes nothing."""
    login(api, "worker")
    token = csrf_of(api, "/me")
    response = api.post("/me/tokens", data={"name": "偷看", "district": "jiangbei", "_csrf_token": token})
    assert response.status_code == 400
    assert 'id="token-district-error"' in response.text
    assert "请选择您所在的一个区。" in response.text
    assert 'value="偷看"' in response.text  # the name typed is kept

    async def count(session):
        return len((await session.execute(select(ApiToken))).all())

    assert seed(count) == 0


def test_token_needs_a_name(api, people):
    """A token without a name is refused with a message next to the name field."""
    login(api, "worker")
    token = csrf_of(api, "/me")
    response = api.post("/me/tokens", data={"name": "  ", "district": "haishu", "_csrf_token": token})
    assert response.status_code == 400
    assert "请为令牌起个名字" in response.text
    assert TOKEN_RE.search(response.text) is None


def test_user_without_district_cannot_make_tokens(api, people):
    """Someone with no district sees why no token can be made."""
    login(api, "loner")
    page = api.get("/me").text
    assert "令牌属于某个区；您还没有所在的区。" in page
    assert 'action="/me/tokens"' not in page


def test_cannot_revoke_someone_elses_token(settings, api, people):
    """Revoking another user's token answers 404 and the token keeps working."""
    login(api, "worker")
    raw = make_token(api)
    token_id = re.search(r"/me/tokens/(\d+)/revoke", api.get("/me").text).group(1)
    with fresh_client(settings) as other:
        login(other, "multi")
        response = other.post(f"/me/tokens/{token_id}/revoke", data={"_csrf_token": csrf_of(other, "/me")})
        assert response.status_code == 404
    with fresh_client(settings) as program:
        assert program.get("/api/v1/me", headers=bearer(raw)).status_code == 200


def test_revoke_with_htmx_returns_the_token_list(api, people):
    """The revoke button (htmx) gets back just the tokens section, with the notice."""
    login(api, "worker")
    make_token(api)
    page = api.get("/me").text
    token_id = re.search(r"/me/tokens/(\d+)/revoke", page).group(1)
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)
    response = api.post(f"/me/tokens/{token_id}/revoke", headers={"HX-Request": "true", "X-CSRFToken": csrf})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="tokens"')
    assert "<html" not in response.text
    assert "令牌“手机应用”已撤销。" in response.text


def test_last_used_is_recorded(settings, api, people):
    """Using a token fills in its "last used" time on the profile page."""
    login(api, "worker")
    raw = make_token(api)
    assert "从未" in api.get("/me").text.split('id="tokens"')[1]
    with fresh_client(settings, probe=True) as program:
        program.get("/api/v1/me", headers=bearer(raw))
    assert "从未" not in api.get("/me").text.split('id="tokens"')[1].split("新建令牌")[0]


def test_platform_admins_token_reaches_only_its_district(settings, api, seed):
    """A platform admin's token works in its one district; every other district answers 404."""

    async def data(session):
        haishu = await make_district(session)
        await make_district(session, "jiangbei", "江北区")
        await make_user(session, "root", district=haishu, roles=("district_admin",), platform_admin=True)

    seed(data)
    login(api, "root")
    assert {d["code"] for d in api.get("/api/v1/me").json()["districts"]} == {"haishu", "jiangbei"}
    raw = make_token(api, "haishu")
    with fresh_client(settings, probe=True) as program:
        assert [d["code"] for d in program.get("/api/v1/me", headers=bearer(raw)).json()["districts"]] == ["haishu"]
        assert program.get("/api/v1/districts/haishu/probe", headers=bearer(raw)).status_code == 200
        assert program.get("/api/v1/districts/jiangbei/probe", headers=bearer(raw)).status_code == 404
