"""A retried request gets the first answer and creates nothing: ``Idempotency-Key`` and one-time form tokens.

Two ways to name a request so that sending it again is safe, handled here once for the
core and every plugin (no code in the handlers):

* **API clients** send an ``Idempotency-Key`` header (1 to 255 visible ASCII characters,
  e.g. a UUID) on a ``POST``, ``PUT`` or ``PATCH``.
* **HTML forms** carry a hidden ``_form_token``: :class:`FormTokenExtension` writes one into
  every ``<form>`` of every template (a ``method="get"`` form excepted), a fresh random
  value each time the form is rendered; ``app.js`` gives the form a new one as soon as the
  user changes a field, and drops it from the helper requests that only check or preview
  a field (an htmx request not sent by the form itself).

The key is the user's own (or, signed out, the browser's: its CSRF token) and belongs to
one method and path. How a request with a key runs (:func:`idempotency_middleware`):

1. It *claims* the key: a row of ``idempotency_keys`` in state ``processing``, committed in
   a short transaction of its own before the handler runs. A second request with the key
   finds the row: a *different* content (JSON body, or the form's fields and files) answers
   **422**; a finished one gets the stored answer again (``Idempotent-Replayed: true``);
   one still being processed is waited for (up to :data:`WAIT_SECONDS`), then answered
   **409** "正在处理". So parallel requests with one key never create twice.
2. The handler runs; its answer is held back until it is complete. A 2xx/3xx answer (that
   the handler did not roll back, and that sets no cookie) is written into the row *in the
   handler's own transaction*, which then commits: the work and the answer to replay are
   saved together, so a crash after the commit (the answer never reached the client) still
   gives the retry the saved record. Any other answer releases the claim: a corrected
   request may use the key again.
3. A claim whose request died before committing (a crash) is taken over by the next retry
   once its lease (:data:`LEASE`) has passed; the late request, should it still finish,
   finds its claim gone and answers 409 with its work rolled back.

Rows expire after :data:`TTL` and the core scheduled job ``idempotency.purge`` deletes them.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from jinja2.ext import Extension
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from markupsafe import Markup
from sqlalchemy import Table, delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from core.db.base import utcnow
from core.db.transactions import is_rolled_back, roll_back
from core.i18n import gettext
from core.models import IdempotencyKey

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = (
    "FORM_TOKEN_FIELD",
    "HEADER",
    "LEASE",
    "TTL",
    "WAIT_SECONDS",
    "FormTokenExtension",
    "form_token",
    "idempotency_middleware",
    "purge_expired",
)

HEADER = "idempotency-key"
REPLAYED_HEADER = "idempotent-replayed"
FORM_TOKEN_FIELD = "_form_token"  # noqa: S105 - a field name, not a secret
METHODS = frozenset({"POST", "PUT", "PATCH"})
MAX_KEY_LENGTH = 255
KEY_RE = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, no spaces

# How long a finished request's answer is kept for its retries.
TTL = timedelta(hours=24)
# How long a claim is honoured without an answer: past it, a retry takes over (the first died).
LEASE = timedelta(seconds=60)
# How long a retry waits for the first request with its key to finish before answering 409.
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.05
# Answers bigger than this are not kept (a retry runs again): creating requests answer small.
MAX_STORED_BODY = 2 * 1024 * 1024
# Headers never stored: recomputed on replay, or specific to one connection.
_NOT_STORED = frozenset({"content-length", "date", "server", "transfer-encoding", "connection", "set-cookie"})
_SKIP_FIELDS = frozenset({FORM_TOKEN_FIELD, "_csrf_token"})
_TABLE = cast("Table", IdempotencyKey.__table__)


# -- Form tokens in every template ------------------------------------------------------


def form_token() -> Markup:
    """A hidden ``_form_token`` input with a new random value (one per rendered form)."""
    return Markup('<input type="hidden" name="_form_token" value="%s">') % secrets.token_urlsafe(18)


# A <form …> opening tag in template source, Jinja expressions inside it included.
_FORM_TAG = re.compile(r"<form\b(?:\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|\{(?![{%#])|[^>{])*>", re.DOTALL | re.IGNORECASE)
_GET_FORM = re.compile(r"""method\s*=\s*["']?get\b""", re.IGNORECASE)
_POST_FORM = re.compile(r"""method\s*=\s*["']?post\b|hx-(post|put|patch)\s*=""", re.IGNORECASE)


