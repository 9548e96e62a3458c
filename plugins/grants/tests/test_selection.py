"""Selection: budget fit with category budgets (partial only when allowed), the vote-and-score combination
through the core votes, overrides with a published reason, determinations sent to applicants."""

from __future__ import annotations

from sqlalchemy import select

from core.models.notifications import Notification
from core.testing import login
from plugins.grants.selection import Ask, combine, fit_budget
from plugins.grants.tests.support import add_application

API = "/api/v1/districts/haishu/grants"


def test_budget_fit_in_rank_order_with_category_budgets():
    """Budget 100, category A capped at 50: A1 (40) fits, A2 (30) would pass A's cap and is skipped,
    B1 (50) fits, B2 (20) passes the total and is skipped — without partial awards."""
    asks = [Ask(1, 10, 40), Ask(2, 10, 30), Ask(3, 20, 50), Ask(4, 20, 20)]
    assert fit_budget(asks, 100, {10: 50, 20: None}, partial=False, min_grant_fen=5) == {1: 40, 3: 50}


def test_partial_awards_only_when_allowed_and_not_below_the_smallest_grant():
    """With partial awards A2 gets A's remaining 10 and B2 the total's remaining 0 → nothing; a rest below the
    smallest grant is not awarded."""
    asks = [Ask(1, 10, 40), Ask(2, 10, 30), Ask(3, 20, 50), Ask(4, 20, 20)]
    assert fit_budget(asks, 100, {10: 50}, partial=True, min_grant_fen=5) == {1: 40, 2: 10, 3: 50}
    assert fit_budget(asks, 100, {10: 50}, partial=True, min_grant_fen=15) == {1: 40, 3: 50}


def test_combination_rule():
    """70 % score + 30 % vote share; without a vote the score alone."""
    assert combine(80.0, 50.0, 30) == 71.0
    assert combine(80.0, None, 30) == 80.0
    assert combine(None, 100.0, 30) is None


def _auth(world, user):
    return {"Authorization": f"Bearer {world.tokens[user]}"}


def _reviewed(client, world, seed, title, mark, org="removed", requested=5_000_000):
    app_id = seed(lambda s: add_application(s, world, title=title, org=org, requested_fen=requested))
    c1, c2, c3 = (str(c) for c in world.criteria)
    for reviewer in ("r1", "r3"):
        assigned = client.post(
            f"{API}/applications/{app_id}/assignments",
            json={"reviewer_id": world.users[reviewer]},
            headers=_auth(world, "staff"),
        )
        assert assigned.status_code == 201
        done = client.put(
            f"{API}/applications/{app_id}/review",
            json={"scores": {c1: mark, c2: mark, c3: 3}, "submit": True},
            headers=_auth(world, reviewer),
        )
        assert done.status_code == 200, done.text
    return app_id


def test_committee_vote_changes_the_order_and_results_are_sent(client, world, seed):
    """甲 scores above 乙, but all three committee members choose 乙: with 30 % on the vote 乙 comes first.
    Announcing sends each applicant a determination; an override without a reason is refused, with one it
    is published on the call page."""
    a = _reviewed(client, world, seed, "甲", 9)
    b = _reviewed(client, world, seed, "乙", 7)
    before = client.get(f"{API}/calls/{world.call}/selection", headers=_auth(world, "staff")).json()
    assert [p["title"] for p in before] == ["甲", "乙"]
    members = [world.users[u] for u in ("r1", "r2", "r3")]
    opened = client.post(
        f"{API}/calls/{world.call}/committee-vote",
        json={"member_ids": members, "shortlist": 2, "choices": 1},
        headers=_auth(world, "staff"),
    )
    assert opened.status_code == 201, opened.text
    for member in ("r1", "r2", "r3"):
        ballot = client.post(
            f"{API}/calls/{world.call}/committee-ballot", json={"application_ids": [b]}, headers=_auth(world, member)
        )
        assert ballot.status_code == 200, ballot.text
    twice = client.post(
        f"{API}/calls/{world.call}/committee-ballot", json={"application_ids": [a]}, headers=_auth(world, "r1")
    )
    assert twice.status_code >= 400
    after = client.get(f"{API}/calls/{world.call}/selection", headers=_auth(world, "staff")).json()
    assert [p["title"] for p in after] == ["乙", "甲"]
    assert after[0]["vote_share"] == 100.0
    no_reason = client.post(
        f"{API}/calls/{world.call}/decide",
        json={"overrides": [{"application_id": a, "award_fen": 3_000_000, "reason": ""}]},
        headers=_auth(world, "staff"),
    )
    assert no_reason.status_code == 400
    decided = client.post(
        f"{API}/calls/{world.call}/decide",
        json={"overrides": [{"application_id": a, "award_fen": 3_000_000, "reason": "评审委员会建议压缩场地租金"}]},
        headers=_auth(world, "staff"),
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["funded"] == 2
    final = {
        p["title"]: p for p in client.get(f"{API}/calls/{world.call}/selection", headers=_auth(world, "staff")).json()
    }
    assert final["甲"]["award_fen"] == 3_000_000 and final["乙"]["award_fen"] == 5_000_000

    async def notices(session):
        return list((await session.execute(select(Notification.kind))).scalars())

    assert seed(notices).count("grants.approved") == 2
    login(client, "resident")
    page = client.get(f"/d/haishu/grants/calls/{world.call}")
    assert "评审委员会建议压缩场地租金" in page.text
    assert "30000.00 元" in page.text


def test_awards_never_pass_the_budget(client, world, seed):
    """Overrides that would take the total past the budget are refused; nothing is announced."""
    a = _reviewed(client, world, seed, "甲", 9, requested=20_000_000)
    big = [{"application_id": a, "award_fen": 20_000_000, "reason": "x"}]

    async def shrink(session):
        from plugins.grants.models import Call

        (await session.get(Call, world.call)).budget_fen = 10_000_000

    seed(shrink)
    refused = client.post(f"{API}/calls/{world.call}/decide", json={"overrides": big}, headers=_auth(world, "staff"))
    assert refused.status_code == 400
    assert "超过预算" in refused.text
    proposal = client.get(f"{API}/calls/{world.call}/selection", headers=_auth(world, "staff")).json()
    assert proposal[0]["status"] == "screened" and proposal[0]["proposed_fen"] == 0


def test_announcing_twice_at_once_announces_once(app, client, world, seed):
    """Six staff requests announce the results at the same moment: one 200, five 409, each applicant told once."""
    from core.testing.browser import serve
    from core.testing.races import Call, fire

    _reviewed(client, world, seed, "甲", 9)
    _reviewed(client, world, seed, "乙", 7)
    token = world.tokens["staff"]
    calls = [Call("POST", f"{API}/calls/{world.call}/decide", json={"overrides": []}, token=token) for _ in range(6)]
    with serve(app) as url:
        responses = fire(url, calls)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * 5, [r.text[:200] for r in responses]

    async def notices(session):
        return list((await session.execute(select(Notification.kind))).scalars())

    sent = seed(notices)
    assert sent.count("grants.approved") + sent.count("grants.rejected") == 2
