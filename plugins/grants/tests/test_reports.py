"""Reports: the next report a project owes; reminders within three working days on the district's calendar
(a weekend does not count), once each; the overdue reminder."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from core.db import for_district
from core.models import District
from core.models.notifications import Notification
from core.plugin_api import TIMEZONE, JobContext
from plugins.grants.models import Application
from plugins.grants.reports import send_report_reminders
from plugins.grants.tests.support import add_application


def _run(seed, day: date) -> dict[str, int]:
    async def job(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        for_district(session, district.id)
        now = datetime(day.year, day.month, day.day, 8, 30, tzinfo=TIMEZONE)
        result = await send_report_reminders(JobContext(session, district, now, now, "grants.report_reminders"))
        for_district(session, None)
        return result.counts

    return seed(job)


def test_final_report_reminders_count_working_days(world, seed):
    """Final report due Monday 2027-03-15. On Tuesday the 9th it is 4 working days away: no reminder; on
    Wednesday the 10th 3 (Thu, Fri, Mon — the weekend left out): one reminder, and not again on the 11th;
    on the 16th it is overdue: one overdue reminder."""
    app_id = seed(
        lambda s: add_application(
            s,
            world,
            status="approved",
            award_fen=1_000_000,
            signed_at=datetime(2026, 9, 1, tzinfo=TIMEZONE),
            starts_on=date(2026, 9, 15),
            ends_on=date(2027, 3, 15),
            midterm_accepted_at=datetime(2026, 12, 10, tzinfo=TIMEZONE),
        )
    )
    assert _run(seed, date(2027, 3, 9)) == {"due": 0, "overdue": 0}
    assert _run(seed, date(2027, 3, 10)) == {"due": 1, "overdue": 0}
    assert _run(seed, date(2027, 3, 11)) == {"due": 0, "overdue": 0}
    assert _run(seed, date(2027, 3, 16)) == {"due": 0, "overdue": 1}

    async def kinds(session):
        rows = await session.execute(select(Notification.kind, Notification.user_id))
        return sorted(rows.all())

    leader = world.users["leader"]
    assert seed(kinds) == [("grants.report_due", leader), ("grants.report_overdue", leader)]
    del app_id


def test_midterm_report_is_due_halfway(world, seed):
    """Before the mid-term report is accepted the project owes it halfway between start and end."""
    from plugins.grants.reports import report_due

    app = Application(
        signed_at=datetime(2026, 3, 1, tzinfo=TIMEZONE),
        starts_on=date(2026, 3, 1),
        ends_on=date(2027, 3, 1),
        midterm_accepted_at=None,
        closed_at=None,
    )
    assert report_due(app) == ("midterm", date(2026, 8, 30))
