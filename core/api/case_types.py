"""``/case-types``: the case types a caller may view or create, with their JSON Schemas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar import get
from litestar.exceptions import NotFoundException

from core.api.case_common import json_router
from core.api.case_schemas import CaseTypeOut, StateOut, TransitionOut
from core.cases.service import case_types
from core.context import RequestContext
from core.forms import json_schema
from core.i18n import gettext, is_english

if TYPE_CHECKING:
    from core.casetypes.definition import CaseTypeDef
    from core.models.cases import CaseTypeVersion

__all__ = ("CASE_TYPE_API", "type_schema", "usable_types")


def _may_use(ctx: RequestContext, definition: CaseTypeDef) -> bool:
    return any(ctx.can(definition.resource, action) for action in ("view", "view_own", "create"))


async def usable_types(ctx: RequestContext) -> dict[str, tuple[CaseTypeVersion, CaseTypeDef]]:
    """The district's current types the caller may view (all or their own) or create."""
    return {k: v for k, v in (await case_types(ctx)).items() if ctx.is_platform_admin or _may_use(ctx, v[1])}


def type_schema(ctx: RequestContext, definition: CaseTypeDef) -> dict[str, Any]:
    """The JSON Schema (2020-12) of the type's form data, titled in the caller's language."""
    return json_schema(definition.form, definition.name(ctx.locale))


def _out(ctx: RequestContext, row: CaseTypeVersion, d: CaseTypeDef) -> CaseTypeOut:
    locale = ctx.locale
    en = is_english(locale)
    return CaseTypeOut(
        key=d.key,
        name=d.name(locale),
        name_zh=d.name_zh,
        name_en=d.name_en,
        description=(d.description_en if en and d.description_en else d.description_zh),
        version=row.version,
        visibility=d.visibility,
        channels=list(d.channels),
        can_create=ctx.can(d.resource, "create"),
        audit_reads=d.audit_reads,
        supervisors=list(d.supervisors),
        initial_state=d.workflow.initial,
        states=[
            StateOut(
                key=s.key,
                label=s.label(locale),
                label_zh=s.label_zh,
                label_en=s.label_en,
                kind=s.kind.value,
                sla=s.sla.to_dict() if s.sla else None,
            )
            for s in d.workflow.states
        ],
        transitions=[
            TransitionOut(
                key=t.key,
                label=t.label(locale),
                sources=list(t.sources),
                target=t.target,
                required=list(t.required),
                reason_required=t.reason_required,
                confirm=t.confirm(locale) or None,
                roles=list(t.roles),
            )
            for t in d.workflow.transitions
        ],
        json_schema=type_schema(ctx, d),
    )


async def _one(ctx: RequestContext, type_key: str) -> tuple[CaseTypeVersion, CaseTypeDef]:
    found = (await usable_types(ctx)).get(type_key)
    if found is None:
        raise NotFoundException(gettext("No such case type."))
    return found


@get("/case-types", summary="Case types you may view or create, with states, transitions and JSON Schema")
async def list_case_types(ctx: RequestContext) -> list[CaseTypeOut]:
    return [_out(ctx, row, d) for row, d in (await usable_types(ctx)).values()]


@get("/case-types/{type_key:str}", summary="One case type")
async def get_case_type(ctx: RequestContext, type_key: str) -> CaseTypeOut:
    return _out(ctx, *await _one(ctx, type_key))


@get("/case-types/{type_key:str}/schema", summary="The JSON Schema of a case type's form data")
async def get_case_type_schema(ctx: RequestContext, type_key: str) -> dict[str, Any]:
    _row, definition = await _one(ctx, type_key)
    return type_schema(ctx, definition)


CASE_TYPE_API = json_router([list_case_types, get_case_type, get_case_type_schema], "case-types")
