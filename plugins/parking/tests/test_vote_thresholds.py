"""The owners' vote on a convention, at the Civil Code art. 278 thresholds exactly and one owner or 0.01 m² short.

Participation: at least 2/3 of the owners AND at least 2/3 of the floor area of the frozen
electorate take part. Adoption: more than 1/2 of the participating owners AND area agree
(at least 3/4 of each for a major matter). Ballots are entered by staff on paper here;
abstentions take part but do not agree.
"""

from __future__ import annotations

import itertools
from typing import Any

from core.models import OrgUnit, OrgUnitKind
from core.residents.public import NewHousehold, register_households
from core.testing.factories import make_org_unit
from plugins.parking import conventions, service
from plugins.parking.tests.support import haishu

_codes = itertools.count()


async def _scenario(session: Any, world: Any, areas: list[str], choices: list[str | None], major: bool = False):
    """A fresh estate whose owners hold ``areas``; household i votes ``choices[i]`` (None: does not vote)."""
    district = await haishu(session)
    parent = await session.get(OrgUnit, world.yanyue)
    code = f"t{next(_codes)}"
    unit = await make_org_unit(session, district, code, f"测试小区{code}", OrgUnitKind.ESTATE, parent)
    rows = [NewHousehold("1", "1", str(i), a, f"业主{code}-{i}") for i, a in enumerate(areas)]
    ids = await register_households(session, district.id, unit.id, rows)
    estate = await service.create_estate(session, district.id, unit.id)
    convention = await conventions.create_convention(
        session, estate, {"title": "停车公约", "body": "正文", "major": "on" if major else ""}, None
    )
    await conventions.put_to_vote(session, convention, user_id=None)
    for household, choice in zip(ids, choices, strict=True):
        if choice is not None:
            await conventions.cast(
                session, convention, household, choice, channel="paper", entered_by=world.users["worker"]
            )
    result = await conventions.close(session, convention)
    return convention.status, result.outcome.value, result.decided_by


def test_participation_at_two_thirds_of_owners_and_area_and_just_below(world, seed):
    """8 of 12 owners with 800 of 1,200 m² is a quorum; 7 of 12 is not; 799.99 of 1,199.99 m² is not."""

    async def run(session):
        twelve = ["100.00"] * 12
        exact = await _scenario(session, world, twelve, ["for"] * 8 + [None] * 4)
        one_short = await _scenario(session, world, twelve, ["for"] * 7 + [None] * 5)
        # The 99.99 m² flat takes part: 799.99 of 1,199.99 m² is 0.0033 m² under two-thirds.
        area_short = await _scenario(session, world, ["99.99"] + ["100.00"] * 11, ["for"] * 8 + [None] * 4)
        # The same electorate, the 99.99 m² flat stays home: 800.00 of 1,199.99 m² is a quorum.
        area_enough = await _scenario(session, world, ["99.99"] + ["100.00"] * 11, [None] + ["for"] * 8 + [None] * 3)
        return exact, one_short, area_short, area_enough

    exact, one_short, area_short, area_enough = seed(run)
    assert exact == ("adopted", "passed", "pass")
    assert one_short == ("rejected", "no_quorum", "quorum_heads")
    assert area_short == ("rejected", "no_quorum", "quorum_weight")
    assert area_enough == ("adopted", "passed", "pass")


def test_adoption_needs_more_than_half_of_participating_owners_and_area(world, seed):
    """Of 8 taking part, 4 for is exactly half and fails, 5 passes; by area exactly half fails, 0.01 m² more passes."""

    async def run(session):
        eight = ["100.00"] * 8
        half = await _scenario(session, world, eight, ["for"] * 4 + ["against"] * 3 + ["abstain"])
        five = await _scenario(session, world, eight, ["for"] * 5 + ["against"] * 2 + ["abstain"])
        # Heads 5 of 8 agree, area 300.00 of 600.00 (exactly half; one 100 m² owner abstains); 4 (300 m²) stay home.
        areas = ["60.00"] * 5 + ["100.00"] * 3 + ["75.00"] * 4
        area_half = await _scenario(session, world, areas, ["for"] * 5 + ["against"] * 2 + ["abstain"] + [None] * 4)
        areas_plus = ["60.01"] + ["60.00"] * 4 + ["100.00"] * 3 + ["75.00"] * 4
        area_plus = await _scenario(
            session, world, areas_plus, ["for"] * 5 + ["against"] * 2 + ["abstain"] + [None] * 4
        )
        return half, five, area_half, area_plus

    half, five, area_half, area_plus = seed(run)
    assert half == ("rejected", "failed", "pass_heads")
    assert five == ("adopted", "passed", "pass")
    assert area_half == ("rejected", "failed", "pass_weight")
    assert area_plus == ("adopted", "passed", "pass")


def test_major_matter_needs_three_quarters(world, seed):
    """A major matter (renting common land to outsiders): 6 of 8 is exactly 3/4 and passes, 5 of 8 fails."""

    async def run(session):
        eight = ["100.00"] * 8
        six = await _scenario(session, world, eight, ["for"] * 6 + ["against"] * 2, major=True)
        five = await _scenario(session, world, eight, ["for"] * 5 + ["against"] * 3, major=True)
        return six, five

    six, five = seed(run)
    assert six == ("adopted", "passed", "pass")
    assert five == ("rejected", "failed", "pass_heads")
