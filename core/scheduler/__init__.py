"""Scheduled jobs: reminders and periodic work declared by plugins, run once across every server.

A plugin declares jobs through the ``scheduled_jobs`` hook (see docs/plugins/hooks.md and
docs/scheduler.md)::

    from core.scheduler import JobResult, JobSpec, daily_at, every_minutes

    @hookimpl
    def scheduled_jobs():
        return [JobSpec("my_plugin.due_soon", "到期提醒", "Due-soon notices", daily_at("08:30"), send_due_soon)]
"""

from __future__ import annotations

from core.scheduler.runner import RunOutcome, UnknownJob, registered_jobs, run_due, run_job_now
from core.scheduler.spec import JobContext, JobResult, JobSpec, Schedule, daily_at, every_minutes

__all__ = (
    "JobContext",
    "JobResult",
    "JobSpec",
    "RunOutcome",
    "Schedule",
    "UnknownJob",
    "daily_at",
    "every_minutes",
    "registered_jobs",
    "run_due",
    "run_job_now",
)
