"""The demo data: fast, idempotent, and telling the story the issue asks for."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from core.db import for_district
from core.models import OrgUnitKind
from core.organizations import Organization, is_valid_credit_code, supervised_by
from core.organizations.demo import seed_organizations
from core.plugins import PluginHost
from core.services.enablement import enable_plugin
from core.testing.cpu import thread_cpu
from core.testing.factories import make_district, make_org_unit
from plugins.incubation import reports
from plugins.incubation.models import Allocation, Assessment, Incubation, Session, Space
from plugins.incubation.seed import AUTISM, HUB, credit_code, seed_incubation


async def _demo(session: Any) -> dict[str, Any]:
    haishu = await make_district(session, "haishu", "海曙区")
    street = await make_org_unit(session, haishu, "gulou", "鼓楼街道", OrgUnitKind.STREET)
    await enable_plugin(session, haishu, PluginHost.load(None, entry_points=False), "incubation")
    for_district(session, haishu.id)
    await seed_organizations(session, haishu, {"gulou": street}, [])
    with thread_cpu() as cpu:  # this thread's CPU, the garbage collector paused
        await seed_incubation(session, haishu)
    took = cpu.seconds
    await seed_incubation(session, haishu)  # a second run adds nothing
    org = Organization
    autism = (await session.execute(select(org).where(org.name == AUTISM))).scalar_one()
    hub = (await session.execute(select(org).where(org.name == HUB))).scalar_one()
    path = (await session.execute(select(Incubation).where(Incubation.organization_id == autism.id))).scalar_one()
    figures = await reports.figures(session, Incubation.id.is_not(None))
    exit_24 = (await session.execute(select(Incubation).where(Incubation.exit_reason.like("%24 个月%")))).scalar_one()
    return {
        "took": took,
        "incubations": (await session.execute(select(func.count(Incubation.id)))).scalar_one(),
        "desks": (await session.execute(select(func.count(Space.id)).where(Space.kind == "desk"))).scalar_one(),
        "autism": (path.stage, autism.kind.value),
        "autism_sessions": (
            await session.execute(select(func.count(Session.id)).where(Session.incubation_id == path.id))
        ).scalar_one(),
        "autism_assessments": (
            await session.execute(select(func.count(Assessment.id)).where(Assessment.incubation_id == path.id))
        ).scalar_one(),
        "incubated": figures.total.incubated,
        "hub_members": len(await supervised_by(session, haishu, hub.id)),
        "exit_24": (
            (exit_24.exited_on - exit_24.resident_on).days,
            (
                await session.execute(select(Allocation.release_due_on).where(Allocation.incubation_id == exit_24.id))
            ).scalar_one(),
        ),
    }


def test_demo_tells_the_story_quickly_and_once(seed, backend):
    """12 desks; the autism group graduated with 3 sessions and 2 assessments; 40 organizations, 30 incubated;
    a hub with 6+ members; one exit after 24 months whose desk is due back; seeded in about a second, once."""
    got = seed(_demo)
    assert got["desks"] == 12
    assert got["incubations"] == 40
    assert got["autism"] == ("graduated", "registered")
    assert got["autism_sessions"] == 3 and got["autism_assessments"] == 2
    assert got["incubated"] == 30
    assert got["hub_members"] >= 6
    days, due = got["exit_24"]
    assert days >= 730 and due is not None
    if backend == "sqlite":  # what `sanshe demo` uses; the shared PostgreSQL test server is slower per round trip
        assert got["took"] < 3.0, got["took"]  # CPU seconds, about 1 on this machine


def test_demo_credit_codes_are_valid():
    """The seed's credit codes pass the registry's GB 32100 check."""
    assert is_valid_credit_code(credit_code("social_group", "MJ890001"))
    assert is_valid_credit_code(credit_code("social_service", "MJ890012"))
