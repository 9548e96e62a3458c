"""The capacity instrument's pages under ``/d/{district}/incubation/instrument`` and its JSON API.

Everyone who works with the incubator (``incubation:view``) reads every version; the centre
staff and the district admin (``incubation:manage``) publish a new one.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from sqlalchemy import select

from core.plugin_api import Form, FormState, NotFound, RequestContext, attempt, error_status, flashes, page, redirect
from core.plugin_api import gettext as _
from plugins.incubation import assessments, instruments
from plugins.incubation.manifest import KEY
from plugins.incubation.models import Instrument

__all__ = ("INSTRUMENT_API_ROUTES", "INSTRUMENT_ROUTES")

PAGE = "/incubation/instrument"
API = "/incubation/instrument"


async def _version(ctx: RequestContext, number: int | None) -> Instrument:
    """The version ``number`` (the latest when ``None``); 404 when there is no such version."""
    if number is None:
        row = await assessments.current_instrument(ctx.session)
    elif not 0 < number <= 10_000:  # beyond any version (and the column's range)
        row = None
    else:
        query = select(Instrument).where(Instrument.version == number)
        row = (await ctx.session.execute(query)).scalar_one_or_none()
    if row is None:
        raise NotFound("没有这个版本的能力评估量表。", "No such version of the capacity instrument.")
    return row


async def _render(
    request: Request[Any, Any, Any], ctx: RequestContext, shown: Instrument, state: FormState
) -> Response[Any]:
    latest = await assessments.current_instrument(ctx.session)
    assert latest is not None
    slots = instruments.form_slots(state.values if state.values else instruments.dimensions_of(latest))
    return await page(
        request,
        ctx,
        "incubation/instrument.html",
        flashes=await flashes(request, ctx),
        shown=shown,
        dimensions=instruments.dimensions_of(shown),
        latest=latest,
        versions=await instruments.versions(ctx),
        slots=slots,
        form=state,
        can_manage=ctx.can(KEY, "manage"),
        status_code=error_status(request, state) if not state.ok else 200,
    )


@get(PAGE, name="incubation:instrument")
async def instrument_page(
    request: Request[Any, Any, Any], ctx: RequestContext, version: int | None = None
) -> Response[Any]:
    """A version of the instrument (the latest by default), every version, and the form for a new one."""
    ctx.require(KEY, "view")
    return await _render(request, ctx, await _version(ctx, version), FormState())


@post(PAGE, name="incubation:instrument_publish", status_code=200)
async def instrument_publish(request: Request[Any, Any, Any], ctx: RequestContext, data: Form) -> Response[Any]:
    """Publish the edited dimensions and indicators as the next version (assessments keep theirs)."""
    ctx.require(KEY, "manage")
    values = dict(data)
    state = FormState(values=values)
    row = await attempt(ctx, lambda: instruments.publish(ctx, instruments.parse_form(values)), state)
    if not state.ok or row is None:
        if state.status_code == 409:  # a newer version: show that one to edit, not the stale edits
            state = FormState(errors=state.errors, status_code=409)
        return await _render(request, ctx, await _version(ctx, None), state)
    message = _("Version {version} published: new assessments use it.").format(version=row.version)
    return await redirect(request, ctx, ctx.url(PAGE), message)


# ---------------------------------------------------------------- JSON


def version_out(row: Instrument, used: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "version": row.version,
        "name": row.name,
        "published_at": row.created_at.isoformat() if row.created_at else None,
        "dimensions": instruments.as_json(instruments.dimensions_of(row)),
    }
    if used is not None:
        out["assessments"] = used
    return out


@get(f"{API}/versions", name="incubation:api:instrument_versions", summary="Every version of the capacity instrument")
async def api_versions(ctx: RequestContext) -> list[dict[str, Any]]:
    """Newest first, each with its dimensions, indicators (``max``: the indicator's full score) and assessments."""
    ctx.require(KEY, "view")
    await assessments.current_instrument(ctx.session)
    return [version_out(row, used) for row, used in await instruments.versions(ctx)]


@get(
    f"{API}/versions/{{version:int}}",
    name="incubation:api:instrument_version",
    summary="One version of the capacity instrument",
)
async def api_version(ctx: RequestContext, version: int) -> dict[str, Any]:
    ctx.require(KEY, "view")
    await assessments.current_instrument(ctx.session)
    return version_out(await _version(ctx, version))


@post(
    f"{API}/versions",
    name="incubation:api:instrument_publish",
    summary="Publish a new version of the capacity instrument",
)
async def api_publish(ctx: RequestContext, data: dict[str, Any]) -> dict[str, Any]:
    """``{"based_on": 1, "name": "…", "dimensions": [{"key": "governance", "zh": "内部治理", "en": "Governance",
    "indicators": [{"zh": "章程与负责人", "en": "…", "max": 10}]}]}``. ``based_on`` must be the latest version
    (409 otherwise); a dimension keeps its ``key`` across versions (omit it for a new one). Assessments
    already made keep their version."""
    ctx.require(KEY, "manage")
    return version_out(await instruments.publish(ctx, data))


INSTRUMENT_ROUTES = [instrument_page, instrument_publish]
INSTRUMENT_API_ROUTES = [api_versions, api_version, api_publish]
