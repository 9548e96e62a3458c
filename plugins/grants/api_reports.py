"""JSON API for what follows an award (under ``/api/v1/districts/{district}/grants``): reports, their
acceptance, evaluations, closing with a grade, sustainability follow-ups, the evaluation form, the
dashboard. Money in fen; refusals answer 4xx with ``{"status_code", "detail", "errors"}``.

Files of a report are added with ``POST /grants/reports/{id}/files`` (``api_extra.py``) or on the project page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypedDict

from litestar import get, post, put

from core.plugin_api import LongText, NotFound, RequestContext
from plugins.grants import evaluation
from plugins.grants.access import call_or_404
from plugins.grants.dashboard import dashboard
from plugins.grants.models_evaluation import GrantEvaluation, GrantFollowUp, GrantReport

__all__ = ("REPORT_API_ROUTES",)


@dataclass(frozen=True)
class SpendingOut:
    line: str
    fen: int


@dataclass(frozen=True)
class FileOut:
    name: str
    type: str
    url: str


@dataclass(frozen=True)
class ReportOut:
    """A progress report: ``status`` submitted | returned | accepted."""

    id: int
    kind: str
    status: str
    indicators: str
    activities: str
    beneficiaries: int
    spending: list[SpendingOut]
    files: list[FileOut]
    due_on: date
    on_time: bool
    submitted_at: datetime
    message: str
    decided_at: datetime | None


@dataclass(frozen=True)
class EvaluationOut:
    """An evaluation of a stage: the form it is scored on, the scores, the weighted 0–100 score."""

    stage: str
    evaluator_id: int | None
    agency: str
    criteria: list[dict[str, Any]]
    scores: dict[str, Any]
    comment: str
    score: float | None
    submitted_at: datetime | None


@dataclass(frozen=True)
class FollowUpOut:
    id: int
    year: int
    due_on: date
    running: bool | None
    note: str
    answered_at: datetime | None


@dataclass(frozen=True)
class TrackOut:
    """Everything after the award: reports, evaluations, the closing grade, follow-ups."""

    application_id: int
    closed_at: datetime | None
    grade: str | None
    note: str
    reports: list[ReportOut]
    evaluations: list[EvaluationOut]
    follow_ups: list[FollowUpOut]


def _report_out(ctx: RequestContext, r: GrantReport) -> ReportOut:
    return ReportOut(
        r.id,
        r.kind,
        r.status,
        r.indicators,
        r.activities,
        r.beneficiaries,
        [SpendingOut(s["line"], s["fen"]) for s in r.spending],
        [FileOut(f["name"], f["type"], ctx.url(f"/grants/reports/{r.id}/files/{n}")) for n, f in enumerate(r.files, 1)],
        r.due_on,
        r.on_time,
        r.submitted_at,
        r.message,
        r.decided_at,
    )


def _evaluation_out(e: GrantEvaluation) -> EvaluationOut:
    return EvaluationOut(
        e.stage,
        e.evaluator_id,
        e.agency,
        list(e.criteria),
        dict(e.scores),
        e.comment,
        e.score_x100 / 100 if e.score_x100 is not None else None,
        e.submitted_at,
    )


def _follow_up_out(f: GrantFollowUp) -> FollowUpOut:
    return FollowUpOut(f.id, f.year, f.due_on, f.running, f.note, f.answered_at)


async def _track_out(ctx: RequestContext, application_id: int) -> TrackOut:
    app, _viewer = await evaluation.project_viewer(ctx, application_id)
    track = await evaluation.track(ctx.session, app)
    return TrackOut(
        app.id,
        app.closed_at,
        track.outcome.grade if track.outcome else None,
        track.outcome.note if track.outcome else "",
        [_report_out(ctx, track.reports[k]) for k in evaluation.KINDS if k in track.reports],
        [_evaluation_out(track.evaluations[k]) for k in evaluation.KINDS if k in track.evaluations],
        [_follow_up_out(f) for f in track.follow_ups],
    )


@get(
    "/grants/projects/{application_id:int}/track",
    name="grants:api:track",
    summary="A funded project's reports, evaluations, closing grade and follow-ups",
)
async def api_track(ctx: RequestContext, application_id: int) -> TrackOut:
    return await _track_out(ctx, application_id)


class SpendingIn(TypedDict):
    line: str
    fen: int


class ReportIn(TypedDict, total=False):
    """``kind`` midterm | final; spending by budget line in fen."""

    kind: str
    indicators: LongText
    activities: LongText
    beneficiaries: int
    spending: list[SpendingIn]


@post(
    "/grants/projects/{application_id:int}/reports",
    name="grants:api:report-submit",
    status_code=200,
    summary="Submit (or resubmit once sent back) the mid-term or final report (the organization)",
)
async def api_report_submit(ctx: RequestContext, application_id: int, data: ReportIn) -> ReportOut:
    app, viewer = await evaluation.project_viewer(ctx, application_id)
    if viewer != "applicant":
        raise NotFound("未找到。", "Not found.")
    values = dict(data)
    values["spending"] = [dict(s) for s in data.get("spending") or []]
    report = await evaluation.submit_report(ctx, app, str(data.get("kind") or ""), values)
    return _report_out(ctx, report)


class DecisionIn(TypedDict, total=False):
    """``decision`` accept | return; a message is required when sending back."""

    decision: str
    message: LongText


@post(
    "/grants/reports/{report_id:int}/decision",
    name="grants:api:report-decision",
    status_code=200,
    summary="Accept a submitted report or send it back with a message (staff)",
)
async def api_report_decision(ctx: RequestContext, report_id: int, data: DecisionIn) -> ReportOut:
    ctx.require("grants", "manage")
    report, app = await evaluation.report_or_404(ctx.session, report_id)
    decided = await evaluation.decide_report(
        ctx, report, app, str(data.get("decision") or ""), str(data.get("message") or "")
    )
    return _report_out(ctx, decided)


class EvaluatorIn(TypedDict, total=False):
    evaluator_id: int
    agency: str


@post(
    "/grants/projects/{application_id:int}/evaluations/{stage:str}/evaluator",
    name="grants:api:evaluator",
    status_code=200,
    summary="Give a stage's evaluation to an evaluator (staff)",
)
async def api_evaluator(ctx: RequestContext, application_id: int, stage: str, data: EvaluatorIn) -> EvaluationOut:
    ctx.require("grants", "manage")
    app, _viewer = await evaluation.project_viewer(ctx, application_id)
    raw = data.get("evaluator_id")
    row = await evaluation.assign_evaluator(
        ctx, app, stage, raw if isinstance(raw, int) else None, str(data.get("agency") or "")
    )
    return _evaluation_out(row)


class EvaluationIn(TypedDict, total=False):
    """Scores by criterion number (``"1"``, ``"2"`` …); ``submit`` to hand it in (once)."""

    scores: dict[str, int | None]
    comment: LongText
    submit: bool


@put(
    "/grants/projects/{application_id:int}/evaluations/{stage:str}",
    name="grants:api:evaluation",
    summary="Save or submit a mid-term or final evaluation (staff or the assigned evaluator)",
)
async def api_evaluation(ctx: RequestContext, application_id: int, stage: str, data: EvaluationIn) -> EvaluationOut:
    app, _viewer = await evaluation.project_viewer(ctx, application_id)
    row = await evaluation.save_evaluation(
        ctx,
        app,
        stage,
        dict(data.get("scores") or {}),
        str(data.get("comment") or ""),
        submit=bool(data.get("submit")),
    )
    return _evaluation_out(row)


class CloseIn(TypedDict, total=False):
    """``grade`` excellent | good | pass | fail."""

    grade: str
    note: LongText


@post(
    "/grants/projects/{application_id:int}/closing",
    name="grants:api:closing",
    status_code=200,
    summary="Close the project with its grade and a note (staff; the final report accepted)",
)
async def api_closing(ctx: RequestContext, application_id: int, data: CloseIn) -> TrackOut:
    ctx.require("grants", "manage")
    app, _viewer = await evaluation.project_viewer(ctx, application_id)
    await evaluation.close_project(ctx, app, str(data.get("grade") or ""), str(data.get("note") or ""))
    return await _track_out(ctx, application_id)


class FollowUpIn(TypedDict, total=False):
    running: bool
    note: LongText


@post(
    "/grants/follow-ups/{follow_up_id:int}",
    name="grants:api:follow-up",
    status_code=200,
    summary="Answer a sustainability follow-up: is the project still running? (the organization or staff)",
)
async def api_follow_up(ctx: RequestContext, follow_up_id: int, data: FollowUpIn) -> FollowUpOut:
    row = await ctx.session.get(GrantFollowUp, follow_up_id)
    if row is None:
        raise NotFound("未找到。", "Not found.")
    _app, viewer = await evaluation.project_viewer(ctx, row.application_id)
    if viewer == "evaluator":
        raise NotFound("未找到。", "Not found.")
    answered = await evaluation.answer_follow_up(ctx, row, data.get("running"), str(data.get("note") or ""))
    return _follow_up_out(answered)


@dataclass(frozen=True)
class EvalCriterionOut:
    name: str
    weight: int
    min: int
    max: int


class EvalFormIn(TypedDict):
    criteria: list[dict[str, Any]]


@get(
    "/grants/calls/{call_id:int}/evaluation-form",
    name="grants:api:eval-form",
    summary="The call's evaluation form: criteria with weights and score ranges (staff)",
)
async def api_eval_form(ctx: RequestContext, call_id: int) -> list[EvalCriterionOut]:
    ctx.require("grants", "manage")
    call = await call_or_404(ctx, call_id)
    return [EvalCriterionOut(**c) for c in await evaluation.eval_form(ctx.session, call.id)]


@put(
    "/grants/calls/{call_id:int}/evaluation-form",
    name="grants:api:eval-form-save",
    summary="Set the call's evaluation form: [{name, weight, min_score, max_score}] (staff)",
)
async def api_eval_form_save(ctx: RequestContext, call_id: int, data: EvalFormIn) -> list[EvalCriterionOut]:
    ctx.require("grants", "manage")
    call = await call_or_404(ctx, call_id)
    return [EvalCriterionOut(**c) for c in await evaluation.save_eval_form(ctx, call, list(data["criteria"]))]


@dataclass(frozen=True)
class MoneyOut:
    name: str
    projects: int
    committed_fen: int
    disbursed_fen: int


@dataclass(frozen=True)
class CallFiguresOut:
    call_id: int
    title: str
    submitted: int
    awarded: int
    award_rate_pct: float | None


@dataclass(frozen=True)
class DashboardOut:
    """The staff dashboard's figures ("" as a name: no category / no community)."""

    by_category: list[MoneyOut]
    by_community: list[MoneyOut]
    calls: list[CallFiguresOut]
    reports: int
    reports_on_time: int
    grades: dict[str, int]
    follow_ups_answered: int
    still_running: int


@get("/grants/dashboard", name="grants:api:dashboard", summary="The grants dashboard's figures (staff)")
async def api_dashboard(ctx: RequestContext) -> DashboardOut:
    ctx.require("grants", "manage")
    d = await dashboard(ctx.session)
    return DashboardOut(
        [MoneyOut(r.name, r.projects, r.committed_fen, r.disbursed_fen) for r in d.by_category],
        [MoneyOut(r.name, r.projects, r.committed_fen, r.disbursed_fen) for r in d.by_community],
        [CallFiguresOut(c.call_id, c.title, c.submitted, c.awarded, c.award_rate) for c in d.calls],
        d.reports,
        d.reports_on_time,
        d.grades,
        d.follow_ups_answered,
        d.still_running,
    )


REPORT_API_ROUTES: list[Any] = [
    api_track,
    api_report_submit,
    api_report_decision,
    api_evaluator,
    api_evaluation,
    api_closing,
    api_follow_up,
    api_eval_form,
    api_eval_form_save,
    api_dashboard,
]
