"""The service deliveries registry (core.deliveries) and its ``service_delivered`` hook."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from core import deliveries
from core.models import District, Person, ServiceDelivery
from core.organizations.service import OrganizationInput, create_organization
from core.plugins import PluginHost
from core.refusal import NotFound, Refusal
from core.services.enablement import enable_plugin
from core.testing.factories import make_district, make_user
from tests.deliveries import delivery_plugin

WHEN = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def host() -> PluginHost:
    return PluginHost.load(frozenset(), extra_modules=(delivery_plugin,))


@pytest.fixture
def world(seed, host):
    async def build(session):
        haishu = await make_district(session, "haishu", "海曙区")
        await make_district(session, "yinzhou", "鄞州区")
        await make_user(session, "worker", district=haishu, roles=("community_worker",))
        org = await create_organization(session, haishu, OrganizationInput(name="平桥社区老年协会", kind="filed"))
        person = Person(district_id=haishu.id, name="王阿姨", phone="13805740001")
        session.add(person)
        await session.flush()
        await enable_plugin(session, haishu, host, "delivery_test")
        return {"org": org.id, "person": person.id}

    delivery_plugin.SEEN.clear()
    return seed(build)


def test_hook_service_delivered(world, as_user):
    """Recording a delivery fires service_delivered once with the stored row; the same reference again fires nothing."""

    async def record_twice(ctx):
        first = await deliveries.record(
            ctx,
            organization_id=world["org"],
            resident_id=world["person"],
            kind="home_visit",
            reference="time_bank:service:7",
            delivered_at=WHEN,
            verified_by=ctx.user.id,
            source="time_bank",
            title="助老上门",
        )
        again = await deliveries.record(
            ctx,
            organization_id=world["org"],
            resident_id=world["person"],
            kind="home_visit",
            reference="time_bank:service:7",
            delivered_at=WHEN,
        )
        count = (await ctx.session.execute(select(func.count()).select_from(ServiceDelivery))).scalar_one()
        return first.id, again.id, first.is_rateable, count

    first_id, again_id, rateable, count = as_user("worker", record_twice)
    assert first_id == again_id
    assert rateable is True
    assert count == 1
    assert [("haishu", world["org"], "time_bank:service:7")] == delivery_plugin.SEEN


def test_unverified_or_cancelled_delivery_is_not_rateable(world, as_user):
    """A delivery recorded without a verifier, or cancelled later, cannot be rated."""

    async def run(ctx):
        plain = await deliveries.record(
            ctx,
            organization_id=world["org"],
            resident_id=world["person"],
            kind="visit",
            reference="m:1",
            delivered_at=WHEN,
        )
        verified = await deliveries.record(
            ctx,
            organization_id=world["org"],
            resident_id=world["person"],
            kind="visit",
            reference="m:2",
            delivered_at=WHEN,
            verified_by=ctx.user.id,
        )
        cancelled = await deliveries.cancel(ctx.session, "m:2")
        return plain.is_rateable, verified.id == cancelled.id, cancelled.is_rateable

    assert as_user("worker", run) == (False, True, False)


def test_bad_input_is_refused_and_nothing_written(world, as_user):
    """Unknown organization or resident, no resident, an empty reference: refused, no row, no hook."""

    async def run(ctx):
        messages = []
        for kwargs in (
            {"organization_id": 999_999, "resident_id": world["person"], "reference": "x:1"},
            {"organization_id": world["org"], "resident_id": 999_999, "reference": "x:2"},
            {"organization_id": world["org"], "reference": "x:3"},
            {"organization_id": world["org"], "resident_id": world["person"], "reference": "  "},
        ):
            try:
                await deliveries.record(ctx, kind="visit", delivered_at=WHEN, **kwargs)
            except Refusal as exc:
                messages.append(exc.zh)
        count = (await ctx.session.execute(select(func.count()).select_from(ServiceDelivery))).scalar_one()
        return messages, count

    messages, count = as_user("worker", run)
    assert messages == ["没有这个社会组织", "没有这位居民", "请指明接受服务的居民", "服务记录的编号无效"]
    assert count == 0
    assert delivery_plugin.SEEN == []


def test_a_delivery_of_another_district_is_not_found(world, seed, as_user):
    """A district sees only its own deliveries."""

    async def run(ctx):
        d = await deliveries.record(
            ctx,
            organization_id=world["org"],
            resident_id=world["person"],
            kind="visit",
            reference="m:9",
            delivered_at=WHEN,
        )
        return d.id

    delivery_id = as_user("worker", run)

    async def other(session):
        yinzhou = (await session.execute(select(District).where(District.code == "yinzhou"))).scalar_one()
        await make_user(session, "yz", district=yinzhou, roles=("community_worker",))

    seed(other)

    async def look(ctx):
        with pytest.raises(NotFound):
            await deliveries.get_delivery(ctx.session, delivery_id)
        return True

    assert as_user("yz", look, code="yinzhou")
