"""Parking benchmark on SQLite and a throw-away PostgreSQL server: the tidal overlap check and the pool count.

One estate with 10,000 spaces (8,000 in the shared pool, 2,000 tidal), a year of tidal
allocations on every space (each month a weekday day window for an office tower,
Mon–Fri 08:30–17:00, and an every-night window for residents, 17:00–08:30: 240,000
allocations, 1,560,000 minute-of-week slots), and 16,000 parking cards (8,000 holding a
pool place, the rest revoked or expired).

Each figure is printed next to a *floor*: the same SQL statements in the same order, sent
by hand over the same driver (asyncpg prepared statements; aiosqlite with the app's
pragmas and ``BEGIN IMMEDIATE``) on one connection — for an allocation the insert that is
also the overlap check (``INSERT … SELECT … WHERE NOT EXISTS`` an overlapping slot), then
the slots' insert, or the look-up of who holds the space; two ``count(*)`` for the pool —
so the ratio is what the application layer (SQLAlchemy, the session, the plugin's Python)
costs. The app's allocation sends its SQLAlchemy-compiled statements on the same driver
(``core.db.driver_statements``); the session's begin and rollback still go through SQLAlchemy.

    .venv/bin/python bench/parking_bench.py                                   # full, both backends
    .venv/bin/python bench/parking_bench.py --spaces 1000 --checks 300 --backend sqlite   # quick

Every measured allocation runs in its own transaction and is rolled back, so the data
stay the same from the first sample to the last. The PostgreSQL server listens on
127.0.0.1 only and is stopped (its data deleted) at the end, also after an error or
``--max-seconds``; the SQLite file is deleted too.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiosqlite
import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import create_engine, session_factory
from core.db.tenancy import for_district
from core.models import OrgUnitKind
from core.plugin_api import TIMEZONE, utcnow
from core.plugins import PluginHost
from core.plugins.migrations import upgrade_all
from core.testing.factories import make_district, make_org_unit
from plugins.parking import service, tidal
from plugins.parking.service import Conflict
from tests.pgserver import PostgresServer

TODAY = datetime.now(TIMEZONE).date()
YEAR = TODAY.year
MONTH = TODAY.month
POOL_HOLDING = ("applied", "approved", "issued", "suspended")
# The two windows of every space, every month: the office's by day, the residents' by night.
WINDOWS = (("光大厦", "12345", 510, 1020), ("居民", "1234567", 1020, 510))


def say(text: str) -> None:
    print(text, flush=True)


def stats(samples: list[float]) -> tuple[float, float]:
    """Median and 99th percentile, in milliseconds."""
    ms = sorted(s * 1000 for s in samples)
    return statistics.median(ms), ms[min(len(ms) - 1, round(len(ms) * 0.99))]


# --- the floor's SQL: what the app sends (see plugins/parking/tidal.py, service.pool_used/pool_size) ---------------

ALLOCATE = (
    "INSERT INTO parking_tidal_allocation (district_id, parking_estate_id, space_id, agreement_id, holder, days,"
    " start_minute, end_minute, valid_from, valid_to, status, created_at, updated_at)"
    " SELECT s.district_id, s.parking_estate_id, s.id, :agreement, :holder, :days, :start, :end, :first, :last,"
    " 'active', :now, :now FROM parking_space s WHERE s.id = :space AND s.parking_estate_id = :estate"
    " AND NOT (EXISTS (SELECT t.allocation_id FROM parking_tidal_slot t WHERE t.space_id = s.id"
    " AND t.valid_to >= :first AND t.valid_from <= :last AND ({minutes}))) AND s.district_id = :district"
    " RETURNING id, district_id"
)
HOLDER = (
    "SELECT s.code, (SELECT a.holder FROM parking_tidal_allocation a WHERE a.id = (SELECT t.allocation_id"
    " FROM parking_tidal_slot t WHERE t.space_id = s.id AND t.valid_to >= :first AND t.valid_from <= :last"
    " AND ({minutes}) LIMIT 1)) FROM parking_space s WHERE s.id = :space AND s.parking_estate_id = :estate"
    " AND s.district_id = :district"
)
SLOTS = (
    "INSERT INTO parking_tidal_slot (allocation_id, space_id, begin_minute, end_minute, valid_from, valid_to)"
    " VALUES (:allocation_id, :space_id, :begin_minute, :end_minute, :valid_from, :valid_to)"
)
POOL = (
    "SELECT (SELECT count(*) AS count_1 FROM parking_permit WHERE parking_permit.parking_estate_id = :estate"
    " AND parking_permit.status IN (:s0, :s1, :s2, :s3) AND parking_permit.space_id IS NULL AND parking_permit.kind"
    " IN (:k0, :k1) AND parking_permit.district_id = :district) AS anon_1, (SELECT count(*) AS count_2 FROM"
    " parking_space WHERE parking_space.parking_estate_id = :estate AND parking_space.kind = :pool AND"
    " parking_space.status = :active AND parking_space.district_id = :district) AS anon_2"
)
# asyncpg cannot tell these parameters' types from where they stand (a SELECT list).
PG_TYPES = {
    "agreement": "BIGINT",
    "holder": "VARCHAR",
    "days": "VARCHAR",
    "start": "INTEGER",
    "end": "INTEGER",
    "now": "TIMESTAMP WITH TIME ZONE",
}


def minutes(spans: Sequence[tuple[int, int]]) -> tuple[str, dict[str, int]]:
    """The half-open minute test of a window's intervals, and its parameters."""
    text = " OR ".join(f"t.begin_minute < :e{k} AND t.end_minute > :b{k}" for k in range(len(spans)))
    return text, {f"{p}{k}": v for k, span in enumerate(spans) for p, v in zip(("b", "e"), span, strict=True)}


