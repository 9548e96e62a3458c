"""Pages for what follows an award: the project's reports, evaluations, closing and follow-ups; the
evaluator's queue; the call's evaluation form; the staff dashboard. See ``evaluation.py``.

The organization submits its reports from the project page (phone-friendly, photos and PDFs attached);
staff accept or send back, assign or score evaluations, close the project with a grade; the organization
or staff answer the follow-ups one and two years later.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body

from core.plugin_api import (
    TIMEZONE,
    Form,
    FormState,
    MissingFile,
    NotFound,
    RequestContext,
    attempt,
    error_status,
    flashes,
    inline_file,
    organizations,
    page,
    redirect,
    storage_for,
    utcnow,
)
from core.plugin_api import gettext as _
from plugins.grants import evaluation, projects
from plugins.grants.access import call_or_404
from plugins.grants.dashboard import dashboard
from plugins.grants.models_evaluation import GrantFollowUp

__all__ = ("REPORT_ROUTES",)

Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


def _grades() -> list[tuple[str, str]]:
    return [("excellent", _("Excellent")), ("good", _("Good")), ("pass", _("Pass")), ("fail", _("Fail"))]


def _next_kind(app: Any, reports: dict[str, Any]) -> str:
    """The report the organization may submit now ("" when none)."""
    if app.closed_at is not None:
        return ""
    midterm, final = reports.get("midterm"), reports.get("final")
    if midterm is None or midterm.status == "returned":
        return "midterm"
    if app.midterm_accepted_at is not None and (final is None or final.status == "returned"):
        return "final"
    return ""


async def _project_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    application_id: int,
    forms: dict[str, FormState] | None = None,
) -> Response[Any]:
    from plugins.grants.reviews import reviewers  # noqa: PLC0415

    assert ctx.district is not None
    app, viewer = await evaluation.project_viewer(ctx, application_id)
    call = await call_or_404(ctx, app.call_id)
    org = await organizations.get_organization(ctx.session, ctx.district, app.organization_id)
    track = await evaluation.track(ctx.session, app)
    forms = forms or {}
    failed = next((f for f in forms.values() if f.errors), None)
    tranches = await projects.tranches_of(ctx, app)
    paid = sum(x.amount_fen for x in tranches if x.released_at and not x.reversed_at)
    kind = _next_kind(app, track.reports)
    budget = await projects.budget_view(ctx, app)
    if kind and "report" not in forms:  # the report form starts from the last figures, line by line
        last = track.reports.get(kind) or track.reports.get("midterm")
        said = {s["line"]: s["fen"] for s in last.spending} if last is not None else {}
        lines = [r.line for r in budget.rows] or list(said)
        forms["report"] = FormState(
            values={"spending": "\n".join(f"{line} | {said.get(line, 0) / 100:.2f}" for line in lines)}
        )
    scores = {
        stage: (e.score_x100 / 100 if e.score_x100 is not None else None) for stage, e in track.evaluations.items()
    }
    return await page(
        request,
        ctx,
        "grants/reports/project.html",
        status_code=error_status(request, failed) if failed else 200,
        app=app,
        call=call,
        org_name=org.name,
        viewer=viewer,
        track=track,
        forms=forms,
        empty=FormState(values={}),
        tranches=tranches,
        paid=paid,
        budget=budget,
        next_kind=kind,
        next_due=evaluation.report_due_on(app, kind) if kind else None,
        dues={k: evaluation.report_due_on(app, k) for k in evaluation.KINDS},
        scores=scores,
        grades=dict(_grades()),
        grade_options=_grades(),
        evaluator_options=[(u.id, u.display_name) for u in await reviewers(ctx)] if viewer == "manager" else [],
        users=await _names(ctx, track),
        today=utcnow().astimezone(TIMEZONE).date(),
        opens_days=evaluation.FOLLOW_UP_OPENS_DAYS,
        notices=await flashes(request, ctx),
    )


async def _names(ctx: RequestContext, track: evaluation.Track) -> dict[int, str]:
    from sqlalchemy import select  # noqa: PLC0415

    from core.plugin_api import User  # noqa: PLC0415

    ids = {e.evaluator_id for e in track.evaluations.values() if e.evaluator_id}
    if not ids:
        return {}
    rows = await ctx.session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
    return {int(i): str(n) for i, n in rows.all()}


@get("/grants/projects/{application_id:int}", name="grants:project")
async def project(request: Request[Any, Any, Any], ctx: RequestContext, application_id: int) -> Response[Any]:
    """A funded project after signing: its reports, evaluations, closing and follow-ups."""
    return await _project_page(request, ctx, application_id)


@post("/grants/projects/{application_id:int}/reports", name="grants:report-submit", status_code=200)
async def report_submit(
    request: Request[Any, Any, Any], ctx: RequestContext, application_id: int, data: Upload
) -> Response[Any]:
    """The organization submits its mid-term or final report with photos or PDFs."""
    assert ctx.district is not None
    app, viewer = await evaluation.project_viewer(ctx, application_id)
    if viewer != "applicant":
        raise NotFound(_("Not found."))
    values = {k: v for k, v in data.items() if not isinstance(v, UploadFile | list)}
    uploads = data.get("files")
    items = uploads if isinstance(uploads, list) else [uploads]
    files = []
    for upload in items:
        if isinstance(upload, UploadFile) and upload.filename:
            files.append((upload.filename, await upload.read(evaluation.FILE_MAX_BYTES + 1)))
    storage = storage_for(ctx)
    prefix = f"grants/{ctx.district.code}/reports"
    form = FormState(values=values)
    await attempt(
        ctx,
        lambda: evaluation.submit_report(
            ctx,
            app,
            str(values.get("kind") or ""),
            values,
            files,
            lambda b: storage.save(b, prefix=prefix),
        ),
        form,
    )
    if not form.ok:
        await ctx.session.refresh(app)
        return await _project_page(request, ctx, app.id, {"report": form})
    return await redirect(request, ctx, ctx.url(f"/grants/projects/{app.id}"), _("Report submitted."))


@post("/grants/reports/{report_id:int}/decision", name="grants:report-decision", status_code=200)
async def report_decision(
    request: Request[Any, Any, Any], ctx: RequestContext, report_id: int, data: Form
) -> Response[Any]:
    """Staff accept the report or send it back with a message."""
    ctx.require("grants", "manage")
    report, app = await evaluation.report_or_404(ctx.session, report_id)
    form = FormState(values=dict(data))
    await attempt(
        ctx,
        lambda: evaluation.decide_report(ctx, report, app, data.get("decision", ""), data.get("message", "")),
        form,
    )
    if not form.ok:
        await ctx.session.refresh(app)
        return await _project_page(request, ctx, app.id, {f"decide_{report.id}": form})
    done = _("Report accepted.") if data.get("decision") == "accept" else _("Report sent back.")
    return await redirect(request, ctx, ctx.url(f"/grants/projects/{app.id}"), done)


@get("/grants/reports/{report_id:int}/files/{number:int}", name="grants:report-file")
async def report_file(ctx: RequestContext, report_id: int, number: int) -> Response[bytes]:
    """A report's attached photo or PDF (inline), for those who may see the project."""
    report, app = await evaluation.report_or_404(ctx.session, report_id)
    await evaluation.project_viewer(ctx, app.id)
    if not 1 <= number <= len(report.files):
        raise NotFound(_("Not found."))
    item = report.files[number - 1]
    try:
        content = await storage_for(ctx).read(item["key"])
    except (MissingFile, ValueError):
        raise NotFound(_("The file is missing.")) from None
    return inline_file(content, item["type"], f"report-{report.id}-{number}")


