"""Importing paper service slips: ``/time-bank/banks/{bank}/import`` (upload, then the result or every error)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body

from core.plugin_api import RequestContext, page
from core.plugin_api import gettext as _
from plugins.time_bank import banks, importer
from plugins.time_bank.manifest import KEY

__all__ = ("IMPORT_ROUTES",)

Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
COLUMN_NAMES = {
    "volunteer": "志愿者",
    "served": "服务对象",
    "category": "类别",
    "date": "服务日期",
    "hours": "时长（小时）",
}


@get("/time-bank/banks/{bank_id:int}/import", name="time_bank:import_form")
async def import_form(request: Request[Any, Any, Any], ctx: RequestContext, bank_id: int) -> Response[Any]:
    """The upload form, with the columns the file needs."""
    ctx.require(KEY, "staff")
    bank = await banks.require_staff(ctx, bank_id)
    return await page(request, ctx, "time_bank/import.html", bank=bank, result=None, columns=COLUMN_NAMES)


@post("/time-bank/banks/{bank_id:int}/import", name="time_bank:import", status_code=200)
async def import_upload(
    request: Request[Any, Any, Any], ctx: RequestContext, bank_id: int, data: Upload
) -> Response[Any]:
    """Import every slip or none; the answer lists each row's errors (400) or what was credited."""
    ctx.require(KEY, "staff")
    bank = await banks.require_staff(ctx, bank_id)
    upload = data.get("file")
    if not isinstance(upload, UploadFile):
        result = importer.ImportResult(errors=[importer.RowError(0, "", _("Choose a file to upload."))])
    else:
        content = await upload.read(importer.MAX_BYTES + 1)
        try:
            async with ctx.session.begin_nested():
                result = await importer.import_slips(
                    ctx.session, bank, upload.filename or "", content, by=ctx.user.id if ctx.user else None
                )
                if result.errors:
                    raise importer.ImportFailed(result.errors)
        except importer.ImportFailed as failed:
            result = importer.ImportResult(errors=failed.errors)
    return await page(
        request,
        ctx,
        "time_bank/import.html",
        status_code=400 if result.errors else 200,
        bank=bank,
        result=result,
        columns=COLUMN_NAMES,
        fmt=banks.fmt,
    )


IMPORT_ROUTES = [import_form, import_upload]
