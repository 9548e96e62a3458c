"""A case's comments, attachments and timeline over the API.

Each handler first proves the case is visible (:func:`core.cases.service.get_case`,
404 otherwise) and only then reads its rows.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from litestar import get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from sqlalchemy import select

from core.api.case_common import json_router, user_refs
from core.api.case_schemas import AttachmentOut, CommentIn, CommentOut, EventOut, PendingFileOut
from core.cases import service
from core.cases.attachments import (
    MAX_BYTES,
    PENDING_MAX_AGE,
    attach,
    open_attachment,
    pending_entry,
    stage_pending,
)
from core.context import RequestContext
from core.i18n import gettext
from core.models.cases import Attachment, Case, CaseEvent
from core.web.uploads import FileStream

__all__ = ("ACTIVITY_API",)

# Room for the multipart envelope around the largest accepted file, so a file just over
# the limit gets the clear "too large" message rather than a bare 413.
UPLOAD_BODY_LIMIT = MAX_BYTES + 1024 * 1024


async def _events(ctx: RequestContext, case: Case, kind: str | None = None) -> list[CaseEvent]:
    query = select(CaseEvent).where(CaseEvent.case_id == case.id)
    if kind is not None:
        query = query.where(CaseEvent.kind == kind)
    return list((await ctx.session.execute(query.order_by(CaseEvent.seq))).scalars())


async def _comments_out(ctx: RequestContext, events: list[CaseEvent]) -> list[CommentOut]:
    users = await user_refs(ctx, [e.actor_id for e in events])
    return [
        CommentOut(
            seq=e.seq,
            author=users.get(e.actor_id) if e.actor_id else None,
            at=e.at,
            text=str(e.payload.get("text", "")),
            mentions=[str(m.get("username")) for m in e.payload.get("mentions") or []],
        )
        for e in events
    ]


@get("/cases/{reference:str}/comments", summary="The case's comments, oldest first")
async def list_comments(ctx: RequestContext, reference: str) -> list[CommentOut]:
    case, _definition = await service.get_case(ctx, reference)
    return await _comments_out(ctx, await _events(ctx, case, "comment"))


@post("/cases/{reference:str}/comments", summary="Comment on the case (@username mentions a user)")
async def add_comment(ctx: RequestContext, reference: str, data: CommentIn) -> CommentOut:
    case, definition = await service.get_case(ctx, reference)
    event = await service.comment(ctx, case, definition, data.text)
    return (await _comments_out(ctx, [event]))[0]


def _attachment_url(ctx: RequestContext, case: Case, attachment_id: int) -> str:
    assert ctx.district is not None
    return f"/api/v1/districts/{ctx.district.code}/cases/{case.reference}/attachments/{attachment_id}"


async def _attachments_out(ctx: RequestContext, case: Case, rows: list[Attachment]) -> list[AttachmentOut]:
    users = await user_refs(ctx, [a.uploaded_by_id for a in rows])
    return [
        AttachmentOut(
            id=a.id,
            name=a.name,
            content_type=a.content_type,
            size=a.size,
            sha256=a.sha256,
            uploaded_by=users.get(a.uploaded_by_id) if a.uploaded_by_id else None,
            created_at=a.created_at,
            url=_attachment_url(ctx, case, a.id),
        )
        for a in rows
    ]


@get("/cases/{reference:str}/attachments", summary="The case's files")
async def list_attachments(ctx: RequestContext, reference: str) -> list[AttachmentOut]:
    case, _definition = await service.get_case(ctx, reference)
    rows = await ctx.session.execute(select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.id))
    return await _attachments_out(ctx, case, list(rows.scalars()))


@post(
    "/cases/{reference:str}/attachments",
    summary="Upload a file (multipart field `file`; size and type limits checked on the bytes)",
    request_max_body_size=UPLOAD_BODY_LIMIT,
)
async def upload_attachment(
    ctx: RequestContext,
    reference: str,
    data: Annotated[UploadFile, Body(media_type=RequestEncodingType.MULTI_PART)],
) -> AttachmentOut:
    case, definition = await service.get_case(ctx, reference)
    content = await data.read()
    attachment = await attach(ctx, case, definition, data.filename or "", content)
    return (await _attachments_out(ctx, case, [attachment]))[0]


@post(
    "/case-types/{type_key:str}/attachments",
    summary="Upload a file for a new case or a step of this type (multipart field `file`); claim it in that call",
    description=(
        "For a `file` field (required ones included) of `POST /cases`, or of a step "
        "(`POST /cases/{reference}/transitions`): upload each file here first, then send "
        '`{"id": …, "token": …}` of the answer in the field\'s list. Same size and type limits as a '
        "case's attachments; you need `create` on the type or one of its steps. Only the uploader may "
        "claim the file, once, within a day; it is then linked to the case and recorded on its timeline. "
        "Unclaimed files are deleted after a day."
    ),
    request_max_body_size=UPLOAD_BODY_LIMIT,
)
async def upload_pending(
    ctx: RequestContext,
    type_key: str,
    data: Annotated[UploadFile, Body(media_type=RequestEncodingType.MULTI_PART)],
) -> PendingFileOut:
    _row, definition = await service.case_type(ctx, type_key)
    attachment = await stage_pending(  # 403 unless the user may file a case of the type or take one of its steps
        ctx, definition, data.filename or "", await data.read()
    )
    entry = pending_entry(ctx, attachment)
    return PendingFileOut(
        id=attachment.id,
        name=attachment.name,
        content_type=attachment.content_type,
        size=attachment.size,
        sha256=attachment.sha256,
        token=entry["token"],
        expires_at=attachment.created_at + PENDING_MAX_AGE,
    )


@get(
    "/cases/{reference:str}/attachments/{attachment_id:int}",
    summary="Download a file",
    media_type="application/octet-stream",
    response_description="The file's bytes, with its content type",
)
async def download_attachment(ctx: RequestContext, reference: str, attachment_id: int) -> FileStream:
    case, _definition = await service.get_case(ctx, reference)
    attachment = (
        await ctx.session.execute(
            select(Attachment).where(Attachment.id == attachment_id, Attachment.case_id == case.id)
        )
    ).scalar_one_or_none()
    if attachment is None:
        raise NotFoundException(gettext("No such file."))
    content = await open_attachment(ctx, attachment)
    if content is None:
        raise NotFoundException(gettext("This file is no longer stored."))
    disposition = f"attachment; filename*=UTF-8''{quote(attachment.name)}"
    return FileStream(
        content,
        media_type=attachment.content_type,
        headers={"content-disposition": disposition, "x-content-type-options": "nosniff"},
    )


@get("/cases/{reference:str}/timeline", summary="The case's append-only, hash-chained history, oldest first")
async def timeline(ctx: RequestContext, reference: str) -> list[EventOut]:
    case, _definition = await service.get_case(ctx, reference)
    events = await _events(ctx, case)
    users = await user_refs(ctx, [e.actor_id for e in events])
    return [
        EventOut(
            seq=e.seq,
            kind=e.kind,
            actor=users.get(e.actor_id) if e.actor_id else None,
            at=e.at,
            payload=e.payload,
            hash=e.hash,
            prev_hash=e.prev_hash,
        )
        for e in events
    ]


ACTIVITY_API = json_router(
    [list_comments, add_comment, list_attachments, upload_attachment, upload_pending, download_attachment, timeline],
    "cases",
)
