"""Parking benchmark on a throw-away PostgreSQL server: the tidal overlap check and the pool count.

One estate with 10,000 spaces (8,000 in the shared pool, 2,000 tidal), a year of tidal
allocations on every space (each month a weekday day window for an office tower,
Mon–Fri 08:30–17:00, and an every-night window for residents, 17:00–08:30: 240,000
rows), and 16,000 parking cards (8,000 holding a pool place, the rest revoked or expired).

Each figure is printed next to a *floor*: asyncpg running the same SQL statements in the
same order on the same server (lock the estate row ``FOR UPDATE``, read the space, read the
space's active allocations over the dates, compare the windows with the same
``tidal.overlaps``, insert when free; two ``count(*)`` for the pool), so the ratio is what
the application layer (SQLAlchemy ORM, the tenancy filter, the session) costs.

    .venv/bin/python bench/parking_bench.py                         # full: 10,000 spaces, 240,000 allocations
    .venv/bin/python bench/parking_bench.py --spaces 1000 --checks 300   # quick

Every measured allocation runs in its own transaction and is rolled back, so the data
stay the same from the first sample to the last. The server listens on 127.0.0.1 only
and is stopped (its data deleted) at the end, also after an error or ``--max-seconds``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import signal
import statistics
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg

from core.db import create_engine, session_factory
from core.db.tenancy import for_district
from core.models import OrgUnitKind
from core.plugin_api import TIMEZONE
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


def say(text: str) -> None:
    print(text, flush=True)


def stats(samples: list[float]) -> tuple[float, float]:
    """Median and 99th percentile, in milliseconds."""
    ms = sorted(s * 1000 for s in samples)
    return statistics.median(ms), ms[min(len(ms) - 1, round(len(ms) * 0.99))]


async def setup(url: str) -> tuple[int, int, int]:
    """District, estate and an adopted convention through the ORM; (district id, parking estate id, convention id)."""
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
    return ids[0], ids[1], 0


async def load(conn: asyncpg.Connection, district: int, estate: int, spaces: int) -> None:
    """Spaces, a year of allocations and the cards, generated server-side (``INSERT … SELECT generate_series``)."""
    started = time.perf_counter()
    pool = spaces * 4 // 5
    convention = await conn.fetchval(
        "INSERT INTO parking_convention (district_id, parking_estate_id, version, title, body, fees, rules, major,"
        " status, adopted_at, created_at, updated_at) VALUES ($1, $2, 1, '停车公约', '……', '{}', '{}', false,"
        " 'adopted', now(), now(), now()) RETURNING id",
        district,
        estate,
    )
    await conn.execute(
        "INSERT INTO parking_space (district_id, parking_estate_id, code, kind, status, note, created_at, updated_at)"
        " SELECT $1, $2, 'S-' || lpad(g::text, 5, '0'), CASE WHEN g <= $3 THEN 'pool' ELSE 'tidal' END, 'active', '',"
        " now(), now() FROM generate_series(1, $4) g",
        district,
        estate,
        pool,
        spaces,
    )
    # Each space, each month of the year: the office's weekday day window and the residents' nightly one.
    await conn.execute(
        "INSERT INTO parking_tidal_allocation (district_id, parking_estate_id, space_id, holder, days, start_minute,"
        " end_minute, valid_from, valid_to, status, created_at, updated_at)"
        " SELECT $1, $2, s.id, CASE w WHEN 0 THEN '光大厦' ELSE '居民' END, CASE w WHEN 0 THEN '12345' ELSE '1234567'"
        " END, CASE w WHEN 0 THEN 510 ELSE 1020 END, CASE w WHEN 0 THEN 1020 ELSE 510 END,"
        " make_date($3, m, 1), (make_date($3, m, 1) + interval '1 month' - interval '1 day')::date, 'active',"
        " now(), now() FROM parking_space s, generate_series(1, 12) m, generate_series(0, 1) w"
        " WHERE s.parking_estate_id = $2",
        district,
        estate,
        YEAR,
    )
    await conn.execute(
        "INSERT INTO parking_permit (district_id, parking_estate_id, convention_id, holder_name, plate, kind, status,"
        " days, start_minute, end_minute, fee_fen, channel, applied_at, note, created_at, updated_at)"
        " SELECT $1, $2, $3, '', '浙B' || lpad(g::text, 5, '0'), CASE WHEN g % 3 = 0 THEN 'second_car' ELSE"
        " 'resident' END, CASE WHEN g <= $4 THEN (ARRAY['applied','approved','issued','suspended'])[1 + g % 4]"
        " WHEN g % 2 = 0 THEN 'revoked' ELSE 'expired' END, '1234567', 0, 1440, 0, 'window', now(), '', now(), now()"
        " FROM generate_series(1, $5) g",
        district,
        estate,
        convention,
        pool,
        2 * pool,
    )
    await conn.execute("VACUUM ANALYZE parking_space, parking_tidal_allocation, parking_permit")
    counts = await conn.fetchrow(
        "SELECT (SELECT count(*) FROM parking_space) s, (SELECT count(*) FROM parking_tidal_allocation) a,"
        " (SELECT count(*) FROM parking_permit) p"
    )
    say(
        f"  loaded {counts['s']:,} spaces, {counts['a']:,} allocations, {counts['p']:,} cards"
        f" in {time.perf_counter() - started:.1f} s"
    )


def candidates(conn_space_ids: list[int], n: int) -> list[tuple[int, dict[str, Any], bool]]:
    """Half refused (Monday 16:00–18:00 crosses both windows), half free (weekends 09:00–16:00)."""
    rng = random.Random(1)
    first = date(YEAR, MONTH, 1)
    last = date(YEAR, MONTH, 28)
    out = []
    for k in range(n):
        clash = k % 2 == 0
        window = (
            {"days": "1", "start": "16:00", "end": "18:00"}
            if clash
            else {"days": "67", "start": "09:00", "end": "16:00"}
        )
        data = {
            "space_id": rng.choice(conn_space_ids),
            "holder": "基准",
            "valid_from": first.isoformat(),
            "valid_to": last.isoformat(),
            **window,
        }
        out.append((data["space_id"], data, clash))
    return out


async def bench_overlap(url: str, dsn: str, district: int, estate: int, n: int) -> None:
    conn = await asyncpg.connect(dsn)
    space_ids = [r["id"] for r in await conn.fetch("SELECT id FROM parking_space WHERE parking_estate_id = $1", estate)]
    plan = candidates(space_ids, n)
    engine = create_engine(url)
    factory = session_factory(engine)
    api, refused = [], 0
    for _space, data, clash in plan:
        t = time.perf_counter()
        async with factory() as session:
            for_district(session, district)
            try:
                await tidal.allocate(session, estate, data)
            except Conflict:
                refused += 1
                assert clash
            await session.rollback()
        api.append(time.perf_counter() - t)
    await engine.dispose()

    lock = await conn.prepare("SELECT id, note FROM parking_estate WHERE id = $1 AND district_id = $2 FOR UPDATE")
    space = await conn.prepare(
        "SELECT id, parking_estate_id, code, kind, status FROM parking_space WHERE id = $1 AND district_id = $2"
    )
    others = await conn.prepare(
        "SELECT id, holder, days, start_minute, end_minute FROM parking_tidal_allocation WHERE space_id = $1"
        " AND status = 'active' AND valid_from <= $2 AND valid_to >= $3 AND district_id = $4"
    )
    insert = await conn.prepare(
        "INSERT INTO parking_tidal_allocation (district_id, parking_estate_id, space_id, holder, days, start_minute,"
        " end_minute, valid_from, valid_to, status, created_at, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', now(), now()) RETURNING id"
    )
    floor, floor_refused = [], 0
    for space_id, data, _clash in plan:
        t = time.perf_counter()
        days, start, end = tidal.clean_window(data)
        first, last = date.fromisoformat(data["valid_from"]), date.fromisoformat(data["valid_to"])
        tx = conn.transaction()
        await tx.start()
        await lock.fetchrow(estate, district)
        await space.fetchrow(space_id, district)
        rows = await others.fetch(space_id, last, first, district)
        if any(tidal.overlaps((days, start, end), (r["days"], r["start_minute"], r["end_minute"])) for r in rows):
            floor_refused += 1
        else:
            await insert.fetchval(district, estate, space_id, data["holder"], days, start, end, first, last)
        await tx.rollback()
        floor.append(time.perf_counter() - t)
    await conn.close()
    assert refused == floor_refused, (refused, floor_refused)
    (am, ap), (fm, fp) = stats(api), stats(floor)
    say(
        f"overlap check + allocate ({n}x, {refused} refused)  API median {am:.2f} ms p99 {ap:.2f} ms | floor median"
        f" {fm:.2f} ms p99 {fp:.2f} ms | ratio {am / fm:.2f}x"
    )


async def bench_pool(url: str, dsn: str, district: int, estate: int, n: int) -> None:
    engine = create_engine(url)
    factory = session_factory(engine)
    api, figures = [], (0, 0)
    async with factory() as session:
        for_district(session, district)
        for _ in range(n):
            t = time.perf_counter()
            figures = (await service.pool_used(session, estate), await service.pool_size(session, estate))
            api.append(time.perf_counter() - t)
    await engine.dispose()
    conn = await asyncpg.connect(dsn)
    used = await conn.prepare(
        "SELECT count(*) FROM parking_permit WHERE parking_estate_id = $1 AND status = ANY($2::text[])"
        " AND space_id IS NULL AND kind IN ('resident', 'second_car') AND district_id = $3"
    )
    size = await conn.prepare(
        "SELECT count(*) FROM parking_space WHERE parking_estate_id = $1 AND kind = 'pool' AND status = 'active'"
        " AND district_id = $2"
    )
    floor, floor_figures = [], (0, 0)
    for _ in range(n):
        t = time.perf_counter()
        floor_figures = (
            await used.fetchval(estate, list(POOL_HOLDING), district),
            await size.fetchval(estate, district),
        )
        floor.append(time.perf_counter() - t)
    await conn.close()
    assert figures == floor_figures, (figures, floor_figures)
    (am, ap), (fm, fp) = stats(api), stats(floor)
    say(
        f"pool count ({figures[0]:,} of {figures[1]:,} places held, {n}x)  API median {am:.2f} ms p99 {ap:.2f} ms |"
        f" floor median {fm:.2f} ms p99 {fp:.2f} ms | ratio {am / fm:.2f}x"
    )


async def main(args: argparse.Namespace, server: PostgresServer) -> None:
    admin = await asyncpg.connect(server.dsn())
    await admin.execute('CREATE DATABASE "parking_bench"')
    await admin.close()
    url, dsn = server.url("parking_bench"), server.dsn("parking_bench")
    await upgrade_all(url, host=PluginHost.load(None, entry_points=False))
    district, estate, _ = await setup(url)
    conn = await asyncpg.connect(dsn)
    say(f"loading {args.spaces:,} spaces and a year of allocations …")
    await load(conn, district, estate, args.spaces)
    await conn.close()
    await bench_overlap(url, dsn, district, estate, args.checks)
    await bench_pool(url, dsn, district, estate, args.counts)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spaces", type=int, default=10_000)
    parser.add_argument("--checks", type=int, default=1000, help="allocations tried per side (half overlap)")
    parser.add_argument("--counts", type=int, default=1000, help="pool counts per side")
    parser.add_argument("--max-seconds", type=int, default=1800, help="stop the server and give up after this")
    args = parser.parse_args()
    if args.spaces < 10:
        parser.error("use at least 10 spaces")
    return args


def run() -> None:
    args = parse()
    server = PostgresServer()

    def give_up(_signum: int, _frame: Any) -> None:
        raise TimeoutError(f"--max-seconds {args.max_seconds} reached")

    signal.signal(signal.SIGALRM, give_up)
    signal.alarm(args.max_seconds)
    try:
        server.start()
        say(f"PostgreSQL at 127.0.0.1:{server.port} ({server.bindir.parent.name}), data in {server.root}")
        asyncio.run(main(args, server))
    finally:
        signal.alarm(0)
        server.stop()


if __name__ == "__main__":
    run()
