"""Test data for the star rating (kept apart from conftest so tests can import it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from core import deliveries
from core.auth.tokens import create_token
from core.db import utcnow
from core.models import OrgUnitKind, Person
from core.models.organizations import MemberRole, OrganizationMember
from core.organizations.service import OrganizationInput, create_organization
from core.plugins import PluginHost
from core.services.enablement import enable_plugin
from core.testing.factories import make_district, make_org_unit, make_user

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.context import RequestContext


@dataclass
class World:
    """Ids and API tokens the tests need."""

    hub: int
    elderly: int  # 平桥社区老年协会: orgstaff leads it, member belongs to it; supervised by the hub
    youth: int  # 青少年成长服务中心
    wang: int  # person 王阿姨 (login "resident")
    li: int  # person 李大爷 (no login)
    member_person: int  # person with the login "member" (a member of 老年协会)
    users: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


async def build_world(session: AsyncSession) -> World:
    host = PluginHost.load(None, entry_points=False)
    haishu = await make_district(session, "haishu", "海曙区", name_en="Haishu")
    yinzhou = await make_district(session, "yinzhou", "鄞州区", name_en="Yinzhou")
    street = await make_org_unit(session, haishu, "gulou", "鼓楼街道", OrgUnitKind.STREET)
    await make_org_unit(session, haishu, "pingqiao", "平桥社区", OrgUnitKind.COMMUNITY, street)
    for district in (haishu, yinzhou):
        await enable_plugin(session, district, host, "rating")
    users = {
        "worker": await make_user(session, "worker", district=haishu, roles=("community_worker",)),
        "social": await make_user(session, "social", district=haishu, roles=("social_worker",)),
        "orgstaff": await make_user(session, "orgstaff", district=haishu, roles=("org_staff",)),
        "member": await make_user(session, "member", district=haishu, roles=("resident",)),
        "resident": await make_user(session, "resident", district=haishu, roles=("resident",)),
        "other": await make_user(session, "other", district=haishu, roles=("resident",)),
        "yz-worker": await make_user(session, "yz-worker", district=yinzhou, roles=("community_worker",)),
    }
    hub = await create_organization(
        session, haishu, OrganizationInput(name="海曙区社会组织服务中心", kind="filed", is_hub=True)
    )
    elderly = await create_organization(
        session,
        haishu,
        OrganizationInput(name="平桥社区老年协会", kind="filed", hub_id=hub.id, fields=["elderly"]),
    )
    youth = await create_organization(
        session, haishu, OrganizationInput(name="海曙区青少年成长服务中心", kind="filed", fields=["youth"])
    )
    for org, user, role in (
        (elderly, "orgstaff", MemberRole.LEADER),
        (elderly, "member", MemberRole.MEMBER),
        (hub, "social", MemberRole.STAFF),
    ):
        session.add(
            OrganizationMember(district_id=haishu.id, organization_id=org.id, user_id=users[user].id, role=role)
        )
    people = [
        Person(district_id=haishu.id, name="王阿姨", phone="13805740001", user_id=users["resident"].id),
        Person(district_id=haishu.id, name="李大爷", phone="13805740002"),
        Person(district_id=haishu.id, name="赵会员", phone="13805740003", user_id=users["member"].id),
    ]
    session.add_all(people)
    await session.flush()
    world = World(
        hub=hub.id, elderly=elderly.id, youth=youth.id, wang=people[0].id, li=people[1].id, member_person=people[2].id
    )
    world.users = {k: u.id for k, u in users.items()}
    for name in ("worker", "orgstaff", "resident", "social"):
        world.tokens[name], _ = await create_token(session, users[name], haishu.id, "tests")
    return world


async def delivered(
    ctx: RequestContext,
    organization_id: int,
    person_id: int,
    *,
    ago: timedelta = timedelta(days=1),
    verified: bool = True,
    reference: str | None = None,
    when: datetime | None = None,
) -> Any:
    """A delivery of ``organization_id`` to ``person_id`` (verified by the context's user unless told)."""
    assert ctx.user is not None
    at = when or utcnow() - ago
    return await deliveries.record(
        ctx,
        organization_id=organization_id,
        resident_id=person_id,
        kind="home_visit",
        reference=reference or f"test:{organization_id}:{person_id}:{at.timestamp()}",
        delivered_at=at,
        verified_by=ctx.user.id if verified else None,
        title="助老上门探访",
        source="test",
    )