class Floor:
    """One connection sending the floor's SQL; ``:name`` placeholders become the driver's."""

    async def begin(self) -> None: ...
    async def rollback(self) -> None: ...
    async def row(self, sql: str, params: dict[str, Any]) -> tuple[Any, ...] | None: ...
    async def executemany(self, sql: str, rows: list[dict[str, Any]]) -> None: ...
    async def close(self) -> None: ...


class PgFloor(Floor):
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn, self.prepared = conn, {}

    async def statement(self, sql: str) -> tuple[Any, list[str]]:
        if sql not in self.prepared:
            order: list[str] = []

            def number(match: re.Match[str]) -> str:
                name = match.group(1)
                if name not in order:
                    order.append(name)
                cast = f"::{PG_TYPES[name]}" if name in PG_TYPES else ""
                return f"${order.index(name) + 1}{cast}"

            self.prepared[sql] = (await self.conn.prepare(re.sub(r"(?<!:):(\w+)", number, sql)), order)
        return self.prepared[sql]

    async def begin(self) -> None:
        self.tx = self.conn.transaction()
        await self.tx.start()

    async def rollback(self) -> None:
        await self.tx.rollback()

    async def row(self, sql: str, params: dict[str, Any]) -> tuple[Any, ...] | None:
        statement, order = await self.statement(sql)
        found = await statement.fetchrow(*(params[n] for n in order))
        return None if found is None else tuple(found)

    async def executemany(self, sql: str, rows: list[dict[str, Any]]) -> None:
        statement, order = await self.statement(sql)
        await statement.executemany([[row[n] for n in order] for row in rows])

    async def close(self) -> None:
        await self.conn.close()


