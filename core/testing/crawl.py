"""The page crawl: every page a role can reach, opened in Chromium and judged as a person sees it.

For one user, :func:`crawl` logs in through the form, then opens every same-origin GET link
reachable from the start page (breadth first, bounded), plus any extra paths given (the
route table's parameterless pages; these may answer one of ``allowed_status`` — 403 or 404
for a page the user may not open — as long as the answer is an HTML error page; a page
reached by a link must answer 200). Each page is checked at desktop size and at phone size
(the viewport is resized, the page is not reloaded; a page opens at the size the last one
was left at, so every other page is judged at phone size first). A page must:

- answer ``text/html`` with status 200, with a title of plain text;
- raise no JavaScript error, log no console error and have no failed request (favicon included);
- show no raw key: no ``snake_case`` identifier (outside ``<code>``, where an administrator's
  keys belong), no ``#123`` database id, no empty ``（）``,
  no English message id in the Chinese interface and no Chinese message in the English one
  (the catalogs say which strings are the interface's own);
- not scroll sideways at either width; give every form control a label; keep each form field of a
  ``.grid`` in one cell (label, control and hint wrapped together);
- offer a skip link to the main content as the first thing the keyboard reaches.

Findings name the user, the URL, the size and what was wrong. Plugins' pages are crawled
from the day they land: they are reached through the navigation and the pages that link them.

Crawls that share a :class:`JudgedContent` (all the roles of a locale, even in several test
processes) judge each page's content once: each page is first fetched over HTTP with the
user's cookies, and one whose ``<main>`` is byte for byte a ``<main>`` already judged (the
CSRF token aside) is not opened in Chromium again; its links are still followed. About six
pages in ten of a role are such repeats (the same list, form or error page seen by another
role), and opening pages in Chromium is most of the crawl's time. Each user's start page is
always opened, so every role's own navigation is judged. A page that answers a redirect is
not opened either: the page it leads to is crawled in its place (once, like any link), so
``/login``, ``/`` and the queue fragments that send a plain GET to the queue page do not
open the queue page again for every role. Lists differing only in their order or page
(:data:`REORDER_KEYS`) count as one kind of page.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urldefrag, urljoin, urlsplit

from babel.messages.pofile import read_po

import core
from core.plugins import PluginHost

if TYPE_CHECKING:
    from collections.abc import Iterable

    from playwright.sync_api import APIResponse, Browser, Page, ViewportSize

__all__ = (
    "DESKTOP",
    "PHONE",
    "SKIP_PATH",
    "CrawlReport",
    "Finding",
    "JudgedContent",
    "catalog_strings",
    "content_digest",
    "crawl",
    "links_of",
    "text_problems",
)

DESKTOP: ViewportSize = {"width": 1366, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}

# Links never followed: they change state on GET by design (logout), leave the HTML
# interface (API, schema, static files, downloads) or switch the language.
SKIP_PATH = re.compile(
    r"^/(logout|api/|schema|static/|healthz)|/(export|download|statement|pdf|qr|receipts?)\b|\.(csv|xlsx|pdf|svg|yaml|png)$"
)
SNAKE = re.compile(r"(?<![\w./:@-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w./@-])")
HASH_ID = re.compile(r"(?<![\w&])#\d+\b")
EMPTY_PARENS = re.compile(r"（\s*）|\(\s*\)")
HAN = re.compile(r"[\u4e00-\u9fff]")
SENTENCE = re.compile(r"[，。；：？！]")
MAIN = re.compile(r"<main\b.*?</main>", re.DOTALL)
# Per-request values in a page: the CSRF token and each form's idempotency token (_form_token).
CSRF = re.compile(r'(?:x-csrftoken": "|name="_(?:csrf|form)_token" value=")([^"]+)"')
REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Query keys that only reorder or page a list: a list sorted another way is the same kind of page.
REORDER_KEYS = frozenset({"sort", "order", "page"})

# Run in the page: what a person sees and can reach.
PAGE_FACTS = """() => {
  const doc = document.documentElement;
  const controls = [...document.querySelectorAll('input, select, textarea')].filter(el => {
    const type = (el.getAttribute('type') || '').toLowerCase();
    if (['hidden', 'submit', 'button', 'reset', 'image'].includes(type)) return false;
    if (el.getAttribute('aria-hidden') === 'true') return false;
    const style = getComputedStyle(el);
    return style.display !== 'none' && style.visibility !== 'hidden';
  });
  const unlabelled = controls.filter(el =>
    !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby')
    && !el.getAttribute('title')
  ).map(el => el.outerHTML.slice(0, 120));
  // A form field (label, control, hint or error: siblings, as the ui macros write them) inside a
  // .grid must be wrapped in one cell: bare, each part becomes a column, and a hint or an error
  // shifts the row (a time input squeezed to "09:").
  const split = [...document.querySelectorAll(
    '.grid > label:not(:has(input, select, textarea)), .grid > small[id$="-hint"], .grid > small[id$="-error"]'
  )].map(el => el.outerHTML.slice(0, 120));
  const focusable = [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex="-1"])'
  )].filter(el => !el.disabled);
  const first = focusable[0];
  const skip = first && first.tagName === 'A' && (first.getAttribute('href') || '').startsWith('#')
    && document.getElementById(first.getAttribute('href').slice(1)) !== null;
  const links = [...document.querySelectorAll('a[href]')]
    .filter(a => !a.hasAttribute('download') && !a.closest('[hidden]'))
    .map(a => a.href);
  // Keys an administrator needs (role and module keys) are shown as code: not raw keys.
  let text = document.body ? document.body.innerText : '';
  for (const code of document.querySelectorAll('code, kbd, samp')) {
    if (code.innerText) text = text.split(code.innerText).join(' ');
  }
  return {
    text: text,
    overflow: doc.scrollWidth - window.innerWidth,
    unlabelled: unlabelled,
    split: split,
    skip: !!skip,
    first: first ? first.outerHTML.slice(0, 120) : null,
    links: links,
  };
}"""


@dataclass(frozen=True)
class Finding:
    """One thing wrong with one page, for one user, at one size."""

    user: str
    url: str
    size: str
    problem: str

    def __str__(self) -> str:
        return f"{self.user} · {self.url} · {self.size}: {self.problem}"


class JudgedContent:
    """The page contents judged so far, by digest: in memory, or as files in a folder that the
    crawls of several processes share (pytest-xdist workers), each content claimed by one."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self.digests: set[str] = set()
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)

    def claim(self, digest: str) -> bool:
        """True for the first crawl to meet this content (it judges it), False for every later one."""
        if digest in self.digests:
            return False
        self.digests.add(digest)
        if self.folder is None:
            return True
        try:
            (self.folder / digest).touch(exist_ok=False)
        except FileExistsError:
            return False
        return True


