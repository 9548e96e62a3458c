"""`sanshe jobs` commands: list the scheduled jobs, run one now, show its history."""

from __future__ import annotations

import asyncio

import click

from core.cli.common import CliError, echo_table
from core.config import load_settings
from core.db import create_engine, session_factory
from core.db.base import utcnow
from core.i18n import TIMEZONE

__all__ = ("register",)


def _host():  # type: ignore[no-untyped-def]
    from core.plugins import PluginHost  # noqa: PLC0415

    return PluginHost.load(load_settings().allowed_plugins)


def _when(moment) -> str:  # type: ignore[no-untyped-def]
    return moment.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M") if moment else "—"


@click.group("jobs")
def jobs() -> None:
    """定时任务：列出、立即运行、历史 / Scheduled jobs: list, run now, history."""


@jobs.command("list")
def list_() -> None:
    """List every scheduled job with its schedule, last run and next run (Asia/Shanghai time)."""
    from core.scheduler.status import job_statuses  # noqa: PLC0415

    host = _host()

    async def work() -> list[list[str]]:
        engine = create_engine(load_settings().database_url)
        try:
            async with session_factory(engine)() as session:
                statuses = await job_statuses(session, host, utcnow())
        finally:
            await engine.dispose()
        return [
            [
                s.job.spec.key,
                s.job.spec.name_zh,
                s.job.spec.schedule.describe("zh"),
                f"{_when(s.last.started_at)} {s.last.status}" if s.last else "—",
                _when(s.next_run),
            ]
            for s in statuses
        ]

    echo_table(asyncio.run(work()), ["任务 key", "名称 name", "计划 schedule", "上次 last run", "下次 next run"])


@jobs.command("run")
@click.argument("key")
@click.option("--district", "district_code", default=None, help="只为这个区运行 / run for this district only.")
def run(key: str, district_code: str | None) -> None:
    """Run job KEY now (for every district it runs in, or --district CODE); exit 1 when a run failed.

    Example: sanshe jobs run workdays.next_year_check
    """
    from core.scheduler import UnknownJob, run_job_now  # noqa: PLC0415

    host = _host()

    async def work():  # type: ignore[no-untyped-def]
        engine = create_engine(load_settings().database_url)
        try:
            return await run_job_now(session_factory(engine), host, key, district_code=district_code)
        finally:
            await engine.dispose()

    try:
        outcomes = asyncio.run(work())
    except UnknownJob:
        msg = f"没有这个定时任务 / no scheduled job {key!r} (see: sanshe jobs list)"
        raise CliError(msg) from None
    except LookupError as exc:
        msg = f"该任务不在区 {district_code} 运行 / {exc}"
        raise CliError(msg) from None
    if not outcomes:
        click.echo("任务正在别处运行，本次跳过 / the job is running elsewhere; nothing run")
        return
    for o in outcomes:
        click.echo(f"{o.key} [{o.district_id or '-'}] {o.status}: {o.message} {o.counts or ''}".rstrip())
    if any(o.status != "ok" for o in outcomes):
        raise SystemExit(1)


@jobs.command("history")
@click.argument("key")
def history(key: str) -> None:
    """Show the latest runs of job KEY, newest first."""
    from core.scheduler.status import recent_runs  # noqa: PLC0415

    async def work() -> list[list[str]]:
        engine = create_engine(load_settings().database_url)
        try:
            async with session_factory(engine)() as session:
                rows = await recent_runs(session, key)
        finally:
            await engine.dispose()
        return [[_when(r.started_at), r.district_code or "—", r.trigger, r.status, r.message[:80]] for r in rows]

    echo_table(asyncio.run(work()), ["开始 started", "区 district", "触发 trigger", "结果 status", "信息 message"])


def register(cli: click.Group) -> None:
    """Add this module's commands to ``cli``."""
    cli.add_command(jobs)
