"""Supervision sessions (督导) with action items, trainings with attendance, and an organization's timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.plugin_api import TIMEZONE, Case, CaseEvent, Refusal
from core.plugin_api import gettext as _
from plugins.incubation.cases import today
from plugins.incubation.labels import label
from plugins.incubation.manifest import KEY
from plugins.incubation.models import (
    ActionItem,
    Allocation,
    Assessment,
    Attendance,
    Incubation,
    Mentor,
    Session,
    Space,
    Training,
)
from plugins.incubation.service import check_date, check_text, refuse

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import RequestContext

__all__ = ("add_session", "add_training", "complete_item", "record_attendance", "sessions_of", "timeline", "trainings")


async def add_session(ctx: RequestContext, incubation: Incubation, raw: Mapping[str, Any]) -> Session:
    """Record a supervision session: date, notes, and action items (``items``: one per line, ``due_on`` for all)."""
    errors: dict[str, tuple[str, str]] = {}
    held_on = check_date(raw.get("held_on"), "held_on", errors)
    notes = check_text(raw.get("notes"), "notes", errors, limit=5000, required=True)
    items_text = check_text(raw.get("items"), "items", errors, limit=3000)
    items = [line.strip() for line in items_text.splitlines() if line.strip()]
    due_on = check_date(raw.get("due_on"), "due_on", errors, required=bool(items))
    if held_on and held_on > today():
        errors["held_on"] = ("督导日期不能晚于今天。", "The session cannot be in the future.")
    if items and due_on and held_on and due_on < held_on:
        errors["due_on"] = ("完成期限不能早于督导日期。", "The due date cannot be before the session.")
    if any(len(i) > 300 for i in items):
        errors["items"] = ("每项任务最多 300 字。", "At most 300 characters per action item.")
    refuse(errors)
    assert held_on is not None
    # Whose session: the recording user's own mentor record; else, for mentors and staff, the incubation's
    # mentor; a hub's staff without a mentor record record it under no mentor (not under someone else's name).
    own = (
        (await ctx.session.execute(select(Mentor.id).where(Mentor.user_id == ctx.user.id).limit(1))).scalar()
        if ctx.user is not None
        else None
    )
    mentor_id = own or (incubation.mentor_id if ctx.can(KEY, "mentor") else None)
    row = Session(incubation_id=incubation.id, mentor_id=mentor_id, held_on=held_on, notes=notes)
    ctx.session.add(row)
    await ctx.session.flush()
    for text in items:
        assert due_on is not None
        ctx.session.add(ActionItem(session_id=row.id, text=text, due_on=due_on))
    await ctx.session.flush()
    return row


async def complete_item(ctx: RequestContext, incubation: Incubation, item_id: int) -> ActionItem:
    query = (
        select(ActionItem)
        .join(Session, Session.id == ActionItem.session_id)
        .where(ActionItem.id == item_id, Session.incubation_id == incubation.id)
    )
    item = (await ctx.session.execute(query)).scalar_one_or_none()
    if item is None:
        raise Refusal("没有这项任务。", "No such action item.", status_code=404)
    item.done_on = item.done_on or today()
    await ctx.session.flush()
    return item


async def sessions_of(session: AsyncSession, incubation_id: int) -> list[tuple[Session, list[ActionItem]]]:
    rows = list(
        (
            await session.execute(
                select(Session).where(Session.incubation_id == incubation_id).order_by(Session.held_on.desc())
            )
        ).scalars()
    )
    ids = [r.id for r in rows]
    items: dict[int, list[ActionItem]] = {i: [] for i in ids}
    if ids:
        for item in (
            await session.execute(select(ActionItem).where(ActionItem.session_id.in_(ids)).order_by(ActionItem.id))
        ).scalars():
            items[item.session_id].append(item)
    return [(r, items[r.id]) for r in rows]


async def add_training(ctx: RequestContext, incubator_id: int, raw: Mapping[str, Any]) -> Training:
    errors: dict[str, tuple[str, str]] = {}
    topic = check_text(raw.get("topic"), "topic", errors, limit=200, required=True)
    held_on = check_date(raw.get("held_on"), "held_on", errors)
    refuse(errors)
    assert held_on is not None
    row = Training(incubator_id=incubator_id, topic=topic, held_on=held_on)
    ctx.session.add(row)
    await ctx.session.flush()
    return row


async def record_attendance(ctx: RequestContext, training: Training, organization_ids: list[int]) -> int:
    """Mark the organizations that attended (active incubations of the training's incubator only)."""
    allowed = set(
        (
            await ctx.session.execute(
                select(Incubation.organization_id).where(
                    Incubation.incubator_id == training.incubator_id, Incubation.active.is_(True)
                )
            )
        ).scalars()
    )
    bad = [i for i in organization_ids if i not in allowed]
    if bad:
        refuse(
            {"organization_ids": ("只能登记本基地在孵组织的出勤。", "Only organizations incubating here can attend.")}
        )
    have = set(
        (
            await ctx.session.execute(select(Attendance.organization_id).where(Attendance.training_id == training.id))
        ).scalars()
    )
    added = 0
    for org_id in organization_ids:
        if org_id not in have:
            ctx.session.add(Attendance(training_id=training.id, organization_id=org_id))
            added += 1
    await ctx.session.flush()
    return added


async def trainings(session: AsyncSession) -> list[tuple[Training, int]]:
    rows = list((await session.execute(select(Training).order_by(Training.held_on.desc()))).scalars())
    counts: dict[int, int] = {}
    for (tid,) in (await session.execute(select(Attendance.training_id))).all():
        counts[tid] = counts.get(tid, 0) + 1
    return [(t, counts.get(t.id, 0)) for t in rows]


@dataclass(frozen=True)
class Entry:
    """One line of an organization's incubation timeline."""

    on: date
    what: str
    detail: str = ""


async def timeline(session: AsyncSession, incubation: Incubation) -> list[Entry]:
    """Stage steps, desks, supervision sessions, trainings and assessments, newest first."""
    out: list[Entry] = [Entry(incubation.applied_on, _("Application submitted"))]
    case = (await session.execute(select(Case).where(Case.id == incubation.case_id))).scalar_one()
    events = (
        await session.execute(
            select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "transition").order_by(CaseEvent.id)
        )
    ).scalars()
    for event in events:
        stage = label("stage", str(event.payload.get("to") or ""))
        detail = str(event.payload.get("reason") or "")
        out.append(Entry(event.at.astimezone(TIMEZONE).date(), _("Stage: %(stage)s", stage=stage), detail))
    allocations = await session.execute(
        select(Allocation, Space)
        .join(Space, Space.id == Allocation.space_id)
        .where(Allocation.incubation_id == incubation.id)
    )
    for allocation, space in allocations.all():
        out.append(Entry(allocation.starts_on, _("Given %(space)s", space=space.code)))
        if allocation.ends_on:
            out.append(Entry(allocation.ends_on, _("Handed back %(space)s", space=space.code)))
    for row, _items in await sessions_of(session, incubation.id):
        out.append(Entry(row.held_on, _("Supervision session"), row.notes[:120]))
    attended = await session.execute(
        select(Training)
        .join(Attendance, Attendance.training_id == Training.id)
        .where(Attendance.organization_id == incubation.organization_id)
    )
    for training in attended.scalars():
        out.append(Entry(training.held_on, _("Training"), training.topic))
    for assessment in (
        await session.execute(select(Assessment).where(Assessment.incubation_id == incubation.id))
    ).scalars():
        out.append(Entry(assessment.assessed_on, _("Capacity assessment"), label("phase", assessment.phase)))
    return sorted(out, key=lambda e: e.on, reverse=True)
