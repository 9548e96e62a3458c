"""The crawl's bookkeeping (core.testing.crawl): which pages count as already judged, and which links a page offers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.testing.crawl import JudgedContent, _shape, content_digest, links_of

if TYPE_CHECKING:
    from pathlib import Path

PAGE = """<html><body hx-headers='{{"x-csrftoken": "{token}"}}'><nav><a href="/d/haishu/">首页</a></nav>
<main id="main"><h1>{title}</h1><form><input type="hidden" name="_csrf_token" value="{token}">
<input type="hidden" name="_form_token" value="{form}"></form>
<a href="cases/HS-1">一件</a><a href="/export.xlsx" download>导出</a>
<div hidden><a href="/secret">藏着</a><br><span>…</span></div><a href="?page=2">下一页</a></main></body></html>"""


def test_the_same_content_for_two_users_differs_only_in_the_csrf_and_form_tokens() -> None:
    """Two users' copies of a page (each with its own CSRF token, each form with its own idempotency
    token) are one content; another title is another."""
    first = content_digest(PAGE.format(token="a" * 43, form="f" * 24, title="个案"))
    assert first is not None
    assert content_digest(PAGE.format(token="b" * 43, form="g" * 24, title="个案")) == first
    assert content_digest(PAGE.format(token="a" * 43, form="f" * 24, title="居民")) != first
    assert content_digest("<html><body>没有主要内容</body></html>") is None


def test_each_content_is_claimed_once_across_processes_sharing_a_folder(tmp_path: Path) -> None:
    """Two crawls in different processes (two instances on one folder): only the first judges a content."""
    one, other = JudgedContent(tmp_path / "zh"), JudgedContent(tmp_path / "zh")
    assert one.claim("d1") is True
    assert one.claim("d1") is False
    assert other.claim("d1") is False
    assert other.claim("d2") is True
    assert JudgedContent().claim("d1") is True  # in memory: its own


def test_links_of_a_fetched_page_are_those_a_person_can_follow() -> None:
    """Downloads and links inside hidden elements are left out, as in Chromium; relative links are resolved."""
    links = links_of(PAGE.format(token="t", form="f", title="个案"), "http://127.0.0.1:8000/d/haishu/cases")
    assert links == [
        "http://127.0.0.1:8000/d/haishu/",
        "http://127.0.0.1:8000/d/haishu/cases/HS-1",
        "http://127.0.0.1:8000/d/haishu/cases?page=2",
    ]


def test_a_title_holding_markup_or_none_is_a_finding() -> None:
    """A page whose <title> swallowed a section (a block left open in its template) is reported, as is no title."""
    from core.testing.crawl import title_problems

    assert title_problems("统计报表 · 三社") == []
    assert title_problems("") == ["the page has no title"]
    swallowed = '统计报表<section id="ow-escalations">\n  <h2>三级响应</h2>'
    assert title_problems(swallowed)[0].startswith("the title holds markup or runs on")
    assert title_problems("报" * 121) != []


def test_a_list_in_another_order_or_page_is_the_same_kind_of_page() -> None:
    """Sorting or paging a list does not make a new kind of page; filtering it does, and ids do not."""
    assert _shape("/d/haishu/cases", "sort=due") == _shape("/d/haishu/cases", "") == _shape("/d/haishu/cases", "page=2")
    assert _shape("/d/haishu/cases", "scope=mine&sort=-due") == _shape("/d/haishu/cases", "scope=team")
    assert _shape("/d/haishu/cases", "scope=mine") != _shape("/d/haishu/cases", "")
    assert _shape("/d/haishu/cases/HS-2026-000001", "") == _shape("/d/haishu/cases/HS-2026-000002", "")
