"""JSON API of the grade evaluation (社会组织等级评估) under ``/api/v1/districts/{district}/rating``.

The same rules as the pages (:mod:`plugins.rating.grading`); points are numbers with at most
one decimal (``8.5``); the panel mean per indicator has two decimals.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Annotated, TypedDict

from litestar import delete, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter

from core.plugin_api import Code, LongText, MissingFile, NotFound, RequestContext, Title, storage_for
from plugins.rating import grade_evidence, grading, service
from plugins.rating.manifest import KEY
from plugins.rating.models_grades import EVALUATION_STATES

if TYPE_CHECKING:
    from plugins.rating.models_grades import GradeEvaluation, GradeIndicator, GradeObjection

__all__ = ("GRADE_API_ROUTES",)


class ApplyIn(TypedDict):
    """An application: the organization, the evaluation year, whether last year's annual report was filed."""

    organization_id: int
    year: int
    annual_report_filed: bool


class ScoreIn(TypedDict, total=False):
    """Points for one indicator (by its code, e.g. ``2.3``) and a note or evidence."""

    code: Code
    points: float
    note: LongText


class SelfAssessmentIn(TypedDict, total=False):
    """The organization's scores; ``submit`` hands the self-assessment in (every indicator needed then)."""

    scores: list[ScoreIn]
    submit: bool


class ExpertScoresIn(TypedDict):
    """An expert's points for every indicator."""

    scores: list[ScoreIn]


class ExpertIn(TypedDict):
    user_id: int


class NoteIn(TypedDict):
    note: LongText


class ObjectionIn(TypedDict):
    reason: LongText


class AnswerIn(TypedDict):
    answer: LongText


class IndicatorIn(TypedDict):
    """An indicator to add or change (by code) in the newest version of the type's tree."""

    org_type: Code
    code: Code
    section: Code  # basic | governance | performance | social | bonus
    name: Title
    max_points: int


@dataclass(frozen=True)
class IndicatorOut:
    id: int
    org_type: str
    version: int
    section: str
    code: str
    name: str
    max_points: int

    @classmethod
    def of(cls, i: GradeIndicator) -> IndicatorOut:
        return cls(i.id, i.org_type, i.version, i.section, i.code, i.name, i.max_points)


@dataclass(frozen=True)
class IndicatorScoreOut:
    code: str
    section: str
    name: str
    max_points: int
    self_points: float | None
    self_note: str
    panel_mean: float | None
    experts: int


@dataclass(frozen=True)
class EvaluationOut:
    id: int
    organization_id: int
    year: int
    org_type: str
    tree_version: int
    status: str
    status_label: str
    total: int | None
    grade: str | None
    grade_id: int | None
    publicity_until: date | None
    valid_from: date | None
    valid_until: date | None
    indicators: list[IndicatorScoreOut]


@dataclass(frozen=True)
class PanelMemberOut:
    user_id: int
    submitted: bool


@dataclass(frozen=True)
class ObjectionOut:
    id: int
    grade_id: int
    reason: str
    answer: str
    answered: bool

    @classmethod
    def of(cls, o: GradeObjection) -> ObjectionOut:
        return cls(o.id, o.grade_id, o.reason, o.answer, o.answered_at is not None)


def _scores(items: list[ScoreIn]) -> dict[str, tuple[object, str]]:
    return {str(s.get("code", "")): (s.get("points"), str(s.get("note") or "")) for s in items}


async def _out(ctx: RequestContext, ev: GradeEvaluation, *, detail: bool = True) -> EvaluationOut:
    grade = await service.get_grade(ctx.session, ev.grade_id) if ev.grade_id else None
    rows = await grading.rows_of(ctx, ev) if detail else []
    return EvaluationOut(
        ev.id,
        ev.organization_id,
        ev.year,
        ev.org_type,
        ev.tree_version,
        ev.status,
        grading.state_label(ev.status),
        ev.total,
        ev.grade,
        ev.grade_id,
        grade.publicity_until if grade else None,
        grade.valid_from if grade else None,
        grade.valid_until if grade else None,
        [
            IndicatorScoreOut(
                r.indicator.code,
                r.indicator.section,
                r.indicator.name,
                r.indicator.max_points,
                r.self_tenths / 10 if r.self_tenths is not None else None,
                r.self_note,
                round(float(r.panel_mean) / 10, 2) if r.panel_mean is not None else None,
                r.experts,
            )
            for r in rows
        ],
    )


async def _visible(ctx: RequestContext, evaluation_id: int) -> GradeEvaluation:
    ev = await grading.get_evaluation(ctx.session, evaluation_id)
    if not await grading.may_see(ctx, ev):
        raise NotFound("没有这项等级评估", "No such grade evaluation")
    return ev


@get("/rating/grade-evaluations", name="rating:api:grade_evaluations", summary="Grade evaluations one may see")
async def api_evaluations(ctx: RequestContext, status: str | None = None) -> list[EvaluationOut]:
    """Staff: every one (``status`` filters); an organization: its own; an expert: those on their panel."""
    chosen = status if status in EVALUATION_STATES else None
    return [await _out(ctx, ev, detail=False) for ev in await grading.evaluations_for(ctx, chosen)]


