"""A verified time-bank service becomes a rateable delivery of the bank's organization (core deliveries registry)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from core.i18n import TIMEZONE
from core.models import District
from core.models.deliveries import ServiceDelivery
from core.organizations.service import OrganizationInput, create_organization
from core.services.enablement import enable_plugin
from core.testing import login
from core.testing.browser import serve
from core.testing.races import Call, fire
from plugins.time_bank.models import Service
from plugins.time_bank.tests.support import post_need, step

TODAY = datetime.now(TIMEZONE).date().isoformat()


def _registered(seed, host) -> int:
    """The organization that runs 平桥时间银行 is in the registry and the bank is linked to it (as its
    settings page does); the rating plugin is on in 海曙区."""

    async def make(session):
        from plugins.time_bank.models import Bank

        haishu = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        await enable_plugin(session, haishu, host, "rating")
        org = await create_organization(
            session, haishu, OrganizationInput(name="平桥社区社会工作服务中心", kind="filed")
        )
        bank = (await session.execute(select(Bank).where(Bank.name == "平桥时间银行"))).scalar_one()
        bank.organization_id = org.id
        return org.id

    return seed(make)


def _served(as_user, world, bank: int) -> str:
    ref = as_user("resident", lambda ctx: post_need(ctx, bank, title="陪王阿姨聊天"))
    as_user("volunteer", lambda ctx: step(ctx, ref, "match", volunteer=world.users["volunteer"]))
    as_user("volunteer", lambda ctx: step(ctx, ref, "complete", served_on=TODAY, minutes=60))
    return ref


async def _deliveries(session):
    return list((await session.execute(select(ServiceDelivery).order_by(ServiceDelivery.id))).scalars())


async def _service_id(session, ref):
    from core.models.cases import Case

    query = select(Service.id).join(Case, Case.id == Service.case_id).where(Case.reference == ref)
    return (await session.execute(query)).scalar_one()


def test_confirmed_service_is_a_delivery_the_resident_can_rate(as_user, world, seed, host, client):
    """Confirming records one verified delivery (kind, reference, resident); 评价我接受的服务 lists it to rate."""
    org = _registered(seed, host)
    ref = _served(as_user, world, world.bank)
    assert seed(_deliveries) == []  # recorded hours alone are not a delivery
    as_user("resident", lambda ctx: step(ctx, ref, "verify"))
    (delivery,) = seed(_deliveries)
    service_id = seed(lambda s: _service_id(s, ref))
    assert (delivery.kind, delivery.reference, delivery.source) == (
        "time_bank.service",
        f"time_bank:service:{service_id}",
        "time_bank",
    )
    assert delivery.organization_id == org
    assert delivery.user_id == world.users["resident"]
    assert delivery.verified_by_id == world.users["resident"]
    assert delivery.is_rateable
    assert "陪王阿姨聊天" in delivery.title
    login(client, "resident")
    mine = client.get("/d/haishu/rating/mine").text
    assert "陪王阿姨聊天" in mine
    assert f"/rating/deliveries/{delivery.id}/rate" in mine


def test_a_bank_whose_organization_is_not_registered_records_nothing(as_user, world, seed, host):
    """牡丹时间银行's 牡丹社区志愿者协会 is not in the registry: its confirmed service has nobody to rate."""
    _registered(seed, host)

    async def join(session):
        from core.models import User
        from plugins.time_bank.models import Bank
        from plugins.time_bank.tests.support import _member

        bank = (await session.execute(select(Bank).where(Bank.id == world.other_bank))).scalar_one()
        for name, flags in (("volunteer", {"is_volunteer": True}), ("resident", {"is_resident": True})):
            user = (await session.execute(select(User).where(User.username == name))).scalar_one()
            await _member(session, bank, user, **flags)

    seed(join)
    ref = _served(as_user, world, world.other_bank)
    case = as_user("resident", lambda ctx: step(ctx, ref, "verify"))
    assert case.state == "credited"
    assert seed(_deliveries) == []


def test_parallel_confirmations_record_one_delivery(app, as_user, world, seed, host):
    """The served resident's 8 confirmations sent at once: one succeeds, the others are refused; one delivery."""
    _registered(seed, host)
    ref = _served(as_user, world, world.bank)
    path = f"/api/v1/districts/haishu/time-bank/services/{ref}/actions"
    calls = [Call("POST", path, json={"action": "confirm"}, token=world.tokens["resident"]) for _ in range(8)]
    with serve(app) as url:
        responses = fire(url, calls)
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1, [r.text[:200] for r in responses]
    assert all(400 <= s < 500 for s in statuses if s != 201), statuses
    assert [d.reference for d in seed(_deliveries)] == [f"time_bank:service:{seed(lambda s: _service_id(s, ref))}"]
