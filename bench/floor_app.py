"""The floor for ``bench/cases_bench.py``: a bare Litestar app doing the same SQL as Sanshe's pages.

One handler per measured request, no auth, no sessions, no RBAC, no hooks, no ORM
objects: SQLAlchemy Core selects over the models' tables (so values come back typed, as
in the app), on the same driver and engine settings, and the data statements the app
sends for the page (``bench/cases_sql.py`` lists the app's). The rows are rendered with
the app's own templates in the app's Jinja environment, so both sides pay the same for
the HTML of a row: the queue's rows by ``core/queues/macros.html``'s ``row`` macro, the
case's fields by ``core/cases/page_field.html`` and its timeline by
``core/cases/page_events.html``. What the floor leaves out is the app's own work around
that: session and user, memberships and district, Casbin, the case types, the visibility
rules (the floor has the clause written out), hooks, the ORM, the page's chrome.

- ``GET /d/bench/cases``: the queue's first page (50 rows + 1 to know whether there is a
  next page) with the same visibility clause, ``is_open`` filter and order as the app's
  default queue (``updated_at DESC, id DESC``), the names of the rows' assignees and
  teams; the full page (not ``HX-Request``) also reads what the app's page shows around
  the table: the district's staff and org units (the filters) and its saved queues;
- ``GET /d/bench/cases/{reference}``: the case by district and reference (same
  visibility), the names of its assignee, creator and team, its attachments, its
  timeline with the actors, its related cases (same ``contact_phone``) and the people it
  may be assigned to;
- ``POST /d/bench/cases/{reference}/transitions/{key}``: the case, the state change
  (``reported`` ↔ ``needs_info``) with the lock check, the event number, the previous
  event's hash, a hash-chained event, commit; 303 to the case like the app.

Run like the app: ``uvicorn bench.floor_app:create_app --factory --workers 2``, with
``BENCH_DATABASE_URL``, ``BENCH_DISTRICT_ID``, ``BENCH_USER_ID`` and ``BENCH_TEAMS``
(comma-separated org-unit ids the user's team covers) in the environment.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from litestar import Litestar, Request, get, post
from litestar.response import Redirect, Response
from sqlalchemy import and_, false, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from core.cases.labels import channel_labels, priority_label, sla_badge, state_label
from core.cases.types import definition_of
from core.db import create_engine
from core.models import Membership, OrgUnit, User
from core.models.cases import Attachment, Case, CaseEvent, CaseTypeVersion, SavedQueue
from core.plugins import PluginHost
from core.web.case_view import EventView, field_row
from core.web.queue_view import DEFAULT_COLUMNS, Row
from core.web.templating import build_environment

CASES = Case.__table__
EVENTS = CaseEvent.__table__
USERS = User.__table__
UNITS = OrgUnit.__table__
QUEUE_PAGE = """<!doctype html><html><head><title>Queue</title></head><body>
{% if choices %}<nav>{% for q in queues %}<a href="?queue={{ q.key }}">{{ q.label_zh }}</a>{% endfor %}</nav>
<form><select name="assignee">{% for u in members %}
<option value="{{ u.id }}">{{ u.display_name or u.username }}</option>{% endfor %}</select>
<select name="team">{% for u in units_all %}<option value="{{ u.id }}">{{ u.name_zh }}</option>{% endfor %}</select>
</form>{% endif %}
{% import "core/queues/macros.html" as m with context %}
<table id="queue-table"><tbody>{% for r in rows %}{{ m.row(r, columns) }}{% endfor %}</tbody></table>
{% if more %}<a href="?cursor=x">More</a>{% endif %}</body></html>"""
CASE_PAGE = """<!doctype html><html><head><title>{{ case.reference }}</title></head><body>
<h1>{{ case.reference }} {{ case.title }}</h1><p>{{ state }} · {{ names.get(case.assignee_id, '') }} · {{ team }}</p>
<dl class="case-fields">{% for row in view.fields %}{% include "core/cases/page_field.html" %}{% endfor %}</dl>
{% include "core/cases/page_events.html" %}
<ul>{% for a in attachments %}<li>{{ a.name }}</li>{% endfor %}</ul>
<ul class="related">{% for other in related %}
<li><a href="{{ ctx.url('/cases/' ~ other.reference) }}">{{ other.reference }}</a> {{ other.title }}</li>
{% endfor %}</ul>
<select name="assignee">{% for u in members %}
<option value="{{ u.id }}">{{ u.display_name or u.username }}</option>{% endfor %}</select>
</body></html>"""
STEPS = {"return_for_info": ("reported", "needs_info"), "info_supplied": ("needs_info", "reported")}


class State:
    engine: AsyncEngine
    district: int
    uid: int
    teams: list[int]
    env: Any
    queue: Any
    case: Any
    definitions: dict[str, Any]
    ctx: Any


def visible() -> Any:
    """The app's visibility clause for the bench user, written out (the floor has no RBAC)."""
    return or_(
        CASES.c.case_type_key == "resident_request",
        and_(
            CASES.c.case_type_key == "casework",
            or_(
                CASES.c.team_id.in_(State.teams) if State.teams else false(),
                CASES.c.assignee_id == State.uid,
                CASES.c.created_by_id == State.uid,
            ),
        ),
    )


