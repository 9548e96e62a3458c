"""``/builder/case-types``: the case-type builder for district admins (list, get, draft, publish, export).

Definitions travel in the same JSON form as the YAML plugins ship (``docs/plugins/case-types.md``).
A refused publish answers 409 with every problem and its path inside the definition.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response, Router, get, post, put
from litestar.exceptions import HTTPException, NotFoundException

from core.api.text import Code, Name
from core.builder import service as builder
from core.builder.checks import problems_of
from core.cases.types import definition_of
from core.context import RequestContext
from core.i18n import gettext

__all__ = ("BUILDER_API",)


class ProblemOut(msgspec.Struct):
    path: str
    message: str


class VersionOut(msgspec.Struct):
    id: int
    version: int
    status: str  # draft | published | retired
    source: str  # core | plugin:<key> | builder | import
    name_zh: str
    open_cases: int


class BuilderTypeOut(msgspec.Struct):
    key: str
    versions: list[VersionOut]


class BuilderTypeDetail(msgspec.Struct):
    key: str
    versions: list[VersionOut]
    published: dict[str, Any] | None
    draft: dict[str, Any] | None
    problems: list[ProblemOut]


class DraftIn(msgspec.Struct):
    key: Code
    name_zh: Name = ""
    name_en: Name = ""
    copy_from: Code = ""  # "district_code/type_key"
    definition: dict[str, Any] | None = None


class DraftPut(msgspec.Struct):
    definition: dict[str, Any]


def _raise(exc: builder.BuilderError) -> None:
    if exc.status_code == 404:
        raise NotFoundException(exc.message) from exc
    problems = [{"path": p.path, "message": p.message} for p in exc.problems]
    raise HTTPException(detail=exc.message, status_code=exc.status_code, extra={"problems": problems}) from exc


async def _versions(ctx: RequestContext, key: str | None = None) -> dict[str, list[VersionOut]]:
    assert ctx.district is not None
    counts = await builder.open_cases_by_version(ctx.session, ctx.district)
    out: dict[str, list[VersionOut]] = {}
    for r in await builder.versions_of(ctx.session, ctx.district, key):
        out.setdefault(r.key, []).append(
            VersionOut(r.id, r.version, r.status, r.source, r.name_zh, counts.get(r.id, 0))
        )
    return out


async def _detail(ctx: RequestContext, type_key: str) -> BuilderTypeDetail:
    assert ctx.district is not None
    rows = await builder.versions_of(ctx.session, ctx.district, type_key)
    if not rows:
        raise NotFoundException("No such case type.")
    draft = next((r for r in rows if r.status == "draft"), None)
    published = next((r for r in rows if r.status != "draft"), None)
    problems = []
    if draft is not None:
        roles = await builder.district_roles(ctx.session, ctx.district)
        problems = [ProblemOut(p.path, p.message) for p in problems_of(draft.definition, roles)]
    return BuilderTypeDetail(
        key=type_key,
        versions=(await _versions(ctx, type_key)).get(type_key, []),
        published=definition_of(published).to_dict() if published is not None else None,
        draft=dict(draft.definition) if draft is not None else None,
        problems=problems,
    )


@get("/builder/case-types", summary="Every case type of the district with its versions (district admins)")
async def list_builder_types(ctx: RequestContext) -> list[BuilderTypeOut]:
    ctx.require("district", "admin")
    return [BuilderTypeOut(k, v) for k, v in (await _versions(ctx)).items()]


@get(
    "/builder/case-types/{type_key:str}", summary="A case type: versions, newest published definition, draft, problems"
)
async def get_builder_type(ctx: RequestContext, type_key: str) -> BuilderTypeDetail:
    ctx.require("district", "admin")
    return await _detail(ctx, type_key)


@post("/builder/case-types", summary="Start a draft: new, a copy (copy_from), the next version, or a given definition")
async def create_builder_draft(ctx: RequestContext, data: DraftIn) -> BuilderTypeDetail:
    ctx.require("district", "admin")
    assert ctx.district is not None and ctx.user is not None
    try:
        if data.definition is not None:
            raw = {**data.definition, "key": data.key}
            await builder.new_draft(ctx.session, ctx.district, raw, source="import", user_id=ctx.user.id)
        else:
            code, _sep, key = data.copy_from.partition("/")
            await builder.start_draft(
                ctx.session,
                ctx.district,
                user_id=ctx.user.id,
                key=data.key,
                name_zh=data.name_zh,
                name_en=data.name_en,
                copy_from=(code, key) if data.copy_from else None,
            )
    except builder.BuilderError as exc:
        _raise(exc)
    return await _detail(ctx, data.key)


@put("/builder/case-types/{type_key:str}/draft", summary="Replace the draft's definition (checked when published)")
async def put_builder_draft(ctx: RequestContext, type_key: str, data: DraftPut) -> BuilderTypeDetail:
    ctx.require("district", "admin")
    assert ctx.district is not None
    draft = await builder.draft_of(ctx.session, ctx.district, type_key)
    if draft is None:
        raise NotFoundException("No draft.")
    builder.save_draft(draft, {**data.definition, "key": type_key})
    await ctx.session.flush()
    return await _detail(ctx, type_key)


@post(
    "/builder/case-types/{type_key:str}/publish",
    summary="Publish the draft as the next version (409 with problems, or with the access it would take away)",
)
async def publish_builder_draft(ctx: RequestContext, type_key: str, confirm: bool = False) -> VersionOut:
    """Publish; when it would take access away from a role, only with ``?confirm=true`` (409 lists the losses)."""
    ctx.require("district", "admin")
    assert ctx.district is not None and ctx.user is not None
    try:
        row = await builder.publish(ctx.session, ctx.district, type_key, user_id=ctx.user.id, allow_losses=confirm)
    except builder.AccessLoss as exc:
        raise HTTPException(
            detail=gettext("Publishing takes access away from some roles; publish with confirm=true to go ahead."),
            status_code=409,
            extra={"losses": exc.losses},
        ) from exc
    except builder.BuilderError as exc:
        _raise(exc)
        raise
    return VersionOut(row.id, row.version, row.status, row.source, row.name_zh, 0)


@get(
    "/builder/case-types/{type_key:str}/export",
    summary="The newest published version as the YAML plugins ship",
    media_type="application/yaml",
)
async def export_builder_type(ctx: RequestContext, type_key: str) -> Response[dict[str, Any]]:
    """YAML is a mapping (the definition), so the schema declares an object: readers parse it into one."""
    ctx.require("district", "admin")
    assert ctx.district is not None
    rows = [r for r in await builder.versions_of(ctx.session, ctx.district, type_key) if r.status != "draft"]
    if not rows:
        raise NotFoundException("No such case type.")
    text: Any = builder.export_yaml(definition_of(rows[0]))  # the mapping, already written as YAML text
    return Response(text, media_type="application/yaml; charset=utf-8")


BUILDER_API = Router(
    path="/",
    route_handlers=[
        list_builder_types,
        get_builder_type,
        create_builder_draft,
        put_builder_draft,
        publish_builder_draft,
        export_builder_type,
    ],
    tags=["builder"],
)
