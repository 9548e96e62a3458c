"""XLSX export of a call's scores: one row per review (application, reviewer, each criterion, weighted
score), the ranking (raw and normalised), and what each application says — its standard fields and the
answers to the call's own questions (the builder form). openpyxl, write-only workbook."""

from __future__ import annotations

from io import BytesIO
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.plugin_api import User, display_value, organizations
from plugins.grants.models import Application, Call, Review
from plugins.grants.reviews import ranking
from plugins.grants.scoring import review_score

if TYPE_CHECKING:
    from core.plugin_api import RequestContext

__all__ = ("scores_xlsx",)

STATUS_ZH = {
    "submitted": "已提交，待形式审查",
    "more_info": "需要补充材料",
    "screened": "评审中",
    "dismissed": "不予受理",
    "approved": "获资助",
    "rejected": "未获资助",
    "closed": "已结项",
}


async def scores_xlsx(ctx: RequestContext, call: Call) -> bytes:
    """The workbook: sheet 评分明细 (every submitted review), sheet 排名 (the ranking) and sheet 申报内容
    (every application past its draft: the standard fields, then one column per question of the call)."""
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
    await _answers_sheet(ctx, call, book.create_sheet("申报内容"), names)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(field: Any, value: Any, locale: str) -> Any:
    """A number stays a number (so the sheet sorts and sums it); anything else as the pages show it."""
    if field.type in ("integer", "decimal") and isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return display_value(field, value, locale)


async def _answers_sheet(ctx: RequestContext, call: Call, sheet: Any, names: dict[int, str]) -> None:
    """One row per application past its draft: title, organization, category, amounts, summary,
    beneficiaries, then the answers to the call's questions as the pages show them (choices by label)."""
    from plugins.grants.extra import application_form, asked_fields  # noqa: PLC0415
    from plugins.grants.models_extra import GrantAnswers  # noqa: PLC0415

    assert ctx.district is not None
    definition = await application_form(ctx, call)
    asked = set(asked_fields(definition)) if definition is not None else set()
    fields = [f for f in definition.form.fields if f.key in asked] if definition is not None else []
    sheet.append(
        [
            "项目",
            "申报组织",
            "类别",
            "状态",
            "申请金额（元）",
            "自筹配套（元）",
            "项目概述",
            "受益对象",
            *[f.label(ctx.locale) for f in fields],
        ]
    )
    categories = {c.id: c.name for c in call.categories}
    query = (
        select(Application, GrantAnswers.answers)
        .outerjoin(GrantAnswers, GrantAnswers.application_id == Application.id)
        .where(Application.call_id == call.id, Application.status != "draft")
        .order_by(Application.id)
    )
    for app, answers in (await ctx.session.execute(query)).all():
        if app.organization_id not in names:
            org = await organizations.get_organization(ctx.session, ctx.district, app.organization_id)
            names[app.organization_id] = org.name
        given = answers or {}
        sheet.append(
            [
                app.title,
                names[app.organization_id],
                categories.get(app.category_id or 0, ""),
                STATUS_ZH.get(app.status, app.status),
                app.requested_fen / 100,
                app.own_contribution_fen / 100,
                app.summary,
                app.beneficiaries,
                *[_cell(f, given[f.key], ctx.locale) if f.key in given else "" for f in fields],
            ]
        )
