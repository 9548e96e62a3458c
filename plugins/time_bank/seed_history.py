"""A year of the demo bank: credited services, group activities, gifts, redemptions, and work in progress.

Past services are written as finished ``time_bank_service`` cases with their credit (the
same idempotency key the workflow uses), so statements, the dashboard and the case queue
all show a realistic year; a handful of needs are left open in every state the staff work.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.plugin_api import TIMEZONE, Case, CaseTypeVersion, append_event, ledger, next_reference
from plugins.time_bank import accounts, activities, banks, needs
from plugins.time_bank.manifest import CASE_TYPE
from plugins.time_bank.models import Bank, CatalogueItem, FamilyLink, Member, Service, Signup

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District, User

__all__ = ("seed_history",)

NEEDS = {
    "chat": ["陪{who}聊聊家常", "陪{who}下象棋", "给{who}读报"],
    "visit": ["上门探望独居的{who}", "节日探访{who}", "帮{who}检查燃气和电线"],
    "meals": ["给{who}送午餐", "陪{who}去老年食堂"],
    "shopping": ["帮{who}买菜", "帮{who}去药店配药", "代{who}缴水电费"],
    "patrol": ["{who}家所在楼道消防巡查"],
    "haircut": ["上门给{who}理发"],
    "escort": ["陪{who}去第二医院复诊", "陪{who}去社区卫生服务中心体检"],
}
WEIGHTS = {"chat": 30, "visit": 20, "meals": 15, "shopping": 15, "patrol": 5, "haircut": 7, "escort": 8}
MINUTES = [30, 60, 60, 60, 90, 90, 120, 120, 150, 180]
ACTIVITIES = [
    ("夜间安全巡查", "patrol", 120),
    ("垃圾分类督导", "patrol", 90),
    ("重阳节敬老活动", "visit", 180),
    ("社区义剪", "haircut", 120),
    ("老年食堂助餐", "meals", 120),
]


async def _case(
    session: AsyncSession,
    district: District,
    version: CaseTypeVersion,
    *,
    title: str,
    state: str,
    data: dict[str, Any],
    created_by: int,
    when: datetime,
) -> Case:
    reference = await next_reference(session, district, when)
    closed = state in {"credited", "cancelled"}
    case = Case(
        district_id=district.id,
        case_type_key=CASE_TYPE,
        case_type_version_id=version.id,
        reference=reference,
        title=title,
        state=state,
        is_open=not closed,
        data=data,
        channel=random.Random(reference).choice(["web", "mobile", "phone"]),  # noqa: S311 - demo data
        created_by_id=created_by,
        updated_by_id=created_by,
        created_at=when,
        updated_at=when,
        closed_at=when + timedelta(days=2) if closed else None,
        search_text=f"{reference} {title}".lower(),
    )
    session.add(case)
    await session.flush()
    await append_event(
        session,
        case,
        "created",
        created_by,
        {"title": title, "state": state, "data": data, "channel": case.channel, "demo": True},
    )
    return case


async def seed_history(
    session: AsyncSession,
    district: District,
    bank: Bank,
    *,
    staff: User,
    volunteers: list[Member],
    residents: list[Member],
    communities: list[int],
    rng: random.Random,
) -> None:
    version = (
        (
            await session.execute(
                select(CaseTypeVersion).where(CaseTypeVersion.key == CASE_TYPE).order_by(CaseTypeVersion.version.desc())
            )
        )
        .scalars()
        .first()
    )
    if version is None:
        return
    names = {u.id: u.display_name for u in await _users(session, [m.user_id for m in [*volunteers, *residents]])}
    pool = await banks.pool_account(session, bank)
    today = datetime.now(TIMEZONE).date()
    keys, weights = list(WEIGHTS), list(WEIGHTS.values())
    # The demo ``volunteer`` (first) starts at zero, so the first 1.5 hours they serve show as 1 小时 30 分钟;
    # a dozen volunteers have not served for months: the dashboard shows them inactive.
    others = volunteers[1:]
    active = others[:28]
    for day_back in range(360, 2, -1):
        for _ in range(rng.choice([0, 0, 1, 1, 1, 2])):
            served_on = today - timedelta(days=day_back)
            await _past_service(
                session,
                district,
                version,
                bank,
                pool.id,
                rng,
                names,
                served_on=served_on,
                volunteer=rng.choice(active if day_back < 120 else others),
                resident=rng.choice(residents),
                category=rng.choices(keys, weights)[0],
                area=rng.choice(communities) if communities else None,
            )
    await _open_work(
        session, district, version, bank, staff=staff, volunteers=volunteers, residents=residents, rng=rng, names=names
    )
    await _activities(session, bank, staff, active, rng, today)
    await _family(session, district, bank, staff, volunteers, residents, rng)
    for member in volunteers:
        await accounts.apply_incentives(session, bank, member.user_id, datetime.now(UTC), by=staff.id)


async def _users(session: AsyncSession, ids: list[int]) -> list[User]:
    from core.plugin_api import User  # noqa: PLC0415

    return list((await session.execute(select(User).where(User.id.in_(ids)))).scalars())


def _title(category: str, resident: str, rng: random.Random) -> str:
    who = resident.replace("居民 ", "")
    return rng.choice(NEEDS[category]).format(who=who)


async def _past_service(
    session: AsyncSession,
    district: District,
    version: CaseTypeVersion,
    bank: Bank,
    pool_id: int,
    rng: random.Random,
    names: dict[int, str],
    *,
    served_on: date,
    volunteer: Member,
    resident: Member,
    category: str,
    area: int | None,
) -> None:
    minutes = rng.choice(MINUTES)
    title = _title(category, names[resident.user_id], rng)
    data = {
        "bank_id": bank.id,
        "category": category,
        "description": title,
        "served_user": resident.user_id,
        "volunteer": volunteer.user_id,
        "served_on": served_on.isoformat(),
        "minutes": minutes,
        "wanted_on": served_on.isoformat(),
    }
    if area:
        data["area"] = area
    when = datetime.combine(served_on - timedelta(days=rng.randint(1, 5)), time(9), tzinfo=TIMEZONE)
    case = await _case(
        session, district, version, title=title, state="credited", data=data, created_by=resident.user_id, when=when
    )
    rate = {"haircut": 150, "escort": 150}.get(category, 100)
    amount = banks.credit_amount(minutes, rate)
    account = await banks.account_of(session, bank, volunteer.user_id)
    transfer = await ledger.move(
        session,
        district_id=district.id,
        from_account=pool_id,
        to_account=account.id,
        amount=amount,
        reason=f"{title}"[:500],
        category=category,
        link=f"case:{case.reference}",
        idempotency_key=needs.earn_key(case.reference),
        created_by_id=resident.user_id,
        effective_at=datetime.combine(served_on, time(12), tzinfo=TIMEZONE),
    )
    session.add(
        Service(
            district_id=district.id,
            case_id=case.id,
            bank_id=bank.id,
            category=category,
            area_id=area,
            served_user_id=resident.user_id,
            volunteer_user_id=volunteer.user_id,
            wanted_on=served_on,
            served_on=served_on,
            minutes=minutes,
            credited_minutes=amount,
            transfer_id=transfer.id,
            created_at=when,
        )
    )


async def _open_work(
    session: AsyncSession,
    district: District,
    version: CaseTypeVersion,
    bank: Bank,
    *,
    staff: User,
    volunteers: list[Member],
    residents: list[Member],
    rng: random.Random,
    names: dict[int, str],
) -> None:
    """Needs waiting in every queue: to match, matched, to verify, disputed."""
    today = datetime.now(TIMEZONE).date()
    plan = [("posted", 5), ("matched", 3), ("completed", 3), ("disputed", 1)]
    for state, count in plan:
        for _ in range(count):
            category = rng.choices(list(WEIGHTS), list(WEIGHTS.values()))[0]
            resident = rng.choice(residents[1:])  # the demo ``resident`` starts with a clean page
            volunteer = rng.choice(volunteers[1:])
            title = _title(category, names[resident.user_id], rng)
            wanted = (
                today + timedelta(days=rng.randint(1, 10))
                if state in {"posted", "matched"}
                else today - timedelta(days=2)
            )
            data: dict[str, Any] = {
                "bank_id": bank.id,
                "category": category,
                "description": title,
                "served_user": resident.user_id,
                "wanted_on": wanted.isoformat(),
            }
            minutes = None
            if state != "posted":
                data["volunteer"] = volunteer.user_id
            if state in {"completed", "disputed"}:
                minutes = rng.choice(MINUTES)
                data |= {"served_on": wanted.isoformat(), "minutes": minutes}
            when = datetime.now(TIMEZONE) - timedelta(days=rng.randint(1, 4))
            case = await _case(
                session,
                district,
                version,
                title=title,
                state=state,
                data=data,
                created_by=staff.id if rng.random() < 0.3 else resident.user_id,
                when=when,
            )
            session.add(
                Service(
                    district_id=district.id,
                    case_id=case.id,
                    bank_id=bank.id,
                    category=category,
                    served_user_id=resident.user_id,
                    volunteer_user_id=data.get("volunteer"),
                    wanted_on=wanted,
                    served_on=wanted if minutes else None,
                    minutes=minutes,
                    created_at=when,
                )
            )


async def _activities(
    session: AsyncSession, bank: Bank, staff: User, volunteers: list[Member], rng: random.Random, today: date
) -> None:
    for month_back in range(11, -1, -1):
        for title, category, minutes in rng.sample(ACTIVITIES, 2):
            day = today - timedelta(days=month_back * 30 + rng.randint(3, 20))
            activity = await activities.create_activity(
                session,
                bank,
                title=title,
                category=category,
                minutes=minutes,
                capacity=12,
                by=staff.id,
                starts_at=datetime.combine(day, time(18 if category == "patrol" else 9), tzinfo=TIMEZONE),
                place=rng.choice(["平桥社区党群服务中心", "牡丹社区广场", "偃月小区"]),
            )
            for member in rng.sample(volunteers, rng.randint(6, 10)):
                session.add(
                    Signup(
                        district_id=bank.district_id,
                        activity_id=activity.id,
                        user_id=member.user_id,
                        attended_at=activity.starts_at,
                        checkin_method=rng.choice(["qr", "qr", "staff"]),
                    )
                )
            await session.flush()
            await activities.credit_activity(session, activity, by=staff.id)
    upcoming = await activities.create_activity(
        session,
        bank,
        title="周末夜间安全巡查",
        category="patrol",
        minutes=120,
        capacity=10,
        by=staff.id,
        starts_at=datetime.combine(today + timedelta(days=5), time(19), tzinfo=TIMEZONE),
        place="偃月小区",
    )
    for member in volunteers[1:5]:
        await activities.sign_up(session, upcoming, member.user_id)


async def _family(
    session: AsyncSession,
    district: District,
    bank: Bank,
    staff: User,
    volunteers: list[Member],
    residents: list[Member],
    rng: random.Random,
) -> None:
    """Five volunteers give hours to a parent, who spends some on the catalogue."""
    items = list((await session.execute(select(CatalogueItem).where(CatalogueItem.bank_id == bank.id))).scalars())
    for i, (volunteer, parent) in enumerate(zip(volunteers[1:6], residents[1:6], strict=True)):
        session.add(
            FamilyLink(
                district_id=district.id,
                bank_id=bank.id,
                user_id=volunteer.user_id,
                relative_id=parent.user_id,
                relation=rng.choice(["母亲", "父亲", "外婆"]),
                created_by_id=staff.id,
            )
        )
        await session.flush()
        try:
            await accounts.gift(
                session, bank, volunteer.user_id, parent.user_id, 120, key=f"demo-{i}", by=volunteer.user_id
            )
            await accounts.redeem(session, bank, parent.user_id, key=f"demo-{i}", by=parent.user_id, item=items[0])
        except accounts.Refused:
            continue  # this volunteer had not served enough yet
