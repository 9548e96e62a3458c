"""Working cases: create, edit (optimistic locking), transition, comment, assign, claim.

Every function runs inside the caller's transaction (the request's): hooks such as
``before_transition`` / ``after_transition`` / ``on_case_created`` run in it too, so a
failing side effect leaves nothing changed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from litestar.exceptions import NotFoundException, PermissionDeniedException
from sqlalchemy import select, update

from core.cases.access import visibility_clause
from core.cases.errors import InvalidData, StaleCase, TransitionRefused
from core.cases.references import next_reference
from core.cases.sla import apply_sla
from core.cases.timeline import append_event
from core.cases.types import current_versions, definition_of, get_version
from core.casetypes.definition import CHANNELS
from core.db import utcnow
from core.forms import evaluate, validate
from core.i18n import gettext
from core.models import User
from core.models.cases import Case, CaseEvent
from core.plugins.asyncio import call_hook
from core.workflows.definition import StateKind

if TYPE_CHECKING:
    from core.casetypes.definition import CaseTypeDef
    from core.models.cases import CaseTypeVersion
    from core.web.context import RequestContext
    from core.workflows.definition import Transition

__all__ = (
    "assign",
    "available_transitions",
    "case_types",
    "claim",
    "comment",
    "create_case",
    "get_case",
    "perform_transition",
    "update_case",
)

MENTION = re.compile(r"@([A-Za-z0-9_.\-]{2,64})")


async def case_types(ctx: RequestContext) -> dict[str, tuple[CaseTypeVersion, CaseTypeDef]]:
    """The district's current case types (of the core and enabled plugins), by key."""
    cached = ctx.extra.get("case_types")
    if cached is None:
        assert ctx.district is not None
        rows = await current_versions(ctx.session, ctx.district, enabled=ctx.enabled)
        cached = {row.key: (row, definition_of(row)) for row in rows}
        ctx.extra["case_types"] = cached
    return cached  # type: ignore[no-any-return]


async def case_type(ctx: RequestContext, key: str) -> tuple[CaseTypeVersion, CaseTypeDef]:
    """One current case type, or 404."""
    found = (await case_types(ctx)).get(key)
    if found is None:
        raise NotFoundException(gettext("No such case type."))
    return found


async def definition_for(ctx: RequestContext, case: Case) -> CaseTypeDef:
    """The definition of the version the case is on."""
    row = await get_version(ctx.session, case.case_type_version_id)
    assert row is not None
    return definition_of(row)


async def get_case(ctx: RequestContext, reference: str, *, for_update: bool = False) -> tuple[Case, CaseTypeDef]:
    """A case the user may see, by reference; 404 otherwise (never revealing that it exists)."""
    types = await case_types(ctx)
    query = select(Case).where(
        Case.reference == reference, await visibility_clause(ctx, [d for _, d in types.values()])
    )
    if for_update:
        query = query.with_for_update()
    case = (await ctx.session.execute(query)).scalar_one_or_none()
    if case is None:
        raise NotFoundException(gettext("No such case, or you may not see it."))
    return case, await definition_for(ctx, case)


def _require(ctx: RequestContext, definition: CaseTypeDef, action: str) -> None:
    if not ctx.can(definition.resource, action):
        raise PermissionDeniedException(gettext("You do not have permission to do this."))


def _search_text(reference: str, title: str, data: dict[str, Any]) -> str:
    parts = [reference, title]
    for value in data.values():
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, list):
            parts.extend(str(v.get("name", "")) if isinstance(v, dict) else str(v) for v in value)
    return " ".join(parts).lower()[:4000]


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
    _require(ctx, definition, "create")
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
        search_text=_search_text(reference, title, result.data),
    )
    apply_sla(case, None, initial, now)
    ctx.session.add(case)
    await ctx.session.flush()
    await append_event(
        ctx.session,
        case,
        "created",
        ctx.user.id,
        {"title": title, "state": initial.key, "channel": channel, "data": result.data, "version": row.version},
    )
    await call_hook(ctx.hooks.on_case_created, ctx=ctx, case=case, case_type=definition)
    return case


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    keys = set(before) | set(after)
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


async def _changes_since(ctx: RequestContext, case: Case, version: int) -> list[dict[str, Any]]:
    """What others changed after ``version``: field, old, new, who, when (for the 409 message)."""
    rows = (
        await ctx.session.execute(
            select(CaseEvent, User.username)
            .outerjoin(User, User.id == CaseEvent.actor_id)
            .where(CaseEvent.case_id == case.id)
            .order_by(CaseEvent.seq)
        )
    ).all()
    changes = []
    for event, username in rows:
        if int(event.payload.get("lock_version", 0)) <= version:
            continue
        for field, (old, new) in (event.payload.get("changes") or {}).items():
            changes.append({"field": field, "old": old, "new": new, "by": username, "at": event.at.isoformat()})
        if event.kind == "transition":
            changes.append(
                {
                    "field": "state",
                    "old": event.payload.get("from"),
                    "new": event.payload.get("to"),
                    "by": username,
                    "at": event.at.isoformat(),
                }
            )
    return changes


