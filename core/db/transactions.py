"""A request's transaction: how it begins, when it is kept, and what happens when keeping it fails.

One middleware (:func:`transactions`, the outermost of the app's) decides for every HTTP request:

- **How it begins** (SQLite): a GET/HEAD/OPTIONS request's transactions begin deferred, as
  reads; other requests' begin ``IMMEDIATE``, taking the write lock first (``core.db.engine``).
- **When it is kept**: the request's session is committed as its answer starts, when the
  answer is 2xx or 3xx and the handler did not refuse; otherwise rolled back. An htmx
  refusal is answered 200 (htmx swaps nothing on a 4xx) with the reason in the page: a
  handler that answers a refusal after writing calls :func:`roll_back`, and the session is
  rolled back whatever the status.
- **When keeping it fails**, the user is never told it worked. The commit runs before a
  byte of the answer is sent; if it fails, the answer becomes 503 ("busy, nothing was
  saved") or 500 instead. A read-only request that wrote after all (a notice marked read
  when opened) fails at once on SQLite when another writer committed since its first read
  (its snapshot is stale; SQLite cannot wait there): it is run once more, as a writer, and
  the user sees only the second answer. A GET has no body to replay, and its first run
  kept nothing.
- **Where it reads** (PostgreSQL with ``SANSHE_DATABASE_REPLICA_URL``, :mod:`core.db.replica`):
  a read-only run reads from a replica that has replayed this browser's last write; a run
  that failed there (5xx) is run again on the primary, as a writer; a run that wrote tells
  the browser its write's WAL position (the ``sanshe_lsn`` cookie).

(Advanced Alchemy's own auto-commit handler logs a failed commit and sends the success
anyway; the app gives it only the closing of the session.)
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from advanced_alchemy.extensions.litestar._utils import get_aa_scope_state

from core.db.engine import READ_ONLY_METHODS, is_busy, is_unavailable, writes
from core.db.replica import lsn_cookie, reading_from, wanted_position

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

    from core.db.replica import Replicas

__all__ = ("is_rolled_back", "mark_busy", "roll_back", "transactions")

logger = logging.getLogger(__name__)

_ROLL_BACK = "sanshe_roll_back"
_BUSY_READ = "sanshe_busy_read"


def roll_back(scope: Any) -> None:
    """Mark the request (its ``scope``, or the request itself) so its session is rolled back, not committed."""
    getattr(scope, "scope", scope)[_ROLL_BACK] = True


def is_rolled_back(scope: Any) -> bool:
    """Whether :func:`roll_back` marked the request: its work is not kept whatever its status."""
    return bool(getattr(scope, "scope", scope).get(_ROLL_BACK))


def mark_busy(scope: Any) -> None:
    """Note that a read-only request found the database busy (its 503 is then held back and the request run again)."""
    if not writes.get():
        scope[_BUSY_READ] = True


def transactions(app: ASGIApp) -> ASGIApp:
    """ASGI middleware (the app's outermost): see the module's doc."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        reads = scope["method"] in READ_ONLY_METHODS  # type: ignore[typeddict-item]
        before = dict(scope), dict(scope.get("state") or {})  # type: ignore[call-overload]
        replicas: Replicas | None = scope["litestar_app"].state.get("db_replicas")  # type: ignore[typeddict-item]
        replica = None
        if reads and replicas is not None and not scope["path"].startswith(("/static/", "/healthz")):
            replica = await replicas.choose(wanted_position(scope))
        answer = _Answer(scope, send, reads=reads, replicas=replicas, replica=replica)
        await _run(app, scope, receive, answer.send, writer=not reads, replica=replica)
        if answer.again:
            # The same scope object, as it came in: Litestar's before-send hooks hold on to it.
            plain: dict[str, Any] = scope  # type: ignore[assignment]
            plain.clear()
            plain.update(before[0], state=before[1])
            again = _Answer(scope, send, reads=False, replicas=replicas)
            await _run(app, scope, _no_body(receive), again.send, writer=True)

    return middleware


async def _run(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send, *, writer: bool, replica: AsyncEngine | None = None
) -> None:
    token, where = writes.set(writer), reading_from.set(replica)
    try:
        await app(scope, receive, send)
    finally:
        reading_from.reset(where)
        writes.reset(token)


class _Answer:
    """The request's ``send``: commits or rolls back as the answer starts; holds back an answer to run again."""

    def __init__(
        self,
        scope: Scope,
        send: Send,
        *,
        reads: bool,
        replicas: Replicas | None = None,
        replica: AsyncEngine | None = None,
    ) -> None:
        self.scope, self._send, self.reads = scope, send, reads
        self.replicas, self.replica = replicas, replica
        self.again = False  # a read that must run again as a writer: swallow this answer
        self.failed: bytes | None = None  # the commit failed: the body sent instead of the handler's
        self.position = 0  # the primary's WAL position after this request's writes (read-your-writes)

    async def send(self, message: Message) -> None:
        if self.again:
            return
        if message["type"] == "http.response.start":
            if self.reads and self.scope.get(_BUSY_READ):  # type: ignore[call-overload]
                self.again = True
                return
            status = int(message["status"])
            if self.replica is not None and status >= 500 and self.replicas is not None:
                # The replica went away, or the page wrote after all (a standby refuses): the primary answers.
                logger.warning("a read on a replica answered %s: run again on the primary", status)
                self.replicas.failed(self.replica)
                self.again = True
                return
            failure = await self._finish(status)
            if failure is not None:
                if self.reads and not writes.get() and (is_busy(failure) or is_unavailable(failure)):
                    self.again = True
                    return
                message = self._failed_start(failure)
            elif self.position:
                secure = self.scope["litestar_app"].state.settings.secure_cookies  # type: ignore[typeddict-item]
                cookie = (b"set-cookie", lsn_cookie(self.position, secure=secure))
                message = {**message, "headers": [*message.get("headers", ()), cookie]}  # type: ignore[typeddict-item]
        elif message["type"] == "http.response.body" and self.failed is not None:
            message = {**message, "body": self.failed}  # type: ignore[typeddict-item]
            self.failed = b""
        await self._send(message)

    async def _finish(self, status: int) -> Exception | None:
        """Commit (2xx/3xx, not refused) or roll back the request's session; the commit's error, if any."""
        config = self.scope["litestar_app"].state.get("db_config")  # type: ignore[typeddict-item]
        if config is None:
            return None
        session: AsyncSession | None = get_aa_scope_state(self.scope, config.session_scope_key)
        if session is None:
            return None
        try:
            if 200 <= status < 400 and not is_rolled_back(self.scope):
                await session.commit()
                if self.replicas is not None and writes.get():
                    await self._remember_position(session)
            else:
                await session.rollback()
        except Exception as exc:  # any failure to keep the work is answered, never hidden
            logger.warning("commit failed, nothing was kept: %s", exc, exc_info=exc)
            try:
                await session.rollback()
            except Exception:  # the connection may be gone; closing it follows
                logger.debug("rollback after a failed commit failed", exc_info=True)
            return exc
        return None

    async def _remember_position(self, session: AsyncSession) -> None:
        """Where the primary's WAL is after this commit (the browser's reads wait for a replica to reach it)."""
        assert self.replicas is not None
        try:
            self.position = await self.replicas.position(session)
        except Exception:  # the commit is kept; only read-your-writes on a replica is lost
            logger.warning("could not read the primary's WAL position after a commit", exc_info=True)

    def _failed_start(self, failure: Exception) -> Message:
        busy = is_busy(failure)
        status = 503 if busy or is_unavailable(failure) else 500
        zh = "服务器繁忙，未保存任何内容。请稍后重试。" if busy else "保存失败，未保存任何内容。请稍后重试。"
        en = "The server is busy; nothing was saved." if busy else "Saving failed; nothing was saved."
        if status == 503 and not busy:  # the connection went during the commit: whether it was kept is unknown
            zh, en = "数据库暂时无法连接，请重试。", "The database cannot be reached at the moment. Please try again."
        if str(self.scope["path"]).startswith("/api/"):
            body = json.dumps({"status_code": status, "detail": f"{zh} / {en}"}, ensure_ascii=False).encode()
            kind = b"application/json"
        else:
            body = (
                f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{status}</title>'
                '<meta name="viewport" content="width=device-width, initial-scale=1"></head><body><main id="main">'
                f'<h1>{zh}</h1><p lang="en">{en}</p><p><a href="javascript:history.back()">返回 / Back</a></p>'
                "</main></body></html>"
            ).encode()
            kind = b"text/html; charset=utf-8"
        self.failed = body
        headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
        if status == 503:
            headers.append((b"retry-after", b"2"))
        return {"type": "http.response.start", "status": status, "headers": headers}


def _no_body(receive: Receive) -> Receive:
    """The second run's ``receive``: the (empty) body once more, then the client's own messages."""
    sent = False

    async def replay() -> Any:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return await receive()

    return replay
