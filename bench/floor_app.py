"""The floor for ``bench/cases_bench.py``: a bare Litestar app doing the same SQL as Sanshe's pages.

One handler per measured request, no auth, no sessions, no RBAC, no hooks, no ORM:
SQLAlchemy Core ``text()`` over the same driver (asyncpg / aiosqlite) and a minimal Jinja
template rendering the same rows.

- ``GET /cases``: the queue's first page (50 rows + 1 to know whether there is a next
  page) with the same visibility clause, ``is_open`` filter and order as the app's default
  queue (``updated_at DESC, id DESC``), then the names of the rows' assignees and teams;
- ``GET /cases/{reference}``: the case by district and reference (same visibility), its
  timeline, the actors' names;
- ``POST /cases/{reference}/transitions/{key}``: the case, the state change
  (``reported`` ↔ ``needs_info``), the previous event's hash, a hash-chained event, commit;
  303 to the case like the app.

Run like the app: ``uvicorn bench.floor_app:create_app --factory --workers 2``, with
``BENCH_DATABASE_URL``, ``BENCH_DISTRICT_ID``, ``BENCH_USER_ID`` and ``BENCH_TEAMS``
(comma-separated org-unit ids the user's team covers) in the environment.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from typing import Any

from jinja2 import Environment
from litestar import Litestar, Request, get, post
from litestar.response import Redirect, Response
from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import create_engine

TEMPLATE = Environment(autoescape=True).from_string(
    """<!doctype html><html><head><title>Queue</title></head><body>
<table><thead><tr><th>Reference</th><th>Title</th><th>State</th><th>Assignee</th><th>Team</th><th>Channel</th>
<th>Due</th><th>Updated</th></tr></thead><tbody>
{% for r in rows %}<tr><td><a href="/d/bench/cases/{{ r.reference }}">{{ r.reference }}</a></td><td>{{ r.title }}</td>
<td>{{ r.state }}</td><td>{{ names.get(r.assignee_id, '') }}</td><td>{{ units.get(r.team_id, '') }}</td>
<td>{{ r.channel }}</td><td>{{ r.due_at or '' }}</td><td>{{ r.updated_at }}</td></tr>
{% endfor %}</tbody></table>{% if more %}<a href="?cursor=x">More</a>{% endif %}</body></html>"""
)
CASE = Environment(autoescape=True).from_string(
    """<!doctype html><html><head><title>{{ c.reference }}</title></head><body>
