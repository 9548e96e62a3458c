"""`sanshe districts` commands: create and list districts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from core.cli.common import CliError, echo_table, run_async
from core.refusal import ServiceError
from core.services.districts import create_district, list_districts

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("register",)


@click.group("districts")
def districts() -> None:
    """区（租户）：创建、列出 / Districts (tenants): create and list."""


@districts.command("create")
@click.argument("code")
@click.option("--name-zh", required=True, help="中文名称，如 海曙区 / Chinese name.")
@click.option("--name-en", default="", help="英文名称 / English name.")
@click.option(
    "--ref-prefix", default="", help="案件编号前缀，如 HS / case reference prefix (default: code's first letters)."
)
def create(code: str, name_zh: str, name_en: str, ref_prefix: str) -> None:
    """Create district CODE with its default roles (does nothing if it already exists with these names).

    Example: sanshe districts create haishu --name-zh 海曙区 --name-en Haishu --ref-prefix HS
    """

    async def work(session: AsyncSession) -> str:
        from core.services.districts import get_district  # noqa: PLC0415

        try:
            existing = await get_district(session, code)
        except ServiceError:
            existing = None
        if existing is not None:
            if existing.name_zh == name_zh.strip():
                return f"区 {code} 已存在，未做改动 / district {code} already exists, nothing changed"
            msg = f"代码为 {code} 的区已存在（{existing.name_zh}）/ district {code} already exists ({existing.name_zh})"
            raise CliError(msg)
        try:
            district = await create_district(
                session, code=code, name_zh=name_zh, name_en=name_en, ref_prefix=ref_prefix
            )
        except ServiceError as exc:
            raise CliError(exc.describe()) from exc
        return f"已创建区 {district.code}（{district.name_zh}）/ created district {district.code}"

    click.echo(run_async(work))


@districts.command("list")
def list_() -> None:
    """List every district with its code, names and reference prefix."""

    async def work(session: AsyncSession) -> list[list[str]]:
        return [[d.code, d.name_zh, d.name_en, d.ref_prefix] for d in await list_districts(session)]

    rows = run_async(work)
    if not rows:
        click.echo("还没有区 / no districts yet (sanshe districts create CODE --name-zh …)")
        return
    echo_table(rows, ["代码 code", "名称 name", "name (en)", "前缀 prefix"])


def register(cli: click.Group) -> None:
    """Add this module's commands to ``cli``."""
    cli.add_command(districts)
