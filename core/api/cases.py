"""``/cases``: list (the queue's filters, keyset pages), create, read, edit, transitions, claim, assign.

Everything goes through :mod:`core.cases.service`, so the API sees and changes exactly
what the pages do: the same visibility in SQL (404 for what the caller may not see),
the same permissions (403), the same validation (400 with per-field errors), the same
optimistic locking (409 with what changed).
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime
from typing import Annotated, Literal

from litestar import get, patch, post
from litestar.params import Parameter
from msgspec import UNSET
from sqlalchemy import select

from core.api.case_common import case_out, cases_out, json_router
from core.api.case_schemas import (
    AssignIn,
    CaseIn,
    CaseList,
    CaseOut,
    CasePatch,
    TransitionIn,
    TransitionOut,
)
from core.cases import service
from core.cases.attachments import claim_pending, link_pending
from core.cases.errors import InvalidData
from core.cases.permissions import may_edit
from core.cases.queues import PAGE_SIZE, Filters, list_cases
from core.cases.reads import record_reads
from core.cases.transitions import fields_to_fill
from core.context import RequestContext
from core.i18n import gettext
from core.models import Membership, OrgUnit, User

__all__ = ("CASE_API",)

MAX_LIMIT = 200
Scope = Literal["all", "mine", "team", "unassigned", "due_soon", "overdue"]
_BODY_NAMES = {"assignee": "assignee_id"}
Sort = Literal["updated", "-updated", "created", "-created", "due", "-priority", "reference"]


def _fix(message: str, errors: dict[str, str]) -> InvalidData:
    return InvalidData(message or gettext("Please correct the marked fields."), errors)


def _check_cursor(cursor: str, sort: str) -> None:
    """400 unless ``cursor`` is a ``next_cursor`` this list made for the same ``sort``."""
    try:
        value, case_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        int(case_id)
        if sort == "-priority":
            ok = isinstance(value, int)
        elif sort == "reference":
            ok = isinstance(value, str)
        else:
            ok = isinstance(value, str) and datetime.fromisoformat(value) is not None
    except (ValueError, TypeError, binascii.Error):
        ok = False
    if not ok:
        raise _fix("", {"cursor": gettext("The value does not have the expected format.")})


@get("/cases", summary="Cases you may see, filtered like the queue, one keyset page at a time")
async def list_cases_api(
    ctx: RequestContext,
    *,
    type_: Annotated[list[str] | None, Parameter(query="type", description="case type key (repeatable)")] = None,
    state_: Annotated[list[str] | None, Parameter(query="state", description="state key (repeatable)")] = None,
    scope_: Annotated[
        Scope, Parameter(query="scope", description="mine, my team, unassigned, due within 24 h, overdue")
    ] = "all",
    assignee: Annotated[str | None, Parameter(description='"me", "none" or a user id')] = None,
    team: Annotated[int | None, Parameter(description="org unit id")] = None,
    channel: Annotated[str | None, Parameter(description="web, mobile, phone, walk_in, door_to_door")] = None,
    open_: Annotated[Literal["open", "closed", "any"], Parameter(query="open")] = "open",
    created_from: date | None = None,
    created_to: date | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
    q: Annotated[str | None, Parameter(description="text in the reference, title or data")] = None,
    field_: Annotated[
        list[str] | None,
        Parameter(query="field", description='a form field equal to a value, "service_line:elderly" (repeatable)'),
    ] = None,
    sort: Sort = "-updated",
    cursor: Annotated[str | None, Parameter(description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Parameter(ge=1, le=MAX_LIMIT)] = PAGE_SIZE,
) -> CaseList:
    raw = {
        "type": type_ or [],
        "state": state_ or [],
        "scope": scope_,
        "assignee": assignee,
        "team": team,
        "channel": channel,
        "open": open_,
        "created_from": created_from,
        "created_to": created_to,
        "due_from": due_from,
        "due_to": due_to,
        "q": q,
        "sort": sort,
        "field": field_ or [],
    }
    filters = Filters.from_query({k: v.isoformat() if isinstance(v, date) else v for k, v in raw.items()})
    if cursor:
        _check_cursor(cursor, filters.sort)
    definitions = [d for _row, d in (await service.case_types(ctx)).values()]
    page = await list_cases(ctx, filters, definitions, cursor=cursor, limit=limit)
    await record_reads(ctx, page.cases, [d.key for d in definitions if d.audit_reads])  # the items carry the data
    return CaseList(items=await cases_out(ctx, page.cases), next_cursor=page.next_cursor)


async def _check_people(ctx: RequestContext, data: CaseIn, resource: str) -> None:
    """Team and assignee: staff only, and both must belong to this district."""
    assert ctx.district is not None
    errors: dict[str, str] = {}
    if (data.team_id is not None or data.assignee_id is not None) and not ctx.can(resource, "edit"):
        message = gettext("Only staff who may work this type of case can choose its team or assignee.")
        field = "team_id" if data.team_id is not None else "assignee_id"
        raise _fix(message, {field: message})
    if data.team_id is not None:
        found = await ctx.session.execute(
            select(OrgUnit.id).where(OrgUnit.id == data.team_id, OrgUnit.district_id == ctx.district.id)
        )
        if found.scalar_one_or_none() is None:
            errors["team_id"] = gettext("There is no such org unit in this district.")
    if data.assignee_id is not None:
        found = await ctx.session.execute(
            select(Membership.id)
            .where(Membership.user_id == data.assignee_id, Membership.district_id == ctx.district.id)
            .limit(1)
        )
        if found.scalar_one_or_none() is None:
            errors["assignee_id"] = gettext("Choose someone from the list.")
    if errors:
        raise _fix("", errors)


def _default_team(ctx: RequestContext) -> int | None:
    """The creator's own org unit in the district, if they have exactly one."""
    assert ctx.district is not None
    units = {m.org_unit_id for m in ctx.memberships if m.district_id == ctx.district.id and m.org_unit_id}
    return units.pop() if len(units) == 1 else None


