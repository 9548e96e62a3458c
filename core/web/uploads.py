"""Files sent with a form (multipart) for its ``file`` fields, kept at once as *pending* attachments.

Shared by the new-case form and the step form of the case page: every accepted upload
becomes a pending file (:func:`core.cases.attachments.stage_pending`) whose entry, claim
token included, is added to its field's input, so the form can come back with the file
listed (a ticked checkbox) when anything else is wrong, and nothing has to be chosen
again. A refused file gives its field the reason, named by the file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar.response import Stream

from core.cases.attachments import MAX_BYTES, pending_entry, stage_pending
from core.cases.errors import InvalidData
from core.i18n import gettext

if TYPE_CHECKING:
    from collections.abc import Iterable

    from core.casetypes.definition import CaseTypeDef
    from core.context import RequestContext

__all__ = ("BODY_LIMIT", "FileStream", "file_keys", "refusal", "stage_uploads")


class FileStream(Stream):
    """A download streamed from the storage, with the file's own content type.

    (Litestar's ``Stream`` lets the route's ``media_type`` win over its own; a file keeps its type.)
    """

    def to_asgi_response(self, *args: Any, media_type: Any = None, **kwargs: Any) -> Any:
        return super().to_asgi_response(*args, media_type=self.media_type or media_type, **kwargs)

# Room for a few files at the size limit, so one just over it gets the clear "too large" message.
BODY_LIMIT = 5 * MAX_BYTES + 1024 * 1024


def file_keys(definition: CaseTypeDef, offered: Iterable[str]) -> tuple[str, ...]:
    """The offered fields that are ``file`` fields."""
    return tuple(k for k in offered if (f := definition.form.get(k)) is not None and f.type == "file")


def refusal(filename: str, exc: InvalidData) -> str:
    """Why a file was refused, named by the file (``photo.exe：不接受这种类型的文件…``)."""
    return gettext("%(name)s: %(problem)s", name=filename, problem=exc.errors.get("file") or exc.message)


async def stage_uploads(
    ctx: RequestContext,
    definition: CaseTypeDef,
    offered: Iterable[str],
    uploads: dict[str, list[Any]],
    values: dict[str, Any],
    errors: dict[str, str],
) -> int:
    """Keep every accepted upload as a pending file in its field's input; a refused one gets its field an error.

    Returns how many files were kept (the caller commits them, so they outlive an answer
    that rolls the request back).
    """
    staged = 0
    for key in file_keys(definition, offered):
        if not uploads.get(key):
            continue
        entries = [e for e in values.get(key) or [] if isinstance(e, dict)]
        for upload in uploads[key]:
            try:
                attachment = await stage_pending(ctx, definition, upload.filename, await upload.read())
            except InvalidData as exc:
                errors[key] = refusal(upload.filename, exc)
                continue
            entries.append(pending_entry(ctx, attachment))
            staged += 1
        values[key] = entries
    return staged
