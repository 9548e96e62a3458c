"""District admin: users and their memberships, creating users, resetting passwords."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException

from core.context import RequestContext
from core.i18n import gettext as _
from core.refusal import ServiceError
from core.services import memberships as svc
from core.services.org_units import tree
from core.services.roles import list_roles
from core.web.admin.common import FormState, done, error_status, form_of, int_or_none, render, service_failure

__all__ = ("USER_ROUTES",)

LIST = "core/admin/users.html"
DETAIL = "core/admin/user.html"
CREATE_FIELDS = ("username", "display_name", "email", "phone", "role", "org_unit_id")


async def _choices(ctx: RequestContext) -> dict[str, Any]:
    assert ctx.district is not None
    roles = await list_roles(ctx.session, ctx.district)
    nodes = await tree(ctx.session, ctx.district)
    return {
        "roles": [(r.key, r.name(ctx.locale)) for r in roles],
        "role_names": {r.key: r.name(ctx.locale) for r in roles},
        "units": [(n.unit.id, "　" * n.depth + n.unit.name(ctx.locale)) for n in nodes],
    }


async def _list_page(request: Request[Any, Any, Any], ctx: RequestContext, form: FormState, status: int = 200) -> Any:
    assert ctx.district is not None
    members = await svc.list_members(ctx.session, ctx.district)
    return await render(request, ctx, LIST, status_code=status, members=members, form=form, **await _choices(ctx))


@get("/admin/users", name="admin_users", include_in_schema=False)
async def users(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """The district's users with their roles, and a form to create one."""
    ctx.require("users", "view")
    return await _list_page(request, ctx, FormState())


@post("/admin/users", include_in_schema=False)
async def create_user(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """Create a user with a first role in the district."""
    ctx.require("users", "manage")
    assert ctx.district is not None
    data = await form_of(request)
    form = FormState({k: str(data.get(k, "")) for k in CREATE_FIELDS})
    try:
        user = await svc.create_user(
            ctx.session,
            ctx.district,
            username=form.value("username"),
            password=str(data.get("password", "")),
            display_name=form.value("display_name"),
            email=form.value("email"),
            phone=form.value("phone"),
            role_key=form.value("role"),
            org_unit_id=int_or_none(form.value("org_unit_id")),
        )
    except ServiceError as exc:
        form.errors = exc.errors
        return await _list_page(request, ctx, form, error_status(request, exc))
    return await done(request, ctx, ctx.url(f"/admin/users/{user.id}"), _("%(name)s was created.", name=user.label))


async def _detail_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    user_id: int,
    *,
    form: FormState | None = None,
    password_form: FormState | None = None,
    status: int = 200,
) -> Any:
    assert ctx.district is not None
    try:
        user = await svc.get_member(ctx.session, ctx.district, user_id)
    except ServiceError as exc:
        service_failure(exc)
        raise
    return await render(
        request,
        ctx,
        DETAIL,
        status_code=status,
        member=user,
        memberships=await svc.memberships_of(ctx.session, ctx.district, user),
        form=form or FormState(),
        password_form=password_form or FormState(),
        **await _choices(ctx),
    )


@get("/admin/users/{user_id:int}", include_in_schema=False)
async def user_detail(request: Request[Any, Any, Any], ctx: RequestContext, user_id: int) -> Any:
    """One user of the district: memberships, adding one, password reset."""
    ctx.require("users", "view")
    return await _detail_page(request, ctx, user_id)


@post("/admin/users/{user_id:int}/memberships", include_in_schema=False)
async def add_membership(request: Request[Any, Any, Any], ctx: RequestContext, user_id: int) -> Any:
    """Give the user another role (optionally limited to an org unit)."""
    ctx.require("users", "manage")
    assert ctx.district is not None
    data = await form_of(request)
    form = FormState({k: str(data.get(k, "")) for k in ("role", "org_unit_id")})
    try:
        user = await svc.get_member(ctx.session, ctx.district, user_id)
        _m, created = await svc.add_membership(
            ctx.session, ctx.district, user, form.value("role"), int_or_none(form.value("org_unit_id"))
        )
    except ServiceError as exc:
        service_failure(exc)
        form.errors = exc.errors
        return await _detail_page(request, ctx, user_id, form=form, status=error_status(request, exc))
    message = _("The role was added.") if created else _("The user already has this role.")
    return await done(request, ctx, ctx.url(f"/admin/users/{user_id}"), message)


@post("/admin/users/{user_id:int}/memberships/{membership_id:int}/delete", include_in_schema=False)
async def remove_membership(
    request: Request[Any, Any, Any], ctx: RequestContext, user_id: int, membership_id: int
) -> Any:
    """Take one role away from the user."""
    ctx.require("users", "manage")
    assert ctx.district is not None
    try:
        membership = await svc.get_membership(ctx.session, ctx.district, membership_id)
        if membership.user_id != user_id:
            raise NotFoundException(_("Not found."))
        user = await svc.get_member(ctx.session, ctx.district, user_id)
        await svc.remove_membership(ctx.session, ctx.district, membership_id)
    except ServiceError as exc:
        service_failure(exc)
        raise
    remaining = await svc.memberships_of(ctx.session, ctx.district, user)
    target = ctx.url(f"/admin/users/{user_id}") if remaining else ctx.url("/admin/users")
    return await done(request, ctx, target, _("The role was removed."))


@post("/admin/users/{user_id:int}/password", include_in_schema=False)
async def reset_password(request: Request[Any, Any, Any], ctx: RequestContext, user_id: int) -> Any:
    """Set a new password for the user; their sessions end."""
    from core.auth.admin import NotAllowedError, WeakPasswordError  # noqa: PLC0415
    from core.auth.admin import reset_password as do_reset  # noqa: PLC0415

    ctx.require("users", "manage")
    assert ctx.district is not None
    data = await form_of(request)
    try:
        user = await svc.get_member(ctx.session, ctx.district, user_id)
    except ServiceError as exc:
        service_failure(exc)
        raise
    try:
        await do_reset(ctx.session, ctx, user, str(data.get("new_password", "")))
    except WeakPasswordError as exc:
        form = FormState(errors={"new_password": exc.message})
        return await _detail_page(request, ctx, user_id, password_form=form, status=error_status(request))
    except NotAllowedError as exc:
        form = FormState(errors={"_": exc.message})
        return await _detail_page(request, ctx, user_id, password_form=form, status=403)
    return await done(request, ctx, ctx.url(f"/admin/users/{user_id}"), _("The password was reset."))


USER_ROUTES = [users, create_user, user_detail, add_membership, remove_membership, reset_password]
