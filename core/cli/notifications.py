"""``sanshe notifications``: the periodic jobs of the notification service, run by cron or the scheduler.

- ``due-soon``: tell assignees of open cases due soon or overdue (once per case and due date);
- ``send``: hand committed notices to the channels plugins add (SMS …);
- ``digest``: send each person's daily digest of the kinds they chose to get that way.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import click

from core.cases.notices import DUE_SOON_WINDOW, DueSoonResult, send_due_soon_notices
from core.cli.common import get_district, run_async
from core.config import load_settings
from core.db import for_district
from core.notifications.channels import load_channels
from core.notifications.kinds import load_kinds
from core.notifications.service import build_digests, dispatch
from core.plugins import PluginHost

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("register",)

DISTRICT_HELP = "区代码 / district code, e.g. haishu"


def _host() -> PluginHost:
    host = PluginHost.load(load_settings().allowed_plugins)
    load_kinds(host)
    return host


def register(cli: click.Group) -> None:
    """Add the ``notifications`` command group to ``cli``."""

    @cli.group("notifications")
    def notifications() -> None:
        """消息通知 / Notifications: due-soon notices, sending to channels, daily digests."""

    @notifications.command("due-soon")
    @click.option("--district", "code", required=True, help=DISTRICT_HELP)
    @click.option(
        "--within-hours",
        type=click.IntRange(1, 24 * 60),
        default=int(DUE_SOON_WINDOW.total_seconds() // 3600),
        show_default=True,
        help="提前多少小时提醒 / how many hours before the due time to tell the assignee",
    )
    def due_soon_command(code: str, within_hours: int) -> None:
        """提醒即将到期和已逾期的案件 / Tell assignees of cases due soon or overdue (once each)."""

        async def run(session: AsyncSession) -> DueSoonResult:
            district = await get_district(session, code)
            return await send_due_soon_notices(session, district, window=timedelta(hours=within_hours))

        done = run_async(run)
        click.echo(
            f"{code}: 即将到期 {done.due_soon} / due soon, 已逾期 {done.overdue} / overdue, "
            f"已提醒过 {done.already_told} / already told"
        )

    @notifications.command("send")
    @click.option("--district", "code", required=True, help=DISTRICT_HELP)
    def send_command(code: str) -> None:
        """把待发的消息交给其他渠道（短信等）/ Hand pending notices to the other channels (SMS …)."""
        channels = load_channels(_host())

        async def run(session: AsyncSession) -> int:
            district = await get_district(session, code)
            for_district(session, district.id)
            return await dispatch(session, district, channels)

        click.echo(f"{code}: 已处理 {run_async(run)} 条 / notices handled")

    @notifications.command("digest")
    @click.option("--district", "code", required=True, help=DISTRICT_HELP)
    def digest_command(code: str) -> None:
        """每日摘要：发送每人选择按日汇总的消息 / Send each person's daily digest."""
        channels = load_channels(_host())

        async def run(session: AsyncSession) -> int:
            district = await get_district(session, code)
            for_district(session, district.id)
            return len(await build_digests(session, district, channels))

        click.echo(f"{code}: 摘要 {run_async(run)} 份 / digests")
