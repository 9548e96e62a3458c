"""Lists the pages and the API show: my services and needs, open needs ranked for me, staff queues, matching.

Matching scores a volunteer against a need: the category among their skills or offers
(3), the need's community among their areas (2), the wanted weekday and part of day in
their availability (1). Ties go to the volunteer with fewer hours served this year, so
work is spread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select

from core.plugin_api import Case, User
from plugins.time_bank.models import Member, MemberStatus, Offer, Service

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = (
    "ACTIVE_STATES",
    "Row",
    "bank_queue",
    "my_needs",
    "my_services",
    "open_needs_for",
    "slot_of",
    "suggest_volunteers",
)

ACTIVE_STATES = ("matched", "in_service", "completed", "verified", "disputed")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass
class Row:
    """A service with its case, as lists show it."""

    service: Service
    case: Case
    score: int = 0


def slot_of(data: dict[str, Any]) -> str | None:
    """``"sat_am"`` for a need wanted on a Saturday morning; ``None`` without a date."""
    wanted = data.get("wanted_on")
    if not isinstance(wanted, str) or not wanted:
        return None
    try:
        day = WEEKDAYS[date.fromisoformat(wanted).weekday()]
    except ValueError:
        return None
    start = str((data.get("wanted_time") or {}).get("start") or "09:00")
    hour = int(start.split(":", maxsplit=1)[0]) if start[:2].isdigit() else 9
    part = "am" if hour < 12 else "pm" if hour < 18 else "eve"
    return f"{day}_{part}"


def score(member: Member, offers: list[Offer], service: Service, case: Case) -> int:
    """How well a volunteer fits a need (see the module's docstring)."""
    points = 0
    if service.category in set(member.skills or []) | {o.category for o in offers}:
        points += 3
    areas = set(member.areas or []) | {o.area_id for o in offers if o.area_id}
    if service.area_id and service.area_id in areas:
        points += 2
    slot = slot_of(case.data)
    if slot and slot in set(member.availability or []) | {s for o in offers for s in (o.availability or [])}:
        points += 1
    return points


async def _rows(session: AsyncSession, *conditions: Any, limit: int = 50) -> list[Row]:
    query = (
        select(Service, Case)
        .join(Case, Case.id == Service.case_id)
        .where(*conditions)
        .order_by(Case.created_at.desc(), Case.id.desc())
        .limit(limit)
    )
    return [Row(s, c) for s, c in (await session.execute(query)).all()]


async def my_services(session: AsyncSession, user_id: int) -> list[Row]:
    """Services the user is the volunteer of and that are not finished."""
    return await _rows(session, Service.volunteer_user_id == user_id, Case.state.in_(ACTIVE_STATES))


async def my_needs(session: AsyncSession, user_id: int, *, limit: int = 20) -> list[Row]:
    """Needs the user receives or posted, newest first."""
    return await _rows(session, or_(Service.served_user_id == user_id, Case.created_by_id == user_id), limit=limit)


async def bank_queue(session: AsyncSession, bank_id: int, states: tuple[str, ...], *, limit: int = 100) -> list[Row]:
    """A bank's services in ``states`` (the staff's queues)."""
    return await _rows(session, Service.bank_id == bank_id, Case.state.in_(states), limit=limit)


async def _offers(session: AsyncSession, user_ids: list[int]) -> dict[int, list[Offer]]:
    found: dict[int, list[Offer]] = {}
    if user_ids:
        query = select(Offer).where(Offer.user_id.in_(user_ids), Offer.active.is_(True))
        for offer in (await session.execute(query)).scalars():
            found.setdefault(offer.user_id, []).append(offer)
    return found


async def open_needs_for(session: AsyncSession, user_id: int, *, limit: int = 20) -> list[Row]:
    """Posted needs of the banks the user volunteers in, best match first (never their own)."""
    members = {
        m.bank_id: m
        for m in (
            await session.execute(
                select(Member).where(
                    Member.user_id == user_id, Member.status == MemberStatus.APPROVED, Member.is_volunteer.is_(True)
                )
            )
        ).scalars()
    }
    if not members:
        return []
    rows = await _rows(
        session, Service.bank_id.in_(members), Case.state == "posted", Service.served_user_id != user_id, limit=200
    )
    offers = (await _offers(session, [user_id])).get(user_id, [])
    for row in rows:
        row.score = score(members[row.service.bank_id], offers, row.service, row.case)
    rows.sort(key=lambda r: (-r.score, r.service.wanted_on or date.max))
    return rows[:limit]


async def suggest_volunteers(session: AsyncSession, row: Row, *, limit: int = 5) -> list[tuple[User, int]]:
    """The bank's volunteers that fit a need best, with their score."""
    query = (
        select(Member, User)
        .join(User, User.id == Member.user_id)
        .where(
            Member.bank_id == row.service.bank_id,
            Member.status == MemberStatus.APPROVED,
            Member.is_volunteer.is_(True),
            Member.user_id != row.service.served_user_id,
        )
    )
    candidates = list((await session.execute(query)).all())
    offers = await _offers(session, [m.user_id for m, _ in candidates])
    scored = [(user, score(m, offers.get(m.user_id, []), row.service, row.case)) for m, user in candidates]
    scored.sort(key=lambda pair: (-pair[1], pair[0].label))
    return scored[:limit]
