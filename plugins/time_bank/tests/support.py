"""Test data for the time bank plugin (kept apart from conftest so tests can import it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core import ledger
from core.auth.tokens import create_token
from core.cases.service import create_case, get_case, perform_transition
from core.models import District, OrgUnitKind, User
from core.models.cases import Case
from core.plugins import PluginHost
from core.services.enablement import enable_plugin
from core.testing.factories import make_district, make_org_unit, make_user
from plugins.time_bank import banks
from plugins.time_bank.models import Bank, CatalogueItem, FamilyLink, Member, MemberStatus

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.context import RequestContext

CATEGORIES = [
    ("chat", "陪聊", "Company", 100),
    ("visit", "探访", "Home visit", 100),
    ("meals", "助餐", "Meals", 100),
    ("patrol", "巡查", "Patrol", 150),
    ("haircut", "理发", "Haircut", 200),
    ("consult", "咨询", "Advice", 0),
]


@dataclass
class World:
    """Ids and API tokens the tests need."""

    bank: int
    other_bank: int
    yz_bank: int
    pingqiao: int
    haircut_item: int
    users: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


async def _member(session: AsyncSession, bank: Bank, user: User, **flags: bool) -> Member:
    member = Member(
        district_id=bank.district_id, bank_id=bank.id, user_id=user.id, status=MemberStatus.APPROVED, **flags
    )
    session.add(member)
    await session.flush()
    await banks.account_of(session, bank, user.id)
    return member


async def build_world(session: AsyncSession) -> World:
    host = PluginHost.load(None, entry_points=False)
    haishu = await make_district(session, "haishu", "海曙区", ref_prefix="HS")
    yinzhou = await make_district(session, "yinzhou", "鄞州区", name_en="Yinzhou", ref_prefix="YZ")
    street = await make_org_unit(session, haishu, "gulou", "鼓楼街道", OrgUnitKind.STREET)
    pingqiao = await make_org_unit(session, haishu, "pingqiao", "平桥社区", OrgUnitKind.COMMUNITY, street)
    mudan = await make_org_unit(session, haishu, "mudan", "牡丹社区", OrgUnitKind.COMMUNITY, street)
    for district in (haishu, yinzhou):
        await enable_plugin(session, district, host, "time_bank")
    roles = {
        "tb-staff": ("org_staff",),
        "tb-staff2": ("org_staff",),
        "volunteer": ("volunteer",),
        "volunteer2": ("volunteer",),
        "resident": ("resident",),
        "resident2": ("resident",),
        "newbie": ("volunteer",),
        "district-admin": ("district_admin",),
    }
    users = {name: await make_user(session, name, district=haishu, roles=r) for name, r in roles.items()}
    users["yz-staff"] = await make_user(session, "yz-staff", district=yinzhou, roles=("org_staff",))
    bank = await banks.create_bank(
        session,
        district_id=haishu.id,
        name="平桥时间银行",
        organization="平桥社区社会工作服务中心",
        categories=CATEGORIES,
        org_unit_id=pingqiao.id,
    )
    other = await banks.create_bank(
        session,
        district_id=haishu.id,
        name="牡丹时间银行",
        organization="牡丹社区志愿者协会",
        categories=CATEGORIES[:2],
        org_unit_id=mudan.id,
    )
    yz_bank = await banks.create_bank(
        session, district_id=yinzhou.id, name="鄞州时间银行", organization="鄞州社工站", categories=CATEGORIES[:2]
    )
    await _member(session, bank, users["tb-staff"], is_staff=True, is_volunteer=False)
    await _member(session, other, users["tb-staff2"], is_staff=True, is_volunteer=False)
    await _member(session, yz_bank, users["yz-staff"], is_staff=True, is_volunteer=False)
    await _member(session, bank, users["volunteer"], is_volunteer=True)
    await _member(session, bank, users["volunteer2"], is_volunteer=True)
    await _member(session, bank, users["resident"], is_resident=True, is_volunteer=False)
    await _member(session, bank, users["resident2"], is_resident=True, is_volunteer=False)
    item = CatalogueItem(district_id=haishu.id, bank_id=bank.id, name="上门理发", category="haircut", price=60)
    session.add(item)
    session.add(
        FamilyLink(
            district_id=haishu.id,
            bank_id=bank.id,
            user_id=users["volunteer"].id,
            relative_id=users["resident"].id,
            relation="母亲",
        )
    )
    await session.flush()
    world = World(
        bank=bank.id,
        other_bank=other.id,
        yz_bank=yz_bank.id,
        pingqiao=pingqiao.id,
        haircut_item=item.id,
        users={name: u.id for name, u in users.items()},
    )
    for name, user in users.items():
        district = yinzhou if name.startswith("yz-") else haishu
        world.tokens[name], _ = await create_token(session, user, district.id, "tests")
    return world


async def bank_of(session: AsyncSession, bank_id: int) -> Bank:
    return (await session.execute(select(Bank).where(Bank.id == bank_id))).scalar_one()


async def balance(session: AsyncSession, bank_id: int, user_id: int) -> int:
    """A member's balance in minutes (0 when no account yet)."""
    bank = await bank_of(session, bank_id)
    account = await ledger.get_account(
        session, district_id=bank.district_id, owner_ref=banks.member_ref(bank_id, user_id), unit="minutes"
    )
    return account.balance if account else 0


async def post_need(ctx: RequestContext, bank_id: int, category: str = "chat", **data: Any) -> str:
    """A need posted by ``ctx.user``; returns the case reference."""
    case = await create_case(
        ctx,
        "time_bank_service",
        title=data.pop("title", "陪李阿姨聊天"),
        data={"bank_id": bank_id, "category": category, "description": "每周陪聊一小时", **data},
        channel="web",
        source="api",
    )
    return case.reference


async def step(ctx: RequestContext, reference: str, key: str, **data: Any) -> Case:
    """Take transition ``key`` on a case (loaded without visibility rules, as the plugin's pages do)."""
    from core.cases.service import definition_for

    case = (await ctx.session.execute(select(Case).where(Case.reference == reference))).scalar_one()
    definition = await definition_for(ctx, case)
    reason = data.pop("reason", "")
    return await perform_transition(ctx, case, definition, key, data=data, reason=reason, source="api")


async def visible(ctx: RequestContext, reference: str) -> bool:
    """Whether the core's visibility rules let ``ctx.user`` open the case."""
    from core.refusal import NotFound

    try:
        await get_case(ctx, reference)
    except NotFound:
        return False
    return True


async def district_id(session: AsyncSession, code: str) -> int:
    return (await session.execute(select(District.id).where(District.code == code))).scalar_one()
