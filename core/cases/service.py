"""Working cases: create, edit (optimistic locking), transition, comment, assign, claim.

Every function runs inside the caller's transaction (the request's): hooks such as
``before_transition`` / ``after_transition`` / ``on_case_created`` run in it too, so a
failing side effect leaves nothing changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select

from core.cases.access import visibility_clause
from core.cases.errors import InvalidData, TransitionRefused
from core.cases.reads import record_read
from core.cases.references import next_reference
from core.cases.sla import apply_sla
from core.cases.timeline import append_event
from core.cases.types import cached_current_versions, cached_definition, definition_of, get_version
from core.casetypes.definition import CHANNELS
from core.db import utcnow
from core.forms import validate
from core.i18n import gettext
from core.models.cases import Case
from core.plugins.asyncio import call_hook
from core.refusal import NotFound
from core.workdays import calendar_for
from core.workflows.definition import StateKind

if TYPE_CHECKING:
    from core.casetypes.definition import CaseTypeDef
    from core.context import RequestContext
    from core.models.cases import CaseTypeVersion

from core.cases.activity import assign, claim, comment
from core.cases.notices import notify_assignee
from core.cases.transitions import available_transitions, perform_transition
from core.cases.writes import diff_data, require_permission, search_text, stale_error, write_if_current

__all__ = (
    "assign",
    "available_transitions",
    "case_type",
    "case_types",
    "claim",
    "comment",
    "create_case",
    "definition_for",
    "get_case",
    "perform_transition",
    "update_case",
)


async def case_types(ctx: RequestContext) -> dict[str, tuple[CaseTypeVersion, CaseTypeDef]]:
    """The district's current case types (of the core and enabled plugins), by key."""
    cached = ctx.extra.get("case_types")
    if cached is None:
        assert ctx.district is not None
        rows = await cached_current_versions(ctx.session, ctx.district, enabled=ctx.enabled)
        cached = {row.key: (row, definition_of(row)) for row in rows}
        ctx.extra["case_types"] = cached
    return cached  # type: ignore[no-any-return]


async def case_type(ctx: RequestContext, key: str) -> tuple[CaseTypeVersion, CaseTypeDef]:
    """One current case type, or 404."""
    found = (await case_types(ctx)).get(key)
    if found is None:
        raise NotFound(gettext("No such case type."))
    return found


async def definition_for(ctx: RequestContext, case: Case) -> CaseTypeDef:
    """The definition of the version the case is on."""
    parsed = cached_definition(case.case_type_version_id)
    if parsed is not None:
        return parsed
    row = await get_version(ctx.session, case.case_type_version_id)
    assert row is not None
    return definition_of(row)


# The case-by-reference statement for each visibility clause (kept per process by
# core.cases.access while the user's rights stay the same): built once, keyed once.
_BY_REFERENCE: dict[tuple[int, bool], tuple[Any, Any]] = {}


async def get_case(
    ctx: RequestContext, reference: str, *, for_update: bool = False, record: bool = True
) -> tuple[Case, CaseTypeDef]:
    """A case the user may see, by reference; 404 otherwise (never revealing that it exists).

    A case whose type audits reads gets a row in its read log (:mod:`core.cases.reads`)
    unless ``record`` is false (code that acts as a user without showing anyone the record: the demo seed).
    """
    types = await case_types(ctx)
    visible = await visibility_clause(ctx, [d for _, d in types.values()])
    found = _BY_REFERENCE.get((id(visible), for_update))
    if found is None or found[0] is not visible:
        query = select(Case).where(Case.reference == bindparam("reference"), visible)
        found = (visible, query.with_for_update() if for_update else query)
        if len(_BY_REFERENCE) >= 1024:
            _BY_REFERENCE.clear()
        _BY_REFERENCE[(id(visible), for_update)] = found
    case = (await ctx.session.execute(found[1], {"reference": reference})).scalar_one_or_none()
    if case is None:
        raise NotFound(gettext("No such case, or you may not see it."))
    definition = await definition_for(ctx, case)
    if record:  # audited if the case's version or the type's current one says so
        current = types.get(case.case_type_key)
        await record_read(ctx, case, current[1] if current and current[1].audit_reads else definition)
    return case, definition


