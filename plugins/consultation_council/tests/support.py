"""Test data for the consultation council (kept apart from conftest so tests can import it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from core.auth.tokens import create_token
from core.db import utcnow
from core.models import OrgUnitKind
from core.plugins import PluginHost
from core.services.enablement import enable_plugin
from core.testing.factories import make_district, make_org_unit, make_user
from plugins.consultation_council.councils import add_member, today
from plugins.consultation_council.models import Council

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.context import RequestContext

MEMBERS = (
    ("m-party", "党支部 周书记", "party_branch", "chair"),
    ("secretary", "居委会 孙秘书", "residents_committee", "secretary"),
    ("m-org", "社会组织 吴老师", "social_organization", "member"),
    ("m-unit", "驻区单位 郑经理", "local_unit", "member"),
    ("m-resident", "居民代表 冯阿姨", "resident", "member"),
)
TOPIC = {"category": "parking", "description": "偃月小区 461 户，60 个车位，120 辆车，夜间乱停堵消防通道。"}


@dataclass
class World:
    """Ids and API tokens the tests need."""

    council: int
    yz_council: int
    pingqiao: int
    yanyue: int
    members: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


async def build_world(session: AsyncSession) -> World:
    host = PluginHost.load(None, entry_points=False)
    haishu = await make_district(session, "haishu", "海曙区", ref_prefix="HS")
    yinzhou = await make_district(session, "yinzhou", "鄞州区", name_en="Yinzhou", ref_prefix="YZ")
    street = await make_org_unit(session, haishu, "gulou", "鼓楼街道", OrgUnitKind.STREET)
    pingqiao = await make_org_unit(session, haishu, "pingqiao", "平桥社区", OrgUnitKind.COMMUNITY, street)
    yanyue = await make_org_unit(session, haishu, "yanyue", "偃月小区", OrgUnitKind.ESTATE, pingqiao)
    baihe = await make_org_unit(session, yinzhou, "baihe", "白鹤社区", OrgUnitKind.COMMUNITY)
    for district in (haishu, yinzhou):
        await enable_plugin(session, district, host, "consultation_council")
    users = {}
    for name, roles in {
        "worker": ("community_worker",),
        "social": ("social_worker",),
        "resident": ("resident",),
        "resident2": ("resident",),
        "resident3": ("resident",),
        "district-admin": ("district_admin",),
    }.items():
        users[name] = await make_user(session, name, district=haishu, roles=roles, org_unit=pingqiao)
    for username, _name, _party, position in MEMBERS:
        roles = (
            ("council_member", "council_secretary", "community_worker")
            if position == "secretary"
            else ("council_member",)
        )
        users[username] = await make_user(session, username, district=haishu, roles=roles, org_unit=pingqiao)
    users["yz-worker"] = await make_user(session, "yz-worker", district=yinzhou, roles=("community_worker",))
    council = Council(
        district_id=haishu.id, org_unit_id=pingqiao.id, name="平桥社区议事会", phone="13805740001", support_threshold=3
    )
    yz_council = Council(district_id=yinzhou.id, org_unit_id=baihe.id, name="白鹤社区议事会", support_threshold=3)
    session.add_all([council, yz_council])
    await session.flush()
    world = World(council=council.id, yz_council=yz_council.id, pingqiao=pingqiao.id, yanyue=yanyue.id)
    start = today() - timedelta(days=365)
    for username, name, party, position in MEMBERS:
        member = await add_member(
            session, council, name=name, party=party, position=position, user_id=users[username].id, term_start=start
        )
        world.members[username] = member.id
    world.users = {name: user.id for name, user in users.items()}
    for name in ("secretary", "resident", "m-party"):
        world.tokens[name], _ = await create_token(session, users[name], haishu.id, "tests")
    world.tokens["yz-worker"], _ = await create_token(session, users["yz-worker"], yinzhou.id, "tests")
    return world


def meeting_times(hours_from_now: float = 0.5) -> tuple[Any, Any]:
    """A meeting starting soon (sign-in opens 60 minutes before by default) and lasting two hours."""
    start = utcnow() + timedelta(hours=hours_from_now)
    return start, start + timedelta(hours=2)


async def raise_parking_topic(ctx: RequestContext, world: World, title: str = "偃月小区停车难") -> str:
    """The resident raises the parking topic; returns its case reference."""
    from plugins.consultation_council import topics
    from plugins.consultation_council.councils import council_or_404

    council = await council_or_404(ctx.session, world.council)
    case, _topic = await topics.raise_topic(ctx, council, title=title, data=dict(TOPIC))
    return case.reference
