"""The scheduled period evaluation: when a quarter has ended, its rankings become probation, removal and honours.

``rating.period_evaluation`` runs daily at 01:30 China time in every district where the plugin
is enabled. It takes the quarter that ended most recently (on 1 April: 2026Q1) and, unless that
quarter was already evaluated (by an earlier run or by staff with the dashboard's button),
applies the district's rules exactly as the button does (:func:`service.evaluate_in`, notified,
with the appeal window) and records the evaluation. A run that finds the quarter done changes
nothing, so a missed day is caught up by the next run and a second run never decides twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.plugin_api import TIMEZONE, JobResult, JobSpec, PluginHost, daily_at
from plugins.rating import service
from plugins.rating.manifest import KEY

if TYPE_CHECKING:
    from core.plugin_api import JobContext

__all__ = ("JOBS", "evaluate_finished_period")


async def evaluate_finished_period(job: JobContext) -> JobResult:
    """Evaluate the quarter that ended most recently, once."""
    assert job.district is not None
    today = job.now.astimezone(TIMEZONE).date()
    period = service.Period.of(today).previous
    if await service.period_evaluated(job.session, period):
        return JobResult(
            f"{period.key} 已评定，无需重复", {"steps": 0}, message_en=f"{period.key} was already evaluated"
        )
    host = PluginHost.load(frozenset({KEY}), entry_points=False)
    made = await service.evaluate_in(job.session, job.district, host, period, today=today, source="job")
    counts = {status: sum(1 for s in made if s.status == status) for status in ("probation", "removed", "honoured")}
    return JobResult(
        f"{period.key} 评定完成：观察期 {counts['probation']}，移出名录 {counts['removed']}，表彰 {counts['honoured']}",
        {"steps": len(made), **counts},
        message_en=(
            f"{period.key} evaluated: {counts['probation']} on probation, {counts['removed']} removed,"
            f" {counts['honoured']} honoured"
        ),
    )


JOBS = [
    JobSpec(
        "rating.period_evaluation",
        "星级评价期末评定（观察期、移出名录、表彰）",
        "Star rating: evaluate the quarter just ended (probation, removal, honours)",
        daily_at("01:30"),
        evaluate_finished_period,
    )
]