@dataclass
class CrawlReport:
    user: str
    visited: list[str] = field(default_factory=list)
    opened: list[str] = field(default_factory=list)  # the visited pages opened and judged in Chromium
    findings: list[Finding] = field(default_factory=list)


def catalog_strings(po_files: Iterable[str]) -> tuple[set[str], set[str]]:
    """The interface's own strings: (English message ids, Chinese translations) of the catalogs.

    Only strings that cannot be mistaken for data are kept: ids of two words or more
    without placeholders; translations that read as a sentence of the interface (with
    Chinese punctuation, or eight characters or more) — short ones such as 议事会 or 居民代表
    are also the names of councils and people.
    """
    english: set[str] = set()
    chinese: set[str] = set()
    for path in po_files:
        with Path(path).open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            if not message.id or isinstance(message.id, tuple) or not message.string:
                continue
            source, target = str(message.id), str(message.string)
            if "%" in source or "{" in source:
                continue
            if len(source.split()) >= 2 and not HAN.search(source):
                english.add(source)
            han = len(HAN.findall(target))
            if source != target and (han >= 8 or (SENTENCE.search(target) and han >= 4)):
                chinese.add(target)
    return english, chinese


MAX_TITLE = 120  # a browser tab shows far less; a longer title is markup or text that went into the wrong block


