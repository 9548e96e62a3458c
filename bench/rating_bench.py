"""Star-rating benchmark on a throw-away PostgreSQL server: the fair ranking of a year (and of a quarter).

The application side is ``plugins.rating.service.ranking`` in a SQLAlchemy session bound to
the district (the period's mean C, then one aggregate per organization computing count,
mean, Bayesian average and Wilson lower bound in SQL, ordered in SQL), building its rows.
The *floor* is the same two SQL statements, prepared, over bare asyncpg on the same server
in the same run; the ratio is what the application layer costs. Each side runs ``--runs``
times, taking turns (who goes first alternates), so load from elsewhere falls on both.

    .venv/bin/python bench/rating_bench.py                                  # full: 1,000,000 ratings, 2,000 orgs
    .venv/bin/python bench/rating_bench.py --ratings 100000 --organizations 500 --runs 3   # quick (~30 s)

Loading: organizations, deliveries and ratings are generated server-side with
``INSERT … SELECT … FROM generate_series`` (no client round trips, no ORM), foreign-key
triggers off for the load (``session_replication_role = replica``), then ``VACUUM ANALYZE``.
Ratings are spread over the year 2025; organizations get very different numbers of ratings
(a skewed spread: a few hundred organizations have fewer than ``min_ratings``), their stars
lean by organization, and 2 % of the ratings are voided by appeals (left out by the ranking).
The server listens on 127.0.0.1 only and is stopped (its data deleted) at the end, also
after an error or when ``--max-seconds`` runs out.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg

from core.db import create_engine, session_factory
from core.db.tenancy import for_district
from core.plugins import PluginHost
from core.plugins.migrations import upgrade_all
from core.testing.pgserver import PostgresServer
from plugins.rating import service

YEAR = 2025
PRIOR_WEIGHT, MIN_RATINGS = 10.0, 5  # the plugin's default settings
TARGET = 1.5


def say(text: str) -> None:
    print(text, flush=True)


async def load(conn: asyncpg.Connection, organizations: int, ratings: int) -> int:
    """Fill the district; returns its id."""
    started = time.perf_counter()
    district = await conn.fetchval(
        "INSERT INTO districts (code, name_zh, name_en, ref_prefix, policy_version, plugins_version,"
        " created_at, updated_at) "
        "VALUES ('bench', '基准区', 'Bench', 'BN', 1, 1, now(), now()) RETURNING id"
    )
    person = await conn.fetchval(
        "INSERT INTO persons (district_id, name, phone, gender, consent_method, notes, created_at, updated_at)"
        " VALUES ($1, '基准居民', '13800000000', '', '', '', now(), now()) RETURNING id",
        district,
    )
    await conn.execute("SET session_replication_role = replica")
    await conn.execute(
        "INSERT INTO organizations (id, district_id, name, kind, filing_number, legal_representative, contact_name,"
        " contact_phone, address, description, is_hub, status, version, created_at, updated_at)"
        " SELECT g, $1, '基准组织' || g, 'filed', '', '', '', '', '', '', false, 'active', 1, now(), now()"
        " FROM generate_series(1, $2) g",
        district,
        organizations,
    )
    # Rating g: organization 1 + floor(N·u²) with u spread over [0, 1) — a skewed spread, so the
    # last organizations get few ratings; stars lean by organization (quality 0..2) plus noise.
    org = f"1 + floor({organizations} * power(((g * 2654435761) % 1000003) / 1000003.0, 2))::bigint"
    when = f"timestamptz '{YEAR}-01-01 00:00:00+08' + make_interval(secs => (g * 48271) % (365 * 86400))"
    stars = "least(5, greatest(1, 2 + (o % 3) + ((g * 7919) % 5) / 2))"
    chunk = 250_000
    for low in range(1, ratings + 1, chunk):
        high = min(ratings, low + chunk - 1)
        await conn.execute(
            "INSERT INTO service_deliveries (id, district_id, organization_id, person_id, kind, title, reference,"
            " source, delivered_at, status, verified_at, created_at, updated_at)"
            f" SELECT g, $1, {org}, $2, 'bench', '基准服务', 'bench:' || g, 'manual', {when} - interval '1 day',"
            " 'completed', now(), now(), now() FROM generate_series($3::bigint, $4::bigint) g",
            district,
            person,
            low,
            high,
        )
        await conn.execute(
            "INSERT INTO rating_rating (id, district_id, delivery_id, organization_id, stars, dimensions, comment,"
            " channel, rater_name, rater_relation, submitted_at, status, void_reason, created_at, updated_at)"
            f" SELECT g, $1, g, o, {stars}, '{{}}'::jsonb, '', 'link', '', 'self', {when},"
            " CASE WHEN g % 50 = 0 THEN 'voided' ELSE 'valid' END, '', now(), now()"
            f" FROM (SELECT g, {org} AS o FROM generate_series($2::bigint, $3::bigint) g) s",
            district,
            low,
            high,
        )
        say(f"  loaded {high:,} ratings ({time.perf_counter() - started:.0f} s)")
    await conn.execute("SET session_replication_role = DEFAULT")
    for table in ("organizations", "service_deliveries", "rating_rating"):
        await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    await conn.execute("VACUUM ANALYZE organizations, service_deliveries, rating_rating")
    say(f"  loaded in {time.perf_counter() - started:.0f} s")
    return district


PRIOR = (
    "SELECT avg(CAST(stars AS FLOAT)) FROM rating_rating"
    " WHERE district_id = $1 AND status = 'valid' AND submitted_at >= $2 AND submitted_at < $3"
)
# The aggregate the plugin issues (count, mean, Bayesian average, Wilson lower bound, ordered), by hand.
AGGREGATE = """
WITH g AS (
  SELECT organization_id, count(id) AS n, CAST(sum(stars) AS FLOAT) AS total,
         CAST(sum(CASE WHEN stars >= 4 THEN 1 ELSE 0 END) AS FLOAT) AS positive
  FROM rating_rating
  WHERE district_id = $1 AND status = 'valid' AND submitted_at >= $2 AND submitted_at < $3
  GROUP BY organization_id
), p AS (SELECT CAST($4 AS FLOAT) AS m, CAST($5 AS FLOAT) AS c, CAST($6 AS FLOAT) AS z)
SELECT g.organization_id, o.name, n, total / n AS mean, (total + m * c) / (n + m) AS bayes,
       (positive / n + z * z / (2 * n) - z * sqrt(((positive / n) * (1 - positive / n) + z * z / (4 * n)) / n))
         / (1 + z * z / n) AS wilson,
       positive
