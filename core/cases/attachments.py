"""Attaching files to cases: size and type limits checked on the bytes, not on what the browser says.

Files for a case that does not exist yet (a ``file`` field of the new-case form, or an
API client filing a case) are uploaded first as *pending* attachments: ``case_id`` is
empty, the uploader and district are recorded, and :func:`pending_entry` gives the
uploader a claim token (an HMAC of the row with the server's secret, so nothing new is
stored). Filing the case claims them (:func:`claim_pending`: same uploader and
district, token right, not yet claimed, younger than a day) and links them in the
transaction that creates the case (:func:`link_pending`). A workflow step that asks for
a ``file`` field takes its files the same way, linked in the transaction of the step
(:func:`core.cases.transitions.perform_transition`). Pending files never claimed are
deleted by :func:`purge_pending` (``sanshe attachments purge-pending``).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from core.cases import permissions
from core.cases.errors import InvalidData
from core.cases.permissions import may_attach, require
from core.cases.timeline import append_event
from core.db import utcnow
from core.db.tenancy import unscoped
from core.filetypes import FILE_TYPES, content_type_of, safe_name, suffix_of
from core.i18n import gettext
from core.models.cases import Attachment
from core.storage import MissingFile, storage_from_settings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncSession

    from core.casetypes.definition import CaseTypeDef
    from core.config import Settings
    from core.context import RequestContext
    from core.models.cases import Case
    from core.storage import Storage

__all__ = (
    "ALLOWED",
    "MAX_BYTES",
    "PENDING_MAX_AGE",
    "PENDING_PER_USER",
    "attach",
    "check_file",
    "claim_pending",
    "link_pending",
    "may_stage",
    "open_attachment",
    "pending_entry",
    "pending_public",
    "purge_pending",
    "stage_pending",
    "storage_at",
    "storage_for",
)

log = logging.getLogger(__name__)

PENDING_MAX_AGE = timedelta(days=1)
PENDING_PER_USER = 50  # files one user may have waiting for a case at once (a form resent all day fills no disk)

MAX_BYTES = 10 * 1024 * 1024
ALLOWED = FILE_TYPES  # what a case accepts: every type core.filetypes knows


def storage_at(settings: Settings, session: AsyncSession | None = None) -> Storage:
    """The storage attachments go to (``SANSHE_STORAGE``: local disk under ``var/attachments`` by default).

    The database storage writes in ``session``'s transaction and reads through its engine.
    """
    engine = session.bind if session is not None else None
    return storage_from_settings(settings, engine=engine, session=session)  # type: ignore[arg-type]


def storage_for(ctx: RequestContext) -> Storage:
    """The storage of the request's attachments."""
    return storage_at(ctx.settings, ctx.session)


async def open_attachment(ctx: RequestContext, attachment: Attachment) -> AsyncIterator[bytes] | None:
    """The bytes of an attachment as a stream, or ``None`` (logged) when the storage has lost them.

    The routes answer ``None`` with 404: a file missing from the storage (deleted by hand,
    or on another server's local disk) is not a server error.
    """
    try:
        return await storage_for(ctx).open(attachment.storage_key)
    except (MissingFile, ValueError):
        assert ctx.district is not None
        log.warning(
            "attachment %s of district %s: no bytes under storage key %r (storage %s)",
            attachment.id, ctx.district.code, attachment.storage_key, ctx.settings.storage,
        )
        return None