def title_problems(title: str) -> list[str]:
    """What is wrong with a page's ``<title>``: missing, or holding markup (a template block left open)."""
    if not title.strip():
        return ["the page has no title"]
    if "<" in title or ">" in title or len(title) > MAX_TITLE:
        return [f"the title holds markup or runs on: {title[:60]!r}…"]
    return []


def text_problems(text: str, *, locale: str, english: set[str], chinese: set[str]) -> list[str]:
    """What in a page's visible text is a raw key or in the wrong language."""
    problems = []
    if m := SNAKE.search(text):
        problems.append(f"raw key {m.group(0)!r} in visible text")
    if m := HASH_ID.search(text):
        problems.append(f"database id {m.group(0)!r} in visible text")
    if m := EMPTY_PARENS.search(text):
        problems.append(f"empty label {m.group(0)!r}")
    if locale.startswith("zh"):
        if leaked := sorted(s for s in english if s in text):
            problems.append(f"English message in the Chinese interface: {leaked[0]!r}")
    elif leaked := sorted(s for s in chinese if s in text):
        problems.append(f"Chinese message in the English interface: {leaked[0]!r}")
    return problems


def _login(page: Page, base: str, username: str, password: str, locale: str) -> None:
    """Log in through the form, then choose the interface language with the header's switch."""
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form [type=submit]")
    page.wait_for_load_state("load")
    if urlsplit(page.url).path == "/login":
        msg = f"{username} could not log in"
        raise AssertionError(msg)
    code = "en" if locale.startswith("en") else "zh_CN"
    if code == "zh_CN" and page.evaluate("document.documentElement.lang").startswith("zh"):
        return  # already Chinese, the default: a click would only load the page again
    switch = page.locator(f"button[name=lang][value={code}]")
    if switch.count():
        switch.first.click()
        page.wait_for_load_state("load")


