"""``age_of``: what a plugin learns of a resident's age (whole years on a day), never the birth date."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update

from core.db.tenancy import for_district
from core.models import Person
from core.residents import public, service
from tests.residents.conftest import OWNER_ID


def test_age_in_whole_years_from_birth_date_or_id_number(world, seed):
    """Age counts whole years: the birthday itself adds the year; a 29 February birthday turns on 1 March;
    without a birth date the ID number's is used; unknown or other-district people give None."""

    async def ages(session):
        for_district(session, world["district"])
        leap = await service.create_person(
            session,
            world["district"],
            None,
            {"name": "闰日生", "phone": "13700000229", "birth_date": "1944-02-29", "consent_method": "written"},
        )
        owner = (await public.find_people_by_phone(session, "13777812345"))[0]
        elder = (await public.find_people_by_phone(session, "(0574)87351234"))[0]
        return {
            # OWNER_ID: born 1962-03-15 (its birth date was filled from the ID number)
            "owner_before": await public.age_of(session, owner.id, date(2026, 3, 14)),
            "owner_on": await public.age_of(session, owner.id, date(2026, 3, 15)),
            "leap_28feb": await public.age_of(session, leap.id, date(2024, 2, 28)),
            "leap_29feb": await public.age_of(session, leap.id, date(2024, 2, 29)),
            "leap_28feb_common": await public.age_of(session, leap.id, date(2026, 2, 28)),
            "leap_1mar_common": await public.age_of(session, leap.id, date(2026, 3, 1)),
            "before_birth": await public.age_of(session, leap.id, date(1940, 1, 1)),
            "unknown": await public.age_of(session, elder.id, date(2026, 12, 7)),
            "missing": await public.age_of(session, 999_999, date(2026, 12, 7)),
            "other_district": await public.age_of(session, world["stranger"], date(2026, 12, 7)),
        }

    got = seed(ages)
    assert OWNER_ID[6:14] == "19620315"
    assert (got["owner_before"], got["owner_on"]) == (63, 64)
    assert (got["leap_28feb"], got["leap_29feb"]) == (79, 80)
    assert (got["leap_28feb_common"], got["leap_1mar_common"]) == (81, 82)
    assert got["before_birth"] is None
    assert got["unknown"] is None  # no birth date, no ID number
    assert got["missing"] is None
    assert got["other_district"] is None


def test_age_from_the_id_number_when_no_birth_date_is_stored(world, seed):
    """A person whose stored birth date is empty but whose ID number is known still has an age."""

    async def age(session):
        for_district(session, world["district"])
        owner = (await public.find_people_by_phone(session, "13777812345"))[0]
        await session.execute(update(Person).where(Person.id == owner.id).values(birth_date=None))
        return await public.age_of(session, owner.id, date(2026, 12, 7))

    assert seed(age) == 64
