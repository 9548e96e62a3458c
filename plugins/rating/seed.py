"""Demo data for ``sanshe demo``: ~30 organizations rated over four quarters (海曙区, ``haishu``).

Some organizations have few ratings (insufficient), one is on probation with a pending
appeal, one is honoured, bad ratings have follow-ups (answered, open, overdue), one
appeal waits for a decision, and the demo resident 刘洋 has services to rate. Rows are
written in bulk (well under a second); a second run adds nothing.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select

from core.plugin_api import TIMEZONE, User, deliveries, organizations, utcnow
from plugins.rating.models import Appeal, FollowUp, Rating, StandingStep
from plugins.rating.seed_grades import seed_grades
from plugins.rating.service import Period

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District

__all__ = ("EXTRA_ORGANIZATIONS", "seed_rating")

EXTRA_ORGANIZATIONS = (
    "白云社区助老服务队",
    "望春社区邻里守望队",
    "南门社区书香读书会",
    "西门社区健康促进会",
    "月湖社区文化志愿队",
    "段塘社区四点半课堂",
    "石碶社区红色管家队",
    "集士港社区乡贤议事会",
    "高桥社区便民服务队",
    "古林社区护河队",
    "洞桥社区巧手编织社",
    "横街社区老兵调解室",
    "章水社区山区助学队",
    "龙观社区助残服务队",
    "鄞江社区文明劝导队",
    "江厦社区平安巡防队",
    "鼓楼社区非遗传习社",
    "西郊社区青年志愿团",
)
BAD_NAME = "望春社区邻里守望队"  # rated low two quarters running: on probation, appealing
FEW = ("洞桥社区巧手编织社", "龙观社区助残服务队", "鄞江社区文明劝导队")  # too few ratings to be ranked
COMMENTS = {
    5: ("服务很周到，谢谢！", "上门很准时，态度好。", "老人很满意。", ""),
    4: ("挺好的，下次再来。", "总体满意。", ""),
    3: ("一般，时间有点晚。", ""),
    2: ("约好的时间没来，打电话才来。", "服务草草了事。"),
    1: ("态度很差，没有解决问题。", "根本没有上门。"),
}
KINDS = (
    ("home_visit", "助老上门探访"),
    ("activity", "社区活动"),
    ("counselling", "心理疏导"),
    ("tutoring", "课后辅导"),
)


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), TIMEZONE).astimezone(UTC)


def _stars(rng: random.Random, quality: float) -> int:
    """A star count around ``quality`` (1–5)."""
    return max(1, min(5, round(rng.gauss(quality, 0.8))))


async def _organizations(session: AsyncSession, district: District) -> list[Any]:
    org = organizations.Organization
    existing = {o.name: o for o in (await session.execute(select(org))).scalars()}
    for name in EXTRA_ORGANIZATIONS:
        if name not in existing:
            row = org(
                district_id=district.id,
                name=name,
                kind=organizations.OrgKind.INFORMAL,
                description="社区社会组织（星级评价演示）。",
            )
            session.add(row)
            existing[name] = row
    await session.flush()
    return sorted(
        (o for o in existing.values() if o.status == organizations.OrgStatus.ACTIVE and not o.is_hub),
        key=lambda o: o.name,
    )


async def seed_rating(session: AsyncSession, district: District) -> int:
    """Add the demo ratings unless the district has some; return how many ratings were added."""
    if (await session.execute(select(Rating.id).limit(1))).first() is not None:
        return 0
    orgs = await _organizations(session, district)
    people = await _people(session)
    if not orgs or not people:
        return 0
    rng = random.Random(16)  # noqa: S311 - demo data, not security
    today = utcnow().astimezone(TIMEZONE).date()
    current = Period.of(today)
    periods = [current.previous.previous.previous, current.previous.previous, current.previous, current]
    quality = {o.id: 3.2 + rng.random() * 1.7 for o in orgs}
    bad = next((o for o in orgs if o.name == BAD_NAME), orgs[-1])
    quality[bad.id] = 2.0
    staff = (await session.execute(select(User.id).where(User.username == "worker"))).scalar_one_or_none()
    resident_user = (await session.execute(select(User.id).where(User.username == "resident"))).scalar_one_or_none()
    delivery_rows: list[dict[str, Any]] = []
    rating_rows: list[dict[str, Any]] = []
    now = utcnow()
    for p_index, period in enumerate(periods):
        last_day = min(period.end - timedelta(days=1), today - timedelta(days=1))
        span = max(1, (last_day - period.start).days)
        for org in orgs:
            count = 2 + rng.randrange(3) if org.name in FEW else 5 + rng.randrange(5)
            for n in range(count):
                day = period.start + timedelta(days=rng.randrange(span))
                delivered = _at(day, 9 + rng.randrange(8))
                submitted = min(delivered + timedelta(hours=2 + rng.randrange(60)), now - timedelta(hours=1))
                kind, title = KINDS[rng.randrange(len(KINDS))]
                reference = f"rating:demo:{period.key}:{org.id}:{n}"
                person = people[rng.randrange(len(people))]
                delivery_rows.append(
                    {
                        "district_id": district.id,
                        "organization_id": org.id,
                        "person_id": person,
                        "user_id": None,
                        "kind": kind,
                        "title": title,
                        "reference": reference,
                        "source": "demo",
                        "delivered_at": delivered,
                        "status": "completed",
                        "verified_by_id": staff,
                        "verified_at": delivered,
                        "created_at": delivered,
                        "updated_at": delivered,
                    }
                )
                stars = _stars(rng, quality[org.id] if p_index >= 1 or org.id != bad.id else 3.8)
                rating_rows.append(
                    {
                        "reference": reference,
                        "organization_id": org.id,
                        "stars": stars,
                        "dimensions": {"服务态度": _stars(rng, stars), "及时性": _stars(rng, stars)},
                        "comment": rng.choice(COMMENTS[stars]),
                        "channel": rng.choice(("link", "link", "own_page", "paper", "phone_survey")),
                        "submitted_at": submitted,
                    }
                )
    await _insert(session, deliveries.ServiceDelivery, delivery_rows)
    ids = dict(
        list(
            (
                await session.execute(
                    select(deliveries.ServiceDelivery.reference, deliveries.ServiceDelivery.id).where(
                        deliveries.ServiceDelivery.source == "demo"
                    )
                )
            ).tuples()
        )
    )
    await _insert(
        session,
        Rating,
        [
            {
                "district_id": district.id,
                "delivery_id": ids[r["reference"]],
                "organization_id": r["organization_id"],
                "stars": r["stars"],
                "dimensions": r["dimensions"],
                "comment": r["comment"],
                "channel": r["channel"],
                "rater_name": "",
                "rater_relation": "self",
                "rater_user_id": None,
                "entered_by_id": staff if r["channel"] in ("paper", "phone_survey") else None,
                "submitted_at": r["submitted_at"],
                "status": "valid",
                "void_reason": "",
                "created_at": r["submitted_at"],
                "updated_at": r["submitted_at"],
            }
            for r in rating_rows
        ],
    )
    await _follow_ups_and_appeals(session, district, today, staff)
    await _standing(session, district, bad.id, orgs, periods, today)
    await _to_rate(session, district, orgs, resident_user, staff, today)
    await seed_grades(session, district, staff, today)
    await session.flush()
    return len(rating_rows)


async def _insert(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert rows in one executemany (no ORM objects: the demo seed must stay well under a second or two)."""
    await session.execute(insert(model), rows)


