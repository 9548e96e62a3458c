"""Permits (parking cards, 停车卡): apply, approve, issue, suspend, revoke; the pool and its waiting list.

Every change of an estate's permits runs under the estate's row lock
(:func:`~plugins.parking.service.lock_estate`), so the pool count and the "one live
permit per plate" check read what the previous change committed. A partial unique
index on (estate, plate) for live permits backs the plate rule in the database.

- A permit is issued only under the estate's adopted convention.
- A household has at most ``cards_per_household`` live permits (convention rules); its
  first is a ``resident`` card, the next ``second_car`` (the fee schedule applies).
- Floating cards (no fixed space) draw from the shared pool. When the pool is full a new
  application goes on the waiting list, first cars ahead of second cars, then in the
  order they applied; a place freed (revoked, expired, refused) goes to the first waiting.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from core.plugin_api import TIMEZONE, residents, utcnow
from core.plugin_api import gettext as _
from plugins.parking.conventions import adopted_convention
from plugins.parking.models import LIVE_PERMIT, ParkingEstate, Permit
from plugins.parking.service import Conflict, Refused, lock_estate, pool

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = (
    "apply",
    "approve",
    "issue",
    "kind_label",
    "permits",
    "refuse",
    "revoke",
    "status_label",
    "suspend",
    "waiting_list",
    "whitelist_csv",
)

DAY_NAMES = "一二三四五六日"
ACTION_ZH = {
    "approve": "批准",
    "issue": "发卡",
    "suspend": "暂停",
    "reinstate": "恢复",
    "revoke": "注销",
    "refuse": "驳回",
    "expire": "到期",
}
TRANSITIONS = {
    "approve": ("applied",),
    "issue": ("approved",),
    "suspend": ("issued",),
    "reinstate": ("suspended",),
    "revoke": ("applied", "approved", "issued", "suspended", "waiting"),
    "refuse": ("applied", "waiting"),
    "expire": ("issued", "suspended"),
}


def status_label(status: str) -> str:
    """A permit's state as people say it."""
    return {
        "waiting": _("On the waiting list"),
        "applied": _("Applied"),
        "approved": _("Approved"),
        "issued": _("Card issued"),
        "suspended": _("Suspended"),
        "expired": _("Expired"),
        "revoked": _("Revoked"),
        "refused": _("Refused"),
    }.get(status, status)


def kind_label(kind: str) -> str:
    """A permit's type as people say it."""
    return {
        "resident": _("Resident (first car)"),
        "second_car": _("Second car"),
        "tidal": _("Tidal"),
        "visitor": _("Visitor"),
    }.get(kind, kind)


def window_text(permit: Permit) -> str:
    """``周一至周日 00:00–24:00`` style: the days and hours the card opens the gate."""
    days = "、".join(DAY_NAMES[int(d) - 1] for d in permit.days) if permit.days != "1234567" else _("every day")
    start, end = permit.start_minute, permit.end_minute
    return f"{days} {start // 60:02d}:{start % 60:02d}–{end // 60:02d}:{end % 60:02d}"


async def _estate_households(session: AsyncSession, estate: ParkingEstate) -> dict[int, str]:
    owners = await residents.estate_owners(session, estate.estate_id)
    return {o.household_id: o.address for o in owners}


async def household_choices(session: AsyncSession, estate: ParkingEstate) -> list[tuple[int, str]]:
    """(household id, address) of the estate's households, for the window's intake form."""
    return sorted((await _estate_households(session, estate)).items(), key=lambda kv: kv[1])


def _household_and_plate(household_id: Any, plate: Any) -> tuple[int, str]:
    """The household's id and the normalised plate, or a refusal naming the field."""
    try:
        hid = int(household_id)
    except (TypeError, ValueError):
        raise Refused(
            "请选择住户", "Choose the household.", errors={"household_id": _("Choose the household.")}
        ) from None
    normalized = residents.normalize_plate(str(plate or ""))
    if not normalized:
        raise Refused(
            "车牌号格式有误", "Enter a valid plate.", errors={"plate": _("Enter a valid plate, e.g. 浙B12345.")}
        )
    return hid, normalized


