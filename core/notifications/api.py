"""``/api/v1/districts/{code}/notifications``: my notices, the unread count, mark read, my preferences.

Each person reads and changes only their own notices (another person's is 404). Notices
come rendered in the caller's language (``Accept-Language`` or their profile). Bad input
is a 400 with a message per field, and nothing is changed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import get, post, put
from litestar.exceptions import NotFoundException
from litestar.params import Parameter

from core.api.case_common import json_router
from core.cases.errors import InvalidData
from core.context import RequestContext
from core.i18n import gettext
from core.models.notifications import DELIVERY_MODES
from core.notifications.kinds import load_kinds
from core.notifications.service import (
    Notice,
    list_notices,
    mark_all_read,
    mark_read,
    notice_count,
    preferences,
    render_notice,
    set_preferences,
    unread_count,
)
from core.notifications.web import kinds_for_member

__all__ = ("NOTIFICATION_API",)


class NotificationOut(msgspec.Struct):
    """A notice, rendered in the caller's language; ``link`` is a path in the app (the case page …)."""

    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None
    unread: bool


class NotificationPage(msgspec.Struct):
    """A page of my notices (unread first, then newest first)."""

    items: list[NotificationOut]
    total: int
    unread: int
    page: int
    per_page: int


class UnreadCount(msgspec.Struct):
    """The number on the bell."""

    unread: int


class MarkedRead(msgspec.Struct):
    """How many notices were marked read."""

    marked: int
    unread: int


class PreferenceOut(msgspec.Struct):
    """One kind of notice: on or off, ``instant`` or ``digest`` (daily digest on other channels)."""

    kind: str
    label: str
    enabled: bool
    mode: str
    default_on: bool
    default_mode: str


class PreferenceIn(msgspec.Struct):
    """A choice for one kind (a kind left out keeps its current choice)."""

    kind: str
    enabled: bool
    mode: str = "instant"


class PreferencesIn(msgspec.Struct):
    """The choices to store."""

    preferences: list[PreferenceIn]


def _out(notice: Notice) -> NotificationOut:
    return NotificationOut(
        id=notice.id,
        kind=notice.kind,
        title=notice.title,
        body=notice.body,
        link=notice.link,
        created_at=notice.created_at,
        read_at=notice.read_at,
        unread=notice.unread,
    )


def _uid(ctx: RequestContext) -> int:
    assert ctx.user is not None
    return ctx.user.id


@get("/notifications", summary="My notifications, unread first (unread=true: only those), a page at a time")
async def list_notifications(
    ctx: RequestContext,
    unread: bool = False,
    page: Annotated[int, Parameter(ge=1, le=100000)] = 1,
    per_page: Annotated[int, Parameter(ge=1, le=100)] = 20,
) -> NotificationPage:
    load_kinds(ctx.host)
    uid = _uid(ctx)
    items = await list_notices(
        ctx.session, uid, ctx.locale, unread_only=unread, limit=per_page, offset=(page - 1) * per_page
    )
    return NotificationPage(
        items=[_out(n) for n in items],
        total=await notice_count(ctx.session, uid, unread_only=unread),
        unread=await unread_count(ctx.session, uid),
        page=page,
        per_page=per_page,
    )


@get("/notifications/unread-count", summary="How many of my notifications are unread (the bell's number)")
async def unread_notifications(ctx: RequestContext) -> UnreadCount:
    return UnreadCount(unread=await unread_count(ctx.session, _uid(ctx)))


@post("/notifications/{notice_id:int}/read", summary="Mark one of my notifications read", status_code=200)
async def read_notification(ctx: RequestContext, notice_id: int) -> NotificationOut:
    load_kinds(ctx.host)
    row = await mark_read(ctx.session, _uid(ctx), notice_id)
    if row is None:
        raise NotFoundException(gettext("Not found."))
    return _out(render_notice(row, ctx.locale))


@post("/notifications/read-all", summary="Mark all my notifications read", status_code=200)
async def read_all_notifications(ctx: RequestContext) -> MarkedRead:
    marked = await mark_all_read(ctx.session, _uid(ctx))
    return MarkedRead(marked=marked, unread=await unread_count(ctx.session, _uid(ctx)))


async def _preferences(ctx: RequestContext) -> list[PreferenceOut]:
    rows = await preferences(ctx.session, _uid(ctx), kinds_for_member(ctx))
    return [
        PreferenceOut(
            kind=row.kind.key,
            label=row.kind.label(ctx.locale),
            enabled=row.enabled,
            mode=row.mode,
            default_on=row.kind.default_on,
            default_mode=row.kind.default_mode,
        )
        for row in rows
    ]


@get("/notifications/preferences", summary="My choice for each kind of notification I may receive here")
async def get_preferences(ctx: RequestContext) -> list[PreferenceOut]:
    return await _preferences(ctx)


@put("/notifications/preferences", summary="Change my choices (kinds left out stay as they are)")
async def put_preferences(ctx: RequestContext, data: PreferencesIn) -> list[PreferenceOut]:
    known = {k.key for k in kinds_for_member(ctx)}
    errors: dict[str, str] = {}
    choices: dict[str, tuple[bool, str]] = {}
    for index, item in enumerate(data.preferences):
        if item.kind not in known:
            errors[f"preferences.{index}.kind"] = gettext("There is no such kind of notification here.")
        elif item.mode not in DELIVERY_MODES:
            errors[f"preferences.{index}.mode"] = gettext("Choose “instant” or “digest”.")
        else:
            choices[item.kind] = (item.enabled, item.mode)
    if errors:
        raise InvalidData(gettext("Please correct the marked fields."), errors)
    assert ctx.district is not None
    await set_preferences(ctx.session, ctx.district.id, _uid(ctx), choices)
    return await _preferences(ctx)


NOTIFICATION_API = json_router(
    [
        list_notifications,
        unread_notifications,
        read_notification,
        read_all_notifications,
        get_preferences,
        put_preferences,
    ],
    "notifications",
)
