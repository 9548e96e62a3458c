"""A district's working days: weekends, China's holidays and 调休 from chinesecalendar, the district's edits on top."""

from __future__ import annotations

import logging
from datetime import date, datetime

import pytest
from sqlalchemy import update

from core.cases.sla import apply_sla
from core.i18n import TIMEZONE
from core.models import District
from core.models.cases import Case
from core.refusal import NotFoundError, ServiceError
from core.workdays import (
    DistrictCalendar,
    calendar_for,
    is_working_day,
    known_years,
    national_day,
    remove_override,
    set_override,
    year_view,
)
from core.workflows.definition import SLA, State
from tests.factories import make_district

CAL = DistrictCalendar()


class TestNational:
    def test_national_day_and_adjusted_saturday(self):
        """2026-10-01 (国庆节) is a holiday; Saturday 2026-02-14 is worked (春节调休); a plain Saturday is not."""
        assert not CAL.is_working_day(date(2026, 10, 1))
        assert national_day(date(2026, 10, 1)).holiday_zh == "国庆节"
        assert CAL.is_working_day(date(2026, 2, 14))
        assert national_day(date(2026, 2, 14)).kind == "adjusted_workday"
        assert not CAL.is_working_day(date(2026, 11, 21))

    def test_unknown_year_is_weekends_only_with_a_warning(self, caplog):
        """A year the package does not know counts Monday to Friday, and says so in the log."""
        year = known_years()[1] + 3
        with caplog.at_level(logging.WARNING, logger="core.workdays.national"):
            monday = date(year, 1, 1)
            while monday.weekday():
                monday = date(year, 1, monday.day + 1)
            assert CAL.is_working_day(monday)
            assert not CAL.is_working_day(date(year, 1, monday.day + 5))
        assert any(str(year) in r.getMessage() for r in caplog.records)


class TestArithmetic:
    def test_add_working_days_skips_national_day_week(self):
        """Three working days after Tuesday 2026-09-29 skip the 10-1..10-7 holiday: Friday 10-09."""
        assert CAL.add_working_days(date(2026, 9, 29), 3) == date(2026, 10, 9)

    def test_add_working_days_counts_an_adjusted_saturday(self):
        """One working day after Friday 2026-02-13 is Saturday 02-14, worked for the Spring Festival."""
        assert CAL.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)

    def test_add_working_days_keeps_local_time_of_an_aware_datetime(self):
        """A datetime moves by local (Asia/Shanghai) days: 23:30 UTC Thursday is Friday morning in Shanghai."""
        start = datetime(2026, 11, 19, 23, 30, tzinfo=TIMEZONE).astimezone(TIMEZONE)
        moved = CAL.add_working_days(start, 1)
        assert moved == datetime(2026, 11, 20, 23, 30, tzinfo=TIMEZONE)

    def test_backwards_and_between(self):
        """Going back one working day from Monday is Friday; Friday → next Friday counts five working days."""
        assert CAL.add_working_days(date(2026, 11, 23), -1) == date(2026, 11, 20)
        assert CAL.working_days_between(date(2026, 11, 20), date(2026, 11, 27)) == 5
        assert CAL.working_days_between(date(2026, 11, 27), date(2026, 11, 20)) == -5

    def test_working_seconds_skip_a_holiday(self):
        """From 2026-09-30 17:00 to 2026-10-08 09:30 only the last half hour of 9-30 and 10-08's first count."""
        start = datetime(2026, 9, 30, 17, 0, tzinfo=TIMEZONE)
        end = datetime(2026, 10, 8, 9, 30, tzinfo=TIMEZONE)
        assert CAL.working_seconds_between(start, end) == 3600

    def test_sla_in_working_days_skips_holidays(self):
        """A 2-working-day SLA opened Wednesday 2026-09-30 10:00 is due Friday 10-09 10:00 (10-08 and 10-09 work)."""
        case = Case()
        apply_sla(
            case,
            None,
            State("review", "审核", sla=SLA(2, "working_days")),
            datetime(2026, 9, 30, 10, 0, tzinfo=TIMEZONE),
            CAL,
        )
        assert case.due_at is not None
        assert case.due_at.astimezone(TIMEZONE) == datetime(2026, 10, 9, 10, 0, tzinfo=TIMEZONE)

    def test_sla_in_working_days_honours_adjusted_saturday(self):
        """A 1-working-day SLA opened Friday 2026-02-13 10:00 is due Saturday 02-14 10:00 (调休)."""
        case = Case()
        apply_sla(
            case,
            None,
            State("review", "审核", sla=SLA(1, "working_days")),
            datetime(2026, 2, 13, 10, 0, tzinfo=TIMEZONE),
            CAL,
        )
        assert case.due_at is not None
        assert case.due_at.astimezone(TIMEZONE) == datetime(2026, 2, 14, 10, 0, tzinfo=TIMEZONE)


class TestDistrictOverrides:
    def test_override_applies_to_its_district_only(self, seed):
        """A district's day off changes its calendar and its SLAs, not another district's."""

        async def run(session):
            haishu = await make_district(session)
            other = await make_district(session, "jiangbei", "江北区")
            await set_override(session, haishu, date(2026, 11, 20), working=False, note="区运动会")
            return (
                await is_working_day(session, haishu, date(2026, 11, 20)),
                await is_working_day(session, other, date(2026, 11, 20)),
                (await calendar_for(session, haishu)).add_working_days(date(2026, 11, 19), 1),
            )

        assert seed(run) == (False, True, date(2026, 11, 23))

    def test_edit_elsewhere_is_seen_through_the_version(self, seed):
        """The cached calendar is reused until calendar_version moves; then the next use reloads it."""

        async def run(session):
            district = await make_district(session)
            first = await calendar_for(session, district)
            again = await calendar_for(session, district)
            # Another process adds an override and bumps the version: this process's cache is stale.
            from core.models.workdays import WorkdayOverride

            session.add(WorkdayOverride(district_id=district.id, day=date(2026, 11, 23), working=False))
            await session.execute(
                update(District)
                .where(District.id == district.id)
                .values(calendar_version=District.calendar_version + 1)
            )
            await session.refresh(district, ["calendar_version"])
            reloaded = await calendar_for(session, district)
            return first is again, reloaded is first, reloaded.is_working_day(date(2026, 11, 23))

        assert seed(run) == (True, False, False)

    def test_year_view_lists_holidays_adjusted_days_and_overrides(self, seed):
        """The year view has 国庆节, the 调休 Saturday and the district's own day with its note."""

        async def run(session):
            district = await make_district(session)
            await set_override(session, district, date(2026, 11, 20), working=False, note="区运动会")
            days, known = await year_view(session, district, 2026)
            return {d.day: d for d in days}, known

        days, known = seed(run)
        assert known
        assert days[date(2026, 10, 1)].holiday_zh == "国庆节" and not days[date(2026, 10, 1)].working
        assert days[date(2026, 2, 14)].national_kind == "adjusted_workday" and days[date(2026, 2, 14)].working
        assert days[date(2026, 11, 20)].overridden and days[date(2026, 11, 20)].note == "区运动会"

    def test_bad_input_changes_nothing(self, seed):
        """A too-long note or removing a day without an override is refused."""

        async def run(session):
            district = await make_district(session)
            with pytest.raises(ServiceError):
                await set_override(session, district, date(2026, 11, 20), working=False, note="长" * 201)
            with pytest.raises(NotFoundError):
                await remove_override(session, district, date(2026, 11, 20))
            days, _ = await year_view(session, district, 2026)
            return [d for d in days if d.overridden], district.calendar_version

        assert seed(run) == ([], 1)
