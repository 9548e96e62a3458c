"""The demo district's social organizations: every kind, hubs supervising others, people in them.

Credit codes are computed with the real check characters (GB 32100 and GB 11714) for the
海曙 area code 330203; the organization-code parts are made up. Idempotent: an
organization is looked up by name and only created when missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.models import User
from core.models.organizations import MemberRole, Organization, OrganizationMember
from core.organizations.credit_code import make_credit_code
from core.organizations.service import OrganizationInput, create_organization

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.models import District, OrgUnit

__all__ = ("DEMO_ORGANIZATIONS", "DemoOrganization", "seed_organizations")

AREA = "330203"  # 宁波市海曙区


@dataclass(frozen=True)
class DemoOrganization:
    """One demo organization: its facts, its hub (by name), its areas (unit codes) and people."""

    name: str
    kind: str
    registered_type: str = ""
    org_body: str = ""  # 8 characters of the organization code; the code is computed from it
    is_hub: bool = False
    hub: str = ""
    fields: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    founded: date | None = None
    filed: date | None = None
    registered: date | None = None
    legal_representative: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    filing_number: str = ""
    status: str = "active"
    description: str = ""
    people: tuple[tuple[str, str, str], ...] = ()  # (username, role, title)

    def credit_code(self) -> str:
        """The organization's credit code ("" for groups without one)."""
        if not self.org_body:
            return ""
        digit = {"social_group": "1", "social_service": "2", "foundation": "3"}.get(self.registered_type, "9")
        return make_credit_code(f"5{digit}{AREA}", self.org_body)


CENTRE = "海曙区社会组织服务中心"
FEDERATION = "海曙区社区社会组织联合会"

