"""Past one database server: the queue page and a transition POST, direct vs PgBouncer vs a read replica.

Seeds a district with N cases (``bench/cases_seed.py``) on a throw-away PostgreSQL server,
makes a streaming replica of it (``pg_basebackup -R``, core/testing/replica.py) and puts
Debian's PgBouncer in transaction mode in front of the primary (core/testing/pgbouncer.py,
20 server connections). Then runs ``sanshe run --workers 4`` three ways, side by side:

- **direct**: ``SANSHE_DATABASE_URL`` is the primary;
- **pgbouncer**: through PgBouncer (``SANSHE_DATABASE_POOLER=pgbouncer``);
- **replica**: the primary directly, ``SANSHE_DATABASE_REPLICA_URL`` the replica (queue reads
  go there; the number of transactions the replica ran during each read run is printed).

and drives each with Debian's ``wrk`` over loopback (2 threads, 8 connections, as
bench/cases_bench.py): the queue page and a transition POST, ``--rounds`` times each for
``--seconds``, the three set-ups taking turns (who goes first rotates per round). Prints median and p99 latency and
requests/s per run, the medians over the rounds and the ratios to **direct**.

    PYTHONPATH=. .venv/bin/python bench/replica_bench.py --cases 10000 --rounds 3 --seconds 5

Everything runs in temporary directories deleted at the end; servers are stopped at the
end, on an error, or when ``--max-seconds`` runs out.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import cases_bench  # noqa: E402
from bench.cases_bench import Server, Side, check, login, run_spread, say  # noqa: E402
from bench.cases_seed import seed  # noqa: E402
from core.testing.pgbouncer import PgBouncer  # noqa: E402
from core.testing.pgserver import PostgresServer, free_port  # noqa: E402
from core.testing.replica import Copy  # noqa: E402

APP_WORKERS = 4
SETUPS = ("direct", "pgbouncer", "replica")
MEASURES = ("queue page", "transition POST")
SANSHE = [sys.executable, "-c", "from core.cli import main; main()"]


def start(argv: list[str], env: dict[str, str], port: int, log: Path, timeout: float = 300) -> Server:
    """``sanshe run`` on ``port``, once it answers ``/healthz`` (four workers start slowly on a busy machine)."""
    import subprocess
    import urllib.request

    with log.open("wb") as out:
        process = subprocess.Popen(
            argv, env={**os.environ, **env}, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(process, port)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            msg = f"sanshe run exited: {log.read_text()[-2000:]}"
            raise RuntimeError(msg)
        try:
            with urllib.request.urlopen(f"{server.base}/healthz", timeout=5):
                time.sleep(2)  # let every worker start
                return server
        except OSError:
            time.sleep(0.5)
    server.stop()
    msg = f"sanshe run did not answer on {port} within {timeout:.0f} s"
    raise RuntimeError(msg)


def _replica_transactions(standby: Copy) -> int:
    import asyncpg

    async def run() -> int:
        conn = await asyncpg.connect(standby.dsn())
        try:
            return int(await conn.fetchval("SELECT sum(xact_commit + xact_rollback) FROM pg_stat_database"))
        finally:
            await conn.close()

    return asyncio.run(run())


def bench(n: int, seconds: int, rounds: int, work: Path) -> dict[str, dict[str, list[dict[str, float]]]]:
    pg = PostgresServer().start()
    standby: Copy | None = None
    bouncer: PgBouncer | None = None
    try:
        say(f"PostgreSQL at 127.0.0.1:{pg.port}; seeding {n:,} cases …")
        started = time.perf_counter()
        name = "replica_bench"
        import asyncpg

        async def create() -> None:
            admin = await asyncpg.connect(pg.dsn())
            await admin.execute(f'CREATE DATABASE "{name}"')
            await admin.close()

        asyncio.run(create())
        per_run = cases_bench.THREADS * cases_bench.PER_THREAD
        seeded = asyncio.run(seed(pg.url(name), n, per_run * rounds * cases_bench.ATTEMPTS * 2))
        fresh = seeded.fresh_app + seeded.fresh_floor
        say(f"   seeded in {time.perf_counter() - started:.0f} s")
        standby = Copy(pg).start()
        bouncer = PgBouncer(pg, pool_size=20).start()
        say(f"   replica at 127.0.0.1:{standby.port}, PgBouncer at 127.0.0.1:{bouncer.port}")
        envs = {
            "direct": {"SANSHE_DATABASE_URL": pg.url(name)},
            "pgbouncer": {"SANSHE_DATABASE_URL": bouncer.url(name), "SANSHE_DATABASE_POOLER": "pgbouncer"},
            "replica": {"SANSHE_DATABASE_URL": pg.url(name), "SANSHE_DATABASE_REPLICA_URL": standby.url(name)},
        }
        share = len(fresh) // len(SETUPS)
        runs: dict[str, dict[str, list[dict[str, float]]]] = {s: {m: [] for m in MEASURES} for s in SETUPS}
        case = seeded.sample_refs[len(seeded.sample_refs) // 2]
        servers: dict[str, Server] = {}
        sides: dict[str, Side] = {}
        try:
            for index, setup in enumerate(SETUPS):  # all three up at once; they take turns under load
                var = work / f"var-{setup}"
                var.mkdir(exist_ok=True)
                env = {
                    **envs[setup],
                    "SANSHE_VAR_DIR": str(var),
                    "SANSHE_PLUGINS": "",
                    "SANSHE_SCHEDULER": "0",
                    "SANSHE_SECRET_KEY": "bench",
                    "PYTHONPATH": str(ROOT),
                }
                port = free_port()
                argv = [*SANSHE, "run", "--workers", str(APP_WORKERS), "--port", str(port)]
                servers[setup] = server = start(argv, env, port, work / f"{setup}.log")
                cookie, csrf = login(server.base, seeded.user, seeded.password)
                sides[setup] = Side(setup, server, cookie, csrf, fresh[index * share : (index + 1) * share])
                check(server, cookie, "/d/bench/cases")
                say(f"   {setup}: sanshe run --workers {APP_WORKERS} on {server.base}")
            for round_ in range(rounds):
                order = SETUPS[round_ % 3 :] + SETUPS[: round_ % 3]  # who goes first rotates
                for measure in MEASURES:
                    for setup in order:
                        before = _replica_transactions(standby)
                        result = run_spread(sides[setup], measure, case, seconds, work)
                        result["replica_tx"] = float(_replica_transactions(standby) - before)
                        if setup == "replica" and measure == "queue page":
                            say(f"    replica ran {int(result['replica_tx'])} transactions during that run")
                        runs[setup][measure].append(result)
        finally:
            for server in servers.values():
                server.stop()
        return runs
    finally:
        if bouncer is not None:
            bouncer.stop()
        if standby is not None:
            standby.stop()
        pg.stop()


def report(runs: dict[str, dict[str, list[dict[str, float]]]]) -> None:
    say("\n== medians over the rounds (ratio: requests/s of the set-up ÷ direct's; median latency ÷ direct's)")
    for measure in MEASURES:
        base = {k: statistics.median(r[k] for r in runs["direct"][measure]) for k in ("median", "p99", "rate")}
        for setup in SETUPS:
            got = {k: statistics.median(r[k] for r in runs[setup][measure]) for k in ("median", "p99", "rate", "bad")}
            say(
                f"  {measure:16} {setup:9} median {got['median']:7.2f} ms  p99 {got['p99']:8.2f} ms"
                f"  {got['rate']:7.0f} req/s  (not 2xx/3xx: {int(got['bad'])})"
                f"  throughput ×{got['rate'] / base['rate']:.2f}  latency ×{got['median'] / base['median']:.2f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration of one run")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each measure per set-up, taking turns")
    parser.add_argument("--max-seconds", type=int, default=1800, help="stop everything and give up after this")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")

    def give_up(_signum: int, _frame: Any) -> None:
        msg = f"--max-seconds {args.max_seconds} reached"
        raise TimeoutError(msg)

    signal.signal(signal.SIGALRM, give_up)
    signal.alarm(args.max_seconds)
    work = Path(tempfile.mkdtemp(prefix="replica-bench-"))
    load = os.getloadavg()
    say(f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; {os.cpu_count()} CPUs; work dir {work}")
    try:
        report(bench(args.cases, args.seconds, args.rounds, work))
    finally:
        signal.alarm(0)
        shutil.rmtree(work, ignore_errors=True)
        load = os.getloadavg()
        say(f"load average at the end {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


if __name__ == "__main__":
    main()
