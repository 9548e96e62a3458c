"""The scheduler task that runs inside every server process (when ``SANSHE_SCHEDULER`` is on).

Started from the app's ``on_startup`` and stopped on shutdown, like the migration worker.
Every :data:`POLL_SECONDS` it calls :func:`core.scheduler.runner.run_due`; the lease rows
make sure each slot of each job runs in one process only, however many servers tick.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from core.db import session_factory
from core.db.base import utcnow
from core.scheduler.runner import Clock, RunOutcome, new_owner, run_due

if TYPE_CHECKING:
    from litestar import Litestar
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from core.plugins.host import PluginHost

__all__ = ("POLL_SECONDS", "Scheduler", "start_scheduler", "stop_scheduler")

log = logging.getLogger(__name__)

POLL_SECONDS = 60.0
STATE_KEY = "scheduler"


class Scheduler:
    """An asyncio task that runs due jobs every ``poll`` seconds until stopped."""

    def __init__(
        self,
        factory: async_sessionmaker[AsyncSession],
        host: PluginHost,
        *,
        poll: float = POLL_SECONDS,
        clock: Clock = utcnow,
    ) -> None:
        self.factory = factory
        self.host = host
        self.poll = poll
        self.clock = clock
        self.owner = new_owner()
        self._task: asyncio.Task[None] | None = None
        self._last_error = ""

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop(), name="sanshe-scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def tick(self) -> list[RunOutcome]:
        """Run what is due now (a database error is logged once and retried on the next tick)."""
        try:
            done = await run_due(self.factory, self.host, owner=self.owner, clock=self.clock)
        except Exception as exc:  # noqa: BLE001 - the scheduler must outlive a database hiccup
            message = f"{type(exc).__name__}: {exc}"
            if message != self._last_error:
                log.warning("scheduler: %s", message)
                self._last_error = message
            return []
        self._last_error = ""
        return done

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.poll)
            for outcome in await self.tick():
                log.info("scheduled job %s (district %s): %s", outcome.key, outcome.district_id, outcome.status)


async def start_scheduler(app: Litestar) -> None:
    """``on_startup``: one scheduler for this process when ``settings.scheduler`` is on (off in tests)."""
    if not app.state.settings.scheduler:
        return
    scheduler = Scheduler(session_factory(app.state.db_config.get_engine()), app.state.plugin_host)
    app.state[STATE_KEY] = scheduler
    scheduler.start()


async def stop_scheduler(app: Litestar) -> None:
    """``on_shutdown``: stop this process's scheduler."""
    scheduler = app.state.get(STATE_KEY)
    if scheduler is not None:
        await scheduler.stop()
