"""Desks and spaces: exclusive allocation for a time range, moves, release at exit.

An allocation covers ``[starts_on, ends_on)`` (``ends_on`` open while ``None``). Two
allocations of one space never overlap: the check runs under the space's row lock on
PostgreSQL (``SELECT … FOR UPDATE``) and under SQLite's write lock (every writing request
begins ``BEGIN IMMEDIATE``), so parallel requests are checked one after the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, or_, select

from core.plugin_api import Refusal
from plugins.incubation.cases import today
from plugins.incubation.models import Allocation, Incubation, Space
from plugins.incubation.service import check_date, check_int, refuse

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import RequestContext

__all__ = ("allocate", "allocations_of", "move", "occupied_space_ids", "overdue_releases", "release", "releases_due")


def _overlapping(space_id: int, start: date, end: date | None) -> Any:
    clauses = [Allocation.space_id == space_id, or_(Allocation.ends_on.is_(None), Allocation.ends_on > start)]
    if end is not None:
        clauses.append(Allocation.starts_on < end)
    return and_(*clauses)


async def _locked_space(ctx: RequestContext, space_id: int) -> Space:
    query = select(Space).where(Space.id == space_id).with_for_update()
    space = (await ctx.session.execute(query)).scalar_one_or_none()
    if space is None:
        raise Refusal("没有这个工位或空间。", "No such space.", errors={"space_id": "—"}, status_code=404)
    return space


async def allocate(ctx: RequestContext, incubation: Incubation, raw: Mapping[str, Any]) -> Allocation:
    """Give a space of the incubation's incubator from ``starts_on`` (until ``ends_on``, or open)."""
    errors: dict[str, tuple[str, str]] = {}
    space_id = check_int(raw.get("space_id"), "space_id", errors)
    start = check_date(raw.get("starts_on") or today().isoformat(), "starts_on", errors)
    end = check_date(raw.get("ends_on"), "ends_on", errors, required=False)
    if start and end and end <= start:
        errors["ends_on"] = ("结束日期须晚于开始日期。", "The end must be after the start.")
    if not incubation.active:
        errors["_"] = ("孵化已结束，不能再分配工位。", "The incubation has ended; no space can be given.")
    elif incubation.mode == "virtual":
        errors["_"] = ("虚拟孵化的组织不分配工位。", "A virtual incubation gets no space.")
    refuse(errors)
    assert start is not None
    space = await _locked_space(ctx, space_id)
    if space.incubator_id != incubation.incubator_id or not space.active:
        refuse({"space_id": ("请选择本基地可用的工位或空间。", "Choose a space of this incubator.")})
    if space.kind == "desk":
        taken = (
            await ctx.session.execute(select(Allocation.id).where(_overlapping(space.id, start, end)).limit(1))
        ).first()
        if taken is not None:
            refuse(
                {
                    "space_id": (
                        f"工位 {space.code} 在这段时间已分配给其他组织。",
                        f"Desk {space.code} is taken in that period.",
                    )
                },
                409,
            )
    else:
        count = len((await ctx.session.execute(select(Allocation.id).where(_overlapping(space.id, start, end)))).all())
        if count >= space.capacity:
            refuse({"space_id": (f"{space.code} 在这段时间已满。", f"{space.code} is full in that period.")}, 409)
    row = Allocation(space_id=space.id, incubation_id=incubation.id, starts_on=start, ends_on=end)
    ctx.session.add(row)
    await ctx.session.flush()
    return row


async def _allocation(ctx: RequestContext, incubation: Incubation, allocation_id: int) -> Allocation:
    row = (
        await ctx.session.execute(
            select(Allocation).where(Allocation.id == allocation_id, Allocation.incubation_id == incubation.id)
        )
    ).scalar_one_or_none()
    if row is None:
        raise Refusal("没有这条工位分配。", "No such allocation.", status_code=404)
    return row


async def release(
    ctx: RequestContext, incubation: Incubation, allocation_id: int, raw: Mapping[str, Any]
) -> Allocation:
    """The space is handed back on ``on`` (default today)."""
    row = await _allocation(ctx, incubation, allocation_id)
    errors: dict[str, tuple[str, str]] = {}
    on = check_date(raw.get("on") or today().isoformat(), "on", errors)
    if on and on <= row.starts_on:
        errors["on"] = ("归还日期须晚于分配开始日期。", "The hand-back must be after the start.")
    if row.ends_on is not None and on and on > row.ends_on:
        errors["on"] = ("这个分配已经结束。", "This allocation has already ended.")
    refuse(errors)
    row.ends_on = on
    await ctx.session.flush()
    return row


async def move(ctx: RequestContext, incubation: Incubation, allocation_id: int, raw: Mapping[str, Any]) -> Allocation:
    """Move to another space from ``on``: the old allocation ends, a new one starts (both or neither)."""
    errors: dict[str, tuple[str, str]] = {}
    on = check_date(raw.get("on") or today().isoformat(), "on", errors)
    refuse(errors)
    assert on is not None
    async with ctx.session.begin_nested():
        old = await _allocation(ctx, incubation, allocation_id)
        end = old.ends_on
        await release(ctx, incubation, allocation_id, {"on": on.isoformat()})
        return await allocate(
            ctx,
            incubation,
            {"space_id": raw.get("space_id"), "starts_on": on.isoformat(), "ends_on": end.isoformat() if end else ""},
        )


async def allocations_of(session: AsyncSession, incubation_id: int) -> list[tuple[Allocation, Space]]:
    query = (
        select(Allocation, Space)
        .join(Space, Space.id == Allocation.space_id)
        .where(Allocation.incubation_id == incubation_id)
        .order_by(Allocation.starts_on)
    )
    return [(a, s) for a, s in (await session.execute(query)).all()]


async def occupied_space_ids(session: AsyncSession, day: date) -> set[int]:
    query = select(Allocation.space_id).where(
        Allocation.starts_on <= day, or_(Allocation.ends_on.is_(None), Allocation.ends_on > day)
    )
    return set((await session.execute(query)).scalars())


@dataclass(frozen=True)
class Release:
    allocation: Allocation
    space: Space
    incubation: Incubation


async def releases_due(session: AsyncSession) -> list[Release]:
    """Spaces still held by an organization that graduated or exited, by due date."""
    query = (
        select(Allocation, Space, Incubation)
        .join(Space, Space.id == Allocation.space_id)
        .join(Incubation, Incubation.id == Allocation.incubation_id)
        .where(Allocation.ends_on.is_(None), Allocation.release_due_on.is_not(None))
        .order_by(Allocation.release_due_on)
    )
    return [Release(a, s, i) for a, s, i in (await session.execute(query)).all()]


async def overdue_releases(session: AsyncSession, day: date) -> list[Release]:
    return [r for r in await releases_due(session) if r.allocation.release_due_on and r.allocation.release_due_on < day]
