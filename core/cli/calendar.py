"""`sanshe calendar` commands: a district's working-day calendar — show a year, edit a day, ask about a day."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from core.cli.common import CliError, echo_table, get_district, run_async
from core.refusal import ServiceError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("register",)

KIND_ZH = {"holiday": "法定节假日", "adjusted_workday": "调休上班", "weekend": "周末", "workday": "工作日"}


def _parse(value: str):  # type: ignore[no-untyped-def]
    from core.workdays import parse_day  # noqa: PLC0415

    try:
        return parse_day(value)
    except ServiceError as exc:
        raise CliError(f"{exc.describe()} ({value!r})") from None


@click.group("calendar")
def calendar() -> None:
    """工作日日历：查看、调整 / A district's working-day calendar: show and edit."""


@calendar.command("show")
@click.argument("district")
@click.option("--year", type=int, default=None, help="年份（默认今年）/ year (default: this year).")
def show(district: str, year: int | None) -> None:
    """List DISTRICT's holidays, adjusted working days (调休) and its own edits for a year."""
    from core.db.base import utcnow  # noqa: PLC0415
    from core.i18n import TIMEZONE  # noqa: PLC0415
    from core.workdays import year_view  # noqa: PLC0415

    async def work(session: AsyncSession) -> tuple[list[list[str]], bool, int]:
        d = await get_district(session, district)
        y = year or utcnow().astimezone(TIMEZONE).year
        days, known = await year_view(session, d, y)
        rows = [
            [
                day.day.isoformat(),
                "上班 working" if day.working else "休息 off",
                KIND_ZH.get(day.national_kind, day.national_kind),
                day.holiday_zh,
                ("本区调整 " + day.note) if day.overridden else "",
            ]
            for day in days
        ]
        return rows, known, y

    rows, known, y = run_async(work)
    if not known:
        click.echo(
            f"注意：{y} 年的法定节假日尚未收录，按周一至周五计算 / warning: the national holidays of {y} are not "
            "known; Monday to Friday count as working days",
            err=True,
        )
    echo_table(rows, ["日期 date", "本区 district", "全国 national", "节日 holiday", "调整 override"])


@calendar.command("set")
@click.argument("district")
@click.argument("day")
@click.option("--working/--off", required=True, help="这一天上班或休息 / the day is worked or off.")
@click.option("--note", default="", help="说明 / note, e.g. 区运动会.")
def set_(district: str, day: str, working: bool, note: str) -> None:
    """Declare DAY (YYYY-MM-DD) working or off in DISTRICT, whatever the national calendar says."""
    from core.workdays import set_override  # noqa: PLC0415

    parsed = _parse(day)

    async def work(session: AsyncSession) -> None:
        d = await get_district(session, district)
        try:
            await set_override(session, d, parsed, working=working, note=note)
        except ServiceError as exc:
            raise CliError(exc.describe()) from None

    run_async(work)
    state = "上班 / working" if working else "休息 / off"
    click.echo(f"{district} {parsed.isoformat()}: {state}")


@calendar.command("remove")
@click.argument("district")
@click.argument("day")
def remove(district: str, day: str) -> None:
    """Drop DISTRICT's edit of DAY: the national calendar applies again."""
    from core.workdays import remove_override  # noqa: PLC0415

    parsed = _parse(day)

    async def work(session: AsyncSession) -> None:
        d = await get_district(session, district)
        try:
            await remove_override(session, d, parsed)
        except ServiceError as exc:
            raise CliError(exc.describe()) from None

    run_async(work)
    click.echo(f"{district} {parsed.isoformat()}: 已恢复全国安排 / back to the national calendar")


@calendar.command("check")
@click.argument("district")
@click.argument("day")
@click.option("--add", "add", type=int, default=None, help="再加 N 个工作日 / also show the day N working days later.")
def check(district: str, day: str, add: int | None) -> None:
    """Say whether DAY is a working day in DISTRICT (and, with --add N, which day is N working days later)."""
    from core.workdays import calendar_for  # noqa: PLC0415

    parsed = _parse(day)

    async def work(session: AsyncSession) -> str:
        cal = await calendar_for(session, await get_district(session, district))
        line = f"{parsed.isoformat()}: " + (
            "工作日 / working day" if cal.is_working_day(parsed) else "休息日 / day off"
        )
        if add is not None:
            line += f"\n+{add} 个工作日 / working days: {cal.add_working_days(parsed, add)}"
        return line

    click.echo(run_async(work))


def register(cli: click.Group) -> None:
    """Add this module's commands to ``cli``."""
    cli.add_command(calendar)
