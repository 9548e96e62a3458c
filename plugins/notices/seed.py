"""Demo notices for ``sanshe demo`` (平桥社区 and 牡丹社区 of the demo district)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.plugin_api import OrgUnit, OrgUnitKind, User, for_district, utcnow
from plugins.notices.models import Notice

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District

__all__ = ("DEMO_NOTICES", "seed_notices")


@dataclass(frozen=True)
class DemoNotice:
    community: str | None
    title: str
    body: str
    pinned: bool = False
    days_ago: int = 0


DEMO_NOTICES = (
    DemoNotice(
        "平桥社区",
        "偃月小区停车议事会通知",
        "各位居民：偃月小区停车难问题议事会定于本周六上午 9:00 在社区党群服务中心二楼会议室召开，"
        "讨论夜间临时停车位划设和收费标准。欢迎业主代表、楼道长参加，也可以在会前把意见交给网格员。",
        pinned=True,
        days_ago=1,
    ),
    DemoNotice(
        "牡丹社区",
        "垃圾分类宣传周",
        "本周为牡丹社区垃圾分类宣传周。每天傍晚 18:00–20:00 志愿者在各小区投放点值守，"
        "现场指导厨余垃圾破袋投放，正确分类可领取积分兑换生活用品。",
        days_ago=3,
    ),
    DemoNotice(
        None,
        "高温天气关爱独居老人提醒",
        "近期持续高温，请各社区网格员每日电话或上门联系辖区独居、高龄老人，发现异常及时上报。",
        days_ago=5,
    ),
)


async def seed_notices(session: AsyncSession, district: District) -> int:
    """Add the demo notices ``district`` lacks (matched by title); return how many were added."""
    previous = session.info.get("district_id")
    for_district(session, district.id)
    try:
        units = {
            unit.name_zh: unit.id
            for unit in (await session.execute(select(OrgUnit).where(OrgUnit.kind == OrgUnitKind.COMMUNITY))).scalars()
        }
        existing = set((await session.execute(select(Notice.title))).scalars())
        author = (await session.execute(select(User.id).where(User.username == "worker"))).scalar_one_or_none()
        added = 0
        for demo in DEMO_NOTICES:
            if demo.title in existing:
                continue
            session.add(
                Notice(
                    district_id=district.id,
                    org_unit_id=units.get(demo.community) if demo.community else None,
                    title=demo.title,
                    body=demo.body,
                    pinned=demo.pinned,
                    published_at=utcnow() - timedelta(days=demo.days_ago),
                    created_by=author,
                )
            )
            added += 1
        await session.flush()
        return added
    finally:
        for_district(session, previous)
