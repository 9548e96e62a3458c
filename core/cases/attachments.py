"""Attaching files to cases: size and type limits checked on the bytes, not on what the browser says."""

from __future__ import annotations

from pathlib import PurePath
from typing import TYPE_CHECKING

from litestar.exceptions import PermissionDeniedException

from core.cases.errors import InvalidData
from core.cases.timeline import append_event
from core.i18n import gettext
from core.models.cases import Attachment
from core.storage import LocalStorage

if TYPE_CHECKING:
    from core.casetypes.definition import CaseTypeDef
    from core.models.cases import Case
    from core.storage import Storage
    from core.web.context import RequestContext

__all__ = ("ALLOWED", "MAX_BYTES", "attach", "storage_for")

MAX_BYTES = 10 * 1024 * 1024
# extension → (content type, magic prefixes; empty means "text, checked for NUL bytes")
ALLOWED: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)),
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (b"PK\x03\x04",)),
    ".doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    ".xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
    ".txt": ("text/plain; charset=utf-8", ()),
}


def storage_for(ctx: RequestContext) -> Storage:
    """The storage attachments go to (local disk under ``var/attachments``)."""
    return LocalStorage(ctx.settings.var_dir / "attachments")


def _check(filename: str, data: bytes) -> tuple[str, str]:
    """Return (safe name, content type) or raise :class:`InvalidData` with a clear message."""
    name = PurePath(filename.replace("\\", "/")).name.strip()[:200] or "file"
    suffix = PurePath(name).suffix.lower()
    if not data:
        raise InvalidData(gettext("The file is empty."), {"file": gettext("The file is empty.")})
    if len(data) > MAX_BYTES:
        message = gettext("The file is too large: at most %(mb)s MB.", mb=MAX_BYTES // (1024 * 1024))
        raise InvalidData(message, {"file": message})
    allowed = ALLOWED.get(suffix)
    if allowed is None:
        message = gettext("This type of file is not accepted. Accepted: %(types)s.", types=", ".join(sorted(ALLOWED)))
        raise InvalidData(message, {"file": message})
    content_type, magics = allowed
    if (magics and not data.startswith(magics)) or (not magics and b"\x00" in data[:4096]):
        message = gettext("The file's content does not match its name (%(ext)s).", ext=suffix)
        raise InvalidData(message, {"file": message})
    return name, content_type


async def attach(ctx: RequestContext, case: Case, definition: CaseTypeDef, filename: str, data: bytes) -> Attachment:
    """Store a file on the case and record it on the timeline (one transaction; bytes first)."""
    assert ctx.user is not None and ctx.district is not None
    if not (ctx.can(definition.resource, "edit") or ctx.can(definition.resource, "comment")):
        raise PermissionDeniedException(gettext("You do not have permission to do this."))
    name, content_type = _check(filename, data)
    stored = storage_for(ctx).save(data, prefix=f"{ctx.district.code}/{case.reference}")
    attachment = Attachment(
        district_id=ctx.district.id,
        case_id=case.id,
        name=name,
        content_type=content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_key=stored.key,
        uploaded_by_id=ctx.user.id,
    )
    ctx.session.add(attachment)
    await ctx.session.flush()
    await append_event(
        ctx.session,
        case,
        "attachment",
        ctx.user.id,
        {"id": attachment.id, "name": name, "size": stored.size, "sha256": stored.sha256},
    )
    return attachment
