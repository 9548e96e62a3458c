"""The public page of the incubation hub (no login): organizations in the incubator and those graduated (出壳).

Mounted under ``/d/{district}/public/`` by the core (``register_public_routes``). Shows only
public facts (see :mod:`plugins.incubation.public`): name, stage, service fields, the
communities it serves, the incubator, the dates it entered and graduated; the assessment
average only where the district's ``publish_assessments`` setting is on.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get

from core.plugin_api import RequestContext, localized, page, plugin_settings
from plugins.incubation import public
from plugins.incubation.manifest import KEY


def stage_filter(raw: Any) -> str:
    """``incubating``, ``graduated`` or ``""`` (every shown stage); anything else counts as every stage."""
    value = str(raw or "")
    return value if value in public.PUBLIC_STAGES else ""


def area_filter(raw: Any, choices: list[Any]) -> int | None:
    """The chosen street or community's id when it is one of ``choices``; else no filter."""
    value = str(raw or "")
    return next((u.id for u in choices if str(u.id) == value), None)


@get("/incubation", name="incubation:public")
async def public_incubation(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """The organizations in the incubator and those that graduated; filters by stage and community."""
    assert ctx.district is not None
    settings = await plugin_settings(ctx.session, ctx.district, ctx.host, KEY)
    choices = await public.area_choices(ctx.session)
    stage = stage_filter(request.query_params.get("stage"))
    area_id = area_filter(request.query_params.get("area"), choices)
    rows = await public.listing(
        ctx.session,
        stages=public.PUBLIC_STAGES.get(stage, public.SHOWN),
        area_id=area_id,
        with_scores=bool(settings.get("publish_assessments")),
    )
    return await page(
        request,
        ctx,
        "incubation/public.html",
        rows=rows,
        incubating=[r for r in rows if r.stage != "graduated"],
        graduated=[r for r in rows if r.stage == "graduated"],
        areas=[(str(u.id), localized(u.name_zh, u.name_en)) for u in choices],
        stage=stage,
        area=str(area_id or ""),
    )


PUBLIC_ROUTES = [public_incubation]