async def _people(session: AsyncSession) -> list[int]:
    """The demo residents without a login (the rated services' recipients)."""
    from core.plugin_api import residents  # noqa: PLC0415

    found: list[int] = []
    for phone in ("0574-87351234", "13605741234", "18868712345", "13777812345", "13957423456"):
        found += [p.id for p in await residents.find_people_by_phone(session, phone) if p.user_id is None]
    return sorted(set(found))


async def _follow_ups_and_appeals(session: AsyncSession, district: District, today: date, staff: int | None) -> None:
    from core.plugin_api import workdays  # noqa: PLC0415

    bad = list((await session.execute(select(Rating).where(Rating.stars <= 2).order_by(Rating.submitted_at))).scalars())
    calendar = await workdays.calendar_for(session, district)
    rows = []
    for index, rating in enumerate(bad):
        day = rating.submitted_at.astimezone(TIMEZONE).date()
        due = calendar.add_working_days(day, 15)
        # Old ones answered; a few recent ones left open — some of them already overdue.
        answered = due < today - timedelta(days=3) and index % 6 != 0
        rows.append(
            {
                "district_id": district.id,
                "rating_id": rating.id,
                "organization_id": rating.organization_id,
                "due_on": due,
                "status": "answered" if answered else "open",
                "contact_note": "电话联系居民本人。" if answered else "",
                "action_taken": "已向居民致歉并重新安排上门服务。" if answered else "",
                "resident_response": "居民表示理解，对改进满意。" if answered else "",
                "answered_by_id": staff if answered else None,
                "answered_at": rating.submitted_at if answered else None,
                "created_at": rating.submitted_at,
                "updated_at": rating.submitted_at,
            }
        )
    if rows:
        await session.execute(insert(FollowUp), rows)
    if len(bad) >= 2:
        voided, pending = bad[0], bad[-1]
        session.add_all(
            [
                Appeal(
                    district_id=district.id,
                    rating_id=voided.id,
                    organization_id=voided.organization_id,
                    grounds="not_our_service",
                    reason="评价所述服务为其他组织提供，有签到表为证。",
                    evidence="签到表照片",
                    filed_by_id=staff,
                    status="upheld",
                    decision_reason="核实签到表，确非该组织服务。",
                    decided_by_id=staff,
                    decided_at=utcnow(),
                ),
                Appeal(
                    district_id=district.id,
                    rating_id=pending.id,
                    organization_id=pending.organization_id,
                    grounds="malicious",
                    reason="该居民与本组织志愿者有邻里纠纷，评价内容与事实不符。",
                    filed_by_id=staff,
                ),
            ]
        )
        voided.status = "voided"
        voided.void_reason = "核实签到表，确非该组织服务。"
        voided.voided_by_id = staff
        voided.voided_at = utcnow()


