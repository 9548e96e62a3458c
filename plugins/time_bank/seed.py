"""Demo data for ``sanshe demo``: 鼓楼街道时间银行 run by a social organization in 海曙区.

40 volunteers (the demo user ``volunteer`` and 39 more), 15 residents (``resident`` and
14 more), a staff member ``tb-staff`` (password ``sanshe-demo``), a year of services,
group activities, gifts to parents and redemptions (see :mod:`plugins.time_bank.seed_history`).
Idempotent: if the bank exists, nothing is added.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.plugin_api import (
    Membership,
    OrgUnit,
    User,
    bump_policy_version,
    demo_password_hash,
    organizations,
)
from plugins.time_bank import bank_settings, banks
from plugins.time_bank.models import Bank, CatalogueItem, Member, MemberStatus

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District

__all__ = ("BANK_NAME", "seed_time_bank")

BANK_NAME = "鼓楼街道时间银行"
ORGANIZATION = "鼓楼街道居家养老服务中心"  # in the core's demo registry: its verified services can be rated
CATEGORIES = bank_settings.STARTER_CATEGORIES
RULES = banks.BankRules(
    min_balance=0,
    max_balance=500 * 60,
    yearly_cap=200 * 60,
    expiry_months=36,
    gift_yearly_max=20 * 60,
    incentives=[
        {"key": "twenty_hours", "name": "服务达人", "threshold": 20 * 60, "bonus": 60, "period": "year"},
        {"key": "hundred_hours", "name": "百小时志愿之星", "threshold": 100 * 60, "bonus": 5 * 60, "period": "year"},
    ],
)
CATALOGUE = [
    ("上门理发", "haircut", 60),
    ("助餐送餐一周", "meals", 150),
    ("陪同就医半天", "escort", 240),
    ("家电小修", "visit", 90),
]
SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "玉兰",
    "海燕",
    "志强",
    "美华",
    "国庆",
    "雪梅",
    "晓东",
]


async def _user(session: AsyncSession, username: str, display: str, password_hash: str) -> User:
    user = (await session.execute(select(User).where(User.username == username))).scalar_one_or_none()
    if user is None:
        user = User(username=username, display_name=display, password_hash=password_hash)
        session.add(user)
        await session.flush()
    return user


async def _role(session: AsyncSession, district: District, user: User, role: str, unit_id: int | None) -> None:
    existing = (
        await session.execute(
            select(Membership.id).where(
                Membership.user_id == user.id, Membership.district_id == district.id, Membership.role_key == role
            )
        )
    ).first()
    if existing is None:
        session.add(Membership(user_id=user.id, district_id=district.id, role_key=role, org_unit_id=unit_id))


async def _member(session: AsyncSession, bank: Bank, user: User, rng: random.Random, **flags: bool) -> Member:
    keys = [c[0] for c in CATEGORIES]
    member = Member(
        district_id=bank.district_id,
        bank_id=bank.id,
        user_id=user.id,
        status=MemberStatus.APPROVED,
        skills=rng.sample(keys, 3),
        availability=rng.sample([f"{d}_{p}" for d in ("sat", "sun", "wed", "fri") for p in ("am", "pm")], 3),
        **flags,
    )
    session.add(member)
    await session.flush()
    await banks.account_of(session, bank, user.id)
    return member


async def seed_time_bank(session: AsyncSession, district: District) -> None:
    """Add the demo bank with its people and a year of history, unless it is there already."""
    if (await session.execute(select(Bank.id).where(Bank.name == BANK_NAME))).first():
        return
    rng = random.Random(2026)  # noqa: S311 - repeatable demo data, not secrets
    units = {u.code: u.id for u in (await session.execute(select(OrgUnit))).scalars()}
    communities = [units[c] for c in ("pingqiao", "mudan") if c in units]
    org = organizations.Organization
    named = select(org.id).where(org.district_id == district.id, org.name == ORGANIZATION)
    org_id = (await session.execute(named)).scalar_one_or_none()
    bank = await banks.create_bank(
        session,
        district_id=district.id,
        name=BANK_NAME,
        organization=ORGANIZATION,
        organization_id=org_id,
        categories=CATEGORIES,
        rules=RULES,
        org_unit_id=units.get("gulou"),
        description="依据《志愿服务激励办法》和《时间银行储蓄办法》：服务时长经服务对象或工作人员确认后存入，可兑换服务或转赠父母。",
    )
    for name, category, price in CATALOGUE:
        session.add(CatalogueItem(district_id=district.id, bank_id=bank.id, name=name, category=category, price=price))
    password = demo_password_hash()
    staff = await _user(session, "tb-staff", "时间银行专员 周敏", password)
    await _role(session, district, staff, "org_staff", None)
    await _member(session, bank, staff, rng, is_staff=True, is_volunteer=False)
    social = (await session.execute(select(User).where(User.username == "social"))).scalar_one_or_none()
    if social is not None:
        await _member(session, bank, social, rng, is_staff=True, is_volunteer=False)
    names = iter(f"{s}{g}" for g in GIVEN for s in SURNAMES)
    volunteers = []
    for i in range(40):
        user = (await session.execute(select(User).where(User.username == "volunteer"))).scalar_one_or_none()
        if i or user is None:
            user = await _user(session, f"tbv{i:02d}", f"志愿者 {next(names)}", password)
        await _role(session, district, user, "volunteer", rng.choice(communities) if communities else None)
        volunteers.append(await _member(session, bank, user, rng, is_volunteer=True))
    residents = []
    for i in range(15):
        user = (await session.execute(select(User).where(User.username == "resident"))).scalar_one_or_none()
        if i or user is None:
            user = await _user(
                session, f"tbr{i:02d}", f"居民 {next(names)}阿姨" if i % 2 else f"居民 {next(names)}大伯", password
            )
        await _role(session, district, user, "resident", None)
        residents.append(await _member(session, bank, user, rng, is_resident=True, is_volunteer=False))
    await bump_policy_version(session, district)
    from plugins.time_bank.seed_history import seed_history  # noqa: PLC0415

    await seed_history(
        session,
        district,
        bank,
        staff=staff,
        volunteers=volunteers,
        residents=residents,
        communities=communities,
        rng=rng,
    )
