"""Desk occupancy over a year is one SQL statement (not one per day), and its figures match a hand count: half-open
periods (a desk handed back on the first of a month is free that day), open-ended ones, one desk held twice in a
year counted once a day, offices left out, only this district's desks."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import event

from core.plugin_api import for_district
from plugins.incubation import reports
from plugins.incubation.models import Allocation, Space
from plugins.incubation.routes import _month_starts
from plugins.incubation.tests.support import apply_as, district, today


def test_occupancy_is_one_query_and_matches_a_hand_count(as_user, world, seed):
    """D-1 from three month-starts ago (open); D-2 for the month two month-starts ago and again from the last
    month-start; the office all along; a desk of 鄞州区 not counted. Month-starts: 0 of 3 desks up to four ago,
    then 1, 2 (D-2's first spell ends on the next first: free that day, taken again by its second spell) and 2."""
    member = apply_as(as_user, world)
    outsider = apply_as(as_user, world, organization_id=world.outsider)
    months = _month_starts(today())

    async def run(session: Any) -> tuple[list[tuple[date, int, int]], int]:
        haishu, yinzhou = await district(session), await district(session, "yinzhou")
        for_district(session, yinzhou.id)
        session.add(Space(district_id=yinzhou.id, incubator_id=world.incubator, code="YZ-1", kind="desk"))
        await session.flush()
        for_district(session, haishu.id)
        d1, d2, _d3 = world.desks
        session.add_all(
            [
                Allocation(district_id=haishu.id, space_id=d1, incubation_id=member, starts_on=months[-3]),
                Allocation(
                    district_id=haishu.id,
                    space_id=d2,
                    incubation_id=outsider,
                    starts_on=months[-2] - timedelta(days=3),
                    ends_on=months[-1],
                ),
                Allocation(district_id=haishu.id, space_id=d2, incubation_id=member, starts_on=months[-1]),
                Allocation(
                    district_id=haishu.id, space_id=world.office, incubation_id=outsider, starts_on=date(2020, 1, 1)
                ),
            ]
        )
        await session.flush()
        statements: list[str] = []

        def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            statements.append(statement)

        engine = session.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        try:
            rows = await reports.occupancy(session, months)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return rows, len(statements)

    rows, statements = seed(run)
    assert statements == 1, f"desk occupancy ran {statements} SQL statements"
    assert [r[0] for r in rows] == months
    assert all(total == 3 for _day, _taken, total in rows)
    assert [taken for _day, taken, _total in rows] == [0] * 9 + [1, 2, 2]