async def apply(
    session: AsyncSession,
    estate_id: int,
    household_id: Any,
    plate: Any,
    *,
    channel: str,
    user_id: int | None,
    note: str = "",
) -> Permit:
    """Apply for a card for ``plate`` of ``household_id``: ``applied``, or ``waiting`` when the pool is full."""
    estate = await lock_estate(session, estate_id)
    hid, normalized = _household_and_plate(household_id, plate)
    convention = await adopted_convention(session, estate.id)
    if convention is None:
        raise Conflict(
            "本小区的停车公约尚未经业主表决通过，不能办理停车卡",
            "No parking convention has been adopted by the owners of this estate: no cards are issued yet.",
        )
    if hid not in await _estate_households(session, estate):
        raise Refused(
            "该住户不在本小区的住户登记中",
            "This household is not in the estate's register.",
            errors={"household_id": _("Choose a household of this estate.")},
        )
    if normalized not in await residents.household_vehicles(session, hid):
        raise Refused(
            f"车辆 {normalized} 未登记在这一户名下，请先到物业窗口登记车辆",
            f"{normalized} is not registered to this household: register the vehicle at the window first.",
            errors={"plate": _("This plate is not registered to the household.")},
        )
    live = list(
        (
            await session.execute(
                select(Permit).where(
                    Permit.parking_estate_id == estate.id, Permit.household_id == hid, Permit.status.in_(LIVE_PERMIT)
                )
            )
        ).scalars()
    )
    if any(p.plate == normalized for p in live):
        raise Conflict(f"{normalized} 已有有效的停车卡或申请", f"{normalized} already has a live card or application.")
    limit = int(convention.rules.get("cards_per_household", 2))
    if len(live) >= limit:
        raise Conflict(
            f"每户最多 {limit} 张停车卡（本户已有 {len(live)} 张）",
            f"At most {limit} cards per household (this one has {len(live)}).",
        )
    kind = "second_car" if any(p.kind == "resident" for p in live) else "resident"
    fee = int(convention.fees.get("second_car_fen" if kind == "second_car" else "first_car_fen", 0))
    used, size = await pool(session, estate.id)
    full = used >= size
    permit = Permit(
        district_id=estate.district_id,
        parking_estate_id=estate.id,
        convention_id=convention.id,
        household_id=hid,
        plate=normalized,
        kind=kind,
        status="waiting" if full else "applied",
        fee_fen=fee,
        channel=channel if channel in ("online", "window") else "online",
        applied_by=user_id,
        applied_at=utcnow(),
        note=str(note or "")[:300],
    )
    try:
        async with session.begin_nested():
            session.add(permit)
            await session.flush()
    except IntegrityError as exc:  # the plate's live permit in another estate race: the index decides
        raise Conflict(f"{normalized} 已有有效的停车卡或申请", f"{normalized} already has a live card.") from exc
    return permit


VISITORS_PER_DAY = 3  # a household's visitor registrations a day unless the convention says ("visitors_per_day")


def _minute(raw: Any, now: datetime) -> int:
    """``HH:MM`` (or empty: now) as a minute of the day."""
    text = str(raw or "").strip()
    if not text:
        return now.hour * 60 + now.minute
    hours, _sep, minutes = text.partition(":")
    if hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60:
        return int(hours) * 60 + int(minutes)
    raise Refused("到达时间格式有误", "The arrival time is HH:MM.", errors={"arrive": _("Enter a time as HH:MM.")})


