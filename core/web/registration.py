"""Residents register themselves (``/register``: a phone number and a password, the district chosen);
a community worker confirms them on ``/d/{district}/registrations`` before they may file or vote.
"""

from __future__ import annotations

from typing import Any

from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from sqlalchemy import select

from core.context import RequestContext
from core.db import for_district
from core.i18n import gettext as _
from core.models import District
from core.services import registration as reg
from core.web.pages import Form, FormState, act, attempt, error_status, flashes, page

__all__ = ("REGISTRATION_DISTRICT_ROUTES", "REGISTRATION_SHELL_ROUTES")


async def _district(ctx: RequestContext, code: str) -> District | None:
    if not code:
        return None
    return (await ctx.session.execute(select(District).where(District.code == code))).scalar_one_or_none()


async def _form(
    request: Request[Any, Any, Any], ctx: RequestContext, district: District | None, form: FormState, status: int = 200
) -> HTMXBlockTemplate:
    districts = (await ctx.session.execute(select(District).order_by(District.code))).scalars()
    communities = await reg.communities(ctx.session, district) if district is not None else []
    return await page(
        request,
        ctx,
        "core/registration/register.html",
        status_code=status,
        district=district,
        districts=[(d.code, d.name(ctx.locale)) for d in districts],
        communities=[(str(cid), name) for cid, name in communities],
        form=form,
    )


@get("/register", name="register", include_in_schema=False)
async def register_page(request: Request[Any, Any, Any], ctx: RequestContext, district: str = "") -> Any:
    """The registration form (the district first, then name, phone, community and password)."""
    return await _form(request, ctx, await _district(ctx, district), FormState(values={"district": district}))


@post("/register", name="register_post", include_in_schema=False, status_code=200)
async def register_post(request: Request[Any, Any, Any], ctx: RequestContext, data: Form) -> Any:
    """Create the pending account; on an error the form comes back with what was typed (never the password)."""
    district = await _district(ctx, data.get("district", ""))
    values = {k: v for k, v in data.items() if not k.startswith("password") and k != "_csrf_token"}
    state = FormState(values=values)
    if district is None:
        state.errors["district"] = _("Choose your district.")
        return await _form(request, ctx, None, state, error_status(request, state))
    for_district(ctx.session, district.id)
    community = data.get("community_id", "")
    user = await attempt(
        ctx,
        lambda: reg.register_resident(
            ctx.session,
            district,
            name=data.get("name", ""),
            phone=data.get("phone", ""),
            password=data.get("password", ""),
            password_again=data.get("password_again", ""),
            community_id=int(community) if community.isdigit() else None,
        ),
        state,
    )
    if user is None:
        return await _form(request, ctx, district, state, error_status(request, state))
    return await page(request, ctx, "core/registration/done.html", district=district, username=user.username)


@get("/registrations", name="registrations", include_in_schema=False)
async def pending_page(request: Request[Any, Any, Any], ctx: RequestContext) -> HTMXBlockTemplate:
    """The community worker's list of registrations to confirm."""
    ctx.require("registrations", "confirm")
    assert ctx.district is not None
    return await page(
        request,
        ctx,
        "core/registration/pending.html",
        pending=await reg.list_pending(ctx.session, ctx.district),
        flashes=await flashes(request, ctx),
    )


@post("/registrations/{user_id:int}/{decision:str}", name="registration_decide", include_in_schema=False)
async def decide(request: Request[Any, Any, Any], ctx: RequestContext, user_id: int, decision: str) -> Response[Any]:
    """Confirm (``confirm``) or refuse (``refuse``) one registration."""
    ctx.require("registrations", "confirm")
    assert ctx.district is not None
    district = ctx.district
    if decision not in ("confirm", "refuse"):
        raise NotFoundException(_("Not found."))
    if all(p.user_id != user_id for p in await reg.list_pending(ctx.session, district)):
        raise NotFoundException(_("No registration is waiting for this person."))

    async def run() -> None:
        if decision == "confirm":
            await reg.confirm(ctx.session, district, user_id)
        else:
            await reg.refuse(ctx.session, district, user_id)

    done = _("Confirmed: the resident may now file requests and vote.") if decision == "confirm" else _("Refused.")
    return await act(request, ctx, ctx.url("/registrations"), run, done)


REGISTRATION_SHELL_ROUTES = [register_page, register_post]
REGISTRATION_DISTRICT_ROUTES = [pending_page, decide]
