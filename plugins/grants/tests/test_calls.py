"""Calls and applying: staff create and edit calls (page and API); organizations apply, draft first,
submitted once, refused after the closing time with the time, and only when eligible."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from core.db import utcnow
from core.testing import csrf_of, login
from plugins.grants.models import Application, Call
from plugins.grants.tests.support import add_application

API = "/api/v1/districts/haishu/grants"
PAGES = "/d/haishu/grants"

CALL = {
    "title": "2027 年度社区微创投",
    "budget_fen": 50_000_000,
    "min_grant_fen": 1_000_000,
    "max_grant_fen": 10_000_000,
    "own_ratio_pct": 10,
    "allowed_kinds": ["filed", "registered"],
    "opens_at": "2026-01-01T09:00:00+08:00",
    "closes_at": "2099-02-01T17:00:00+08:00",
    "categories": [{"name": "为老服务", "budget_fen": 20_000_000}, {"name": "环境保护"}],
    "criteria": [
        {"name": "公益性", "weight": 30, "min_score": 0, "max_score": 10},
        {"name": "创新性", "weight": 20, "min_score": 0, "max_score": 10, "allow_na": True},
    ],
}


def _auth(world: Any, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[user]}"}


def _count(seed: Any, model: Any) -> int:
    async def count(session):
        return (await session.execute(select(func.count(model.id)))).scalar_one()

    return seed(count)


class TestCalls:
    def test_staff_create_and_change_a_call_through_the_api(self, client, world):
        """Staff create a call with categories and criteria (money in fen), then change its budget."""
        created = client.post(f"{API}/calls", json=CALL, headers=_auth(world, "staff"))
        assert created.status_code == 201, created.text
        call = created.json()
        assert call["phase"] == "open"
        assert [c["name"] for c in call["categories"]] == ["为老服务", "环境保护"]
        assert call["categories"][0]["budget_fen"] == 20_000_000
        assert call["criteria"][1]["allow_na"] is True
        changed = client.patch(
            f"{API}/calls/{call['id']}", json={"budget_fen": 60_000_000}, headers=_auth(world, "staff")
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["budget_fen"] == 60_000_000
        assert changed.json()["categories"][0]["id"] == call["categories"][0]["id"]

    def test_the_selection_rule_is_set_on_the_call_and_fixed_once_announced(self, client, world, seed):
        """The committee vote's weight (default 30 %) is set through the API and shown on the call page (and
        the selection page's rule); 101 is refused; once the results are announced it can't change (409)."""
        url = f"{API}/calls/{world.call}"
        assert client.get(url, headers=_auth(world, "staff")).json()["vote_weight_pct"] == 30
        wrong = client.patch(url, json={"vote_weight_pct": 101}, headers=_auth(world, "staff"))
        assert wrong.status_code == 400 and "vote_weight_pct" in wrong.json()["errors"]
        changed = client.patch(url, json={"vote_weight_pct": 40}, headers=_auth(world, "staff"))
        assert changed.status_code == 200 and changed.json()["vote_weight_pct"] == 40
        login(client, "staff")
        assert "排名得分占 60%，评审委员会得票率占 40%" in client.get(f"{PAGES}/calls/{world.call}").text
        assert "评审得分 × 60% + 评审委员会得票率 × 40%" in client.get(f"{PAGES}/calls/{world.call}/selection").text

        async def announce(session):
            await session.execute(update(Call).where(Call.id == world.call).values(decided_at=utcnow()))

        seed(announce)
        fixed = client.patch(url, json={"vote_weight_pct": 50}, headers=_auth(world, "staff"))
        assert fixed.status_code == 409 and "评选规则" in fixed.json()["detail"]
        assert client.patch(url, json={"title": "改名"}, headers=_auth(world, "staff")).status_code == 200

    def test_bad_call_is_refused_field_by_field_and_nothing_is_saved(self, client, world, seed):
        """Largest grant below the smallest, category budgets over the total, no criteria: 400, no call added."""
        before = _count(seed, Call)
        bad = {
            **CALL,
            "max_grant_fen": 500_000,
            "criteria": [],
            "categories": [{"name": "为老服务", "budget_fen": 90_000_000}],
        }
        response = client.post(f"{API}/calls", json=bad, headers=_auth(world, "staff"))
        assert response.status_code == 400
        errors = response.json()["errors"]
        assert set(errors) >= {"max_grant", "criteria", "categories"}
        assert "最高资助额不能低于最低额" in errors["max_grant"]
        assert _count(seed, Call) == before

    def test_only_staff_create_calls(self, client, world):
        """An organization's leader may read calls but not create one (403)."""
        assert client.get(f"{API}/calls", headers=_auth(world, "leader")).status_code == 200
        assert client.post(f"{API}/calls", json=CALL, headers=_auth(world, "leader")).status_code == 403

    def test_other_districts_call_is_not_found(self, client, world):
        """A call of 海曙区 answers 404 to 鄞州区's staff."""
        assert (
            client.get(
                f"{API.replace('haishu', 'yinzhou')}/calls/{world.call}", headers=_auth(world, "yz-staff")
            ).status_code
            == 404
        )

    def test_staff_create_a_call_from_the_page(self, client, world):
        """The call form: one category per line with its budget in yuan, one criterion per line; errors kept."""
        login(client, "staff")
        form = {
            "_csrf_token": csrf_of(client, f"{PAGES}/calls/new"),
            "title": "2027 年度微创投",
            "budget": "500,000",
            "max_grant": "50000",
            "min_grant": "10000",
            "own_ratio_pct": "10",
            "kind_filed": "on",
            "opens_at": "2026-01-01T09:00",
            "closes_at": "2099-03-01T17:00",
            "ranking": "raw",
            "categories": "为老服务 | 200000\n环境保护",
            "criteria": "公益性 | 30 | 0-10\n创新性 | 20 | 0-10 | 可不适用",
        }
        bad = client.post(f"{PAGES}/calls", data={**form, "criteria": "公益性 | 30"}, follow_redirects=False)
        assert bad.status_code == 400
        assert "第 1 行" in bad.text
        assert "2027 年度微创投" in bad.text  # what was typed is kept
        ok = client.post(f"{PAGES}/calls", data=form, follow_redirects=False)
        assert ok.status_code == 303, ok.text[:500]
        page = client.get(ok.headers["location"])
        assert "2027 年度微创投" in page.text
        assert "200000.00 元" in page.text
        assert "可不适用" in page.text or "不适用" in page.text


