"""JSON API for group activities: list, post (staff), sign up, attendance (staff), one credit (staff)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

from litestar import get, post
from litestar.exceptions import HTTPException, NotFoundException, PermissionDeniedException, ValidationException
from sqlalchemy import select

from core.plugin_api import TIMEZONE, Code, RequestContext, Text, Title, ledger
from core.plugin_api import gettext as _
from plugins.time_bank import accounts as moves
from plugins.time_bank import activities, banks
from plugins.time_bank.api_models import ActivityOut
from plugins.time_bank.manifest import KEY
from plugins.time_bank.models import Activity
from plugins.time_bank.web import parse_hours

__all__ = ("ACTIVITY_API",)


class ActivityIn(TypedDict, total=False):
    bank_id: int
    title: Title
    category: Code
    starts_at: Code
    hours: Code
    capacity: int
    place: Text


class TimeBankAttendeeIn(TypedDict):
    user_id: int


def _conflict(message: str) -> HTTPException:
    return HTTPException(status_code=409, detail=message)


async def _activity(ctx: RequestContext, activity_id: int, *, staff: bool = False) -> Activity:
    assert ctx.user is not None
    activity = (await ctx.session.execute(select(Activity).where(Activity.id == activity_id))).scalar_one_or_none()
    is_staff = activity is not None and await banks.is_staff_of(ctx, activity.bank_id)
    if activity is None or not (is_staff or await banks.member_of(ctx.session, activity.bank_id, ctx.user.id)):
        raise NotFoundException(_("No such activity."))
    if staff and not is_staff:
        raise PermissionDeniedException(_("Only this time bank's staff may do this."))
    return activity


async def _guard(coro: Any) -> Any:
    try:
        return await coro
    except (moves.Refused, ledger.LedgerError) as exc:
        raise _conflict(exc.message if isinstance(exc, moves.Refused) else exc.zh) from exc


@get("/time-bank/activities", name="time_bank:api:activities", summary="A bank's group activities")
async def api_activities(ctx: RequestContext, bank_id: int) -> list[ActivityOut]:
    ctx.require(KEY, "use")
    assert ctx.user is not None
    if not await banks.is_staff_of(ctx, bank_id) and await banks.member_of(ctx.session, bank_id, ctx.user.id) is None:
        raise NotFoundException(_("No such time bank."))
    query = select(Activity).where(Activity.bank_id == bank_id).order_by(Activity.starts_at.desc()).limit(200)
    return [ActivityOut.of(a) for a in (await ctx.session.execute(query)).scalars()]


@post("/time-bank/activities", name="time_bank:api:activity_create", summary="Post a group activity (staff)")
async def api_activity_create(ctx: RequestContext, data: ActivityIn) -> ActivityOut:
    ctx.require(KEY, "staff")
    bank = await banks.require_staff(ctx, int(data.get("bank_id", 0)))
    minutes, why = parse_hours(data.get("hours"))
    try:
        starts_at = datetime.fromisoformat(str(data.get("starts_at", "")))
    except ValueError as exc:
        raise ValidationException(
            detail=_("Enter when the activity starts."), extra={"errors": {"starts_at": ""}}
        ) from exc
    if minutes is None:
        raise ValidationException(detail=why, extra={"errors": {"hours": why}})
    activity = await _guard(
        activities.create_activity(
            ctx.session,
            bank,
            title=str(data.get("title", "")),
            category=str(data.get("category", "")),
            starts_at=starts_at if starts_at.tzinfo else starts_at.replace(tzinfo=TIMEZONE),
            minutes=minutes,
            capacity=int(data.get("capacity", 10)),
            by=ctx.user.id if ctx.user else None,
            place=str(data.get("place", "")),
        )
    )
    return ActivityOut.of(activity)


@post("/time-bank/activities/{activity_id:int}/signup", name="time_bank:api:signup", summary="Sign up", status_code=200)
async def api_signup(ctx: RequestContext, activity_id: int) -> ActivityOut:
    ctx.require(KEY, "use")
    assert ctx.user is not None
    activity = await _activity(ctx, activity_id)
    await _guard(activities.sign_up(ctx.session, activity, ctx.user.id))
    return ActivityOut.of(activity)


@post(
    "/time-bank/activities/{activity_id:int}/attendance",
    name="time_bank:api:attendance",
    status_code=200,
    summary="Mark a volunteer present (staff)",
)
async def api_attendance(ctx: RequestContext, activity_id: int, data: TimeBankAttendeeIn) -> ActivityOut:
    ctx.require(KEY, "staff")
    activity = await _activity(ctx, activity_id, staff=True)
    await _guard(activities.check_in(ctx.session, activity, data["user_id"], token=None, by_staff=True))
    return ActivityOut.of(activity)


@post(
    "/time-bank/activities/{activity_id:int}/credit",
    name="time_bank:api:activity_credit",
    status_code=200,
    summary="Credit everyone present in one transfer (staff)",
)
async def api_activity_credit(ctx: RequestContext, activity_id: int) -> ActivityOut:
    ctx.require(KEY, "staff")
    activity = await _activity(ctx, activity_id, staff=True)
    await _guard(activities.credit_activity(ctx.session, activity, by=ctx.user.id if ctx.user else None))
    return ActivityOut.of(activity)


ACTIVITY_API = [api_activities, api_activity_create, api_signup, api_attendance, api_activity_credit]