async def _standing(
    session: AsyncSession, district: District, bad_id: int, orgs: list[Any], periods: list[Period], today: date
) -> None:
    last = periods[-2]
    top = next(o for o in orgs if o.id != bad_id and o.name not in FEW)
    session.add_all(
        [
            StandingStep(
                district_id=district.id,
                organization_id=bad_id,
                period=last.key,
                status="probation",
                decided_on=today - timedelta(days=3),
                effective_on=today + timedelta(days=7),
                reason="连续两期星级评价末位",
                appeal_status="pending",
                appeal_reason="本季度已更换服务负责人并整改，请求复核。",
            ),
            StandingStep(
                district_id=district.id,
                organization_id=top.id,
                period=last.key,
                status="honoured",
                decided_on=today - timedelta(days=3),
                effective_on=today - timedelta(days=3),
                reason="本期星级评价前列",
            ),
        ]
    )


async def _to_rate(
    session: AsyncSession, district: District, orgs: list[Any], user_id: int | None, staff: int | None, today: date
) -> None:
    """Two recent services to 刘洋 (login ``resident``) that they can still rate."""
    if user_id is None:
        return
    member_of = {o.id for o in await organizations.organizations_of_user(session, district, user_id)}
    choices = [o for o in orgs if o.id not in member_of][:2]
    for n, org in enumerate(choices):
        when = _at(today - timedelta(days=1 + n), 10)
        session.add(
            deliveries.ServiceDelivery(
                district_id=district.id,
                organization_id=org.id,
                user_id=user_id,
                kind="home_visit",
                title="助老上门探访" if n == 0 else "社区活动",
                reference=f"rating:demo:mine:{n}",
                source="demo",
                delivered_at=when,
                status="completed",
                verified_by_id=staff,
                verified_at=when,
            )
        )
