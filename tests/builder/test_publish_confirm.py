"""Publishing a draft that takes access away asks first (page and API); one that takes nothing away is one click."""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any

import pytest
from litestar.testing import TestClient

from core.builder import service as builder
from core.testing import csrf_of, login

if TYPE_CHECKING:
    from collections.abc import Iterator

URL = "/d/haishu/admin/case-types/meal_delivery"
API = "/api/v1/districts/haishu/builder/case-types/meal_delivery"


@pytest.fixture
def admin(app: Any, world: Any, as_user: Any, meal_delivery: dict[str, Any]) -> Iterator[TestClient[Any]]:
    """v1 of 独居老人送餐申请 published; the district admin logged in."""

    async def v1(ctx: Any) -> None:
        await builder.new_draft(ctx.session, ctx.district, meal_delivery, user_id=None)
        await builder.publish(ctx.session, ctx.district, "meal_delivery", user_id=None)

    as_user("dadmin", v1)
    with TestClient(app=app) as client:
        login(client, "dadmin")
        yield client


def _token(client: TestClient[Any]) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', client.get(URL).text).group(1)  # type: ignore[union-attr]


def _draft_with(client: TestClient[Any], **perms: str) -> None:
    """Start a draft of v1 and save the permission matrix with ``perm_<action>=role`` ticked."""
    client.post(f"{URL}/draft", data={"_csrf_token": _token(client), "op": "start"}, headers={"HX-Request": "true"})
    data = {"_csrf_token": _token(client), "op": "permissions", **perms}
    saved = client.post(f"{URL}/draft", data=data, headers={"HX-Request": "true"})
    assert saved.status_code == 200, saved.text


def _versions(client: TestClient[Any]) -> list[int]:
    return [v["version"] for v in client.get(API).json()["versions"] if v["status"] == "published"]


def test_publishing_a_loss_asks_first_then_publishes_anyway(admin):
    """Taking edit and comment from community workers lists them and publishes only after 'publish anyway'."""
    _draft_with(
        admin,
        perm_view=["community_worker", "district_admin"],
        perm_create=["community_worker", "district_admin"],
    )
    asked = admin.post(f"{URL}/publish", data={"_csrf_token": _token(admin)}, headers={"HX-Request": "true"})
    assert asked.status_code == 200
    assert "发布并收回权限？" in asked.text and 'id="publish-anyway"' in asked.text
    losses = re.search(r'<ul id="access-losses">.*?</ul>', asked.text, re.S).group(0)  # type: ignore[union-attr]
    assert "社区工作者" in losses and "edit" in losses and "comment" in losses
    assert "区管理员" not in losses
    assert _versions(admin) == [1]
    done = admin.post(f"{URL}/publish", data={"_csrf_token": _token(admin), "confirm": "1"}, follow_redirects=False)
    assert done.status_code == 303
    assert _versions(admin) == [2, 1]
    page = admin.get(URL).text
    assert "v2" in page[page.index('id="versions"') :]


def test_publishing_without_losses_is_one_click(admin):
    """Giving social workers view in addition takes nothing away: the first post publishes."""
    _draft_with(
        admin,
        perm_view=["community_worker", "district_admin", "social_worker"],
        perm_create=["community_worker", "district_admin"],
        perm_edit=["community_worker"],
        perm_comment=["community_worker"],
    )
    page = admin.post(f"{URL}/publish", data={"_csrf_token": _token(admin)}, follow_redirects=False)
    assert page.status_code == 303
    assert _versions(admin) == [2, 1]


def test_the_api_refuses_a_loss_without_confirm(admin, meal_delivery):
    """The API answers 409 with the losses per role; with ?confirm=true it publishes."""
    headers = {"x-csrftoken": csrf_of(admin, URL)}
    assert admin.post(API.rsplit("/", 1)[0], json={"key": "meal_delivery"}, headers=headers).status_code == 201
    fewer = copy.deepcopy(meal_delivery)
    fewer["permissions"]["edit"] = ["district_admin"]
    assert admin.put(f"{API}/draft", json={"definition": fewer}, headers=headers).status_code == 200
    refused = admin.post(f"{API}/publish", headers=headers)
    assert refused.status_code == 409
    body = refused.json()
    assert body["extra"]["losses"] == {"community_worker": ["edit"]}
    assert "confirm=true" in body["detail"]
    assert _versions(admin) == [1]
    published = admin.post(f"{API}/publish?confirm=true", headers=headers)
    assert published.status_code == 201 and published.json()["version"] == 2