class _Crawler:
    """One user's crawl: the browser page, what it reported, and the pages still to open."""

    def __init__(self, page: Page, base: str, report: CrawlReport, locale: str, catalogs: tuple[set[str], set[str]]):
        self.page, self.base, self.report, self.locale = page, base, report, locale
        self.english, self.chinese = catalogs
        self.errors: list[str] = []
        self.shapes: dict[str, int] = {}
        self.size = "desktop"  # the viewport the page is at (the context starts at DESKTOP)
        page.on("pageerror", lambda exc: self.errors.append(f"JavaScript error: {exc}"))
        page.on("console", lambda msg: self._error(f"console error: {msg.text}") if msg.type == "error" else None)
        # An htmx request still in flight when the crawl moves on is aborted by the navigation.
        page.on(
            "requestfailed",
            lambda req: None if "ERR_ABORTED" in str(req.failure) else self._error(f"request failed: {req.url}"),
        )
        page.on(
            "response",
            lambda res: (
                self._error(f"{res.status} for {res.url}")
                if res.status >= 400 and res.request.resource_type != "document"
                else None
            ),
        )

    def _error(self, text: str) -> None:
        self.errors.append(text)

    def find(self, path: str, size: str, problem: str) -> None:
        self.report.findings.append(Finding(self.report.user, path, size, problem))

    def fetch(self, path: str) -> APIResponse:
        """The page as the server answers this user over HTTP (the browser's cookies, no redirect followed)."""
        return self.page.context.request.get(urljoin(self.base, path), max_redirects=0)

    def refused(self, path: str, response: APIResponse, refusals: set[int]) -> bool:
        """Whether a route-table page is refused to this user as it may be (an HTML error page).

        Decided over HTTP, not by opening the page: most of the route table is refused to
        most roles, and an error page has nothing more to judge.
        """
        if response.status not in refusals:
            return False
        if not response.headers.get("content-type", "").startswith("text/html"):
            self.find(path, "desktop", f"refused with content-type {response.headers.get('content-type')!r}")
        return True

    def judge(self, path: str, *, may_refuse: Iterable[int]) -> list[str]:
        """Open ``path``, record what is wrong with it, and return the links it offers.

        The page is opened at the size the last one was left at, judged, resized to the
        other size and judged again: resizing the old page back before leaving it would
        lay it out once more for nothing (a sixth of Chromium's work per page).
        """
        self.errors.clear()
        self.report.opened.append(path)
        response = self.page.goto(urljoin(self.base, path), wait_until="load")
        if response is None:
            self.find(path, "desktop", "no response")
            return []
        refused = response.status in set(may_refuse)
        if response.status != 200 and not refused:
            self.find(path, "desktop", f"status {response.status}")
        ctype = response.headers.get("content-type", "")
        if not ctype.startswith("text/html"):
            self.find(path, "desktop", f"content-type {ctype!r}, expected text/html")
            return []
        if refused:
            return []
        links: list[str] = []
        for size in (self.size, "phone" if self.size == "desktop" else "desktop"):
            if size != self.size:
                self.page.set_viewport_size(PHONE if size == "phone" else DESKTOP)
                self.size = size
            if size == "desktop":
                links = self._judge_desktop(path)
            else:
                overflow = self.page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
                if overflow > 0:
                    self.find(path, "phone", f"scrolls sideways by {overflow} px")
        for error in dict.fromkeys(self.errors):
            self.find(path, "desktop", error)
        return links

    def _judge_desktop(self, path: str) -> list[str]:
        """What is wrong with the open page at desktop size; the links it offers."""
        facts = self.page.evaluate(PAGE_FACTS)
        for problem in title_problems(self.page.title()):
            self.find(path, "desktop", problem)
        for problem in text_problems(facts["text"], locale=self.locale, english=self.english, chinese=self.chinese):
            self.find(path, "desktop", problem)
        if facts["overflow"] > 0:
            self.find(path, "desktop", f"scrolls sideways by {facts['overflow']} px")
        for control in facts["unlabelled"][:3]:
            self.find(path, "desktop", f"form control without a label: {control}")
        for part in facts["split"][:3]:
            self.find(path, "desktop", f"form field split over grid columns (wrap it in a <div>): {part}")
        if not facts["skip"]:
            self.find(path, "desktop", f"first focusable element is not a skip link to the content: {facts['first']}")
        return list(facts["links"])

    def follow(self, links: list[str], seen: set[str], stay_under: str, per_shape: int) -> list[str]:
        """The links worth opening next: same site, not yet seen, a few of each kind.

        A few pages of each kind from each page (a queue of time-bank cases leads to time-bank
        case pages, a queue of council topics to topic pages), and a bound overall.
        """
        here: dict[str, int] = {}
        out = []
        for link in links:
            parts = urlsplit(urldefrag(link)[0])
            if f"{parts.scheme}://{parts.netloc}" != self.base:
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if not parts.path.startswith(stay_under) or SKIP_PATH.search(parts.path) or path in seen:
                continue
            seen.add(path)
            shape = _shape(parts.path, parts.query)
            here[shape] = here.get(shape, 0) + 1
            self.shapes[shape] = self.shapes.get(shape, 0) + 1
            if here[shape] <= per_shape and self.shapes[shape] <= 4 * per_shape:
                out.append(path)
        return out


