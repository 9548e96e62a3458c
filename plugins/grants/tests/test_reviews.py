"""Review: assignment by hand and automatically, conflicts of interest, blind review, scores with n/a,
one review per reviewer, progress and the ranking."""

from __future__ import annotations

from sqlalchemy import select, update

from core.db import for_district, utcnow
from core.models import District
from core.testing import login
from plugins.grants.models import Application, Assignment, Call
from plugins.grants.tests.support import add_application

API = "/api/v1/districts/haishu/grants"


def _auth(world, user):
    return {"Authorization": f"Bearer {world.tokens[user]}"}


def _assignments(seed):
    async def read(session):
        rows = await session.execute(select(Assignment.application_id, Assignment.reviewer_id, Assignment.conflict))
        return list(rows.all())

    return seed(read)


def test_automatic_assignment_balances_and_leaves_out_conflicts(client, world, seed):
    """Two reviewers per application, three applications, reviewers r1 r2 r3 — but r2 is in the hub that
    supervises 阳光社工服务社, so r2 only reviews the other organization's application; r1 and r3 share the rest
    evenly (within one)."""
    for title, org in (("银发课堂", "sunshine"), ("邻里食堂", "sunshine"), ("河道守护", "removed")):
        seed(lambda s, t=title, o=org: add_application(s, world, title=t, org=o))
    response = client.post(f"{API}/calls/{world.call}/auto-assign", headers=_auth(world, "staff"))
    assert response.status_code == 200
    assert response.json()["added"] == 6
    rows = _assignments(seed)
    by_reviewer = {}
    for _app, reviewer, conflict in rows:
        assert conflict == ""
        by_reviewer[reviewer] = by_reviewer.get(reviewer, 0) + 1
    assert by_reviewer[world.users["r2"]] == 1  # only 河道守护: the hub does not supervise that organization
    assert abs(by_reviewer[world.users["r1"]] - by_reviewer[world.users["r3"]]) <= 1  # the rest, balanced
    again = client.post(f"{API}/calls/{world.call}/auto-assign", headers=_auth(world, "staff"))
    assert again.json()["added"] == 0


def test_hand_assignment_detects_the_conflict(client, world, seed):
    """Assigning r2 by hand to the hub's organization records the conflict; r2 can't open it."""
    app_id = seed(lambda s: add_application(s, world))
    response = client.post(
        f"{API}/applications/{app_id}/assignments",
        json={"reviewer_id": world.users["r2"]},
        headers=_auth(world, "staff"),
    )
    assert response.status_code == 201
    assert response.json()["excluded"] is True
    assert "枢纽组织" in response.json()["conflict"]
    assert client.get(f"{API}/applications/{app_id}", headers=_auth(world, "r2")).status_code == 404


def _assign(client, world, app_id, reviewer):
    response = client.post(
        f"{API}/applications/{app_id}/assignments",
        json={"reviewer_id": world.users[reviewer]},
        headers=_auth(world, "staff"),
    )
    assert response.status_code == 201, response.text


def test_blind_review_hides_the_applicant_on_pages_and_in_the_api(client, world, seed):
    """In a blind call the reviewer sees neither the organization's name (page, API, queue) nor its id; staff do."""

    async def blind(session):
        from plugins.grants.models import Call

        call = await session.get(Call, world.call)
        call.blind = True

    seed(blind)
    app_id = seed(lambda s: add_application(s, world))
    _assign(client, world, app_id, "r1")
    api = client.get(f"{API}/applications/{app_id}", headers=_auth(world, "r1")).json()
    assert api["organization_name"] is None and api["organization_id"] is None
    queue = client.get(f"{API}/reviews", headers=_auth(world, "r1")).json()
    assert queue[0]["organization_name"] is None
    login(client, "r1")
    page = client.get(f"/d/haishu/grants/applications/{app_id}")
    assert page.status_code == 200
    assert "阳光社工服务社" not in page.text
    assert "已隐藏（匿名评审）" in page.text
    assert "阳光社工服务社" not in client.get("/d/haishu/grants/reviews").text
    staff = client.get(f"{API}/applications/{app_id}", headers=_auth(world, "staff")).json()
    assert staff["organization_name"] == "阳光社工服务社"


