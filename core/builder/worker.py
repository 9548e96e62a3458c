"""The migration worker that runs inside every server process.

Started from the app's ``on_startup`` and stopped on shutdown. It looks for jobs when
the process starts (resuming what a crashed or stopped process left), when a migration
is started in this process (:func:`wake`, after the request's transaction committed),
and every 30 seconds (leases that ran out in another process). Between those it makes
no query at all, so an idle server costs the database nothing. Several processes
(``sanshe run --workers 2``) each run one; the lease in :mod:`core.builder.jobs` makes
sure a job is worked by one of them at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from core.builder import jobs
from core.db import session_factory

if TYPE_CHECKING:
    from litestar import Litestar, Request
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

__all__ = ("MigrationWorker", "start_worker", "stop_worker", "wake")

log = logging.getLogger(__name__)

POLL_SECONDS = 30.0
STATE_KEY = "migration_worker"


class MigrationWorker:
    """An asyncio task that claims and runs migration jobs until it is stopped."""

    def __init__(
        self, factory: async_sessionmaker[AsyncSession], *, poll: float = POLL_SECONDS, lease: timedelta = jobs.LEASE
    ) -> None:
        self.factory = factory
        self.poll = poll
        self.lease = lease
        self.owner = jobs.new_owner()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._last_error = ""
        self._busy = False

    def start(self, *, now: bool = False) -> None:
        """Start the task; with ``now`` it looks for jobs at once, otherwise when woken or after a poll interval."""
        if now:
            self._wake.set()
        self._task = asyncio.get_running_loop().create_task(self._loop(), name="sanshe-migration-worker")

    def wake(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        """Stop the task and give back a lease it held, so another process resumes the job at once."""
        if self._task is not None:
            busy = self._busy
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
            if busy:
                with contextlib.suppress(Exception):
                    await jobs.release(self.factory, self.owner)

    async def run_once(self) -> list[tuple[int, jobs.Step]]:
        """Run every job that can be claimed now (errors are logged, once each, and retried later)."""
        self._busy = True
        try:
            done = await jobs.run_pending(self.factory, self.owner, lease=self.lease)
        except Exception as exc:  # noqa: BLE001 - the worker must outlive a database hiccup
            message = f"{type(exc).__name__}: {exc}"
            if message != self._last_error:
                log.warning("migration worker: %s", message)
                self._last_error = message
            return []
        finally:
            self._busy = False
        self._last_error = ""
        return done

    async def pending(self) -> bool:
        """Whether a job can be claimed now (one query; ``False`` when the database cannot say)."""
        try:
            return await jobs.claimable(self.factory)
        except Exception as exc:  # noqa: BLE001 - e.g. a database not migrated yet: the worker waits
            log.warning("migration worker: %s: %s", type(exc).__name__, exc)
            return False

    async def _loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll)
            self._wake.clear()
            for job_id, outcome in await self.run_once():
                log.info("migration job %s: %s", job_id, outcome)


async def start_worker(app: Litestar) -> None:
    """``on_startup``: one worker for this process, on the app's database engine.

    Whether a job waits is asked here, before the server answers its first request, so
    the worker's only query at start-up never runs alongside a request.
    """
    engine = app.state.db_config.get_engine()
    settings = app.state.get("settings")
    if settings is not None:  # SANSHE_JOB_POLL_SECONDS, SANSHE_JOB_LEASE_SECONDS
        worker = MigrationWorker(
            session_factory(engine),
            poll=settings.job_poll_seconds,
            lease=timedelta(seconds=settings.job_lease_seconds),
        )
    else:
        worker = MigrationWorker(session_factory(engine))
    app.state[STATE_KEY] = worker
    worker.start(now=await worker.pending())


async def stop_worker(app: Litestar) -> None:
    """``on_shutdown``: stop this process's worker (a job it was running resumes elsewhere)."""
    worker = app.state.get(STATE_KEY)
    if worker is not None:
        await worker.stop()


async def wake(request: Request[Any, Any, Any]) -> None:
    """``after_response`` of the route that starts a migration: look for the new job now."""
    worker: Any = request.app.state.get(STATE_KEY)
    if worker is not None:
        worker.wake()
