"""Bad input never gets a 500 and changes nothing (issue 12, part 1).

Every request below was answered 500 (or silently stored) before the input gate
(``core/web/inputs.py``) and the text limits (``core/db/limits.py``): numbers beyond 64 bits
in paths, queries, JSON and forms; non-numeric ids in forms; NUL characters in text; JSON
that is not UTF-8 or nested 5,000 deep; uploads without a file or with CR/LF in the name;
text longer than its column; unknown JSON fields. Each now answers 400/404 with a message
in Chinese (English when asked) and no table gains or loses a row.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from core.auth.tokens import create_token
from core.db import create_engine, session_factory
from core.db.base import Base
from core.demo import DEMO_PASSWORD, seed_demo
from core.models import Case, OrgUnit, User
from core.plugins import PluginHost
from plugins.consultation_council.models import Council, Meeting
from plugins.notices.models import Notice
from plugins.time_bank.models import Activity, Bank
from tests.conftest import csrf_of, login

HUGE = "9223372036854775808"  # 2**63: one past the largest 64-bit integer
API = "/api/v1/districts/haishu"


# One demo-seeded database per backend and process, shared by the tests of this file: each
# proves it changes nothing, so none can disturb another (seeding costs ~10 s a test).
_SEEDED: dict[str, tuple[str, dict[str, Any]]] = {}


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path_factory: Any, _sanshe_databases: Any) -> str:
    """The shared demo database of this backend (see ``_SEEDED``), seeded on first use."""
    if backend not in _SEEDED:
        if backend != "sqlite":
            request.getfixturevalue("postgres_server")
        kind = "sqlite" if backend == "sqlite" else "postgresql"
        host = request.getfixturevalue("all_plugins_host")
        url = _sanshe_databases.create(kind, host, tmp_path_factory.mktemp("bad"))
        _SEEDED[backend] = (url, _seed_demo(url))
    return _SEEDED[backend][0]


@pytest.fixture
def demo(backend: str, database_url: str) -> dict[str, Any]:
    """The demo district, a district admin's API token and the ids of a few of its rows."""
    return _SEEDED[backend][1]


def _seed_demo(url: str) -> dict[str, Any]:
    async def run(session: Any) -> dict[str, Any]:
        district = (await seed_demo(session, PluginHost.load(None))).district
        admin = (await session.execute(select(User).where(User.username == "district-admin"))).scalar_one()
        token, _ = await create_token(session, admin, district.id, "bad input")

        async def first(model: Any) -> Any:
            return (await session.execute(select(model).order_by(model.id).limit(1))).scalar_one()

        case = await first(Case)
        return {
            "token": token,
            "case": case.reference,
            "notice": (await first(Notice)).id,
            "meeting": (await first(Meeting)).id,
            "council": (await first(Council)).id,
            "bank": (await first(Bank)).id,
            "activity": (await first(Activity)).id,
            "unit": (await first(OrgUnit)).id,
        }

    async def main() -> dict[str, Any]:
        engine = create_engine(url)
        try:
            async with session_factory(engine)() as session:
                found = await run(session)
                await session.commit()
                return found
        finally:
            await engine.dispose()

    return asyncio.run(main())


def row_counts(url: str) -> dict[str, int]:
    """How many rows each table holds."""

    async def count() -> dict[str, int]:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                return {
                    name: (await conn.execute(select(func.count()).select_from(table))).scalar_one()
                    for name, table in Base.metadata.tables.items()
                }
        finally:
            await engine.dispose()

    return asyncio.run(count())


def bearer(demo: dict[str, Any], **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo['token']}", **extra}


def refused(response: Any, *codes: int) -> str:
    """Assert a 4xx answer with a message (no 5xx) and return the message."""
    assert response.status_code in (codes or (400,)), (response.status_code, response.text[:500])
    if response.headers.get("content-type", "").startswith("application/json"):
        return str(response.json()["detail"])
    return response.text


