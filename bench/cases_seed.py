"""Seeding a bench district with N cases for ``bench/cases_bench.py``.

The district, its org units and users are made by the normal code (``tests/factories``:
``make_district`` runs ``ensure_district_defaults``, which publishes the core case types),
and one case is created through ``core.cases.service.create_case``. That case is the
*template*: every other case is a copy of its row (same form data, same type version)
made by one set-based ``INSERT … SELECT`` per chunk over a number series
(``generate_series`` on PostgreSQL, a recursive CTE on SQLite), with the varying columns
computed from the series number ``g``, and one ``created`` timeline event each is copied
the same way. No ORM per row.

Spread (``g`` = 1…N, cases created oldest first over two years before now):
state 50 % closed, 10 % reported, 3 % returned for info, 10 % triaged, 12 % with the
community, 8 % with a department, 2 % escalated, 5 % resolved; 20 % unassigned, the rest
over 30 community workers; teams over 20 communities; channel 35 % phone, 25 % web,
15 % mobile, 15 % walk-in, 10 % door-to-door; priority 0–3; open cases due 1–15 days after
their creation (so old open ones are overdue), updated 0–30 days after creation; the
form data is the template's with the requester's name and phone number varied (about
three cases per resident, so the case page's "related cases" finds a few), and
``contact_phone`` (what the app keeps from the first phone field) is that number.
The seeded events' hashes are placeholders (``sanshe audit verify`` would flag them).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select, text

from core.cases import service
from core.config import Settings
from core.db import create_engine, session_factory
from core.models import OrgUnitKind
from core.models.cases import Case, CaseEvent
from core.plugins import PluginHost
from core.plugins.migrations import upgrade_all
from core.web.context import context_for
from tests.cases.conftest import RESIDENT_REQUEST
from tests.factories import make_district, make_org_unit, make_user

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = ("Seeded", "seed")

COMMUNITIES = 20
WORKERS = 30
SPAN = 730 * 86400
STATES = (  # (state, share in %, kind)
    ("closed", 50, "closed"),
    ("reported", 10, "open"),
    ("needs_info", 3, "waiting"),
    ("triaged", 10, "open"),
    ("community_handling", 12, "open"),
    ("department_handling", 8, "open"),
    ("escalated", 2, "open"),
    ("resolved", 5, "waiting"),
)
CHANNELS = (("phone", 35), ("web", 25), ("mobile", 15), ("walk_in", 15), ("door_to_door", 10))


@dataclass
class Seeded:
    district_code: str
    user: str
    password: str
    fresh_app: list[str]  # references of cases in "reported", one per write POST of the app
    fresh_floor: list[str]  # the same for the floor
    team_ids: list[int]
    user_id: int
    district_id: int
    sample_refs: list[str]  # cases the case-page bench reads


def _pick(g: str, table: tuple[tuple[str, int], ...], mult: int) -> str:
    """A CASE over ``(g * mult) % 100`` choosing each value with its share."""
    parts, low = [], 0
    for value, share in table:
        parts.append(f"WHEN ({g} * {mult}) % 100 < {low + share} THEN '{value}'")
        low += share
    return "CASE " + " ".join(parts) + f" ELSE '{table[-1][0]}' END"


async def _bulk(
    conn: AsyncConnection,
    pg: bool,
    template: int,
    lo: int,
    hi: int,
    now: datetime,
    units: list[int],
    workers: list[int],
    fresh_user: int | None,
    total: int,
) -> None:
    """Insert cases g = lo…hi copied from the template; ``fresh_user``: all ``reported``, assigned to them."""
    n_units, n_workers = len(units), len(workers)
    unit_case = "CASE " + " ".join(f"WHEN (g * 7) % {n_units} = {i} THEN {u}" for i, u in enumerate(units)) + " END"
    worker_case = (
        "CASE WHEN (g * 13) % 100 < 20 THEN NULL "
        + " ".join(f"WHEN (g * 17) % {n_workers} = {i} THEN {u}" for i, u in enumerate(workers))
        + " END"
    )
    state = _pick("g", tuple((s, p) for s, p, _k in STATES), 37)
    kinds = {s: k for s, _p, k in STATES}
    open_states = ", ".join(f"'{s}'" for s, k in kinds.items() if k != "closed")
    due_states = ", ".join(f"'{s}'" for s, k in kinds.items() if k == "open")
    total = max(total, 1)  # the whole load, so every chunk continues the same spread
    ago = f"(({total} - g) * {SPAN} / {total} + (g * 4391) % 3600)"  # seconds before now, oldest first
    due = f"(({ago}) - (1 + (g * 31) % 15) * 86400)"
    if pg:
        stamp = f"timestamptz '{now.isoformat()}'"

        def ts(seconds_ago: str) -> str:
            return f"({stamp} - make_interval(secs => ({seconds_ago})::double precision))"

        upd = f"greatest(({ago}) - (g * 7919) % (30 * 86400), 0)"
        series = f"generate_series({lo}::bigint, {hi}::bigint) g"
        head = ""
        pad = "lpad(g::text, 7, '0')"
        sep_cast = "g::text"
    else:
        epoch = int(now.timestamp())

        def ts(seconds_ago: str) -> str:
            return f"(strftime('%Y-%m-%d %H:%M:%S', {epoch} - ({seconds_ago}), 'unixepoch') || '.000000')"

        upd = f"max(({ago}) - (g * 7919) % (30 * 86400), 0)"
        series = "s"
        head = f"WITH RECURSIVE s(g) AS (SELECT {lo} UNION ALL SELECT g + 1 FROM s WHERE g < {hi}) "
        pad = "printf('%07d', g)"
        sep_cast = "CAST(g AS TEXT)"
    # Each resident (phone number, name) has about three cases, so "related cases" finds a few.
    people = max(total // 3, 1)
    who = f"((g * 7919) % {people})"
    if pg:
        phone = f"('139' || lpad({who}::text, 8, '0'))"
        data = f"t.data || jsonb_build_object('phone', {phone}, 'requester', '居民' || {who}::text)"
    else:
        phone = f"('139' || printf('%08d', {who}))"
        data = f"json_set(t.data, '$.phone', {phone}, '$.requester', '居民' || {who})"
    if fresh_user is not None:
        state_expr, assignee, ago_expr = "'reported'", str(fresh_user), "(g % 3600 + 40 * 86400)"
        upd = ago_expr
        ago = ago_expr
        due = f"({ago_expr} - 86400)"
    else:
        state_expr, assignee = state, worker_case
    st = f"({state_expr})"
    sql = (
        head
        + "INSERT INTO cases (district_id, case_type_key, case_type_version_id, reference, title, state, is_open, data,"
        " assignee_id, team_id, priority, channel, due_at, sla_remaining, sla_state, lock_version, event_seq,"
        " search_text, contact_phone, created_by_id, updated_by_id, created_at, updated_at, closed_at) "
        "SELECT t.district_id, t.case_type_key, t.case_type_version_id,"
        f" 'BN-B-' || {pad}, '诉求 ' || {sep_cast} || ' 楼道垃圾', {st}, {st} IN ({open_states}), {data},"
        f" {assignee}, {unit_case}, (g * 11) % 4, {_pick('g', CHANNELS, 53)},"
        f" CASE WHEN {st} IN ({due_states}) THEN {ts(due)} END, NULL, NULL, 1, 1,"
        f" 'bn-b-' || {pad} || ' 诉求 ' || {sep_cast} || ' ' || t.search_text, {phone}, t.created_by_id,"
        " t.created_by_id,"
        f" {ts(ago)}, {ts(upd)}, CASE WHEN {st} = 'closed' THEN {ts(upd)} END"
        f" FROM {series}, (SELECT * FROM cases WHERE id = {template}) t ORDER BY g"
    )
    await conn.execute(text(sql))


async def seed(url: str, n: int, fresh: int, *, chunk: int = 200_000) -> Seeded:
    """Migrate a fresh database at ``url`` and fill it (``fresh``: reported cases for each side's writes)."""
    host = PluginHost.load(frozenset())
    await upgrade_all(url, host=host)
    engine = create_engine(url)
    factory = session_factory(engine)
    pg = url.startswith("postgresql")
    async with factory() as session:
        district = await make_district(session, "bench", "基准区", name_en="Bench", ref_prefix="BN")
        street = await make_org_unit(session, district, "street", "基准街道", OrgUnitKind.STREET)
        units = [
            await make_org_unit(session, district, f"c{i:02d}", f"社区{i:02d}", OrgUnitKind.COMMUNITY, street)
            for i in range(COMMUNITIES)
        ]
        social = await make_user(session, "bench-social", district=district, roles=("social_worker",), org_unit=street)
        workers = [
            await make_user(
                session,
                f"bench-w{i:02d}",
                district=district,
                roles=("community_worker",),
                org_unit=units[i % COMMUNITIES],
            )
            for i in range(WORKERS)
        ]
        await session.commit()
        settings = Settings(database_url=url, secret_key="bench", var_dir=Path("/tmp"))
        ctx = await context_for(session, settings=settings, host=host, user=social, district=district)
        case = await service.create_case(ctx, "resident_request", title="模板", data=RESIDENT_REQUEST, channel="phone")
        await session.commit()
        template = case.id
        event = (await session.execute(select(CaseEvent).where(CaseEvent.case_id == template))).scalar_one()
        ids = {
            "district_id": district.id,
            "user_id": social.id,
            "units": [u.id for u in units],
            "workers": [w.id for w in workers],
        }
        event_id = event.id
    await engine.dispose()
    now = datetime.now(UTC).replace(microsecond=0)
    engine = create_engine(url)
    started = time.perf_counter()
    async with engine.begin() as conn:
        if pg:
            await conn.execute(text("SET session_replication_role = replica"))
        for lo in range(1, n + 1, chunk):
            hi = min(n, lo + chunk - 1)
            await _bulk(conn, pg, template, lo, hi, now, ids["units"], ids["workers"], None, n)
            print(f"  {hi:,} cases ({time.perf_counter() - started:.0f} s)", flush=True)
        await _bulk(conn, pg, template, n + 1, n + 2 * fresh, now, ids["units"], ids["workers"], ids["user_id"], n)
        hash_expr = "md5(c.id::text) || md5(c.reference)" if pg else "lower(hex(randomblob(32)))"
        await conn.execute(
            text(
                "INSERT INTO case_events (district_id, case_id, seq, kind, actor_id, at, payload, prev_hash, hash)"
                f" SELECT c.district_id, c.id, 1, 'created', c.created_by_id, c.created_at, e.payload, e.prev_hash,"
                f" {hash_expr} FROM cases c, (SELECT * FROM case_events WHERE id = {event_id}) e"
                f" WHERE c.id > {template}"
            )
        )
        print(f"  {n + 2 * fresh:,} created events ({time.perf_counter() - started:.0f} s)", flush=True)
        if pg:
            await conn.execute(text("SET session_replication_role = DEFAULT"))
    async with engine.connect() as conn:
        if pg:
            await conn.execute(text("COMMIT"))
            await conn.execute(text("VACUUM ANALYZE cases, case_events"))
        else:
            await conn.execute(text("ANALYZE"))
            await conn.commit()
    async with session_factory(engine)() as session:
        fresh_refs = list(
            (
                await session.execute(
                    select(Case.reference)
                    .where(Case.state == "reported", Case.title.like("诉求 %"), Case.assignee_id == ids["user_id"])
                    .order_by(Case.id)
                )
            ).scalars()
        )[-2 * fresh :]
        sample = list(
            (
                await session.execute(
                    select(Case.reference).where(Case.id > template).order_by(Case.id.desc()).limit(200)
                )
            ).scalars()
        )
    await engine.dispose()
    print(f"  seeded in {time.perf_counter() - started:.0f} s", flush=True)
    return Seeded(
        district_code="bench",
        user="bench-social",
        password="sanshe-demo",
        fresh_app=fresh_refs[:fresh],
        fresh_floor=fresh_refs[fresh:],
        team_ids=ids["units"],
        user_id=ids["user_id"],
        district_id=ids["district_id"],
        sample_refs=sample,
    )
