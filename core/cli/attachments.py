"""``sanshe attachments purge-pending``: delete files uploaded for a new case or a step that were never claimed."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import click

from core.cli.common import run_async

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("register",)


def register(cli: click.Group) -> None:
    """Add ``attachments`` to ``cli``."""

    @cli.group("attachments")
    def attachments() -> None:
        """附件 / attachments."""

    @attachments.command("purge-pending")
    @click.option(
        "--hours", default=24, show_default=True, type=click.IntRange(min=1), help="保留时长 / keep this many hours"
    )
    def purge(hours: int) -> None:
        """删除未提交案件的过期附件 / delete files uploaded for a new case never filed, older than --hours.

        Run it daily (cron or a systemd timer); files still younger are left for their form.
        """
        from core.cases.attachments import purge_pending, storage_at  # noqa: PLC0415
        from core.config import load_settings  # noqa: PLC0415

        settings = load_settings()

        async def run(session: AsyncSession) -> int:
            storage = storage_at(settings, session)
            return await purge_pending(session, storage, older_than=timedelta(hours=hours))

        count = run_async(run)
        click.echo(f"已删除 {count} 个未认领的附件 / deleted {count} unclaimed pending files")