@post("/grants/projects/{application_id:int}/evaluator", name="grants:evaluator", status_code=200)
async def evaluator_assign(
    request: Request[Any, Any, Any], ctx: RequestContext, application_id: int, data: Form
) -> Response[Any]:
    """Staff give a stage's evaluation to an evaluator (and name the evaluation organization)."""
    ctx.require("grants", "manage")
    app, _viewer = await evaluation.project_viewer(ctx, application_id)
    raw = str(data.get("evaluator_id") or "")
    form = FormState(values=dict(data))
    await attempt(
        ctx,
        lambda: evaluation.assign_evaluator(
            ctx, app, data.get("stage", ""), int(raw) if raw.isdigit() else None, data.get("agency", "")
        ),
        form,
    )
    if not form.ok:
        await ctx.session.refresh(app)
        return await _project_page(request, ctx, app.id, {"evaluator": form})
    return await redirect(request, ctx, ctx.url(f"/grants/projects/{app.id}"), _("Evaluator assigned."))


async def _evaluation_page(
    request: Request[Any, Any, Any], ctx: RequestContext, application_id: int, stage: str, state: FormState | None
) -> Response[Any]:
    app, viewer = await evaluation.project_viewer(ctx, application_id)
    if stage not in evaluation.KINDS:
        raise NotFound(_("Not found."))
    track = await evaluation.track(ctx.session, app)
    row = track.evaluations.get(stage)
    if not evaluation.may_evaluate(ctx, row):
        raise NotFound(_("Not found."))
    items = row.criteria if row is not None else await evaluation.eval_form(ctx.session, app.call_id)
    criteria = evaluation.criteria_of(items)
    if state is None:
        values: dict[str, Any] = {"comment": row.comment if row else ""}
        if row is not None:
            values |= {f"score_{k}": str(v) for k, v in row.scores.items()}
        state = FormState(values=values)
    return await page(
        request,
        ctx,
        "grants/reports/evaluation.html",
        status_code=error_status(request, state) if state.errors else 200,
        app=app,
        viewer=viewer,
        stage=stage,
        row=row,
        report=track.reports.get(stage),
        criteria=criteria,
        form=state,
        score=row.score_x100 / 100 if row is not None and row.score_x100 is not None else None,
        notices=await flashes(request, ctx),
    )