async def register_visitor(
    session: AsyncSession,
    estate_id: int,
    household_id: Any,
    plate: Any,
    *,
    arrive: Any = "",
    name: Any = "",
    channel: str,
    user_id: int | None,
    now: datetime | None = None,
) -> Permit:
    """A visitor's car let in for the convention's free hours today, from ``arrive`` (default now).

    Issued at once (no card, no fee, no pool place): the plate is on today's gate whitelist
    for its hours. Refused before the convention is adopted, for a household not of the
    estate, for a plate with a live card or visit, and past the convention's visits a day per
    household (``visitors_per_day``, default 3) — counted under the estate's lock, so
    parallel registrations never pass it. A visit whose hours are over is expired first, so
    the same car may come again later that day.
    """
    now = (now or utcnow()).astimezone(TIMEZONE)
    today = now.date()
    estate = await lock_estate(session, estate_id)
    hid, normalized = _household_and_plate(household_id, plate)
    start = _minute(arrive, now)
    convention = await adopted_convention(session, estate.id)
    if convention is None:
        raise Conflict(
            "本小区的停车公约尚未经业主表决通过，不能登记访客车辆",
            "No parking convention has been adopted by the owners of this estate: visitors are not registered yet.",
        )
    hours = int(convention.fees.get("visitor_free_hours", 2))
    if hours <= 0:
        raise Conflict("本小区停车公约没有访客免费停车时段", "The estate's convention gives visitors no free hours.")
    if hid not in await _estate_households(session, estate):
        raise Refused(
            "该住户不在本小区的住户登记中",
            "This household is not in the estate's register.",
            errors={"household_id": _("Choose a household of this estate.")},
        )
    over = select(Permit.id).where(
        Permit.parking_estate_id == estate.id,
        Permit.kind == "visitor",
        Permit.status == "issued",
        (Permit.valid_to < today) | ((Permit.valid_to == today) & (Permit.end_minute <= now.hour * 60 + now.minute)),
    )
    for permit_id in list((await session.execute(over)).scalars()):
        await _step(session, permit_id, "expire", None)
    live = select(Permit.id).where(
        Permit.parking_estate_id == estate.id, Permit.plate == normalized, Permit.status.in_(LIVE_PERMIT)
    )
    if (await session.execute(live)).first():
        raise Conflict(
            f"{normalized} 已有有效的停车卡或访客登记",
            f"{normalized} already has a live card or visit.",
            errors={"plate": _("This car already has a live card or visit.")},
        )
    limit = int(convention.rules.get("visitors_per_day", VISITORS_PER_DAY))
    visits = select(func.count(Permit.id)).where(
        Permit.parking_estate_id == estate.id,
        Permit.household_id == hid,
        Permit.kind == "visitor",
        Permit.valid_from == today,
    )
    done = int((await session.execute(visits)).scalar_one())
    if done >= limit:
        raise Conflict(
            f"每户每天最多登记 {limit} 辆访客车辆（本户今天已登记 {done} 辆）",
            f"At most {limit} visitors' cars a day per household ({done} today).",
        )
    holder = str(name or "").strip()
    if len(holder) > 50:
        raise Refused("姓名过长", "The name is too long.", errors={"name": _("At most 50 characters.")})
    permit = Permit(
        district_id=estate.district_id,
        parking_estate_id=estate.id,
        convention_id=convention.id,
        household_id=hid,
        holder_name=holder,
        plate=normalized,
        kind="visitor",
        status="issued",
        days=str(today.isoweekday()),
        start_minute=start,
        end_minute=min(start + hours * 60, 24 * 60),
        valid_from=today,
        valid_to=today,
        fee_fen=0,
        channel=channel if channel in ("online", "window") else "online",
        applied_by=user_id,
        applied_at=utcnow(),
        decided_by=user_id,
        decided_at=utcnow(),
    )
    try:
        async with session.begin_nested():
            session.add(permit)
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(f"{normalized} 已有有效的停车卡或访客登记", f"{normalized} already has a live card.") from exc
    return permit


async def permit_or_404(session: AsyncSession, permit_id: int) -> Permit:
    """The permit in the session's district, or 404."""
    from core.plugin_api import NotFound  # noqa: PLC0415

    permit = await session.get(Permit, permit_id)
    if permit is None or permit.district_id != session.info.get("district_id", permit.district_id):
        raise NotFound(_("Not found."))
    return permit


async def _step(session: AsyncSession, permit_id: int, action: str, user_id: int | None) -> Permit:
    permit = await permit_or_404(session, permit_id)
    estate = await lock_estate(session, permit.parking_estate_id)
    await session.refresh(permit)
    if permit.status not in TRANSITIONS[action]:
        raise Conflict(
            f"停车卡当前为“{status_label(permit.status)}”，不能{ACTION_ZH[action]}",
            f"A permit that is {permit.status} cannot be {action}d.",
        )
    freed = permit.status in ("applied", "approved", "issued", "suspended") and permit.space_id is None
    permit.decided_by, permit.decided_at = user_id, utcnow()
    if action == "approve":
        permit.status = "approved"
    elif action == "issue":
        estate.last_card_no += 1
        permit.card_no = f"P-{estate.last_card_no:04d}"
        today = utcnow().astimezone(TIMEZONE).date()
        permit.valid_from, permit.valid_to = today, today + timedelta(days=365)
        permit.status = "issued"
    elif action == "suspend":
        permit.status = "suspended"
    elif action == "reinstate":
        permit.status = "issued"
    else:
        permit.status = {"revoke": "revoked", "refuse": "refused", "expire": "expired"}[action]
        if freed:
            await session.flush()
            await _promote(session, estate)
    await session.flush()
    return permit


