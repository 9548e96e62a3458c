"""Case-engine benchmark: the queue page, its htmx fragment, the case page and a transition POST over HTTP.

Seeds a district with N cases (``bench/cases_seed.py``), runs the real server
(``sanshe run --workers 2``) and a floor (``bench/floor_app.py``: a bare Litestar app doing
the same data SQL and rendering the same rows with the app's own row templates, under
uvicorn with the same number of workers), both on a free 127.0.0.1 port, and drives each with Debian's
``wrk`` over loopback for ``--seconds`` per measure. Prints median and p99 latency (and
requests/s) of the app next to the floor's, the ratios, and checks the targets of
DESIGN.md "Performance".

    .venv/bin/python bench/cases_bench.py --cases 10000 --backend both
    .venv/bin/python bench/cases_bench.py --cases 1000000 --backend postgresql

Needs ``wrk`` (``apt-get install wrk``) and, for PostgreSQL, Debian's server binaries.
The app logs in as a social worker (``POST /login``, the session cookie and the page's
CSRF token passed by a wrk Lua script). Writes: each wrk thread owns 100 cases seeded in
``reported`` and posts, round-robin over them, ``return_for_info`` (reported → needs_info,
with a reason) then, on the next round, ``info_supplied`` (back to reported): every POST
is a valid transition (a case is posted again only after the 99 others, long after its
previous POST answered), and each appends a hash-chained timeline event. The floor gets its
own 200 cases. Everything runs in a temporary directory deleted at the end; servers are
stopped at the end, on an error or when ``--max-seconds`` runs out.
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
TARGET_QUEUE, TARGET_SCALE, TARGET_WRITES = 1.5, 1.3, 0.6
RESULTS: dict[tuple[str, int], dict[str, dict[str, float]]] = {}

LUA = """
local refs = {%(refs)s}
local per = %(per)d
local headers = {Cookie = "%(cookie)s"%(extra)s}
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
  local h = {Cookie = headers.Cookie, ["Content-Type"] = "application/x-www-form-urlencoded"}
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


def scripts(seeded: Seeded, cookie: str, csrf: str, floor: bool) -> dict[str, tuple[str, str]]:
    refs = seeded.fresh_floor if floor else seeded.fresh_app
    quoted = ", ".join(f'"{r}"' for r in refs)
    case = seeded.sample_refs[len(seeded.sample_refs) // 2]
    htmx = ', ["HX-Request"] = "true", ["HX-Target"] = "queue-table", ["HX-Current-URL"] = "/d/bench/cases"'

    def lua(body: str, extra: str = "") -> str:
        return LUA % {"refs": quoted, "per": PER_THREAD, "cookie": cookie, "extra": extra, "body": body}

    return {
        "queue page": ("/d/bench/cases", lua(READ % "/d/bench/cases")),
        "queue fragment": ("/d/bench/cases", lua(READ % "/d/bench/cases", htmx)),
        "case page": (f"/d/bench/cases/{case}", lua(READ % f"/d/bench/cases/{case}")),
        "transition POST": ("/d/bench/cases", lua(WRITE % csrf)),
    }


def check(server: Server, cookie: str, path: str, headers: dict[str, str] | None = None) -> None:
    """One request before measuring: it must answer 200 with the rows."""
    request = urllib.request.Request(f"{server.base}{path}", headers={"Cookie": cookie, **(headers or {})})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read().decode()
    if "BN-B-" not in body:
        raise RuntimeError(f"{path} did not show cases: {body[:500]}")


def measure(server: Server, seeded: Seeded, cookie: str, csrf: str, floor: bool, seconds: int, work: Path) -> dict:
    check(server, cookie, "/d/bench/cases")
    check(server, cookie, "/d/bench/cases", {"HX-Request": "true", "HX-Target": "queue-table"})
    results = {}
    for name, (path, script) in scripts(seeded, cookie, csrf, floor).items():
        tag = ("floor-" if floor else "app-") + name.replace(" ", "-")
        results[name] = run_wrk(server.base + path, script, seconds, work, tag)
        r = results[name]
        say(
            f"    {'floor' if floor else 'app  '} {name:16} median {r['median']:7.2f} ms  p99 {r['p99']:8.2f} ms"
            f"  {r['rate']:7.0f} req/s  ({int(r['n'])} requests, {int(r['bad'])} not 2xx/3xx)"
        )
    return results


async def prepare(backend: str, n: int, work: Path, pg: PostgresServer | None) -> tuple[str, Seeded]:
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
    return url, await seed(url, n, THREADS * PER_THREAD)


def bench(backend: str, n: int, seconds: int, work: Path, pg: PostgresServer | None) -> None:
    say(f"== {backend}, {n:,} cases: seeding …")
    started = time.perf_counter()
    url, seeded = asyncio.run(prepare(backend, n, work, pg))
    say(f"   seeded in {time.perf_counter() - started:.0f} s")
    var = work / f"var-{backend}-{n}"
    var.mkdir()
    env = {"SANSHE_DATABASE_URL": url, "SANSHE_VAR_DIR": str(var), "SANSHE_PLUGINS": "", "SANSHE_WORKERS": "2"}
    port = free_port()
    app = start(
        [str(ROOT / ".venv/bin/sanshe"), "run", "--workers", "2", "--port", str(port)], env, port, work / "app.log"
    )
    try:
        cookie, csrf = login(app.base, seeded.user, seeded.password)
        say(f"   app (sanshe run --workers 2) on 127.0.0.1:{port}, logged in")
        app_results = measure(app, seeded, cookie, csrf, False, seconds, work)
    finally:
        app.stop()
    floor_env = {
        "BENCH_DATABASE_URL": url,
        "BENCH_DISTRICT_ID": str(seeded.district_id),
        "BENCH_USER_ID": str(seeded.user_id),
        "BENCH_TEAMS": ",".join(str(t) for t in seeded.team_ids),
    }
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "bench.floor_app:create_app", "--factory", "--workers", "2"]
    floor = start([*argv, "--host", "127.0.0.1", "--port", str(port)], floor_env, port, work / "floor.log")
    try:
        say(f"   floor (uvicorn bench.floor_app --workers 2) on 127.0.0.1:{port}")
        floor_results = measure(floor, seeded, "x=1", "x", True, seconds, work)
    finally:
        floor.stop()
    RESULTS[(backend, n)] = {"app": app_results, "floor": floor_results}  # type: ignore[dict-item]
    report(backend, n)


