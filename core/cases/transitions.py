"""Moving a case along its workflow: which steps a user may take, and taking one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.cases.attachments import claim_pending, link_pending
from core.cases.errors import InvalidData, TransitionRefused
from core.cases.permissions import may_take, require, steps_open_to
from core.cases.sla import apply_sla
from core.cases.timeline import append_event
from core.db import utcnow
from core.forms import evaluate, validate
from core.forms.validate import visible_fields
from core.i18n import gettext
from core.models.cases import Case
from core.plugins.asyncio import call_hook
from core.workdays import calendar_for
from core.workflows.definition import StateKind

if TYPE_CHECKING:
    from core.casetypes.definition import CaseTypeDef
    from core.context import RequestContext
    from core.workflows.definition import Transition

from core.cases.writes import diff_data, search_text, stale_error, write_if_current

__all__ = ("available_transitions", "fields_to_fill", "missing_required", "perform_transition")


def missing_required(definition: CaseTypeDef, data: dict[str, Any]) -> tuple[str, ...]:
    """Required fields of the case's form that are shown (``show_if`` holds) and empty in ``data``.

    A case filed under an older version lacks what the newer version's form requires; a
    case migrated onto it is asked for them at its next step.
    """
    scope = {f.key: data.get(f.key) for f in definition.form.fields}
    out = []
    for f in visible_fields(definition.form, data):
        if f.type == "computed":
            continue
        required = f.required or bool(f.required_if and evaluate(f.required_if, scope))
        if required and f.kind.is_empty(data.get(f.key)):
            out.append(f.key)
    return tuple(out)


def fields_to_fill(definition: CaseTypeDef, transition: Transition, data: dict[str, Any]) -> tuple[str, ...]:
    """The fields a step asks for: its own ``required`` ones, then the form's required ones still empty."""
    own = tuple(transition.required)
    return own + tuple(k for k in missing_required(definition, data) if k not in own)


def available_transitions(ctx: RequestContext, case: Case, definition: CaseTypeDef) -> list[Transition]:
    """Transitions out of the case's state that the user's permissions allow (guards are checked on use)."""
    return steps_open_to(ctx, case, definition)


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
    require(may_take(ctx, case, definition, transition))
    if lock_version is not None and lock_version != case.lock_version:
        raise await stale_error(ctx, case, lock_version)
    reason = (reason or "").strip()
    if transition.reason_required and not reason:
        raise InvalidData(
            gettext("Please give a reason for this step."), {"reason": gettext("This field is required.")}
        )
    # Files of ``file`` fields come as pending uploads ({id, token}), or as files the field already holds.
    supplied, file_errors, files = await claim_pending(ctx, definition, data or {}, current=case.data)
    merged = {**case.data, **supplied}
    needed = fields_to_fill(definition, transition, case.data)
    result = validate(definition.form, merged, source=source, extra_required=needed)
    step_errors = {k: v for k, v in result.errors.items() if k.split(".", 1)[0] in set(needed) | set(supplied)}
    step_errors.update(file_errors)
    if step_errors:
        lacking = set(needed) - set(transition.required)
        if any(k.split(".", 1)[0] in lacking for k in step_errors):
            raise InvalidData(
                gettext("This case lacks fields its case type now requires: fill them in to take this step."),
                step_errors,
            )
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
    apply_sla(probe, old_state, new_state, now, await calendar_for(ctx.session, ctx.district))
    diff = diff_data(case.data, new_data)
    expected = case.lock_version
    await write_if_current(
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
            "search_text": search_text(case.reference, case.title, new_data),
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
    if files:
        await link_pending(ctx, case, files)  # each file linked, with its own ``attachment`` event
    await call_hook(ctx.hooks.after_transition, ctx=ctx, case=case, case_type=definition, transition=transition)
    return case
