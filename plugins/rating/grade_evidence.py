"""Evidence for the grade self-assessment: photos and PDFs the organization offers per indicator.

Uploaded from a phone or a computer while the self-assessment is open; each file at most
8 MB, a JPEG or PNG photo or a PDF (checked by its first bytes, not only its name), at most
``FILES_PER_INDICATOR`` per indicator. The bytes go to the core's storage (``SANSHE_STORAGE``);
the staff, the organization and the panel's experts (whoever may see the evaluation) open
them. Refusals are Chinese first (English in the English UI) and write nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from core.plugin_api import PHOTOS_AND_PDF, Forbidden, NotFound, Refusal, content_type_of, localized, safe_name
from plugins.rating import grading, service
from plugins.rating.models_grades import GradeEvaluation
from plugins.rating.models_process import GradeEvidence

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import RequestContext

__all__ = ("FILES_PER_INDICATOR", "FILE_MAX_BYTES", "add", "check_file", "evidence_of", "get", "remove")

FILE_MAX_BYTES = 8 * 1024 * 1024
FILES_PER_INDICATOR = 5
ACCEPT = "image/jpeg,image/png,application/pdf,.jpg,.jpeg,.png,.pdf"

Store = Callable[[bytes], Awaitable[Any]]


def _refuse(zh: str, en: str, field: str = "file") -> Refusal:
    return Refusal(zh, en, errors={field: localized(zh, en)})


def check_file(filename: str, data: bytes) -> tuple[str, str]:
    """(safe name, content type) of a JPEG/PNG photo or a PDF of at most 8 MB, else a refusal."""
    name = safe_name(filename)
    if not data:
        raise _refuse("请选择要上传的照片或 PDF 文件", "Choose a photo or a PDF to upload")
    if len(data) > FILE_MAX_BYTES:
        raise _refuse(f"“{name}”太大：每个文件最多 8 MB", f"“{name}” is too large: at most 8 MB each")
    content_type = content_type_of(name, data, PHOTOS_AND_PDF)
    if content_type is None:
        raise _refuse(f"“{name}”不是 JPEG/PNG 照片或 PDF 文件", f"“{name}” is not a JPEG or PNG photo or a PDF")
    return name, content_type


async def evidence_of(session: AsyncSession, evaluation_id: int) -> dict[int, list[GradeEvidence]]:
    """The evaluation's files by indicator id, oldest first."""
    query = select(GradeEvidence).where(GradeEvidence.evaluation_id == evaluation_id).order_by(GradeEvidence.id)
    found: dict[int, list[GradeEvidence]] = {}
    for row in (await session.execute(query)).scalars():
        found.setdefault(row.indicator_id, []).append(row)
    return found


async def _may_upload(ctx: RequestContext, ev: GradeEvaluation) -> None:
    if not await service.may_respond(ctx, ev.organization_id):
        raise Forbidden("只有该组织的工作人员可以上传佐证材料", "Only the organization's staff upload evidence")
    if ev.status != "self_assessment":
        raise Refusal(
            "自评已经提交，佐证材料不能再更改", "The self-assessment was handed in: evidence is closed", status_code=409
        )


async def add(
    ctx: RequestContext, ev: GradeEvaluation, indicator_code: str, filename: str, data: bytes, store: Store
) -> GradeEvidence:
    """Keep one file for the indicator ``indicator_code`` of the evaluation's tree."""
    assert ctx.district is not None
    await _may_upload(ctx, ev)
    tree = {i.code: i for i in await grading.indicators(ctx.session, ev.org_type, ev.tree_version)}
    indicator = tree.get((indicator_code or "").strip())
    if indicator is None:
        raise _refuse("请选择指标", "Choose the indicator", "indicator")
    name, content_type = check_file(filename, data)
    # Counted under the evaluation's row lock (PostgreSQL; SQLite writers begin IMMEDIATE): uploads sent at
    # the same moment are counted one after the other, so no indicator ends up with more than the limit.
    await ctx.session.execute(select(GradeEvaluation.id).where(GradeEvaluation.id == ev.id).with_for_update())
    count = (
        await ctx.session.execute(
            select(func.count())
            .select_from(GradeEvidence)
            .where(GradeEvidence.evaluation_id == ev.id, GradeEvidence.indicator_id == indicator.id)
        )
    ).scalar_one()
    if count >= FILES_PER_INDICATOR:
        raise _refuse(
            f"指标 {indicator.code} 最多 {FILES_PER_INDICATOR} 个文件，请先删除不需要的",
            f"Indicator {indicator.code} takes at most {FILES_PER_INDICATOR} files: delete one first",
        )
    stored = await store(data)
    row = GradeEvidence(
        district_id=ctx.district.id,
        evaluation_id=ev.id,
        indicator_id=indicator.id,
        name=name,
        content_type=content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_key=stored.key,
        uploaded_by_id=ctx.user.id if ctx.user else None,
    )
    ctx.session.add(row)
    await ctx.session.flush()
    return row


async def get(ctx: RequestContext, evidence_id: int) -> tuple[GradeEvidence, GradeEvaluation]:
    """A file and its evaluation, for whoever may see the evaluation (else 404)."""
    row = (await ctx.session.execute(select(GradeEvidence).where(GradeEvidence.id == evidence_id))).scalar_one_or_none()
    if row is None:
        raise NotFound("没有这份佐证材料", "No such evidence")
    ev = await grading.get_evaluation(ctx.session, row.evaluation_id)
    if not await grading.may_see(ctx, ev):
        raise NotFound("没有这份佐证材料", "No such evidence")
    return row, ev


async def remove(ctx: RequestContext, row: GradeEvidence, ev: GradeEvaluation) -> str:
    """Delete a file while the self-assessment is open; returns its storage key (the caller deletes the bytes)."""
    await _may_upload(ctx, ev)
    key = row.storage_key
    await ctx.session.delete(row)
    await ctx.session.flush()
    return key
