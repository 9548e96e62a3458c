"""What a plugin declares through the ``scheduled_jobs`` hook: a key, names, a schedule and an async callable."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from core.i18n import TIMEZONE

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.models import District

__all__ = ("JobContext", "JobResult", "JobSpec", "Schedule", "daily_at", "every_minutes")

KEY_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
MAX_KEY = 80


@dataclass(frozen=True)
class Schedule:
    """Every ``minutes`` minutes (slots aligned on UTC midnight), or daily at ``at`` Asia/Shanghai time."""

    minutes: int = 0
    at: time | None = None

    def slot(self, now: datetime) -> datetime:
        """The latest scheduled moment at or before ``now`` (UTC)."""
        now = now.astimezone(UTC)
        if self.at is not None:
            local = now.astimezone(TIMEZONE)
            moment = datetime.combine(local.date(), self.at, TIMEZONE)
            if moment > local:
                moment -= timedelta(days=1)
            return moment.astimezone(UTC)
        step = self.minutes * 60
        midnight = datetime.combine(now.date(), time(0), UTC)
        return midnight + timedelta(seconds=int((now - midnight).total_seconds()) // step * step)

    def next_slot(self, now: datetime) -> datetime:
        """The first scheduled moment after ``now`` (UTC)."""
        if self.at is not None:
            return (self.slot(now).astimezone(TIMEZONE) + timedelta(days=1)).astimezone(UTC)
        return self.slot(now) + timedelta(minutes=self.minutes)

    def describe(self, locale: str) -> str:
        """``每 15 分钟`` / ``every 15 minutes``, ``每天 02:00`` / ``daily at 02:00``."""
        en = locale.startswith("en")
        if self.at is not None:
            hhmm = self.at.strftime("%H:%M")
            return f"daily at {hhmm} (Asia/Shanghai)" if en else f"每天 {hhmm}（北京时间）"
        return f"every {self.minutes} minutes" if en else f"每 {self.minutes} 分钟"


def every_minutes(n: int) -> Schedule:
    """Run every ``n`` minutes (1 to 1440; slots at whole multiples of ``n`` minutes from UTC midnight)."""
    if not 1 <= n <= 1440:
        msg = f"every_minutes takes 1 to 1440, not {n}"
        raise ValueError(msg)
    return Schedule(minutes=n)


def daily_at(hhmm: str) -> Schedule:
    """Run once a day at ``"HH:MM"`` Asia/Shanghai time."""
    return Schedule(at=time.fromisoformat(hhmm))


@dataclass(frozen=True)
class JobResult:
    """What a job reports: a short message in Chinese and English (shown in the run history) and counts.

    ``counts`` are for the API and the command line (e.g. ``{"sent": 3}``).
    """

    message: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    message_en: str = ""


@dataclass(frozen=True)
class JobContext:
    """What a job is run with: a session (bound to ``district`` when the job is per district) and the clock."""

    session: AsyncSession
    district: District | None
    now: datetime
    slot: datetime
    key: str


@dataclass(frozen=True)
class JobSpec:
    """A scheduled job. ``per_district`` jobs run once per district where their plugin is enabled.

    ``run`` is ``async def run(job: JobContext) -> JobResult | None``; it runs in one
    transaction (committed when it returns, rolled back when it raises). It must finish
    well within :data:`core.scheduler.runner.LEASE_SECONDS` and should be idempotent: a
    slot is run once, but a server dying mid-run leaves the slot to be run again.
    """

    key: str
    name_zh: str
    name_en: str
    schedule: Schedule
    run: Callable[[JobContext], Awaitable[JobResult | None]]
    per_district: bool = True

    def __post_init__(self) -> None:
        if len(self.key) > MAX_KEY or not KEY_RE.match(self.key):
            msg = f"a job key is dotted lower_snake_case, at most {MAX_KEY} characters: {self.key!r}"
            raise ValueError(msg)

    def name(self, locale: str) -> str:
        return self.name_en if locale.startswith("en") and self.name_en else self.name_zh
