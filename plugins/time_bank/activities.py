"""Group activities: sign-up, attendance (QR check-in on a phone, or by staff), one multi-leg credit.

The activity page shows the bank's staff a QR code (SVG drawn on the server by ``segno``)
of a check-in URL holding the activity's secret token; a volunteer scans it with their
phone, logs in if needed and checks in. At the end the staff credit everyone present in
ONE ledger transfer (the bank's pool → each attendee), keyed ``time_bank:earn:activity:<id>``:
all or nothing, and never twice.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from core.plugin_api import gettext as _
from core.plugin_api import ledger, utcnow
from plugins.time_bank import banks
from plugins.time_bank.accounts import Refused, apply_incentives
from plugins.time_bank.models import Activity, Bank, Signup

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("check_in", "create_activity", "credit_activity", "qr_svg", "sign_up")

CHECKIN_OPENS = timedelta(hours=2)  # before the start
CHECKIN_CLOSES = timedelta(hours=24)  # after the start


async def create_activity(
    session: AsyncSession,
    bank: Bank,
    *,
    title: str,
    category: str,
    starts_at: datetime,
    minutes: int,
    capacity: int,
    by: int | None,
    place: str = "",
    area_id: int | None = None,
    description: str = "",
) -> Activity:
    """Post an activity; refused for a category the bank does not count or a senseless size."""
    if category not in await banks.categories(session, bank.id):
        raise Refused(_("Choose one of this bank's categories."))
    if not title.strip() or minutes <= 0 or minutes > 12 * 60 or not 1 <= capacity <= 500:
        raise Refused(_("Give a title, a time of up to 12 hours per person and 1 to 500 places."))
    activity = Activity(
        district_id=bank.district_id,
        bank_id=bank.id,
        title=title.strip()[:200],
        category=category,
        starts_at=starts_at,
        minutes=minutes,
        capacity=capacity,
        place=place[:200],
        area_id=area_id,
        description=description,
        checkin_token=secrets.token_urlsafe(24),
        created_by_id=by,
    )
    session.add(activity)
    await session.flush()
    return activity


async def _signup(session: AsyncSession, activity: Activity, user_id: int) -> Signup | None:
    query = select(Signup).where(Signup.activity_id == activity.id, Signup.user_id == user_id)
    return (await session.execute(query)).scalar_one_or_none()


async def sign_up(session: AsyncSession, activity: Activity, user_id: int) -> Signup:
    """Sign an approved volunteer up, while places are left (signing up twice changes nothing)."""
    if activity.status != "open":
        raise Refused(_("This activity is closed."))
    member = await banks.member_of(session, activity.bank_id, user_id)
    if member is None or not member.is_volunteer:
        raise Refused(_("Only the bank's approved volunteers can sign up."))
    # Places are counted under the activity's row lock (PostgreSQL; SQLite's write
    # transactions are serialized from their start), so parallel sign-ups can't overfill it.
    await session.execute(select(Activity.id).where(Activity.id == activity.id).with_for_update())
    existing = await _signup(session, activity, user_id)
    if existing is not None:
        return existing
    taken = (
        await session.execute(select(func.count()).select_from(Signup).where(Signup.activity_id == activity.id))
    ).scalar_one()
    if taken >= activity.capacity:
        raise Refused(_("All %(n)s places are taken.", n=activity.capacity))
    signup = Signup(district_id=activity.district_id, activity_id=activity.id, user_id=user_id)
    session.add(signup)
    await session.flush()
    return signup


async def check_in(
    session: AsyncSession, activity: Activity, user_id: int, *, token: str | None, by_staff: bool
) -> Signup:
    """Mark a volunteer present: with the QR code's token around the activity's time, or by staff."""
    if activity.status != "open":
        raise Refused(_("This activity is closed."))
    if not by_staff:
        if not token or not secrets.compare_digest(token, activity.checkin_token):
            raise Refused(_("This check-in code is not valid; scan the code shown at the activity."))
        now = utcnow()
        if not activity.starts_at - CHECKIN_OPENS <= now <= activity.starts_at + CHECKIN_CLOSES:
            raise Refused(_("Check-in is open from 2 hours before the activity until a day after it starts."))
    signup = await _signup(session, activity, user_id) or await sign_up(session, activity, user_id)
    if signup.attended_at is None:
        signup.attended_at = utcnow()
        signup.checkin_method = "staff" if by_staff else "qr"
        await session.flush()
    return signup


async def credit_activity(session: AsyncSession, activity: Activity, *, by: int | None) -> ledger.LedgerTransfer:
    """Credit every attendee in one transfer (the category's rate, each member's yearly cap)."""
    if activity.status == "credited" and activity.transfer_id is not None:
        return await session.get(ledger.LedgerTransfer, activity.transfer_id)  # type: ignore[return-value]
    if activity.starts_at > utcnow():
        raise Refused(_("The activity has not taken place yet."))
    bank = await banks.bank_or_404(session, activity.bank_id)
    category = (await banks.categories(session, bank.id, active_only=False)).get(activity.category)
    rate = category.rate_percent if category else 0
    when = min(activity.starts_at, utcnow())
    present = list(
        (
            await session.execute(
                select(Signup)
                .where(Signup.activity_id == activity.id, Signup.attended_at.is_not(None))
                .order_by(Signup.id)
            )
        ).scalars()
    )
    legs: list[tuple[int, int]] = []
    for signup in present:
        amount = banks.credit_amount(activity.minutes, rate)
        if bank.yearly_cap is not None:
            amount = min(
                amount, max(0, bank.yearly_cap - await banks.earned_in_year(session, bank, signup.user_id, when))
            )
        signup.credited_minutes = amount
        if amount > 0:
            legs.append(((await banks.account_of(session, bank, signup.user_id)).id, amount))
    if not legs:
        raise Refused(_("Nobody is marked present (or nothing is due): check attendance first."))
    pool = await banks.pool_account(session, bank)
    transfer = await ledger.transfer(
        session,
        district_id=bank.district_id,
        legs=[(pool.id, -sum(a for _i, a in legs)), *legs],
        reason=f"{category.name_zh if category else activity.category} · {activity.title}"[:500],
        category=activity.category,
        link=f"time_bank:activity:{activity.id}",
        idempotency_key=f"{banks.EARN_PREFIX}activity:{activity.id}",
        created_by_id=by,
        effective_at=when,
    )
    activity.status = "credited"
    activity.transfer_id = transfer.id
    await session.flush()
    for signup in present:
        await apply_incentives(session, bank, signup.user_id, when, by=by)
    return transfer


def qr_svg(url: str) -> str:
    """The check-in URL as an inline SVG QR code (no inline style; scales with CSS)."""
    import segno  # noqa: PLC0415

    return str(segno.make(url, error="m").svg_inline(scale=4, omitsize=True, dark="#000", light="#fff"))
