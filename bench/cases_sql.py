"""What SQL the app sends for each request ``bench/cases_bench.py`` measures, and where its time goes.

Seeds a small bench district (``bench/cases_seed.py``) in a temporary SQLite file (or
PostgreSQL with ``--backend postgresql``), runs the app in this process
(``litestar.testing.TestClient``), logs in as the bench's social worker, makes each
measured request once to warm the caches, then once more while an engine event listener
records every statement, and prints them. ``--profile N`` then runs each request N times
under pyinstrument (``pip install pyinstrument`` in the venv; it is not a project
dependency) and prints the profile.

    .venv/bin/python bench/cases_sql.py                 # the statements
    .venv/bin/python bench/cases_sql.py --profile 200   # and a profile of each request
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from bench.cases_seed import seed  # noqa: E402
from core.testing.pgserver import PostgresServer  # noqa: E402

STATEMENTS: list[str] = []
RECORDING = [False]


def _record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
    if RECORDING[0]:
        STATEMENTS.append(" ".join(statement.split()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--profile", type=int, default=0, help="profile each request this many times")
    parser.add_argument("--width", type=int, default=220, help="characters shown of each statement")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cases-sql-"))
    pg = PostgresServer() if args.backend == "postgresql" else None
    try:
        if pg is not None:
            pg.start()
            url = pg.url("postgres")
        else:
            url = f"sqlite+aiosqlite:///{work / 'cases.db'}"
        seeded = asyncio.run(seed(url, args.cases, 2))
        asyncio.run(run(url, seeded, work, args))
    finally:
        if pg is not None:
            pg.stop()
        shutil.rmtree(work, ignore_errors=True)


async def run(url: str, seeded: Any, work: Path, args: argparse.Namespace) -> None:
    import httpx

    from core.app import create_app
    from core.config import Settings

    logging.getLogger("httpx").setLevel(logging.WARNING)
    settings = Settings(database_url=url, secret_key="bench", var_dir=work / "var", allowed_plugins=frozenset())
    app = create_app(settings)
    event.listen(Engine, "before_cursor_execute", _record)
    transport = httpx.ASGITransport(app=app)  # in this thread and loop, so the profiler sees the app
    async with app.lifespan(), httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
        page = (await client.get("/login")).text
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page)
        form = {"username": seeded.user, "password": seeded.password, "_csrf_token": token.group(1) if token else ""}
        queue = (await client.post("/login", data=form, follow_redirects=True)).text
        csrf = re.search(r'"x-csrftoken": "([^"]+)"', queue)
        assert csrf, "login failed"
        case = seeded.sample_refs[len(seeded.sample_refs) // 2]
        htmx = {"HX-Request": "true", "HX-Target": "queue-table", "HX-Current-URL": "/d/bench/cases"}
        refs = iter(seeded.fresh_app)
        keys = iter(["return_for_info", "info_supplied"] * 10_000)
        state = {"ref": next(refs)}

        async def post() -> Any:
            key = next(keys)
            response = await client.post(
                f"/d/bench/cases/{state['ref']}/transitions/{key}",
                data={"_csrf_token": csrf.group(1), "reason": "bench"},
                follow_redirects=False,
            )
            assert response.status_code in (200, 303), response.text[:500]
            return response

        measures = {
            "queue page": lambda: client.get("/d/bench/cases"),
            "queue fragment": lambda: client.get("/d/bench/cases", headers=htmx),
            "case page": lambda: client.get(f"/d/bench/cases/{case}"),
            "transition POST": post,
        }
        for name, fn in measures.items():
            await fn()
            STATEMENTS.clear()
            RECORDING[0] = True
            await fn()
            RECORDING[0] = False
            print(f"== {name}: {len(STATEMENTS)} statements")
            for s in STATEMENTS:
                print(f"   {s[: args.width]}")
        if args.profile:
            from pyinstrument import Profiler

            for name, fn in measures.items():
                profiler = Profiler(async_mode="disabled")
                profiler.start()
                for _ in range(args.profile):
                    await fn()
                profiler.stop()
                print(f"== profile: {name} x{args.profile}")
                print(profiler.output_text(unicode=False, color=False, show_all=False))


if __name__ == "__main__":
    main()
