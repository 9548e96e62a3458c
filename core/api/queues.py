"""``/queues``: shared and personal saved queues (list, create, update, delete).

Every staff member lists the shared queues their roles match and their own; they create,
change and delete their own. Shared queues (``shared: true``) are created, changed and
deleted by district admins only (403 otherwise). Another user's queue, or a shared one
limited to other roles, is 404. Definitions are checked as on the admin page
(:func:`core.cases.saved_queues.check_spec`): 400 with a message per field, nothing saved.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import delete, get, patch, post
from litestar.exceptions import NotFoundException, PermissionDeniedException

from core.api.case_common import json_router
from core.api.text import Code, Name
from core.cases.saved_queues import (
    DEFAULT_COLUMNS,
    check_spec,
    create_queue,
    delete_queue,
    find_queue,
    known_choices,
    queue_filters,
    shared_queues,
    update_queue,
    visible_queues,
)
from core.context import RequestContext
from core.i18n import gettext
from core.models.cases import SavedQueue

__all__ = ("QUEUE_API",)


class QueueOut(msgspec.Struct):
    key: str
    shared: bool
    label_zh: str
    label_en: str
    filters: dict[str, Any]
    columns: list[str]
    sort: str
    roles: list[str]
    position: int
    url: str


class QueueIn(msgspec.Struct):
    label_zh: Name
    label_en: Name = ""
    shared: bool = False
    filters: dict[str, Any] = msgspec.field(default_factory=dict)
    columns: list[Code] = msgspec.field(default_factory=lambda: list(DEFAULT_COLUMNS))
    sort: Code = "-updated"
    roles: list[Code] = msgspec.field(default_factory=list)


class QueuePatch(msgspec.Struct):
    label_zh: Name | msgspec.UnsetType = msgspec.UNSET
    label_en: Name | msgspec.UnsetType = msgspec.UNSET
    filters: dict[str, Any] | msgspec.UnsetType = msgspec.UNSET
    columns: list[Code] | msgspec.UnsetType = msgspec.UNSET
    sort: Code | msgspec.UnsetType = msgspec.UNSET
    roles: list[Code] | msgspec.UnsetType = msgspec.UNSET


def _out(ctx: RequestContext, queue: SavedQueue) -> QueueOut:
    return QueueOut(
        key=queue.key,
        shared=queue.owner_id is None,
        label_zh=queue.label_zh,
        label_en=queue.label_en,
        filters=dict(queue.filters or {}),
        columns=list(queue.columns or []),
        sort=queue_filters(queue).sort,
        roles=list(queue.roles or []),
        position=queue.position,
        url=ctx.url(f"/cases?queue={queue.key}"),
    )


def _may_change(ctx: RequestContext, queue: SavedQueue | None) -> SavedQueue:
    """The caller's own queue, or (district admins) a shared one; 404 / 403 otherwise."""
    if queue is None:
        raise NotFoundException(gettext("Not found."))
    if queue.owner_id is None and not ctx.can("district", "admin"):
        raise PermissionDeniedException(gettext("You do not have permission to do this."))
    return queue


@get("/queues", summary="The shared queues your roles see (all of them for district admins) and your own")
async def list_queues(ctx: RequestContext) -> list[QueueOut]:
    queues = await visible_queues(ctx)
    if ctx.can("district", "admin"):
        seen = {q.id for q in queues}
        queues += [q for q in await shared_queues(ctx) if q.id not in seen]
    return [_out(ctx, q) for q in queues]


@post("/queues", summary="Save a queue: your own, or a shared one (district admins)")
async def create_queue_api(ctx: RequestContext, data: QueueIn) -> QueueOut:
    if data.shared and not ctx.can("district", "admin"):
        raise PermissionDeniedException(gettext("You do not have permission to do this."))
    spec = check_spec(msgspec.structs.asdict(data), await known_choices(ctx), shared=data.shared)
    return _out(ctx, await create_queue(ctx, spec, shared=data.shared))


async def _lookup(ctx: RequestContext, key: str) -> SavedQueue | None:
    queue = await find_queue(ctx, key)
    if queue is None and ctx.can("district", "admin"):
        queue = next((q for q in await shared_queues(ctx) if q.key == key), None)
    return queue


@patch("/queues/{key:str}", summary="Change a queue (fields left out stay as they are)")
async def update_queue_api(ctx: RequestContext, key: str, data: QueuePatch) -> QueueOut:
    queue = _may_change(ctx, await _lookup(ctx, key))
    current = {
        "label_zh": queue.label_zh,
        "label_en": queue.label_en,
        "filters": dict(queue.filters or {}),
        "columns": list(queue.columns or []),
        "sort": queue_filters(queue).sort,
        "roles": list(queue.roles or []),
    }
    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    spec = check_spec({**current, **changes}, await known_choices(ctx), shared=queue.owner_id is None)
    return _out(ctx, await update_queue(ctx, queue, spec))


@delete("/queues/{key:str}", summary="Delete a queue (the cases in it are not touched)")
async def delete_queue_api(ctx: RequestContext, key: str) -> None:
    queue = _may_change(ctx, await _lookup(ctx, key))
    await delete_queue(ctx, queue)


QUEUE_API = json_router([list_queues, create_queue_api, update_queue_api, delete_queue_api], "queues")
