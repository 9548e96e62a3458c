"""Permissions of a built type: the editor shows who gains or loses access, publishing writes exactly that."""

from __future__ import annotations

import copy
import re

from litestar.testing import TestClient

from core.builder import service as builder
from core.builder.access import access_changes
from core.testing import login


def publish(as_user, raw):
    async def run(ctx):
        await builder.new_draft(ctx.session, ctx.district, raw, user_id=None)
        await builder.publish(ctx.session, ctx.district, raw["key"], user_id=None)

    as_user("dadmin", run)


def test_access_changes_lists_gains_and_losses(meal_delivery):
    """Taking edit from community workers and giving a step to social workers is listed per role."""
    after = copy.deepcopy(meal_delivery)
    after["permissions"]["edit"] = []
    after["workflow"]["transitions"][0]["roles"] = ["community_worker", "social_worker"]
    changes = access_changes(meal_delivery, after)
    assert changes == {
        "community_worker": {"gain": [], "lose": ["edit"]},
        "social_worker": {"gain": ["transition:assess"], "lose": []},
    }


def test_a_new_version_takes_away_what_it_no_longer_grants(world, as_user, meal_delivery):
    """After v2 drops edit for community workers, the worker may no longer edit; v1 had allowed it."""
    publish(as_user, meal_delivery)
    assert as_user("worker", lambda ctx: _can(ctx, "edit")) is True
    v2 = copy.deepcopy(meal_delivery)
    v2["permissions"]["edit"] = ["district_admin"]
    publish(as_user, v2)
    assert as_user("worker", lambda ctx: _can(ctx, "edit")) is False
    assert as_user("dadmin", lambda ctx: _can(ctx, "edit")) is True


async def _can(ctx, action):
    return ctx.can("case:meal_delivery", action)


def test_the_editor_shows_who_would_lose_access(app, world, as_user, meal_delivery):
    """Unticking edit for community workers in the matrix shows '社区工作者：失去 编辑' before publishing —
    in words, like the field types offered (多行文字, not ``long_text``)."""
    publish(as_user, meal_delivery)
    url = "/d/haishu/admin/case-types/meal_delivery"
    with TestClient(app=app) as client:
        login(client, "dadmin")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', client.get(url).text).group(1)
        client.post(f"{url}/draft", data={"_csrf_token": token, "op": "start"}, headers={"HX-Request": "true"})
        token = re.search(r'name="_csrf_token" value="([^"]+)"', client.get(url).text).group(1)
        data = {"_csrf_token": token, "op": "permissions"}
        data.update(dict.fromkeys(("perm_view", "perm_create", "perm_comment"), "community_worker"))
        page = client.post(f"{url}/draft", data=data, headers={"HX-Request": "true"})
        changes = re.search(r'<div id="access-changes".*?</div>', page.text, re.S).group(0)
        assert "社区工作者" in changes and "编辑" in changes and "<del>" in changes
        assert "edit" not in changes.replace('id="access-changes"', "")
        assert '<option value="long_text">多行文字</option>' in page.text and ">long_text<" not in page.text
