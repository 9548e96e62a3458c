"""The organization registry's world: 海曙区 with its places, one user per role, a few organizations;
鄞州区 with an organization of its own (for tenant isolation)."""

from __future__ import annotations

import re
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

import pytest
from litestar.testing import TestClient

from core.models import OrgUnitKind
from core.models.organizations import MemberRole, OrganizationMember
from core.organizations.credit_code import make_credit_code
from core.organizations.service import OrganizationInput, create_organization
from tests.conftest import csrf_of, login
from tests.factories import make_district, make_org_unit, make_user

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
HTMX = {"HX-Request": "true"}

# Valid codes (both check characters computed): 海曙 social group, social service agency, foundation.
GROUP_CODE = make_credit_code("51330203", "MJ880001")
SERVICE_CODE = make_credit_code("52330203", "MJ880002")
FOUNDATION_CODE = make_credit_code("53330203", "MJ880003")
NEW_CODE = make_credit_code("52330203", "MJ880009")
ROLES = ("district_admin", "community_worker", "social_worker", "org_staff", "volunteer", "resident", "expert")


@pytest.fixture
def world(seed: Any) -> dict[str, int]:
    """Ids of what the tests use: the hub 服务中心, the autism association (orgstaff leads it), 老年协会, 鄞州's org."""

    async def build(session: Any) -> dict[str, int]:
        haishu = await make_district(session, "haishu", "海曙区", ref_prefix="HS")
        yinzhou = await make_district(session, "yinzhou", "鄞州区", name_en="Yinzhou", ref_prefix="YZ")
        street = await make_org_unit(session, haishu, "gulou", "鼓楼街道", OrgUnitKind.STREET)
        pingqiao = await make_org_unit(session, haishu, "pingqiao", "平桥社区", OrgUnitKind.COMMUNITY, street)
        for role in ROLES:
            await make_user(session, f"u-{role}", district=haishu, roles=(role,))
        await make_user(session, "yz-admin", district=yinzhou, roles=("district_admin",))
        hub = await create_organization(
            session,
            haishu,
            OrganizationInput(
                name="海曙区社会组织服务中心",
                kind="registered",
                registered_type="social_service",
                credit_code=SERVICE_CODE,
                is_hub=True,
                fields=["governance"],
            ),
        )
        autism = await create_organization(
            session,
            haishu,
            OrganizationInput(
                name="海曙区自闭症儿童家长互助协会",
                kind="registered",
                registered_type="social_group",
                credit_code=GROUP_CODE,
                hub_id=hub.id,
                fields=["disability", "children"],
                areas=[street.id],
                contact_phone="13805741003",
            ),
        )
        elderly = await create_organization(
            session,
            haishu,
            OrganizationInput(name="平桥社区老年协会", kind="filed", fields=["elderly"], areas=[pingqiao.id]),
        )
        from sqlalchemy import select

        from core.models import User

        staff_id = (await session.execute(select(User.id).where(User.username == "u-org_staff"))).scalar_one()
        session.add(
            OrganizationMember(
                district_id=haishu.id, organization_id=autism.id, user_id=staff_id, role=MemberRole.LEADER, title="会长"
            )
        )
        other = await create_organization(
            session,
            yinzhou,
            OrganizationInput(
                name="鄞州秘密基金会", kind="registered", registered_type="foundation", credit_code=FOUNDATION_CODE
            ),
        )
        await session.flush()
        return {
            "hub": hub.id,
            "autism": autism.id,
            "elderly": elderly.id,
            "other": other.id,
            "street": street.id,
            "pingqiao": pingqiao.id,
            "haishu": haishu.id,
        }

    return seed(build)


@pytest.fixture
def browser(app: Any, world: Any) -> Iterator[Callable[[str], TestClient[Any]]]:
    """``browser(name)``: a client logged in as that user (one per name)."""
    clients: dict[str, TestClient[Any]] = {}
    with ExitStack() as stack:

        def open_as(username: str) -> TestClient[Any]:
            if username not in clients:
                client = login(stack.enter_context(TestClient(app=app)), username)
                client.headers.update({"x-csrftoken": csrf_of(client, "/me")})  # for the JSON API
                clients[username] = client
            return clients[username]

        yield open_as


def csrf(client: TestClient[Any], url: str) -> str:
    """The CSRF token of the page at ``url``."""
    match = CSRF.search(client.get(url).text)
    assert match, url
    return match.group(1)
