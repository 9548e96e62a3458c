"""Group activity pages: the bank's list and form, the activity page (sign-up; for staff the QR code,
attendance and the credit), and the phone check-in page the QR code opens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from sqlalchemy import select

from core.plugin_api import TIMEZONE, Form, RequestContext, User, act, flashes, page
from core.plugin_api import gettext as _
from plugins.time_bank import activities, banks
from plugins.time_bank.accounts import Refused
from plugins.time_bank.manifest import KEY
from plugins.time_bank.models import Activity, Signup
from plugins.time_bank.web import parse_hours

__all__ = ("ACTIVITY_ROUTES",)

ONE = "/time-bank/activities/{activity_id:int}"


async def _activity(ctx: RequestContext, activity_id: int) -> tuple[Activity, bool]:
    """The activity and whether the user is its bank's staff; 404 unless staff or a member of the bank."""
    assert ctx.user is not None
    activity = (await ctx.session.execute(select(Activity).where(Activity.id == activity_id))).scalar_one_or_none()
    if activity is None:
        raise NotFoundException(_("No such activity."))
    staff = await banks.is_staff_of(ctx, activity.bank_id)
    if not staff and await banks.member_of(ctx.session, activity.bank_id, ctx.user.id) is None:
        raise NotFoundException(_("No such activity."))
    return activity, staff


@get("/time-bank/banks/{bank_id:int}/activities", name="time_bank:activities")
async def activity_list(request: Request[Any, Any, Any], ctx: RequestContext, bank_id: int) -> Response[Any]:
    """The bank's activities, newest first, and the form to post one."""
    ctx.require(KEY, "staff")
    bank = await banks.require_staff(ctx, bank_id)
    rows = list(
        (
            await ctx.session.execute(
                select(Activity).where(Activity.bank_id == bank.id).order_by(Activity.starts_at.desc()).limit(100)
            )
        ).scalars()
    )
    return await page(
        request,
        ctx,
        "time_bank/activities.html",
        bank=bank,
        rows=rows,
        fmt=banks.fmt,
        categories=await banks.categories(ctx.session, bank.id),
        notices=await flashes(request, ctx),
    )


@post("/time-bank/banks/{bank_id:int}/activities", name="time_bank:activity_create", status_code=303)
async def activity_create(
    request: Request[Any, Any, Any], ctx: RequestContext, bank_id: int, data: Form
) -> Response[Any]:
    """Post an activity (e.g. a patrol, 10 volunteers × 2 hours)."""
    ctx.require(KEY, "staff")
    bank = await banks.require_staff(ctx, bank_id)
    uid = ctx.user.id if ctx.user else None

    async def run() -> Any:
        minutes, why = parse_hours(data.get("hours"))
        if minutes is None:
            raise Refused(why)
        try:
            starts_at = datetime.fromisoformat(data.get("starts_at", "")).replace(tzinfo=TIMEZONE)
        except ValueError as exc:
            raise Refused(_("Enter when the activity starts.")) from exc
        capacity = data.get("capacity", "")
        return await activities.create_activity(
            ctx.session,
            bank,
            title=data.get("title", ""),
            category=data.get("category", ""),
            starts_at=starts_at,
            minutes=minutes,
            capacity=int(capacity) if capacity.isdigit() else 0,
            by=uid,
            place=data.get("place", ""),
            description=data.get("description", ""),
        )

    return await act(request, ctx, ctx.url(f"/time-bank/banks/{bank.id}/activities"), run, _("The activity is posted."))


@get(ONE, name="time_bank:activity")
async def activity_page(request: Request[Any, Any, Any], ctx: RequestContext, activity_id: int) -> Response[Any]:
    """An activity: sign-up for volunteers; for its bank's staff the QR code, attendance and the credit."""
    ctx.require(KEY, "use")
    assert ctx.user is not None
    activity, staff = await _activity(ctx, activity_id)
    signups = list(
        (
            await ctx.session.execute(
                select(Signup, User)
                .join(User, User.id == Signup.user_id)
                .where(Signup.activity_id == activity.id)
                .order_by(Signup.id)
            )
        ).all()
    )
    qr = ""
    checkin_url = ""
    if staff and activity.status == "open":
        base = str(request.base_url).rstrip("/")
        checkin_url = f"{base}{ctx.url(f'/time-bank/activities/{activity.id}/check-in')}?token={activity.checkin_token}"
        qr = activities.qr_svg(checkin_url)
    category = (await banks.categories(ctx.session, activity.bank_id, active_only=False)).get(activity.category)
    return await page(
        request,
        ctx,
        "time_bank/activity.html",
        activity=activity,
        staff=staff,
        signups=signups,
        qr=qr,
        checkin_url=checkin_url,
        mine=next((s for s, u in signups if u.id == ctx.user.id), None),
        category=category,
        fmt=banks.fmt,
        notices=await flashes(request, ctx),
    )


