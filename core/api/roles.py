"""``/roles``: the district's roles and their permissions, as the admin page 管理 → 角色 offers them.

Same service and the same permission (``roles:manage``) as :mod:`core.web.admin.roles`.
Taking permissions away from a role answers 409 with ``extra.removed`` unless ``confirm``
is true (the page asks the same question).
"""

from __future__ import annotations

import msgspec
from litestar import Router, delete, get, patch, post, put
from litestar.exceptions import HTTPException

from core.api.admin import service_errors
from core.api.text import Code, Name
from core.context import RequestContext
from core.services import roles as svc

__all__ = ("ROLE_API",)


class PermissionRef(msgspec.Struct):
    resource: Code
    action: Code


class RoleOut(msgspec.Struct):
    key: str
    name_zh: str
    name_en: str
    builtin: bool  # a default role, or one a module brings (cannot be deleted)
    plugin: str  # the module that brought it ("" for the core's and the district's own)
    members: int  # memberships holding the role
    permissions: list[PermissionRef]


class RoleIn(msgspec.Struct):
    key: Code
    name_zh: Name
    name_en: Name = ""


class RolePatch(msgspec.Struct):
    name_zh: Name
    name_en: Name = ""


class PermissionsPut(msgspec.Struct):
    permissions: list[PermissionRef]
    confirm: bool = False  # needed when the change takes permissions away


async def _out(ctx: RequestContext, key: str) -> RoleOut:
    assert ctx.district is not None
    role = await svc.get_role(ctx.session, ctx.district, key)
    pairs = sorted(await svc.permissions_of(ctx.session, ctx.district, key))
    members = (await svc.role_usage(ctx.session, ctx.district)).get(key, 0)
    return RoleOut(
        key=role.key,
        name_zh=role.name_zh,
        name_en=role.name_en,
        builtin=role.builtin,
        plugin=role.plugin_key or "",
        members=members,
        permissions=[PermissionRef(r, a) for r, a in pairs],
    )


@get("/roles", summary="The district's roles with their members and permissions (roles:manage)")
async def list_roles(ctx: RequestContext) -> list[RoleOut]:
    ctx.require("roles", "manage")
    assert ctx.district is not None
    return [await _out(ctx, r.key) for r in await svc.list_roles(ctx.session, ctx.district)]


@post("/roles", summary="Add a role of the district's own (no permissions yet)")
async def create_role(ctx: RequestContext, data: RoleIn) -> RoleOut:
    ctx.require("roles", "manage")
    assert ctx.district is not None
    with service_errors():
        role = await svc.create_role(
            ctx.session, ctx.district, key=data.key, name_zh=data.name_zh, name_en=data.name_en
        )
    return await _out(ctx, role.key)


@get("/roles/{role_key:str}", summary="One role")
async def get_role(ctx: RequestContext, role_key: str) -> RoleOut:
    ctx.require("roles", "manage")
    with service_errors():
        return await _out(ctx, role_key)


@patch("/roles/{role_key:str}", summary="Rename a role (its key stays)")
async def rename_role(ctx: RequestContext, role_key: str, data: RolePatch) -> RoleOut:
    ctx.require("roles", "manage")
    assert ctx.district is not None
    with service_errors():
        await svc.rename_role(ctx.session, ctx.district, role_key, name_zh=data.name_zh, name_en=data.name_en)
        return await _out(ctx, role_key)


@put(
    "/roles/{role_key:str}/permissions",
    summary="Replace the role's permissions (409 with extra.removed when it takes some away, unless confirm)",
)
async def set_role_permissions(ctx: RequestContext, role_key: str, data: PermissionsPut) -> RoleOut:
    ctx.require("roles", "manage")
    assert ctx.district is not None
    wanted = [(p.resource, p.action) for p in data.permissions]
    with service_errors():
        try:
            await svc.set_permissions(ctx.session, ctx.district, ctx.host, role_key, wanted, confirmed=data.confirm)
        except svc.NeedsConfirmation as exc:  # nothing changed: the caller confirms
            removed = [{"resource": r, "action": a} for r, a in exc.removed]
            raise HTTPException(detail=exc.message, status_code=409, extra={"removed": removed}) from exc
        return await _out(ctx, role_key)


@delete("/roles/{role_key:str}", summary="Delete a role the district made, once nobody holds it")
async def delete_role(ctx: RequestContext, role_key: str) -> None:
    ctx.require("roles", "manage")
    assert ctx.district is not None
    with service_errors():
        await svc.delete_role(ctx.session, ctx.district, role_key)


ROLE_API = Router(
    path="/",
    route_handlers=[list_roles, create_role, get_role, rename_role, set_role_permissions, delete_role],
    tags=["roles"],
)
