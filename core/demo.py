"""The demo district 海曙区 (``haishu``): places, people, every installed plugin on.

:func:`seed_demo` is idempotent: it looks each thing up by its natural key (district
code, org-unit code, username, membership) and creates only what is missing, so running
``sanshe demo`` twice duplicates nothing. A demo user's password is set when the user is
created and left alone afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.auth.passwords import hash_password, needs_rehash
from core.casework.demo import seed_casework
from core.db.base import utcnow
from core.db.tenancy import for_district
from core.demo_requests import seed_requests
from core.models import District, Membership, OrgUnit, OrgUnitKind, User
from core.organizations.demo import seed_organizations
from core.plugins.asyncio import await_me_maybe
from core.plugins.enabled import enabled_keys
from core.rbac import bump_policy_version
from core.rbac.enforcer import loads_deferred
from core.services.enablement import enable_plugin
from core.services.policies import ensure_district_defaults

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugins.host import PluginHost

__all__ = (
    "DEMO_DISTRICT",
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "DemoResult",
    "DemoUser",
    "demo_password_hash",
    "plugin_order",
    "seed_demo",
)

DEMO_PASSWORD = "sanshe-demo"  # noqa: S105 - the published demo password
DEMO_DISTRICT = {"code": "haishu", "name_zh": "海曙区", "name_en": "Haishu District", "ref_prefix": "HS"}

_demo_hash: list[str] = []


def demo_password_hash() -> str:
    """A hash of :data:`DEMO_PASSWORD`, made once per process for every demo user of every seed.

    The demo users share a published password; with production parameters each hash costs
    about half a second on a 2-core machine, and ``sanshe demo`` made one per plugin.
    """
    if not _demo_hash or needs_rehash(_demo_hash[0]):  # hashing parameters changed (tests make them cheap)
        _demo_hash[:] = [hash_password(DEMO_PASSWORD)]
    return _demo_hash[0]


# (code, zh name, en name, kind, parent code): 鼓楼街道 → 平桥社区 (→ 偃月小区), 牡丹社区.
DEMO_UNITS: tuple[tuple[str, str, str, OrgUnitKind, str | None], ...] = (
    ("gulou", "鼓楼街道", "Gulou Subdistrict", OrgUnitKind.STREET, None),
    ("pingqiao", "平桥社区", "Pingqiao Community", OrgUnitKind.COMMUNITY, "gulou"),
    ("mudan", "牡丹社区", "Mudan Community", OrgUnitKind.COMMUNITY, "gulou"),
    ("yanyue", "偃月小区", "Yanyue Estate", OrgUnitKind.ESTATE, "pingqiao"),
    # Departments of the three-level response: their codes are the resident request's
    # `department` choices, so a department user sees the requests sent to their unit.
    ("civil_affairs", "鼓楼街道民政办", "Gulou Civil Affairs Office", OrgUnitKind.DEPARTMENT, "gulou"),
    ("city_management", "鼓楼城管中队", "Gulou City Management Squad", OrgUnitKind.DEPARTMENT, "gulou"),
)


@dataclass(frozen=True)
class DemoUser:
    """A demo login: its role in the demo district (none for the platform admin) and org unit."""

    username: str
    display_name: str
    role: str | None
    what_zh: str
    what_en: str
    org_unit: str | None = None
    platform_admin: bool = False


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "平台管理员", None, "平台管理员", "platform admin", platform_admin=True),
    DemoUser("district-admin", "区管理员 王芳", "district_admin", "区管理员", "district admin"),
    DemoUser("worker", "社区工作者 李娜", "community_worker", "社区工作者", "community worker", "pingqiao"),
    DemoUser("social", "社工 陈静", "social_worker", "社工", "social worker"),
    DemoUser("volunteer", "志愿者 张伟", "volunteer", "志愿者", "volunteer"),
    DemoUser("resident", "居民 刘洋", "resident", "居民", "resident", "yanyue"),
    DemoUser("expert", "评审专家 赵敏", "expert", "评审专家", "expert reviewer"),
    DemoUser("orgstaff", "社会组织 陈海燕", "org_staff", "社会组织工作人员", "organization staff"),
    DemoUser(
        "dept-civil",
        "民政办 孙丽",
        "department_staff",
        "职能部门（民政）",
        "department staff (civil affairs)",
        "civil_affairs",
    ),
    DemoUser("town-office", "镇长办公室 周强", "town_office", "镇长办公室", "town head's office"),
    DemoUser("supervisor", "社工督导 吴敏", "casework_supervisor", "社工督导", "casework supervisor", "gulou"),
)


@dataclass
class DemoResult:
    """What :func:`seed_demo` did: the district, what it created this time, the plugins enabled."""

    district: District
    created: list[str] = field(default_factory=list)
    plugins: list[str] = field(default_factory=list)


async def _district(session: AsyncSession, created: list[str]) -> District:
    district = (
        await session.execute(select(District).where(District.code == DEMO_DISTRICT["code"]))
    ).scalar_one_or_none()
    if district is None:
        district = District(**DEMO_DISTRICT)
        session.add(district)
        await session.flush()
        created.append(f"district {district.code}")
    return district


async def _units(session: AsyncSession, district: District, created: list[str]) -> dict[str, OrgUnit]:
    units = {
        u.code: u for u in (await session.execute(select(OrgUnit).where(OrgUnit.district_id == district.id))).scalars()
    }
    for code, name_zh, name_en, kind, parent in DEMO_UNITS:
        if code in units:
            continue
        unit = OrgUnit(
            district_id=district.id,
            code=code,
            name_zh=name_zh,
            name_en=name_en,
            kind=kind,
            parent_id=units[parent].id if parent else None,
        )
        session.add(unit)
        await session.flush()
        units[code] = unit
        created.append(f"org unit {code}")
    return units


async def _users(session: AsyncSession, district: District, units: dict[str, OrgUnit], created: list[str]) -> None:
    memberships_added = False
    for demo in DEMO_USERS:
        user = (await session.execute(select(User).where(User.username == demo.username))).scalar_one_or_none()
        if user is None:
            user = User(
                username=demo.username,
                display_name=demo.display_name,
                password_hash=demo_password_hash(),
                is_platform_admin=demo.platform_admin,
            )
            session.add(user)
            await session.flush()
            created.append(f"user {demo.username}")
        if demo.role is None:
            continue
        unit_id = units[demo.org_unit].id if demo.org_unit else None
        existing = (
            await session.execute(
                select(Membership.id).where(
                    Membership.user_id == user.id,
                    Membership.district_id == district.id,
                    Membership.role_key == demo.role,
                    Membership.org_unit_id.is_(None) if unit_id is None else Membership.org_unit_id == unit_id,
                )
            )
        ).first()
        if existing is None:
            session.add(Membership(user_id=user.id, district_id=district.id, role_key=demo.role, org_unit_id=unit_id))
            memberships_added = True
            created.append(f"membership {demo.username}:{demo.role}")
    await session.flush()
    if memberships_added:
        await bump_policy_version(session, district)


# 偃月小区's demo households: (building, unit, room, m²) and members (name, phone, relation,
# ID number or "", demo username or ""); then plates (household index, plate, owner name or "").
DEMO_HOUSEHOLDS: tuple[tuple[tuple[str, str, str, str], tuple[tuple[str, str, str, str, str], ...]], ...] = (
    (
        ("3", "1", "501", "89.50"),
        (("刘洋", "13858012345", "owner", "", "resident"), ("周敏", "13957423456", "family", "", "")),
    ),
    (
        ("3", "1", "502", "76.32"),
        (
            ("王建国", "0574-87351234", "owner", "330203195809020313", ""),
            ("孙秀英", "0574-87351234", "co_owner", "", ""),
        ),
    ),
    (
        ("5", "2", "301", "102.18"),
        (("陈立", "13605741234", "owner", "", ""), ("吴晓峰", "18868712345", "tenant", "", "")),
    ),
    (("5", "2", "302", "89.50"), (("黄美华", "13777812345", "owner", "330203196203150425", ""),)),
)
DEMO_PLATES: tuple[tuple[int, str, str], ...] = (
    (0, "浙B8K2M6", "刘洋"),
    (2, "浙BD12345", "吴晓峰"),
    (3, "浙B5G7H3", "黄美华"),
)


async def _residents(session: AsyncSession, district: District, estate: OrgUnit, created: list[str]) -> None:
    """A few households of 偃月小区 with owners, floor areas and cars (only when the estate has none)."""
    from core.forms.formats import area_to_hundredths  # noqa: PLC0415
    from core.models import Household, HouseholdMember, Person, Vehicle  # noqa: PLC0415

    if (await session.execute(select(Household.id).where(Household.estate_id == estate.id).limit(1))).first():
        return
    users = dict(list((await session.execute(select(User.username, User.id))).tuples()))
    people: dict[str, Person] = {}
    households: list[Household] = []
    for (building, unit, room, area), members in DEMO_HOUSEHOLDS:
        household = Household(
            district_id=district.id,
            estate_id=estate.id,
            building=building,
            unit=unit,
            room=room,
            area_centi=area_to_hundredths(area),
            notes="",
        )
        session.add(household)
        await session.flush()
        households.append(household)
        for name, phone, relation, id_number, username in members:
            person = Person(
                district_id=district.id,
                name=name,
                phone=phone,
                id_number=id_number or None,
                gender="",
                consent_method="written" if id_number else "",
                consent_at=utcnow() if id_number else None,
                notes="",
                user_id=users.get(username) if username else None,
            )
            if id_number:
                from core.forms.formats import id_number_birth_date  # noqa: PLC0415

                person.birth_date = id_number_birth_date(id_number)
            session.add(person)
            await session.flush()
            people[name] = person
            session.add(
                HouseholdMember(
                    district_id=district.id, household_id=household.id, person_id=person.id, relation=relation
                )
            )
    for index, plate, owner in DEMO_PLATES:
        session.add(
            Vehicle(
                district_id=district.id,
                plate=plate,
                household_id=households[index].id,
                person_id=people[owner].id if owner else None,
                notes="",
            )
        )
    await session.flush()
    created.append(f"{len(households)} demo households")


def plugin_order(host: PluginHost) -> list[str]:
    """Installed plugin keys, each after the plugins it depends on (then by key)."""
    plugins = {p.key: p for p in host.plugins}
    order: list[str] = []

    def visit(key: str, trail: tuple[str, ...] = ()) -> None:
        if key in order or key not in plugins or key in trail:
            return
        for dep in sorted(plugins[key].manifest.depends_on):
            visit(dep, (*trail, key))
        order.append(key)

    for key in sorted(plugins):
        visit(key)
    return order


def _context_maker(session: AsyncSession, district: District, host: PluginHost) -> Any:
    """``await make(user)``: a request context of ``user`` in the demo district (to act as them in the seed)."""
    from pathlib import Path  # noqa: PLC0415

    from core.config import Settings  # noqa: PLC0415
    from core.context import context_for  # noqa: PLC0415

    settings = Settings(database_url="", secret_key="unused", var_dir=Path("var"))  # noqa: S106

    async def make(user: User) -> Any:
        return await context_for(session, settings=settings, host=host, user=user, district=district, locale="zh_CN")

    return make


async def seed_demo(session: AsyncSession, host: PluginHost) -> DemoResult:
    """Create (or complete) the demo district, its places and users, enable every plugin and seed its data.

    Each plugin's ``seed_demo(session=..., district=...)`` hook runs with the session bound
    to the demo district (:func:`core.db.tenancy.for_district`); hooks must be idempotent.
    The caller commits.
    """
    created: list[str] = []
    district = await _district(session, created)
    result = DemoResult(district=district, created=created)
    async with loads_deferred(session):  # roles granted to every demo user: the rules load once
        await ensure_district_defaults(session, district)
        units = await _units(session, district, result.created)
        await _users(session, district, units, result.created)
        await _residents(session, district, units["yanyue"], result.created)
    for_district(session, district.id)
    try:
        await seed_organizations(session, district, units, result.created)
        made = await seed_requests(session, district, host, _context_maker(session, district, host))
        result.created.extend(f"request {ref}" for ref in made)
        made = await seed_casework(session, district, _context_maker(session, district, host))
        result.created.extend(f"casework {ref}" for ref in made)
    finally:
        for_district(session, None)
    async with loads_deferred(session):  # each module's roles and permissions: the rules load once
        for key in plugin_order(host):
            if key not in await enabled_keys(session, district, host):
                await enable_plugin(session, district, host, key)
                result.created.append(f"plugin {key} enabled")
            result.plugins.append(key)
    for key in result.plugins:
        for_district(session, district.id)
        try:
            await await_me_maybe(host.call_for(key, "seed_demo", session=session, district=district))
            await session.flush()
        finally:
            for_district(session, None)
    return result