class SqliteFloor(Floor):
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    # Each statement in one trip to aiosqlite's thread (execute_fetchall), the fewest there are.
    async def begin(self) -> None:
        await self.conn.execute_fetchall("BEGIN IMMEDIATE")

    async def rollback(self) -> None:
        await self.conn.rollback()

    async def row(self, sql: str, params: dict[str, Any]) -> tuple[Any, ...] | None:
        rows = list(await self.conn.execute_fetchall(sql, {k: _sqlite(v) for k, v in params.items()}))
        return tuple(rows[0]) if rows else None

    async def executemany(self, sql: str, rows: list[dict[str, Any]]) -> None:
        values = [{k: _sqlite(v) for k, v in row.items()} for row in rows]

        def run(connection: sqlite3.Connection) -> None:
            connection.executemany(sql, values).close()

        await self.conn._execute(run, self.conn._conn)

    async def close(self) -> None:
        await self.conn.close()


@dataclass
class Backend:
    """A database to measure on: the app's URL and how the floor connects."""

    name: str
    url: str
    floor: Callable[[], Awaitable[Floor]]
    load: Callable[[int, int, int], Awaitable[None]]


# --- data -----------------------------------------------------------------------------------------------------------


async def setup(url: str) -> tuple[int, int]:
    """District, estate (through the ORM, ``service.create_estate``); (district id, parking estate id)."""
    engine = create_engine(url)
    async with session_factory(engine)() as session:
        district = await make_district(session, "bench", "基准区", name_en="Bench")
        community = await make_org_unit(session, district, "c1", "基准社区", OrgUnitKind.COMMUNITY)
        unit = await make_org_unit(session, district, "e1", "基准小区", OrgUnitKind.ESTATE, community)
        for_district(session, district.id)
        estate = await service.create_estate(session, district.id, unit.id)
        ids = district.id, estate.id
        await session.commit()
    await engine.dispose()
    return ids


def months() -> Iterator[tuple[date, date]]:
    for m in range(1, 13):
        first = date(YEAR, m, 1)
        following = date(YEAR + (m == 12), m % 12 + 1, 1)
        yield first, date.fromordinal(following.toordinal() - 1)


