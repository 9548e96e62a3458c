"""``sanshe case-types``: bring a district the shipped types' new versions (``sync``), start a migration of
open cases onto the newest version (``migrate``), see its progress (``migration``), and run the stored
migrations without the server (``migrate-run``) — what the type's admin page and the builder API offer."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import click

from core.cli.common import CliError, get_district, session_scope

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.models import District
    from core.models.cases import CaseTypeVersion

__all__ = ("register",)

STATUSES = {
    "pending": "等待中 / pending",
    "running": "进行中 / running",
    "done": "完成 / done",
    "failed": "失败 / failed",
}


async def _newest(session: AsyncSession, district: District, key: str) -> CaseTypeVersion:
    from core.builder import service as builder  # noqa: PLC0415

    rows = await builder.versions_of(session, district, key)
    target = next((r for r in rows if r.status == "published"), None)
    if target is None:
        msg = f"{district.code} 没有案件类型 {key!r} / no case type {key!r} in {district.code}"
        raise CliError(msg)
    return target


OUTCOMES = {
    "done": "完成 / done",
    "failed": "失败 / failed",
    "lost": "已由其他进程接手 / taken over by another process",
}


@click.group("case-types")
def case_types() -> None:
    """案件类型 / case types built in the browser (migrations of open cases)."""


@case_types.command("sync")
@click.option("--district", "code", required=True, help="区代码 / district code")
def sync(code: str) -> None:
    """给区补上默认角色和核心类型的新版本 / add the default roles and the core types' new versions.

    After an upgrade that changed a type the core ships (e.g. 居民诉求's three-level
    response), this stores its new version (new cases use it; open ones stay on theirs)
    and the new default roles and their permissions. Running it again changes nothing.
    """
    from core.cli.common import run_async  # noqa: PLC0415
    from core.services.policies import ensure_district_defaults  # noqa: PLC0415

    async def work(session: AsyncSession) -> list[str]:
        from core.cases.types import current_versions  # noqa: PLC0415

        district = await get_district(session, code)
        before = {r.key: r.version for r in await current_versions(session, district)}
        await ensure_district_defaults(session, district)
        after = await current_versions(session, district)
        return [f"{r.key} v{r.version}" for r in after if before.get(r.key) != r.version]

    changed = run_async(work)
    if changed:
        click.echo("新版本 / new versions: " + ", ".join(changed))
    else:
        click.echo("已是最新 / already up to date")


@case_types.command("migration")
@click.argument("key")
@click.option("--district", "code", required=True, help="区代码 / district code")
def migration(key: str, code: str) -> None:
    """旧版本的未结案件与最近一次迁移的进度 / open cases of older versions and the newest migration."""
    from core.builder import jobs, migrate  # noqa: PLC0415
    from core.cli.common import run_async  # noqa: PLC0415

    async def work(session: AsyncSession) -> list[str]:
        district = await get_district(session, code)
        target = await _newest(session, district, key)
        lines = [f"{key} v{target.version}"]
        for state, count in (await migrate.open_states(session, district, target)).items():
            lines.append(f"  旧版本未结 / open on older versions: {state} × {count}")
        job = await jobs.latest_job(session, district, key)
        if job is None:
            lines.append("  没有迁移 / no migration")
        else:
            done = job.total if job.status == "done" else min(job.moved, job.total)
            line = f"  #{job.id} → v{job.target_version}: {STATUSES.get(job.status, job.status)} {done}/{job.total}"
            lines.append(line + (f" — {job.error}" if job.error else ""))
        return lines

    for line in run_async(work):
        click.echo(line)


@case_types.command("migrate")
@click.argument("key")
@click.option("--district", "code", required=True, help="区代码 / district code")
@click.option(
    "--map",
    "pairs",
    multiple=True,
    metavar="OLD=NEW",
    help="旧状态=新状态（可重复）/ a state of an older version = a state of the newest (repeatable)",
)
def migrate_start(key: str, code: str, pairs: tuple[str, ...]) -> None:
    """开始把旧版本的未结案件迁到最新版本 / start moving open cases of older versions onto the newest.

    Every state with open cases must be mapped (see ``sanshe case-types migration KEY``).
    The job is stored and a running server moves the cases; without one, run
    ``sanshe case-types migrate-run``.

    Example: sanshe case-types migrate resident_request --district haishu
    --map reported=reported --map escalated=escalated
    """
    from core.builder import jobs, migrate  # noqa: PLC0415
    from core.cli.common import run_async  # noqa: PLC0415

    mapping = {}
    for pair in pairs:
        old, sep, new = pair.partition("=")
        if not sep or not old or not new:
            msg = f"映射须写成 旧状态=新状态 / a mapping is OLD=NEW, not {pair!r}"
            raise CliError(msg)
        mapping[old.strip()] = new.strip()

    async def work(session: AsyncSession) -> str:
        district = await get_district(session, code)
        target = await _newest(session, district, key)
        try:
            job = await jobs.start_job(session, district, target, mapping, user_id=None)
        except migrate.MigrationError as exc:
            raise CliError("\n".join(exc.problems.values())) from exc
        except jobs.JobBusy as exc:
            msg = f"已有迁移 #{exc.job.id} 在进行 / migration #{exc.job.id} is under way"
            raise CliError(msg) from exc
        return f"已开始迁移 #{job.id}：{job.total} 件 → v{job.target_version} / started #{job.id}"

    click.echo(run_async(work))


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


def register(cli: click.Group) -> None:
    """Add ``case-types`` to ``cli``."""
    cli.add_command(case_types)
