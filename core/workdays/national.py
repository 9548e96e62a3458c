"""China's national working-day calendar: weekends, public holidays and adjusted working days (调休).

The data comes from the ``chinesecalendar`` package (``import chinese_calendar``), which
publishes each year's holidays once the State Council announces them (usually in
November or December for the next year). For a year the package does not know, every
day falls back to "Monday to Friday work" and :func:`year_known` says so: the calendar
page shows a warning, and the yearly scheduled job ``workdays.next_year_check`` logs
one (a district admin can enter the year's holidays by hand meanwhile).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from functools import cache

import chinese_calendar
from chinese_calendar import constants

__all__ = ("NationalDay", "known_years", "national_day", "special_days", "year_known")

log = logging.getLogger(__name__)

_FIRST_YEAR = min(constants.holidays).year
_LAST_YEAR = max(constants.holidays).year

# The package's English holiday names → Chinese, for the pages.
HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


@dataclass(frozen=True)
class NationalDay:
    """What the national calendar says of one day."""

    day: date
    working: bool
    kind: str  # "workday" | "weekend" | "holiday" | "adjusted_workday" (调休: a weekend day worked)
    holiday_en: str = ""  # the holiday a "holiday" or "adjusted_workday" belongs to, in English

    @property
    def holiday_zh(self) -> str:
        return HOLIDAY_NAMES_ZH.get(self.holiday_en, self.holiday_en)


def known_years() -> tuple[int, int]:
    """First and last year the installed ``chinesecalendar`` knows the holidays of."""
    return _FIRST_YEAR, _LAST_YEAR


def year_known(year: int) -> bool:
    """Whether the national holidays of ``year`` are known (else: weekends only)."""
    return _FIRST_YEAR <= year <= _LAST_YEAR


@cache
def _warn_unknown(year: int) -> None:
    log.warning(
        "working-day calendar: the national holidays of %s are not known to chinesecalendar %s; "
        "counting Monday to Friday as working days (upgrade the package or enter the holidays per district)",
        year,
        getattr(chinese_calendar, "__version__", "?"),
    )


def national_day(day: date) -> NationalDay:
    """The national calendar's view of ``day`` (weekends only, with a logged warning, for an unknown year)."""
    weekend = day.weekday() >= 5
    if not year_known(day.year):
        _warn_unknown(day.year)
        return NationalDay(day, not weekend, "weekend" if weekend else "workday")
    if day in constants.holidays:
        name = constants.holidays[day]
        return NationalDay(day, False, "holiday", str(getattr(name, "value", name)).split(",")[0])
    if day in constants.workdays:
        name = constants.workdays[day]
        return NationalDay(day, True, "adjusted_workday", str(getattr(name, "value", name)).split(",")[0])
    return NationalDay(day, not weekend, "weekend" if weekend else "workday")


def special_days(year: int) -> list[NationalDay]:
    """The year's public holidays and adjusted working days (调休), in date order (empty for an unknown year)."""
    if not year_known(year):
        return []
    days = [d for d in (*constants.holidays, *constants.workdays) if d.year == year]
    return [national_day(d) for d in sorted(set(days))]
