"""Command-line helpers for a plugin's ``register_commands`` hook (see docs/plugins/api.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from core.cli.common import CliError, echo_table, get_district, run_async

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.models import District
    from core.web.context import RequestContext

__all__ = ("CliError", "echo_table", "get_district", "run_async", "user_context")


async def user_context(session: AsyncSession, district: District, username: str) -> RequestContext:
    """A request context for the user ``username`` in ``district`` (their roles and permissions, the
    configured plugins), so a command acts as that user under the same rules as the pages and the API;
    :class:`CliError` when there is no such user."""
    from core.config import load_settings  # noqa: PLC0415
    from core.models import User  # noqa: PLC0415
    from core.plugins import PluginHost  # noqa: PLC0415
    from core.web.context import context_for  # noqa: PLC0415

    user = (await session.execute(select(User).where(User.username == username))).scalar_one_or_none()
    if user is None or not user.is_active:
        msg = f"没有用户名为 {username!r} 的用户 / no user {username!r}"
        raise CliError(msg)
    settings = load_settings()
    host = PluginHost.load(settings.allowed_plugins)
    return await context_for(session, settings=settings, host=host, user=user, district=district, locale="zh_CN")
