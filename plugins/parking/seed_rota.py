"""Demo patrol rota of 偃月小区: the past two weeks and the next two.

- Mon/Wed/Fri 19:00–21:00 on 1–6 幢及消防通道 (2 patrollers), Sat 09:00–11:00 on 7–12 幢及东门道闸 (1);
- the past shifts have a round linked (plate checks, one violation) except two, which show as missed;
- ahead: some shifts full, some with an open place, one given up by 王强 (the place open again).

Runs after :func:`seed_patrols` (its patrollers 张伟 ``patroller`` and 王强 ``patroller-2``).
Idempotent: nothing is added when the estate already has shifts. A handful of bulk statements.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.plugin_api import TIMEZONE, OrgUnit, User, utcnow
from plugins.parking import patrols
from plugins.parking.models import ParkingEstate
from plugins.parking.models_patrols import PatrolRound, PlateCheck
from plugins.parking.models_rota import PatrolShift, ShiftAssignment

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District

__all__ = ("seed_rota",)

EVENING = ((1, 3, 5), time(19), time(21), "1–6 幢及消防通道", 2)
MORNING = ((6,), time(9), time(11), "7–12 幢及东门道闸", 1)
MISSED = 2  # how many past shifts had no round


async def seed_rota(session: AsyncSession, district: District) -> int:
    """Seed 偃月小区's rota; return how many shifts were added (0 when already there)."""
    estate = (
        await session.execute(
            select(ParkingEstate)
            .join(OrgUnit, OrgUnit.id == ParkingEstate.estate_id)
            .where(OrgUnit.code == "yanyue", OrgUnit.district_id == district.id)
        )
    ).scalar_one_or_none()
    found = await session.execute(select(User).where(User.username.in_(("patroller", "patroller-2"))))
    users = {u.username: u for u in found.scalars()}
    if estate is None or len(users) < 2:
        return 0
    if (await session.execute(select(PatrolShift.id).where(PatrolShift.parking_estate_id == estate.id))).first():
        return 0
    zhang, wang = users["patroller"], users["patroller-2"]
    now = utcnow()
    today = now.astimezone(TIMEZONE).date()
    first = today - timedelta(days=14)
    shifts: list[PatrolShift] = []
    for offset in range(29):
        day: date = first + timedelta(days=offset)
        for weekdays, start, end, area, needed in (EVENING, MORNING):
            if day.isoweekday() in weekdays:
                shifts.append(
                    PatrolShift(
                        district_id=district.id,
                        parking_estate_id=estate.id,
                        starts_at=datetime.combine(day, start, TIMEZONE),
                        ends_at=datetime.combine(day, end, TIMEZONE),
                        area=area,
                        needed=needed,
                    )
                )
    session.add_all(shifts)
    await session.flush()

    past = [s for s in shifts if s.ends_at <= now]
    ahead = [s for s in shifts if s.starts_at > now]
    places: list[ShiftAssignment] = []

    def put(shift: PatrolShift, user: User, name: str, seat: int | None, gave_up: datetime | None = None) -> None:
        places.append(
            ShiftAssignment(
                district_id=district.id,
                shift_id=shift.id,
                parking_estate_id=estate.id,
                patroller_id=user.id,
                patroller_name=name,
                seat=seat,
                starts_at=shift.starts_at,
                ends_at=shift.ends_at,
                given_up_at=gave_up,
            )
        )

    for n, shift in enumerate(shifts):
        if shift.needed == 1:
            put(shift, zhang if n % 2 else wang, "张伟" if n % 2 else "王强", 1)
            continue
        put(shift, zhang, "张伟", 1)
        if shift in ahead and n % 3 == 0:
            continue  # an open place ahead
        put(shift, wang, "王强", 2)
    given_up = next(
        (s for s in ahead if s.needed == 2 and any(p.shift_id == s.id and p.seat == 2 for p in places)), None
    )
    if given_up is not None:
        mine = next(p for p in places if p.shift_id == given_up.id and p.seat == 2)
        mine.seat, mine.given_up_at = None, now - timedelta(hours=5)
    session.add_all(places)

    missed = {past[i].id for i in (len(past) // 3, 2 * len(past) // 3)[:MISSED]} if len(past) > 2 else set()
    walked = [s for s in past if s.id not in missed]
    rounds = [
        PatrolRound(
            district_id=district.id,
            parking_estate_id=estate.id,
            patroller_id=zhang.id,
            patroller_name="张伟",
            started_at=s.starts_at + timedelta(minutes=5),
            ended_at=s.ends_at - timedelta(minutes=10),
            shift_id=s.id,
        )
        for s in walked
    ]
    session.add_all(rounds)
    await session.flush()
    session.add_all(
        PlateCheck(
            district_id=district.id,
            round_id=r.id,
            parking_estate_id=estate.id,
            plate=f"浙B{71000 + 2 * k:05d}",
            place=f"P-{20 + k:02d}",
            checked_at=r.started_at + timedelta(minutes=8 * (k + 1)),
            result="ok",
        )
        for r in rounds
        for k in range(3)
    )
    if rounds:
        latest = rounds[-1]
        await patrols.report(
            session,
            estate.id,
            zhang.id,
            {
                "plate": "浙B71090",
                "place": "6 幢消防通道",
                "observed_at": latest.started_at + timedelta(minutes=30),
                "description": "占用消防通道",
                "round_id": latest.id,
            },
            patrols.Evidence(witness_id=wang.id),
            link=f"/d/{district.code}/parking/violations/mine",
        )
    await session.flush()
    return len(shifts)
