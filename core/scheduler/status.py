"""What the admin page, the API and ``sanshe jobs list`` show: each job's last run, next run and history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select, true

from core.db.tenancy import for_district
from core.models import District
from core.models.workdays import ScheduledJobRun
from core.plugins.enabled import enabled_keys
from core.scheduler.runner import CORE_KEY, RegisteredJob, registered_jobs

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugins.host import PluginHost

__all__ = ("JobStatus", "RunRow", "job_statuses", "jobs_in", "recent_runs")

HISTORY_LIMIT = 50


@dataclass(frozen=True)
class RunRow:
    """One row of a job's history, with the district's code and names (empty for a job not per district)."""

    id: int
    key: str
    district_code: str
    district_name_zh: str
    district_name_en: str
    trigger: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    message: str
    message_en: str
    counts: dict[str, int]

    def message_in(self, locale: str) -> str:
        """The run's message in ``locale`` (English falls back to Chinese)."""
        return self.message_en if locale.startswith("en") and self.message_en else self.message

    def district_name(self, locale: str) -> str:
        return self.district_name_en if locale.startswith("en") and self.district_name_en else self.district_name_zh

    def to_dict(self) -> dict[str, object]:
        return {
            "district": self.district_code or None,
            "trigger": self.trigger,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "status": self.status,
            "message": self.message,
            "message_en": self.message_en,
            "counts": self.counts,
        }


@dataclass(frozen=True)
class JobStatus:
    """A registered job with its latest run (any district) and its next scheduled moment."""

    job: RegisteredJob
    last: RunRow | None
    next_run: datetime

    def to_dict(self, locale: str) -> dict[str, object]:
        spec = self.job.spec
        return {
            "key": spec.key,
            "name_zh": spec.name_zh,
            "name_en": spec.name_en,
            "plugin": self.job.plugin,
            "schedule": spec.schedule.describe(locale),
            "per_district": spec.per_district,
            "next_run": self.next_run.isoformat(),
            "last_run": self.last.to_dict() if self.last else None,
        }


def _runs_query():  # type: ignore[no-untyped-def]
    return select(ScheduledJobRun, District.code, District.name_zh, District.name_en).outerjoin(
        District, District.id == ScheduledJobRun.district_id
    )


def _row(run: ScheduledJobRun, code: str | None, name_zh: str | None, name_en: str | None) -> RunRow:
    return RunRow(
        run.id,
        run.job_key,
        code or "",
        name_zh or "",
        name_en or "",
        run.trigger,
        run.started_at,
        run.finished_at,
        run.status,
        run.message,
        run.message_en,
        dict(run.counts or {}),
    )


def _runs_of(district: District | None):  # type: ignore[no-untyped-def]
    """Runs in ``district`` and runs of jobs not per district (every run when ``None``)."""
    if district is None:
        return true()
    return or_(ScheduledJobRun.district_id == district.id, ScheduledJobRun.district_id.is_(None))


async def jobs_in(session: AsyncSession, host: PluginHost, district: District | None) -> dict[str, RegisteredJob]:
    """The jobs that concern ``district``: the core's, those of its enabled plugins, those not per district."""
    jobs = registered_jobs(host)
    if district is None:
        return jobs
    enabled = await enabled_keys(session, district, host)
    return {k: j for k, j in jobs.items() if not j.spec.per_district or j.plugin == CORE_KEY or j.plugin in enabled}


async def job_statuses(
    session: AsyncSession, host: PluginHost, now: datetime, district: District | None = None
) -> list[JobStatus]:
    """Every job (that concerns ``district`` when given), by key, with its latest run there and its next run."""
    jobs = await jobs_in(session, host, district)
    for_district(session, None)
    latest = (
        select(func.max(ScheduledJobRun.id))
        .where(ScheduledJobRun.job_key.in_(list(jobs)), _runs_of(district))
        .group_by(ScheduledJobRun.job_key)
    )
    rows = (await session.execute(_runs_query().where(ScheduledJobRun.id.in_(latest)))).all()
    last = {r[0].job_key: _row(*r) for r in rows}
    return [JobStatus(job, last.get(key), job.spec.schedule.next_slot(now)) for key, job in sorted(jobs.items())]


async def recent_runs(
    session: AsyncSession, key: str, district: District | None = None, limit: int = HISTORY_LIMIT
) -> list[RunRow]:
    """The job's latest runs (in ``district`` and not per district, when given), newest first."""
    for_district(session, None)
    rows = await session.execute(
        _runs_query()
        .where(ScheduledJobRun.job_key == key, _runs_of(district))
        .order_by(ScheduledJobRun.id.desc())
        .limit(limit)
    )
    return [_row(*r) for r in rows.all()]
