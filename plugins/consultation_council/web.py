"""What the council's pages share: form bodies, redirects with a one-time notice, refusals shown to people."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Annotated, Any

from litestar import Request, Response
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.plugins.htmx import ClientRedirect
from litestar.response import Redirect

from core import votes
from core.auth.sessions import COOKIE_NAME, pop_flash, push_flash
from core.cases.errors import CaseError, InvalidData
from core.i18n import TIMEZONE
from core.i18n import gettext as _
from core.web.context import RequestContext
from plugins.consultation_council.councils import Refused, format_label, party_label, position_label

__all__ = ("HELPERS", "Form", "act", "flashes", "go", "local_time", "parse_date", "parse_local", "state_label")

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


def go(request: Request[Any, Any, Any], url: str) -> Response[Any]:
    """After a change: htmx follows ``HX-Redirect``, a plain form post a 303."""
    if request.headers.get("hx-request") == "true":
        return ClientRedirect(url)
    return Redirect(url, status_code=303)


async def flashes(request: Request[Any, Any, Any], ctx: RequestContext) -> list[str]:
    """The one-time notices left for this page."""
    return await pop_flash(ctx.session, request.cookies.get(COOKIE_NAME))


async def act(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    back: str,
    action: Callable[[], Awaitable[Any]],
    done: str = "",
) -> Response[Any]:
    """Run ``action``; a refusal undoes what it wrote and is shown on ``back``, as is ``done`` on success."""
    try:
        async with ctx.session.begin_nested():
            await action()
    except (Refused, CaseError, votes.VoteError) as exc:
        message = getattr(exc, "message", str(exc))
        if isinstance(exc, votes.VoteError):
            message = exc.en if ctx.locale.startswith("en") else exc.zh
        if isinstance(exc, InvalidData) and exc.errors:
            message = f"{message} " + "；".join(exc.errors.values())
        await push_flash(ctx.session, request.cookies.get(COOKIE_NAME), message)
        return go(request, back)
    if done:
        await push_flash(ctx.session, request.cookies.get(COOKIE_NAME), done)
    return go(request, back)


def parse_local(raw: str | None) -> datetime | None:
    """A ``datetime-local`` input (China time) as an aware datetime, or ``None``."""
    try:
        value = datetime.fromisoformat((raw or "").strip())
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=TIMEZONE)


def parse_date(raw: str | None) -> date | None:
    """A ``date`` input, or ``None``."""
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A time in China time, as the pages print it."""
    return value.astimezone(TIMEZONE).strftime(fmt) if value else ""


def state_label(state: str) -> str:
    """A topic's state as residents read it (the labels of the shipped case type)."""
    return {
        "submitted": _("Submitted"),
        "accepted": _("On the agenda"),
        "declined": _("Declined"),
        "deliberation": _("In deliberation"),
        "voted": _("Voted"),
        "adopted": _("Resolution adopted"),
        "rejected": _("Resolution rejected"),
        "in_action": _("Actions in progress"),
        "done": _("Done"),
        "reviewed": _("Reviewed"),
        "escalated": _("Escalated to the street"),
    }.get(state, state)


def resolution_status(status: str) -> str:
    """A resolution's status as residents read it."""
    return {"draft": _("Draft"), "published": _("Published for objections"), "in_force": _("In force")}.get(
        status, status
    )


def kind_label(kind: str) -> str:
    """决议 or 公约."""
    return _("Convention") if kind == "convention" else _("Resolution")


HELPERS: dict[str, Any] = {
    "local_time": local_time,
    "state_label": state_label,
    "resolution_status": resolution_status,
    "kind_label": kind_label,
    "party_label": party_label,
    "position_label": position_label,
    "format_label": format_label,
}
