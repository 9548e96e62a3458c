"""Ledger benchmark on a throw-away PostgreSQL server: balance reads, a one-year statement, transfer throughput.

Each figure is printed next to a *floor*: bare SQL over asyncpg doing the same reads, or
inserting the same rows, so the ratio is the cost of the API (SQLAlchemy ORM, locks,
checks, idempotency look-up) on the same server in the same run.

    .venv/bin/python bench/ledger_bench.py                       # full: 100,000 accounts, 10,000,000 postings
    .venv/bin/python bench/ledger_bench.py --accounts 2000 --postings 200000 --transfers 500   # quick

Loading: rows are generated server-side with ``INSERT … SELECT … FROM generate_series``
(multi-row inserts, no client round trips), with foreign-key triggers off for the load
(``session_replication_role = replica``) and the postings' secondary indexes built after
it; balances are then set from the postings in one ``UPDATE … FROM (SELECT … GROUP BY)``.
The server listens on 127.0.0.1 only and is stopped (its data deleted) at the end, also
after an error or when ``--max-seconds`` runs out.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import signal
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg

from core import ledger
from core.db import create_engine, session_factory
from core.plugins import PluginHost
from core.plugins.migrations import upgrade_all
from tests.pgserver import PostgresServer

NOW = datetime.now(UTC).replace(microsecond=0)
SPAN = 730 * 86400  # postings spread over two years before NOW
BUSY = 100  # accounts that get ~600 postings over two years (~300 in the statement's year)
POSTING_INDEXES = [
    "CREATE INDEX ix_ledger_postings_account_effective ON ledger_postings (account_id, effective_at, id)",
    "CREATE INDEX ix_ledger_postings_district_id ON ledger_postings (district_id)",
    "ALTER TABLE ledger_postings ADD CONSTRAINT uq_ledger_postings_transfer_id_account_id "
    "UNIQUE (transfer_id, account_id)",
]


def say(text: str) -> None:
    print(text, flush=True)


def stats(samples: list[float]) -> tuple[float, float]:
    """Median and 99th percentile, in milliseconds."""
    ms = sorted(s * 1000 for s in samples)
    return statistics.median(ms), ms[min(len(ms) - 1, round(len(ms) * 0.99))]


async def load(conn: asyncpg.Connection, accounts: int, postings: int) -> tuple[int, int]:
    """Fill the ledger; returns (district id, id of a busy account)."""
    district = await conn.fetchval(
        "INSERT INTO districts (code, name_zh, name_en, ref_prefix, policy_version, plugins_version,"
        " created_at, updated_at) "
        "VALUES ('bench', '基准区', 'Bench', 'BN', 1, 1, now(), now()) RETURNING id"
    )
    transfers = postings // 2
    persons = accounts - 1
    busy = min(BUSY, persons)
    busy_transfers = min(transfers // 2, busy * 600)
    started = time.perf_counter()
    await conn.execute("SET session_replication_role = replica")
    for statement in ("DROP INDEX ix_ledger_postings_account_effective", "DROP INDEX ix_ledger_postings_district_id"):
        await conn.execute(statement)
    await conn.execute("ALTER TABLE ledger_postings DROP CONSTRAINT uq_ledger_postings_transfer_id_account_id")
    await conn.execute(
        "INSERT INTO ledger_accounts (id, district_id, owner_kind, owner_ref, unit, name, min_balance, max_balance,"
        " balance, created_at) "
        "SELECT g, $1, CASE WHEN g = 1 THEN 'system' ELSE 'person' END, 'acct:' || g, 'minutes', '账户' || g,"
        " CASE WHEN g = 1 THEN NULL ELSE 0 END, NULL, 0, now() FROM generate_series(1, $2) g",
        district,
        accounts,
    )
    # Transfer t moves 1..120 minutes from the pool (account 1) to one person; the first
    # ``busy_transfers`` go round-robin to the busy accounts 2..busy+1.
    target = (
        f"CASE WHEN g <= {busy_transfers} THEN 2 + (g % {busy})"
        f" ELSE {2 + busy} + ((g * 2654435761) % {max(1, persons - busy)}) END"
    )
    when = f"timestamptz '{NOW.isoformat()}' - make_interval(secs => (g * 48271) % {SPAN})"
    amount = "1 + (g * 7919) % 120"
    series = "generate_series($2::bigint, $3::bigint) g"
    chunk = 1_000_000
    for low in range(1, transfers + 1, chunk):
        high = min(transfers, low + chunk - 1)
        await conn.execute(
            "INSERT INTO ledger_transfers (id, district_id, reason, category, link, idempotency_key, created_at,"
            f" effective_at) SELECT g, $1, '基准', 'bench', '', 'load:' || g, now(), {when}"
            " FROM generate_series($2::bigint, $3::bigint) g",
            district,
            low,
            high,
        )
        await conn.execute(
            "INSERT INTO ledger_postings (id, district_id, transfer_id, account_id, amount, effective_at)"
            f" SELECT 2 * g - 1, $1::bigint, g, 1, -({amount}), {when} FROM {series}"
            f" UNION ALL SELECT 2 * g, $1::bigint, g, {target}, {amount}, {when} FROM {series}",
            district,
            low,
            high,
        )
        say(f"  loaded {2 * high:,} postings ({time.perf_counter() - started:.0f} s)")
    for statement in POSTING_INDEXES:
        await conn.execute(statement)
    await conn.execute("SET session_replication_role = DEFAULT")
    await conn.execute(
        "UPDATE ledger_accounts a SET balance = s.total FROM "
        "(SELECT account_id, sum(amount) AS total FROM ledger_postings GROUP BY account_id) s WHERE a.id = s.account_id"
    )
    for table in ("ledger_accounts", "ledger_transfers", "ledger_postings"):
        await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    await conn.execute("VACUUM ANALYZE ledger_accounts, ledger_transfers, ledger_postings")
    say(f"  loaded in {time.perf_counter() - started:.0f} s (indexes and balances included)")
    return district, 2


async def bench_reads(url: str, dsn: str, district: int, accounts: int, n: int) -> None:
    rng = random.Random(1)
    refs = [f"acct:{rng.randint(1, accounts)}" for _ in range(n)]
    engine = create_engine(url)
    factory = session_factory(engine)
    api = []
    for ref in refs:
        t = time.perf_counter()
        async with factory() as session:
            account = await ledger.get_account(session, district_id=district, owner_ref=ref, unit="minutes")
            assert account is not None
            _ = account.balance
        api.append(time.perf_counter() - t)
    in_session = []  # the same read inside one open session: no checkout, ping, BEGIN or ROLLBACK
    async with factory() as session:
        for ref in refs:
            t = time.perf_counter()
            await ledger.get_account(session, district_id=district, owner_ref=ref, unit="minutes")
            in_session.append(time.perf_counter() - t)
    await engine.dispose()
    conn = await asyncpg.connect(dsn)
    query = await conn.prepare(
        "SELECT balance FROM ledger_accounts WHERE district_id = $1 AND owner_ref = $2 AND unit = 'minutes'"
    )
    floor = []
    for ref in refs:
        t = time.perf_counter()
        await query.fetchval(district, ref)
        floor.append(time.perf_counter() - t)
    await conn.close()
    (am, ap), (fm, fp), (sm, sp) = stats(api), stats(floor), stats(in_session)
    say(
        f"balance read, a session per read ({n}x)  API median {am:.3f} ms p99 {ap:.3f} ms | floor median "
        f"{fm:.3f} ms p99 {fp:.3f} ms | ratio {am / fm:.1f}x"
    )
    say(f"balance read in one open session ({n}x)  API median {sm:.3f} ms p99 {sp:.3f} ms | ratio {sm / fm:.1f}x")


async def bench_statement(url: str, dsn: str, account_id: int, n: int) -> None:
    start, end = NOW - timedelta(days=365), NOW + timedelta(seconds=1)
    engine = create_engine(url)
    factory = session_factory(engine)
    api, lines = [], 0
    for _ in range(n):
        t = time.perf_counter()
        async with factory() as session:
            result = await ledger.statement(session, account_id=account_id, start=start, end=end)
        api.append(time.perf_counter() - t)
        lines = len(result.lines)
    await engine.dispose()
    conn = await asyncpg.connect(dsn)
    opening = await conn.prepare(
        "SELECT coalesce(sum(amount), 0) FROM ledger_postings WHERE account_id = $1 AND effective_at < $2"
    )
    rows = await conn.prepare(
        "SELECT p.id, p.transfer_id, p.effective_at, t.created_at, p.amount, t.reason, t.category, t.link,"
        " t.reverses_id, t.created_by_id FROM ledger_postings p JOIN ledger_transfers t ON t.id = p.transfer_id"
        " WHERE p.account_id = $1 AND p.effective_at >= $2 AND p.effective_at < $3 ORDER BY p.effective_at, p.id"
    )
    floor = []
    for _ in range(n):
        t = time.perf_counter()
        await opening.fetchval(account_id, start)
        await rows.fetch(account_id, start, end)
        floor.append(time.perf_counter() - t)
    await conn.close()
    (am, ap), (fm, fp) = stats(api), stats(floor)
    say(
        f"one-year statement ({lines} lines, {n}x)  API median {am:.2f} ms p99 {ap:.2f} ms | floor median "
        f"{fm:.2f} ms p99 {fp:.2f} ms | ratio {am / fm:.1f}x"
    )


def plan_pairs(accounts: int, n: int) -> list[tuple[int, int, int]]:
    rng = random.Random(2)
    return [(*rng.sample(range(2 + BUSY, accounts + 1), 2), rng.randint(1, 30)) for _ in range(n)]


async def bench_transfers(url: str, dsn: str, district: int, accounts: int, n: int, workers: int) -> None:
    pairs = plan_pairs(accounts, n)
    engine = create_engine(url, pool_size=workers, max_overflow=0)
    factory = session_factory(engine)
    refused = 0

    async def api_worker(w: int) -> None:
        nonlocal refused
        for k in range(w, n, workers):
            src, dst, amount = pairs[k]
            async with factory() as session:
                try:
                    await ledger.move(
                        session,
                        district_id=district,
                        from_account=src,
                        to_account=dst,
                        amount=amount,
                        reason="基准转账",
                        idempotency_key=f"api:{k}",
                        created_by_id=None,
                    )
                    await session.commit()
                except ledger.LimitExceeded:
                    refused += 1

    t = time.perf_counter()
    await asyncio.gather(*(api_worker(w) for w in range(workers)))
    api_rate = n / (time.perf_counter() - t)
    await engine.dispose()

    pool = await asyncpg.create_pool(dsn, min_size=workers, max_size=workers)

    async def floor_worker(w: int) -> None:
        async with pool.acquire() as conn:
            for k in range(w, n, workers):
                src, dst, amount = pairs[k]
                async with conn.transaction():
                    tid = await conn.fetchval(
                        "INSERT INTO ledger_transfers (district_id, reason, category, link, idempotency_key,"
                        " created_at, effective_at) VALUES ($1, '基准转账', '', '', $2, now(), now()) RETURNING id",
                        district,
                        f"floor:{k}",
                    )
                    await conn.execute(
                        "INSERT INTO ledger_postings (district_id, transfer_id, account_id, amount, effective_at)"
                        " VALUES ($1, $2, $3, $4, now()), ($1, $2, $5, $6, now())",
                        district,
                        tid,
                        src,
                        -amount,
                        dst,
                        amount,
                    )
                    await conn.executemany(
                        "UPDATE ledger_accounts SET balance = balance + $2 WHERE id = $1",
                        sorted([(src, -amount), (dst, amount)]),
                    )

    t = time.perf_counter()
    await asyncio.gather(*(floor_worker(w) for w in range(workers)))
    floor_rate = n / (time.perf_counter() - t)
    await pool.close()
    say(
        f"transfers ({n}, {workers} workers)  API {api_rate:.0f}/s ({refused} refused by limits) | floor "
        f"{floor_rate:.0f}/s | ratio {floor_rate / api_rate:.1f}x"
    )


async def main(args: argparse.Namespace, server: PostgresServer) -> None:
    admin = await asyncpg.connect(server.dsn())
    await admin.execute('CREATE DATABASE "ledger_bench"')
    await admin.close()
    url, dsn = server.url("ledger_bench"), server.dsn("ledger_bench")
    await upgrade_all(url, host=PluginHost.load(frozenset()))
    conn = await asyncpg.connect(dsn)
    say(f"loading {args.accounts:,} accounts and {args.postings:,} postings …")
    district, busy_account = await load(conn, args.accounts, args.postings)
    size = await conn.fetchval("SELECT pg_size_pretty(pg_database_size('ledger_bench'))")
    await conn.close()
    say(f"database size {size}")
    await bench_reads(url, dsn, district, args.accounts, args.reads)
    await bench_statement(url, dsn, busy_account, args.statements)
    await bench_transfers(url, dsn, district, args.accounts, args.transfers, args.workers)
    if args.verify:
        engine = create_engine(url)
        t = time.perf_counter()
        async with session_factory(engine)() as session:
            problems = await ledger.verify(session)
        await engine.dispose()
        say(f"verify over the whole ledger: {len(problems)} breaks in {time.perf_counter() - t:.1f} s")
        for problem in problems[:5]:
            say(f"  {problem}")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--postings", type=int, default=10_000_000)
    parser.add_argument("--reads", type=int, default=2000, help="balance reads per side")
    parser.add_argument("--statements", type=int, default=50, help="statements per side")
    parser.add_argument("--transfers", type=int, default=4000, help="transfers per side")
    parser.add_argument("--workers", type=int, default=8, help="parallel connections for the transfers")
    parser.add_argument("--no-verify", dest="verify", action="store_false", help="skip timing ledger.verify()")
    parser.add_argument("--max-seconds", type=int, default=3600, help="stop the server and give up after this")
    args = parser.parse_args()
    if args.accounts < BUSY + 10 or args.postings < 2 * BUSY:
        parser.error(f"use at least {BUSY + 10} accounts and {2 * BUSY} postings")
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
