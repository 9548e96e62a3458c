"""Reminders before the review deadline: each reviewer with reviews still to submit hears of it once when the
call's ``review_by`` day is :data:`REMIND_WORKING_DAYS` working days away or nearer (the district's
working-day calendar), and once more when the day has passed. Calls whose results are out are left alone.

A daily job (``grants.review_reminders``, core scheduler) runs it; ``sanshe grants remind`` runs it at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.plugin_api import TIMEZONE, JobResult, notify, workdays
from plugins.grants.models import Application, Assignment, Call, Review

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District, JobContext

__all__ = ("REMIND_WORKING_DAYS", "Reminded", "remind_reviewers", "send_review_reminders")

REMIND_WORKING_DAYS = 3


@dataclass
class Reminded:
    """How many reviewers were reminded: deadline near, deadline passed; the calls looked at."""

    soon: int = 0
    overdue: int = 0
    calls: list[str] = field(default_factory=list)


async def pending_by_reviewer(session: AsyncSession, call: Call) -> dict[int, int]:
    """Reviewer id → reviews assigned (no conflict) to screened applications of ``call`` and not yet submitted."""
    query = (
        select(Assignment.reviewer_id, Review.submitted_at)
        .join(Application, Application.id == Assignment.application_id)
        .outerjoin(
            Review,
            (Review.application_id == Assignment.application_id) & (Review.reviewer_id == Assignment.reviewer_id),
        )
        .where(Application.call_id == call.id, Application.status == "screened", Assignment.conflict == "")
    )
    pending: dict[int, int] = {}
    for reviewer_id, submitted_at in (await session.execute(query)).all():
        if submitted_at is None:
            pending[reviewer_id] = pending.get(reviewer_id, 0) + 1
    return pending


async def remind_reviewers(session: AsyncSession, district: District, now: datetime) -> Reminded:
    """Remind every reviewer with pending reviews of a call due soon or overdue (once each per phase)."""
    today = now.astimezone(TIMEZONE).date()
    done = Reminded()
    query = select(Call).where(Call.review_by.is_not(None), Call.decided_at.is_(None)).order_by(Call.id)
    for call in (await session.execute(query)).scalars():
        assert call.review_by is not None
        overdue = call.review_by < today
        if not overdue and await workdays.working_days_between(session, district, today, call.review_by) > (
            REMIND_WORKING_DAYS
        ):
            continue
        done.calls.append(call.title)
        for reviewer_id, count in sorted((await pending_by_reviewer(session, call)).items()):
            phase = "overdue" if overdue else "soon"
            sent = await notify(
                session,
                [reviewer_id],
                "grants.review_overdue" if overdue else "grants.review_due",
                {"call": call.title, "count": str(count), "due": call.review_by.isoformat()},
                f"/d/{district.code}/grants/reviews",
                district_id=district.id,
                dedupe_key=f"grants:review:{phase}:{call.id}:{call.review_by}",
            )
            if overdue:
                done.overdue += sent
            else:
                done.soon += sent
    return done


async def send_review_reminders(job: JobContext) -> JobResult:
    """The daily job: remind reviewers of reviews due within three working days, and of overdue ones."""
    assert job.district is not None
    done = await remind_reviewers(job.session, job.district, job.now)
    return JobResult(
        f"提醒 {done.soon} 位评审人即将截止、{done.overdue} 位已逾期",
        {"due": done.soon, "overdue": done.overdue},
        f"Reminded {done.soon} reviewers of reviews due soon and {done.overdue} of overdue ones",
    )
