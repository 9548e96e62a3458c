"""The admin API: districts, org units, users, memberships and modules.

Same services and the same permission checks (``ctx.require``) as the admin pages.
A :class:`~core.refusal.ServiceError` becomes a 400/404/409 JSON answer whose
``extra.errors`` maps each field to its message.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

from litestar import delete, get, patch, post
from litestar.exceptions import HTTPException, NotFoundException, PermissionDeniedException
from msgspec import UNSET

from core.api.schemas import (
    DistrictIn,
    DistrictOut,
    MembershipIn,
    MembershipOut,
    OrgUnitIn,
    OrgUnitOut,
    OrgUnitPatch,
    PluginOut,
    PluginPatch,
    UserIn,
    UserOut,
)
from core.context import RequestContext
from core.i18n import gettext as _
from core.refusal import ServiceError
from core.services import districts as district_svc
from core.services import memberships as member_svc
from core.services import org_units as unit_svc
from core.services import plugins as plugin_svc

if TYPE_CHECKING:
    from collections.abc import Iterator

    from core.models import District, Membership, OrgUnit, User

__all__ = ("ADMIN_DISTRICT_API", "ADMIN_GLOBAL_API")


@contextmanager
def service_errors() -> Iterator[None]:
    """Turn a refused change into a JSON error with per-field messages."""
    try:
        yield
    except ServiceError as exc:
        if exc.status_code == 404:
            raise NotFoundException(exc.message) from exc
        raise HTTPException(detail=exc.message, status_code=exc.status_code, extra={"errors": exc.errors}) from exc


def _district(ctx: RequestContext) -> District:
    assert ctx.district is not None
    return ctx.district


def _district_out(d: District) -> DistrictOut:
    return DistrictOut(id=d.id, code=d.code, name_zh=d.name_zh, name_en=d.name_en, ref_prefix=d.ref_prefix)


def _unit_out(u: OrgUnit, depth: int = 0) -> OrgUnitOut:
    return OrgUnitOut(u.id, u.code, str(u.kind.value), u.name_zh, u.name_en, u.parent_id, depth)


def _membership_out(m: Membership, username: str) -> MembershipOut:
    return MembershipOut(id=m.id, user_id=m.user_id, username=username, role=m.role_key, org_unit_id=m.org_unit_id)


# -- districts ------------------------------------------------------------------------


@get("/districts", summary="Districts the caller can see")
async def list_districts(ctx: RequestContext) -> list[DistrictOut]:
    return [_district_out(d) for d in ctx.districts]


@post("/districts", summary="Create a district (platform admins)")
async def create_district(ctx: RequestContext, data: DistrictIn) -> DistrictOut:
    if not ctx.is_platform_admin:
        raise PermissionDeniedException(_("You do not have permission to do this."))
    with service_errors():
        district = await district_svc.create_district(
            ctx.session, code=data.code, name_zh=data.name_zh, name_en=data.name_en, ref_prefix=data.ref_prefix
        )
    return _district_out(district)


@get("/", summary="One district")
async def get_district(ctx: RequestContext) -> DistrictOut:
    return _district_out(_district(ctx))


# -- org units ------------------------------------------------------------------------


@get("/org-units", summary="The district's org units, depth-first")
async def list_org_units(ctx: RequestContext) -> list[OrgUnitOut]:
    ctx.require("org_units", "view")
    return [_unit_out(n.unit, n.depth) for n in await unit_svc.tree(ctx.session, _district(ctx))]


@post("/org-units", summary="Add an org unit")
async def create_org_unit(ctx: RequestContext, data: OrgUnitIn) -> OrgUnitOut:
    ctx.require("org_units", "manage")
    with service_errors():
        unit = await unit_svc.create_unit(
            ctx.session,
            _district(ctx),
            code=data.code,
            name_zh=data.name_zh,
            name_en=data.name_en,
            kind=data.kind,
            parent_id=data.parent_id,
        )
    return _unit_out(unit)


@get("/org-units/{unit_id:int}", summary="One org unit")
async def get_org_unit(ctx: RequestContext, unit_id: int) -> OrgUnitOut:
    ctx.require("org_units", "view")
    with service_errors():
        return _unit_out(await unit_svc.get_unit(ctx.session, _district(ctx), unit_id))


@patch("/org-units/{unit_id:int}", summary="Rename or move an org unit")
async def update_org_unit(ctx: RequestContext, unit_id: int, data: OrgUnitPatch) -> OrgUnitOut:
    ctx.require("org_units", "manage")
    with service_errors():
        unit = await unit_svc.update_unit(
            ctx.session,
            _district(ctx),
            unit_id,
            name_zh=_str_or_none(data.name_zh),
            name_en=_str_or_none(data.name_en),
            parent_id=unit_svc.UNSET if _unset(data.parent_id) else data.parent_id,
        )
    return _unit_out(unit)


@delete("/org-units/{unit_id:int}", summary="Delete an org unit without children or members")
async def delete_org_unit(ctx: RequestContext, unit_id: int) -> None:
    ctx.require("org_units", "manage")
    with service_errors():
        await unit_svc.delete_unit(ctx.session, _district(ctx), unit_id)


def _unset(value: object) -> bool:
    return value is UNSET


def _str_or_none(value: object) -> str | None:
    return None if _unset(value) else str(value)


# -- users and memberships ------------------------------------------------------------


def _user_out(user: User, memberships: list[Membership]) -> UserOut:
    return UserOut(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        is_active=user.is_active,
        memberships=[_membership_out(m, user.username) for m in memberships],
    )


@get("/users", summary="Users of the district with their roles")
async def list_users(ctx: RequestContext) -> list[UserOut]:
    ctx.require("users", "view")
    rows = await member_svc.list_members(ctx.session, _district(ctx))
    return [_user_out(r.user, [m for m, _u in r.memberships]) for r in rows]


@post("/users", summary="Create a user with a first role")
async def create_user(ctx: RequestContext, data: UserIn) -> UserOut:
    ctx.require("users", "manage")
    district = _district(ctx)
    with service_errors():
        user = await member_svc.create_user(
            ctx.session,
            district,
            username=data.username,
            password=data.password,
            role_key=data.role,
            display_name=data.display_name,
            email=data.email,
            phone=data.phone,
            org_unit_id=data.org_unit_id,
        )
    return _user_out(user, [m for m, _u in await member_svc.memberships_of(ctx.session, district, user)])


@get("/memberships", summary="Every membership of the district")
async def list_memberships(ctx: RequestContext) -> list[MembershipOut]:
    ctx.require("users", "view")
    rows = await member_svc.list_members(ctx.session, _district(ctx))
    return [_membership_out(m, r.user.username) for r in rows for m, _u in r.memberships]


@post("/memberships", summary="Give a user of the district a role")
async def add_membership(ctx: RequestContext, data: MembershipIn) -> MembershipOut:
    ctx.require("users", "manage")
    district = _district(ctx)
    with service_errors():
        user_id = data.user_id
        if user_id is None and data.username:
            rows = await member_svc.list_members(ctx.session, district)
            user_id = next((r.user.id for r in rows if r.user.username == data.username), None)
        user = await member_svc.get_member(ctx.session, district, user_id)
        membership, _created = await member_svc.add_membership(ctx.session, district, user, data.role, data.org_unit_id)
    return _membership_out(membership, user.username)


@delete("/memberships/{membership_id:int}", summary="Remove a membership")
async def remove_membership(ctx: RequestContext, membership_id: int) -> None:
    ctx.require("users", "manage")
    with service_errors():
        await member_svc.remove_membership(ctx.session, _district(ctx), membership_id)


# -- modules --------------------------------------------------------------------------


def _plugin_out(row: plugin_svc.ModuleRow) -> PluginOut:
    m = row.plugin.manifest
    return PluginOut(
        key=row.plugin.key,
        name_zh=m.name_zh,
        name_en=m.name_en,
        version=m.version,
        description_zh=m.description_zh,
        description_en=m.description_en,
        depends_on=list(m.depends_on),
        enabled=row.enabled,
        settings=row.settings,
        settings_schema=m.settings_schema,
    )


@get("/plugins", summary="Installed modules with whether they are on here and their settings")
async def list_plugins(ctx: RequestContext) -> list[PluginOut]:
    ctx.require("plugins", "manage")
    return [_plugin_out(r) for r in await plugin_svc.list_modules(ctx.session, _district(ctx), ctx.host)]


async def _plugin(ctx: RequestContext, key: str) -> PluginOut:
    with service_errors():
        plugin_svc.get_module(ctx.host, key)
    rows = await plugin_svc.list_modules(ctx.session, _district(ctx), ctx.host)
    return _plugin_out(next(r for r in rows if r.plugin.key == key))


@get("/plugins/{key:str}", summary="One module")
async def get_plugin(ctx: RequestContext, key: str) -> PluginOut:
    ctx.require("plugins", "manage")
    return await _plugin(ctx, key)


@patch("/plugins/{key:str}", summary="Switch a module on/off and/or change its settings")
async def update_plugin(ctx: RequestContext, key: str, data: PluginPatch) -> PluginOut:
    ctx.require("plugins", "manage")
    district = _district(ctx)
    with service_errors():
        plugin_svc.get_module(ctx.host, key)
        if not _unset(data.settings):
            await plugin_svc.update_settings(ctx.session, district, ctx.host, key, data.settings)  # type: ignore[arg-type]
        if not _unset(data.enabled):
            await plugin_svc.set_enabled(ctx.session, district, ctx.host, key, enabled=bool(data.enabled))
    # The change may have reloaded the district's policies: no further permission check here.
    return await _plugin(ctx, key)


ADMIN_GLOBAL_API = [list_districts, create_district]
ADMIN_DISTRICT_API = [
    get_district,
    list_org_units,
    create_org_unit,
    get_org_unit,
    update_org_unit,
    delete_org_unit,
    list_users,
    create_user,
    list_memberships,
    add_membership,
    remove_membership,
    list_plugins,
    get_plugin,
    update_plugin,
]
