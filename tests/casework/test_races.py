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
