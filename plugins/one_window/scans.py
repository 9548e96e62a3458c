"""Scans of the documents received at the window (材料扫描件): a photo or PDF attached to a ticked checklist line.

The window worker scans what the resident handed over, on the intake's page or through the
API, right after recording the request or when a document is brought later. A scan is a
JPEG, PNG or PDF of at most 10 MB whose first bytes are of its type (a renamed program is
refused), attached to a document the intake has received; an intake keeps at most
``MAX_SCANS`` scans. Who may open them: staff who see the intakes, and the officers of a
department the request was sent to (they check the documents too).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from litestar.datastructures import UploadFile
from sqlalchemy import func, select

from core.plugin_api import PHOTOS_AND_PDF, InvalidData, content_type_of, safe_name, storage_for
from core.plugin_api import gettext as _
from plugins.one_window.manifest import KEY
from plugins.one_window.models import Intake, IntakeStatus, Scan

if TYPE_CHECKING:
    from core.plugin_api import RequestContext

__all__ = (
    "BODY_LIMIT",
    "MAX_BYTES",
    "MAX_SCANS",
    "add_scan",
    "attach_upload",
    "grouped",
    "may_see_scans",
    "scans_of",
)

MAX_BYTES = 10 * 1024 * 1024  # one scan
MAX_SCANS = 30  # per intake
BODY_LIMIT = MAX_BYTES + 1024 * 1024  # one request: one scan and the form's fields


def _refuse(message: str) -> InvalidData:
    return InvalidData(message, {"file": message})


async def add_scan(
    ctx: RequestContext,
    intake: Intake,
    document: int,
    filename: str,
    data: bytes,
    store: Callable[[bytes], Awaitable[Any]],
) -> Scan:
    """Attach a scan of the intake's received document ``document`` (an index into its checklist).

    The intake's row is locked first (PostgreSQL; SQLite's writers take turns), so scans
    added at the same moment count one after the other and never pass ``MAX_SCANS``.
    """
    assert ctx.district is not None and ctx.user is not None
    await ctx.session.refresh(intake, with_for_update=True)
    if intake.status == IntakeStatus.REFUSED:
        raise _refuse(_("This request was not accepted; it takes no more documents."))
    if not 0 <= document < len(intake.documents) or document not in (intake.received or []):
        raise InvalidData(_("Please correct the marked fields."), {"document": _("Choose a document received.")})
    name = safe_name(filename, default="scan")
    content_type = content_type_of(name, data, PHOTOS_AND_PDF)
    if not data:
        raise _refuse(_("“%(name)s” is empty.", name=name))
    if len(data) > MAX_BYTES:
        raise _refuse(_("“%(name)s” is too large: at most 10 MB each.", name=name))
    if content_type is None:
        raise _refuse(_("“%(name)s” is not accepted: upload a JPEG or PNG photo or a PDF.", name=name))
    count = select(func.count()).select_from(Scan).where(Scan.intake_id == intake.id)
    if int((await ctx.session.execute(count)).scalar_one()) >= MAX_SCANS:
        raise _refuse(_("This request has %(n)s scans already, the most it may have.", n=MAX_SCANS))
    kept = await store(data)  # the storage's StoredFile
    scan = Scan(
        district_id=ctx.district.id,
        intake_id=intake.id,
        document=document,
        name=name,
        content_type=content_type,
        size=len(data),
        key=kept.key,
        created_by=ctx.user.id,
    )
    ctx.session.add(scan)
    await ctx.session.flush()
    return scan


async def attach_upload(ctx: RequestContext, intake: Intake, data: dict[str, Any]) -> Scan:
    """A posted multipart form (``document``: the checklist index, ``file``) as a scan, kept in the installation's
    storage under ``one_window/{district}/scans`` — for the intake's page and the API alike."""
    assert ctx.district is not None
    upload = data.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise _refuse(_("Choose a file to upload."))
    raw = str(data.get("document", ""))
    content = await upload.read(MAX_BYTES + 1)
    storage = storage_for(ctx)
    prefix = f"one_window/{ctx.district.code}/scans"
    document = int(raw) if raw.isdigit() else -1
    return await add_scan(ctx, intake, document, upload.filename, content, lambda b: storage.save(b, prefix=prefix))


async def scans_of(ctx: RequestContext, intake_id: int) -> list[Scan]:
    """The intake's scans, oldest first."""
    query = select(Scan).where(Scan.intake_id == intake_id).order_by(Scan.id)
    return list((await ctx.session.execute(query)).scalars())


async def may_see_scans(ctx: RequestContext, intake: Intake) -> bool:
    """Staff who see the intakes, or an officer of a department the request was sent to."""
    if ctx.can(KEY, "view"):
        return True
    if not ctx.can(KEY, "department"):
        return False
    from plugins.one_window.backoffice import department_ids  # noqa: PLC0415
    from plugins.one_window.models_backoffice import Step  # noqa: PLC0415

    mine = department_ids(ctx)
    query = select(func.count()).select_from(Step).where(Step.intake_id == intake.id, Step.department_id.in_(mine))
    return bool(mine) and int((await ctx.session.execute(query)).scalar_one()) > 0


def grouped(scans: list[Scan]) -> dict[int, list[Scan]]:
    """The scans by the index of their document."""
    found: dict[int, list[Scan]] = {}
    for scan in scans:
        found.setdefault(scan.document, []).append(scan)
    return found
