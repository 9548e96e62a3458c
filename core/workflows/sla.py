"""Working-time arithmetic for SLA clocks (Asia/Shanghai; Monday–Friday, 09:00–12:00 and 13:30–17:30).

Which days work is :meth:`WorkingCalendar.is_working_day`: Monday to Friday here; a
district's calendar (:class:`core.workdays.DistrictCalendar`) adds China's public holidays,
the adjusted working weekends (调休) and the district's own edits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from core.i18n import TIMEZONE

__all__ = ("DEFAULT_CALENDAR", "WorkingCalendar", "due_after", "sla_seconds", "working_seconds_between")


@dataclass(frozen=True)
class WorkingCalendar:
    """Working periods of a working day, and which weekdays work (0 = Monday)."""

    periods: tuple[tuple[time, time], ...] = ((time(9, 0), time(12, 0)), (time(13, 30), time(17, 30)))
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})

    @property
    def day_seconds(self) -> int:
        return sum(_seconds_of_day(b) - _seconds_of_day(a) for a, b in self.periods)

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` (a local date) is a working day."""
        return day.weekday() in self.weekdays

    def _periods_on(self, day: datetime) -> list[tuple[datetime, datetime]]:
        if not self.is_working_day(day.date()):
            return []
        return [
            (datetime.combine(day.date(), a, TIMEZONE), datetime.combine(day.date(), b, TIMEZONE))
            for a, b in self.periods
        ]


def _seconds_of_day(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


DEFAULT_CALENDAR = WorkingCalendar()


def due_after(
    start: datetime, *, working_seconds: int = 0, days: int = 0, calendar: WorkingCalendar = DEFAULT_CALENDAR
) -> datetime:
    """The moment ``working_seconds`` of working time (or ``days`` calendar days) after ``start``."""
    if days:
        return (start + timedelta(days=days)).astimezone(UTC)
    remaining = working_seconds
    cursor = start.astimezone(TIMEZONE)
    for _ in range(3660):  # at most ten years of days: a bound, not a limit anyone reaches
        for begin, end in calendar._periods_on(cursor):
            if end <= cursor:
                continue
            from_moment = max(begin, cursor)
            available = (end - from_moment).total_seconds()
            if remaining <= available:
                return (from_moment + timedelta(seconds=remaining)).astimezone(UTC)
            remaining -= int(available)
        cursor = datetime.combine(cursor.date() + timedelta(days=1), time(0), TIMEZONE)
    msg = "SLA too long to compute"
    raise ValueError(msg)


def working_seconds_between(start: datetime, end: datetime, calendar: WorkingCalendar = DEFAULT_CALENDAR) -> int:
    """Working seconds from ``start`` to ``end`` (negative when ``end`` is earlier)."""
    if end < start:
        return -working_seconds_between(end, start, calendar)
    total = 0
    cursor = start.astimezone(TIMEZONE)
    end_local = end.astimezone(TIMEZONE)
    while cursor.date() <= end_local.date():
        for begin, finish in calendar._periods_on(cursor):
            lo, hi = max(begin, start), min(finish, end)
            if hi > lo:
                total += int((hi - lo).total_seconds())
        cursor = datetime.combine(cursor.date() + timedelta(days=1), time(0), TIMEZONE)
    return total


def sla_seconds(unit: str, amount: int, calendar: WorkingCalendar = DEFAULT_CALENDAR) -> int:
    """Working seconds of an SLA given in working hours or working days."""
    if unit == "working_hours":
        return amount * 3600
    if unit == "working_days":
        return amount * calendar.day_seconds
    msg = f"not a working-time unit: {unit}"
    raise ValueError(msg)
