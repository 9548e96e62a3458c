"""``gender_of`` and ``is_household_member``: what a plugin may ask the register of a person — a gender, a yes /
no / unknown about households — never the ID number or the address."""

from __future__ import annotations

from sqlalchemy import update

from core.db.tenancy import for_district
from core.models import District, OrgUnit, OrgUnitKind, Person
from core.residents import public, service
from tests.factories import make_org_unit


def test_gender_from_the_record_or_the_id_numbers_17th_digit(world, seed):
    """The recorded gender wins; else the ID number's 17th digit (odd: male, even: female); else unknown."""

    async def genders(session):
        for_district(session, world["district"])
        before = await public.gender_of(session, world["elder"])
        await session.execute(update(Person).where(Person.id == world["elder"]).values(gender="male"))
        return {
            "owner": await public.gender_of(session, world["owner"]),  # ID …0425: 17th digit 2
            "elder_unknown": before,
            "elder_recorded": await public.gender_of(session, world["elder"]),
            "missing": await public.gender_of(session, 999_999),
            "other_district": await public.gender_of(session, world["stranger"]),
        }

    got = seed(genders)
    assert got == {
        "owner": "female",
        "elder_unknown": None,
        "elder_recorded": "male",
        "missing": None,
        "other_district": None,
    }


def test_household_membership_within_a_unit_and_by_relation(world, seed):
    """Yes when a household of the person lies in the unit's subtree (estate, community, street) with a wanted
    relation; no when none does; unknown for a person in no household, not in the district, or not at all."""

    async def answers(session):
        district = world["district"]
        for_district(session, district)
        elsewhere = await make_org_unit(
            session, await session.get(District, district), "baiyun", "白云街道", OrgUnitKind.STREET
        )
        lonely = await service.create_person(session, district, None, {"name": "无户人", "phone": "13600000001"})
        estate = world["estate"]
        community = await _parent(session, estate)
        street = await _parent(session, community)
        ask = public.is_household_member
        return {
            "anywhere": await ask(session, world["owner"]),
            "estate": await ask(session, world["owner"], within=estate),
            "community": await ask(session, world["owner"], within=community),
            "street": await ask(session, world["owner"], within=street),
            "other_street": await ask(session, world["owner"], within=elsewhere.id),
            "owner_as_tenant": await ask(session, world["owner"], relations=("tenant",)),
            "co_owner_as_owner": await ask(session, world["wife"], relations=("owner", "co_owner")),
            "co_owner_in_street": await ask(session, world["wife"], within=street, relations=("owner", "co_owner")),
            "no_household": await ask(session, lonely.id),
            "no_household_within": await ask(session, lonely.id, within=street),
            "other_district": await ask(session, world["stranger"]),
            "missing": await ask(session, 999_999),
        }

    got = seed(answers)
    assert got == {
        "anywhere": True,
        "estate": True,
        "community": True,
        "street": True,
        "other_street": False,
        "owner_as_tenant": False,
        "co_owner_as_owner": True,
        "co_owner_in_street": True,
        "no_household": None,
        "no_household_within": None,
        "other_district": None,
        "missing": None,
    }


async def _parent(session, unit_id: int) -> int:
    unit = await session.get(OrgUnit, unit_id)
    return unit.parent_id
