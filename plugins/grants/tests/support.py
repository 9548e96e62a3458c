"""Test data for the grants plugin (kept apart from conftest so tests can import it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.auth.tokens import create_token
from core.db import for_district, utcnow
from core.models import District
from core.models.organizations import MemberRole, Organization, OrganizationMember, OrgKind, RegisteredType
from core.plugins import PluginHost
from core.services.enablement import enable_plugin
from core.testing.factories import make_district, make_user
from plugins.grants.models import Application, Call, Category, Criterion
from plugins.grants.tests import standing_plugin

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


def budget(total_fen: int) -> list[dict[str, Any]]:
    """An agreement's budget lines adding up to ``total_fen`` (award + own contribution + co-funders)."""
    staff, things = total_fen * 60 // 100, total_fen * 30 // 100
    return [
        {"line": "人员劳务费", "fen": staff},
        {"line": "活动物料费", "fen": things},
        {"line": "场地与宣传", "fen": total_fen - staff - things},
    ]


CRITERIA = (("公益性", 3, 0, 10, False), ("创新性", 1, 0, 10, True), ("执行力", 1, 0, 5, False))


@dataclass
class World:
    """Ids and API tokens the tests need."""

    call: int = 0
    closed_call: int = 0
    orgs: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    criteria: list[int] = field(default_factory=list)
    categories: list[int] = field(default_factory=list)


def grants_host() -> PluginHost:
    """The built-in plugins plus the test standing plugin."""
    return PluginHost.load(None, entry_points=False, extra_modules=(standing_plugin,))


def make_call(title: str, *, closes_in: timedelta = timedelta(days=10), **kw: Any) -> Call:
    now = utcnow()
    call = Call(
        title=title,
        description="",
        budget_fen=100_000_000,
        min_grant_fen=1_000_000,
        max_grant_fen=20_000_000,
        own_ratio_pct=20,
        allowed_kinds=["filed", "registered"],
        min_years_active=2,
        opens_at=now - timedelta(days=20),
        closes_at=now + closes_in,
        ranking="normalised",
        reviewers_per_application=2,
        screening_items=["材料齐全", "预算合理"],
        categories=[],
        criteria=[],
        **kw,
    )
    call.categories.append(Category(position=0, name="为老服务", budget_fen=50_000_000))
    call.categories.append(Category(position=1, name="青少年成长", budget_fen=None))
    for i, (name, weight, low, high, na) in enumerate(CRITERIA):
        call.criteria.append(
            Criterion(position=i, name=name, weight=weight, min_score=low, max_score=high, allow_na=na)
        )
    return call


async def _org(session: AsyncSession, district: District, name: str, kind: OrgKind, **kw: Any) -> Organization:
    org = Organization(
        district_id=district.id,
        name=name,
        kind=kind,
        registered_type=RegisteredType.SOCIAL_SERVICE if kind == OrgKind.REGISTERED else None,
        **kw,
    )
    session.add(org)
    await session.flush()
    return org


async def _member(session: AsyncSession, district: District, org: Organization, user_id: int, role: str) -> None:
    session.add(
        OrganizationMember(district_id=district.id, organization_id=org.id, user_id=user_id, role=MemberRole(role))
    )
    await session.flush()


async def build_world(session: AsyncSession, *, reviewers: int = 3) -> World:
    """海曙区 with grants on; a hub and organizations of each kind; staff, applicants, reviewers; an open
    call and a closed one (each with two categories and three criteria, 创新性 may be n/a)."""
    host = grants_host()
    haishu = await make_district(session, "haishu", "海曙区", name_en="Haishu")
    yinzhou = await make_district(session, "yinzhou", "鄞州区", name_en="Yinzhou")
    for district in (haishu, yinzhou):
        await enable_plugin(session, district, host, "grants")
    await enable_plugin(session, haishu, host, "grants_standing_test")
    world = World()
    users = {
        "staff": await make_user(session, "staff", district=haishu, roles=("district_admin",)),
        "leader": await make_user(session, "leader", district=haishu, roles=("org_staff",)),
        "groupie": await make_user(session, "groupie", district=haishu, roles=("org_staff",)),
        "resident": await make_user(session, "resident", district=haishu, roles=("resident",)),
        "yz-staff": await make_user(session, "yz-staff", district=yinzhou, roles=("district_admin",)),
    }
    for i in range(1, reviewers + 1):
        users[f"r{i}"] = await make_user(session, f"r{i}", district=haishu, roles=("expert",))
    world.users = {k: u.id for k, u in users.items()}
    for_district(session, haishu.id)
    hub = await _org(
        session, haishu, "海曙区社会组织服务中心", OrgKind.REGISTERED, is_hub=True, founded_on=date(2012, 1, 1)
    )
    sunshine = await _org(
        session, haishu, "阳光社工服务社", OrgKind.REGISTERED, hub_id=hub.id, founded_on=date(2018, 4, 1)
    )
    young = await _org(session, haishu, "新芽青年社", OrgKind.FILED, founded_on=utcnow().date() - timedelta(days=200))
    group = await _org(session, haishu, "楼道合唱队", OrgKind.INFORMAL, founded_on=date(2015, 1, 1))
    removed = await _org(session, haishu, "旧城服务社（已除名）", OrgKind.REGISTERED, founded_on=date(2015, 1, 1))
    for org in (sunshine, young, removed):
        await _member(session, haishu, org, users["leader"].id, "leader")
    await _member(session, haishu, group, users["groupie"].id, "leader")
    world.orgs = {"hub": hub.id, "sunshine": sunshine.id, "young": young.id, "group": group.id, "removed": removed.id}
    if "r2" in users:  # r2 volunteers at the hub: a conflict for every organization it supervises
        await _member(session, haishu, hub, users["r2"].id, "member")
    call = make_call("2026 年度公益创投大赛")
    closed = make_call("2025 年度公益创投大赛", closes_in=timedelta(minutes=-5))
    session.add_all([call, closed])
    await session.flush()
    world.call, world.closed_call = call.id, closed.id
    world.criteria = [c.id for c in call.criteria]
    world.categories = [c.id for c in call.categories]
    for_district(session, None)
    for name, user in users.items():
        district_id = yinzhou.id if name.startswith("yz") else haishu.id
        world.tokens[name], _ = await create_token(session, user, district_id, "tests")
    return world


async def add_application(
    session: AsyncSession,
    world: World,
    *,
    org: str = "sunshine",
    status: str = "screened",
    title: str = "银发课堂",
    call_id: int | None = None,
    **kw: Any,
) -> int:
    """An application straight into the database (for review tests)."""
    district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
    for_district(session, district.id)
    app = Application(
        call_id=call_id or world.call,
        organization_id=world.orgs[org],
        category_id=world.categories[0],
        title=title,
        summary="每周两次课",
        own_contribution_fen=1_000_000,
        status=status,
        created_by=world.users["leader"],
        submitted_at=utcnow() if status != "draft" else None,
        **{"requested_fen": 5_000_000, **kw},
    )
    session.add(app)
    await session.flush()
    for_district(session, None)
    return app.id