@get("/grants/projects/{application_id:int}/evaluations/{stage:str}", name="grants:evaluation")
async def evaluation_form(
    request: Request[Any, Any, Any], ctx: RequestContext, application_id: int, stage: str
) -> Response[Any]:
    """The evaluation form of a stage (mid-term or final): the report, then scores and a comment."""
    return await _evaluation_page(request, ctx, application_id, stage, None)


@post("/grants/projects/{application_id:int}/evaluations/{stage:str}", name="grants:evaluation-save", status_code=200)
async def evaluation_save(
    request: Request[Any, Any, Any], ctx: RequestContext, application_id: int, stage: str, data: Form
) -> Response[Any]:
    """Save the evaluation as a draft, or submit it (``action=submit``; once)."""
    app, _viewer = await evaluation.project_viewer(ctx, application_id)
    state = FormState(values=dict(data))
    scores = {k.removeprefix("score_"): v for k, v in data.items() if k.startswith("score_")}
    submit = data.get("action") == "submit"
    await attempt(
        ctx,
        lambda: evaluation.save_evaluation(ctx, app, stage, scores, data.get("comment", ""), submit=submit),
        state,
    )
    if not state.ok:
        await ctx.session.refresh(app)
        return await _evaluation_page(request, ctx, application_id, stage, state)
    done = _("Evaluation submitted.") if submit else _("Draft saved.")
    return await redirect(request, ctx, ctx.url(f"/grants/projects/{app.id}/evaluations/{stage}"), done)


@post("/grants/projects/{application_id:int}/close", name="grants:close", status_code=200)
async def close(request: Request[Any, Any, Any], ctx: RequestContext, application_id: int, data: Form) -> Response[Any]:
    """Staff close the project with its grade and a note."""
    ctx.require("grants", "manage")
    app, _viewer = await evaluation.project_viewer(ctx, application_id)
    form = FormState(values=dict(data))
    await attempt(ctx, lambda: evaluation.close_project(ctx, app, data.get("grade", ""), data.get("note", "")), form)
    if not form.ok:
        await ctx.session.refresh(app)
        return await _project_page(request, ctx, app.id, {"close": form})
    return await redirect(request, ctx, ctx.url(f"/grants/projects/{app.id}"), _("Project closed."))


