"""我的诉求: the cases a resident or volunteer filed, with where each stands and what is asked of them.

People the district serves (residents, volunteers: :data:`NOT_STAFF`) never get the staff
queue, with its assignment tools, saved queues and list of names; ``/cases`` sends them here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request, get
from litestar.response import Redirect
from sqlalchemy import select

from core.cases.labels import state_label
from core.cases.service import available_transitions, case_types
from core.context import RequestContext
from core.i18n import gettext as _
from core.models.cases import Case
from core.services.memberships import NOT_STAFF
from core.web.pages import page
from core.workflows.definition import StateKind

__all__ = ("MY_REQUESTS_ROUTES", "is_served_only")

LIMIT = 200


def is_served_only(ctx: RequestContext) -> bool:
    """Whether the user is here only as someone the district serves (no staff role)."""
    return not ctx.is_platform_admin and bool(ctx.roles) and set(ctx.roles) <= NOT_STAFF


@dataclass
class MyCase:
    case: Case
    type_name: str
    state: str
    kind: str
    next_step: str


@get("/my-requests", name="my_requests", include_in_schema=False)
async def my_requests(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """The user's own cases, newest activity first: status, and the next step expected of them."""
    assert ctx.user is not None
    ctx.require("dashboard", "view")
    types = {key: definition for key, (_row, definition) in (await case_types(ctx)).items()}
    rows = (
        await ctx.session.execute(
            select(Case).where(Case.created_by_id == ctx.user.id).order_by(Case.updated_at.desc()).limit(LIMIT)
        )
    ).scalars()
    items = []
    for case in rows:
        definition = types.get(case.case_type_key)
        if definition is None:
            continue
        state = definition.workflow.state(case.state)
        kind = state.kind if state else StateKind.OPEN
        mine = [t.label(ctx.locale) for t in available_transitions(ctx, case, definition)] if case.is_open else []
        if mine:
            next_step = _("You may: %(steps)s", steps="、".join(mine))
        elif kind == StateKind.CLOSED:
            next_step = _("Finished.")
        elif kind == StateKind.WAITING:
            next_step = _("Waiting for information or another party; staff will tell you what is needed.")
        else:
            next_step = _("Staff are handling it.")
        items.append(
            MyCase(case, definition.name(ctx.locale), state_label(definition, case.state, ctx.locale), kind, next_step)
        )
    return await page(request, ctx, "core/my/requests.html", items=items)


async def queue_for_served(ctx: RequestContext) -> Redirect | None:
    """The staff queue is not for residents and volunteers: they are sent to 我的诉求."""
    return Redirect(ctx.url("/my-requests"), status_code=303) if is_served_only(ctx) else None


MY_REQUESTS_ROUTES = [my_requests]
