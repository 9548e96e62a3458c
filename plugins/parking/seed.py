"""Demo data for ``sanshe demo`` (海曙区): 偃月小区 under parking self-governance.

461 households in the residents registry (the core's demo households plus generated
ones, no logins), 120 cars, 60 spaces (50 in the shared pool), the committee, the
convention adopted by the owners' vote (door-to-door ballots entered by the chair,
through ``core.votes``), 50 first cars issued and 10 second cars on the waiting list.
The core demo's ``resident`` (刘洋, 3-1-501, 浙B8K2M6) has no card yet: the tour applies.

Demo logins (password ``sanshe-demo``): ``parking-chair`` (主任), ``parking-treasurer``
(财务), ``patroller`` (巡查员) — residents of 平桥社区 on the estate's committee.
Idempotent: nothing is added when 偃月小区 is already under parking self-governance.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import insert, select

from core.plugin_api import (
    TIMEZONE,
    Membership,
    OrgUnit,
    OrgUnitKind,
    User,
    demo_password_hash,
    residents,
    utcnow,
)
from plugins.parking import conventions, service, tidal
from plugins.parking.models import ParkingEstate, Permit, Space, TidalAgreement

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District

__all__ = ("DEMO_USERS", "HOUSEHOLDS", "seed_parking")

HOUSEHOLDS = 461
POOL = 50
DEMO_USERS = (
    ("parking-chair", "停车自管会主任 李国华", "chair"),
    ("parking-treasurer", "停车自管会财务 陈丽", "treasurer"),
    ("patroller", "巡查员 张伟", "patroller"),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国玉兰文辉鹏飞红梅志宏海燕春雪"
CONVENTION = """第一条 本公约依据《民法典》第二百七十八条，经业主共同表决通过。
第二条 小区共有车位 60 个，其中共享车位 50 个、无障碍车位 4 个、访客车位 6 个。
第三条 每户第一辆车免费办理停车卡；第二辆车每年 50 元，车位池满时按申请先后候补。
第四条 访客车辆可免费停放 2 小时，由业主登记。
第五条 违规停放的车辆，巡查员记录并通知车主；30 天内第三次违规的，暂停停车卡。
第六条 停车费收支每月向全体居民公开。"""


async def _user(session: AsyncSession, district: District, unit_id: int, username: str, display: str) -> User:
    user = (await session.execute(select(User).where(User.username == username))).scalar_one_or_none()
    if user is None:
        user = User(username=username, display_name=display, password_hash=demo_password_hash())
        session.add(user)
        await session.flush()
        session.add(Membership(user_id=user.id, district_id=district.id, role_key="resident", org_unit_id=unit_id))
        await session.flush()
    return user


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))


async def seed_parking(session: AsyncSession, district: District) -> int:
    """Seed 偃月小区's parking self-governance; return how many households were added (0 when already there)."""
    yanyue = (
        await session.execute(select(OrgUnit).where(OrgUnit.code == "yanyue", OrgUnit.district_id == district.id))
    ).scalar_one_or_none()
    if yanyue is None:
        return 0
    if (await session.execute(select(ParkingEstate.id).where(ParkingEstate.estate_id == yanyue.id))).first():
        return 0
    rng = random.Random(461)  # noqa: S311 - repeatable demo data, not secrets
    today = utcnow().astimezone(TIMEZONE).date()
    users = {role: await _user(session, district, yanyue.parent_id or yanyue.id, u, d) for u, d, role in DEMO_USERS}

    existing = len(await residents.estate_owners(session, yanyue.id))
    rows, used_names = [], set()
    for i in range(HOUSEHOLDS - existing):
        building, rest = divmod(i, 24)
        unit, room = divmod(rest, 12)
        name = _name(rng)
        while name in used_names:
            name = _name(rng)
        used_names.add(name)
        cars = 2 if i < 16 else 1 if i < 101 else 0
        plates = tuple(f"浙B{70000 + i * 2 + k:05d}" for k in range(cars))
        area = f"{rng.randint(4800, 13200) / 100:.2f}"
        rows.append(
            residents.NewHousehold(
                str(building + 6), str(unit + 1), f"{room // 2 + 1}0{room % 2 + 1}", area, name, "", plates
            )
        )
    ids = await residents.register_households(session, district.id, yanyue.id, rows)

    estate = await service.create_estate(session, district.id, yanyue.id)
    estate.note = "2019 年两次开放空间会议后成立停车自管委员会，自建道闸，自发停车卡，居民轮流巡查。"
    layout = [("P", "pool", POOL), ("A", "accessible", 4), ("V", "visitor", 6)]
    await session.execute(
        insert(Space),
        [
            {"district_id": district.id, "parking_estate_id": estate.id, "code": f"{prefix}-{n:02d}", "kind": kind}
            for prefix, kind, count in layout
            for n in range(1, count + 1)
        ],
    )
    start = date(today.year - 1, 1, 1)
    for role, user in users.items():
        await service.add_member(
            session, estate, {"name": user.display_name.split()[-1], "role": role, "term_from": start}, user.id
        )
    for name in ("黄志明", "徐秀兰"):
        await service.add_member(session, estate, {"name": name, "role": "member", "term_from": start})

    convention = await conventions.create_convention(
        session,
        estate,
        {"title": "偃月小区停车公约", "body": CONVENTION, "first_car_yuan": "0", "second_car_yuan": "50"},
        users["chair"].id,
    )
    await conventions.put_to_vote(session, convention, user_id=users["chair"].id)
    # 330 of 461 households (about 72 %) answered door to door; 290 agreed.
    stack = [(h, "for" if n < 290 else "against" if n < 318 else "abstain") for n, h in enumerate(ids[:330])]
    await conventions.enter_stack(session, convention, stack, channel="door_to_door", entered_by=users["chair"].id)
    await conventions.close(session, convention)

    # First cars of the households with cars: 50 issued (the pool is full); 10 second cars wait. A first car
    # applying now goes ahead of every second car on the waiting list.
    with_cars = [(hid, row) for hid, row in zip(ids, rows, strict=True) if row.plates]
    issued_at = utcnow() - timedelta(days=60)
    base = {"district_id": district.id, "parking_estate_id": estate.id, "convention_id": convention.id}
    cards = [
        {
            **base,
            "household_id": hid,
            "plate": row.plates[0],
            "kind": "resident",
            "status": "issued",
            "card_no": f"P-{n:04d}",
            "valid_from": today - timedelta(days=60),
            "valid_to": today + timedelta(days=305),
            "fee_fen": 0,
            "channel": "window",
            "applied_by": users["chair"].id,
            "applied_at": issued_at,
            "decided_by": users["chair"].id,
            "decided_at": issued_at,
        }
        for n, (hid, row) in enumerate(with_cars[:POOL], start=1)
    ]
    seconds = [(h, r) for h, r in with_cars[:POOL] if len(r.plates) > 1][:10]
    cards += [
        {
            **base,
            "household_id": hid,
            "plate": row.plates[1],
            "kind": "second_car",
            "status": "waiting",
            "fee_fen": 5000,
            "channel": "online",
            "applied_at": issued_at + timedelta(days=n + 2),
        }
        for n, (hid, row) in enumerate(seconds)
    ]
    await session.execute(insert(Permit), cards)
    estate.last_card_no = POOL
    await session.flush()
    await _tangqiao(session, district, yanyue.parent_id, today)
    return len(ids)