DEMO_ORGANIZATIONS: tuple[DemoOrganization, ...] = (
    DemoOrganization(
        CENTRE,
        "registered",
        "social_service",
        "MJ881001",
        is_hub=True,
        fields=("governance", "volunteering"),
        founded=date(2011, 3, 1),
        registered=date(2011, 6, 8),
        legal_representative="沈国平",
        contact_name="沈国平",
        contact_phone="0574-87301122",
        description="区级枢纽型社会组织：孵化培育、能力建设、公益创投的组织实施。",
        people=(("social", "staff", "督导"),),
    ),
    DemoOrganization(
        FEDERATION,
        "registered",
        "social_group",
        "MJ881002",
        is_hub=True,
        fields=("governance", "culture"),
        founded=date(2014, 5, 1),
        registered=date(2014, 9, 20),
        legal_representative="孙丽华",
        contact_name="孙丽华",
        contact_phone="13905741002",
        description="联系、服务和指导社区社会组织与群众团队。",
    ),
    DemoOrganization(
        "海曙区自闭症儿童家长互助协会",
        "registered",
        "social_group",
        "MJ881003",
        hub=CENTRE,
        fields=("disability", "children"),
        areas=("gulou",),
        founded=date(2009, 4, 2),
        registered=date(2010, 7, 15),
        legal_representative="陈海燕",
        contact_name="陈海燕",
        contact_phone="13805741003",
        description="2009 年由家长聊天群起步，2010 年登记并入驻社会组织服务中心，现有数百名会员。",
        people=(("orgstaff", "leader", "会长"), ("volunteer", "member", "")),
    ),
    DemoOrganization(
        "鼓楼街道居家养老服务中心",
        "registered",
        "social_service",
        "MJ881004",
        hub=CENTRE,
        fields=("elderly", "health"),
        areas=("gulou", "pingqiao", "mudan"),
        founded=date(2012, 1, 10),
        registered=date(2012, 3, 1),
        legal_representative="王建国",
        contact_name="李梅",
        contact_phone="0574-87305566",
    ),
    DemoOrganization(
        "海曙区阳光社会工作服务社",
        "registered",
        "social_service",
        "MJ881005",
        hub=CENTRE,
        fields=("elderly", "disability", "governance"),
        founded=date(2013, 8, 8),
        registered=date(2013, 11, 18),
        legal_representative="周晓东",
        contact_name="周晓东",
        contact_phone="13605741005",
        description="专业社工机构，承接政府购买服务。",
    ),
    DemoOrganization(
        "海曙区青少年成长服务中心",
        "registered",
        "social_service",
        "MJ881006",
        hub=CENTRE,
        fields=("youth", "education"),
        founded=date(2016, 2, 14),
        registered=date(2016, 6, 1),
        legal_representative="吴佳",
        contact_name="吴佳",
        contact_phone="13705741006",
    ),
    DemoOrganization(
        "宁波市海曙区关爱慈善基金会",
        "registered",
        "foundation",
        "MJ881007",
        fields=("poverty", "elderly", "children"),
        founded=date(2015, 10, 1),
        registered=date(2015, 12, 20),
        legal_representative="郑伟",
        contact_name="许静",
        contact_phone="0574-87309988",
    ),
    DemoOrganization(
        "平桥社区老年协会",
        "filed",
        hub=FEDERATION,
        filing_number="HS-BA-2015-018",
        fields=("elderly", "culture"),
        areas=("pingqiao",),
        founded=date(2005, 9, 9),
        filed=date(2015, 4, 1),
        contact_name="张阿姨",
        contact_phone="13805741008",
    ),
    DemoOrganization(
        "鼓楼街道邻里调解工作室",
        "filed",
        hub=FEDERATION,
        filing_number="HS-BA-2018-033",
        fields=("legal", "governance"),
        areas=("gulou",),
        founded=date(2018, 3, 5),
        filed=date(2018, 5, 20),
        contact_name="钱师傅",
        contact_phone="13905741009",
    ),
    DemoOrganization(
        "牡丹社区夕阳红舞蹈队",
        "informal",
        hub=FEDERATION,
        fields=("culture",),
        areas=("mudan",),
        founded=date(2012, 6, 1),
        contact_name="刘阿姨",
        contact_phone="13605741010",
    ),
    DemoOrganization(
        "平桥社区环保志愿者队",
        "informal",
        hub=FEDERATION,
        fields=("environment", "volunteering"),
        areas=("pingqiao",),
        founded=date(2019, 4, 22),
        contact_name="张伟",
        people=(("volunteer", "leader", "队长"), ("resident", "member", "")),
    ),
    DemoOrganization(
        "偃月小区停车自管小组",
        "informal",
        fields=("governance",),
        areas=("yanyue",),
        founded=date(2020, 11, 1),
        contact_name="刘洋",
        description="461 户、60 个车位、120 辆车，无物业：居民自管停车。",
        people=(("resident", "staff", "组员"),),
    ),
    DemoOrganization(
        "海曙区书香读书会",
        "filed",
        filing_number="HS-BA-2016-007",
        fields=("culture", "education"),
        founded=date(2016, 4, 23),
        filed=date(2016, 9, 1),
        status="deregistered",
        description="2022 年经会员大会决定解散，已注销备案。",
    ),
)


async def seed_organizations(
    session: AsyncSession, district: District, units: dict[str, OrgUnit], created: list[str]
) -> None:
    """Create the demo organizations that are missing (hubs first), and their people."""
    existing = {o.name: o for o in (await session.execute(select(Organization))).scalars()}
    users = {u.username: u.id for u in (await session.execute(select(User))).scalars()}
    for demo in sorted(DEMO_ORGANIZATIONS, key=lambda d: (not d.is_hub, bool(d.hub))):
        if demo.name in existing:
            continue
        hub = existing.get(demo.hub)
        org = await create_organization(
            session,
            district,
            OrganizationInput(
                name=demo.name,
                kind=demo.kind,
                registered_type=demo.registered_type,
                credit_code=demo.credit_code(),
                filing_number=demo.filing_number,
                legal_representative=demo.legal_representative,
                contact_name=demo.contact_name,
                contact_phone=demo.contact_phone,
                description=demo.description,
                is_hub=demo.is_hub,
                hub_id=hub.id if hub else None,
                founded_on=demo.founded,
                filed_on=demo.filed,
                registered_on=demo.registered,
                status=demo.status,
                fields=list(demo.fields),
                areas=[units[c].id for c in demo.areas if c in units],
            ),
        )
        existing[demo.name] = org
        created.append(f"organization {demo.name}")
        for username, role, title in demo.people:
            if username in users:
                session.add(
                    OrganizationMember(
                        district_id=district.id,
                        organization_id=org.id,
                        user_id=users[username],
                        role=MemberRole(role),
                        title=title,
                    )
                )
        await session.flush()