def test_scores_with_n_a_draft_then_submit_once(client, world, seed):
    """A draft keeps partial scores; n/a only where allowed; submitting needs every criterion;
    the score leaves n/a out; a second submission is refused."""
    app_id = seed(lambda s: add_application(s, world))
    _assign(client, world, app_id, "r1")
    c1, c2, c3 = (str(c) for c in world.criteria)  # 公益性 ×3 (0–10), 创新性 ×1 (n/a allowed), 执行力 ×1 (0–5)
    url = f"{API}/applications/{app_id}/review"
    draft = client.put(url, json={"scores": {c1: 8}}, headers=_auth(world, "r1"))
    assert draft.status_code == 200, draft.text
    assert draft.json()["submitted"] is False
    incomplete = client.put(url, json={"scores": {c1: 8}, "submit": True}, headers=_auth(world, "r1"))
    assert incomplete.status_code == 400
    assert f"score_{c3}" in incomplete.json()["errors"]
    bad_na = client.put(url, json={"scores": {c1: None, c2: None, c3: 4}, "submit": True}, headers=_auth(world, "r1"))
    assert bad_na.status_code == 400
    assert "不能选不适用" in bad_na.json()["errors"][f"score_{c1}"]
    out_of_range = client.put(url, json={"scores": {c1: 8, c2: 5, c3: 9}, "submit": True}, headers=_auth(world, "r1"))
    assert "0–5" in out_of_range.json()["errors"][f"score_{c3}"]
    done = client.put(
        url,
        json={"scores": {c1: 8, c2: None, c3: 4}, "comments": {c1: "需求清楚"}, "submit": True},
        headers=_auth(world, "r1"),
    )
    assert done.status_code == 200, done.text
    assert done.json()["submitted"] is True
    assert done.json()["score"] == 80.0  # (3·0.8 + 1·0.8) / 4: 创新性 n/a is left out
    again = client.put(url, json={"scores": {c1: 2, c2: 2, c3: 2}, "submit": True}, headers=_auth(world, "r1"))
    assert again.status_code == 409


def test_declared_conflict_excludes_the_reviewer(client, world, seed):
    """A reviewer declares a conflict with a reason: excluded, the application leaves their queue."""
    app_id = seed(lambda s: add_application(s, world))
    _assign(client, world, app_id, "r3")
    assert (
        client.post(
            f"{API}/applications/{app_id}/conflict", json={"reason": ""}, headers=_auth(world, "r3")
        ).status_code
        == 400
    )
    declared = client.post(
        f"{API}/applications/{app_id}/conflict", json={"reason": "曾任该组织理事"}, headers=_auth(world, "r3")
    )
    assert declared.status_code == 200
    assert declared.json()["excluded"] is True
    assert client.get(f"{API}/reviews", headers=_auth(world, "r3")).json() == []


def test_ranking_and_progress(client, world, seed):
    """Two applications, two reviewers each: the ranking shows both scores, ordered by the call's
    (normalised) score; progress counts submitted / assigned per reviewer."""
    a = seed(lambda s: add_application(s, world, title="甲"))
    b = seed(lambda s: add_application(s, world, title="乙", org="removed"))
    c1, c2, c3 = (str(c) for c in world.criteria)
    for app_id, marks in ((a, {"r1": 9, "r3": 6}), (b, {"r1": 7, "r3": 5})):
        for reviewer, mark in marks.items():
            _assign(client, world, app_id, reviewer)
            response = client.put(
                f"{API}/applications/{app_id}/review",
                json={"scores": {c1: mark, c2: mark, c3: 5}, "submit": True},
                headers=_auth(world, reviewer),
            )
            assert response.status_code == 200, response.text
    ranking = client.get(f"{API}/calls/{world.call}/ranking", headers=_auth(world, "staff")).json()
    assert [r["title"] for r in ranking] == ["甲", "乙"]
    assert ranking[0]["raw_score"] > ranking[1]["raw_score"]
    assert ranking[0]["normalised_score"] is not None
    progress = {
        p["reviewer"]: (p["submitted"], p["assigned"])
        for p in client.get(f"{API}/calls/{world.call}/progress", headers=_auth(world, "staff")).json()
    }
    assert progress == {"r1": (2, 2), "r3": (2, 2)}
    login(client, "staff")
    page = client.get(f"/d/haishu/grants/calls/{world.call}/ranking")
    assert page.text.index("甲") < page.text.index("乙")
    assert "校准分" in page.text and "原始加权平均分" in page.text