<h1>{{ c.reference }} {{ c.title }}</h1><p>{{ c.state }} · {{ names.get(c.assignee_id, '') }} · {{ c.due_at or '' }}</p>
<dl>{% for k, v in data.items() %}<dt>{{ k }}</dt><dd>{{ v }}</dd>{% endfor %}</dl>
<ol>{% for e in events %}<li>{{ e.at }} {{ e.kind }} {{ names.get(e.actor_id, '') }} {{ e.payload }}</li>
{% endfor %}</ol>
</body></html>"""
)
VISIBLE = (
    "(case_type_key = 'resident_request' OR (case_type_key = 'casework'"
    " AND (team_id IN :teams OR assignee_id = :uid OR created_by_id = :uid)))"
)
QUEUE = text(
    f"SELECT * FROM cases WHERE district_id = :district AND {VISIBLE} AND is_open = true"
    " ORDER BY updated_at DESC, id DESC LIMIT 51"
).bindparams(bindparam("teams", expanding=True))
ONE = text(f"SELECT * FROM cases WHERE district_id = :district AND reference = :ref AND {VISIBLE}").bindparams(
    bindparam("teams", expanding=True)
)
USERS = text("SELECT id, display_name FROM users WHERE id IN :ids").bindparams(bindparam("ids", expanding=True))
UNITS = text("SELECT id, name_zh FROM org_units WHERE id IN :ids").bindparams(bindparam("ids", expanding=True))
EVENTS = text("SELECT * FROM case_events WHERE case_id = :case ORDER BY seq")
STEPS = {"return_for_info": ("reported", "needs_info"), "info_supplied": ("needs_info", "reported")}


class State:
    engine: AsyncEngine
    params: dict[str, Any]


def _env() -> dict[str, Any]:
    return {
        "district": int(os.environ["BENCH_DISTRICT_ID"]),
        "uid": int(os.environ["BENCH_USER_ID"]),
        "teams": [int(t) for t in os.environ["BENCH_TEAMS"].split(",")],
    }


async def _names(conn: Any, query: Any, ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return {row[0]: row[1] for row in await conn.execute(query, {"ids": wanted})}


@get("/d/bench/cases")
async def queue(request: Request[Any, Any, Any]) -> Response[str]:
    async with State.engine.connect() as conn:
        rows = list((await conn.execute(QUEUE, State.params)).mappings())
        more = len(rows) > 50
        rows = rows[:50]
        names = await _names(conn, USERS, {r["assignee_id"] for r in rows})
        units = await _names(conn, UNITS, {r["team_id"] for r in rows})
    html = TEMPLATE.render(rows=rows, names=names, units=units, more=more)
    return Response(html, media_type="text/html")


@get("/d/bench/cases/{reference:str}")
async def case_page(reference: str) -> Response[str]:
    async with State.engine.connect() as conn:
        case = (await conn.execute(ONE, {**State.params, "ref": reference})).mappings().one()
        events = list((await conn.execute(EVENTS, {"case": case["id"]})).mappings())
        names = await _names(conn, USERS, {case["assignee_id"]} | {e["actor_id"] for e in events})
    data = case["data"] if isinstance(case["data"], dict) else json.loads(case["data"])
    return Response(CASE.render(c=case, data=data, events=events, names=names), media_type="text/html")


@post("/d/bench/cases/{reference:str}/transitions/{key:str}", status_code=303)
async def step(reference: str, key: str) -> Redirect | Response[str]:
    source, target = STEPS[key]
    now: Any = datetime.now(UTC)
    if State.engine.dialect.name == "sqlite":  # stored like SQLAlchemy's DateTime does
        now = now.strftime("%Y-%m-%d %H:%M:%S.%f")
    async with State.engine.begin() as conn:
        case = (await conn.execute(ONE, {**State.params, "ref": reference})).mappings().one()
        if case["state"] != source:
            return Response("not possible from this state", status_code=409)  # counted by wrk as not 2xx/3xx
        await conn.execute(
            text(
                "UPDATE cases SET state = :state, lock_version = lock_version + 1, event_seq = event_seq + 1,"
                " updated_at = :now, updated_by_id = :uid WHERE id = :id"
            ),
            {"state": target, "now": now, "uid": State.params["uid"], "id": case["id"]},
        )
        prev = (
            await conn.execute(
                text("SELECT hash FROM case_events WHERE case_id = :case ORDER BY seq DESC LIMIT 1"),
                {"case": case["id"]},
            )
        ).scalar_one()
        payload = json.dumps({"from": source, "to": target, "transition": key, "reason": "bench"})
        digest = hashlib.sha256(f"{prev}|{case['id']}|{case['event_seq'] + 1}|{payload}".encode()).hexdigest()
        await conn.execute(
            text(
                "INSERT INTO case_events (district_id, case_id, seq, kind, actor_id, at, payload, prev_hash, hash)"
                " VALUES (:district, :case, :seq, 'transition', :uid, :now, :payload, :prev, :hash)"
            ),
            {
                "district": State.params["district"],
                "case": case["id"],
                "seq": case["event_seq"] + 1,
                "uid": State.params["uid"],
                "now": now,
                "payload": payload,
                "prev": prev,
                "hash": digest,
            },
        )
    return Redirect(f"/d/bench/cases/{reference}", status_code=303)


async def _startup() -> None:
    State.engine = create_engine(os.environ["BENCH_DATABASE_URL"])  # the app's engine settings (pool, pragmas)
    State.params = _env()


def create_app() -> Litestar:
    return Litestar([queue, case_page, step], on_startup=[_startup])
