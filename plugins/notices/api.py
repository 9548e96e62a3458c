"""JSON API: ``/api/v1/districts/{district}/notices`` (list, create, get, update, delete)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from litestar import delete, get, patch, post
from litestar.exceptions import NotFoundException, ValidationException

from core.plugin_api import Code, LongText, RequestContext, Title
from core.plugin_api import gettext as _
from plugins.notices import service
from plugins.notices.models import Notice

__all__ = ("API_ROUTES", "NoticeIn", "NoticeOut")


class NoticeIn(TypedDict, total=False):
    """A notice to create (``title`` and ``body`` required) or the fields to change."""

    title: Title
    body: LongText
    org_unit_id: int | None
    pinned: bool
    published_at: Code | None
    is_public: bool


@dataclass(frozen=True)
class NoticeOut:
    """A notice as the API returns it."""

    id: int
    title: str
    body: str
    org_unit_id: int | None
    pinned: bool
    published_at: datetime
    is_public: bool
    created_by: int | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, notice: Notice) -> NoticeOut:
        return cls(
            id=notice.id,
            title=notice.title,
            body=notice.body,
            org_unit_id=notice.org_unit_id,
            pinned=notice.pinned,
            published_at=notice.published_at,
            is_public=notice.is_public,
            created_by=notice.created_by,
            created_at=notice.created_at,
            updated_at=notice.updated_at,
        )


def _invalid(errors: dict[str, str]) -> ValidationException:
    return ValidationException(
        detail=_(
            "The notice was not saved: %(fields)s",
            fields="; ".join(f"{field}: {message}" for field, message in errors.items()),
        ),
        extra={"errors": errors},
    )


async def _notice_or_404(ctx: RequestContext, notice_id: int) -> Notice:
    notice = await service.get_notice(ctx.session, notice_id)
    if notice is None or (not notice.is_published() and not ctx.can("notices", "manage")):
        raise NotFoundException(_("Not found."))
    return notice


@get("/notices", name="notices:api:list", summary="List the district's notices (pinned first, newest first)")
async def api_list(ctx: RequestContext) -> list[NoticeOut]:
    ctx.require("notices", "view")
    notices = await service.list_notices(ctx.session, include_scheduled=ctx.can("notices", "manage"))
    return [NoticeOut.of(n) for n in notices]


@post("/notices", name="notices:api:create", summary="Publish a notice")
async def api_create(ctx: RequestContext, data: NoticeIn) -> NoticeOut:
    ctx.require("notices", "manage")
    assert ctx.district is not None
    assert ctx.user is not None
    clean, errors = await service.validate(ctx.session, ctx.district, ctx.host, dict(data))
    if clean is None:
        raise _invalid(errors)
    notice = await service.create_notice(ctx.session, clean, created_by=ctx.user.id)
    await ctx.session.refresh(notice)
    return NoticeOut.of(notice)


@get("/notices/{notice_id:int}", name="notices:api:get", summary="One notice")
async def api_get(ctx: RequestContext, notice_id: int) -> NoticeOut:
    ctx.require("notices", "view")
    return NoticeOut.of(await _notice_or_404(ctx, notice_id))


@patch("/notices/{notice_id:int}", name="notices:api:update", summary="Change some fields of a notice")
async def api_update(ctx: RequestContext, notice_id: int, data: NoticeIn) -> NoticeOut:
    ctx.require("notices", "manage")
    assert ctx.district is not None
    notice = await _notice_or_404(ctx, notice_id)
    merged: dict[str, Any] = {**service.values_of(notice), **data}
    clean, errors = await service.validate(ctx.session, ctx.district, ctx.host, merged, notice=notice)
    if clean is None:
        raise _invalid(errors)
    service.update_notice(notice, clean)
    await ctx.session.flush()
    await ctx.session.refresh(notice)
    return NoticeOut.of(notice)


@delete("/notices/{notice_id:int}", name="notices:api:delete", summary="Delete a notice")
async def api_delete(ctx: RequestContext, notice_id: int) -> None:
    ctx.require("notices", "manage")
    notice = await _notice_or_404(ctx, notice_id)
    await ctx.session.delete(notice)
    await ctx.session.flush()


API_ROUTES = [api_list, api_create, api_get, api_update, api_delete]