@post("/rating/grade-evaluations", name="rating:api:grade_apply", summary="Apply for the grade evaluation")
async def api_apply(ctx: RequestContext, data: ApplyIn) -> EvaluationOut:
    """Refused (422, with the reasons) when the organization is not eligible."""
    ev = await grading.apply(
        ctx,
        organization_id=data["organization_id"],
        year=data["year"],
        annual_report_filed=bool(data["annual_report_filed"]),
    )
    return await _out(ctx, ev)


@get("/rating/grade-evaluations/{evaluation_id:int}", name="rating:api:grade_evaluation", summary="One evaluation")
async def api_evaluation(ctx: RequestContext, evaluation_id: int) -> EvaluationOut:
    return await _out(ctx, await _visible(ctx, evaluation_id))


@post(
    "/rating/grade-evaluations/{evaluation_id:int}/self-assessment",
    name="rating:api:grade_self",
    summary="The organization's self-assessment (save, or hand in with submit)",
)
async def api_self(ctx: RequestContext, evaluation_id: int, data: SelfAssessmentIn) -> EvaluationOut:
    ev = await grading.get_evaluation(ctx.session, evaluation_id)
    await grading.save_self_assessment(ctx, ev, _scores(data.get("scores") or []), submit=bool(data.get("submit")))
    return await _out(ctx, ev)


@post(
    "/rating/grade-evaluations/{evaluation_id:int}/panel",
    name="rating:api:grade_panel",
    summary="Put an expert on the panel (staff; a member of the organization is refused)",
)
async def api_panel(ctx: RequestContext, evaluation_id: int, data: ExpertIn) -> list[PanelMemberOut]:
    ev = await grading.get_evaluation(ctx.session, evaluation_id)
    await grading.assign_expert(ctx, ev, data["user_id"])
    return [PanelMemberOut(m.user_id, m.submitted_at is not None) for m in await grading.panel(ctx.session, ev.id)]


@post(
    "/rating/grade-evaluations/{evaluation_id:int}/expert-scores",
    name="rating:api:grade_expert_scores",
    summary="An expert hands in points for every indicator",
)
async def api_expert_scores(ctx: RequestContext, evaluation_id: int, data: ExpertScoresIn) -> PanelMemberOut:
    ev = await grading.get_evaluation(ctx.session, evaluation_id)
    member = await grading.submit_expert_scores(ctx, ev, _scores(data["scores"]))
    return PanelMemberOut(member.user_id, True)


@post(
    "/rating/grade-evaluations/{evaluation_id:int}/close-scoring",
    name="rating:api:grade_close",
    summary="Close the scoring: total, grade by the district's bands, publicity",
)
async def api_close(ctx: RequestContext, evaluation_id: int) -> EvaluationOut:
    ctx.require(KEY, "manage")
    ev = await grading.close_scoring(ctx, await grading.get_evaluation(ctx.session, evaluation_id))
    return await _out(ctx, ev)


@post(
    "/rating/grade-evaluations/{evaluation_id:int}/end-publicity",
    name="rating:api:grade_end_publicity",
    summary="End the publicity (every objection answered): review",
)
async def api_end_publicity(ctx: RequestContext, evaluation_id: int) -> EvaluationOut:
    ctx.require(KEY, "manage")
    ev = await grading.end_publicity(ctx, await grading.get_evaluation(ctx.session, evaluation_id))
    return await _out(ctx, ev)


@post(
    "/rating/grade-evaluations/{evaluation_id:int}/confirm",
    name="rating:api:grade_confirm",
    summary="Record the review and confirm the grade",
)
async def api_confirm(ctx: RequestContext, evaluation_id: int, data: NoteIn) -> EvaluationOut:
    ctx.require(KEY, "manage")
    ev = await grading.confirm(ctx, await grading.get_evaluation(ctx.session, evaluation_id), data["note"])
    return await _out(ctx, ev)


class WithdrawIn(TypedDict):
    reason: LongText


@post(
    "/rating/grade-evaluations/{evaluation_id:int}/withdraw",
    name="rating:api:grade_withdraw",
    summary="The organization withdraws its application before the result (409 after it)",
)
async def api_withdraw(ctx: RequestContext, evaluation_id: int, data: WithdrawIn) -> EvaluationOut:
    ev = await _visible(ctx, evaluation_id)
    return await _out(ctx, await grading.withdraw(ctx, ev, data["reason"]))


@post("/rating/grades/{grade_id:int}/objections", name="rating:api:grade_object", summary="Object to a grade")
async def api_object(ctx: RequestContext, grade_id: int, data: ObjectionIn) -> ObjectionOut:
    """Anyone logged in, during the publicity period, with a reason."""
    grade = await service.get_grade(ctx.session, grade_id)
    return ObjectionOut.of(await service.object_to_grade(ctx, grade, data["reason"]))