@post(f"{ONE}/signup", name="time_bank:activity_signup", status_code=303)
async def activity_signup(request: Request[Any, Any, Any], ctx: RequestContext, activity_id: int) -> Response[Any]:
    """Sign up for an activity."""
    ctx.require(KEY, "use")
    assert ctx.user is not None
    activity, _staff = await _activity(ctx, activity_id)
    uid = ctx.user.id
    back = ctx.url(f"/time-bank/activities/{activity.id}")
    return await act(
        request, ctx, back, lambda: activities.sign_up(ctx.session, activity, uid), _("You are signed up.")
    )


@get(f"{ONE}/check-in", name="time_bank:checkin_page")
async def checkin_page(request: Request[Any, Any, Any], ctx: RequestContext, activity_id: int) -> Response[Any]:
    """What the QR code opens on the volunteer's phone: one big check-in button."""
    ctx.require(KEY, "use")
    activity, _staff = await _activity(ctx, activity_id)
    token = request.query_params.get("token", "")
    return await page(request, ctx, "time_bank/checkin.html", activity=activity, token=token, fmt=banks.fmt)


@post(f"{ONE}/check-in", name="time_bank:checkin", status_code=303)
async def checkin(request: Request[Any, Any, Any], ctx: RequestContext, activity_id: int, data: Form) -> Response[Any]:
    """Check in with the activity's QR code."""
    ctx.require(KEY, "use")
    assert ctx.user is not None
    activity, _staff = await _activity(ctx, activity_id)
    uid, token = ctx.user.id, data.get("token", "")
    back = ctx.url(f"/time-bank/activities/{activity.id}")

    async def run() -> Any:
        return await activities.check_in(ctx.session, activity, uid, token=token, by_staff=False)

    return await act(request, ctx, back, run, _("You are checked in. Thank you!"))


@post(f"{ONE}/attendance", name="time_bank:attendance", status_code=303)
async def attendance(
    request: Request[Any, Any, Any], ctx: RequestContext, activity_id: int, data: Form
) -> Response[Any]:
    """Staff mark a volunteer present (for those without a phone)."""
    ctx.require(KEY, "staff")
    activity, staff = await _activity(ctx, activity_id)
    if not staff:
        raise PermissionDeniedException(_("Only this time bank's staff may do this."))
    raw = data.get("user", "")
    back = ctx.url(f"/time-bank/activities/{activity.id}")

    async def run() -> Any:
        return await activities.check_in(
            ctx.session, activity, int(raw) if raw.isdigit() else 0, token=None, by_staff=True
        )

    return await act(request, ctx, back, run, _("Marked present."))


@post(f"{ONE}/credit", name="time_bank:activity_credit", status_code=303)
async def activity_credit(request: Request[Any, Any, Any], ctx: RequestContext, activity_id: int) -> Response[Any]:
    """Credit everyone present in one transfer."""
    ctx.require(KEY, "staff")
    activity, staff = await _activity(ctx, activity_id)
    if not staff:
        raise PermissionDeniedException(_("Only this time bank's staff may do this."))
    uid = ctx.user.id if ctx.user else None
    back = ctx.url(f"/time-bank/activities/{activity.id}")

    async def run() -> Any:
        return await activities.credit_activity(ctx.session, activity, by=uid)

    return await act(request, ctx, back, run, _("Everyone present is credited."))


ACTIVITY_ROUTES = [
    activity_list,
    activity_create,
    activity_page,
    activity_signup,
    checkin_page,
    checkin,
    attendance,
    activity_credit,
]
