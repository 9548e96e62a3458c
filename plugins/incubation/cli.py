"""``sanshe incubation list|advance --district CODE``: the centre's list of incubations, and moving one
to its next stage as a named user, under the same rules as the case page and the API (evidence,
stage order, permissions). Messages Chinese first; bad input exits with status 2, nothing changed."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from sqlalchemy import select

from core.plugin_api import Case, DistrictPlugin, Refusal, for_district, organizations
from core.plugin_api.cli import CliError, context_as, echo_table, get_district, run_async
from plugins.incubation.cli_instruments import register_instruments
from plugins.incubation.labels import label
from plugins.incubation.manifest import KEY
from plugins.incubation.models import STAGES, Incubation, Incubator

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District

__all__ = ("NEXT_STEP", "register")

# The step that moves an incubation on from each open stage (the case type's main line).
NEXT_STEP = {
    "applied": "screen",
    "screened": "file",
    "filed": "admit",
    "resident": "register",
    "registered": "graduate",
}


async def _district(session: AsyncSession, code: str) -> District:
    district = await get_district(session, code)
    for_district(session, district.id)
    enabled = (
        await session.execute(select(DistrictPlugin.enabled).where(DistrictPlugin.plugin_key == KEY))
    ).scalar_one_or_none()
    if not enabled:
        msg = f"{code} 区未启用社会组织孵化模块 / the incubation plugin is not enabled in district {code!r}"
        raise CliError(msg)
    return district


def _both(key: str) -> str:
    """A stage as ``已出壳/Graduated``."""
    return f"{label('stage', key, 'zh_CN')}/{label('stage', key, 'en')}"


def register(cli: click.Group) -> None:
    """Add the ``incubation`` command group to ``cli``."""

    @cli.group("incubation")
    def incubation() -> None:
        """社会组织孵化 / Incubation hub."""

    district_option = click.option("--district", "code", required=True, help="区代码 / district code, e.g. haishu")
    register_instruments(incubation, _district)

    @incubation.command("list")
    @district_option
    @click.option(
        "--stage",
        type=click.Choice(STAGES),
        default=None,
        help="只列出该阶段 / only this stage: " + ", ".join(STAGES),
    )
    def list_command(code: str, stage: str | None) -> None:
        """列出孵化记录（案件编号、组织、阶段、日期）/ List incubations: case reference, organization, stage, dates."""

        async def rows(session: AsyncSession) -> list[list[str]]:
            await _district(session, code)
            org = organizations.Organization
            query = (
                select(Incubation, Case.reference, org.name, Incubator.name)
                .join(Case, Case.id == Incubation.case_id)
                .join(org, org.id == Incubation.organization_id)
                .join(Incubator, Incubator.id == Incubation.incubator_id)
                .order_by(Incubation.active.desc(), Incubation.applied_on.desc(), Incubation.id)
            )
            if stage:
                query = query.where(Incubation.stage == stage)
            return [
                [
                    reference,
                    name,
                    _both(row.stage),
                    incubator,
                    row.applied_on.isoformat(),
                    row.resident_on.isoformat() if row.resident_on else "",
                    row.graduated_on.isoformat() if row.graduated_on else "",
                ]
                for row, reference, name, incubator in (await session.execute(query)).tuples()
            ]

        found = run_async(rows)
        if not found:
            click.echo("没有符合条件的孵化记录 / no incubations found")
            return
        headers = ["案件/case", "组织/organization", "阶段/stage", "基地/incubator", "申请/applied"]
        echo_table(found, [*headers, "入驻/resident", "出壳/graduated"])

    @incubation.command("advance")
    @district_option
    @click.option("--case", "reference", required=True, help="案件编号（见 list）/ the case reference (see list)")
    @click.option(
        "--as", "username", required=True, help="以该用户身份操作（需有管理权限）/ act as this user (must manage)"
    )
    @click.option("--notes", default="", help="筛选意见（已申请→已筛选）/ screening notes (applied → screened)")
    @click.option("--filing-number", default="", help="备案号（→已备案）/ filing number (→ filed)")
    @click.option("--registration-number", default="", help="登记证号（→已登记）/ registration number (→ registered)")
    @click.option("--credit-code", default="", help="统一社会信用代码（→已登记）/ unified social credit code")
    @click.option(
        "--registered-type",
        type=click.Choice(["social_group", "social_service", "foundation"]),
        default=None,
        help="登记类型（→已登记）/ registered type (→ registered)",
    )
    def advance_command(
        code: str,
        reference: str,
        username: str,
        notes: str,
        filing_number: str,
        registration_number: str,
        credit_code: str,
        registered_type: str | None,
    ) -> None:
        """把孵化推进到下一阶段（与页面相同的规则）/ Move an incubation to its next stage (the page's rules)."""
        from plugins.incubation import cases  # noqa: PLC0415

        evidence = {
            "screening_notes": notes,
            "filing_number": filing_number,
            "registration_number": registration_number,
            "credit_code": credit_code,
            "registered_type": registered_type or "",
        }

        async def advance(session: AsyncSession) -> str:
            district = await _district(session, code)
            ctx = await context_as(session, district, username)
            row = (
                await session.execute(
                    select(Incubation).join(Case, Case.id == Incubation.case_id).where(Case.reference == reference)
                )
            ).scalar_one_or_none()
            if row is None:
                raise CliError(f"没有编号为 {reference!r} 的孵化案件 / no incubation case {reference!r}")
            step = NEXT_STEP.get(row.stage)
            if step is None:
                msg = f"该孵化已结束（{_both(row.stage)}），没有下一阶段 / this incubation has ended"
                raise CliError(msg)
            if not ctx.can(KEY, "manage"):
                raise CliError(f"{username} 无权推进孵化阶段 / {username} may not advance incubations")
            before = row.stage
            try:
                async with session.begin_nested():
                    await cases.take_step(ctx, row, step, {k: v for k, v in evidence.items() if v.strip()})
            except Refusal as exc:
                extra = "；".join(v for v in exc.errors.values() if v)
                zh, en = exc.text("zh_CN"), exc.text("en")
                detail = f"{zh}{'；' + extra if extra else ''}" + (f" / {en}" if en != zh else "")
                raise CliError(f"未推进 / not advanced — {detail}") from exc
            return f"{reference}: {_both(before)} → {_both(row.stage)}"

        click.echo(run_async(advance))