async def create_case(
    ctx: RequestContext,
    type_key: str,
    *,
    title: str,
    data: dict[str, Any],
    channel: str,
    source: str = "form",
    priority: int = 1,
    team_id: int | None = None,
    assignee_id: int | None = None,
) -> Case:
    """Open a new case of ``type_key`` on its initial state; raise :class:`InvalidData` on bad input."""
    assert ctx.user is not None and ctx.district is not None
    row, definition = await case_type(ctx, type_key)
    require_permission(ctx, definition, "create")
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = gettext("This field is required.")
    elif len(title) > 200:
        errors["title"] = gettext("Enter at most %(n)s characters.", n=200)
    if channel not in definition.channels or channel not in CHANNELS:
        errors["channel"] = gettext("Choose one of the listed options.")
    if priority not in (0, 1, 2, 3):
        errors["priority"] = gettext("Choose one of the listed options.")
    result = validate(definition.form, data, source=source)
    errors.update(result.errors)
    if errors:
        raise InvalidData(gettext("Please correct the marked fields."), errors)
    now = utcnow()
    initial = definition.workflow.state(definition.workflow.initial)
    assert initial is not None
    reference = await next_reference(ctx.session, ctx.district, now)
    case = Case(
        district_id=ctx.district.id,
        case_type_key=type_key,
        case_type_version_id=row.id,
        reference=reference,
        title=title,
        state=initial.key,
        is_open=initial.kind != StateKind.CLOSED,
        data=result.data,
        channel=channel,
        priority=priority,
        team_id=team_id,
        assignee_id=assignee_id,
        created_by_id=ctx.user.id,
        updated_by_id=ctx.user.id,
        created_at=now,
        updated_at=now,
        search_text=search_text(reference, title, result.data),
    )
    apply_sla(case, None, initial, now, await calendar_for(ctx.session, ctx.district))
    ctx.session.add(case)
    await ctx.session.flush()
    await append_event(
        ctx.session,
        case,
        "created",
        ctx.user.id,
        {"title": title, "state": initial.key, "channel": channel, "data": result.data, "version": row.version},
    )
    await notify_assignee(ctx, case, assignee_id)  # a case opened for someone else tells them
    await call_hook(ctx.hooks.on_case_created, ctx=ctx, case=case, case_type=definition)
    return case


async def update_case(
    ctx: RequestContext,
    case: Case,
    definition: CaseTypeDef,
    *,
    lock_version: int,
    changes: dict[str, Any],
    source: str = "form",
    title: str | None = None,
    priority: int | None = None,
) -> dict[str, list[Any]]:
    """Change some fields of a case; a stale ``lock_version`` gets :class:`StaleCase` (409), never an overwrite."""
    assert ctx.user is not None
    require_permission(ctx, definition, "edit")
    if not case.is_open:
        raise TransitionRefused(gettext("A closed case cannot be changed."))
    if lock_version != case.lock_version:
        raise await stale_error(ctx, case, lock_version)
    unknown = [k for k in changes if definition.form.get(k) is None]
    if unknown:
        raise InvalidData(gettext("Please correct the marked fields."), {k: gettext("No such field.") for k in unknown})
    # A file field lists the case's attachments: files are added by attaching them (which
    # checks and stores them), never by naming attachment ids in an edit.
    file_keys = {f.key for f in definition.form.fields if f.type == "file"}
    files = [k for k, v in changes.items() if k in file_keys and v != case.data.get(k)]
    if files:
        message = gettext("Files are added to a case by attaching them, not by editing the field.")
        raise InvalidData(gettext("Please correct the marked fields."), dict.fromkeys(files, message))
    merged = {**case.data, **changes}
    result = validate(definition.form, merged, source=source, only=list(changes))
    errors = dict(result.errors)
    values: dict[str, Any] = {}
    if title is not None:
        if not title.strip() or len(title) > 200:
            errors["title"] = gettext("This field is required.")
        values["title"] = title.strip()
    if priority is not None:
        values["priority"] = priority
    if errors:
        raise InvalidData(gettext("Please correct the marked fields."), errors)
    new_data = {**case.data}
    for key in changes:
        if key in result.data:
            new_data[key] = result.data[key]
        else:
            new_data.pop(key, None)
    # Computed fields follow their inputs.
    for f in definition.form.fields:
        if f.type == "computed" and f.key in result.data:
            new_data[f.key] = result.data[f.key]
    diff = diff_data(case.data, new_data)
    if "title" in values and values["title"] != case.title:
        diff["title"] = [case.title, values["title"]]
    if "priority" in values and values["priority"] != case.priority:
        diff["priority"] = [case.priority, values["priority"]]
    if not diff:
        return {}
    values["data"] = new_data
    values["search_text"] = search_text(case.reference, values.get("title", case.title), new_data)
    await write_if_current(ctx, case, lock_version, values)
    await append_event(ctx.session, case, "updated", ctx.user.id, {"changes": diff, "lock_version": case.lock_version})
    return diff
