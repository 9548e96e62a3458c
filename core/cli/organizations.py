"""`sanshe orgs` commands: list a district's social organizations, check a credit code, import XLSX."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from core.cli.common import CliError, echo_table, get_district, run_async
from core.refusal import ServiceError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("register",)


@click.group("orgs")
def orgs() -> None:
    """社会组织名录 / The social organization registry: list, check a credit code, import."""


@orgs.command("list")
@click.option("--district", "code", required=True, help="区代码，如 haishu / district code.")
@click.option("--q", default="", help="按名称、信用代码、联系人搜索 / search text.")
def list_(code: str, q: str) -> None:
    """List the district's organizations (at most 200), by name."""
    from core.db import for_district  # noqa: PLC0415
    from core.organizations import service as svc  # noqa: PLC0415
    from core.organizations.vocab import kind_label, status_label, type_label  # noqa: PLC0415

    async def work(session: AsyncSession) -> list[list[str]]:
        district = await get_district(session, code)
        for_district(session, district.id)
        rows, _total = await svc.list_organizations(session, district, svc.Filters(q=q, limit=svc.MAX_PAGE))
        return [
            [
                str(o.id),
                o.name,
                type_label(o.registered_type) or kind_label(o.kind),
                o.credit_code or "",
                status_label(o.status),
            ]
            for o in rows
        ]

    rows = run_async(work)
    if not rows:
        click.echo("没有组织 / no organizations")
        return
    echo_table(rows, ["编号 id", "名称 name", "类型 kind", "统一社会信用代码 credit code", "状态 status"])


@orgs.command("check-code")
@click.argument("code")
def check_code(code: str) -> None:
    """Check a unified social credit code (GB 32100 check character and GB 11714 organization code).

    Example: sanshe orgs check-code 91350100M000100Y43
    """
    from core.organizations.service import credit_code_message  # noqa: PLC0415

    message = credit_code_message(code.strip().upper())
    if message:
        raise CliError(message)
    click.echo(f"有效 / valid: {code.strip().upper()}")


@orgs.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--district", "code", required=True, help="区代码，如 haishu / district code.")
@click.option("--dry-run", is_flag=True, help="只检查，不保存 / check every row, save nothing.")
def import_(path: Path, code: str, *, dry_run: bool) -> None:
    """Import organizations from an XLSX file made from the template: every row or none.

    Example: sanshe orgs import orgs.xlsx --district haishu --dry-run
    """
    from core.db import for_district  # noqa: PLC0415
    from core.organizations.xlsx import run_import  # noqa: PLC0415

    content = path.read_bytes()

    async def work(session: AsyncSession) -> tuple[int, list[str]]:
        district = await get_district(session, code)
        for_district(session, district.id)
        try:
            result = await run_import(session, district, content, save=not dry_run)
        except ServiceError as exc:
            raise CliError(exc.describe()) from exc
        problems = list(result.errors)
        problems += [f"第 {r.number} 行 / row {r.number} · {col}: {msg}" for r in result.rows for col, msg in r.errors]
        return len(result.rows), problems

    count, problems = run_async(work)
    if problems:
        raise CliError("未导入任何组织 / nothing was imported:\n" + "\n".join(problems))
    if dry_run:
        click.echo(f"{count} 行都可以导入（未保存）/ all {count} rows can be imported (nothing saved)")
    else:
        click.echo(f"已导入 {count} 个组织 / imported {count} organizations")


def register(cli: click.Group) -> None:
    """Add this module's commands to ``cli``."""
    cli.add_command(orgs)
