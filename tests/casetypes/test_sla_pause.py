"""Pausing and resuming a case's SLA clock keeps the deadline where it was, whatever the unit."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.cases.sla import apply_sla
from core.i18n import TIMEZONE
from core.models.cases import Case
from core.workflows.definition import SLA, State, StateKind

WAITING = State("waiting", "等待补充", kind=StateKind.WAITING)


def _pause_and_resume(open_state: State, start: datetime, pause: timedelta) -> tuple[datetime, datetime]:
    case = Case()
    apply_sla(case, None, open_state, start)
    assert case.due_at is not None
    first = case.due_at
    apply_sla(case, open_state, WAITING, start)
    apply_sla(case, WAITING, open_state, start + pause)
    assert case.due_at is not None
    return first, case.due_at


def test_calendar_days_deadline_moves_later_by_the_pause():
    """A 3-calendar-day deadline paused for 2 seconds is due 2 seconds later, not 30 hours earlier."""
    state = State("review", "审核", sla=SLA(3, "days"))
    first, resumed = _pause_and_resume(state, datetime(2026, 11, 18, 20, 0, tzinfo=TIMEZONE), timedelta(seconds=2))
    assert resumed - first == timedelta(seconds=2)


def test_calendar_days_deadline_over_a_weekend_pause():
    """A calendar-day clock paused over a weekend resumes with the same calendar time left."""
    state = State("review", "审核", sla=SLA(5, "days"))
    first, resumed = _pause_and_resume(state, datetime(2026, 11, 20, 16, 0, tzinfo=TIMEZONE), timedelta(days=2))
    assert resumed - first == timedelta(days=2)


def test_working_hours_deadline_resumes_with_the_working_time_left():
    """A working-hours clock paused for two seconds inside working time is due two seconds later."""
    state = State("review", "审核", sla=SLA(4, "working_hours"))
    first, resumed = _pause_and_resume(state, datetime(2026, 11, 18, 10, 0, tzinfo=TIMEZONE), timedelta(seconds=2))
    assert resumed - first == timedelta(seconds=2)
