"""Static files that a phone on mobile data downloads once: versioned URLs, cache headers, 304s.

Templates link a file with ``{{ static_url('/static/app.css') }}``, which adds the first
characters of the file's SHA-256 (``/static/app.css?v=3f9c…``). A new release changes the
URL of every file it changes, so such a URL may be kept a year (``immutable``). A link
without ``?v=`` (a third-party plugin's older template) is kept too but asked again each
time (``no-cache``); the answer is then ``304 Not Modified`` with no body when the file has
not changed since (its ``ETag``). Litestar's static router sends the ``ETag`` but answers
every request with the whole file, so :func:`static_cache_middleware` does the rest.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from litestar.datastructures import MutableScopeHeaders

from core.config import PROJECT_ROOT

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

    from core.plugins import PluginHost

__all__ = ("STATIC_DIR", "StaticUrls", "static_cache_middleware")

STATIC_DIR = PROJECT_ROOT / "core" / "static"
FOREVER = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


class StaticUrls:
    """``static_url(path)`` for templates: the path with its content's version, or as given when no such file."""

    def __init__(self, host: PluginHost) -> None:
        self.roots = {"/static/plugins/" + p.key + "/": p.static_dir for p in host.installed.values() if p.static_dir}
        self.roots["/static/"] = STATIC_DIR
        self._versions: dict[tuple[Path, int, int], str] = {}

    def _file(self, path: str) -> Path | None:
        for prefix, root in sorted(self.roots.items(), key=lambda item: -len(item[0])):
            if path.startswith(prefix):
                base = Path(root).resolve()
                file = (base / path[len(prefix) :]).resolve()
                return file if file.is_relative_to(base) and file.is_file() else None
        return None

    def __call__(self, path: str) -> str:
        file = self._file(path)
        if file is None:
            return path
        stat = file.stat()
        key = (file, stat.st_mtime_ns, stat.st_size)  # a file edited in development gets a new version
        version = self._versions.get(key)
        if version is None:
            version = self._versions[key] = hashlib.sha256(file.read_bytes()).hexdigest()[:12]
        return f"{path}?v={version}"


def _matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110's weak comparison: ``W/"x"`` matches ``"x"``; ``*`` matches any."""
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag.removeprefix("W/") in tags


def static_cache_middleware(app: ASGIApp) -> ASGIApp:
    """Cache-Control on every static file, and 304 with no body when the browser's copy is current."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/static/"):
            await app(scope, receive, send)
            return
        versioned = b"v=" in scope.get("query_string", b"")
        asked = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"if-none-match"), None)
        not_modified = False

        async def send_wrapper(message: Message) -> None:
            nonlocal not_modified
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = MutableScopeHeaders.from_message(message)
                headers["cache-control"] = FOREVER if versioned else REVALIDATE
                etag = headers.get("etag")
                if asked and etag and _matches(asked, etag):
                    not_modified = True
                    message["status"] = 304
                    for name in ("content-length", "content-type", "content-disposition"):
                        if name in headers:
                            del headers[name]
            elif message["type"] == "http.response.body" and not_modified:
                if message.get("more_body", False):
                    return  # the file's bytes are not sent
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await app(scope, receive, send_wrapper)

    return middleware
