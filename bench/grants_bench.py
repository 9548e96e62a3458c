"""Grants benchmark: the ranking page of a call with 500 applications × 5 reviews, against a floor.

    .venv/bin/python bench/grants_bench.py                                   # SQLite and PostgreSQL
    .venv/bin/python bench/grants_bench.py --backend sqlite --requests 20    # quick

**Data.** A fresh database (``upgrade_all``), the district ``bench`` (``make_district``: its
roles and defaults), the plugin ``grants`` enabled, one staff user (``district_admin``), 25
reviewers (``expert``), 100 organizations; one call with two categories and five criteria
(one allowing n/a); ``--applications`` screened applications (default 500), each assigned to
``--reviews`` reviewers (default 5, round robin) with a submitted review scoring every criterion
(a reviewer-dependent bias, so the normalised score differs from the raw one; every seventh n/a).

**App.** ``GET /d/bench/grants/calls/{id}/ranking`` through the whole app (``core.app.create_app``,
session cookie, CSRF, district, Casbin, plugin enablement, the ORM, the page's chrome), logged in
as the staff user, in-process (``litestar.testing.TestClient``) — no network, so both sides pay
the same for HTTP.

**Floor.** A bare Litestar app (no auth, no sessions, no RBAC, no ORM objects) with one handler
doing the same SQL as the page's data statements with SQLAlchemy Core on an engine made by
``core.db.create_engine`` (same driver and settings): the call, its categories and criteria;
the submitted reviews' scores; the call's ranked applications; the organizations' names (one
query); the progress per reviewer; the reviewers — then the same scoring (the plugin's pure
functions ``review_score``, ``raw_scores``, ``normalised_scores``) and an HTML table of the
same rows and columns rendered by Jinja. Measured the same way, in the same process.

Each round times ``--requests`` requests to each side (alternating: app, floor, app …) after a
warm-up; the figure is the median latency; the ratio app / floor of each round is printed, and
the median over ``--rounds``.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jinja2 import Environment
from litestar import Litestar, get
from litestar.response import Response
from litestar.testing import TestClient
from sqlalchemy import select

from core.app import create_app
from core.config import Settings
from core.db import create_engine, for_district, session_factory, utcnow
from core.models import Membership, User
from core.models.organizations import Organization, OrgKind, RegisteredType
from core.plugins import PluginHost
from core.plugins.migrations import upgrade_all
from core.services.enablement import enable_plugin
from core.testing.factories import make_district, make_user
from plugins.grants.models import Application, Assignment, Call, Category, Criterion, Review
from plugins.grants.scoring import Scored, normalised_scores, raw_scores, review_score

PASSWORD = "bench-password-1"
CRITERIA = (("公益性", 30, 0, 10, False), ("创新性", 20, 0, 10, True), ("实践性", 20, 0, 10, False),
            ("影响力", 15, 0, 5, False), ("执行力", 15, 60, 100, False))  # fmt: skip


def say(text: str) -> None:
    print(text, flush=True)


async def seed(url: str, applications: int, per_app: int) -> tuple[int, int]:
    """The bench district and its call; returns (district id, call id)."""
    await upgrade_all(url, host=PluginHost.load(None, entry_points=False))
    engine = create_engine(url)
    async with session_factory(engine)() as session:
        district = await make_district(session, "bench", "基准区", name_en="Bench")
        await enable_plugin(session, district, PluginHost.load(None, entry_points=False), "grants")
        await make_user(session, "bench-staff", district=district, roles=("district_admin",), password=PASSWORD)
        reviewers = [
            await make_user(session, f"bench-r{i:02d}", district=district, roles=("expert",)) for i in range(25)
        ]
        for_district(session, district.id)
        orgs = [
            Organization(
                district_id=district.id,
                name=f"基准社会组织{i:03d}",
                kind=OrgKind.REGISTERED,
                registered_type=RegisteredType.SOCIAL_SERVICE,
            )
            for i in range(100)
        ]
        session.add_all(orgs)
        now = utcnow()
        call = Call(
            title="基准公益创投大赛",
            budget_fen=2_000_000_000,
            min_grant_fen=1_000_000,
            max_grant_fen=20_000_000,
            allowed_kinds=["registered"],
            opens_at=now - timedelta(days=60),
            closes_at=now - timedelta(days=30),
            ranking="normalised",
            reviewers_per_application=per_app,
            categories=[Category(position=0, name="为老服务"), Category(position=1, name="青少年成长")],
            criteria=[
                Criterion(position=i, name=n, weight=w, min_score=lo, max_score=hi, allow_na=na)
                for i, (n, w, lo, hi, na) in enumerate(CRITERIA)
            ],
        )
        session.add(call)
        await session.flush()
        apps = [
            Application(
                call_id=call.id,
                organization_id=orgs[i % len(orgs)].id,
                category_id=call.categories[i % 2].id,
                title=f"基准项目{i:04d}",
                summary="每周两次活动",
                requested_fen=5_000_000 + i * 1000,
                own_contribution_fen=1_000_000,
                status="screened",
                submitted_at=now - timedelta(days=40),
            )
            for i in range(applications)
        ]
        session.add_all(apps)
        await session.flush()
        rows: list[Any] = []
        for i, app in enumerate(apps):
            for k in range(per_app):
                reviewer = reviewers[(i + k * 5) % len(reviewers)]
                bias = (reviewer.id % 5) - 2
                scores = {}
                for j, c in enumerate(call.criteria):
                    if c.allow_na and (i + k) % 7 == 0:
                        scores[str(c.id)] = None
                    else:
                        span = c.max_score - c.min_score
                        scores[str(c.id)] = c.min_score + max(0, min(span, (i * 7 + j * 3 + k) % (span + 1) + bias))
                rows.append(Assignment(application_id=app.id, reviewer_id=reviewer.id))
                rows.append(
                    Review(
                        application_id=app.id,
                        reviewer_id=reviewer.id,
                        scores=scores,
                        comments={},
                        submitted_at=now - timedelta(days=35),
                    )
                )
        session.add_all(rows)
        await session.commit()
        ids = district.id, call.id
    await engine.dispose()
    return ids


FLOOR_PAGE = Environment(autoescape=True).from_string(
    """<!doctype html><html><head><title>Ranking</title></head><body><h1>{{ title }}</h1>
