"""Test data for the notices plugin (kept apart from conftest so tests can import it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.auth.tokens import create_token
from core.db import utcnow
from core.models import District, DistrictPlugin, OrgUnitKind
from core.plugins import PluginHost
from core.services.enablement import enable_plugin
from core.testing.factories import make_district, make_org_unit, make_user
from plugins.notices.models import Notice

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


@dataclass
class World:
    """Ids and API tokens the tests need."""

    pingqiao: int
    mudan: int
    baihe: int
    notices: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


async def add_notice(session: AsyncSession, district: District, title: str, **kw: Any) -> Notice:
    notice = Notice(district_id=district.id, title=title, body=kw.pop("body", f"{title}的内容"), **kw)
    session.add(notice)
    await session.flush()
    return notice


async def build_world(session: AsyncSession) -> World:
    host = PluginHost.load(None, entry_points=False)
    haishu = await make_district(session, "haishu", "海曙区", name_en="Haishu")
    yinzhou = await make_district(session, "yinzhou", "鄞州区", name_en="Yinzhou")
    street = await make_org_unit(session, haishu, "gulou", "鼓楼街道", OrgUnitKind.STREET)
    pingqiao = await make_org_unit(session, haishu, "pingqiao", "平桥社区", OrgUnitKind.COMMUNITY, street)
    mudan = await make_org_unit(session, haishu, "mudan", "牡丹社区", OrgUnitKind.COMMUNITY, street)
    baihe = await make_org_unit(session, yinzhou, "baihe", "白鹤社区", OrgUnitKind.COMMUNITY)
    for district in (haishu, yinzhou):
        await enable_plugin(session, district, host, "notices")
    users = {
        "district-admin": await make_user(session, "district-admin", district=haishu, roles=("district_admin",)),
        "worker": await make_user(session, "worker", district=haishu, roles=("community_worker",), org_unit=pingqiao),
        "resident": await make_user(session, "resident", district=haishu, roles=("resident",)),
        "yz-worker": await make_user(session, "yz-worker", district=yinzhou, roles=("community_worker",)),
    }
    world = World(pingqiao=pingqiao.id, mudan=mudan.id, baihe=baihe.id)
    now = utcnow()
    world.notices["parking"] = (
        await add_notice(session, haishu, "偃月小区停车议事会通知", org_unit_id=pingqiao.id, pinned=True,
                         published_at=now - timedelta(days=2))
    ).id
    world.notices["sorting"] = (
        await add_notice(session, haishu, "垃圾分类宣传周", org_unit_id=mudan.id, published_at=now - timedelta(days=1))
    ).id
    world.notices["scheduled"] = (
        await add_notice(session, haishu, "下月体检安排", published_at=now + timedelta(days=7))
    ).id
    world.notices["yinzhou"] = (
        await add_notice(session, yinzhou, "鄞州区内部通知", published_at=now - timedelta(days=1))
    ).id
    for name in ("district-admin", "worker", "resident"):
        world.tokens[name], _ = await create_token(session, users[name], haishu.id, "tests")
    world.tokens["yz-worker"], _ = await create_token(session, users["yz-worker"], yinzhou.id, "tests")
    return world


async def set_notices_settings(session: AsyncSession, code: str, **settings: Any) -> None:
    """Change the notices settings of district ``code`` (bumping nothing: settings are read per request)."""
    district = (await session.execute(select(District).where(District.code == code))).scalar_one()
    row = (
        await session.execute(
            select(DistrictPlugin).where(
                DistrictPlugin.district_id == district.id, DistrictPlugin.plugin_key == "notices"
            )
        )
    ).scalar_one()
    row.settings = {**(row.settings or {}), **settings}


async def titles(session: AsyncSession, code: str) -> list[str]:
    """Titles of every notice of district ``code``, in id order."""
    district = (await session.execute(select(District).where(District.code == code))).scalar_one()
    query = select(Notice.title).where(Notice.district_id == district.id).order_by(Notice.id)
    return list((await session.execute(query)).scalars())
