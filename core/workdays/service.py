"""Reading and editing a district's working-day calendar (the pages, the API and the CLI call these)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from core.db.tenancy import for_district
from core.i18n import gettext as _
from core.models.workdays import WorkdayOverride
from core.refusal import NotFoundError, ServiceError
from core.workdays.calendar import bump_calendar_version
from core.workdays.national import national_day, special_days, year_known

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.models import District

__all__ = ("MAX_NOTE", "CalendarDay", "list_overrides", "parse_day", "remove_override", "set_override", "year_view")

MAX_NOTE = 200
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class CalendarDay:
    """A day worth listing in a year view: a holiday, an adjusted working day, or a district override."""

    day: date
    working: bool  # what counts for the district (the override when there is one)
    national_kind: str  # workday | weekend | holiday | adjusted_workday
    national_working: bool
    holiday_zh: str = ""
    holiday_en: str = ""
    overridden: bool = False
    note: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "date": self.day.isoformat(),
            "working": self.working,
            "national_kind": self.national_kind,
            "national_working": self.national_working,
            "holiday_zh": self.holiday_zh,
            "holiday_en": self.holiday_en,
            "overridden": self.overridden,
            "note": self.note,
        }


def parse_day(value: str, field: str = "date") -> date:
    """A ``YYYY-MM-DD`` date between 2000 and 2100, or a :class:`ServiceError` on ``field``."""
    try:
        day = date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        raise ServiceError(_("Enter a date as YYYY-MM-DD."), field) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ServiceError(_("Enter a date between 2000 and 2100."), field)
    return day


async def list_overrides(session: AsyncSession, district: District, year: int | None = None) -> list[WorkdayOverride]:
    """The district's overrides (of ``year`` when given), in date order."""
    for_district(session, district.id)
    query = select(WorkdayOverride).order_by(WorkdayOverride.day)
    if year is not None:
        query = query.where(WorkdayOverride.day >= date(year, 1, 1), WorkdayOverride.day <= date(year, 12, 31))
    return list((await session.execute(query)).scalars())


async def year_view(session: AsyncSession, district: District, year: int) -> tuple[list[CalendarDay], bool]:
    """The year's holidays, adjusted working days and the district's overrides, and whether the year is known."""
    overrides = {o.day: o for o in await list_overrides(session, district, year)}
    days: dict[date, CalendarDay] = {}
    for n in special_days(year):
        days[n.day] = CalendarDay(n.day, n.working, n.kind, n.working, n.holiday_zh, n.holiday_en)
    for day, row in overrides.items():
        n = national_day(day)
        days[day] = CalendarDay(
            day, row.working, n.kind, n.working, n.holiday_zh, n.holiday_en, overridden=True, note=row.note
        )
    return [days[d] for d in sorted(days)], year_known(year)


async def set_override(
    session: AsyncSession, district: District, day: date, *, working: bool, note: str = "", user_id: int | None = None
) -> WorkdayOverride:
    """Declare ``day`` working or not for the district (replacing an earlier override of that day)."""
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise ServiceError(_("The note is too long (at most 200 characters)."), "note")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ServiceError(_("Enter a date between 2000 and 2100."), "date")
    for_district(session, district.id)
    query = select(WorkdayOverride).where(WorkdayOverride.day == day)
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        row = WorkdayOverride(day=day, working=working, note=note, created_by_id=user_id, district_id=district.id)
        try:
            async with session.begin_nested():  # two admins adding the same day at once: the second updates
                session.add(row)
        except IntegrityError:
            row = (await session.execute(query.execution_options(populate_existing=True))).scalar_one()
    row.working, row.note = working, note
    await session.flush()
    await bump_calendar_version(session, district)
    return row


async def remove_override(session: AsyncSession, district: District, day: date) -> None:
    """Drop the district's override of ``day`` (the national calendar applies again)."""
    for_district(session, district.id)
    result = await session.execute(delete(WorkdayOverride).where(WorkdayOverride.day == day))
    if not getattr(result, "rowcount", 0):
        raise NotFoundError(_("This day has no override."), "date")
    await bump_calendar_version(session, district)
