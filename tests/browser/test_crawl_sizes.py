"""The crawl's page checks on a tiny app (core.testing.crawl): both sizes, and form fields in grids.

The crawl leaves a page at the size it judged last and opens the next one there, so
pages alternate between opening at desktop and at phone size. A tiny app serves pages
that scroll sideways only on a phone and only on a desktop; the crawl must report each
of them at the size it overflows, and nothing at the other. A field written bare in a
``.grid`` (its label, control and hint each a column) is found; a wrapped one is not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from litestar import Litestar, MediaType, get, post
from litestar.response import Redirect

from core.testing.browser import serve
from core.testing.crawl import crawl

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

NAV = '<a href="#main">跳到内容</a><nav>{links}</nav>'
# Wider than a phone (390 px), narrower than a desktop (1366 px); and wider than both.
WIDE_FOR_PHONE = '<div style="width: 800px">宽</div>'
WIDE_FOR_DESKTOP = '<div style="width: 2000px">很宽</div>'
PAGES = {
    "/": "",
    "/a": WIDE_FOR_PHONE,
    "/b": WIDE_FOR_PHONE,
    "/c": "",
    "/d": WIDE_FOR_PHONE,
    "/e": WIDE_FOR_DESKTOP,
}


def _html(title: str, body: str) -> str:
    links = "".join(f'<a href="{path}">{path}</a>' for path in PAGES)
    return (
        f"<!doctype html><html lang='zh-CN'><head><title>{title}</title><style>body{{margin:0}}</style></head>"
        f"<body>{NAV.format(links=links)}<main id='main'><h1>{title}</h1>{body}</main></body></html>"
    )


@get("/login", media_type=MediaType.HTML, sync_to_thread=False)
def login_form() -> str:
    return _html(
        "登录",
        '<form method="post" action="/login"><label>用户名 <input name="username"></label>'
        '<label>密码 <input name="password" type="password"></label><button type="submit">登录</button></form>',
    )


@post("/login", status_code=303, sync_to_thread=False)
def login() -> Redirect:
    return Redirect("/")


def _page(path: str, body: str) -> object:
    @get(path, media_type=MediaType.HTML, sync_to_thread=False, name=f"page{path}")
    def page() -> str:
        return _html(f"页面 {path}", body)

    return page


def test_each_page_is_judged_at_both_sizes_whichever_it_opens_at(browser: Browser) -> None:
    app = Litestar([login_form, login, *(_page(path, body) for path, body in PAGES.items())])
    with serve(app) as base:
        report = crawl(browser, base, "someone", "secret", start="/", max_pages=20, per_shape=10)
    assert sorted(report.opened) == sorted(PAGES)
    sideways = sorted((f.url, f.size) for f in report.findings if "scrolls sideways" in f.problem)
    assert sideways == [("/a", "phone"), ("/b", "phone"), ("/d", "phone"), ("/e", "desktop"), ("/e", "phone")]


GRID_FORM = (
    '<form method="post" action="/"><div class="grid">'
    '<div><label for="a">开始</label><input id="a" name="a" type="time">'
    '<small id="a-hint" class="muted">早于结束</small></div>'
    '<label for="b">结束</label><input id="b" name="b" type="time"><small id="b-hint" class="muted">次日早晨</small>'
    '<label><input type="checkbox" name="c"> 每天</label>'
    "</div></form>"
)


def test_a_form_field_split_over_grid_columns_is_found_and_a_wrapped_one_is_not(browser: Browser) -> None:
    app = Litestar([login_form, login, _page("/", GRID_FORM)])
    with serve(app) as base:
        report = crawl(browser, base, "someone", "secret", start="/", max_pages=5, per_shape=5)
    split = [f.problem for f in report.findings if "split over grid columns" in f.problem]
    assert len(split) == 2, report.findings
    assert 'for="b"' in split[0]
    assert 'id="b-hint"' in split[1]
