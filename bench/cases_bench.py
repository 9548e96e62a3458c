"""Case-engine benchmark: the queue page, its htmx fragment, the case page and a transition POST over HTTP.

Seeds a district with N cases (``bench/cases_seed.py``), runs the real server
(``sanshe run --workers 2``) and a floor (``bench/floor_app.py``: a bare Litestar app doing
the same data SQL and rendering the same rows with the app's own row templates, under
uvicorn with the same number of workers), both at once on free 127.0.0.1 ports, and drives
them with Debian's ``wrk`` over loopback: each measure ``--rounds`` times on each side for
``--seconds``, app and floor taking turns (who goes first alternates), so a burst of load
from elsewhere on the machine falls on both. Prints, for each run, median and p99 latency,
requests/s and the CPU each server process used; then the medians over the rounds, the
app's next to the floor's, the ratios (each round's too), and checks the targets of
DESIGN.md "Performance". A run where one of the two workers served (almost) every
connection is measured again (see :func:`run_spread`).

    .venv/bin/python bench/cases_bench.py --cases 10000 --backend both
    .venv/bin/python bench/cases_bench.py --cases 1000000 --backend postgresql

Needs ``wrk`` (``apt-get install wrk``) and, for PostgreSQL, Debian's server binaries.
The app logs in as a social worker (``POST /login``, the session cookie and the page's
CSRF token passed by a wrk Lua script). Writes: each wrk thread owns 100 cases seeded in
``reported`` and posts, round-robin over them, ``return_for_info`` (reported → needs_info,
with a reason) then, on the next round, ``info_supplied`` (back to reported): every POST
is a valid transition (a case is posted again only after the 99 others, long after its
previous POST answered), and each appends a hash-chained timeline event. Every write run
takes 200 cases of its own, never posted before (the floor has its own too). Everything
runs in a temporary directory deleted at the end; servers are stopped at the end, on an
error or when ``--max-seconds`` runs out.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cases_seed import Seeded, seed  # noqa: E402
from core.testing.pgserver import PostgresServer, free_port  # noqa: E402

THREADS, CONNECTIONS, PER_THREAD = 2, 8, 100
WORKERS = 2  # processes of the app and of the floor
ATTEMPTS, MIN_SHARE = 3, 0.25  # a run is measured again when a worker used under MIN_SHARE of the CPU
TARGET_QUEUE, TARGET_SCALE, TARGET_WRITES = 1.5, 1.3, 0.6
RESULTS: dict[tuple[str, int], dict[str, dict[str, dict[str, float]]]] = {}
ROUNDS: dict[tuple[str, int], dict[str, dict[str, list[dict[str, float]]]]] = {}

LUA = """
local refs = {%(refs)s}
local per = %(per)d
local headers = {Cookie = "%(cookie)s", Connection = "close"%(extra)s}
local counter = 0
local n = 0
function setup(thread)
  thread:set("tid", n)
  n = n + 1
end
function init(args)
  tid = tonumber(tid) or 0  -- set by setup() in this thread's state
end
function request()
  %(body)s
end
"""
READ = 'return wrk.format("GET", "%s", headers)'
WRITE = """local k = counter %% per
  local round = math.floor(counter / per) %% 2
  counter = counter + 1
  local ref = refs[tid * per + k + 1]
  local key = round == 0 and "return_for_info" or "info_supplied"
  local h = {Cookie = headers.Cookie, Connection = "close", ["Content-Type"] = "application/x-www-form-urlencoded"}
  return wrk.format("POST", "/d/bench/cases/" .. ref .. "/transitions/" .. key, h,
    "_csrf_token=%s&reason=bench")"""


def say(text: str) -> None:
    print(text, flush=True)


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def start(argv: list[str], env: dict[str, str], port: int, log: Path) -> Server:
    out = log.open("wb")
    process = subprocess.Popen(
        argv, env={**os.environ, **env}, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )
    server = Server(process, port)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{argv[0]} exited: {log.read_text()[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            time.sleep(1.5)  # let every worker start
            return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{argv[0]} did not listen on {port}")


def login(base: str, user: str, password: str) -> tuple[str, str]:
    """Log in over HTTP; the session cookie header and the page's CSRF token."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    form = {"username": user, "password": password, "next": "/d/bench/cases"}
    if token:
        form["_csrf_token"] = token.group(1)
    body = opener.open(f"{base}/login", data=urllib.parse.urlencode(form).encode()).read().decode()
    csrf = re.search(r'"x-csrftoken": "([^"]+)"', body)
    if csrf is None:
        raise RuntimeError("login failed: no CSRF token on the queue page")
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, csrf.group(1)


