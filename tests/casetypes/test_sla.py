"""SLA clocks count working time in Asia/Shanghai (Mon–Fri, 09:00–12:00 and 13:30–17:30)."""

from __future__ import annotations

from datetime import datetime

from core.i18n import TIMEZONE
from core.workflows.sla import DEFAULT_CALENDAR, due_after, sla_seconds, working_seconds_between


def local(*args):
    return datetime(*args, tzinfo=TIMEZONE)


def test_skips_the_weekend():
    """Three working hours from Friday 16:00 end on Monday 10:30."""
    assert due_after(local(2026, 11, 20, 16, 0), working_seconds=3 * 3600).astimezone(TIMEZONE) == local(
        2026, 11, 23, 10, 30
    )


def test_skips_lunch():
    """One working hour from 11:30 ends at 14:00 (lunch 12:00–13:30 does not count)."""
    assert due_after(local(2026, 11, 18, 11, 30), working_seconds=3600).astimezone(TIMEZONE) == local(
        2026, 11, 18, 14, 0
    )


def test_outside_hours_starts_next_morning():
    """A case reported at 20:00 gets its first working minute at 09:00 next day."""
    assert due_after(local(2026, 11, 18, 20, 0), working_seconds=60).astimezone(TIMEZONE) == local(2026, 11, 19, 9, 1)


def test_working_day_is_seven_hours():
    """A working day is the sum of the day's periods."""
    assert DEFAULT_CALENDAR.day_seconds == 7 * 3600
    assert sla_seconds("working_days", 2) == 14 * 3600


def test_between_is_inverse_of_due_after():
    """The working time between a start and its due moment is what was asked for."""
    start = local(2026, 11, 18, 10, 15)
    due = due_after(start, working_seconds=20 * 3600)
    assert working_seconds_between(start, due) == 20 * 3600


def test_calendar_days():
    """A calendar-day SLA ignores working hours."""
    assert due_after(local(2026, 11, 21, 10, 0), days=2).astimezone(TIMEZONE) == local(2026, 11, 23, 10, 0)