def generated(district: int, estate: int, spaces: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the load, ids given: spaces, a year of allocations and their slots, cards."""
    now = utcnow()
    pool = spaces * 4 // 5
    rows: dict[str, list[tuple[Any, ...]]] = {"space": [], "allocation": [], "slot": [], "permit": []}
    for s in range(1, spaces + 1):
        kind = "pool" if s <= pool else "tidal"
        rows["space"].append((s, district, estate, f"S-{s:05d}", kind, "active", "", now, now))
    spans = {days: tidal.intervals(days, start, end) for _holder, days, start, end in WINDOWS}
    n = 0
    for s in range(1, spaces + 1):
        for first, last in months():
            for holder, days, start, end in WINDOWS:
                n += 1
                rows["allocation"].append(
                    (n, district, estate, s, holder, days, start, end, first, last, "active", now, now)
                )
                rows["slot"] += [(n, s, b, e, first, last) for b, e in spans[days]]
    for g in range(1, 2 * pool + 1):
        status = POOL_HOLDING[g % 4] if g <= pool else ("revoked" if g % 2 == 0 else "expired")
        kind = "second_car" if g % 3 == 0 else "resident"
        rows["permit"].append(
            (district, estate, 1, "", f"浙B{g:05d}", kind, status, "1234567", 0, 1440, 0, "window", now, "", now, now)
        )
    return rows


COLUMNS = {
    "parking_space": "id, district_id, parking_estate_id, code, kind, status, note, created_at, updated_at",
    "parking_tidal_allocation": "id, district_id, parking_estate_id, space_id, holder, days, start_minute,"
    " end_minute, valid_from, valid_to, status, created_at, updated_at",
    "parking_tidal_slot": "allocation_id, space_id, begin_minute, end_minute, valid_from, valid_to",
    "parking_permit": "district_id, parking_estate_id, convention_id, holder_name, plate, kind, status, days,"
    " start_minute, end_minute, fee_fen, channel, applied_at, note, created_at, updated_at",
}
TABLES = (
    ("parking_space", "space"),
    ("parking_tidal_allocation", "allocation"),
    ("parking_tidal_slot", "slot"),
    ("parking_permit", "permit"),
)
CONVENTION = (
    "INSERT INTO parking_convention (id, district_id, parking_estate_id, version, title, body, fees, rules, major,"
    " status, adopted_at, created_at, updated_at) VALUES (1, {d}, {e}, 1, '停车公约', '……', '{{}}', '{{}}', false,"
    " 'adopted', {now}, {now}, {now})"
)


async def load_postgres(dsn: str, district: int, estate: int, spaces: int) -> None:
    conn = await asyncpg.connect(dsn)
    rows = generated(district, estate, spaces)
    await conn.execute(CONVENTION.format(d=district, e=estate, now="now()"))
    # The exclusion constraint is built once after the load (and checks it) rather than row by row.
    constraint = await conn.fetchval(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'parking_tidal_slot_no_overlap'"
    )
    await conn.execute("ALTER TABLE parking_tidal_slot DROP CONSTRAINT parking_tidal_slot_no_overlap")
    for table, key in TABLES:
        columns = [c.strip() for c in COLUMNS[table].split(",")]
        await conn.copy_records_to_table(table, records=rows[key], columns=columns)
    await conn.execute(f"ALTER TABLE parking_tidal_slot ADD CONSTRAINT parking_tidal_slot_no_overlap {constraint}")
    for table in ("parking_space", "parking_tidal_allocation"):
        await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    await conn.execute("VACUUM ANALYZE parking_space, parking_tidal_allocation, parking_tidal_slot, parking_permit")
    await conn.close()


async def load_sqlite(path: Path, district: int, estate: int, spaces: int) -> None:
    rows = generated(district, estate, spaces)
    async with aiosqlite.connect(path) as conn:
        now = f"'{utcnow():%Y-%m-%d %H:%M:%S.%f}'"
        await conn.execute(CONVENTION.format(d=district, e=estate, now=now).replace("false", "0"))
        for table, key in TABLES:
            marks = ", ".join("?" * len(COLUMNS[table].split(",")))
            values = [tuple(_sqlite(v) for v in row) for row in rows[key]]
            await conn.executemany(f"INSERT INTO {table} ({COLUMNS[table]}) VALUES ({marks})", values)
        await conn.commit()
        await conn.execute("ANALYZE")


def _sqlite(value: Any) -> Any:
    """As SQLAlchemy stores it in SQLite (dates ISO, datetimes with microseconds, no zone)."""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M:%S.%f}"
    if isinstance(value, date):
        return value.isoformat()
    return value


# --- measures -------------------------------------------------------------------------------------------------------


def candidates(space_ids: Sequence[int], n: int) -> list[dict[str, Any]]:
    """Half refused (Monday 16:00–18:00 crosses both windows), half free (weekends 09:00–16:00)."""
    first, last = date(YEAR, MONTH, 1), date(YEAR, MONTH, 28)
    out = []
    for k in range(n):
        window = (
            {"days": "1", "start": "16:00", "end": "18:00"}
            if k % 2 == 0
            else {"days": "67", "start": "09:00", "end": "16:00"}
        )
        space = space_ids[(k * 7919) % len(space_ids)]
        out.append({"space_id": space, "holder": "基准", "valid_from": str(first), "valid_to": str(last), **window})
    return out


async def floor_allocate(floor: Floor, district: int, estate: int, data: dict[str, Any]) -> str | None:
    """The app's statements by hand: ``None`` when allocated, else who holds the space (looked up)."""
    days, start, end = tidal.clean_window(data)
    first, last = date.fromisoformat(data["valid_from"]), date.fromisoformat(data["valid_to"])
    spans = tidal.intervals(days, start, end)
    test, minute_params = minutes(spans)
    space = int(data["space_id"])
    params = {
        "agreement": None,
        "holder": data["holder"],
        "days": days,
        "start": start,
        "end": end,
        "first": first,
        "last": last,
        "now": utcnow(),
        "space": space,
        "estate": estate,
        "district": district,
        **minute_params,
    }
    inserted = await floor.row(ALLOCATE.format(minutes=test), params)
    if inserted is None:
        found = await floor.row(HOLDER.format(minutes=test), params)
        assert found is not None and found[1] is not None
        return str(found[1])
    slots = [
        {
            "allocation_id": inserted[0],
            "space_id": space,
            "begin_minute": b,
            "end_minute": e,
            "valid_from": first,
            "valid_to": last,
        }
        for b, e in spans
    ]
    await floor.executemany(SLOTS, slots)
    return None


async def app_allocate(session: AsyncSession, estate: int, data: dict[str, Any]) -> str | None:
    """``tidal.allocate``: ``None`` when allocated, else the refusal's message."""
    try:
        await tidal.allocate(session, estate, data)
    except Conflict as refused:
        return refused.zh
    return None


async def bench_overlap(backend: Backend, district: int, estate: int, spaces: int, n: int) -> float:
    """Allocations tried alternately by the app and the floor (each in a transaction rolled back); the ratio."""
    floor = await backend.floor()
    plan = candidates(range(1, spaces + 1), n)  # the load numbers the spaces from 1
    engine = create_engine(backend.url)
    api, bare, per_request = [], [], []
    allocated = 0
    async with engine.connect() as connection:
        session = AsyncSession(bind=connection, expire_on_commit=False)
        for_district(session, district)
        for data in plan:  # app and floor take turns, so a burst of load elsewhere falls on both
            t = time.perf_counter()
            refused = await app_allocate(session, estate, data)
            await session.rollback()
            api.append(time.perf_counter() - t)
            t = time.perf_counter()
            await floor.begin()
            holder = await floor_allocate(floor, district, estate, data)
            await floor.rollback()
            bare.append(time.perf_counter() - t)
            assert (refused is None) == (holder is None) and (holder is None or holder in str(refused)), (
                refused,
                holder,
            )
            allocated += refused is None
        await session.close()
    factory = session_factory(engine)
    for data in plan[: max(10, n // 5)]:  # as a request handler does: a session and a pool checkout per try
        t = time.perf_counter()
        async with factory() as request_session:
            for_district(request_session, district)
            await app_allocate(request_session, estate, data)
            await request_session.rollback()
        per_request.append(time.perf_counter() - t)
    await engine.dispose()
    await floor.close()
    assert allocated == n // 2, allocated
    (am, ap), (fm, fp), (rm, rp) = stats(api), stats(bare), stats(per_request)
    say(
        f"  overlap check + allocate ({n}x, {n - allocated} refused)  API median {am:.2f} ms p99 {ap:.2f} ms | floor"
        f" median {fm:.2f} ms p99 {fp:.2f} ms | ratio {am / fm:.2f}x"
    )
    say(f"    (with a session and a pool checkout per try, as a request: median {rm:.2f} ms p99 {rp:.2f} ms)")
    return am / fm


async def bench_pool(backend: Backend, district: int, estate: int, n: int) -> float:
    """The two counts that decide "applied" or "waiting" (one statement), app and floor in turns; the ratio."""
    engine = create_engine(backend.url)
    floor = await backend.floor()
    api, bare = [], []
    figures = floor_figures = (0, 0)
    params = {"estate": estate, "district": district, "pool": "pool", "active": "active"}
    params |= {f"s{k}": status for k, status in enumerate(POOL_HOLDING)} | {"k0": "resident", "k1": "second_car"}
    async with engine.connect() as connection:
        session = AsyncSession(bind=connection)
        for_district(session, district)
        for _ in range(n):
            t = time.perf_counter()
            figures = await service.pool(session, estate)
            await session.rollback()
            api.append(time.perf_counter() - t)
            t = time.perf_counter()
            await floor.begin()
            floor_figures = await floor.row(POOL, params) or (0, 0)
            await floor.rollback()
            bare.append(time.perf_counter() - t)
        await session.close()
    await engine.dispose()
    await floor.close()
    assert figures == floor_figures, (figures, floor_figures)
    (am, ap), (fm, fp) = stats(api), stats(bare)
    say(
        f"  pool count ({figures[0]:,} of {figures[1]:,} places held, {n}x)  API median {am:.2f} ms p99 {ap:.2f} ms |"
        f" floor median {fm:.2f} ms p99 {fp:.2f} ms | ratio {am / fm:.2f}x"
    )
    return am / fm


# --- backends -------------------------------------------------------------------------------------------------------


async def postgres(server: PostgresServer) -> Backend:
    server.start()
    say(f"PostgreSQL at 127.0.0.1:{server.port} ({server.bindir.parent.name}), data in {server.root}")
    admin = await asyncpg.connect(server.dsn())
    await admin.execute('CREATE DATABASE "parking_bench"')
    await admin.close()
    dsn = server.dsn("parking_bench")

    async def floor() -> Floor:
        return PgFloor(await asyncpg.connect(dsn))

    async def load(district: int, estate: int, spaces: int) -> None:
        await load_postgres(dsn, district, estate, spaces)

    return Backend("postgresql", server.url("parking_bench"), floor, load)


async def sqlite(work: Path) -> Backend:
    path = work / "parking_bench.db"
    say(f"SQLite {aiosqlite.sqlite_version} in {path}")

    async def floor() -> Floor:
        conn = await aiosqlite.connect(path, isolation_level=None)
        for pragma in ("journal_mode=WAL", "busy_timeout=10000", "foreign_keys=ON", "synchronous=NORMAL"):
            await conn.execute(f"PRAGMA {pragma}")
        return SqliteFloor(conn)

    async def load(district: int, estate: int, spaces: int) -> None:
        await load_sqlite(path, district, estate, spaces)

    return Backend("sqlite", f"sqlite+aiosqlite:///{path}", floor, load)


async def run_backend(backend: Backend, args: argparse.Namespace) -> dict[str, float]:
    await upgrade_all(backend.url, host=PluginHost.load(None, entry_points=False))
    district, estate = await setup(backend.url)
    say(f"  loading {args.spaces:,} spaces and a year of allocations …")
    started = time.perf_counter()
    await backend.load(district, estate, args.spaces)
    say(f"  loaded in {time.perf_counter() - started:.1f} s")
    return {
        "overlap": await bench_overlap(backend, district, estate, args.spaces, args.checks),
        "pool": await bench_pool(backend, district, estate, args.counts),
    }


async def main(args: argparse.Namespace, server: PostgresServer, work: Path) -> dict[str, dict[str, float]]:
    results = {}
    for name in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        backend = await (postgres(server) if name == "postgresql" else sqlite(work))
        results[name] = await run_backend(backend, args)
    return results


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--spaces", type=int, default=10_000)
    parser.add_argument("--checks", type=int, default=1000, help="allocations tried per side (half overlap)")
    parser.add_argument("--counts", type=int, default=1000, help="pool counts per side")
    parser.add_argument("--target", type=float, default=1.5, help="exit 1 when a ratio is above it")
    parser.add_argument("--max-seconds", type=int, default=1800, help="stop the server and give up after this")
    args = parser.parse_args()
    if args.spaces < 10:
        parser.error("use at least 10 spaces")
    return args


def run() -> None:
    args = parse()
    server = PostgresServer()
    work = Path(tempfile.mkdtemp(prefix="sanshe-parking-bench-"))

    def give_up(_signum: int, _frame: Any) -> None:
        raise TimeoutError(f"--max-seconds {args.max_seconds} reached")

    signal.signal(signal.SIGALRM, give_up)
    signal.alarm(args.max_seconds)
    try:
        results = asyncio.run(main(args, server, work))
    finally:
        signal.alarm(0)
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    missed = [f"{b} {m} {r:.2f}x" for b, figures in results.items() for m, r in figures.items() if r > args.target]
    say("target met" if not missed else f"above the target of {args.target}x: {', '.join(missed)}")
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    run()
