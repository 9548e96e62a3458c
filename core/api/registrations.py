"""Residents' self-registrations in the JSON API: the community worker lists, confirms and refuses them."""

from __future__ import annotations

from datetime import datetime

import msgspec
from litestar import get, post

from core.api.admin import service_errors
from core.context import RequestContext
from core.services import registration as reg

__all__ = ("REGISTRATION_API",)


class RegistrationOut(msgspec.Struct):
    """A registration waiting for confirmation."""

    user_id: int
    name: str
    phone: str
    community: str
    registered_at: datetime | None


def _out(p: reg.Pending) -> RegistrationOut:
    return RegistrationOut(p.user_id, p.name, p.phone, p.community, p.registered_at)


@get("/registrations", summary="Residents' registrations waiting to be confirmed", tags=["registrations"])
async def list_registrations(ctx: RequestContext) -> list[RegistrationOut]:
    ctx.require("registrations", "confirm")
    assert ctx.district is not None
    return [_out(p) for p in await reg.list_pending(ctx.session, ctx.district)]


@post(
    "/registrations/{user_id:int}/confirm",
    summary="Confirm a registration: the person becomes a resident (404 when none is waiting)",
    tags=["registrations"],
    status_code=200,
)
async def confirm_registration(ctx: RequestContext, user_id: int) -> dict[str, str]:
    ctx.require("registrations", "confirm")
    assert ctx.district is not None
    with service_errors():
        user = await reg.confirm(ctx.session, ctx.district, user_id)
    return {"status": "confirmed", "username": user.username}


@post(
    "/registrations/{user_id:int}/refuse",
    summary="Refuse a registration (404 when none is waiting)",
    tags=["registrations"],
    status_code=200,
)
async def refuse_registration(ctx: RequestContext, user_id: int) -> dict[str, str]:
    ctx.require("registrations", "confirm")
    assert ctx.district is not None
    with service_errors():
        await reg.refuse(ctx.session, ctx.district, user_id)
    return {"status": "refused"}


REGISTRATION_API = [list_registrations, confirm_registration, refuse_registration]
