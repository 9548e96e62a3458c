"""Platform admin: the list of districts and creating one (at ``/admin/districts``)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import PermissionDeniedException

from core.context import RequestContext
from core.i18n import gettext as _
from core.refusal import ServiceError
from core.services import districts as svc
from core.web.admin.common import FormState, done, error_status, form_of, render
from core.web.context import login_required_guard

__all__ = ("DISTRICT_ADMIN_ROUTES", "require_platform_admin")

TEMPLATE = "core/admin/districts.html"
FIELDS = ("code", "name_zh", "name_en", "ref_prefix")


def require_platform_admin(ctx: RequestContext) -> None:
    """403 unless the user is a platform admin (signed in with a browser session)."""
    if not ctx.is_platform_admin:
        raise PermissionDeniedException(_("You do not have permission to do this."))


async def _page(request: Request[Any, Any, Any], ctx: RequestContext, form: FormState, status: int = 200) -> Any:
    return await render(
        request, ctx, TEMPLATE, status_code=status, districts=await svc.list_districts(ctx.session), form=form
    )


@get("/admin/districts", name="admin_districts", guards=[login_required_guard], include_in_schema=False)
async def districts(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """Every district, and a form to create one."""
    require_platform_admin(ctx)
    return await _page(request, ctx, FormState())


@post("/admin/districts", guards=[login_required_guard], include_in_schema=False)
async def create_district(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """Create a district with its default roles."""
    require_platform_admin(ctx)
    data = await form_of(request)
    form = FormState({k: str(data.get(k, "")) for k in FIELDS})
    try:
        district = await svc.create_district(
            ctx.session,
            code=form.value("code"),
            name_zh=form.value("name_zh"),
            name_en=form.value("name_en"),
            ref_prefix=form.value("ref_prefix"),
        )
    except ServiceError as exc:
        form.errors = exc.errors
        return await _page(request, ctx, form, error_status(request, exc))
    return await done(request, ctx, "/admin/districts", _("The district %(name)s was created.", name=district.name_zh))


DISTRICT_ADMIN_ROUTES = [districts, create_district]
