"""Desks (exclusive for a period, moves, release at exit) and the scheduled reminders on the working-day calendar."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from core.i18n import TIMEZONE
from core.models.notifications import Notification
from core.scheduler import JobContext
from plugins.incubation import desks, jobs
from plugins.incubation.models import Allocation, Incubation
from plugins.incubation.tests.support import apply_as, call, district, incubation, step, to_resident, today


def _allocate(as_user: Any, inc: int, **data: Any) -> Any:
    async def run(ctx: Any) -> Any:
        return await desks.allocate(ctx, await incubation(ctx, inc), data)

    return call(as_user, run)


def test_desk_periods_never_overlap_but_may_follow(as_user, world):
    """D-1 is given Jan–Jun: a second organization may not have it in March, but may from July (half-open)."""
    first = apply_as(as_user, world)
    second = apply_as(as_user, world, organization_id=world.outsider)
    desk = world.desks[0]
    assert not isinstance(_allocate(as_user, first, space_id=desk, starts_on="2026-01-01", ends_on="2026-07-01"), str)
    assert "已分配" in _allocate(as_user, second, space_id=desk, starts_on="2026-03-01", ends_on="2026-04-01")
    assert "已分配" in _allocate(as_user, second, space_id=desk, starts_on="2025-12-01")  # open-ended overlaps
    assert not isinstance(_allocate(as_user, second, space_id=desk, starts_on="2026-07-01"), str)


def test_shared_room_takes_up_to_its_capacity(as_user, world):
    """The office seats two organizations at once; a third is told it is full."""
    incs = [
        apply_as(as_user, world),
        apply_as(as_user, world, organization_id=world.outsider),
        apply_as(as_user, world, organization_id=world.hub),
    ]
    for inc in incs[:2]:
        assert not isinstance(_allocate(as_user, inc, space_id=world.office), str)
    assert "已满" in _allocate(as_user, incs[2], space_id=world.office)


def test_move_ends_the_old_desk_and_starts_the_new(as_user, world):
    """Moving from D-1 to D-2 on a day closes D-1 that day and opens D-2 from it."""
    inc = apply_as(as_user, world)
    first = _allocate(as_user, inc, space_id=world.desks[0], starts_on="2026-01-01")
    moved_on = "2026-02-01"

    async def move(ctx: Any) -> Any:
        return await desks.move(ctx, await incubation(ctx, inc), first.id, {"space_id": world.desks[1], "on": moved_on})

    call(as_user, move)

    async def rows(ctx: Any) -> list[tuple[str, str, str | None]]:
        return [
            (s.code, a.starts_on.isoformat(), a.ends_on.isoformat() if a.ends_on else None)
            for a, s in await desks.allocations_of(ctx.session, inc)
        ]

    assert as_user("incubator", rows) == [("D-1", "2026-01-01", moved_on), ("D-2", moved_on, None)]


def test_exit_sets_the_hand_back_date_in_working_days(as_user, world, seed):
    """Scenario I2: at exit the desk is due back 15 working days later (the district's calendar)."""
    inc = apply_as(as_user, world)
    to_resident(as_user, inc)
    _allocate(as_user, inc, space_id=world.desks[0], starts_on=today().isoformat())
    assert step(as_user, inc, "exit", reason="期满未达成出壳条件") is None

    async def due(ctx: Any) -> tuple[Any, Any]:
        from core.workdays import calendar_for

        row = (await ctx.session.execute(select(Allocation).where(Allocation.incubation_id == inc))).scalar_one()
        cal = await calendar_for(ctx.session, ctx.district)
        return row.release_due_on, cal.add_working_days(today(), 15)

    got, expected = as_user("incubator", due)
    assert got == expected
    assert (got - today()).days >= 19  # 15 working days span at least three weekends


def _run_job(seed: Any, now: datetime) -> Any:
    async def run(session: Any) -> Any:
        from core.db import for_district

        haishu = await district(session)
        for_district(session, haishu.id)
        return await jobs.remind(
            JobContext(session=session, district=haishu, now=now, slot=now, key="incubation.reminders")
        )

    return seed(run)


def _notices(seed: Any, kind: str) -> list[str]:
    async def run(session: Any) -> list[str]:
        return [
            n.params.get("organization", "")
            for n in (await session.execute(select(Notification).where(Notification.kind == kind))).scalars()
        ]

    return seed(run)


def test_renewal_reminder_30_days_before_the_planned_end_once(as_user, world, seed):
    """A planned end 30 days ahead reminds staff and the mentor once (not again); 31 days ahead: not yet."""
    inc = apply_as(as_user, world)
    to_resident(as_user, inc, mentor_id=world.mentor)
    monday = datetime(2026, 6, 1, 8, 30, tzinfo=TIMEZONE)  # a working day

    async def set_end(session: Any, end: date) -> None:
        row = (await session.execute(select(Incubation).where(Incubation.id == inc))).scalar_one()
        row.planned_end_on = end

    seed(lambda s: set_end(s, monday.date() + timedelta(days=31)))
    assert _run_job(seed, monday).counts["renewals"] == 0
    seed(lambda s: set_end(s, monday.date() + timedelta(days=30)))
    assert _run_job(seed, monday).counts["renewals"] == 1
    assert _run_job(seed, monday).counts["renewals"] == 0
    # centre staff, the district admin and the mentor — not 鄞州's staff
    assert _notices(seed, "incubation.renewal_due").count("平桥老年合唱团") == 3


def test_no_reminders_on_a_holiday(as_user, world, seed):
    """On a public holiday (National Day) the job sends nothing; the next working day it does."""
    inc = apply_as(as_user, world)
    to_resident(as_user, inc)

    async def set_end(session: Any) -> None:
        row = (await session.execute(select(Incubation).where(Incubation.id == inc))).scalar_one()
        row.planned_end_on = date(2026, 10, 20)

    seed(set_end)
    assert _run_job(seed, datetime(2026, 10, 2, 8, 30, tzinfo=TIMEZONE)).counts["renewals"] == 0
    assert _run_job(seed, datetime(2026, 10, 9, 8, 30, tzinfo=TIMEZONE)).counts["renewals"] == 1


def test_release_reminder_near_the_due_date(as_user, world, seed):
    """A desk still held after exit is reminded about once its hand-back is two working days away or overdue."""
    inc = apply_as(as_user, world)
    to_resident(as_user, inc)
    _allocate(as_user, inc, space_id=world.desks[0], starts_on="2026-01-05")

    async def due(session: Any) -> None:
        row = (await session.execute(select(Allocation).where(Allocation.incubation_id == inc))).scalar_one()
        row.release_due_on = date(2026, 6, 12)  # a Friday

    seed(due)
    assert _run_job(seed, datetime(2026, 6, 1, 8, 30, tzinfo=TIMEZONE)).counts["releases"] == 0
    assert _run_job(seed, datetime(2026, 6, 10, 8, 30, tzinfo=TIMEZONE)).counts["releases"] == 1
    assert _notices(seed, "incubation.release_due") == ["平桥老年合唱团"] * 2  # centre staff and the district admin
