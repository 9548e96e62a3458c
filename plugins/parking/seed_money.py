"""Demo data of the parking fund: 东大街西里 with 12 months of published statements.

A resident group runs the estate's parking and publishes every payment and expense: 24
households hold a card at 600 yuan a year, two cards' fees come in each month; the
keeper's allowance (1,440 yuan, above the 500-yuan threshold: the chair and the treasurer
both approve) is paid each quarter, the lines were repainted in the fourth month and the
gate repaired in the eighth. The 12
months before this one are published; this month has its fees in, one expense waiting
for approval and one approved and waiting to be paid.

Receipts of the demo are generated (``demo/…`` storage keys: a one-page PDF saying what it
is), so seeding writes no files; real receipts go through the core's storage.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select

from core.plugin_api import OrgUnit, OrgUnitKind, User, residents, utcnow
from plugins.parking import money, service
from plugins.parking.models import Convention, ParkingEstate, Permit
from plugins.parking.seed import DEMO_USERS

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District

__all__ = ("demo_receipt", "seed_dongdajie", "seed_money")

CARDS = 24
CARD_FEE_FEN = 60000  # a year
OWNERS = "王建华 李秀英 张国强 刘桂芳 陈志明 杨丽娟 赵德胜 黄美玲 周永康 吴淑珍 徐海涛 孙玉兰"


class _Stored:
    def __init__(self, key: str) -> None:
        self.key, self.sha256 = key, ""


def demo_receipt(title: str, amount_fen: int) -> bytes:
    """A one-page PDF standing in for a demo receipt (ASCII text, valid cross-reference table)."""
    text = f"Demo receipt - {amount_fen // 100}.{amount_fen % 100:02d} yuan".encode()
    del title
    stream = b"BT /F1 14 Tf 60 760 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _months_back(today: date, n: int) -> date:
    month = money.month_of(today)
    for _ in range(n):
        month = money.previous_month(month)
    return month


async def seed_money(session: AsyncSession, district: District) -> None:
    """After :func:`~plugins.parking.seed.seed_parking`: 东大街西里 next to 偃月小区, run by the same demo committee."""
    yanyue = (
        await session.execute(select(OrgUnit).where(OrgUnit.code == "yanyue", OrgUnit.district_id == district.id))
    ).scalar_one_or_none()
    if yanyue is None:
        return
    found = {
        u.username: u
        for u in (
            await session.execute(select(User).where(User.username.in_([n for n, _d, _r in DEMO_USERS])))
        ).scalars()
    }
    users = {role: found[name] for name, _d, role in DEMO_USERS if name in found}
    if len(users) < len(DEMO_USERS):
        return
    await seed_dongdajie(session, district, yanyue.parent_id, users, money.today())


async def seed_dongdajie(
    session: AsyncSession, district: District, parent_id: int | None, users: dict[str, User], today: date
) -> None:
    """东大街西里 under parking self-governance with its fund; idempotent (nothing when it is there)."""
    if (
        await session.execute(
            select(OrgUnit.id).where(OrgUnit.code == "dongdajiexili", OrgUnit.district_id == district.id)
        )
    ).first():
        return
    unit = OrgUnit(
        district_id=district.id,
        code="dongdajiexili",
        name_zh="东大街西里",
        name_en="Dongdajie Xili",
        kind=OrgUnitKind.ESTATE,
        parent_id=parent_id,
    )
    session.add(unit)
    await session.flush()
    estate: ParkingEstate = await service.create_estate(session, district.id, unit.id)
    estate.note = "1,400 户，97% 的住户入户表决同意；居民小组分配车位、收取费用，每笔收支按月公示。"
    first = _months_back(today, 12)
    for role, user in users.items():
        await service.add_member(
            session, estate, {"name": user.display_name.split()[-1], "role": role, "term_from": first}, user.id
        )
    await money.ensure_fund(session, estate, first_month=first)
    owners = OWNERS.split()
    rows = [
        residents.NewHousehold(
            str(n // 12 + 1),
            "1",
            f"{n % 12 + 1:02d}01",
            "86.00",
            owners[n % 12],
            f"1390574{n:04d}",
            (f"京A{61000 + n}",),
        )
        for n in range(CARDS)
    ]
    households = await residents.register_households(session, district.id, unit.id, rows)
    convention = Convention(
        district_id=district.id,
        parking_estate_id=estate.id,
        version=1,
        title="东大街西里停车公约",
        body="经 97% 的住户入户表决同意：车位由居民小组分配，每张停车卡每年 600 元，收支每月公示。",
        fees={"first_car_fen": CARD_FEE_FEN, "second_car_fen": CARD_FEE_FEN, "visitor_free_hours": 2},
        rules={"cards_per_household": 1},
        status="adopted",
        adopted_at=utcnow(),
    )
    session.add(convention)
    await session.flush()
    base = {"district_id": district.id, "parking_estate_id": estate.id, "convention_id": convention.id}
    await session.execute(
        insert(Permit),
        [
            {
                **base,
                "household_id": household,
                "plate": row.plates[0],
                "kind": "resident",
                "status": "issued",
                "card_no": f"D-{n + 1:04d}",
                "valid_from": first,
                "valid_to": date(today.year + 1, 12, 31),
                "fee_fen": CARD_FEE_FEN,
                "channel": "window",
            }
            for n, (household, row) in enumerate(zip(households, rows, strict=True))
        ],
    )
    estate.last_card_no = CARDS
    cards = list(
        (
            await session.execute(
                select(Permit.id).where(Permit.parking_estate_id == estate.id).order_by(Permit.card_no)
            )
        ).scalars()
    )
    chair, treasurer, patroller = users["chair"].id, users["treasurer"].id, users["patroller"].id
    name = "东大街西里"

    async def expense(
        title: str, category: str, fen: int, day: date, *, paid: bool, approvers: tuple[int, ...]
    ) -> None:
        data = {"title": title, "category": category, "amount_yuan": f"{fen // 100}.{fen % 100:02d}"}
        body = demo_receipt(title, fen)
        key = f"demo/parking-receipt-{estate.id}-{day.isoformat()}-{category}"

        async def store(_: bytes) -> Any:
            return _Stored(key)

        row = await money.request_expense(session, estate, data, ("receipt.pdf", body), store, by=patroller, on=day)
        for by in approvers:
            await money.approve(session, row, estate, by=by, on=day)
        if paid:
            await money.pay(session, row, estate, by=treasurer, on=day)

    month = first
    current = money.month_of(today)
    n = 0
    while month <= current:
        this = month == current
        for k in range(2):
            day = month.replace(day=5 + k) if not this else min(today, month.replace(day=5 + k))
            await money.record_income(
                session,
                estate,
                {"source": "permit", "permit_id": cards[(2 * n + k) % CARDS], "period": month.strftime("%Y-%m")},
                by=treasurer,
                on=day,
            )
        if not this:
            if n % 3 == 2:  # the keeper's allowance, every quarter
                keeper = month.replace(day=25)
                await expense("看门人季度补贴", "keeper", 144000, keeper, paid=True, approvers=(chair, treasurer))
            if n == 3:
                await expense("重划车位线", "paint", 38000, month.replace(day=12), paid=True, approvers=(chair,))
            if n == 7:
                await expense(
                    "道闸电机维修", "gate", 260000, month.replace(day=18), paid=True, approvers=(chair, treasurer)
                )
            await money.publish(session, estate, month, by=treasurer, estate_name=name, on=money.next_month(month))
        else:
            day = today
            await expense("道闸遥控器更换", "gate", 45000, day, paid=False, approvers=(chair,))
            await expense("冬季看门人加班费", "keeper", 60000, day, paid=False, approvers=())
        month = money.next_month(month)
        n += 1
