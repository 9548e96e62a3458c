"""The back office's pages: the departments' queue (``/one_window/steps``), one step with the department's answer,
the reports (``/one_window/reports`` and its XLSX), and the public progress lookup
(``/d/{district}/public/one_window/progress``: reference + phone, no login).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException

from core.plugin_api import Form, FormState, RequestContext, attempt, error_status, flashes, page, redirect
from core.plugin_api import gettext as _
from plugins.one_window import backoffice as bo
from plugins.one_window import reports, scans, service
from plugins.one_window.intake import today_local
from plugins.one_window.manifest import KEY
from plugins.one_window.models_backoffice import StepStatus
from plugins.one_window.routes_intake import channel_label, decision_label, status_label, step_status_label

__all__ = ("BACKOFFICE_OPEN_ROUTES", "BACKOFFICE_ROUTES")

STEP_FILTERS = (StepStatus.OPEN, StepStatus.DONE)


def require_queue(ctx: RequestContext) -> None:
    """The queue is for the departments' officers and for those who oversee the window."""
    if not (ctx.can(KEY, "view") or ctx.can(KEY, "department")):
        raise PermissionDeniedException(_("You do not have permission to do this."))


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@get("/one_window/steps", name="one_window:steps")
async def steps(
    request: Request[Any, Any, Any], ctx: RequestContext, status: str = "open", department: str | None = None
) -> Response[Any]:
    """A department's queue: the steps sent to the user's departments (every department's for the window)."""
    require_queue(ctx)
    chosen = status if status in STEP_FILTERS else StepStatus.OPEN
    names = await service.department_names(ctx.session, ctx.locale)
    oversee = ctx.can(KEY, "view")
    department_id = _int(department) if oversee else None
    mine = sorted(bo.department_ids(ctx), key=lambda d: names.get(d, ""))
    return await page(
        request,
        ctx,
        "one_window/steps.html",
        rows=await bo.list_steps(ctx, status=chosen, department_id=department_id),
        status=chosen,
        statuses=[(s, step_status_label(s)) for s in STEP_FILTERS],
        department=department_id,
        departments=names if oversee else {},
        mine=[names.get(d, "") for d in mine],
        names=names,
        today=today_local(),
        open_count=await bo.count_open(ctx),
    )


async def _step_page(
    request: Request[Any, Any, Any], ctx: RequestContext, step_id: int, state: FormState | None = None
) -> Response[Any]:
    step, intake, item = await bo.get_step(ctx, step_id)
    names = await service.department_names(ctx.session, ctx.locale)
    state = state or FormState()
    attached = scans.grouped(await scans.scans_of(ctx, intake.id))
    return await page(
        request,
        ctx,
        "one_window/step.html",
        status_code=error_status(request, state) if not state.ok else 200,
        step=step,
        intake=intake,
        item=item,
        route=await bo.steps_of(ctx.session, intake.id),
        scans=attached,
        names=names,
        can_answer=step.status == StepStatus.OPEN and step.department_id in bo.department_ids(ctx),
        step_status_label=step_status_label,
        decision_label=decision_label,
        status_label=status_label,
        channel_label=channel_label,
        result_label=bo.result_label,
        form=state,
        messages=await flashes(request, ctx),
    )


@get("/one_window/steps/{step_id:int}", name="one_window:step")
async def step_detail(request: Request[Any, Any, Any], ctx: RequestContext, step_id: int) -> Response[Any]:
    """One step: the request, the documents received, every department's part of the route, the answer form."""
    require_queue(ctx)
    try:
        return await _step_page(request, ctx, step_id)
    except bo.NotFound as exc:
        raise NotFoundException(_("Not found.")) from exc


