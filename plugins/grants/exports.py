"""XLSX export of a call's scores: one row per review (application, reviewer, each criterion, weighted
score) and the ranking (raw and normalised). openpyxl, write-only workbook."""

from __future__ import annotations

from io import BytesIO
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.plugin_api import User, organizations
from plugins.grants.models import Application, Call, Review
from plugins.grants.reviews import ranking
from plugins.grants.scoring import review_score

if TYPE_CHECKING:
    from core.plugin_api import RequestContext

__all__ = ("scores_xlsx",)


async def scores_xlsx(ctx: RequestContext, call: Call) -> bytes:
    """The workbook: sheet 评分明细 (every submitted review) and sheet 排名 (the ranking)."""
    from openpyxl import Workbook  # noqa: PLC0415

    assert ctx.district is not None
    book = Workbook(write_only=True)
    detail = book.create_sheet("评分明细")
    detail.append(
        [
            "项目",
            "申报组织",
            "评审人",
            *[f"{c.name}（权重 {c.weight}）" for c in call.criteria],
            "加权得分（满分 100）",
            "提交时间",
        ]
    )
    query = (
        select(Application, Review, User.display_name)
        .join(Review, Review.application_id == Application.id)
        .join(User, User.id == Review.reviewer_id)
        .where(Application.call_id == call.id, Review.submitted_at.is_not(None))
        .order_by(Application.id, User.display_name)
    )
    names: dict[int, str] = {}
    for app, review, reviewer in (await ctx.session.execute(query)).all():
        if app.organization_id not in names:
            org = await organizations.get_organization(ctx.session, ctx.district, app.organization_id)
            names[app.organization_id] = org.name
        marks = [review.scores.get(str(c.id)) for c in call.criteria]
        detail.append(
            [
                app.title,
                names[app.organization_id],
                reviewer,
                *["不适用" if m is None else m for m in marks],
                review_score(call.criteria, review.scores),
                review.submitted_at.isoformat() if review.submitted_at else "",
            ]
        )
    sheet = book.create_sheet("排名")
    sheet.append(["名次", "项目", "校准分", "原始加权平均分", "评审数", "申请金额（元）"])
    for row in await ranking(ctx, call):
        sheet.append(
            [row.rank, row.application.title, row.normalised, row.raw, row.reviews, row.application.requested_fen / 100]
        )
    out = BytesIO()
    book.save(out)
    return out.getvalue()
