"""The patrol rota (排班): the committee plans shifts, patrollers take and give up places, reminders.

- Who plans: whoever runs the estate (``routes.may_run``: community staff with
  ``parking:manage`` or a chair, treasurer or member of its committee). Who may be on a
  shift: the estate's patrollers in term today (the people who may start a round).
- A shift: a day, a start and an end time (an end at or before the start is the next
  day: 22:00–02:00), an area of the estate, how many patrollers it needs (1–10), and the
  patrollers put on it. A **recurring plan** (days of the week × a number of weeks from a
  first day) creates each shift once: a shift of the estate at the same start and area is
  left as it is, so running the same plan again adds nothing.
- The rules, decided under the estate's row lock (so parallel requests are decided one
  after the other): a patroller is never on two overlapping shifts of the estate
  (half-open: 19:00–21:00 and 21:00–23:00 do not overlap), and a shift never has more
  patrollers than it needs. Each patroller holds a numbered place (1…needed, unique per
  shift); on PostgreSQL an exclusion constraint also refuses overlapping places.
- A patroller volunteers for an open place of a shift that has not started, or gives up
  their place before it starts (the row stays, ``given_up_at`` set: the committee sees
  it, and the place is open again).
- A round started during one's shift (or up to 30 minutes before it) is linked to it
  (``patrols.start_round``). A shift is
  *done* when a round is linked to it, *missed* when it has ended without one (and had
  patrollers on it), *planned* before that.
- The day before a shift each patroller on it is reminded (``parking.shift_reminder``) by
  the daily job ``parking.shift_reminders``, once per shift and patroller (the
  notification's dedupe key), however often or wherever the job runs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from core.plugin_api import TIMEZONE, JobContext, JobResult, NotFound, notify, utcnow
from core.plugin_api import gettext as _
from plugins.parking import patrols
from plugins.parking.models_patrols import PatrolRound, PlateCheck, Violation
from plugins.parking.models_rota import MAX_NEEDED, PatrolShift, ShiftAssignment
from plugins.parking.service import Conflict, Refused, lock_estate

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = (
    "MAX_WEEKS",
    "Plan",
    "Planned",
    "ShiftView",
    "assign",
    "clean_plan",
    "give_up",
    "missed_count",
    "my_shifts",
    "open_shifts",
    "plan",
    "send_reminders",
    "shift_or_404",
    "shifts",
    "unassign",
    "views_of",
    "volunteer",
)

MAX_WEEKS = 12
MAX_HOURS = 12
TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def local(moment: datetime) -> datetime:
    return moment.astimezone(TIMEZONE)


def day_label(day: int) -> str:
    """周一 … 周日 (Mon … Sun in English)."""
    return [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")][day - 1]


def status_label(status: str) -> str:
    return {
        "planned": _("Planned"),
        "underway": _("Under way"),
        "done": _("Done"),
        "missed": _("Missed"),
    }.get(status, status)


# ---------------------------------------------------------------- planning


@dataclass(frozen=True)
class Plan:
    """A checked plan: the days of its shifts, the hours, area, places and the patrollers to put on each."""

    days: tuple[date, ...]
    start: time
    end: time
    area: str
    needed: int
    patrollers: tuple[int, ...]

    def span(self, day: date) -> tuple[datetime, datetime]:
        """The shift's start and end on ``day`` (the end the next day when it is not after the start)."""
        begins = datetime.combine(day, self.start, TIMEZONE)
        ends = datetime.combine(day if self.end > self.start else day + timedelta(days=1), self.end, TIMEZONE)
        return begins, ends


def _as_list(raw: Any) -> list[str]:
    if raw is None or raw == "":
        return []
    if isinstance(raw, (list, tuple)):
        return [str(v).strip() for v in raw if str(v).strip()]
    return [p for p in re.split(r"[,\s，]+", str(raw)) if p]


def _day(raw: Any) -> date | None:
    try:
        return date.fromisoformat(str(raw or "").strip())
    except ValueError:
        return None


def _time(raw: Any) -> time | None:
    found = TIME_RE.match(str(raw or "").strip())
    return time(int(found.group(1)), int(found.group(2))) if found else None


