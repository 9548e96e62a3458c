"""The inbox, the bell in the header and the preferences page (``/d/{code}/notifications``).

Every member of a district has their own inbox there; nobody sees another person's
notices (a notice of someone else is 404). The bell is an htmx fragment loaded after the
page (no inline script: the CSP forbids it) and refreshed every minute and whenever the
inbox changes (the ``notifications-changed`` event).
"""

from __future__ import annotations

from typing import Any

from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import MediaType, Request, get, post
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from core.auth.sessions import COOKIE_NAME, pop_flash, push_flash
from core.context import RequestContext
from core.i18n import gettext
from core.models.notifications import DELIVERY_MODES
from core.notifications.kinds import NotificationKind, load_kinds
from core.notifications.service import (
    list_notices,
    mark_all_read,
    mark_read,
    notice_count,
    preferences,
    set_preferences,
    unread_count,
)
from core.web.pages import page
from core.web.safety import safe_next

__all__ = ("NOTIFICATION_ROUTES", "kinds_for_member")

PAGE: dict[str, Any] = {
    "include_in_schema": False,
    "media_type": MediaType.HTML,
    "cache_control": CacheControlHeader(no_store=True),
}
PER_PAGE = 20
CHANGED = "notifications-changed"


def _htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("hx-request") == "true" and request.headers.get("hx-boosted") != "true"


def _uid(ctx: RequestContext) -> int:
    assert ctx.user is not None
    return ctx.user.id


def kinds_for_member(ctx: RequestContext) -> list[NotificationKind]:
    """The kinds this member may receive here: the core's and those of plugins enabled in the district."""
    roles = ctx.roles
    return [
        kind
        for kind in load_kinds(ctx.host).values()
        if (kind.plugin == "core" or kind.plugin in ctx.enabled)
        and (not kind.roles or ctx.is_platform_admin or roles & set(kind.roles))
    ]


def _page_number(raw: str | None) -> int:
    return max(1, int(raw)) if raw and raw.isdigit() and len(raw) < 7 else 1


async def _inbox(request: Request[Any, Any, Any], ctx: RequestContext, *, changed: bool = False) -> HTMXBlockTemplate:
    load_kinds(ctx.host)
    unread_only = request.query_params.get("show") == "unread"
    number = _page_number(request.query_params.get("page"))
    uid = _uid(ctx)
    total = await notice_count(ctx.session, uid, unread_only=unread_only)
    pages = max(1, (total + PER_PAGE - 1) // PER_PAGE)
    number = min(number, pages)
    notices = await list_notices(
        ctx.session, uid, ctx.locale, unread_only=unread_only, limit=PER_PAGE, offset=(number - 1) * PER_PAGE
    )
    flashes = [] if _htmx(request) else await pop_flash(ctx.session, request.cookies.get(COOKIE_NAME))
    response = await page(
        request,
        ctx,
        "core/notifications/inbox.html",
        notices=notices,
        unread=await unread_count(ctx.session, uid),
        total=total,
        unread_only=unread_only,
        page_number=number,
        pages=pages,
        flashes=flashes,
    )
    if changed:
        response.headers["HX-Trigger"] = CHANGED
    return response


@get("/notifications", name="notifications:inbox", **PAGE)
async def inbox(request: Request[Any, Any, Any], ctx: RequestContext) -> HTMXBlockTemplate:
    """My notices, unread first; ``?show=unread`` for the unread ones only; ``?page=2`` …"""
    return await _inbox(request, ctx)


@get("/notifications/bell", name="notifications:bell", **PAGE)
async def bell(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """The bell with my unread count (an htmx fragment; a plain visit goes to the inbox)."""
    if not _htmx(request):
        return Redirect(ctx.url("/notifications"), status_code=303)
    count = await unread_count(ctx.session, _uid(ctx))
    return Template(template_name="core/notifications/bell.html", context={"ctx": ctx, "count": count})


@post("/notifications/{notice_id:int}/read", name="notifications:read", **PAGE)
async def read_one(request: Request[Any, Any, Any], ctx: RequestContext, notice_id: int) -> Any:
    """Mark one of my notices read."""
    if await mark_read(ctx.session, _uid(ctx), notice_id) is None:
        raise NotFoundException(gettext("Not found."))
    if _htmx(request):
        return await _inbox(request, ctx, changed=True)
    return Redirect(safe_next(request.query_params.get("next"), ctx.url("/notifications")), status_code=303)


@post("/notifications/read-all", name="notifications:read_all", **PAGE)
async def read_all(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """Mark all my notices read."""
    count = await mark_all_read(ctx.session, _uid(ctx))
    message = gettext("Marked as read: %(n)s.", n=count) if count else gettext("Nothing was unread.")
    if _htmx(request):
        response = await _inbox(request, ctx, changed=True)
        response.context["flashes"] = [message]
        return response
    await push_flash(ctx.session, request.cookies.get(COOKIE_NAME), message)
    return Redirect(ctx.url("/notifications"), status_code=303)


@get("/notifications/{notice_id:int}/open", name="notifications:open", **PAGE)
async def open_notice(ctx: RequestContext, notice_id: int) -> Redirect:
    """Mark the notice read and go where it points (the case page …)."""
    row = await mark_read(ctx.session, _uid(ctx), notice_id)
    if row is None:
        raise NotFoundException(gettext("Not found."))
    return Redirect(safe_next(row.link, ctx.url("/notifications")), status_code=303)


async def _preferences(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    saved: bool = False,
) -> HTMXBlockTemplate:
    rows = await preferences(ctx.session, _uid(ctx), kinds_for_member(ctx))
    flashes = [] if _htmx(request) else await pop_flash(ctx.session, request.cookies.get(COOKIE_NAME))
    return await page(
        request,
        ctx,
        "core/notifications/preferences.html",
        rows=rows,
        errors=errors or {},
        saved=saved,
        flashes=flashes,
        status_code=status_code,
    )


@get("/notifications/preferences", name="notifications:preferences", **PAGE)
async def preferences_page(request: Request[Any, Any, Any], ctx: RequestContext) -> HTMXBlockTemplate:
    """Each kind of notice: on or off, at once or in the daily digest."""
    return await _preferences(request, ctx)


@post("/notifications/preferences", name="notifications:preferences_save", **PAGE)
async def save_preferences(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """Save the preferences form (a box not ticked: off). A mode that is not offered: 400, nothing saved."""
    form = await request.form()
    kinds = kinds_for_member(ctx)
    choices: dict[str, tuple[bool, str]] = {}
    errors: dict[str, str] = {}
    for kind in kinds:
        mode = str(form.get(f"mode:{kind.key}") or kind.default_mode)
        if mode not in DELIVERY_MODES:
            errors[kind.key] = gettext("Choose “at once” or “daily digest”.")
            continue
        choices[kind.key] = (form.get(f"on:{kind.key}") in ("1", "on", "true"), mode)
    if errors:
        return await _preferences(request, ctx, errors=errors, status_code=400)
    assert ctx.district is not None
    await set_preferences(ctx.session, ctx.district.id, _uid(ctx), choices)
    if _htmx(request):
        return await _preferences(request, ctx, saved=True)
    await push_flash(ctx.session, request.cookies.get(COOKIE_NAME), gettext("Your notification preferences are saved."))
    return Redirect(ctx.url("/notifications/preferences"), status_code=303)


NOTIFICATION_ROUTES = [inbox, bell, read_one, read_all, open_notice, preferences_page, save_preferences]