def api_requests(demo: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], str]]:
    """(method, path, request kwargs, what the answer must say in Chinese) of every API case."""
    nul = "标题\x00"
    return [
        # numbers beyond 64 bits: path (404), query and JSON (400)
        ("GET", f"{API}/notices/{HUGE}", {}, "未找到"),
        ("PATCH", f"{API}/notices/{HUGE}", {"json": {"title": "x"}}, "未找到"),
        ("GET", f"{API}/org-units/{HUGE}", {}, "未找到"),
        ("GET", f"{API}/cases?team={HUGE}", {}, "超出允许范围"),
        ("POST", f"{API}/cases/{demo['case']}/assign", {"json": {"assignee_id": int(HUGE)}}, "超出允许范围"),
        ("POST", f"{API}/time-bank/activities", {"json": {"bank_id": int(HUGE) * 10}}, "超出允许范围"),
        ("POST", f"{API}/memberships", {"json": {"role": "worker", "org_unit_id": -int(HUGE) - 1}}, "超出允许范围"),
        # NUL characters in any text
        ("POST", f"{API}/cases/{demo['case']}/comments", {"json": {"text": nul}}, "空字符"),
        ("POST", f"{API}/notices", {"json": {"title": nul, "body": "正文"}}, "空字符"),
        ("PATCH", f"{API}/notices/{demo['notice']}", {"json": {"title": nul}}, "空字符"),
        ("POST", f"{API}/queues", {"json": {"label_zh": nul}}, "空字符"),
        ("POST", f"{API}/time-bank/offers", {"json": {"bank_id": demo["bank"], "description": nul}}, "空字符"),
        ("POST", f"{API}/council/topics", {"json": {"council_id": demo["council"], "title": nul}}, "空字符"),
        (
            "POST",
            f"{API}/users",
            {"json": {"username": "ab", "password": "x" * 9, "role": "w", "display_name": nul}},
            "空字符",
        ),
        ("GET", f"{API}/cases?q=a%00b", {}, "空字符"),
        # JSON that is not UTF-8, or nested 5,000 deep
        (
            "POST",
            f"{API}/notices",
            {"content": b'{"title": "\xff\xfe"}', "headers": {"content-type": "application/json"}},
            "不是有效的 JSON",
        ),
        (
            "POST",
            f"{API}/queues",
            {"content": b"[" * 5000 + b"]" * 5000, "headers": {"content-type": "application/json"}},
            "不是有效的 JSON",
        ),
        (
            "POST",
            f"{API}/cases/{demo['case']}/comments",
            {
                "content": b'{"text": ' + b"[" * 5000 + b"]" * 5000 + b"}",
                "headers": {"content-type": "application/json"},
            },
            "JSON",
        ),
        # unknown fields, on the core's writes and every plugin's
        ("POST", f"{API}/cases/{demo['case']}/comments", {"json": {"text": "好", "colour": "red"}}, "未知字段：colour"),
        ("POST", f"{API}/queues", {"json": {"label_zh": "队列", "owner": 1}}, "未知字段：owner"),
        ("POST", f"{API}/notices", {"json": {"title": "标题", "body": "正文", "author": "x"}}, "未知字段：author"),
        (
            "POST",
            f"{API}/time-bank/activities",
            {"json": {"bank_id": demo["bank"], "title": "活动", "price": 1}},
            "未知字段：price",
        ),
        (
            "POST",
            f"{API}/council/topics",
            {"json": {"council_id": demo["council"], "title": "议题", "votes": 9}},
            "未知字段：votes",
        ),
        # text longer than its column (a 200,000-character activity title was stored)
        (
            "POST",
            f"{API}/time-bank/activities",
            {
                "json": {
                    "bank_id": demo["bank"],
                    "title": "长" * 200_000,
                    "hours": "2",
                    "starts_at": "2030-01-01T09:00",
                    "capacity": 5,
                }
            },
            "最多",
        ),
        ("POST", f"{API}/notices", {"json": {"title": "长" * 201, "body": "正文"}}, "最多"),
        # multipart uploads without a file part, or with CR/LF in the file name
        (
            "POST",
            f"{API}/cases/{demo['case']}/attachments",
            {"data": {"note": "no file"}, "files": {"x": ("", b"")}},
            "请选择要上传的文件",
        ),
        (
            "POST",
            f"{API}/cases/{demo['case']}/attachments",
            {"files": {"file": ("a\r\nb.txt", b"hello", "text/plain")}},
            "文件名",
        ),
    ]


def test_bad_api_input_is_refused_with_a_message_and_writes_nothing(client, demo, database_url):
    """Each bad API request answers 400/404 with a clear Chinese message; no table changes."""
    before = row_counts(database_url)
    for method, path, options, says in api_requests(demo):
        kwargs = dict(options)
        headers = bearer(demo, **kwargs.pop("headers", {}))
        response = client.request(method, path, headers=headers, **kwargs)
        message = refused(response, 400, 404)
        assert says in message, (method, path, message)
    assert row_counts(database_url) == before


def test_the_notice_a_refused_patch_names_keeps_its_title(client, demo, seed):
    """A PATCH refused for a NUL character leaves the notice as it was."""

    async def title(session: Any) -> str:
        return str((await session.get(Notice, demo["notice"])).title)

    was = seed(title)
    response = client.patch(f"{API}/notices/{demo['notice']}", json={"title": "新\x00"}, headers=bearer(demo))
    refused(response)
    assert seed(title) == was


def test_refusals_are_in_english_when_the_client_asks(client, demo):
    """Accept-Language: en gets the same refusals in English."""
    english = bearer(demo, **{"Accept-Language": "en"})
    response = client.post(f"{API}/notices", json={"title": "a\x00", "body": "b"}, headers=english)
    assert "NUL character" in refused(response)
    response = client.post(f"{API}/queues", json={"label_zh": "q", "owner": 1}, headers=english)
    assert "Unknown field: owner" in refused(response)
    response = client.get(f"{API}/cases?team={HUGE}", headers=english)
    assert "out of range" in refused(response)


def page_requests(demo: dict[str, Any]) -> list[tuple[str, dict[str, str], str]]:
    """(path, form fields, what the answer must say) of every HTML form case."""
    room = f"/d/haishu/council/admin/meetings/{demo['meeting']}"
    return [
        (room, {"do": "up", "item_id": HUGE}, "表单中有无效的选项"),
        (room, {"do": "add", "topic_id": "abc"}, "表单中有无效的选项"),
        (room, {"do": "sign_in", "attendee_id": "x1"}, "表单中有无效的选项"),
        ("/d/haishu/council/admin/councils", {"name": "居民议事会", "org_unit_id": HUGE}, "表单中有无效的选项"),
        ("/d/haishu/notices", {"title": "标题\x00", "body": "正文"}, "空字符"),
    ]


def test_bad_form_input_is_refused_with_a_message_and_writes_nothing(client, demo, database_url):
    """Each bad form post answers 400 with a message on the error page; no table changes."""
    login(client, "district-admin", DEMO_PASSWORD)
    token = csrf_of(client, "/d/haishu/notices/new")
    before = row_counts(database_url)
    for path, fields, says in page_requests(demo):
        response = client.post(path, data={**fields, "_csrf_token": token}, follow_redirects=False)
        assert response.status_code == 400, (path, response.status_code, response.text[:300])
        assert says in response.text, (path, response.text[:500])
    assert row_counts(database_url) == before