async def clean_plan(session: AsyncSession, estate_id: int, data: Mapping[str, Any], today: date) -> Plan:
    """Check a plan (one shift: ``date``; recurring: ``days`` of the week, ``from_date``, ``weeks``) field by field.

    ``start`` and ``end`` are HH:MM; ``area`` free text; ``needed`` 1–10; ``patrollers``
    user ids of the estate's patrollers (at most ``needed``). Refused with every field's
    error, nothing written.
    """
    errors: dict[str, str] = {}
    recurring = bool(_as_list(data.get("days"))) or "weeks" in data or "from_date" in data
    days: list[date] = []
    if recurring:
        weekdays = _as_list(data.get("days"))
        if not weekdays or any(d not in {"1", "2", "3", "4", "5", "6", "7"} for d in weekdays):
            errors["days"] = _("Choose the days of the week.")
        first = _day(data.get("from_date"))
        if first is None:
            errors["from_date"] = _("Enter the first day, e.g. 2026-12-14.")
        elif first < today:
            errors["from_date"] = _("The first day is today or later.")
        raw_weeks = str(data.get("weeks") or "").strip()
        weeks = int(raw_weeks) if raw_weeks.isdigit() else 0
        if not 1 <= weeks <= MAX_WEEKS:
            errors["weeks"] = _("From 1 to %(n)s weeks.", n=MAX_WEEKS)
        if first is not None and "days" not in errors and 1 <= weeks <= MAX_WEEKS:
            wanted = {int(d) for d in weekdays}
            days = [
                first + timedelta(days=i)
                for i in range(7 * weeks)
                if (first + timedelta(days=i)).isoweekday() in wanted
            ]
    else:
        one = _day(data.get("date"))
        if one is None:
            errors["date"] = _("Enter the day, e.g. 2026-12-14.")
        elif one < today:
            errors["date"] = _("The day is today or later.")
        else:
            days = [one]
    start, end = _time(data.get("start")), _time(data.get("end"))
    if start is None:
        errors["start"] = _("Enter the start time, e.g. 19:00.")
    if end is None:
        errors["end"] = _("Enter the end time, e.g. 21:00 (at or before the start: the next day).")
    if start is not None and end is not None:
        minutes = (end.hour * 60 + end.minute - start.hour * 60 - start.minute) % (24 * 60)
        if minutes == 0 or minutes > MAX_HOURS * 60:
            errors["end"] = _("A shift lasts from a minute to %(n)s hours.", n=MAX_HOURS)
    area = str(data.get("area") or "").strip()
    if not area or len(area) > 60:
        errors["area"] = _("Name the area or route, e.g. buildings 1–6 and the fire lane (at most 60 characters).")
    raw_needed = str(data.get("needed") or "").strip()
    needed = int(raw_needed) if raw_needed.isdigit() else 0
    if not 1 <= needed <= MAX_NEEDED:
        errors["needed"] = _("From 1 to %(n)s patrollers.", n=MAX_NEEDED)
    chosen = _as_list(data.get("patrollers"))
    allowed = {uid for uid, _name in await patrols.patroller_choices(session, estate_id, None)}
    ids = tuple(dict.fromkeys(int(v) for v in chosen if v.isdigit()))
    if len(ids) != len(set(chosen)) or any(uid not in allowed for uid in ids):
        errors["patrollers"] = _("Choose patrollers of the estate's committee.")
    elif needed and len(ids) > needed:
        errors["patrollers"] = _("At most %(n)s patrollers: the places the shift needs.", n=needed)
    if errors:
        raise Refused("排班有误，未保存", "The rota was not saved.", errors=errors)
    assert start is not None and end is not None
    return Plan(tuple(days), start, end, area, needed, ids)


async def _overlap(session: AsyncSession, estate_id: int, user_id: int, begins: datetime, ends: datetime) -> bool:
    """Whether the patroller holds a place in the estate overlapping [begins, ends) (half-open)."""
    query = select(ShiftAssignment.id).where(
        ShiftAssignment.parking_estate_id == estate_id,
        ShiftAssignment.patroller_id == user_id,
        ShiftAssignment.seat.is_not(None),
        ShiftAssignment.starts_at < ends,
        ShiftAssignment.ends_at > begins,
    )
    return (await session.execute(query.limit(1))).first() is not None


def _when(shift: PatrolShift | tuple[datetime, datetime]) -> str:
    begins, ends = (shift.starts_at, shift.ends_at) if isinstance(shift, PatrolShift) else shift
    begins, ends = local(begins), local(ends)
    return f"{begins:%Y-%m-%d} {begins:%H:%M}–{ends:%H:%M}"


async def _names(session: AsyncSession, estate_id: int) -> dict[int, str]:
    return dict(await patrols.patroller_choices(session, estate_id, None))


