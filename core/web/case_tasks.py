"""The case page's 转介与任务 panel (add a task, change its status) and 我的任务 (``/my-tasks``).

Each handler reads the case through :func:`core.cases.service.get_case` (404 unless the user
may read it; a read of a protected case is logged). A refusal shows in the panel with what
the user typed kept; a task changed by someone else since the page was loaded answers 409
("已被他人修改，请刷新") and writes nothing. htmx gets the panel (and the timeline out of band);
a plain form post gets the whole page, or a 303 back to it.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from litestar import Request, get, post
from litestar.response import Redirect

from core.cases.errors import InvalidData
from core.cases.service import get_case
from core.context import RequestContext
from core.db.transactions import roll_back
from core.i18n import gettext
from core.tasks.service import StaleTask, change_status, create_task, kind_label, my_tasks, status_label
from core.web.case_page import render_case
from core.web.forms import PAGE, read_posted
from core.web.pages import is_fragment, page

if TYPE_CHECKING:
    from core.casetypes.definition import CaseTypeDef
    from core.models.cases import Case

__all__ = ("CASE_TASK_ROUTES",)

PANEL = "core/cases/page_tasks.html"
FIELDS = (
    "kind",
    "title",
    "partner",
    "partner_contact",
    "partner_kind",
    "follower_id",
    "due_on",
    "due_in_days",
    "status",
)


def _number(raw: str, name: str, errors: dict[str, str]) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        errors[name] = gettext("Enter a whole number.")
        return None
    return int(raw)


def _day(raw: str, errors: dict[str, str]) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors["due_on"] = gettext("Enter a date like 2026-03-01.")
        return None


async def _answer(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    case: Case,
    definition: CaseTypeDef,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Any:
    """The panel for htmx (errors with status 200, as the rest of the case page), else the whole page."""
    fragment = is_fragment(request)
    return await render_case(
        request,
        ctx,
        case,
        definition,
        template=PANEL if fragment else None,
        status_code=200 if fragment else status_code,
        **extra,
    )


@post("/cases/{reference:str}/tasks", name="case_task_add", **PAGE)
async def add_task(request: Request[Any, Any, Any], ctx: RequestContext, reference: str) -> Any:
    """Add a task (a referral to a partner, a follow-up …) to the case."""
    case, definition = await get_case(ctx, reference)
    posted, _files = await read_posted(request)
    values = {name: str(posted.get(name) or "")[:400] for name in FIELDS}
    errors: dict[str, str] = {}
    follower = _number(values["follower_id"], "follower_id", errors)
    days = _number(values["due_in_days"], "due_in_days", errors)
    due_on = _day(values["due_on"], errors)
    try:
        if errors:
            raise InvalidData(gettext("Please correct the marked fields."), errors)
        await create_task(
            ctx,
            case,
            definition,
            kind=values["kind"],
            title=values["title"],
            partner=values["partner"],
            partner_contact=values["partner_contact"],
            partner_kind=values["partner_kind"],
            follower_id=follower,
            due_on=due_on,
            due_in_days=days,
            status=values["status"] or "open",
        )
    except InvalidData as exc:
        roll_back(request)
        return await _answer(
            request,
            ctx,
            case,
            definition,
            status_code=400,
            task_error=exc.message,
            task_errors=exc.errors,
            task_values=values,
        )
    if not is_fragment(request):
        return Redirect(ctx.url(f"/cases/{case.reference}#case-tasks"), status_code=303)
    return await _answer(request, ctx, case, definition, refresh=True)


@post("/cases/{reference:str}/tasks/{task_id:int}/status", name="case_task_status", **PAGE)
async def task_status(request: Request[Any, Any, Any], ctx: RequestContext, reference: str, task_id: int) -> Any:
    """Move a task to its next status (an outcome with 已完成 / 对方未接收); 409 if someone changed it first."""
    case, definition = await get_case(ctx, reference)
    posted, _files = await read_posted(request)
    values = {name: str(posted.get(name) or "")[:2100] for name in ("status", "outcome", "version")}
    version = values["version"].strip()
    try:
        await change_status(
            ctx,
            case,
            definition,
            task_id,
            status=values["status"],
            outcome=values["outcome"],
            version=int(version) if version.isdigit() and len(version) < 10 else -1,
        )
    except StaleTask as exc:
        roll_back(request)
        return await _answer(request, ctx, case, definition, status_code=409, task_error=exc.message, task_stale=True)
    except InvalidData as exc:
        roll_back(request)
        return await _answer(
            request,
            ctx,
            case,
            definition,
            status_code=400,
            task_error=exc.message,
            task_errors=exc.errors,
            task_values=values,
            task_id=task_id,
        )
    if not is_fragment(request):
        return Redirect(ctx.url(f"/cases/{case.reference}#task-{task_id}"), status_code=303)
    return await _answer(request, ctx, case, definition, refresh=True)


@get("/my-tasks", name="my_tasks", **PAGE)
async def my_tasks_page(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """我的任务: the open tasks I follow, on cases I may read, overdue first."""
    ctx.require("dashboard", "view")
    rows = await my_tasks(ctx)
    return await page(
        request,
        ctx,
        "core/my/tasks.html",
        rows=rows,
        kind_label=kind_label,
        status_label=status_label,
    )


CASE_TASK_ROUTES = [add_task, task_status, my_tasks_page]