def crawl(
    browser: Browser,
    base: str,
    username: str,
    password: str,
    *,
    start: str,
    locale: str = "zh-CN",
    extra_paths: Iterable[str] = (),
    max_pages: int = 60,
    allowed_status: Iterable[int] = (),
    stay_under: str = "/",
    per_shape: int = 2,
    judged: JudgedContent | None = None,
) -> CrawlReport:
    """Log ``username`` in and judge every page reachable from ``start`` (see the module's doc).

    Crawls given the same ``judged`` judge each page content once (a crawl on its own judges
    each of its contents once).
    """
    extra = set(extra_paths) - {start}
    judged = JudgedContent() if judged is None else judged
    report = CrawlReport(user=username)
    context = browser.new_context(locale=locale, viewport=DESKTOP)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        crawler = _Crawler(page, base, report, locale, catalog_strings(_po_files()))
        _login(page, base, username, password, locale)
        queue = [start, *sorted(extra)]
        seen = set(queue)
        refusals = set(allowed_status)
        while queue and len(report.visited) < max_pages:
            path = queue.pop(0)
            report.visited.append(path)
            response = crawler.fetch(path)
            try:
                if path in extra and refusals and crawler.refused(path, response, refusals):
                    continue  # an error page, as it should be: nothing to look at in Chromium
                html = _html_of(response) if path != start else None
                digest = content_digest(html) if html is not None else None
                moved = response.headers.get("location") if path != start and response.status in REDIRECTS else None
                if moved:
                    links = [urljoin(urljoin(base, path), moved)]  # the page it leads to is crawled, once
                elif html is not None and digest is not None and not judged.claim(digest):
                    links = links_of(html, urljoin(base, path))  # judged already: only its links
                else:
                    links = crawler.judge(path, may_refuse=refusals if path in extra else ())
            finally:
                response.dispose()
            queue += crawler.follow(links, seen, stay_under, per_shape)
    finally:
        context.close()
    return report


def _shape(path: str, query: str) -> str:
    """Pages of one kind: ``/cases/HS-2026-000001`` and ``/cases/HS-2026-000002`` alike, queries by their keys.

    Keys that only sort or page a list (:data:`REORDER_KEYS`) do not make another kind:
    ``/cases?sort=due`` is a ``/cases`` page.
    """
    keys = sorted({pair.split("=", 1)[0] for pair in query.split("&") if pair} - REORDER_KEYS)
    return re.sub(r"\d+", "N", path) + "?" + "&".join(keys)


def _po_files() -> list[str]:
    """The Chinese catalogs of the core and of every installed plugin."""
    dirs = [Path(core.__file__).parent / "i18n" / "locale"]
    dirs += [Path(p.locale_dir) for p in PluginHost.load(None).plugins if p.locale_dir]
    return [str(p) for d in dirs for p in d.glob("zh_CN/LC_MESSAGES/*.po")]


def content_digest(html: str) -> str | None:
    """A digest of a page's ``<main>``, its CSRF token left out (None without ``<main>``)."""
    main = MAIN.search(html)
    if main is None:
        return None
    content = main.group(0)
    for token in set(CSRF.findall(html)):
        content = content.replace(token, "")
    return hashlib.sha256(content.encode()).hexdigest()


def _html_of(response: APIResponse) -> str | None:
    """The HTML of a page answered 200, else None (a redirect or an error is always opened in Chromium)."""
    if response.status != 200 or not response.headers.get("content-type", "").startswith("text/html"):
        return None
    return response.text()


class _LinkParser(HTMLParser):
    """The ``href`` of every link a person can follow: not a download, not inside a ``hidden`` element."""

    VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.hidden: list[str] = []  # the open elements that hide what they hold

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "a" and "href" in names and "download" not in names and not self.hidden:
            self.links.append(names["href"] or "")
        if tag in self.VOID:
            return
        if "hidden" in names or self.hidden:
            self.hidden.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.hidden and self.hidden[-1] == tag:
            self.hidden.pop()


def links_of(html: str, url: str) -> list[str]:
    """The absolute URLs of the links a page offers (what :data:`PAGE_FACTS` collects in Chromium)."""
    parser = _LinkParser()
    parser.feed(html)
    return [urljoin(url, href) for href in parser.links]