async def _seat(session: AsyncSession, shift: PatrolShift, user_id: int, name: str, by: int | None) -> ShiftAssignment:
    """Put the patroller in the shift's lowest free place (the estate is locked): refused when full or overlapping."""
    rows = list((await session.execute(select(ShiftAssignment).where(ShiftAssignment.shift_id == shift.id))).scalars())
    mine = next((r for r in rows if r.patroller_id == user_id), None)
    if mine is not None and mine.seat is not None:
        raise Conflict(f"{name} 已在 {_when(shift)} 的班次上", f"{name} is already on the shift of {_when(shift)}.")
    taken = {r.seat for r in rows if r.seat is not None}
    free = [n for n in range(1, shift.needed + 1) if n not in taken]
    if not free:
        raise Conflict(
            f"{_when(shift)} 的班次已满（需要 {shift.needed} 人）",
            f"The shift of {_when(shift)} is full ({shift.needed} needed).",
        )
    if await _overlap(session, shift.parking_estate_id, user_id, shift.starts_at, shift.ends_at):
        raise Conflict(
            f"{name} 在 {_when(shift)} 已有时间重叠的班次",
            f"{name} is already on an overlapping shift at {_when(shift)}.",
            errors={"patrollers": _("%(name)s is on an overlapping shift then.", name=name)},
        )
    if mine is None:
        mine = ShiftAssignment(
            district_id=shift.district_id,
            shift_id=shift.id,
            parking_estate_id=shift.parking_estate_id,
            patroller_id=user_id,
            patroller_name=name[:50],
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
        )
        session.add(mine)
    mine.seat, mine.assigned_by, mine.given_up_at = free[0], by, None
    await session.flush()
    return mine


@dataclass
class Planned:
    """What a plan did: the shifts it created and how many already existed (left as they were)."""

    created: list[PatrolShift] = field(default_factory=list)
    existing: int = 0


async def plan(session: AsyncSession, estate_id: int, user_id: int | None, the_plan: Plan) -> Planned:
    """Create the plan's shifts that do not exist yet and put its patrollers on each; all or nothing."""
    estate = await lock_estate(session, estate_id)
    names = await _names(session, estate_id)
    done = Planned()
    for day in the_plan.days:
        begins, ends = the_plan.span(day)
        exists = select(PatrolShift.id).where(
            PatrolShift.parking_estate_id == estate_id,
            PatrolShift.starts_at == begins,
            PatrolShift.area == the_plan.area,
        )
        if (await session.execute(exists)).first() is not None:
            done.existing += 1
            continue
        shift = PatrolShift(
            district_id=estate.district_id,
            parking_estate_id=estate_id,
            starts_at=begins,
            ends_at=ends,
            area=the_plan.area,
            needed=the_plan.needed,
            planned_by=user_id,
        )
        session.add(shift)
        await session.flush()
        for patroller in the_plan.patrollers:
            await _seat(session, shift, patroller, names.get(patroller, ""), user_id)
        done.created.append(shift)
    return done


async def shift_or_404(session: AsyncSession, shift_id: int) -> PatrolShift:
    row = await session.get(PatrolShift, shift_id)
    if row is None or row.district_id != session.info.get("district_id", row.district_id):
        raise NotFound(_("Not found."))
    return row


async def _locked(session: AsyncSession, shift_id: int) -> PatrolShift:
    shift = await shift_or_404(session, shift_id)
    await lock_estate(session, shift.parking_estate_id)
    await session.refresh(shift)
    return shift


def _not_started(shift: PatrolShift, zh: str, en: str) -> None:
    if shift.starts_at <= utcnow():
        raise Conflict(f"该班次已开始，{zh}", f"The shift has started: {en}")


async def assign(session: AsyncSession, shift_id: int, patroller_id: Any, by: int | None) -> ShiftAssignment:
    """The committee puts a patroller of the estate on a shift that has not started."""
    shift = await _locked(session, shift_id)
    _not_started(shift, "不能再安排", "no more changes.")
    names = await _names(session, shift.parking_estate_id)
    raw = str(patroller_id or "").strip()
    if not raw.isdigit() or int(raw) not in names:
        raise Refused(
            "请选择本小区委员会的巡查员",
            "Choose a patroller of the estate's committee.",
            errors={"patroller_id": _("Choose patrollers of the estate's committee.")},
        )
    return await _seat(session, shift, int(raw), names[int(raw)], by)


