"""Reads that write: parallel reads of a protected case each leave their row, and none fails.

On SQLite a page view begins as a read (deferred); logging the read makes it a writer, so
parallel views while others write must wait or be run again — never answer an error or
lose a row. Runs a real server on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import select

from core.auth.tokens import create_token
from core.models import District, User
from core.testing.browser import serve
from core.testing.races import Call, fire, logged_in
from tests.casework.conftest import API, PAGES, new_casework, reads_of


def _tokens(seed) -> list[str]:
    async def make(session):
        out = []
        for name in ("social", "supervisor"):
            user = (await session.execute(select(User).where(User.username == name))).scalar_one()
            raw, _row = await create_token(session, user, await _district(session), "races")
            out.append(raw)
        return out

    return seed(make)


async def _district(session) -> int:
    return (await session.execute(select(District.id).where(District.code == "haishu"))).scalar_one()


def test_parallel_reads_each_log_one_row(app, world, api, seed):
    """12 page views, 6 API reads and 6 comments at once: every answer 2xx, one row per request (24)."""
    reference = new_casework(api("social"), world["pingqiao"])
    tokens = _tokens(seed)
    with serve(app) as url:
        clients = [logged_in(url, name) for name in ("social", "supervisor") * 3]
        try:
            views = [Call("GET", f"{PAGES}/cases/{reference}", client=clients[i % 6]) for i in range(12)]
            reads = [Call("GET", f"{API}/cases/{reference}", token=tokens[i % 2]) for i in range(6)]
            comments = [
                Call("POST", f"{API}/cases/{reference}/comments", json={"text": f"随访 {i}"}, token=tokens[i % 2])
                for i in range(6)
            ]
            responses = fire(url, views + reads + comments)
        finally:
            for client in clients:
                client.close()
    assert [r.status_code for r in responses if r.status_code >= 300] == []
    logged = reads_of(seed, reference)
    assert len([v for _who, v in logged if v == "page"]) == 12
    assert len([v for _who, v in logged if v == "api"]) == 6 + 6  # each comment's request read the case too


def test_two_tabs_changing_one_task_one_wins(app, world, api, seed):
    """Eight changes of one task from the same version at once (double clicks, two tabs; API and page forms):
    exactly one is written, the other seven get 409 "已被他人修改，请刷新。"; the task moved once, the case's
    timeline has one status event for it."""
    social = api("social")
    reference = new_casework(social, world["pingqiao"])
    task = social.post(
        f"{API}/cases/{reference}/tasks",
        json={"kind": "referral", "title": "康复训练", "partner": "市第一医院康复科", "status": "sent"},
    ).json()
    token = _tokens(seed)[0]
    with serve(app) as url:
        clients = [logged_in(url, "social") for _ in range(2)]
        try:
            api_calls = [
                Call(
                    "POST",
                    f"{API}/cases/{reference}/tasks/{task['id']}/status",
                    json={"status": "accepted" if i % 2 else "cancelled", "version": 1},
                    token=token,
                )
                for i in range(4)
            ]
            page_calls = [
                Call(
                    "POST",
                    f"{PAGES}/cases/{reference}/tasks/{task['id']}/status",
                    data={"status": "accepted", "version": "1", "outcome": ""},
                    client=clients[i % 2],
                    csrf=True,
                )
                for i in range(4)
            ]
            responses = fire(url, api_calls + page_calls)
        finally:
            for client in clients:
                client.close()
    won = [r for r in responses if r.status_code in {200, 303}]
    lost = [r for r in responses if r.status_code == 409]
    assert (len(won), len(lost)) == (1, 7), [r.status_code for r in responses]
    assert all("已被他人修改，请刷新。" in r.text for r in lost)
    (stored,) = social.get(f"{API}/cases/{reference}/tasks").json()
    assert stored["version"] == 2 and stored["status"] in {"accepted", "cancelled"}
    moves = [
        e
        for e in social.get(f"{API}/cases/{reference}/timeline").json()
        if e["kind"] == "task" and e["payload"]["action"] == "status"
    ]
    assert [e["payload"]["to"] for e in moves] == [stored["status"]]
