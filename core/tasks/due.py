"""Reminders of tasks: the follower is told when a task is due tomorrow, and when it is overdue — once each.

:func:`send_task_reminders` runs from the scheduler (``tasks.due``, :mod:`core.builtin_jobs`).
Each notice carries a dedupe key (kind, task, due date), so runs every few minutes and on
several servers at once still tell the follower once; a task whose due date moves is told
again for the new date. Tasks of closed cases are not reminded of.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.cases.notices import case_link
from core.db import for_district, utcnow
from core.i18n import TIMEZONE
from core.models.cases import Case
from core.models.tasks import CaseTask
from core.notifications.service import notify
from core.tasks.service import OPEN

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncSession

    from core.models import District

__all__ = ("DUE_SOON", "OVERDUE", "TaskReminders", "send_task_reminders")

DUE_SOON = "core.task_due_soon"
OVERDUE = "core.task_overdue"


@dataclass
class TaskReminders:
    """What one run sent."""

    due_soon: int = 0
    overdue: int = 0
    already_told: int = 0


async def send_task_reminders(session: AsyncSession, district: District, now: datetime | None = None) -> TaskReminders:
    """Tell each follower of an open task due tomorrow (due soon) or before today (overdue), once per task and date."""
    now = now or utcnow()
    for_district(session, district.id)
    today = now.astimezone(TIMEZONE).date()
    tomorrow = today + timedelta(days=1)
    rows = (
        await session.execute(
            select(CaseTask, Case)
            .join(Case, Case.id == CaseTask.case_id)
            .where(
                CaseTask.status.in_(sorted(OPEN)),
                CaseTask.follower_id.is_not(None),
                CaseTask.due_on.is_not(None),
                CaseTask.due_on <= tomorrow,
                CaseTask.due_on != today,
                Case.is_open.is_(True),
            )
            .order_by(CaseTask.due_on, CaseTask.id)
        )
    ).tuples()
    result = TaskReminders()
    for task, case in rows:
        assert task.due_on is not None
        kind = DUE_SOON if task.due_on == tomorrow else OVERDUE
        params = {
            "title": task.title,
            "partner": task.partner,
            "reference": case.reference,
            "due": task.due_on.isoformat(),
        }
        sent = await notify(
            session,
            [task.follower_id],
            kind,
            params,
            case_link(district, case) + "#case-tasks",
            district_id=district.id,
            dedupe_key=f"{kind}:{task.id}:{task.due_on.isoformat()}",
        )
        if not sent:
            result.already_told += 1
        elif kind == OVERDUE:
            result.overdue += 1
        else:
            result.due_soon += 1
    return result
