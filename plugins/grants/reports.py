"""Reports due on a schedule: the mid-term report halfway through the project, the final report at its end.

A daily job (``grants.report_reminders``, core scheduler) reminds the applicant organization when a report
is due within :data:`REMIND_WORKING_DAYS` working days and not handed in (submitted or accepted;
a report sent back is owed again) (the district's working-day calendar: weekends,
public holidays and adjusted working days) and once more when it is overdue. Staff see the overdue list on
the queues page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.plugin_api import TIMEZONE, JobResult, notify, workdays
from plugins.grants.models import Application

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District, JobContext

__all__ = ("REMIND_WORKING_DAYS", "DueReport", "due_reports", "report_due", "send_report_reminders")

REMIND_WORKING_DAYS = 3


@dataclass(frozen=True)
class DueReport:
    """A report a project owes: ``midterm`` or ``final``, by ``due``."""

    application: Application
    kind: str
    due: date


def report_due(app: Application) -> tuple[str, date] | None:
    """The next report a signed project owes, and its day (``None`` when none is owed)."""
    if app.signed_at is None or app.closed_at is not None or app.starts_on is None or app.ends_on is None:
        return None
    if app.midterm_accepted_at is None:
        return "midterm", app.starts_on + (app.ends_on - app.starts_on) / 2
    return "final", app.ends_on


async def due_reports(session: AsyncSession) -> list[DueReport]:
    """Every signed, open project's next report, soonest first (the session's district)."""
    from plugins.grants.models_evaluation import GrantReport  # noqa: PLC0415

    query = select(Application).where(Application.signed_at.is_not(None), Application.closed_at.is_(None))
    handed_in = {
        (row[0], row[1])
        for row in (
            await session.execute(
                select(GrantReport.application_id, GrantReport.kind).where(GrantReport.status != "returned")
            )
        ).all()
    }
    found = []
    for app in (await session.execute(query)).scalars():
        due = report_due(app)
        if due is not None and (app.id, due[0]) not in handed_in:  # a report waiting for staff is not owed
            found.append(DueReport(app, due[0], due[1]))
    return sorted(found, key=lambda d: (d.due, d.application.id))


async def _remind(session: AsyncSession, district: District, now: datetime) -> tuple[int, int]:
    today = now.astimezone(TIMEZONE).date()
    soon = overdue = 0
    for report in await due_reports(session):
        app = report.application
        params = {
            "title": app.title,
            "due": report.due.isoformat(),
            "report": "中期报告" if report.kind == "midterm" else "结项报告",
        }
        link = f"/d/{district.code}/grants/applications/{app.id}"
        if report.due < today:
            overdue += await notify(
                session,
                [app.created_by],
                "grants.report_overdue",
                params,
                link,
                dedupe_key=f"grants:overdue:{app.id}:{report.kind}:{report.due}",
            )
        elif await workdays.working_days_between(session, district, today, report.due) <= REMIND_WORKING_DAYS:
            soon += await notify(
                session,
                [app.created_by],
                "grants.report_due",
                params,
                link,
                dedupe_key=f"grants:due:{app.id}:{report.kind}:{report.due}",
            )
    return soon, overdue


async def send_report_reminders(job: JobContext) -> JobResult:
    """The daily job: remind of reports due within three working days, and of overdue ones (once each)."""
    assert job.district is not None
    soon, overdue = await _remind(job.session, job.district, job.now)
    return JobResult(
        f"提醒 {soon} 份即将到期、{overdue} 份逾期的报告",
        {"due": soon, "overdue": overdue},
        f"Reminded of {soon} reports due soon and {overdue} overdue",
    )
