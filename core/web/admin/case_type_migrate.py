"""Moving open cases of older versions onto the newest one, from the type's page, with a progress bar.

The form maps every state that has open cases; each htmx poll moves the next batch and
answers the progress (the mapping travels with every poll, so closing the page pauses the
migration and submitting the same mapping again resumes it).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, post
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.response import Template

from core.builder import migrate
from core.builder import service as builder
from core.cases.types import definition_of
from core.i18n import gettext as _
from core.models.cases import CaseTypeVersion
from core.web.admin.common import is_htmx
from core.web.context import RequestContext
from core.web.forms import read_posted
from core.web.pages import page

__all__ = ("migrate_cases", "migration_context")

BATCH = 20


async def newest_published(ctx: RequestContext, type_key: str) -> CaseTypeVersion | None:
    assert ctx.district is not None
    rows = await builder.versions_of(ctx.session, ctx.district, type_key)
    return next((r for r in rows if r.status == "published"), None)


async def migration_context(ctx: RequestContext, type_key: str) -> dict[str, Any]:
    """What the type's page needs to offer a migration: the target, open states of older versions, its states."""
    assert ctx.district is not None
    target = await newest_published(ctx, type_key)
    if target is None:
        return {"older": {}}
    states = [(s.key, s.label(ctx.locale)) for s in definition_of(target).workflow.states]
    return {
        "older": await migrate.open_states(ctx.session, ctx.district, target),
        "target": target,
        "target_states": states,
    }


@post("/admin/case-types/{type_key:str}/migrate", include_in_schema=False, media_type=MediaType.HTML)
async def migrate_cases(request: Request[Any, Any, Any], ctx: RequestContext, type_key: str) -> Any:
    """Move the next batch of open cases of older versions with the posted mapping; answer the progress."""
    ctx.require("district", "admin")
    assert ctx.district is not None and ctx.user is not None
    target = await newest_published(ctx, type_key)
    if target is None:
        raise NotFoundException(_("No such case type."))
    posted, _files = await read_posted(request)
    mapping = {k[4:]: str(posted.get(k) or "") for k in posted.keys() if k.startswith("map_")}  # noqa: SIM118
    context: dict[str, Any] = {"ctx": ctx, "mapping": mapping, "type_key": type_key, "target": target, "errors": {}}
    try:
        moved = await migrate.migrate_batch(
            ctx.session, ctx.district, target, mapping, actor_id=ctx.user.id, limit=BATCH
        )
    except migrate.MigrationError as exc:
        context["errors"] = exc.problems
        moved = 0
    context["moved"] = moved
    context["progress"] = await migrate.progress(ctx.session, ctx.district, target)
    if is_htmx(request):
        return Template("core/admin/builder/migration.html", context=context)
    context.pop("ctx")
    return await page(request, ctx, "core/admin/builder/migration_page.html", **context)