async def _stale(ctx: RequestContext, case: Case, version: int) -> StaleCase:
    """The 409 for an editor who loaded ``version``: what changed since, by whom, when."""
    return StaleCase(
        gettext(
            "Someone else changed this case while you were editing. Your changes were not saved; "
            "review theirs and try again."
        ),
        await _changes_since(ctx, case, version),
        case.lock_version,
    )


async def _bump(ctx: RequestContext, case: Case, expected: int, values: dict[str, Any]) -> None:
    """Write ``values`` only if nobody changed the case since ``expected``; else 409 with the changes."""
    assert ctx.user is not None
    now = utcnow()
    result = await ctx.session.execute(
        update(Case)
        .where(Case.id == case.id, Case.lock_version == expected)
        .values(**values, lock_version=Case.lock_version + 1, updated_at=now, updated_by_id=ctx.user.id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        await ctx.session.refresh(case)
        raise await _stale(ctx, case, expected)
    await ctx.session.refresh(case)


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
    _require(ctx, definition, "edit")
    if not case.is_open:
        raise TransitionRefused(gettext("A closed case cannot be changed."))
    if lock_version != case.lock_version:
        raise await _stale(ctx, case, lock_version)
    unknown = [k for k in changes if definition.form.get(k) is None]
    if unknown:
        raise InvalidData(gettext("Please correct the marked fields."), {k: gettext("No such field.") for k in unknown})
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
    diff = _diff(case.data, new_data)
    if "title" in values and values["title"] != case.title:
        diff["title"] = [case.title, values["title"]]
    if "priority" in values and values["priority"] != case.priority:
        diff["priority"] = [case.priority, values["priority"]]
    if not diff:
        return {}
    values["data"] = new_data
    values["search_text"] = _search_text(case.reference, values.get("title", case.title), new_data)
    await _bump(ctx, case, lock_version, values)
    await append_event(ctx.session, case, "updated", ctx.user.id, {"changes": diff, "lock_version": case.lock_version})
    return diff


def available_transitions(ctx: RequestContext, case: Case, definition: CaseTypeDef) -> list[Transition]:
    """Transitions out of the case's state that the user's permissions allow (guards are checked on use)."""
    return [t for t in definition.workflow.outgoing(case.state) if ctx.can(definition.resource, f"transition:{t.key}")]


async def perform_transition(
    ctx: RequestContext,
    case: Case,
    definition: CaseTypeDef,
    transition_key: str,
    *,
    lock_version: int | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    source: str = "form",
) -> Case:
    """Move the case along ``transition_key``; refusals raise :class:`TransitionRefused` with the reason."""
    assert ctx.user is not None and ctx.district is not None
    transition = definition.workflow.transition(transition_key)
    if transition is None or case.state not in transition.sources:
        raise TransitionRefused(gettext("This step is not possible from the case's current state."))
    if not ctx.can(definition.resource, f"transition:{transition.key}"):
        raise PermissionDeniedException(gettext("You do not have permission to do this."))
    if lock_version is not None and lock_version != case.lock_version:
        raise await _stale(ctx, case, lock_version)
    reason = (reason or "").strip()
    if transition.reason_required and not reason:
        raise InvalidData(
            gettext("Please give a reason for this step."), {"reason": gettext("This field is required.")}
        )
    supplied = data or {}
    merged = {**case.data, **supplied}
    result = validate(definition.form, merged, source=source, extra_required=transition.required)
    step_errors = {
        k: v for k, v in result.errors.items() if k.split(".", 1)[0] in set(transition.required) | set(supplied)
    }
    if step_errors:
        raise InvalidData(gettext("Fill in the fields this step needs."), step_errors)
    new_data = {**case.data, **{k: result.data[k] for k in supplied if k in result.data}}
    if transition.guard and not evaluate(transition.guard, new_data):
        raise TransitionRefused(
            transition.guard_message(ctx.locale) or gettext("The conditions for this step are not met.")
        )
    refusals = [
        r
        for r in await call_hook(
            ctx.hooks.before_transition, ctx=ctx, case=case, case_type=definition, transition=transition, data=new_data
        )
        if r
    ]
    if refusals:
        raise TransitionRefused(str(refusals[0]))
    old_state = definition.workflow.state(case.state)
    new_state = definition.workflow.state(transition.target)
    assert new_state is not None
    now = utcnow()
    probe = Case(due_at=case.due_at, sla_remaining=case.sla_remaining, sla_state=case.sla_state)
    apply_sla(probe, old_state, new_state, now)
    diff = _diff(case.data, new_data)
    expected = case.lock_version
    await _bump(
        ctx,
        case,
        expected,
        {
            "state": new_state.key,
            "is_open": new_state.kind != StateKind.CLOSED,
            "closed_at": now if new_state.kind == StateKind.CLOSED else None,
            "data": new_data,
            "due_at": probe.due_at,
            "sla_remaining": probe.sla_remaining,
            "sla_state": probe.sla_state,
            "search_text": _search_text(case.reference, case.title, new_data),
        },
    )
    payload: dict[str, Any] = {
        "transition": transition.key,
        "label": transition.label_zh,
        "from": old_state.key if old_state else None,
        "to": new_state.key,
        "lock_version": case.lock_version,
    }
    if reason:
        payload["reason"] = reason
    if diff:
        payload["changes"] = diff
    await append_event(ctx.session, case, "transition", ctx.user.id, payload)
    await call_hook(ctx.hooks.after_transition, ctx=ctx, case=case, case_type=definition, transition=transition)
    return case


async def comment(ctx: RequestContext, case: Case, definition: CaseTypeDef, text: str) -> CaseEvent:
    """Add a comment; ``@username`` mentions of users of the district are recorded."""
    assert ctx.user is not None and ctx.district is not None
    _require(ctx, definition, "comment")
    text = (text or "").strip()
    if not text:
        raise InvalidData(gettext("Write something first."), {"text": gettext("This field is required.")})
    if len(text) > 5000:
        raise InvalidData(
            gettext("Please correct the marked fields."), {"text": gettext("Enter at most %(n)s characters.", n=5000)}
        )
    names = sorted(set(MENTION.findall(text)))
    mentioned: list[dict[str, Any]] = []
    if names:
        from core.models import Membership  # noqa: PLC0415

        rows = await ctx.session.execute(
            select(User.id, User.username)
            .join(Membership, Membership.user_id == User.id)
            .where(User.username.in_(names), Membership.district_id == ctx.district.id)
            .distinct()
        )
        mentioned = [{"id": uid, "username": name} for uid, name in rows]
    return await append_event(ctx.session, case, "comment", ctx.user.id, {"text": text, "mentions": mentioned})


async def assign(
    ctx: RequestContext,
    case: Case,
    definition: CaseTypeDef,
    assignee_id: int | None,
    *,
    lock_version: int | None = None,
) -> Case:
    """Give the case to someone (``None``: unassign). The assignee must be a member of the district."""
    assert ctx.user is not None and ctx.district is not None
    _require(ctx, definition, "edit")
    if assignee_id is not None:
        from core.models import Membership  # noqa: PLC0415

        member = (
            await ctx.session.execute(
                select(Membership.id)
                .where(Membership.user_id == assignee_id, Membership.district_id == ctx.district.id)
                .limit(1)
            )
        ).scalar_one_or_none()
        if member is None:
            raise InvalidData(
                gettext("Please correct the marked fields."), {"assignee": gettext("Choose someone from the list.")}
            )
    if assignee_id == case.assignee_id:
        return case
    before = case.assignee_id
    await _bump(ctx, case, case.lock_version if lock_version is None else lock_version, {"assignee_id": assignee_id})
    await append_event(
        ctx.session,
        case,
        "assigned",
        ctx.user.id,
        {"from": before, "to": assignee_id, "lock_version": case.lock_version},
    )
    return case


async def claim(ctx: RequestContext, case: Case, definition: CaseTypeDef) -> Case:
    """Take an unassigned case; if someone claimed it first, refuse (409) and say who."""
    assert ctx.user is not None
    _require(ctx, definition, "edit")
    result = await ctx.session.execute(
        update(Case)
        .where(Case.id == case.id, Case.assignee_id.is_(None))
        .values(
            assignee_id=ctx.user.id, lock_version=Case.lock_version + 1, updated_at=utcnow(), updated_by_id=ctx.user.id
        )
        .execution_options(synchronize_session=False)
    )
    await ctx.session.refresh(case)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        holder = await ctx.session.get(User, case.assignee_id) if case.assignee_id else None
        raise TransitionRefused(gettext("%(name)s has already taken this case.", name=holder.label if holder else "?"))
    await append_event(
        ctx.session,
        case,
        "assigned",
        ctx.user.id,
        {"from": None, "to": ctx.user.id, "claimed": True, "lock_version": case.lock_version},
    )
    return case