def _posts(tag: str) -> bool:
    """Whether a form tag sends a write: ``method="post"`` or ``hx-post``, or attributes written by an
    expression (``{{ form_attrs(…) }}``), unless it says ``method="get"`` (no method at all is a GET)."""
    if _GET_FORM.search(tag):
        return False
    return bool(_POST_FORM.search(tag)) or "{{" in tag


class FormTokenExtension(Extension):
    """Writes ``{{ form_token() }}`` after the opening tag of every form that posts, in every template.

    Done on the template source, once when it is compiled: every form of the core and of
    every plugin carries a one-time token without a line in its template.
    """

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        environment.globals.setdefault("form_token", form_token)

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        """Add the token field after each POST form's opening tag."""
        if "<form" not in source.lower():
            return source

        def add(match: re.Match[str]) -> str:
            tag = match.group(0)
            return tag + "{{ form_token() }}" if _posts(tag) else tag

        return _FORM_TAG.sub(add, source)


# -- The middleware -----------------------------------------------------------------------


@dataclass
class _Claim:
    row_id: int
    claim: str


@dataclass
class _Stored:
    status: int
    headers: list[list[str]]
    body: bytes


class _Answer(Exception):
    """Answer the request now, with ``status`` and ``message`` (the handler does not run)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def idempotency_middleware(app: ASGIApp) -> ASGIApp:
    """ASGI middleware factory (see the module docstring); runs after authentication."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in METHODS:  # type: ignore[union-attr]
            await app(scope, receive, send)
            return
        litestar_app = scope["litestar_app"]
        request = litestar_app.request_class(scope=scope, receive=receive)
        key, from_form = await _key_of(request)
        if key is None:
            await app(scope, receive, send)
            return
        await _run_once(app, scope, receive, send, request, key, from_form=from_form)

    return middleware


async def _key_of(request: Any) -> tuple[str | None, bool]:
    """``(key, from a form)``: the ``Idempotency-Key`` header, else the form's ``_form_token``."""
    header = request.headers.get(HEADER)
    if header is not None:
        return header.strip(), False
    content_type, _ = request.content_type
    if content_type in {RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART}:
        value = (await request.form()).get(FORM_TOKEN_FIELD)
        if isinstance(value, str) and value:
            return value.strip(), True
    return None, False


async def _fingerprint(request: Any) -> str:
    """SHA-256 of what the request asks for: the form's fields and files, or the raw body."""
    digest = hashlib.sha256()
    content_type, _ = request.content_type
    if content_type in {RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART}:
        form = await request.form()
        for name, value in sorted(form.multi_items(), key=lambda item: item[0]):
            if name in _SKIP_FIELDS:
                continue
            digest.update(name.encode() + b"\0")
            if isinstance(value, UploadFile):
                digest.update(b"file\0" + (value.filename or "").encode() + b"\0")
                while chunk := await value.read(65536):
                    digest.update(chunk)
                await value.seek(0)
            else:
                digest.update(str(value).encode("utf-8", "surrogatepass") + b"\0")
    else:
        digest.update(str(content_type).encode() + b"\0" + await request.body())
    return digest.hexdigest()


def _principal(scope: Scope) -> tuple[str, int | None]:
    user = scope.get("user")  # type: ignore[call-overload]
    if user is not None:
        return f"user:{user.id}", user.id
    auth = scope.get("auth") or {}  # type: ignore[call-overload]
    return f"browser:{auth.get('csrf_token', '')}", None