@post("/cases", summary="Open a case (400 with per-field errors; nothing is created on an error)")
async def create_case_api(ctx: RequestContext, data: CaseIn) -> CaseOut:
    _row, definition = await service.case_type(ctx, data.type)
    ctx.require(definition.resource, "create")
    unknown = sorted(k for k in data.data if definition.form.get(k) is None)
    if unknown:  # never drop what a client sent without saying so
        raise _fix("", {k: gettext("No such field.") for k in unknown})
    await _check_people(ctx, data, definition.resource)
    team_id = data.team_id
    if team_id is None and may_edit(ctx, None, definition):
        team_id = _default_team(ctx)
    # Files of `file` fields were uploaded first (POST /case-types/{type}/attachments): claim them.
    values, file_errors, files = await claim_pending(ctx, definition, data.data)
    if file_errors:
        raise _fix("", file_errors)
    case = await service.create_case(
        ctx,
        data.type,
        title=data.title,
        data=values,
        channel=data.channel,
        source="json",
        priority=data.priority,
        team_id=team_id,
        assignee_id=data.assignee_id,
    )
    await link_pending(ctx, case, files)
    return await case_out(ctx, case)


@get("/cases/{reference:str}", summary="One case (404 unless you may see it)")
async def get_case_api(ctx: RequestContext, reference: str) -> CaseOut:
    case, _definition = await service.get_case(ctx, reference)
    return await case_out(ctx, case)


@patch("/cases/{reference:str}", summary="Change some fields (lock_version required; 409 with the changes if stale)")
async def update_case_api(ctx: RequestContext, reference: str, data: CasePatch) -> CaseOut:
    case, definition = await service.get_case(ctx, reference)
    await service.update_case(
        ctx,
        case,
        definition,
        lock_version=data.lock_version,
        changes=data.data,
        source="json",
        title=None if data.title is UNSET else str(data.title),
        priority=None if data.priority is UNSET else int(data.priority),  # type: ignore[arg-type]
    )
    return await case_out(ctx, case)


@get("/cases/{reference:str}/transitions", summary="Steps you may take from the case's state")
async def list_transitions_api(ctx: RequestContext, reference: str) -> list[TransitionOut]:
    case, definition = await service.get_case(ctx, reference)
    return [
        TransitionOut(
            key=t.key,
            label=t.label(ctx.locale),
            sources=list(t.sources),
            target=t.target,
            required=list(fields_to_fill(definition, t, case.data)),
            reason_required=t.reason_required,
            confirm=t.confirm(ctx.locale) or None,
            roles=list(t.roles),
        )
        for t in service.available_transitions(ctx, case, definition)
    ]


@post(
    "/cases/{reference:str}/transitions",
    status_code=200,
    summary="Take a step (409 with the reason when the workflow, a guard or a plugin refuses)",
)
async def perform_transition_api(ctx: RequestContext, reference: str, data: TransitionIn) -> CaseOut:
    case, definition = await service.get_case(ctx, reference)
    await service.perform_transition(
        ctx,
        case,
        definition,
        data.transition,
        lock_version=data.lock_version,
        reason=data.reason,
        data=data.data,
        source="json",
    )
    return await case_out(ctx, case)


@post("/cases/{reference:str}/claim", status_code=200, summary="Take an unassigned case (409 if someone was first)")
async def claim_api(ctx: RequestContext, reference: str) -> CaseOut:
    case, definition = await service.get_case(ctx, reference)
    await service.claim(ctx, case, definition)
    return await case_out(ctx, case)


@post("/cases/{reference:str}/assign", status_code=200, summary="Give the case to a member of the district")
async def assign_api(ctx: RequestContext, reference: str, data: AssignIn) -> CaseOut:
    assert ctx.district is not None
    case, definition = await service.get_case(ctx, reference)
    assignee_id = data.assignee_id
    if assignee_id is None and data.username:
        assignee_id = (
            await ctx.session.execute(
                select(User.id)
                .join(Membership, Membership.user_id == User.id)
                .where(User.username == data.username, Membership.district_id == ctx.district.id)
                .limit(1)
            )
        ).scalar_one_or_none()
        if assignee_id is None:
            raise _fix("", {"username": gettext("Choose someone from the list.")})
    try:
        await service.assign(ctx, case, definition, assignee_id, lock_version=data.lock_version)
    except InvalidData as exc:  # name the field as the body does
        raise _fix(exc.message, {_BODY_NAMES.get(k, k): v for k, v in exc.errors.items()}) from exc
    return await case_out(ctx, case)


CASE_API = json_router(
    [
        list_cases_api,
        create_case_api,
        get_case_api,
        update_case_api,
        list_transitions_api,
        perform_transition_api,
        claim_api,
        assign_api,
    ],
    "cases",
)
