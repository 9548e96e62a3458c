"""Moving a case's SLA clock when its state changes; the clock pauses in waiting states."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from core.workflows.definition import StateKind
from core.workflows.sla import DEFAULT_CALENDAR, WorkingCalendar, due_after, sla_seconds, working_seconds_between

if TYPE_CHECKING:
    from datetime import datetime

    from core.models.cases import Case
    from core.workflows.definition import State

__all__ = ("apply_sla",)


def _fresh_due(state: State, now: datetime, calendar: WorkingCalendar) -> datetime | None:
    if state.sla is None:
        return None
    if state.sla.unit == "days":
        return due_after(now, days=state.sla.amount)
    return due_after(now, working_seconds=sla_seconds(state.sla.unit, state.sla.amount, calendar), calendar=calendar)


def _in_calendar_days(state: State | None) -> bool:
    return state is not None and state.sla is not None and state.sla.unit == "days"


def apply_sla(
    case: Case, old: State | None, new: State, now: datetime, calendar: WorkingCalendar = DEFAULT_CALENDAR
) -> None:
    """Set ``due_at`` for entering ``new`` from ``old``, counting working time on the district's ``calendar``.

    Entering a waiting state keeps the time left on the old state's clock and clears
    ``due_at``: working seconds for a clock in working hours or days, plain seconds for
    one in calendar days. Coming back to that same state resumes with what was left, in
    the same unit (already overdue stays overdue); any other open state starts its own clock.
    """
    if new.kind == StateKind.CLOSED:
        case.due_at, case.sla_remaining, case.sla_state = None, None, None
        return
    if new.kind == StateKind.WAITING:
        if old is not None and old.kind == StateKind.OPEN and case.due_at is not None:
            if _in_calendar_days(old):
                case.sla_remaining = int((case.due_at - now).total_seconds())
            else:
                case.sla_remaining = working_seconds_between(now, case.due_at, calendar)
            case.sla_state = old.key
        case.due_at = None
        return
    if case.sla_state == new.key and case.sla_remaining is not None:
        remaining = case.sla_remaining
        if remaining <= 0 or _in_calendar_days(new):
            case.due_at = now + timedelta(seconds=remaining)
        else:
            case.due_at = due_after(now, working_seconds=remaining, calendar=calendar)
    else:
        case.due_at = _fresh_due(new, now, calendar)
    case.sla_remaining, case.sla_state = None, None