def report(backend: str, n: int) -> None:
    app, floor = RESULTS[(backend, n)]["app"], RESULTS[(backend, n)]["floor"]
    say(f"-- {backend}, {n:,} cases (app / floor = ratio)")
    for name in app:
        a, f = app[name], floor[name]  # type: ignore[index]
        say(
            f"   {name:16} median {a['median']:.2f} / {f['median']:.2f} ms = {a['median'] / f['median']:.2f}x;"  # type: ignore[index]
            f"  p99 {a['p99']:.2f} / {f['p99']:.2f} ms = {a['p99'] / f['p99']:.2f}x;"  # type: ignore[index]
            f"  {a['rate']:.0f} / {f['rate']:.0f} req/s = {a['rate'] / f['rate']:.2f}x"  # type: ignore[index]
        )
    for name in ("queue page", "queue fragment"):
        ratio = app[name]["median"] / floor[name]["median"]  # type: ignore[index]
        verdict = "met" if ratio <= TARGET_QUEUE else "MISSED"
        say(f"   target {name} median <= {TARGET_QUEUE}x floor: {ratio:.2f}x {verdict}")
    ratio = app["transition POST"]["rate"] / floor["transition POST"]["rate"]  # type: ignore[index]
    say(
        f"   target writes >= {TARGET_WRITES}x floor rate: {ratio:.2f}x {'met' if ratio >= TARGET_WRITES else 'MISSED'}"
    )
    small = [k for k in RESULTS if k[0] == backend and k[1] < n]
    if small:
        base = RESULTS[min(small, key=lambda k: k[1])]["app"]
        for name in ("queue page", "queue fragment"):
            ratio = app[name]["median"] / base[name]["median"]  # type: ignore[index]
            verdict = "met" if ratio <= TARGET_SCALE else "MISSED"
            say(f"   target {name} median at {n:,} <= {TARGET_SCALE}x at {min(small)[1]:,}: {ratio:.2f}x {verdict}")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, action="append", help="cases to seed (repeatable) [10000]")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per measure")
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
                bench(backend, n, args.seconds, work, pg)
    finally:
        signal.alarm(0)
        if pg is not None:
            pg.stop()
        shutil.rmtree(work, ignore_errors=True)
        load = os.getloadavg()
        say(f"load average at the end {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


if __name__ == "__main__":
    main()
