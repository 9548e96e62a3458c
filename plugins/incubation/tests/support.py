"""Test data for the incubation plugin (kept apart from conftest so tests can import it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.auth.tokens import create_token
from core.models import District, OrgUnitKind
from core.organizations import OrganizationInput, add_member, create_organization
from core.plugins import PluginHost
from core.services.enablement import enable_plugin
from core.testing.factories import make_district, make_org_unit, make_user
from plugins.incubation import cases
from plugins.incubation.models import Incubation, Incubator, Mentor, Space
from plugins.incubation.seed import credit_code

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.context import RequestContext

VALID_CODE = credit_code("social_group", "MJ770001")
today = cases.today  # China's date when called: a constant made at import goes stale at midnight in China (16:00 UTC)


@dataclass
class World:
    """Ids and API tokens the tests need."""

    incubator: int
    desks: list[int]
    office: int
    mentor: int
    hub: int
    member: int
    outsider: int
    users: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


async def build_world(session: AsyncSession) -> World:
    host = PluginHost.load(None, entry_points=False)
    haishu = await make_district(session, "haishu", "海曙区", ref_prefix="HS")
    yinzhou = await make_district(session, "yinzhou", "鄞州区", name_en="Yinzhou", ref_prefix="YZ")
    street = await make_org_unit(session, haishu, "gulou", "鼓楼街道", OrgUnitKind.STREET)
    await make_org_unit(session, haishu, "pingqiao", "平桥社区", OrgUnitKind.COMMUNITY, street)
    for district in (haishu, yinzhou):
        await enable_plugin(session, district, host, "incubation")
    roles = {
        "incubator": ("incubation_staff",),
        "mentor": ("incubation_mentor",),
        "leader": ("org_staff",),
        "hubstaff": ("org_staff",),
        "other": ("org_staff",),
        "resident": ("resident",),
        "district-admin": ("district_admin",),
    }
    users = {name: await make_user(session, name, district=haishu, roles=r) for name, r in roles.items()}
    users["yz-staff"] = await make_user(session, "yz-staff", district=yinzhou, roles=("incubation_staff",))
    base = Incubator(district_id=haishu.id, name="海曙孵化基地", org_unit_id=street.id)
    session.add(base)
    await session.flush()
    spaces = [Space(district_id=haishu.id, incubator_id=base.id, code=f"D-{i}", kind="desk") for i in (1, 2, 3)]
    office = Space(district_id=haishu.id, incubator_id=base.id, code="O-1", kind="office", capacity=2)
    mentor = Mentor(
        district_id=haishu.id, name="王晓红", kind="social_worker", phone="13805747701", user_id=users["mentor"].id
    )
    session.add_all([*spaces, office, mentor])
    await session.flush()
    hub = await create_organization(
        session, haishu, OrganizationInput(name="社区社会组织联合会", kind="informal", is_hub=True)
    )
    member = await create_organization(
        session, haishu, OrganizationInput(name="平桥老年合唱团", kind="informal", hub_id=hub.id, fields=["culture"])
    )
    outsider = await create_organization(session, haishu, OrganizationInput(name="牡丹环保队", kind="informal"))
    await add_member(session, haishu, hub.id, role="staff", user_id=users["hubstaff"].id)
    await add_member(session, haishu, member.id, role="leader", user_id=users["leader"].id)
    await add_member(session, haishu, outsider.id, role="leader", user_id=users["other"].id)
    world = World(
        incubator=base.id,
        desks=[s.id for s in spaces],
        office=office.id,
        mentor=mentor.id,
        hub=hub.id,
        member=member.id,
        outsider=outsider.id,
        users={k: u.id for k, u in users.items()},
    )
    for name in ("incubator", "leader", "hubstaff", "other", "mentor"):
        world.tokens[name], _ = await create_token(session, users[name], haishu.id, "tests")
    world.tokens["yz-staff"], _ = await create_token(session, users["yz-staff"], yinzhou.id, "tests")
    return world


async def incubation(ctx: RequestContext, incubation_id: int) -> Incubation:
    return (await ctx.session.execute(select(Incubation).where(Incubation.id == incubation_id))).scalar_one()


def apply_as(as_user: Any, world: World, username: str = "incubator", **extra: Any) -> int:
    """An application (by default centre staff for the hub's member); the incubation's id."""
    data = {"incubator_id": world.incubator, "organization_id": world.member, **extra}

    async def run(ctx: RequestContext) -> int:
        return (await cases.apply(ctx, data)).id

    return int(as_user(username, run))


def step(
    as_user: Any, incubation_id: int, key: str, data: dict[str, Any] | None = None, reason: str = ""
) -> str | None:
    """Take a step as centre staff: ``None`` when taken, else the refusal's message."""
    from core.refusal import Refusal

    async def run(ctx: RequestContext) -> str | None:
        try:
            async with ctx.session.begin_nested():
                await cases.take_step(ctx, await incubation(ctx, incubation_id), key, data or {}, reason)
        except Refusal as exc:
            return exc.message
        return None

    return as_user("incubator", run)


def call(as_user: Any, fn: Any, username: str = "incubator") -> Any:
    """Run ``fn(ctx)``; a refusal comes back as its message (nothing written)."""
    from core.refusal import Refusal

    async def run(ctx: RequestContext) -> Any:
        try:
            async with ctx.session.begin_nested():
                return await fn(ctx)
        except Refusal as exc:
            return exc.message

    return as_user(username, run)


def to_resident(as_user: Any, incubation_id: int, **agreement: Any) -> None:
    """Screen, file, sign the agreement (two criteria), admit."""
    assert step(as_user, incubation_id, "screen", {"screening_notes": "同意"}) is None
    assert step(as_user, incubation_id, "file", {"filing_number": "海曙备字 2026-001"}) is None
    data = {
        "start_on": today().isoformat(),
        "criteria": ["有固定的负责人和章程"],
        "custom_criteria": "会员 30 人以上",
        **agreement,
    }

    async def sign(ctx: RequestContext) -> Any:
        return await cases.set_agreement(ctx, await incubation(ctx, incubation_id), data)

    assert not isinstance(call(as_user, sign), str)
    assert step(as_user, incubation_id, "admit") is None


async def district(session: AsyncSession, code: str = "haishu") -> District:
    return (await session.execute(select(District).where(District.code == code))).scalar_one()