async def _run_once(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send, request: Any, key: str, *, from_form: bool
) -> None:
    """Run the request under its key, or answer for it (replay, 409, 422)."""
    if not KEY_RE.match(key):
        await _refuse(scope, receive, send, 400, _bad_key_message(from_form=from_form))
        return
    principal, user_id = _principal(scope)
    method = str(scope["method"])  # type: ignore[typeddict-item]
    path = scope["path"][:500]
    scope_hash = hashlib.sha256(f"{principal}\n{method}\n{path}\n{key}".encode()).hexdigest()
    fingerprint = await _fingerprint(request)
    state = scope["litestar_app"].state
    db: AsyncSession = state.db_config.provide_session(state, scope)
    try:
        outcome = await _claim(db, scope_hash, fingerprint, user_id=user_id, method=method, path=path)
    except _Answer as answer:
        await _refuse(scope, receive, send, answer.status, answer.message, from_form=from_form)
        return
    if isinstance(outcome, _Stored):
        await _replay(send, outcome)
        return
    await _run_claimed(app, scope, receive, send, db, outcome)


async def _claim(
    db: AsyncSession, scope_hash: str, fingerprint: str, *, user_id: int | None, method: str, path: str
) -> _Claim | _Stored:
    """Claim the key (a committed ``processing`` row), or find the answer stored for it; raises :class:`_Answer`."""
    await db.commit()  # whatever authentication read or wrote is done; the claim is a transaction of its own
    deadline = time.monotonic() + WAIT_SECONDS
    table = _TABLE
    while True:
        now = utcnow()
        claim = secrets.token_hex(16)
        # ON CONFLICT DO NOTHING (both backends): a taken key is no error, so the session is
        # never rolled back here (that would expire the user loaded by authentication).
        statement = _insert_for(db).values(
            scope_hash=scope_hash,
            user_id=user_id,
            method=method,
            path=path,
            fingerprint=fingerprint,
            state="processing",
            claim=claim,
            locked_until=now + LEASE,
            created_at=now,
            expires_at=now + TTL,
        )
        result = await db.execute(statement.on_conflict_do_nothing(index_elements=["scope_hash"]).returning(table.c.id))
        row_id = result.scalar_one_or_none()
        await db.commit()
        if row_id is not None:
            return _Claim(row_id, claim)
        row = (await db.execute(select(table).where(table.c.scope_hash == scope_hash))).one_or_none()
        await db.commit()
        if row is None:
            continue  # released meanwhile: claim it now
        if row.expires_at <= now:
            await _delete(db, row.id, row.claim)
            continue
        if row.fingerprint != fingerprint:
            raise _Answer(422, "")
        if row.state == "done":
            return _Stored(row.response_status, row.response_headers or [], row.response_body or b"")
        if row.locked_until <= now:  # the request that claimed it died: take over
            taken = await db.execute(
                update(table)
                .where(table.c.id == row.id, table.c.claim == row.claim, table.c.state == "processing")
                .values(claim=claim, locked_until=now + LEASE)
            )
            await db.commit()
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                return _Claim(row.id, claim)
            continue
        if time.monotonic() >= deadline:
            raise _Answer(409, "")
        await asyncio.sleep(POLL_SECONDS)


def _insert_for(db: AsyncSession) -> Any:
    table = _TABLE
    if db.get_bind().dialect.name == "postgresql":
        return postgresql_insert(table)
    return sqlite_insert(table)


async def _delete(db: AsyncSession, row_id: int, claim: str) -> None:
    table = _TABLE
    await db.execute(delete(table).where(table.c.id == row_id, table.c.claim == claim))
    await db.commit()


