"""A district's working-day calendar: the national one with the district's edits on top, cached per process."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from core.db.tenancy import for_district
from core.i18n import TIMEZONE
from core.models import District
from core.models.workdays import WorkdayOverride
from core.workdays.national import national_day
from core.workflows.sla import WorkingCalendar, due_after, working_seconds_between

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("DistrictCalendar", "bump_calendar_version", "calendar_for", "forget")

_MAX_DAYS = 3660  # ten years of days: a bound on every walk, not a limit anyone reaches


@dataclass(frozen=True, eq=False)
class DistrictCalendar(WorkingCalendar):
    """Working days of one district: overrides, else the national calendar (weekends only for unknown years).

    Dates are local (Asia/Shanghai); a timezone-aware ``datetime`` counts as its local day.
    """

    overrides: Mapping[date, bool] = field(default_factory=dict)
    notes: Mapping[date, str] = field(default_factory=dict)

    def is_working_day(self, day: date | datetime) -> bool:
        day = _local_date(day)
        hit = self.overrides.get(day)
        return national_day(day).working if hit is None else hit

    def add_working_days(self, start: date | datetime, n: int) -> date | datetime:
        """The day ``n`` working days after ``start`` (before it when ``n`` < 0); ``start`` itself is not counted.

        A ``datetime`` keeps its local time of day and comes back in Asia/Shanghai.
        """
        day = _local_date(start)
        step = 1 if n >= 0 else -1
        left = abs(n)
        for _ in range(_MAX_DAYS):
            if not left:
                break
            day += timedelta(days=step)
            if self.is_working_day(day):
                left -= 1
        else:
            msg = "too many working days to count"
            raise ValueError(msg)
        if isinstance(start, datetime):
            local = start.astimezone(TIMEZONE)
            return datetime.combine(day, local.timetz().replace(tzinfo=None), TIMEZONE)
        return day

    def working_days_between(self, start: date | datetime, end: date | datetime) -> int:
        """Working days after ``start``'s day up to and including ``end``'s day (negative when ``end`` is earlier)."""
        first, last = _local_date(start), _local_date(end)
        if last < first:
            return -self.working_days_between(end, start)
        if (last - first).days > _MAX_DAYS:
            msg = "too many days to count"
            raise ValueError(msg)
        return sum(self.is_working_day(first + timedelta(days=i)) for i in range(1, (last - first).days + 1))

    def working_seconds_between(self, start: datetime, end: datetime) -> int:
        """Working seconds (working hours of working days) from ``start`` to ``end``."""
        return working_seconds_between(start, end, self)

    def due_after(self, start: datetime, *, working_seconds: int) -> datetime:
        """The moment ``working_seconds`` of working time after ``start`` (UTC)."""
        return due_after(start, working_seconds=working_seconds, calendar=self)


def _local_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            msg = "a datetime must be timezone-aware"
            raise ValueError(msg)
        return value.astimezone(TIMEZONE).date()
    return value


_OVERRIDES = select(WorkdayOverride.day, WorkdayOverride.working, WorkdayOverride.note)

# district id → (calendar_version, calendar). Editing a district's calendar bumps its
# calendar_version (below), so every process reloads it on its next use.
_calendars: dict[int, tuple[int, DistrictCalendar]] = {}


def forget(district_id: int | None = None) -> None:
    """Drop this process's cached calendar of one district (of all when ``None``)."""
    if district_id is None:
        _calendars.clear()
    else:
        _calendars.pop(district_id, None)


async def calendar_for(session: AsyncSession, district: District) -> DistrictCalendar:
    """The district's calendar; one query when the district's ``calendar_version`` moved, else none."""
    hit = _calendars.get(district.id)
    if hit is not None and hit[0] == district.calendar_version:
        return hit[1]
    version = district.calendar_version
    saved = session.info.get("district_id")
    for_district(session, district.id)  # the tenancy filter picks this district's rows, whatever the caller's binding
    try:
        rows = (await session.execute(_OVERRIDES)).all()
    finally:
        for_district(session, saved)
    calendar = DistrictCalendar(
        overrides={r.day: r.working for r in rows}, notes={r.day: r.note for r in rows if r.note}
    )
    _calendars[district.id] = (version, calendar)
    return calendar


async def bump_calendar_version(session: AsyncSession, district: District) -> None:
    """Mark the district's calendar as changed: every process reloads it on its next use."""
    await session.execute(
        update(District).where(District.id == district.id).values(calendar_version=District.calendar_version + 1)
    )
    await session.refresh(district, ["calendar_version"])
    forget(district.id)