@post("/grants/follow-ups/{follow_up_id:int}", name="grants:follow-up", status_code=200)
async def follow_up(
    request: Request[Any, Any, Any], ctx: RequestContext, follow_up_id: int, data: Form
) -> Response[Any]:
    """The organization or staff answer a sustainability follow-up: still running? and a note."""
    row = await ctx.session.get(GrantFollowUp, follow_up_id)
    if row is None:
        raise NotFound(_("Not found."))
    app, viewer = await evaluation.project_viewer(ctx, row.application_id)
    if viewer == "evaluator":
        raise NotFound(_("Not found."))
    form = FormState(values=dict(data))
    await attempt(ctx, lambda: evaluation.answer_follow_up(ctx, row, data.get("running"), data.get("note", "")), form)
    if not form.ok:
        await ctx.session.refresh(app)
        return await _project_page(request, ctx, app.id, {f"follow_{row.id}": form})
    return await redirect(request, ctx, ctx.url(f"/grants/projects/{app.id}"), _("Follow-up recorded."))


@get("/grants/evaluations", name="grants:evaluations")
async def my_evaluations(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """The evaluations given to the user (open ones first)."""
    ctx.require("grants", "view")
    return await page(request, ctx, "grants/reports/evaluations.html", items=await evaluation.my_evaluations(ctx))


async def _form_page(
    request: Request[Any, Any, Any], ctx: RequestContext, call_id: int, state: FormState | None
) -> Response[Any]:
    ctx.require("grants", "manage")
    call = await call_or_404(ctx, call_id)
    if state is None:
        items = await evaluation.eval_form(ctx.session, call.id)
        state = FormState(
            values={"criteria": "\n".join(f"{c['name']} | {c['weight']} | {c['min']}-{c['max']}" for c in items)}
        )
    return await page(
        request,
        ctx,
        "grants/reports/eval_form.html",
        status_code=error_status(request, state) if state.errors else 200,
        call=call,
        form=state,
        notices=await flashes(request, ctx),
    )


@get("/grants/calls/{call_id:int}/evaluation-form", name="grants:eval-form")
async def eval_form(request: Request[Any, Any, Any], ctx: RequestContext, call_id: int) -> Response[Any]:
    """The call's evaluation form (过程评估/结项评估 criteria), for staff to change."""
    return await _form_page(request, ctx, call_id, None)


@post("/grants/calls/{call_id:int}/evaluation-form", name="grants:eval-form-save", status_code=200)
async def eval_form_save(
    request: Request[Any, Any, Any], ctx: RequestContext, call_id: int, data: Form
) -> Response[Any]:
    """Save the call's evaluation form (evaluations already started keep the form they began with)."""
    ctx.require("grants", "manage")
    call = await call_or_404(ctx, call_id)
    state = FormState(values=dict(data))
    await attempt(ctx, lambda: evaluation.save_eval_form(ctx, call, data.get("criteria", "")), state)
    if not state.ok:
        return await _form_page(request, ctx, call_id, state)
    return await redirect(request, ctx, ctx.url(f"/grants/calls/{call.id}/evaluation-form"), _("Saved."))


@get("/grants/dashboard", name="grants:dashboard")
async def dashboard_page(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """Staff dashboard: money committed and disbursed by category and community, applications and award
    rate per call, reports on time, closing grades, projects still running two years later."""
    ctx.require("grants", "manage")
    return await page(
        request, ctx, "grants/reports/dashboard.html", d=await dashboard(ctx.session), grades=dict(_grades())
    )


REPORT_ROUTES: list[Any] = [
    project,
    report_submit,
    report_decision,
    report_file,
    evaluator_assign,
    evaluation_form,
    evaluation_save,
    close,
    follow_up,
    my_evaluations,
    eval_form,
    eval_form_save,
    dashboard_page,
]