<table><thead><tr><th>Rank</th><th>Project</th><th>Organization</th><th>Requested</th><th>Normalised</th><th>Raw</th>
<th>Reviews</th></tr></thead><tbody>
{% for r in rows %}<tr><td>{{ r[0] }}</td><td><a href="/d/bench/grants/applications/{{ r[1] }}">{{ r[2] }}</a></td>
<td>{{ r[3] }}</td><td>¥{{ r[4] }}</td><td>{{ r[5] }}</td><td>{{ r[6] }}</td><td>{{ r[7] }}</td></tr>{% endfor %}
</tbody></table><h2>Progress</h2><table><tbody>
{% for name, done, assigned in progress %}
<tr><td>{{ name }}</td><td>{{ done }}</td><td>{{ assigned }}</td></tr>{% endfor %}
</tbody></table></body></html>"""
)


def floor_app(url: str, district_id: int) -> Litestar:
    """The floor: the page's SQL with SQLAlchemy Core, the same scoring, a plain HTML table."""
    engine = create_engine(url)
    calls, cats, crits = Call.__table__, Category.__table__, Criterion.__table__
    apps, reviews, assigns = Application.__table__, Review.__table__, Assignment.__table__
    orgs, users, members = Organization.__table__, User.__table__, Membership.__table__

    @get("/d/bench/grants/calls/{call_id:int}/ranking")
    async def ranking(call_id: int) -> Response[str]:
        async with engine.connect() as db:
            call = (
                await db.execute(select(calls).where(calls.c.id == call_id, calls.c.district_id == district_id))
            ).one()
            await db.execute(select(cats).where(cats.c.call_id == call_id).order_by(cats.c.position))
            criteria = (
                await db.execute(select(crits).where(crits.c.call_id == call_id).order_by(crits.c.position))
            ).all()
            scored = []
            query = (
                select(reviews.c.application_id, reviews.c.reviewer_id, reviews.c.scores)
                .join(apps, apps.c.id == reviews.c.application_id)
                .where(
                    apps.c.call_id == call_id, reviews.c.submitted_at.is_not(None), apps.c.district_id == district_id
                )
            )
            for app_id, reviewer_id, scores in (await db.execute(query)).all():
                score = review_score(criteria, scores or {})
                if score is not None:
                    scored.append(Scored(app_id, reviewer_id, score))
            raw, norm = raw_scores(scored), normalised_scores(scored)
            counts: dict[int, int] = {}
            for s in scored:
                counts[s.application_id] = counts.get(s.application_id, 0) + 1
            ranked = (
                await db.execute(
                    select(apps).where(
                        apps.c.call_id == call_id,
                        apps.c.district_id == district_id,
                        apps.c.status.in_(("screened", "approved", "rejected")),
                    )
                )
            ).all()
            key = norm if call.ranking == "normalised" else raw
            ranked.sort(key=lambda a: (a.id not in key, -key.get(a.id, 0.0), a.id))
            wanted = {a.organization_id for a in ranked}
            names = dict((await db.execute(select(orgs.c.id, orgs.c.name).where(orgs.c.id.in_(wanted)))).tuples().all())
            progress_rows = (
                await db.execute(
                    select(assigns.c.reviewer_id, assigns.c.application_id, reviews.c.submitted_at)
                    .join(apps, apps.c.id == assigns.c.application_id)
                    .outerjoin(
                        reviews,
                        (reviews.c.application_id == assigns.c.application_id)
                        & (reviews.c.reviewer_id == assigns.c.reviewer_id),
                    )
                    .where(apps.c.call_id == call_id, assigns.c.conflict == "", apps.c.district_id == district_id)
                )
            ).all()
            reviewer_names = dict(
                (
                    await db.execute(
                        select(users.c.id, users.c.display_name)
                        .join(members, members.c.user_id == users.c.id)
                        .where(members.c.role_key == "expert", members.c.district_id == district_id)
                        .distinct()
                    )
                )
                .tuples()
                .all()
            )
        per_reviewer: dict[int, list[int]] = {}
        for reviewer_id, _app_id, submitted in progress_rows:
            c = per_reviewer.setdefault(reviewer_id, [0, 0])
            c[0] += submitted is not None
            c[1] += 1
        progress = sorted((reviewer_names.get(r, ""), c[0], c[1]) for r, c in per_reviewer.items())
        rows = [
            (
                i + 1,
                a.id,
                a.title,
                names.get(a.organization_id, ""),
                f"{a.requested_fen / 100:,.2f}",
                f"{norm[a.id]:.2f}" if a.id in norm else "–",
                f"{raw[a.id]:.2f}" if a.id in raw else "–",
                counts.get(a.id, 0),
            )
            for i, a in enumerate(ranked)
        ]
        html = FLOOR_PAGE.render(title=call.title, rows=rows, progress=progress)
        return Response(html, media_type="text/html")

    return Litestar([ranking], on_shutdown=[engine.dispose])


