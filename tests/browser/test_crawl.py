"""The page crawl: every demo role, every page it reaches, judged in Chromium at 1366 and 390 px.

Each role of the demo district (the core's and every plugin's, found in the demo database, so
a new module's roles and pages are crawled from the day it lands) logs in through the form
and opens every page reachable from the start page plus every parameterless page of the
route table. What a page must be is in :mod:`core.testing.crawl`. Pages a role may not open
answer 403 or 404 as an error page (tests/test_authorization_matrix.py lists who may open
what); anything else is a failure. A page whose content another role's crawl has judged
already is fetched, not opened again (core.testing.crawl). Run it alone with ``make crawl``.
"""

from __future__ import annotations

import re
import sqlite3
from typing import TYPE_CHECKING

import pytest

from core.app import create_app
from core.config import Settings
from core.testing.crawl import SKIP_PATH, JudgedContent, crawl
from core.testing.suite import run_folder

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Browser

pytestmark = [pytest.mark.browser, pytest.mark.crawl, pytest.mark.timeout(1500)]

DISTRICT = "haishu"
PASSWORD = "sanshe-demo"
NOT_PAGES = re.compile(r"^/(api|schema|static|healthz|logout|lang|switch-district)\b|/(export|download|qr|pdf)\b")
# The district in a route's path (``/d/{district_code:str}/…``). Until 2026-12-07 the crawl
# replaced ``{district:str}``, which no route uses: the route table's district pages were
# never added, only those reachable by links.
DISTRICT_PARAM = re.compile(r"\{district(?:_code)?:str\}")
# Route-table pages a role may be refused: an error page, not a failure.
REFUSED = (403, 404)


def _demo_users(database: Path) -> dict[str, str]:
    """One demo user per role of the demo district (first by username), and the platform admin."""
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT m.role_key, min(u.username) FROM memberships m JOIN users u ON u.id = m.user_id "
            "JOIN districts d ON d.id = m.district_id WHERE d.code = ? GROUP BY m.role_key",
            (DISTRICT,),
        ).fetchall()
        admin = db.execute("SELECT min(username) FROM users WHERE is_platform_admin").fetchone()[0]
    users = dict(rows)
    users["platform_admin"] = admin
    return users


def _route_pages(live_workdir: Path) -> list[str]:
    """Every parameterless GET page of the app (``{district}`` filled in)."""
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{live_workdir / 'demo.db'}", secret_key="x", var_dir=live_workdir / "var"
    )
    pages = set()
    for route in create_app(settings).routes:
        if "GET" not in getattr(route, "methods", ()):
            continue
        path = DISTRICT_PARAM.sub(DISTRICT, route.path)
        if "{" in path or NOT_PAGES.search(path) or SKIP_PATH.search(path):
            continue
        pages.add(path)
    return sorted(pages)


@pytest.fixture(scope="module")
def demo(live_server: str, live_workdir: Path) -> tuple[str, dict[str, str], list[str]]:
    return live_server, _demo_users(live_workdir / "demo.db"), _route_pages(live_workdir)


SHARDS = 2  # the roles are split over this many tests, which xdist may run on different workers


def _judged(tmp_path_factory: pytest.TempPathFactory, locale: str) -> JudgedContent:
    """The contents judged in ``locale`` by this run's crawl tests, on every xdist worker (each judged once)."""
    return JudgedContent(run_folder(tmp_path_factory) / f"crawl-judged-{locale}")


def _run(
    browser: Browser,
    demo: tuple[str, dict[str, str], list[str]],
    judged: JudgedContent,
    locale: str,
    roles: list[str] | None,
    shard: int = 0,
    shards: int = 1,
) -> None:
    base, users, route_pages = demo
    failures = []
    counts = []
    for i, (role, username) in enumerate(sorted(users.items())):
        if (roles is not None and role not in roles) or i % shards != shard:
            continue
        start = "/" if role == "platform_admin" else f"/d/{DISTRICT}/"
        report = crawl(
            browser,
            base,
            username,
            PASSWORD,
            start=start,
            locale=locale,
            extra_paths=route_pages,
            max_pages=45 + len(route_pages),
            allowed_status=REFUSED,
            judged=judged,
        )
        counts.append(f"{role} ({username}): {len(report.visited)} pages, {len(report.opened)} opened")
        failures += report.findings
    print(f"crawl {locale}: " + "; ".join(counts))  # noqa: T201 - the crawl's counts, for the closing note
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(str(f) for f in failures)


@pytest.mark.parametrize(
    "shard",
    [
        pytest.param(n, id=f"roles-{n + 1}-of-{SHARDS}", marks=pytest.mark.xdist_group(f"crawl-{n}"))
        for n in range(SHARDS)
    ],
)
def test_every_role_every_page_in_chinese(
    browser: Browser, demo: tuple[str, dict[str, str], list[str]], tmp_path_factory: pytest.TempPathFactory, shard: int
) -> None:
    """Every role's pages, in Chinese, at desktop and phone size: HTML, no errors, no raw keys, no overflow."""
    _run(browser, demo, _judged(tmp_path_factory, "zh-CN"), "zh-CN", None, shard, SHARDS)


@pytest.mark.xdist_group("crawl-1")
def test_staff_pages_in_english(
    browser: Browser, demo: tuple[str, dict[str, str], list[str]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Staff and administrators' pages in English show none of the interface's Chinese strings."""
    _run(
        browser,
        demo,
        _judged(tmp_path_factory, "en-US"),
        "en-US",
        ["district_admin", "community_worker", "social_worker"],
    )