def _draft(client: Any, world: Any, org: str = "sunshine", **extra: Any) -> Any:
    body = {
        "organization_id": world.orgs[org],
        "title": "银发课堂",
        "summary": "每周两次智能手机课",
        "category_id": world.categories[0],
        "requested_fen": 5_000_000,
        "own_contribution_fen": 1_000_000,
        **extra,
    }
    return client.post(f"{API}/calls/{world.call}/applications", json=body, headers=_auth(world, "leader"))


class TestApplying:
    def test_draft_then_submit_once(self, client, world):
        """A draft is saved, submitted once; the second submission is refused (409) and nothing changes."""
        draft = _draft(client, world)
        assert draft.status_code == 201, draft.text
        assert draft.json()["status"] == "draft"
        url = f"{API}/applications/{draft.json()['id']}"
        first = client.post(f"{url}/submit", headers=_auth(world, "leader"))
        assert first.status_code == 200, first.text
        assert first.json()["status"] == "submitted"
        again = client.post(f"{url}/submit", headers=_auth(world, "leader"))
        assert again.status_code == 409
        assert "已经提交过" in again.json()["detail"]
        edit = client.patch(url, json={"title": "改名"}, headers=_auth(world, "leader"))
        assert edit.status_code == 409

    def test_late_submission_is_refused_with_the_time(self, client, world, seed):
        """A draft of a call that closed is refused; the message gives the closing time and the time now."""
        app_id = seed(lambda s: add_application(s, world, status="draft", call_id=world.closed_call))
        response = client.post(f"{API}/applications/{app_id}/submit", headers=_auth(world, "leader"))
        assert response.status_code == 409
        detail = response.json()["detail"]
        assert "截止" in detail and "现在是" in detail

    def test_incomplete_or_out_of_range_is_refused_on_submit(self, client, world):
        """Too large a request and too small an own contribution (20 % required) are named on submit."""
        draft = _draft(client, world, requested_fen=30_000_000, own_contribution_fen=0)
        assert draft.status_code == 201
        response = client.post(f"{API}/applications/{draft.json()['id']}/submit", headers=_auth(world, "leader"))
        assert response.status_code == 400
        assert "requested" in response.json()["errors"]
        fixed = client.patch(
            f"{API}/applications/{draft.json()['id']}",
            json={"requested_fen": 10_000_000},
            headers=_auth(world, "leader"),
        )
        assert fixed.status_code == 200
        again = client.post(f"{API}/applications/{draft.json()['id']}/submit", headers=_auth(world, "leader"))
        assert again.status_code == 400
        assert "20%" in again.json()["errors"]["own_contribution"]

    def test_eligibility_kind_years_and_standing(self, client, world, seed):
        """An informal group (call: filed or registered), a filed group of 200 days (2 years needed) and an
        organization the rating removed (standing blocks) are each refused with the reason; nothing saved."""
        before = _count(seed, Application)
        group = client.post(
            f"{API}/calls/{world.call}/applications",
            json={"organization_id": world.orgs["group"], "title": "合唱"},
            headers=_auth(world, "groupie"),
        )
        assert group.status_code == 409
        assert "只接受" in group.json()["detail"]
        young = _draft(client, world, org="young")
        assert young.status_code == 409
        assert "成立满 2 年" in young.json()["detail"]
        removed = _draft(client, world, org="removed")
        assert removed.status_code == 409
        assert "星级评价末位淘汰" in removed.json()["detail"]
        assert _count(seed, Application) == before

    def test_apply_for_someone_elses_organization_is_refused(self, client, world):
        """The group's leader can't apply in the name of 阳光社工服务社."""
        response = client.post(
            f"{API}/calls/{world.call}/applications",
            json={"organization_id": world.orgs["sunshine"], "title": "冒名"},
            headers=_auth(world, "groupie"),
        )
        assert response.status_code == 400
        assert "organization_id" in response.json()["errors"]

    def test_apply_from_the_phone_page(self, client, world):
        """The page flow: the form lists the leader's organizations; a draft is saved; submitting shows the status."""
        login(client, "leader")
        form_page = client.get(f"{PAGES}/calls/{world.call}/apply")
        assert form_page.status_code == 200
        assert "阳光社工服务社" in form_page.text
        assert "成立满 2 年" in form_page.text  # 新芽青年社's problem is shown before trying
        token = csrf_of(client, f"{PAGES}/calls/{world.call}/apply")
        saved = client.post(
            f"{PAGES}/calls/{world.call}/apply",
            data={
                "_csrf_token": token,
                "organization_id": str(world.orgs["sunshine"]),
                "title": "银发课堂",
                "category_id": str(world.categories[0]),
                "summary": "每周两次",
                "requested": "50000",
                "own_contribution": "10000",
            },
            follow_redirects=False,
        )
        assert saved.status_code == 303, saved.text[:300]
        url = saved.headers["location"]
        page = client.get(url)
        assert "草稿" in page.text or "Draft" in page.text
        submitted = client.post(
            url,
            data={
                "_csrf_token": token,
                "title": "银发课堂",
                "category_id": str(world.categories[0]),
                "summary": "每周两次",
                "requested": "50000",
                "own_contribution": "10000",
                "action": "submit",
            },
            follow_redirects=False,
        )
        assert submitted.status_code == 303
        assert "已提交" in client.get(url).text or "Submitted" in client.get(url).text

    def test_pages_answer_htmx_with_the_block_only(self, client, world):
        """An htmx request gets the content block without the page around it."""
        login(client, "staff")
        fragment = client.get(f"{PAGES}/calls/{world.call}", headers={"HX-Request": "true"})
        assert "2026 年度公益创投大赛" in fragment.text
        assert "<html" not in fragment.text
        assert "<html" in client.get(f"{PAGES}/calls/{world.call}").text
