"""What every command shares: running async code with a database session, clear errors."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click
from sqlalchemy import select

from core.config import load_settings
from core.db import create_engine, session_factory

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

    from sqlalchemy.ext.asyncio import AsyncSession

    from core.context import RequestContext
    from core.models import District

__all__ = ("CliError", "context_as", "echo_table", "get_district", "run_async", "session_scope")

T = TypeVar("T")


class CliError(click.ClickException):
    """A clear message and exit status 2 (bad input), e.g. ``CliError("没有这个区 / no such district")``."""

    exit_code = 2

    def format_message(self) -> str:
        return f"错误 / error: {self.message}"


@asynccontextmanager
async def session_scope(database_url: str | None = None) -> AsyncIterator[AsyncSession]:
    """A session on the configured database, committed on success, rolled back on error."""
    engine = create_engine(database_url or load_settings().database_url)
    try:
        async with session_factory(engine)() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
    finally:
        await engine.dispose()


def run_async(func: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``func(session)`` in a fresh event loop inside :func:`session_scope`."""

    async def runner() -> T:
        async with session_scope() as session:
            return await func(session)

    return asyncio.run(runner())


async def get_district(session: AsyncSession, code: str) -> District:
    """The district with ``code``, or a :class:`CliError` listing the known codes."""
    from core.models import District  # noqa: PLC0415

    district = (await session.execute(select(District).where(District.code == code))).scalar_one_or_none()
    if district is None:
        codes = ", ".join((await session.execute(select(District.code).order_by(District.code))).scalars()) or "—"
        msg = f"没有代码为 {code!r} 的区 / no district with code {code!r} (known: {codes})"
        raise CliError(msg)
    return district


async def context_as(session: AsyncSession, district: District, username: str) -> RequestContext:
    """A request context for the user ``username`` in ``district`` (the configured settings and plugins).

    For a command that acts as someone (its permissions, its name on what it records); a
    :class:`CliError` when there is no such user or they have no role in the district.
    """
    from core.context import context_for  # noqa: PLC0415
    from core.models import User  # noqa: PLC0415
    from core.plugins import PluginHost  # noqa: PLC0415

    user = (await session.execute(select(User).where(User.username == username.strip()))).scalar_one_or_none()
    settings = load_settings()
    ctx = None
    if user is not None and user.is_active:
        host = PluginHost.load(settings.allowed_plugins)
        ctx = await context_for(session, settings=settings, host=host, user=user, district=district)
    if ctx is None or not (ctx.roles or ctx.is_platform_admin):
        msg = f"{district.code} 区没有用户 {username!r} / no user {username!r} in district {district.code!r}"
        raise CliError(msg)
    return ctx


def echo_table(rows: list[list[Any]], headers: list[str]) -> None:
    """Print rows as an aligned table (widths count a CJK character as two columns)."""
    import unicodedata  # noqa: PLC0415

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    table = [headers, *[[str(c) for c in row] for row in rows]]
    widths = [max(width(r[i]) for r in table) for i in range(len(headers))]
    for n, row in enumerate(table):
        click.echo("  ".join(c + " " * (widths[i] - width(c)) for i, c in enumerate(row)).rstrip())
        if n == 0:
            click.echo("  ".join("-" * w for w in widths))
