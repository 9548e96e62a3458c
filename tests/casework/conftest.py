"""Casework's world: 海曙区 with two streets; social workers, supervisors, a community worker, a district admin."""

from __future__ import annotations

from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from core.models import OrgUnitKind
from core.models.cases import CaseRead
from core.testing import csrf_of, login
from core.testing.factories import make_district, make_org_unit, make_user

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

API = "/api/v1/districts/haishu"
PAGES = "/d/haishu"
CLIENT = {"client_name": "林晓雨", "service_line": "youth", "presenting_problem": "车祸受伤，母亲癌症化疗中"}


@pytest.fixture
def world(seed: Any) -> dict[str, int]:
    """鼓楼街道 → 平桥社区 (social, worker), 牡丹社区 (social2); 西门街道 (supervisor2);
    supervisor at 鼓楼街道 (so over 平桥 and 牡丹); dadmin the district admin."""

    async def build(session: Any) -> dict[str, int]:
        district = await make_district(session, "haishu", "海曙区", ref_prefix="HS")
        gulou = await make_org_unit(session, district, "gulou", "鼓楼街道", OrgUnitKind.STREET)
        ximen = await make_org_unit(session, district, "ximen", "西门街道", OrgUnitKind.STREET)
        pingqiao = await make_org_unit(session, district, "pingqiao", "平桥社区", OrgUnitKind.COMMUNITY, gulou)
        mudan = await make_org_unit(session, district, "mudan", "牡丹社区", OrgUnitKind.COMMUNITY, gulou)
        await make_user(session, "social", district=district, roles=("social_worker",), org_unit=pingqiao)
        await make_user(session, "social2", district=district, roles=("social_worker",), org_unit=pingqiao)
        await make_user(session, "social3", district=district, roles=("social_worker",), org_unit=mudan)
        await make_user(session, "worker", district=district, roles=("community_worker",), org_unit=pingqiao)
        await make_user(session, "supervisor", district=district, roles=("casework_supervisor",), org_unit=gulou)
        await make_user(session, "supervisor2", district=district, roles=("casework_supervisor",), org_unit=ximen)
        await make_user(session, "dadmin", district=district, roles=("district_admin",))
        return {"district_id": district.id, "pingqiao": pingqiao.id, "mudan": mudan.id}

    return seed(build)  # type: ignore[no-any-return]


@pytest.fixture
def api(app: Any) -> Iterator[Callable[[str], TestClient[Any]]]:
    """``api(name)``: a client logged in as ``name``, sending the CSRF header (for the API and the pages)."""
    with ExitStack() as stack:

        def make(username: str) -> TestClient[Any]:
            client = stack.enter_context(TestClient(app=app))
            login(client, username)
            client.headers.update({"x-csrftoken": csrf_of(client, "/me")})
            return client

        yield make


def new_casework(client: TestClient[Any], team_id: int, **data: Any) -> str:
    """File a casework case over the API for ``team_id``'s team; its reference."""
    body = {"type": "casework", "title": "车祸受伤个案", "channel": "walk_in", "team_id": team_id}
    response = client.post(f"{API}/cases", json={**body, "data": {**CLIENT, **data}})
    assert response.status_code == 201, response.text
    return str(response.json()["reference"])


def reads_of(seed: Any, reference: str) -> list[tuple[str, str]]:
    """(username, via) of every read logged of the case, oldest first."""
    from core.models import User
    from core.models.cases import Case

    async def run(session: Any) -> list[tuple[str, str]]:
        rows = await session.execute(
            select(User.username, CaseRead.via)
            .join(Case, Case.id == CaseRead.case_id)
            .join(User, User.id == CaseRead.user_id)
            .where(Case.reference == reference)
            .order_by(CaseRead.id)
        )
        return [tuple(r) for r in rows]

    return seed(run)  # type: ignore[no-any-return]
