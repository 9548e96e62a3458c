"""Demo patrols in 偃月小区: rounds with plate checks, violations at each step, a dispute in mediation.

- two ended rounds and one in progress today (``patroller``, 巡查员 张伟), a second patroller
  ``patroller-2`` (巡查员 王强) who witnesses;
- 浙B70000: a warning, corrected; 浙B70002: three violations in 30 days, its card suspended;
- 浙B70004: disputed and withdrawn by the residents' committee; 浙B70006: referred to the community committee;
- the demo ``resident``'s 浙B8K2M6: one violation disputed (in mediation), one open (a dispute button).

Idempotent: nothing is added when the estate already has patrol rounds. Takes well under a second.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.plugin_api import OrgUnit, User, utcnow
from plugins.parking import patrols, service
from plugins.parking.models import ParkingEstate
from plugins.parking.models_patrols import PatrolRound, PlateCheck
from plugins.parking.seed import _user

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District

__all__ = ("seed_patrols",)

PLACES = ("6 幢消防通道", "P-12 旁绿化带", "3 幢单元门口", "V-02 访客车位", "小区东门道闸口")


async def _login(session: AsyncSession, username: str) -> User | None:
    return (await session.execute(select(User).where(User.username == username))).scalar_one_or_none()


async def seed_patrols(session: AsyncSession, district: District) -> int:
    """Seed 偃月小区's patrols; return how many violations were recorded (0 when already there)."""
    yanyue = (
        await session.execute(select(OrgUnit).where(OrgUnit.code == "yanyue", OrgUnit.district_id == district.id))
    ).scalar_one_or_none()
    if yanyue is None:
        return 0
    estate = (
        await session.execute(select(ParkingEstate).where(ParkingEstate.estate_id == yanyue.id))
    ).scalar_one_or_none()
    patroller, resident, worker = (
        await _login(session, "patroller"),
        await _login(session, "resident"),
        await _login(session, "worker"),
    )
    if estate is None or patroller is None:
        return 0
    if (await session.execute(select(PatrolRound.id).where(PatrolRound.parking_estate_id == estate.id))).first():
        return 0
    now = utcnow()
    second = await _user(session, district, yanyue.parent_id or yanyue.id, "patroller-2", "巡查员 王强")
    start = (now - timedelta(days=400)).date()
    await service.add_member(session, estate, {"name": "王强", "role": "patroller", "term_from": start}, second.id)

    rounds: list[PatrolRound] = []
    for days, hours in ((21, 1.0), (9, 1.5), (2, 1.0)):
        began = now - timedelta(days=days, hours=3)
        rounds.append(
            PatrolRound(
                district_id=district.id,
                parking_estate_id=estate.id,
                patroller_id=patroller.id,
                patroller_name="张伟",
                started_at=began,
                ended_at=began + timedelta(hours=hours),
            )
        )
    today_round = PatrolRound(
        district_id=district.id,
        parking_estate_id=estate.id,
        patroller_id=patroller.id,
        patroller_name="张伟",
        started_at=now - timedelta(minutes=20),
    )
    session.add_all([*rounds, today_round])
    await session.flush()
    checks = [
        PlateCheck(
            district_id=district.id,
            round_id=r.id,
            parking_estate_id=estate.id,
            plate=f"浙B{70000 + 2 * n:05d}",
            place=f"P-{n + 1:02d}",
            checked_at=r.started_at + timedelta(minutes=3 * (n - 7)),
            result="ok",
        )
        for r in [*rounds, today_round]
        for n in range(8, 14)
    ]
    session.add_all(checks)

    def values(plate: str, days: float, place: int, note: str, round_: PatrolRound | None) -> dict[str, Any]:
        return {
            "plate": plate,
            "place": PLACES[place % len(PLACES)],
            "observed_at": now - timedelta(days=days),
            "description": note,
            "round_id": round_.id if round_ else None,
        }

    def _disputed(row: Any, reason: str) -> None:
        """The household disputed at the property window (no login): entered for them."""
        row.status, row.dispute_reason, row.disputed_at = "disputed", reason, now

    witnessed = patrols.Evidence(witness_id=second.id)
    mine = "/d/" + district.code + "/parking/violations/mine"

    async def report(plate: str, days: float, place: int, note: str, round_: PatrolRound | None = None) -> Any:
        return await patrols.report(
            session, estate.id, patroller.id, values(plate, days, place, note, round_), witnessed, link=mine
        )

    first = await report("浙B70000", 21, 0, "占用消防通道", rounds[0])
    await patrols.correct(session, first.id, patroller.id)
    for days, round_ in ((21, rounds[0]), (9, rounds[1]), (2, rounds[2])):
        await report("浙B70002", days, 1, "停在绿化带上", round_)
    withdrawn = await report("浙B70004", 9, 2, "堵住单元门口", rounds[1])
    _disputed(withdrawn, "当时在搬家，停车卸货十分钟")
    await patrols.decide(
        session, withdrawn.id, worker.id if worker else None, "withdrawn", "经调解：搬家卸货，情有可原"
    )
    referred = await report("浙B70006", 2, 3, "占用访客车位超过 2 小时", rounds[2])
    _disputed(referred, "访客车位当天无人使用")
    await patrols.decide(session, referred.id, worker.id if worker else None, "referred", "双方意见不一，提交社区两委")
    count = 7
    if resident is not None:
        disputed = await report("浙B8K2M6", 5, 4, "停在道闸口，影响车辆进出", rounds[1])
        reason = "道闸当时故障，保安让我临时停在旁边"
        if await patrols.is_owner(session, disputed, resident.id):
            await patrols.dispute(session, disputed.id, resident.id, reason)
        else:
            _disputed(disputed, reason)
        await report("浙B8K2M6", 0.01, 0, "占用消防通道", today_round)
        count += 2
    await session.flush()
    return count
