"""Moving a case's SLA clock when its state changes; the clock pauses in waiting states."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from core.workflows.definition import StateKind
from core.workflows.sla import due_after, sla_seconds, working_seconds_between

if TYPE_CHECKING:
    from datetime import datetime

    from core.models.cases import Case
    from core.workflows.definition import State

__all__ = ("apply_sla",)


def _fresh_due(state: State, now: datetime) -> datetime | None:
    if state.sla is None:
        return None
    if state.sla.unit == "days":
        return due_after(now, days=state.sla.amount)
    return due_after(now, working_seconds=sla_seconds(state.sla.unit, state.sla.amount))


def apply_sla(case: Case, old: State | None, new: State, now: datetime) -> None:
    """Set ``due_at`` for entering ``new`` from ``old``.

    Entering a waiting state keeps the working time left on the old state's clock and
    clears ``due_at``; coming back to that same state resumes with what was left
    (already overdue stays overdue); any other open state starts its own clock.
    """
    if new.kind == StateKind.CLOSED:
        case.due_at, case.sla_remaining, case.sla_state = None, None, None
        return
    if new.kind == StateKind.WAITING:
        if old is not None and old.kind == StateKind.OPEN and case.due_at is not None:
            case.sla_remaining = working_seconds_between(now, case.due_at)
            case.sla_state = old.key
        case.due_at = None
        return
    if case.sla_state == new.key and case.sla_remaining is not None:
        remaining = case.sla_remaining
        case.due_at = (
            due_after(now, working_seconds=remaining) if remaining > 0 else now - timedelta(seconds=-remaining)
        )
    else:
        case.due_at = _fresh_due(new, now)
    case.sla_remaining, case.sla_state = None, None