async def volunteer(session: AsyncSession, shift_id: int, user_id: int, name: str) -> ShiftAssignment:
    """A patroller takes an open place of a shift that has not started."""
    shift = await _locked(session, shift_id)
    if not await patrols.is_patroller(session, shift.parking_estate_id, user_id):
        raise Refused("只有本小区的巡查员可以报名排班", "Only a patroller of the estate may take a shift.")
    _not_started(shift, "不能再报名", "it can no longer be taken.")
    names = await _names(session, shift.parking_estate_id)
    return await _seat(session, shift, user_id, names.get(user_id, name), user_id)


async def _held(session: AsyncSession, shift: PatrolShift, user_id: int) -> ShiftAssignment:
    query = select(ShiftAssignment).where(
        ShiftAssignment.shift_id == shift.id,
        ShiftAssignment.patroller_id == user_id,
        ShiftAssignment.seat.is_not(None),
    )
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        raise Conflict("不在这个班次上", "Not on this shift.")
    return row


async def give_up(session: AsyncSession, shift_id: int, user_id: int) -> ShiftAssignment:
    """A patroller gives up their place before the shift starts: the place is open again."""
    shift = await _locked(session, shift_id)
    _not_started(shift, "不能再退出", "it can no longer be given up.")
    row = await _held(session, shift, user_id)
    row.seat, row.given_up_at = None, utcnow()
    await session.flush()
    return row


async def unassign(session: AsyncSession, shift_id: int, patroller_id: Any) -> None:
    """The committee takes a patroller off a shift that has not started (their place is removed, not "given up")."""
    shift = await _locked(session, shift_id)
    _not_started(shift, "不能再调整", "no more changes.")
    raw = str(patroller_id or "")
    if not raw.isdigit():
        raise Refused("请选择巡查员", "Choose the patroller.")
    await session.delete(await _held(session, shift, int(raw)))
    await session.flush()


# ---------------------------------------------------------------- reading the rota


@dataclass
class ShiftView:
    """A shift as the rota shows it: its patrollers, who gave it up, its rounds and what they found."""

    shift: PatrolShift
    on: list[ShiftAssignment]
    gave_up: list[ShiftAssignment]
    rounds: int = 0
    checks: int = 0
    violations: int = 0
    status: str = "planned"

    @property
    def open_places(self) -> int:
        return max(self.shift.needed - len(self.on), 0)

    @property
    def day(self) -> date:
        return local(self.shift.starts_at).date()

    @property
    def hours(self) -> str:
        begins, ends = local(self.shift.starts_at), local(self.shift.ends_at)
        nxt = _("(next day)") if ends.date() > begins.date() else ""
        return f"{begins:%H:%M}–{ends:%H:%M}{nxt}"

    def has(self, user_id: int | None) -> bool:
        return any(a.patroller_id == user_id for a in self.on)


def _status(view: ShiftView, now: datetime) -> str:
    if view.rounds:
        return "done"
    if view.shift.ends_at <= now:
        return "missed"
    return "underway" if view.shift.starts_at <= now else "planned"


async def views_of(session: AsyncSession, rows: list[PatrolShift]) -> list[ShiftView]:
    ids = [s.id for s in rows] or [0]
    places = list(
        (
            await session.execute(
                select(ShiftAssignment)
                .where(ShiftAssignment.shift_id.in_(ids))
                .order_by(ShiftAssignment.seat, ShiftAssignment.id)
            )
        ).scalars()
    )
    by_shift = PatrolRound.shift_id.in_(ids)

    async def per_shift(counted: Any, *joins: tuple[Any, Any]) -> dict[int, int]:
        query = select(PatrolRound.shift_id, func.count(counted)).where(by_shift).group_by(PatrolRound.shift_id)
        for table, on in joins:
            query = query.join(table, on)
        return {int(k): int(n) for k, n in (await session.execute(query)).tuples() if k is not None}

    rounds = await per_shift(PatrolRound.id)
    checks = await per_shift(PlateCheck.id, (PlateCheck, PlateCheck.round_id == PatrolRound.id))
    violations = await per_shift(Violation.id, (Violation, Violation.round_id == PatrolRound.id))
    now = utcnow()
    views = []
    for s in rows:
        view = ShiftView(
            s,
            [a for a in places if a.shift_id == s.id and a.seat is not None],
            [a for a in places if a.shift_id == s.id and a.seat is None],
            rounds.get(s.id, 0),
            checks.get(s.id, 0),
            violations.get(s.id, 0),
        )
        view.status = _status(view, now)
        views.append(view)
    return views