async def _run_claimed(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send, db: AsyncSession, claim: _Claim
) -> None:
    """Run the handler, store a kept answer in its transaction, then send the answer."""
    messages: list[Message] = []

    async def hold(message: Message) -> None:
        messages.append(message)

    stored = False
    try:
        await app(scope, receive, hold)
        answer = _collect(messages)
        if answer is not None and _keeps(scope, answer):
            stored = await _store(db, claim, answer)
            if not stored:  # the claim was taken over (this request outlived its lease): nothing of it is kept
                roll_back(scope)
                await _refuse(scope, receive, send, 409, "", from_form=False)
                return
        for message in messages:
            await send(message)  # the response start commits the request's transaction (auto-commit handler)
    finally:
        if not stored:
            await _release(db, claim)


def _collect(messages: list[Message]) -> _Stored | None:
    start = next((m for m in messages if m["type"] == "http.response.start"), None)
    if start is None:
        return None
    headers = [[k.decode("latin-1").lower(), v.decode("latin-1")] for k, v in start.get("headers", [])]  # type: ignore[union-attr]
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")  # type: ignore[misc]
    return _Stored(int(start["status"]), headers, body)  # type: ignore[typeddict-item]


def _keeps(scope: Scope, answer: _Stored) -> bool:
    """Whether the answer is kept for retries: the work was committed with it, and it sets no cookie."""
    if not 200 <= answer.status < 400 or is_rolled_back(scope):
        return False
    if any(name == "set-cookie" for name, _ in answer.headers):
        return False
    return len(answer.body) <= MAX_STORED_BODY


async def _store(db: AsyncSession, claim: _Claim, answer: _Stored) -> bool:
    """Write the answer into the claimed row, in the handler's transaction (not committed here)."""
    table = _TABLE
    headers = [[name, value] for name, value in answer.headers if name not in _NOT_STORED]
    result = await db.execute(
        update(table)
        .where(table.c.id == claim.row_id, table.c.claim == claim.claim)
        .values(state="done", response_status=answer.status, response_headers=headers, response_body=answer.body)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def _release(db: AsyncSession, claim: _Claim) -> None:
    """Give the key back (the request failed or was refused): a corrected request may use it."""
    try:
        await db.rollback()
        await _delete(db, claim.row_id, claim.claim)
    finally:
        await db.close()


async def _replay(send: Send, stored: _Stored) -> None:
    headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in stored.headers]
    headers += [(b"content-length", str(len(stored.body)).encode()), (REPLAYED_HEADER.encode(), b"true")]
    await send({"type": "http.response.start", "status": stored.status, "headers": headers})
    await send({"type": "http.response.body", "body": stored.body, "more_body": False})


def _bad_key_message(*, from_form: bool) -> str:
    if from_form:
        return gettext("The form's one-time token is malformed. Reload the page and try again.")
    return gettext("Idempotency-Key must be 1 to 255 visible ASCII characters (no spaces), e.g. a UUID.")


def _message(status: int, *, from_form: bool) -> str:
    if status == 422:
        if from_form:
            return gettext(
                "This form has already been submitted (with other content). Nothing new was saved: "
                "open the form again to submit something else."
            )
        return gettext(
            "This Idempotency-Key was already used for a different request (other content). "
            "Nothing was done: use a new key for a new request."
        )
    if from_form:
        return gettext("This form is still being processed. Wait a moment and reload the page.")
    return gettext(
        "A request with this Idempotency-Key is still being processed. Nothing was done: try again in a moment."
    )


async def _refuse(
    scope: Scope, receive: Receive, send: Send, status: int, message: str, *, from_form: bool = False
) -> None:
    from core.auth.middleware import plain_error  # noqa: PLC0415 - the auth layer sits above this one

    retry_after = 1 if status == 409 else None
    await plain_error(scope, receive, send, status, message or _message(status, from_form=from_form), retry_after)


# -- Expiry ------------------------------------------------------------------------------------


async def purge_expired(session: AsyncSession, now: datetime | None = None) -> int:
    """Delete the keys whose answers have expired; the number deleted."""
    table = _TABLE
    result = await session.execute(delete(table).where(table.c.expires_at <= (now or utcnow())))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