def timed(client: TestClient[Any], path: str, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        answer = client.get(path)
        samples.append(time.perf_counter() - start)
        assert answer.status_code == 200, answer.text[:300]
    return samples


def bench(backend: str, url: str, args: argparse.Namespace, work: Path) -> None:
    say(f"\n== {backend}: seeding {args.applications} applications × {args.reviews} reviews …")
    started = time.perf_counter()
    district_id, call_id = asyncio.run(seed(url, args.applications, args.reviews))
    say(f"   seeded in {time.perf_counter() - started:.1f} s")
    settings = Settings(database_url=url, secret_key="bench-secret-key-0123456789abcdef", var_dir=work)
    path = f"/d/bench/grants/calls/{call_id}/ranking"
    app = create_app(settings, plugin_host=PluginHost.load(None, entry_points=False))
    with TestClient(app) as client, TestClient(floor_app(url, district_id)) as floor:
        page = client.get("/login")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        answer = client.post(
            "/login",
            data={"username": "bench-staff", "password": PASSWORD, "_csrf_token": token.group(1)},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text[:300]
        first = client.get(path)
        assert first.status_code == 200 and f"基准项目{0:04d}" in first.text, first.text[:500]
        rows_app = first.text.count("/grants/applications/")
        rows_floor = floor.get(path).text.count("/grants/applications/")
        say(f"   rows on the page: app {rows_app}, floor {rows_floor}; page size app {len(first.content)} B")
        timed(client, path, 3)
        timed(floor, path, 3)
        ratios, app_ms, floor_ms = [], [], []
        for r in range(args.rounds):
            a, f = [], []
            for _ in range(args.requests):
                a += timed(client, path, 1)
                f += timed(floor, path, 1)
            ma, mf = statistics.median(a) * 1000, statistics.median(f) * 1000
            app_ms.append(ma)
            floor_ms.append(mf)
            ratios.append(ma / mf)
            say(f"   round {r + 1}: app {ma:.1f} ms, floor {mf:.1f} ms, ratio {ma / mf:.2f}×")
        say(
            f"   {backend}: median app {statistics.median(app_ms):.1f} ms, floor {statistics.median(floor_ms):.1f} ms,"
            f" ratio {statistics.median(ratios):.2f}×"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--applications", type=int, default=500)
    parser.add_argument("--reviews", type=int, default=5)
    parser.add_argument("--requests", type=int, default=15, help="requests per side in a round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="grants-bench-"))
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    pg = None
    try:
        for backend in backends:
            if backend == "postgresql":
                import asyncpg

                from core.testing.pgserver import PostgresServer

                pg = PostgresServer()
                pg.start()

                async def create(server: PostgresServer) -> None:
                    admin = await asyncpg.connect(server.dsn())
                    await admin.execute('CREATE DATABASE "grants_bench"')
                    await admin.close()

                asyncio.run(create(pg))
                url = pg.url("grants_bench")
            else:
                url = f"sqlite+aiosqlite:///{work / 'grants.db'}"
            bench(backend, url, args, work)
    finally:
        if pg is not None:
            pg.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
