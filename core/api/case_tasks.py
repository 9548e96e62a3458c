"""A case's linked tasks over the API (list, add, change status) and the tasks the user follows.

Each handler first reads the case through :func:`core.cases.service.get_case` (404 unless the
user may read it; a read of a protected case is logged, ``via`` api), then its tasks.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec
from litestar import get, post

from core.api.case_common import json_router, user_refs
from core.api.case_schemas import UserRef
from core.api.text import Name, Title
from core.cases import service
from core.context import RequestContext
from core.models.tasks import CaseTask
from core.tasks.service import change_status, create_task, kind_label, my_tasks, status_label, tasks_of

__all__ = ("TASK_API",)

Key = Annotated[str, msgspec.Meta(max_length=32)]


class TaskIn(msgspec.Struct, forbid_unknown_fields=True):
    """A new task: give ``due_on`` (a date) or ``due_in_days`` (working days from today), or neither."""

    title: Title
    kind: Key = "referral"
    partner: Name = ""
    partner_contact: Name = ""
    partner_kind: Key = ""
    follower_id: Annotated[int, msgspec.Meta(ge=1, le=2**62)] | None = None
    due_on: date | None = None
    due_in_days: Annotated[int, msgspec.Meta(ge=0, le=366)] | None = None
    status: Key = "open"


class TaskStatusIn(msgspec.Struct, forbid_unknown_fields=True):
    """The next status, the ``version`` of the task as the client saw it, and the outcome (completed, declined)."""

    status: Key
    version: Annotated[int, msgspec.Meta(ge=1, le=2**31)]
    outcome: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class TaskOut(msgspec.Struct):
    """A linked task of a case."""

    id: int
    case: str  # the case's reference
    kind: str
    kind_label: str
    title: str
    partner: str
    partner_contact: str
    partner_kind: str
    follower: UserRef | None
    due_on: date | None
    status: str
    status_label: str
    outcome: str
    version: int
    created_by: UserRef | None
    created_at: datetime
    updated_by: UserRef | None
    updated_at: datetime
    closed_at: datetime | None


async def _out(ctx: RequestContext, rows: list[tuple[CaseTask, str]]) -> list[TaskOut]:
    users = await user_refs(ctx, [u for t, _ in rows for u in (t.follower_id, t.created_by_id, t.updated_by_id)])
    return [
        TaskOut(
            id=t.id,
            case=reference,
            kind=t.kind,
            kind_label=kind_label(t.kind, ctx.locale),
            title=t.title,
            partner=t.partner,
            partner_contact=t.partner_contact,
            partner_kind=t.partner_kind,
            follower=users.get(t.follower_id) if t.follower_id else None,
            due_on=t.due_on,
            status=t.status,
            status_label=status_label(t.status, ctx.locale),
            outcome=t.outcome,
            version=t.version,
            created_by=users.get(t.created_by_id) if t.created_by_id else None,
            created_at=t.created_at,
            updated_by=users.get(t.updated_by_id) if t.updated_by_id else None,
            updated_at=t.updated_at,
            closed_at=t.closed_at,
        )
        for t, reference in rows
    ]


@get("/cases/{reference:str}/tasks", summary="The case's linked tasks (referrals, follow-ups …), open ones first")
async def list_tasks(ctx: RequestContext, reference: str) -> list[TaskOut]:
    case, _definition = await service.get_case(ctx, reference)
    return await _out(ctx, [(t, case.reference) for t in await tasks_of(ctx, case)])


@post("/cases/{reference:str}/tasks", summary="Add a linked task to the case (the case's edit permission)")
async def add_task(ctx: RequestContext, reference: str, data: TaskIn) -> TaskOut:
    case, definition = await service.get_case(ctx, reference)
    task = await create_task(
        ctx,
        case,
        definition,
        kind=data.kind,
        title=data.title,
        partner=data.partner,
        partner_contact=data.partner_contact,
        partner_kind=data.partner_kind,
        follower_id=data.follower_id,
        due_on=data.due_on,
        due_in_days=data.due_in_days,
        status=data.status,
    )
    return (await _out(ctx, [(task, case.reference)]))[0]


@post(
    "/cases/{reference:str}/tasks/{task_id:int}/status",
    summary="Move a task to its next status (409 when its version is no longer the stored one)",
    status_code=200,
)
async def set_task_status(ctx: RequestContext, reference: str, task_id: int, data: TaskStatusIn) -> TaskOut:
    case, definition = await service.get_case(ctx, reference)
    task = await change_status(
        ctx, case, definition, task_id, status=data.status, version=data.version, outcome=data.outcome
    )
    return (await _out(ctx, [(task, case.reference)]))[0]


@get("/my-tasks", summary="The open tasks I follow up, on cases I may read: overdue first, then by due date")
async def list_my_tasks(ctx: RequestContext) -> list[TaskOut]:
    return await _out(ctx, [(row.task, row.reference) for row in await my_tasks(ctx)])


TASK_API = json_router([list_tasks, add_task, set_task_status, list_my_tasks], "tasks")