# 塘桥's tidal sharing: 30 agreements with offices and companies, 1,700 extra spaces in all.
PARTNERS = ("光大厦", "塘桥大厦", "浦东商务楼", "金融服务中心", "科技园一期", "卫生服务中心")


async def _tangqiao(session: AsyncSession, district: District, parent_id: int | None, today: date) -> None:
    """塘桥小区 (an estate of the demo) with 5 tidal spaces, 30 signed agreements (1,700 spaces), two allocations."""
    unit = OrgUnit(
        district_id=district.id,
        code="tangqiao",
        name_zh="塘桥小区",
        name_en="Tangqiao Estate",
        kind=OrgUnitKind.ESTATE,
        parent_id=parent_id,
    )
    session.add(unit)
    await session.flush()
    estate = await service.create_estate(session, district.id, unit.id)
    await session.execute(
        insert(Space),
        [
            {"district_id": district.id, "parking_estate_id": estate.id, "code": f"T-{n:02d}", "kind": "tidal"}
            for n in range(1, 6)
        ],
    )
    term_from, term_to = date(today.year, 1, 1), date(today.year + 1, 12, 31)
    counts = [57] * 20 + [56] * 10  # 1,140 + 560 = 1,700
    await session.execute(
        insert(TidalAgreement),
        [
            {
                "district_id": district.id,
                "parking_estate_id": estate.id,
                "partner": f"{PARTNERS[n % len(PARTNERS)]}（{n // len(PARTNERS) + 1} 号点）",
                "space_count": count,
                "days": "12345",
                "start_minute": 510,
                "end_minute": 1020,
                "price_fen": 30000,
                "term_from": term_from,
                "term_to": term_to,
                "signatories": "塘桥社区居委会；合作单位负责人",
                "status": "signed",
                "signed_at": utcnow(),
            }
            for n, count in enumerate(counts)
        ],
    )
    first_space = (await service.spaces(session, estate.id))[0]
    for holder, days, start, end in (
        ("光大厦（1 号点）", "12345", "08:30", "17:00"),
        ("塘桥小区居民", "1234567", "17:00", "08:30"),
    ):
        await tidal.allocate(
            session,
            estate.id,
            {
                "space_id": first_space.id,
                "holder": holder,
                "days": days,
                "start": start,
                "end": end,
                "valid_from": term_from,
                "valid_to": term_to,
            },
        )