def _busy_elsewhere(seed, world, reviewer="r1", count=10):
    """``count`` applications of the other call (results not announced), each assigned to ``reviewer``."""

    async def add(session):
        ids = [
            await add_application(session, world, org="group", title=f"旧{i}", call_id=world.closed_call)
            for i in range(count)
        ]
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        for_district(session, district.id)
        session.add_all(Assignment(application_id=i, reviewer_id=world.users[reviewer]) for i in ids)
        await session.flush()
        for_district(session, None)

    seed(add)


def _load_in(seed, call_id):
    async def read(session):
        rows = await session.execute(
            select(Assignment.reviewer_id)
            .join(Application, Application.id == Assignment.application_id)
            .where(Application.call_id == call_id)
        )
        found: dict[int, int] = {}
        for (reviewer,) in rows.tuples():
            found[reviewer] = found.get(reviewer, 0) + 1
        return found

    return seed(read)


def test_automatic_assignment_balances_load_across_open_calls(client, world, seed):
    """r1 already reviews 10 applications of the district's other call (still under review): four new
    applications × two reviewers go to r2 and r3 (4 each), r1 gets none. Once the other call's results are
    announced its assignments no longer count: two more applications both get r1 (now the least loaded)."""
    _busy_elsewhere(seed, world)
    for i in range(4):
        seed(lambda s, i=i: add_application(s, world, title=f"新{i}", org="group"))
    made = client.post(f"{API}/calls/{world.call}/auto-assign", headers=_auth(world, "staff"))
    assert made.status_code == 200 and made.json()["added"] == 8
    r1, r2, r3 = (world.users[f"r{i}"] for i in (1, 2, 3))
    assert _load_in(seed, world.call) == {r2: 4, r3: 4}

    async def announce(session):
        await session.execute(update(Call).where(Call.id == world.closed_call).values(decided_at=utcnow()))

    seed(announce)
    for i in range(2):
        seed(lambda s, i=i: add_application(s, world, title=f"后{i}", org="group"))
    assert client.post(f"{API}/calls/{world.call}/auto-assign", headers=_auth(world, "staff")).json()["added"] == 4
    assert _load_in(seed, world.call)[r1] == 2


def test_assignment_by_pool_balances_load_across_open_calls(client, world, seed):
    """Experts r1 and r3, one expert per application: r1 already has 10 in the other open call, so both new
    applications get r3 (its load 0, then 1, still below r1's 10)."""
    _busy_elsewhere(seed, world)
    for user in ("r1", "r3"):
        client.put(f"{API}/pools", json={"user_id": world.users[user], "pool": "expert"}, headers=_auth(world, "staff"))
    client.put(f"{API}/calls/{world.call}/setup", json={"pool_quota": {"expert": 1}}, headers=_auth(world, "staff"))
    for i in range(2):
        seed(lambda s, i=i: add_application(s, world, title=f"新{i}", org="group"))
    made = client.post(f"{API}/calls/{world.call}/auto-assign-pools", headers=_auth(world, "staff"))
    assert made.status_code == 200 and made.json()["assigned"] == 2
    assert _load_in(seed, world.call) == {world.users["r3"]: 2}
