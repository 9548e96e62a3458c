"""JSON API of the back office under ``/api/v1/districts/{district}/one_window``: the departments' steps, a
department's answer, and the reports. A department's officer sees only the steps sent to their departments
(another department's step answers 404, as one that does not exist).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, TypedDict

from litestar import Request, get, post
from litestar.exceptions import HTTPException, NotFoundException, PermissionDeniedException

from core.plugin_api import Code, LongText, RequestContext
from core.plugin_api import gettext as _
from plugins.one_window import backoffice as bo
from plugins.one_window import reports
from plugins.one_window.manifest import KEY
from plugins.one_window.models import Intake, Item
from plugins.one_window.models_backoffice import Step
from plugins.one_window.routes_backoffice import _period

__all__ = ("BACKOFFICE_API_ROUTES",)


@dataclass(frozen=True)
class StepOut:
    """A department's step of a request's route."""

    id: int
    reference: str
    item_id: int
    item_title: str
    stage: int
    department_id: int
    status: str
    days: int
    opened_on: date | None
    due_on: date | None
    decision: str
    opinion: str
    answered_on: date | None

    @classmethod
    def of(cls, step: Step, intake: Intake, item: Item) -> StepOut:
        return cls(
            id=step.id,
            reference=intake.reference,
            item_id=item.id,
            item_title=item.title,
            stage=step.stage,
            department_id=step.department_id,
            status=step.status,
            days=step.days,
            opened_on=step.opened_on,
            due_on=step.due_on,
            decision=step.decision,
            opinion=step.opinion,
            answered_on=step.answered_on,
        )


class AnswerIn(TypedDict):
    """The department's decision and its opinion."""

    decision: Literal["agree", "disagree"]
    opinion: LongText


@dataclass(frozen=True)
class ReceivedOut:
    """Requests received for one department through one channel."""

    department_id: int | None
    channel: str
    count: int


@dataclass(frozen=True)
class OnTimeOut:
    """One department's answered steps and how many were answered by their due day."""

    department_id: int
    answered: int
    on_time: int
    rate: float


@dataclass(frozen=True)
class MissingOut:
    """A document and how many intakes lacked it."""

    name: str
    count: int


@dataclass(frozen=True)
class LevelOut:
    """The three-level response at one level: sent there, of which from the level below, settled there, passed up."""

    level: str  # community, department or meeting
    sent: int
    from_below: int
    settled: int
    passed_up: int


@dataclass(frozen=True)
class ReportOut:
    """The one-window figures for a period."""

    start: date
    end: date
    received: list[ReceivedOut]
    on_time: list[OnTimeOut]
    missing: list[MissingOut]
    escalations: list[LevelOut]


def _queue(ctx: RequestContext) -> None:
    if not (ctx.can(KEY, "view") or ctx.can(KEY, "department")):
        raise PermissionDeniedException(_("You do not have permission to do this."))


@get("/one_window/steps", name="one_window:api:steps", summary="The department steps the user may see")
async def api_steps(ctx: RequestContext, status: str = "open", department_id: int | None = None) -> list[StepOut]:
    _queue(ctx)
    chosen = status if status in ("open", "done") else "open"
    rows = await bo.list_steps(ctx, status=chosen, department_id=department_id)
    return [StepOut.of(s, i, item) for s, i, item in rows]


@get("/one_window/steps/{step_id:int}", name="one_window:api:step", summary="One department step")
async def api_step(ctx: RequestContext, step_id: int) -> StepOut:
    _queue(ctx)
    try:
        return StepOut.of(*await bo.get_step(ctx, step_id))
    except bo.NotFound as exc:
        raise NotFoundException(_("Not found.")) from exc


@post(
    "/one_window/steps/{step_id:int}/answer",
    name="one_window:api:step_answer",
    summary="A department answers its step (the last answer of a stage joins it)",
    status_code=200,
)
async def api_step_answer(ctx: RequestContext, step_id: int, data: AnswerIn) -> StepOut:
    ctx.require(KEY, "department")
    try:
        await bo.answer_step(ctx, step_id, data["decision"], data["opinion"])
        return StepOut.of(*await bo.get_step(ctx, step_id))
    except bo.NotFound as exc:
        raise NotFoundException(_("Not found.")) from exc


@get("/one_window/reports", name="one_window:api:reports", summary="Requests per channel and department, on time")
async def api_reports(ctx: RequestContext, start: str = "", end: str = "") -> ReportOut:
    ctx.require(KEY, "reports")
    first, last = _period(start[:10], end[:10])
    data = await reports.figures(ctx.session, first, last)
    return ReportOut(
        start=first,
        end=last,
        received=[ReceivedOut(d, c, n) for (d, c), n in sorted(data.received.items(), key=lambda kv: str(kv[0]))],
        on_time=[OnTimeOut(r.department_id, r.answered, r.on_time, round(r.rate, 4)) for r in data.on_time],
        missing=[MissingOut(name, n) for name, n in data.missing],
        escalations=[LevelOut(r.level, r.sent, r.from_below, r.settled, r.passed_up) for r in data.escalations],
    )


class ProgressIn(TypedDict):
    """The reference on the receipt and the phone given at the window."""

    reference: Code
    phone: Code


@dataclass(frozen=True)
class StageStepOut:
    """One department of a stage of the route: ``waiting`` (not started), ``open`` (at work) or ``done``."""

    department: str
    status: str


@dataclass(frozen=True)
class ProgressOut:
    """Where a request stands, as the public lookup shows it: no name, no phone, no officer."""

    reference: str
    item_title: str
    received_on: date
    status: str
    promised_on: date | None
    stages: list[list[StageStepOut]]
    result: str
    result_text: str
    finished_on: date | None


@post(
    "/one_window/progress",
    name="one_window:api:progress",
    summary="The public progress lookup: a request by its reference and the applicant's phone (no login)",
    status_code=200,
    opt={"public": True},
)
async def api_progress(request: Request[Any, Any, Any], ctx: RequestContext, data: ProgressIn) -> ProgressOut:
    """The page's lookup as JSON: the same counter per address (10 in ten minutes, then 429) and the same answer
    (404) for an unknown reference and a wrong phone."""
    client = request.client.host if request.client else "unknown"
    if await bo.count_lookup(ctx, client) > bo.LOOKUP_LIMIT:
        raise HTTPException(status_code=429, detail=_("Too many lookups: try again in ten minutes."))
    found = await bo.find_progress(ctx, data["reference"], data["phone"])
    if found is None:
        words = _("No request was found for this reference and phone. Check both against your receipt.")
        raise NotFoundException(words)
    return ProgressOut(
        reference=found.reference,
        item_title=found.item_title,
        received_on=found.received_on,
        status=found.status,
        promised_on=found.promised_on,
        stages=[[StageStepOut(name, status) for name, status in stage] for stage in found.stages],
        result=found.result,
        result_text=found.result_text,
        finished_on=found.finished_on,
    )


BACKOFFICE_API_ROUTES = [api_steps, api_step, api_step_answer, api_reports, api_progress]