async def _promote(session: AsyncSession, estate: ParkingEstate) -> Permit | None:
    """Give a freed pool place to the first on the waiting list."""
    used, size = await pool(session, estate.id)
    if used >= size:
        return None
    first = (await waiting_list(session, estate.id))[:1]
    if not first:
        return None
    first[0].status = "applied"
    await session.flush()
    return first[0]


async def approve(session: AsyncSession, permit_id: int, user_id: int | None) -> Permit:
    """applied → approved (by the committee)."""
    return await _step(session, permit_id, "approve", user_id)


async def issue(session: AsyncSession, permit_id: int, user_id: int | None) -> Permit:
    """approved → issued: the next card number, valid a year from today."""
    return await _step(session, permit_id, "issue", user_id)


async def suspend(session: AsyncSession, permit_id: int, user_id: int | None) -> Permit:
    """issued → suspended (e.g. the third violation in 30 days)."""
    return await _step(session, permit_id, "suspend", user_id)


async def reinstate(session: AsyncSession, permit_id: int, user_id: int | None) -> Permit:
    """suspended → issued."""
    return await _step(session, permit_id, "reinstate", user_id)


async def revoke(session: AsyncSession, permit_id: int, user_id: int | None) -> Permit:
    """Any live permit → revoked; its pool place goes to the first waiting."""
    return await _step(session, permit_id, "revoke", user_id)


async def refuse(session: AsyncSession, permit_id: int, user_id: int | None) -> Permit:
    """An application (applied or waiting) → refused."""
    return await _step(session, permit_id, "refuse", user_id)


async def expire_due(session: AsyncSession, today: date) -> int:
    """Expire issued and suspended cards whose validity ended before ``today``; return how many."""
    query = select(Permit.id).where(Permit.status.in_(("issued", "suspended")), Permit.valid_to < today)
    ids = list((await session.execute(query)).scalars())
    for permit_id in ids:
        await _step(session, permit_id, "expire", None)
    return len(ids)


def _waiting_order() -> list[Any]:
    return [case((Permit.kind == "resident", 0), else_=1), Permit.applied_at, Permit.id]


async def waiting_list(session: AsyncSession, estate_id: int) -> list[Permit]:
    """The waiting list in order: first cars ahead of second cars, then by when they applied."""
    query = (
        select(Permit)
        .where(Permit.parking_estate_id == estate_id, Permit.status == "waiting")
        .order_by(*_waiting_order())
    )
    return list((await session.execute(query)).scalars())


async def permits(
    session: AsyncSession, estate_id: int, *, status: str | None = None, household_ids: list[int] | None = None
) -> list[Permit]:
    """The estate's permits, newest first (optionally of one state or of some households)."""
    query = select(Permit).where(Permit.parking_estate_id == estate_id)
    if status:
        query = query.where(Permit.status == status)
    if household_ids is not None:
        query = query.where(Permit.household_id.in_(household_ids or [0]))
    return list((await session.execute(query.order_by(Permit.applied_at.desc(), Permit.id.desc()))).scalars())


async def counts(session: AsyncSession, estate_id: int) -> dict[str, int]:
    """How many permits are in each state."""
    query = select(Permit.status, func.count()).where(Permit.parking_estate_id == estate_id).group_by(Permit.status)
    return {status: int(n) for status, n in (await session.execute(query)).tuples()}


async def whitelist_csv(session: AsyncSession, estate_id: int, today: date) -> str:
    """The barrier gate's whitelist: issued cards valid today, their plate, card number, days and hours."""
    query = (
        select(Permit)
        .where(
            Permit.parking_estate_id == estate_id,
            Permit.status == "issued",
            (Permit.valid_from.is_(None)) | (Permit.valid_from <= today),
            (Permit.valid_to.is_(None)) | (Permit.valid_to >= today),
        )
        .order_by(Permit.plate)
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["plate", "card_no", "type", "days", "from", "to", "valid_from", "valid_to"])
    for p in (await session.execute(query)).scalars():
        writer.writerow(
            [
                p.plate,
                p.card_no or "",
                p.kind,
                p.days,
                f"{p.start_minute // 60:02d}:{p.start_minute % 60:02d}",
                f"{p.end_minute // 60:02d}:{p.end_minute % 60:02d}",
                p.valid_from.isoformat() if p.valid_from else "",
                p.valid_to.isoformat() if p.valid_to else "",
            ]
        )
    return out.getvalue()