@post("/one_window/steps/{step_id:int}/answer", name="one_window:step_answer", status_code=200)
async def step_answer(request: Request[Any, Any, Any], ctx: RequestContext, step_id: int, data: Form) -> Response[Any]:
    """The department's answer (agree or not, with its opinion); the last answer of a stage joins it."""
    ctx.require(KEY, "department")
    state = FormState(values=dict(data))
    try:
        done = await attempt(
            ctx,
            lambda: bo.answer_step(ctx, step_id, data.get("decision", ""), data.get("opinion", "")),
            state,
        )
    except bo.NotFound as exc:
        raise NotFoundException(_("Not found.")) from exc
    if done is None:
        return await _step_page(request, ctx, step_id, state)
    return await redirect(request, ctx, ctx.url(f"/one_window/steps/{step_id}"), _("Saved."))


# -- reports ------------------------------------------------------------------------------------------


def _period(start: str, end: str) -> tuple[date, date]:
    """The period asked for (default: this year so far); a date that cannot be read is the default."""
    today = today_local()
    try:
        first = date.fromisoformat(start) if start else today.replace(month=1, day=1)
    except ValueError:
        first = today.replace(month=1, day=1)
    try:
        last = date.fromisoformat(end) if end else today
    except ValueError:
        last = today
    if last < first:
        first, last = last, first
    return first, min(last, first + timedelta(days=3660))


@get("/one_window/reports", name="one_window:reports")
async def reports_page(
    request: Request[Any, Any, Any], ctx: RequestContext, start: str = "", end: str = ""
) -> Response[Any]:
    """Requests per channel and department, on-time rate per department, the documents most often missing, and the
    three-level response's cases per level."""
    ctx.require(KEY, "reports")
    first, last = _period(start[:10], end[:10])
    return await page(
        request,
        ctx,
        "one_window/reports.html",
        data=await reports.figures(ctx.session, first, last),
        names=await service.department_names(ctx.session, ctx.locale),
        channel_label=channel_label,
        level_label=reports.level_label,
    )


@get("/one_window/reports.xlsx", name="one_window:reports_xlsx")
async def reports_xlsx(ctx: RequestContext, start: str = "", end: str = "") -> Response[bytes]:
    """The same figures as an XLSX book."""
    ctx.require(KEY, "reports")
    first, last = _period(start[:10], end[:10])
    data = await reports.figures(ctx.session, first, last)
    names = await service.department_names(ctx.session, "zh_CN")
    return Response(
        reports.xlsx_bytes(data, names, channel_label),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="one-window-report-{first}-{last}.xlsx"'},
    )


# -- the public progress lookup --------------------------------------------------------------------------


@get("/one_window/progress", name="one_window:progress")
async def progress_form(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """Ask by the reference on the receipt and the phone given at the window."""
    return await page(request, ctx, "one_window/progress.html", form=FormState(), progress=None, asked=False)


@post("/one_window/progress", name="one_window:progress_lookup", status_code=200)
async def progress_lookup(request: Request[Any, Any, Any], ctx: RequestContext, data: Form) -> Response[Any]:
    """Where the request stands; a wrong reference and a wrong phone get the same answer; ten tries in ten minutes."""
    state = FormState(values={"reference": data.get("reference", "")[:40]})
    client = request.client.host if request.client else "unknown"
    if await bo.count_lookup(ctx, client) > bo.LOOKUP_LIMIT:
        state = FormState(values=state.values, errors={"_": _("Too many lookups: try again in ten minutes.")})
        return await page(
            request, ctx, "one_window/progress.html", status_code=429, form=state, progress=None, asked=False
        )
    found = await bo.find_progress(ctx, data.get("reference", ""), data.get("phone", ""))
    return await page(
        request,
        ctx,
        "one_window/progress.html",
        form=state,
        progress=found,
        asked=True,
        status_label=status_label,
        step_status_label=step_status_label,
        result_label=bo.result_label,
    )


BACKOFFICE_ROUTES = [steps, step_detail, step_answer, reports_page, reports_xlsx]
BACKOFFICE_OPEN_ROUTES = [progress_form, progress_lookup]
