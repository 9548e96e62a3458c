"""``sanshe case-types migrate-run``: run the stored migrations of open cases without the server."""

from __future__ import annotations

import asyncio

import click

from core.cli.common import get_district, session_scope

__all__ = ("register",)

OUTCOMES = {
    "done": "完成 / done",
    "failed": "失败 / failed",
    "lost": "已由其他进程接手 / taken over by another process",
}


def register(cli: click.Group) -> None:
    """Add ``case-types`` to ``cli``."""

    @cli.group("case-types")
    def case_types() -> None:
        """案件类型 / case types built in the browser (migrations of open cases)."""

    @case_types.command("migrate-run")
    @click.option("--district", "code", default=None, help="只运行这个区的 / only this district (code)")
    @click.option("--batch", default=50, show_default=True, type=click.IntRange(1, 1000), help="每批案件数 / per batch")
    def migrate_run(code: str | None, batch: int) -> None:
        """运行待办的案件迁移直到完成 / run pending migrations of open cases to completion.

        Jobs a running server is working on (an unexpired lease) are left to it; exit 1
        when a job failed.
        """
        from sqlalchemy import select  # noqa: PLC0415

        from core.builder import jobs  # noqa: PLC0415
        from core.db import session_factory  # noqa: PLC0415
        from core.models.jobs import CaseMigrationJob  # noqa: PLC0415

        async def run() -> list[tuple[CaseMigrationJob, str]]:
            async with session_scope() as session:
                district_id = (await get_district(session, code)).id if code else None
                # End this session's transaction before the jobs' own: on SQLite each begins with the
                # write lock (BEGIN IMMEDIATE), and a transaction left open here would make them wait.
                await session.commit()
                assert session.bind is not None
                factory = session_factory(session.bind)  # type: ignore[arg-type]
                ran = await jobs.run_pending(factory, district_id=district_id, limit=batch)
                out: list[tuple[CaseMigrationJob, str]] = []
                for job_id, outcome in ran:
                    job = (
                        await session.execute(select(CaseMigrationJob).where(CaseMigrationJob.id == job_id))
                    ).scalar_one()
                    out.append((job, outcome))
                return out

        results = asyncio.run(run())
        if not results:
            click.echo("没有待运行的迁移 / no migration to run")
        for job, outcome in results:
            line = (
                f"#{job.id} {job.case_type_key} → v{job.target_version}: {OUTCOMES.get(outcome, outcome)}, "
                f"{job.moved}/{job.total}"
            )
            click.echo(line + (f" — {job.error}" if job.error else ""))
        if any(outcome == "failed" for _job, outcome in results):
            raise SystemExit(1)
