"""What the case API's modules share: error bodies, user look-ups and the case as JSON.

Errors are JSON objects ``{"status_code", "detail", …}``: a 400 adds ``errors`` (field
path → message), a stale edit (409) adds ``changes`` (field, old, new, by, at) and the
current ``lock_version``; a refused step (409) carries its reason as ``detail``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from litestar import MediaType, Request, Response, Router
from litestar.exceptions import ValidationException
from sqlalchemy import select

from core.api.case_schemas import CaseOut, UserRef
from core.cases.errors import CaseError, InvalidData, StaleCase
from core.cases.service import case_types, definition_for
from core.cases.types import get_version
from core.i18n import gettext
from core.models import User

if TYPE_CHECKING:
    from collections.abc import Iterable

    from litestar.types import ControllerRouterHandler

    from core.casetypes.definition import CaseTypeDef
    from core.context import RequestContext
    from core.models.cases import Case

__all__ = ("case_out", "cases_out", "json_router", "user_refs")

_MISSING = re.compile(r"missing required field `([^`]+)`")


def _case_error(_request: Request[Any, Any, Any], exc: CaseError) -> Response[Any]:
    """A refused change as JSON: per-field ``errors``, or what changed (409), or the reason (409)."""
    body: dict[str, Any] = {"status_code": exc.status_code, "detail": exc.message}
    if isinstance(exc, InvalidData):
        body["errors"] = exc.errors
    elif isinstance(exc, StaleCase):
        body["changes"] = exc.changes
        body["lock_version"] = exc.current_version
    elif "version" in exc.extra:  # a linked task changed by someone else (core.tasks)
        body["version"] = exc.extra["version"]
    return Response(body, status_code=exc.status_code, media_type=MediaType.JSON)


def _bad_request(_request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    """A body or query parameter of the wrong shape: 400 with a message per field."""
    if isinstance(exc.extra, dict) and isinstance(exc.extra.get("errors"), dict):  # refused by core.web.inputs
        body = {"status_code": 400, "detail": exc.detail, "errors": exc.extra["errors"]}
        return Response(body, status_code=400, media_type=MediaType.JSON)
    errors: dict[str, str] = {}
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if getattr(item.get("source"), "value", item.get("source")) == "path":
            # The router matched the path's parameters already. Once the OpenAPI document has
            # been built, Litestar also lists ``district_code`` here (its KeyError, "'district_code'")
            # beside the real error of the body: not a field the client can correct.
            continue
        message = str(item.get("message", ""))
        missing = _MISSING.search(message)
        key = missing.group(1) if missing else str(item.get("key") or "body")
        if item.get("source") == "query":
            key = key.rstrip("_")  # ``type_`` in Python is ``type`` in the URL
        errors[key] = (
            gettext("This field is required.") if missing else gettext("The value does not have the expected format.")
        )
    body = {"status_code": 400, "detail": gettext("Please correct the marked fields."), "errors": errors}
    return Response(body, status_code=400, media_type=MediaType.JSON)


def json_router(handlers: list[ControllerRouterHandler], tag: str) -> Router:
    """Mount ``handlers`` with the case API's error bodies, tagged ``tag`` in the OpenAPI document."""
    return Router(
        path="/",
        route_handlers=handlers,
        tags=[tag],
        exception_handlers={CaseError: _case_error, ValidationException: _bad_request},
    )


async def user_refs(ctx: RequestContext, ids: Iterable[int | None]) -> dict[int, UserRef]:
    """The users with ``ids`` (names only), by id."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await ctx.session.execute(select(User.id, User.username, User.display_name).where(User.id.in_(wanted)))
    return {uid: UserRef(id=uid, username=name, display_name=label or name) for uid, name, label in rows}


async def _version_number(ctx: RequestContext, version_id: int) -> int:
    known = ctx.extra.setdefault("api_version_numbers", {})
    if not known:
        known.update({row.id: row.version for row, _d in (await case_types(ctx)).values()})
    if version_id not in known:
        row = await get_version(ctx.session, version_id)
        known[version_id] = row.version if row is not None else 0
    return int(known[version_id])


def _state_label(definition: CaseTypeDef, state: str, locale: str) -> str:
    found = definition.workflow.state(state)
    return found.label(locale) if found is not None else state


async def cases_out(ctx: RequestContext, cases: list[Case]) -> list[CaseOut]:
    """Cases as JSON, with their people named (one query for all the users)."""
    users = await user_refs(ctx, [i for c in cases for i in (c.assignee_id, c.created_by_id, c.updated_by_id)])
    out = []
    for case in cases:
        definition = await definition_for(ctx, case)
        out.append(
            CaseOut(
                reference=case.reference,
                type=case.case_type_key,
                type_version=await _version_number(ctx, case.case_type_version_id),
                title=case.title,
                state=case.state,
                state_label=_state_label(definition, case.state, ctx.locale),
                is_open=case.is_open,
                data=case.data,
                channel=case.channel,
                priority=case.priority,
                team_id=case.team_id,
                assignee=users.get(case.assignee_id) if case.assignee_id else None,
                due_at=case.due_at,
                lock_version=case.lock_version,
                created_at=case.created_at,
                created_by=users.get(case.created_by_id) if case.created_by_id else None,
                updated_at=case.updated_at,
                updated_by=users.get(case.updated_by_id) if case.updated_by_id else None,
                closed_at=case.closed_at,
            )
        )
    return out


async def case_out(ctx: RequestContext, case: Case) -> CaseOut:
    """One case as JSON."""
    return (await cases_out(ctx, [case]))[0]
