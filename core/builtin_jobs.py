"""The core's own scheduled jobs (declared in :mod:`core.builtin_hooks` through ``scheduled_jobs``)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from core.i18n import TIMEZONE
from core.scheduler.spec import JobResult, JobSpec, daily_at, every_minutes
from core.workdays import known_years, year_known

if TYPE_CHECKING:
    from core.scheduler.spec import JobContext

__all__ = (
    "CORE_JOBS",
    "check_next_year_holidays",
    "notify_due_soon",
    "notify_tasks_due",
    "purge_idempotency_keys",
)

log = logging.getLogger(__name__)

# From this month on, next year's holidays should be known (the State Council usually
# publishes them in November or December).
WARN_FROM_MONTH = 11


async def check_next_year_holidays(job: JobContext) -> JobResult:
    """Warn (log and run message) when the coming year's national holidays are not in ``chinesecalendar``."""
    today = job.now.astimezone(TIMEZONE).date()
    unknown = [y for y in (today.year, today.year + 1) if not year_known(y)]
    if today.month < WARN_FROM_MONTH and today.year + 1 in unknown:
        unknown.remove(today.year + 1)
    if not unknown:
        last = known_years()[1]
        return JobResult(f"法定节假日已知至 {last} 年", message_en=f"Public holidays are known up to {last}.")
    years = "、".join(str(y) for y in unknown)
    log.warning(
        "working-day calendar: the national holidays of %s are not known (chinesecalendar knows up to %s); "
        "those years count Monday to Friday until the package is upgraded or district admins enter the holidays",
        years,
        known_years()[1],
    )
    return JobResult(
        f"{years} 年的法定节假日和调休尚未收录，暂按周一至周五计算；请升级 chinesecalendar，或由各区管理员录入。",
        {"unknown_years": len(unknown)},
        message_en=f"The public holidays of {', '.join(str(y) for y in unknown)} are not known yet: Monday to "
        "Friday count as working days. Upgrade chinesecalendar, or enter them per district.",
    )


async def notify_due_soon(job: JobContext) -> JobResult:
    """Tell assignees of open cases due within a day, or overdue, once per case and due date."""
    from core.cases.notices import send_due_soon_notices  # noqa: PLC0415 - notifications sit above jobs

    assert job.district is not None
    found = await send_due_soon_notices(job.session, job.district, job.now)
    told = found.due_soon + found.overdue
    return JobResult(
        f"提醒 {told} 件（即将到期 {found.due_soon}，已超期 {found.overdue}）；{found.already_told} 件此前已提醒",
        {"due_soon": found.due_soon, "overdue": found.overdue, "already_told": found.already_told},
        message_en=f"Told {told} (due soon {found.due_soon}, overdue {found.overdue}); "
        f"{found.already_told} told before",
    )


async def notify_tasks_due(job: JobContext) -> JobResult:
    """Tell followers of tasks due tomorrow, or overdue, once per task and due date."""
    from core.tasks.due import send_task_reminders  # noqa: PLC0415 - tasks sit above jobs

    assert job.district is not None
    found = await send_task_reminders(job.session, job.district, job.now)
    told = found.due_soon + found.overdue
    return JobResult(
        f"提醒任务 {told} 项（明天到期 {found.due_soon}，已逾期 {found.overdue}）；{found.already_told} 项此前已提醒",
        {"due_soon": found.due_soon, "overdue": found.overdue, "already_told": found.already_told},
        message_en=f"Told {told} tasks (due tomorrow {found.due_soon}, overdue {found.overdue}); "
        f"{found.already_told} told before",
    )


async def purge_idempotency_keys(job: JobContext) -> JobResult:
    """Delete the stored answers of idempotency keys and form tokens past their expiry (a day)."""
    from core.web.idempotency import purge_expired  # noqa: PLC0415 - the web layer sits above jobs

    deleted = await purge_expired(job.session, job.now)
    return JobResult(
        f"删除过期的幂等键 {deleted} 个", {"deleted": deleted}, message_en=f"Deleted {deleted} expired idempotency keys"
    )


CORE_JOBS = (
    JobSpec(
        key="workdays.next_year_check",
        name_zh="检查下一年度节假日安排",
        name_en="Check next year's public holidays",
        schedule=daily_at("03:00"),
        run=check_next_year_holidays,
        per_district=False,
    ),
    JobSpec(
        key="notifications.due_soon",
        name_zh="提醒即将到期和已超期的个案",
        name_en="Remind of cases due soon or overdue",
        schedule=every_minutes(15),
        run=notify_due_soon,
    ),
    JobSpec(
        key="tasks.due",
        name_zh="提醒明天到期和已逾期的任务",
        name_en="Remind of tasks due tomorrow or overdue",
        schedule=every_minutes(30),
        run=notify_tasks_due,
    ),
    JobSpec(
        key="idempotency.purge",
        name_zh="清理过期的幂等键和表单令牌",
        name_en="Purge expired idempotency keys and form tokens",
        schedule=every_minutes(60),
        run=purge_idempotency_keys,
        per_district=False,
    ),
)