async def _names(conn: Any, table: Any, label: Any, ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return {row[0]: row[1] or "" for row in await conn.execute(select(table.c.id, label).where(table.c.id.in_(wanted)))}


async def _members(conn: Any) -> list[Any]:
    query = (
        select(USERS.c.id, USERS.c.display_name, USERS.c.username)
        .join(Membership.__table__, Membership.__table__.c.user_id == USERS.c.id)
        .where(Membership.__table__.c.district_id == State.district, USERS.c.is_active.is_(True))
        .distinct()
        .order_by(USERS.c.username)
    )
    return list(await conn.execute(query))


@get("/d/bench/cases")
async def queue(request: Request[Any, Any, Any]) -> Response[str]:
    full = request.headers.get("hx-request") != "true"
    query = (
        select(CASES)
        .where(CASES.c.district_id == State.district, visible(), CASES.c.is_open.is_(True))
        .order_by(CASES.c.updated_at.desc(), CASES.c.id.desc())
        .limit(51)
    )
    members: list[Any] = []
    units_all: list[Any] = []
    queues: list[Any] = []
    async with State.engine.connect() as conn:
        cases = list(await conn.execute(query))
        more = len(cases) > 50
        cases = cases[:50]
        names = await _names(conn, USERS, USERS.c.display_name, {c.assignee_id for c in cases})
        units = await _names(conn, UNITS, UNITS.c.name_zh, {c.team_id for c in cases})
        if full:
            members = await _members(conn)
            units_all = list(await conn.execute(select(UNITS).where(UNITS.c.district_id == State.district)))
            saved = SavedQueue.__table__
            queues = list(await conn.execute(select(saved).where(saved.c.district_id == State.district)))
    channels = channel_labels()
    now = datetime.now(UTC)
    rows = []
    for case in cases:
        definition = State.definitions.get(case.case_type_key)
        rows.append(
            Row(
                case=case,
                type_name=definition.name("zh-CN") if definition else case.case_type_key,
                state=state_label(definition, case.state, "zh-CN"),
                assignee=names.get(case.assignee_id, "") if case.assignee_id else "",
                team=units.get(case.team_id, "") if case.team_id else "",
                priority=priority_label(case.priority),
                channel=channels.get(case.channel, case.channel),
                sla=sla_badge(case, now),
                can_edit=bool(case.is_open),
            )
        )
    html = State.queue.render(
        ctx=State.ctx,
        rows=rows,
        columns=DEFAULT_COLUMNS,
        more=more,
        choices=full,
        members=members,
        units_all=units_all,
        queues=queues,
    )
    return Response(html, media_type="text/html")


@get("/d/bench/cases/{reference:str}")
async def case_page(reference: str) -> Response[str]:
    one = select(CASES).where(CASES.c.district_id == State.district, CASES.c.reference == reference, visible())
    async with State.engine.connect() as conn:
        case = (await conn.execute(one)).one()
        names = await _names(conn, USERS, USERS.c.display_name, {case.assignee_id, case.created_by_id})
        team = (await _names(conn, UNITS, UNITS.c.name_zh, {case.team_id})).get(case.team_id or 0, "")
        files = Attachment.__table__
        attachments = list(await conn.execute(select(files).where(files.c.case_id == case.id).order_by(files.c.id)))
        events = list(
            await conn.execute(
                select(EVENTS, USERS.c.display_name)
                .outerjoin(USERS, USERS.c.id == EVENTS.c.actor_id)
                .where(EVENTS.c.case_id == case.id)
                .order_by(EVENTS.c.seq)
            )
        )
        related = list(
            await conn.execute(
                select(CASES)
                .where(
                    CASES.c.district_id == State.district,
                    CASES.c.contact_phone == case.contact_phone,
                    CASES.c.id != case.id,
                    visible(),
                )
                .order_by(CASES.c.created_at.desc())
                .limit(10)
            )
        )
        members = await _members(conn)
    definition = State.definitions[case.case_type_key]
    data = case.data if isinstance(case.data, dict) else json.loads(case.data)
    everything = {f.key for f in definition.form.fields}
    view = SimpleNamespace(
        fields=[field_row(definition, f.key, data, "zh-CN", {}, everything) for f in definition.form.fields],
        events=[
            EventView(e.kind, e.display_name or "", e.at, e.kind, reason=str((e.payload or {}).get("reason", "")))
            for e in events
        ],
        can_edit=True,
    )
    html = State.case.render(
        ctx=State.ctx,
        case=case,
        view=view,
        edit=None,
        names=names,
        team=team,
        state=state_label(definition, case.state, "zh-CN"),
        attachments=attachments,
        related=related,
        members=members,
    )
    return Response(html, media_type="text/html")


@post("/d/bench/cases/{reference:str}/transitions/{key:str}", status_code=303)
async def step(reference: str, key: str) -> Redirect | Response[str]:
    source, target = STEPS[key]
    now = datetime.now(UTC)
    one = select(CASES).where(CASES.c.district_id == State.district, CASES.c.reference == reference, visible())
    async with State.engine.begin() as conn:
        case = (await conn.execute(one)).one()
        if case.state != source:
            return Response("not possible from this state", status_code=409)  # counted by wrk as not 2xx/3xx
        changed = await conn.execute(
            update(CASES)
            .where(CASES.c.id == case.id, CASES.c.lock_version == case.lock_version)
            .values(state=target, lock_version=CASES.c.lock_version + 1, updated_at=now, updated_by_id=State.uid)
        )
        if changed.rowcount != 1:
            return Response("changed meanwhile", status_code=409)
        seq = (
            await conn.execute(
                update(CASES)
                .where(CASES.c.id == case.id)
                .values(event_seq=CASES.c.event_seq + 1)
                .returning(CASES.c.event_seq)
            )
        ).scalar_one()
        prev = (
            await conn.execute(select(EVENTS.c.hash).where(EVENTS.c.case_id == case.id, EVENTS.c.seq == seq - 1))
        ).scalar_one()
        payload = {"from": source, "to": target, "transition": key, "reason": "bench"}
        body = json.dumps([prev, case.id, seq, payload], sort_keys=True, separators=(",", ":"))
        await conn.execute(
            EVENTS.insert().values(
                district_id=State.district,
                case_id=case.id,
                seq=seq,
                kind="transition",
                actor_id=State.uid,
                at=now,
                payload=payload,
                prev_hash=prev,
                hash=hashlib.sha256(body.encode()).hexdigest(),
            )
        )
    return Redirect(f"/d/bench/cases/{reference}", status_code=303)


async def _startup() -> None:
    State.engine = create_engine(os.environ["BENCH_DATABASE_URL"])  # the app's engine settings (pool, pragmas)
    State.district = int(os.environ["BENCH_DISTRICT_ID"])
    State.uid = int(os.environ["BENCH_USER_ID"])
    State.teams = [int(t) for t in os.environ["BENCH_TEAMS"].split(",") if t]
    State.env = build_environment(PluginHost.load(frozenset()))
    State.queue = State.env.from_string(QUEUE_PAGE)
    State.case = State.env.from_string(CASE_PAGE)
    State.ctx = SimpleNamespace(url=lambda path="": f"/d/bench{path}", csrf_token="x", locale="zh-CN")
    versions = CaseTypeVersion.__table__
    async with State.engine.connect() as conn:  # once: the floor has no case-type registry
        rows = await conn.execute(
            select(versions)
            .where(versions.c.district_id == State.district, versions.c.status == "published")
            .order_by(versions.c.version)
        )
        State.definitions = {row.key: definition_of(row) for row in rows}


def create_app() -> Litestar:
    return Litestar([queue, case_page, step], on_startup=[_startup])
