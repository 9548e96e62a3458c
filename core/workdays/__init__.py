"""Working days per district: China's national calendar (``chinesecalendar``) with the district's edits on top.

Call these (dates are Asia/Shanghai local days; a timezone-aware ``datetime`` counts as
its local day)::

    cal = await calendar_for(session, district)   # cached per process, reloaded when edited
    cal.is_working_day(day)
    cal.add_working_days(start, n)                # date or datetime; start itself not counted
    cal.working_days_between(start, end)
    cal.working_seconds_between(start, end)       # working hours 09:00–12:00, 13:30–17:30
    cal.due_after(start, working_seconds=...)

or the one-shot helpers :func:`is_working_day`, :func:`add_working_days`,
:func:`working_days_between`, :func:`working_seconds_between`. Edits go through
:func:`set_override` / :func:`remove_override`, which bump ``District.calendar_version`` so
every process drops its cached copy (as RBAC's ``policy_version`` does).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.workdays.calendar import DistrictCalendar, bump_calendar_version, calendar_for, forget
from core.workdays.national import NationalDay, known_years, national_day, special_days, year_known
from core.workdays.service import CalendarDay, list_overrides, parse_day, remove_override, set_override, year_view

if TYPE_CHECKING:
    from datetime import date, datetime

    from sqlalchemy.ext.asyncio import AsyncSession

    from core.models import District

__all__ = (
    "CalendarDay",
    "DistrictCalendar",
    "NationalDay",
    "add_working_days",
    "bump_calendar_version",
    "calendar_for",
    "forget",
    "is_working_day",
    "known_years",
    "list_overrides",
    "national_day",
    "parse_day",
    "remove_override",
    "set_override",
    "special_days",
    "working_days_between",
    "working_seconds_between",
    "year_known",
    "year_view",
)


async def is_working_day(session: AsyncSession, district: District, day: date | datetime) -> bool:
    """Whether ``day`` is a working day in ``district``."""
    return (await calendar_for(session, district)).is_working_day(day)


async def add_working_days(
    session: AsyncSession, district: District, start: date | datetime, n: int
) -> date | datetime:
    """The day ``n`` working days after ``start`` in ``district`` (``start`` itself not counted)."""
    return (await calendar_for(session, district)).add_working_days(start, n)


async def working_days_between(
    session: AsyncSession, district: District, start: date | datetime, end: date | datetime
) -> int:
    """Working days after ``start``'s day up to and including ``end``'s day in ``district``."""
    return (await calendar_for(session, district)).working_days_between(start, end)


async def working_seconds_between(session: AsyncSession, district: District, start: datetime, end: datetime) -> int:
    """Working seconds from ``start`` to ``end`` in ``district`` (negative when ``end`` is earlier)."""
    return (await calendar_for(session, district)).working_seconds_between(start, end)
