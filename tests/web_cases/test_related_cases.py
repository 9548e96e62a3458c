"""The case page's related cases: the same contact phone, in the district, among the cases the user may see."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from core.cases.service import create_case, get_case, update_case
from core.models import OrgUnit
from core.models.cases import Case
from core.testing.factories import make_district, make_user
from core.web.case_view import related_cases
from core.web.context import context_for
from tests.cases.conftest import RESIDENT_REQUEST
from tests.web_cases.conftest import file_case

if TYPE_CHECKING:
    from core.context import RequestContext

pytestmark = pytest.mark.usefixtures("world")

PHONE = RESIDENT_REQUEST["phone"]
OTHER = "13900139000"


def related_to(as_user: Any, username: str, reference: str) -> list[str]:
    async def fn(ctx: RequestContext) -> list[str]:
        case, definition = await get_case(ctx, reference)
        return [c.reference for c in await related_cases(ctx, case, definition)]

    return as_user(username, fn)


def new_case(as_user: Any, username: str, title: str, **data: Any) -> str:
    async def fn(ctx: RequestContext) -> str:
        case = await create_case(
            ctx, "resident_request", title=title, data={**RESIDENT_REQUEST, **data}, channel="phone"
        )
        return case.reference

    return as_user(username, fn)


def contact_phone_of(seed: Any, reference: str) -> str | None:
    async def fn(session: Any) -> str | None:
        return (await session.execute(select(Case.contact_phone).where(Case.reference == reference))).scalar_one()

    return seed(fn)


def test_related_by_phone(as_user):
    """Cases with the same phone are related, newest first; another number is not; the case itself is not."""
    first = new_case(as_user, "worker", "第一次")
    second = new_case(as_user, "worker", "第二次")
    other = new_case(as_user, "worker", "别人", phone=OTHER)
    third = new_case(as_user, "worker", "第三次")
    assert related_to(as_user, "worker", second) == [third, first]
    assert related_to(as_user, "worker", other) == []


def test_case_without_phone_has_none(as_user, seed):
    """No phone, no related cases (and no matches on an empty one)."""

    async def casework(ctx: RequestContext) -> str:
        data = {"client_name": "李", "service_line": "youth", "presenting_problem": "辍学"}
        return (await create_case(ctx, "casework", title="无电话", data=data, channel="walk_in")).reference

    as_user("social", casework)
    lone = as_user("social", casework)
    assert contact_phone_of(seed, lone) is None
    assert related_to(as_user, "social", lone) == []


def test_not_across_districts(as_user, seed, settings, host):
    """A case of another district with the same phone is never related."""
    mine = new_case(as_user, "worker", "本区")

    async def elsewhere(session: Any) -> str:
        district = await make_district(session, "jiangbei", "江北区", ref_prefix="JB")
        user = await make_user(session, "jbworker", district=district, roles=("community_worker",))
        await session.flush()
        ctx = await context_for(session, settings=settings, host=host, user=user, district=district)
        case = await create_case(ctx, "resident_request", title="外区", data=dict(RESIDENT_REQUEST), channel="phone")
        return case.reference

    theirs = seed(elsewhere)
    assert contact_phone_of(seed, theirs) == PHONE
    assert related_to(as_user, "worker", mine) == []


def test_not_invisible_ones(as_user, seed):
    """A casework case of another team with the same phone (its client_phone) is left out for who may not see it."""

    async def casework(ctx: RequestContext) -> str:
        mudan = (await ctx.session.execute(select(OrgUnit.id).where(OrgUnit.code == "mudan"))).scalar_one()
        case = await create_case(
            ctx,
            "casework",
            title="个案",
            data={
                "client_name": "张阿姨",
                "client_phone": PHONE,
                "service_line": "elderly",
                "presenting_problem": "独居",
            },
            channel="walk_in",
            team_id=mudan,
        )
        return case.reference

    hidden = as_user("social2", casework)
    assert contact_phone_of(seed, hidden) == PHONE
    request = new_case(as_user, "social", "诉求")
    assert related_to(as_user, "social", request) == []
    assert related_to(as_user, "social2", request) == [hidden]


def test_kept_current_after_an_edit(as_user, seed):
    """Changing the phone moves the case to the other number's related cases."""
    first = new_case(as_user, "worker", "第一次")
    second = new_case(as_user, "worker", "第二次")
    other = new_case(as_user, "worker", "别人", phone=OTHER)

    def edit(phone: str) -> None:
        async def fn(ctx: RequestContext) -> None:
            case, definition = await get_case(ctx, second)
            await update_case(ctx, case, definition, lock_version=case.lock_version, changes={"phone": phone})

        as_user("worker", fn)

    edit(OTHER)
    assert contact_phone_of(seed, second) == OTHER
    assert related_to(as_user, "worker", first) == []
    assert related_to(as_user, "worker", other) == [second]


def test_kept_current_by_orm_writes(as_user, seed):
    """Writes through the ORM (the builder's migration to a new version, plugins' seeds) keep it current too."""
    reference = new_case(as_user, "worker", "第一次")

    async def change(session: Any) -> None:
        case = (await session.execute(select(Case).where(Case.reference == reference))).scalar_one()
        case.data = {**case.data, "phone": OTHER}

    seed(change)
    assert contact_phone_of(seed, reference) == OTHER


def test_case_page_lists_them(browser):
    """The page's panel links the related case, filed through the web form."""
    worker = browser("worker")
    first = file_case(worker, title="第一次")
    second = file_case(worker, title="第二次")
    text = worker.get(f"/d/haishu/cases/{second}").text
    related = text[text.index('id="case-related"') :]
    assert first in related[: related.index("</section>")]