FROM g JOIN organizations o ON o.id = g.organization_id AND o.district_id = $1, p
ORDER BY n >= $7 DESC, bayes DESC, wilson DESC, o.name
"""


async def measure(url: str, dsn: str, district: int, key: str, runs: int) -> tuple[float, float, int]:
    """Median seconds of the plugin's ranking and of the floor for period ``key``; and the rows ranked."""
    period = service.Period.parse(key)
    start, end = period.bounds()
    engine = create_engine(url)
    factory = session_factory(engine)
    conn = await asyncpg.connect(dsn)
    prior = await conn.prepare(PRIOR)
    aggregate = await conn.prepare(AGGREGATE)
    api: list[float] = []
    floor: list[float] = []
    ranked = 0

    async def app_side() -> None:
        nonlocal ranked
        t = time.perf_counter()
        async with factory() as session:
            for_district(session, district)
            rows = await service.ranking(session, period, prior_weight=PRIOR_WEIGHT, min_ratings=MIN_RATINGS)
        api.append(time.perf_counter() - t)
        ranked = len(rows)

    async def floor_side() -> None:
        t = time.perf_counter()
        c = float(await prior.fetchval(district, start, end) or 0.0)
        rows = await aggregate.fetch(district, start, end, PRIOR_WEIGHT, c, service.Z, MIN_RATINGS)
        floor.append(time.perf_counter() - t)
        assert len(rows) == ranked or not ranked

    await app_side()  # warm both (plans, caches) before timing
    await floor_side()
    api.clear()
    floor.clear()
    for k in range(runs):
        for side in (app_side, floor_side) if k % 2 == 0 else (floor_side, app_side):
            await side()
    await conn.close()
    await engine.dispose()
    return statistics.median(api), statistics.median(floor), ranked


async def main(args: argparse.Namespace, server: PostgresServer) -> float:
    admin = await asyncpg.connect(server.dsn())
    await admin.execute('CREATE DATABASE "rating_bench"')
    await admin.close()
    url, dsn = server.url("rating_bench"), server.dsn("rating_bench")
    await upgrade_all(url, host=PluginHost.load(frozenset({"rating"}), entry_points=False))
    conn = await asyncpg.connect(dsn)
    say(f"loading {args.ratings:,} ratings over {args.organizations:,} organizations …")
    district = await load(conn, args.organizations, args.ratings)
    size = await conn.fetchval("SELECT pg_size_pretty(pg_database_size('rating_bench'))")
    await conn.close()
    say(f"database size {size}")
    worst = 0.0
    for key in (str(YEAR), f"{YEAR}Q4"):
        api, floor, ranked = await measure(url, dsn, district, key, args.runs)
        ratio = api / floor
        worst = max(worst, ratio)
        say(
            f"ranking {key} ({ranked:,} organizations, {args.runs}x)  API median {api * 1000:.0f} ms | "
            f"floor median {floor * 1000:.0f} ms | ratio {ratio:.2f}x (target <= {TARGET}x)"
        )
    return worst


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ratings", type=int, default=1_000_000)
    parser.add_argument("--organizations", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=7, help="timed rankings per side and period")
    parser.add_argument("--max-seconds", type=int, default=1800, help="stop the server and give up after this")
    args = parser.parse_args()
    if args.organizations < 10 or args.ratings < args.organizations:
        parser.error("use at least 10 organizations and as many ratings as organizations")
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
        worst = asyncio.run(main(args, server))
    finally:
        signal.alarm(0)
        server.stop()
    say(f"{'PASS' if worst <= TARGET else 'FAIL'}: worst ratio {worst:.2f}x (target <= {TARGET}x)")
    sys.exit(0 if worst <= TARGET else 1)


if __name__ == "__main__":
    run()