async def shifts(session: AsyncSession, estate_id: int, first: date, last: date) -> list[ShiftView]:
    """The estate's shifts starting on the days ``first``…``last`` (local), in time order."""
    begins = datetime.combine(first, time(0), TIMEZONE)
    ends = datetime.combine(last + timedelta(days=1), time(0), TIMEZONE)
    query = (
        select(PatrolShift)
        .where(
            PatrolShift.parking_estate_id == estate_id, PatrolShift.starts_at >= begins, PatrolShift.starts_at < ends
        )
        .order_by(PatrolShift.starts_at, PatrolShift.area, PatrolShift.id)
    )
    return await views_of(session, list((await session.execute(query)).scalars()))


async def my_shifts(session: AsyncSession, estate_id: int, user_id: int, limit: int = 20) -> list[ShiftView]:
    """The patroller's shifts of the estate that have not ended, soonest first."""
    query = (
        select(PatrolShift)
        .join(ShiftAssignment, ShiftAssignment.shift_id == PatrolShift.id)
        .where(
            PatrolShift.parking_estate_id == estate_id,
            PatrolShift.ends_at > utcnow(),
            ShiftAssignment.patroller_id == user_id,
            ShiftAssignment.seat.is_not(None),
        )
        .order_by(PatrolShift.starts_at)
        .limit(limit)
    )
    return await views_of(session, list((await session.execute(query)).scalars()))


async def open_shifts(session: AsyncSession, estate_id: int, limit: int = 30) -> list[ShiftView]:
    """Shifts of the estate that have not started and still need patrollers, soonest first."""
    taken = (
        select(ShiftAssignment.shift_id, func.count(ShiftAssignment.id).label("n"))
        .where(ShiftAssignment.seat.is_not(None))
        .group_by(ShiftAssignment.shift_id)
        .subquery()
    )
    query = (
        select(PatrolShift)
        .outerjoin(taken, taken.c.shift_id == PatrolShift.id)
        .where(
            PatrolShift.parking_estate_id == estate_id,
            PatrolShift.starts_at > utcnow(),
            func.coalesce(taken.c.n, 0) < PatrolShift.needed,
        )
        .order_by(PatrolShift.starts_at)
        .limit(limit)
    )
    return await views_of(session, list((await session.execute(query)).scalars()))


async def missed_count(session: AsyncSession, estate_id: int, days: int = 30) -> int:
    """Shifts of the estate in the last ``days`` days that ended with patrollers on them and no round."""
    now = utcnow()
    staffed = select(ShiftAssignment.id).where(
        ShiftAssignment.shift_id == PatrolShift.id, ShiftAssignment.seat.is_not(None)
    )
    walked = select(PatrolRound.id).where(PatrolRound.shift_id == PatrolShift.id)
    query = select(func.count(PatrolShift.id)).where(
        PatrolShift.parking_estate_id == estate_id,
        PatrolShift.ends_at <= now,
        PatrolShift.ends_at > now - timedelta(days=days),
        staffed.exists(),
        ~walked.exists(),
    )
    return int((await session.execute(query)).scalar_one())


# ---------------------------------------------------------------- reminders


async def send_reminders(job: JobContext) -> JobResult:
    """The daily job: remind each patroller of their shifts starting tomorrow (once per shift and patroller)."""
    tomorrow = local(job.now).date() + timedelta(days=1)
    begins = datetime.combine(tomorrow, time(0), TIMEZONE)
    query = (
        select(ShiftAssignment, PatrolShift)
        .join(PatrolShift, PatrolShift.id == ShiftAssignment.shift_id)
        .where(
            ShiftAssignment.seat.is_not(None),
            PatrolShift.starts_at >= begins,
            PatrolShift.starts_at < begins + timedelta(days=1),
        )
    )
    sent = 0
    code = job.district.code if job.district is not None else ""
    for place, shift in (await job.session.execute(query)).tuples():
        begins_at, ends_at = local(shift.starts_at), local(shift.ends_at)
        sent += await notify(
            job.session,
            [place.patroller_id],
            "parking.shift_reminder",
            {
                "date": f"{begins_at:%Y-%m-%d}",
                "start": f"{begins_at:%H:%M}",
                "end": f"{ends_at:%H:%M}",
                "area": shift.area,
            },
            f"/d/{code}/parking/estates/{shift.parking_estate_id}/my-shifts",
            dedupe_key=f"parking:shift:{shift.id}",
        )
    return JobResult(
        f"提醒了 {sent} 位巡查员明天的班次", {"sent": sent}, f"Reminded {sent} patrollers of tomorrow's shifts"
    )