def check_file(filename: str, data: bytes) -> tuple[str, str]:
    """Return (safe name, content type) or raise :class:`InvalidData` with a clear message."""
    name = safe_name(filename)
    suffix = suffix_of(name)
    if not data:
        raise InvalidData(gettext("The file is empty."), {"file": gettext("The file is empty.")})
    if len(data) > MAX_BYTES:
        message = gettext("The file is too large: at most %(mb)s MB.", mb=MAX_BYTES // (1024 * 1024))
        raise InvalidData(message, {"file": message})
    if suffix not in ALLOWED:
        message = gettext("This type of file is not accepted. Accepted: %(types)s.", types=", ".join(sorted(ALLOWED)))
        raise InvalidData(message, {"file": message})
    content_type = content_type_of(name, data, ALLOWED)
    if content_type is None:
        message = gettext("The file's content does not match its name (%(ext)s).", ext=suffix)
        raise InvalidData(message, {"file": message})
    return name, content_type


async def attach(ctx: RequestContext, case: Case, definition: CaseTypeDef, filename: str, data: bytes) -> Attachment:
    """Store a file on the case and record it on the timeline (one transaction; bytes first)."""
    assert ctx.user is not None and ctx.district is not None
    require(may_attach(ctx, definition))
    name, content_type = check_file(filename, data)
    attachment = await _store(ctx, data, name, content_type, case.reference, case.id)
    await append_event(
        ctx.session,
        case,
        "attachment",
        ctx.user.id,
        {"id": attachment.id, "name": name, "size": attachment.size, "sha256": attachment.sha256},
    )
    return attachment


def _token(secret: str, attachment: Attachment) -> str:
    body = f"pending:{attachment.district_id}:{attachment.id}:{attachment.uploaded_by_id}:{attachment.sha256}"
    return hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()[:32]


def pending_entry(ctx: RequestContext, attachment: Attachment) -> dict[str, Any]:
    """A pending file as a ``file`` field's input: what the form sends back, token included."""
    return {
        "id": attachment.id,
        "name": attachment.name,
        "size": attachment.size,
        "content_type": attachment.content_type,
        "token": _token(ctx.settings.secret_key, attachment),
    }


def may_stage(ctx: RequestContext, definition: CaseTypeDef) -> bool:
    """Whether the user may upload pending files for this type: to file a case, or for a step they may take."""
    return permissions.may_stage(ctx, definition)


async def stage_pending(ctx: RequestContext, definition: CaseTypeDef, filename: str, data: bytes) -> Attachment:
    """Keep a file for a case not filed yet, or for a step not taken yet (``case_id`` empty).

    Raise :class:`InvalidData` when the file is refused.
    """
    assert ctx.user is not None and ctx.district is not None
    require(may_stage(ctx, definition))
    name, content_type = check_file(filename, data)
    waiting = await ctx.session.execute(
        select(func.count(Attachment.id)).where(
            Attachment.case_id.is_(None),
            Attachment.uploaded_by_id == ctx.user.id,
            Attachment.created_at >= utcnow() - PENDING_MAX_AGE,
        )
    )
    if int(waiting.scalar_one()) >= PENDING_PER_USER:
        message = gettext("Too many files are waiting for a case. File the case, or try again tomorrow.")
        raise InvalidData(message, {"file": message})
    return await _store(ctx, data, name, content_type, "pending", None)


async def _store(
    ctx: RequestContext, data: bytes, name: str, content_type: str, folder: str, case_id: int | None
) -> Attachment:
    """Save checked bytes (before any row points at them) and add their row, uploaded by ``ctx.user``."""
    assert ctx.user is not None and ctx.district is not None
    stored = await storage_for(ctx).save(data, prefix=f"{ctx.district.code}/{folder}")
    attachment = Attachment(
        district_id=ctx.district.id,
        case_id=case_id,
        name=name,
        content_type=content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_key=stored.key,
        uploaded_by_id=ctx.user.id,
    )
    ctx.session.add(attachment)
    await ctx.session.flush()
    return attachment


async def claim_pending(
    ctx: RequestContext, definition: CaseTypeDef, data: dict[str, Any], *, current: dict[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, str], list[Attachment]]:
    """Check the ``file`` fields of an input: each entry a pending file of this user with its token.

    Returns the input with each entry replaced by the stored file's ``id``, ``name``,
    ``size`` and ``content_type`` (the token is not kept), the errors by field, and the
    attachments to link once the case exists. ``current`` is the case's data when a step
    fills the field: an entry naming a file the field already holds keeps it as stored.
    """
    assert ctx.user is not None and ctx.district is not None
    out = dict(data)
    errors: dict[str, str] = {}
    found: list[Attachment] = []
    cutoff = utcnow() - PENDING_MAX_AGE
    for f in definition.form.fields:
        raw = data.get(f.key)
        if f.type != "file" or raw in (None, "", []):
            continue
        held = _held(current, f.key)
        entries = []
        for item in raw if isinstance(raw, list) else [raw]:
            if isinstance(item, dict) and isinstance(item.get("id"), int) and item["id"] in held:
                if held[item["id"]] not in entries:
                    entries.append(held[item["id"]])
                continue
            attachment = None
            if isinstance(item, dict) and isinstance(item.get("id"), int) and isinstance(item.get("token"), str):
                attachment = await ctx.session.get(Attachment, item["id"])
            if (
                attachment is None
                or attachment.case_id is not None
                or attachment.district_id != ctx.district.id
                or attachment.uploaded_by_id != ctx.user.id
                or attachment.created_at < cutoff
                or not hmac.compare_digest(_token(ctx.settings.secret_key, attachment), str(item.get("token")))
            ):
                errors[f.key] = gettext("Upload the file again.")
                continue
            if attachment not in found:
                found.append(attachment)
                entries.append(pending_public(attachment))
        out[f.key] = entries
    return out, errors, found


def _held(current: dict[str, Any] | None, key: str) -> dict[Any, dict[str, Any]]:
    """The files a case's ``file`` field holds now, by id."""
    value = (current or {}).get(key)
    return {e.get("id"): e for e in value if isinstance(e, dict)} if isinstance(value, list) else {}


def pending_public(attachment: Attachment) -> dict[str, Any]:
    """What a ``file`` field stores of an attachment."""
    return {
        "id": attachment.id,
        "name": attachment.name,
        "size": attachment.size,
        "content_type": attachment.content_type,
    }


async def link_pending(ctx: RequestContext, case: Case, attachments: list[Attachment]) -> None:
    """Link claimed files to the new case (each only once, even against a concurrent claim) and record them.

    Only files the case's data names are linked (a field hidden by its condition keeps none).
    """
    assert ctx.user is not None
    named = {
        e.get("id"): key
        for key, value in case.data.items()
        if isinstance(value, list)
        for e in value
        if isinstance(e, dict)
    }
    for attachment in [a for a in attachments if a.id in named]:
        done = await ctx.session.execute(
            update(Attachment)
            .where(Attachment.id == attachment.id, Attachment.case_id.is_(None))
            .values(case_id=case.id)
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            message = gettext("Upload the file again.")
            raise InvalidData(gettext("Please correct the marked fields."), {named[attachment.id]: message})
        attachment.case_id = case.id
        await append_event(
            ctx.session,
            case,
            "attachment",
            ctx.user.id,
            {"id": attachment.id, "name": attachment.name, "size": attachment.size, "sha256": attachment.sha256},
        )


async def purge_pending(
    session: AsyncSession, storage: Storage, *, older_than: timedelta = PENDING_MAX_AGE, now: datetime | None = None
) -> int:
    """Delete pending files (never linked to a case) older than ``older_than``, in every district; return how many."""
    cutoff = (now or utcnow()) - older_than
    with unscoped(session):
        rows = list(
            (
                await session.execute(
                    select(Attachment).where(Attachment.case_id.is_(None), Attachment.created_at < cutoff)
                )
            ).scalars()
        )
        for attachment in rows:
            await session.delete(attachment)
        await session.flush()
    for attachment in rows:
        await storage.delete(attachment.storage_key)
    return len(rows)
