"""``/api/v1/districts/{code}/notifications``: my notices, the unread count, marking read, my preferences."""

from __future__ import annotations

from core.cases import service
from tests.notifications.support import act, new_request, notices_of

API = "/api/v1/districts/haishu/notifications"


def _mention(as_user, text):
    reference = new_request(as_user)
    act(as_user, "worker", reference, lambda ctx, case, d: service.comment(ctx, case, d, text))
    return reference


def test_list_page_and_count_my_notices(world, as_user, api):
    """Three mentions: pages of two, unread filter, the count; rendered in Chinese by default."""
    refs = [_mention(as_user, f"@social 第{n}条") for n in (1, 2, 3)]
    social = api("social")
    first = social.get(API, params={"per_page": 2}).json()
    assert (first["total"], first["unread"], first["page"], len(first["items"])) == (3, 3, 1, 2)
    item = first["items"][0]
    assert item["title"] == f"worker 在案件 {refs[2]} 中提到了你" and item["body"] == "@social 第3条"
    assert item["link"] == f"/d/haishu/cases/{refs[2]}" and item["unread"] is True
    second = social.get(API, params={"per_page": 2, "page": 2}).json()
    assert [i["body"] for i in second["items"]] == ["@social 第1条"]
    assert social.get(f"{API}/unread-count").json() == {"unread": 3}


def test_mark_one_and_all_read(world, as_user, api, seed):
    """Marking one read drops the count; ``unread=true`` lists the rest; read-all says how many it marked."""
    _mention(as_user, "@social 一")
    _mention(as_user, "@social 二")
    one, _two = notices_of(seed, "social")
    social = api("social")
    marked = social.post(f"{API}/{one.id}/read")
    assert marked.status_code == 200 and marked.json()["unread"] is False and marked.json()["read_at"]
    assert [i["body"] for i in social.get(API, params={"unread": "true"}).json()["items"]] == ["@social 二"]
    assert social.post(f"{API}/read-all").json() == {"marked": 1, "unread": 0}
    assert social.get(f"{API}/unread-count").json() == {"unread": 0}


def test_another_persons_notice_is_404_and_bad_paging_is_400(world, as_user, api, seed):
    """social2 cannot mark social's notice; page=0 or per_page=500 is a 400 naming the parameter."""
    _mention(as_user, "@social 一")
    (notice,) = notices_of(seed, "social")
    other = api("social2")
    assert other.post(f"{API}/{notice.id}/read").status_code == 404
    assert other.get(API).json()["total"] == 0
    bad = other.get(API, params={"page": 0, "per_page": 500})
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"page", "per_page"}


def test_preferences_get_and_put(world, as_user, api, seed):
    """Defaults first; a change is kept and respected; an unknown kind or mode is a 400 and nothing changes."""
    social = api("social")
    prefs = {p["kind"]: p for p in social.get(f"{API}/preferences").json()}
    assert prefs["core.mentioned"] == {
        "kind": "core.mentioned",
        "label": "评论中提到我",
        "enabled": True,
        "mode": "instant",
        "default_on": True,
        "default_mode": "instant",
    }
    bad = social.put(
        f"{API}/preferences",
        json={"preferences": [{"kind": "core.mentioned", "enabled": False}, {"kind": "nope", "enabled": True}]},
    )
    assert bad.status_code == 400 and bad.json()["errors"] == {"preferences.1.kind": "本区没有这类消息。"}
    bad_mode = social.put(
        f"{API}/preferences", json={"preferences": [{"kind": "core.due_soon", "enabled": True, "mode": "x"}]}
    )
    assert bad_mode.status_code == 400 and "preferences.0.mode" in bad_mode.json()["errors"]
    assert {p["kind"]: p["enabled"] for p in social.get(f"{API}/preferences").json()}["core.mentioned"] is True

    ok = social.put(f"{API}/preferences", json={"preferences": [{"kind": "core.mentioned", "enabled": False}]})
    assert ok.status_code == 200
    assert {p["kind"]: p["enabled"] for p in ok.json()}["core.mentioned"] is False
    _mention(as_user, "@social 不会收到")
    assert notices_of(seed, "social") == []


def test_the_notification_api_is_in_the_openapi_document(app, api, world):
    """Every notification endpoint is described in /schema/openapi.json."""
    paths = api("social").get("/schema/openapi.json").json()["paths"]
    base = "/api/v1/districts/{district_code}/notifications"
    for path in ("", "/unread-count", "/{notice_id}/read", "/read-all", "/preferences"):
        assert base + path in paths, path
    assert {"get", "put"} <= set(paths[base + "/preferences"])