def _descendants(root: int) -> list[int]:
    """Every process below ``root`` (the server's workers), read from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def cpu_ticks(server: Server) -> dict[int, int]:
    """CPU time (user + system, clock ticks) of each process of the server."""
    ticks = {}
    for pid in _descendants(server.process.pid):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks[pid] = int(fields[11]) + int(fields[12])
    return ticks


def parse_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(url: str, script: str, seconds: int, work: Path, name: str) -> dict[str, float]:
    path = work / f"{name}.lua"
    path.write_text(script)
    argv = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "-s", str(path), url]
    out = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    median = parse_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = parse_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    result = {"median": median, "p99": p99, "rate": rate, "bad": float(bad.group(1)) if bad else 0.0, "n": total}
    if errors:
        say(f"    wrk {name}: socket errors {errors.group(1)}")
        timeouts = int(re.search(r"timeout (\d+)", errors.group(1)).group(1))  # type: ignore[union-attr]
        if timeouts and total <= timeouts:  # nothing answered within wrk's 2 s timeout: wrk shows 0 ms
            result.update(median=float("inf"), p99=float("inf"))
    return result


MEASURES = ("queue page", "queue fragment", "case page", "transition POST")


def script(name: str, side: Side, case: str) -> tuple[str, str]:
    """The path wrk is given and its Lua script for one measure (a write takes a fresh set of cases)."""
    refs = ", ".join(f'"{r}"' for r in (side.take_fresh() if name == "transition POST" else []))
    htmx = ', ["HX-Request"] = "true", ["HX-Target"] = "queue-table", ["HX-Current-URL"] = "/d/bench/cases"'
    extra = htmx if name == "queue fragment" else ""
    body = {
        "queue page": READ % "/d/bench/cases",
        "queue fragment": READ % "/d/bench/cases",
        "case page": READ % f"/d/bench/cases/{case}",
        "transition POST": WRITE % side.csrf,
    }[name]
    path = f"/d/bench/cases/{case}" if name == "case page" else "/d/bench/cases"
    return path, LUA % {"refs": refs, "per": PER_THREAD, "cookie": side.cookie, "extra": extra, "body": body}


def check(server: Server, cookie: str, path: str, headers: dict[str, str] | None = None) -> None:
    """One request before measuring: it must answer 200 with the rows."""
    request = urllib.request.Request(f"{server.base}{path}", headers={"Cookie": cookie, **(headers or {})})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read().decode()
    if "BN-B-" not in body:
        raise RuntimeError(f"{path} did not show cases: {body[:500]}")


@dataclass
class Side:
    """The app or the floor: its server, its login and its not yet used sets of fresh cases."""

    name: str
    server: Server
    cookie: str
    csrf: str
    fresh: list[str]
    sets_used: int = 0

    def take_fresh(self) -> list[str]:
        size = THREADS * PER_THREAD
        if (self.sets_used + 1) * size > len(self.fresh):
            raise RuntimeError(f"{self.name}: no fresh cases left for another write run")
        self.sets_used += 1
        return self.fresh[(self.sets_used - 1) * size : self.sets_used * size]


def run_spread(side: Side, name: str, case: str, seconds: int, work: Path) -> dict[str, float]:
    """One wrk run, run again (at most twice) when wrk's connections all landed on one worker.

    wrk opens its connections at once and keeps them; a uvicorn worker woken by the first
    one accepts every connection waiting (asyncio's accept loop), so now and then one
    worker serves the whole run while the other idles, and the median doubles. The CPU
    each process used during the run shows it; such a run measures one worker, not the
    server, and is measured again. The same rule holds for the app and the floor.
    """
    for attempt in range(1, ATTEMPTS + 1):
        path, lua = script(name, side, case)
        before = cpu_ticks(side.server)
        result = run_wrk(side.server.base + path, lua, seconds, work, f"{side.name}-{name.replace(' ', '-')}")
        after = cpu_ticks(side.server)
        used = sorted((after[pid] - before.get(pid, 0) for pid in after), reverse=True)
        shares = [u / max(sum(used), 1) for u in used]
        split = "/".join(f"{100 * share:.0f}" for share in shares if share >= 0.005)
        spread = len(shares) >= WORKERS and shares[WORKERS - 1] >= MIN_SHARE
        result["cpu_ms"] = 1000 * sum(used) / os.sysconf("SC_CLK_TCK") / max(result["n"], 1)
        say(
            f"    {side.name:5} {name:16} median {result['median']:7.2f} ms  p99 {result['p99']:8.2f} ms"
            f"  {result['rate']:7.0f} req/s  ({int(result['n'])} requests, {int(result['bad'])} not 2xx/3xx;"
            f" server CPU {result['cpu_ms']:.1f} ms/request, % by process {split})"
        )
        if spread:
            break
        if attempt < ATTEMPTS:
            say(f"    {side.name:5} {name:16} one worker served (almost) every connection: measured again")
    result["attempts"] = float(attempt)
    return result


async def prepare(backend: str, n: int, work: Path, pg: PostgresServer | None, rounds: int) -> tuple[str, Seeded]:
    if backend == "postgresql":
        assert pg is not None
        import asyncpg

        name = f"cases_bench_{n}"
        admin = await asyncpg.connect(pg.dsn())
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        url = pg.url(name)
    else:
        url = f"sqlite+aiosqlite:///{work / f'cases_{n}.db'}"
    return url, await seed(url, n, THREADS * PER_THREAD * rounds * ATTEMPTS)


def summarize(runs: list[dict[str, float]]) -> dict[str, float]:
    """The median over the rounds of each figure."""
    keys = ("median", "p99", "rate", "bad", "n", "cpu_ms")
    return {key: statistics.median(run[key] for run in runs) for key in keys}


def bench(backend: str, n: int, seconds: int, rounds: int, work: Path, pg: PostgresServer | None) -> None:
    say(f"== {backend}, {n:,} cases: seeding …")
    started = time.perf_counter()
    url, seeded = asyncio.run(prepare(backend, n, work, pg, rounds))
    say(f"   seeded in {time.perf_counter() - started:.0f} s")
    var = work / f"var-{backend}-{n}"
    var.mkdir()
    env = {"SANSHE_DATABASE_URL": url, "SANSHE_VAR_DIR": str(var), "SANSHE_PLUGINS": "", "SANSHE_WORKERS": "2"}
    floor_env = {
        "BENCH_DATABASE_URL": url,
        "BENCH_DISTRICT_ID": str(seeded.district_id),
        "BENCH_USER_ID": str(seeded.user_id),
        "BENCH_TEAMS": ",".join(str(t) for t in seeded.team_ids),
    }
    sanshe = [str(ROOT / ".venv/bin/sanshe"), "run", "--workers", str(WORKERS)]
    uvicorn = [sys.executable, "-m", "uvicorn", "bench.floor_app:create_app", "--factory", "--workers", str(WORKERS)]
    servers: list[Server] = []
    try:
        port = free_port()
        servers.append(start([*sanshe, "--port", str(port)], env, port, work / "app.log"))
        cookie, csrf = login(servers[0].base, seeded.user, seeded.password)
        app = Side("app", servers[0], cookie, csrf, seeded.fresh_app)
        port = free_port()
        servers.append(start([*uvicorn, "--host", "127.0.0.1", "--port", str(port)], floor_env, port, work / "f.log"))
        floor = Side("floor", servers[1], "x=1", "x", seeded.fresh_floor)
        say(f"   app (sanshe run --workers {WORKERS}) on {app.server.base}, logged in")
        say(f"   floor (uvicorn bench.floor_app --workers {WORKERS}) on {floor.server.base}")
        for side in (app, floor):
            check(side.server, side.cookie, "/d/bench/cases")
            check(side.server, side.cookie, "/d/bench/cases", {"HX-Request": "true", "HX-Target": "queue-table"})
        case = seeded.sample_refs[len(seeded.sample_refs) // 2]
        runs: dict[str, dict[str, list[dict[str, float]]]] = {"app": {}, "floor": {}}
        for name in MEASURES:
            for round_ in range(rounds):  # app and floor take turns; who goes first alternates
                for side in (app, floor) if round_ % 2 == 0 else (floor, app):
                    runs[side.name].setdefault(name, []).append(run_spread(side, name, case, seconds, work))
    finally:
        for server in servers:
            server.stop()
    RESULTS[(backend, n)] = {
        side: {name: summarize(side_runs[name]) for name in MEASURES} for side, side_runs in runs.items()
    }
    ROUNDS[(backend, n)] = runs
    report(backend, n)


def report(backend: str, n: int) -> None:
    app, floor = RESULTS[(backend, n)]["app"], RESULTS[(backend, n)]["floor"]
    rounds = ROUNDS[(backend, n)]
    say(f"-- {backend}, {n:,} cases (app / floor = ratio; medians over the rounds, each round's ratio in brackets)")
    for name in MEASURES:
        a, f = app[name], floor[name]
        each = " ".join(
            f"{ra['median'] / rf['median']:.2f}"
            for ra, rf in zip(rounds["app"][name], rounds["floor"][name], strict=True)
        )
        say(
            f"   {name:16} median {a['median']:.2f} / {f['median']:.2f} ms = {a['median'] / f['median']:.2f}x ({each});"
            f"  p99 {a['p99']:.2f} / {f['p99']:.2f} ms = {a['p99'] / f['p99']:.2f}x;"
            f"  {a['rate']:.0f} / {f['rate']:.0f} req/s = {a['rate'] / f['rate']:.2f}x;"
            f"  server CPU {a['cpu_ms']:.1f} / {f['cpu_ms']:.1f} ms/request = {a['cpu_ms'] / f['cpu_ms']:.2f}x"
        )
    for name in ("queue page", "queue fragment"):
        ratio = app[name]["median"] / floor[name]["median"]
        verdict = "met" if ratio <= TARGET_QUEUE else "MISSED"
        say(f"   target {name} median <= {TARGET_QUEUE}x floor: {ratio:.2f}x {verdict}")
    ratio = app["transition POST"]["rate"] / floor["transition POST"]["rate"]
    say(
        f"   target writes >= {TARGET_WRITES}x floor rate: {ratio:.2f}x {'met' if ratio >= TARGET_WRITES else 'MISSED'}"
    )
    small = [k for k in RESULTS if k[0] == backend and k[1] < n]
    if small:
        base = RESULTS[min(small, key=lambda k: k[1])]["app"]
        for name in ("queue page", "queue fragment"):
            ratio = app[name]["median"] / base[name]["median"]
            verdict = "met" if ratio <= TARGET_SCALE else "MISSED"
            say(f"   target {name} median at {n:,} <= {TARGET_SCALE}x at {min(small)[1]:,}: {ratio:.2f}x {verdict}")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, action="append", help="cases to seed (repeatable) [10000]")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration of one run")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each measure on each side, taking turns")
    parser.add_argument("--max-seconds", type=int, default=3600, help="stop everything and give up after this")
    args = parser.parse_args()
    args.cases = sorted(args.cases or [10_000])
    return args


def main() -> None:
    args = parse()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]

    def give_up(_signum: int, _frame: Any) -> None:
        raise TimeoutError(f"--max-seconds {args.max_seconds} reached")

    signal.signal(signal.SIGALRM, give_up)
    signal.alarm(args.max_seconds)
    pg = PostgresServer() if "postgresql" in backends else None
    work = Path(tempfile.mkdtemp(prefix="cases-bench-"))
    load = os.getloadavg()
    say(f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; {os.cpu_count()} CPUs; work dir {work}")
    try:
        if pg is not None:
            pg.start()
            say(f"PostgreSQL at 127.0.0.1:{pg.port} ({pg.bindir.parent.name})")
        for backend in backends:
            for n in args.cases:
                bench(backend, n, args.seconds, args.rounds, work, pg)
    finally:
        signal.alarm(0)
        if pg is not None:
            pg.stop()
        shutil.rmtree(work, ignore_errors=True)
        load = os.getloadavg()
        say(f"load average at the end {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


if __name__ == "__main__":
    main()