@post(
    "/rating/grade-objections/{objection_id:int}/answer",
    name="rating:api:grade_objection_answer",
    summary="Staff answer an objection",
)
async def api_answer(ctx: RequestContext, objection_id: int, data: AnswerIn) -> ObjectionOut:
    ctx.require(KEY, "manage")
    objection = await service.get_objection(ctx.session, objection_id)
    return ObjectionOut.of(await service.answer_objection(ctx, objection, data["answer"]))


@get("/rating/grade-indicators", name="rating:api:grade_indicators", summary="The indicator tree of a type")
async def api_indicators(
    ctx: RequestContext,
    org_type: str = "social_group",
    version: Annotated[int | None, Parameter(description="a version of the tree", ge=1, le=2**31 - 1)] = None,
) -> list[IndicatorOut]:
    """The newest version unless ``version`` is given; empty until the district uses or edits the tree."""
    if not (ctx.can(KEY, "manage") or ctx.can(KEY, "indicators")):
        ctx.require(KEY, "indicators")
    chosen = version or await grading.latest_version(ctx.session, org_type)
    return [IndicatorOut.of(i) for i in await grading.indicators(ctx.session, org_type, chosen)]


@post("/rating/grade-indicators", name="rating:api:grade_indicator_save", summary="Add or change an indicator")
async def api_indicator_save(ctx: RequestContext, data: IndicatorIn) -> IndicatorOut:
    """District admin; a version an evaluation uses is copied to a new version first."""
    row = await grading.save_indicator(
        ctx,
        org_type=data["org_type"],
        code=data["code"],
        section=data["section"],
        name=data["name"],
        max_points=data["max_points"],
    )
    return IndicatorOut.of(row)


@dataclass(frozen=True)
class EvidenceOut:
    id: int
    evaluation_id: int
    indicator_code: str
    name: str
    content_type: str
    size: int
    url: str


@dataclass
class EvidenceIn:
    """One photo (JPEG, PNG) or PDF of at most 8 MB for an indicator (by its code, e.g. 2.2); multipart."""

    indicator: Code
    file: UploadFile


async def _evidence_out(ctx: RequestContext, ev: GradeEvaluation) -> list[EvidenceOut]:
    codes = {i.id: i.code for i in await grading.indicators(ctx.session, ev.org_type, ev.tree_version)}
    found = await grade_evidence.evidence_of(ctx.session, ev.id)
    return [
        EvidenceOut(
            f.id,
            ev.id,
            codes.get(f.indicator_id, ""),
            f.name,
            f.content_type,
            f.size,
            ctx.url(f"/rating/grade-evidence/{f.id}"),
        )
        for rows in found.values()
        for f in rows
    ]


@get(
    "/rating/grade-evaluations/{evaluation_id:int}/evidence",
    name="rating:api:grade_evidence",
    summary="The self-assessment's evidence files per indicator",
)
async def api_evidence(ctx: RequestContext, evaluation_id: int) -> list[EvidenceOut]:
    return await _evidence_out(ctx, await _visible(ctx, evaluation_id))


@post(
    "/rating/grade-evaluations/{evaluation_id:int}/evidence",
    name="rating:api:grade_evidence_add",
    summary="Upload a photo or PDF for an indicator (the organization, while self-assessing; multipart)",
)
async def api_evidence_add(
    ctx: RequestContext,
    evaluation_id: int,
    data: Annotated[EvidenceIn, Body(media_type=RequestEncodingType.MULTI_PART)],
) -> EvidenceOut:
    assert ctx.district is not None
    ev = await _visible(ctx, evaluation_id)
    upload = data.file if isinstance(data.file, UploadFile) else None
    content = await upload.read(grade_evidence.FILE_MAX_BYTES + 1) if upload else b""
    storage = storage_for(ctx)
    prefix = f"rating/{ctx.district.code}/evidence"
    row = await grade_evidence.add(
        ctx,
        ev,
        data.indicator,
        upload.filename if upload else "",
        content,
        lambda b: storage.save(b, prefix=prefix),
    )
    return next(e for e in await _evidence_out(ctx, ev) if e.id == row.id)


@delete(
    "/rating/grade-evidence/{evidence_id:int}",
    name="rating:api:grade_evidence_delete",
    summary="Delete an evidence file (the organization, while self-assessing)",
    status_code=204,
)
async def api_evidence_delete(ctx: RequestContext, evidence_id: int) -> None:
    row, ev = await grade_evidence.get(ctx, evidence_id)
    key = await grade_evidence.remove(ctx, row, ev)
    with contextlib.suppress(MissingFile, ValueError):
        await storage_for(ctx).delete(key)


GRADE_API_ROUTES = [
    api_evidence,
    api_evidence_add,
    api_evidence_delete,
    api_evaluations,
    api_apply,
    api_evaluation,
    api_self,
    api_panel,
    api_expert_scores,
    api_close,
    api_end_publicity,
    api_confirm,
    api_withdraw,
    api_object,
    api_answer,
    api_indicators,
    api_indicator_save,
]
