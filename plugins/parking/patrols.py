"""Patrols and violations: rounds, plate checks, violations, escalation per the convention, disputes.

- A round belongs to a patroller of the estate's committee (role ``patroller``, in term).
- Every plate checked is logged (:class:`PlateCheck`), compliant or not (parkkihubi style).
- A violation needs plate, time, place and evidence: a photo (bytes in the core's
  storage) or a second patroller as witness. Refused otherwise, nothing written.
- Escalation counts the plate's violations in the estate observed in the ``violation_days``
  (convention rules, default 30) up to and including this one — from the same moment
  ``violation_days`` earlier (inclusive) to this one's time — leaving out withdrawn ones:
  the first is a warning; the ``suspend_after``-th (default 3) suspends the plate's issued
  card. A report entered late (its time before others already recorded) also suspends
  when it makes a later violation the ``suspend_after``-th of its own period. Reports run
  under the estate's row lock, and one without a time takes "now" under that lock, so
  parallel reports are counted one after the other and a card is suspended once.
- A dispute goes to the residents' committee (community staff) for mediation: upheld,
  withdrawn, or referred to the community committee, which decides upheld or withdrawn.
  A withdrawn violation no longer counts; a suspension that no longer has its count is lifted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from core.plugin_api import TIMEZONE, NotFound, content_type_of, notify, residents, safe_name, utcnow
from core.plugin_api import gettext as _
from plugins.parking import permits
from plugins.parking.conventions import adopted_convention
from plugins.parking.models import Convention, Permit
from plugins.parking.models_patrols import PatrolRound, PlateCheck, Violation
from plugins.parking.models_rota import ShiftAssignment
from plugins.parking.service import Conflict, Refused, committee_role, lock_estate

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = (
    "DEFAULT_DAYS",
    "DEFAULT_SUSPEND_AFTER",
    "Evidence",
    "check_plate",
    "clean_report",
    "correct",
    "decide",
    "dispute",
    "end_round",
    "photo_type",
    "report",
    "start_round",
)

DEFAULT_SUSPEND_AFTER = 3
DEFAULT_DAYS = 30
MAX_PHOTO = 10 * 1024 * 1024
PHOTO_TYPES = (".jpg", ".jpeg", ".png", ".webp", ".gif")
COUNTING = ("open", "corrected", "disputed", "referred", "upheld")


def today() -> date:
    return utcnow().astimezone(TIMEZONE).date()


def status_label(status: str) -> str:
    """A violation's state as people say it."""
    return {
        "open": _("Recorded, owner notified"),
        "corrected": _("Corrected (closed)"),
        "disputed": _("Disputed: in mediation"),
        "referred": _("Referred to the community committee"),
        "upheld": _("Upheld"),
        "withdrawn": _("Withdrawn"),
    }.get(status, status)


def step_label(step: str) -> str:
    """The escalation step a violation triggered."""
    return {
        "warning": _("Warning"),
        "recorded": _("Recorded"),
        "suspension": _("Card suspended"),
    }.get(step, step)


def result_label(result: str) -> str:
    """What a plate check found."""
    return {
        "ok": _("Compliant"),
        "no_permit": _("No card"),
        "outside_window": _("Outside the card's hours"),
        "suspended": _("Card suspended"),
        "violation": _("Violation reported"),
    }.get(result, result)


def rules_of(convention: Convention | None) -> tuple[int, int]:
    """(suspend_after, violation_days) from the convention's rules, or the defaults (3 in 30 days)."""
    rules = convention.rules if convention is not None else {}
    try:
        after = int(rules.get("suspend_after", DEFAULT_SUSPEND_AFTER))
        days = int(rules.get("violation_days", DEFAULT_DAYS))
    except (TypeError, ValueError):
        return DEFAULT_SUSPEND_AFTER, DEFAULT_DAYS
    return max(after, 1), max(days, 1)


async def is_patroller(session: AsyncSession, estate_id: int, user_id: int | None) -> bool:
    """Whether the user is a patroller of the estate's committee today."""
    return await committee_role(session, estate_id, user_id, today()) == "patroller"


async def patroller_choices(session: AsyncSession, estate_id: int, but: int | None) -> list[tuple[int, str]]:
    """(user id, name) of the estate's patrollers in term, except ``but`` (the witnesses one may name)."""
    from plugins.parking.models import CommitteeMember  # noqa: PLC0415

    now = today()
    query = select(CommitteeMember).where(
        CommitteeMember.parking_estate_id == estate_id,
        CommitteeMember.role == "patroller",
        CommitteeMember.user_id.is_not(None),
        CommitteeMember.term_from <= now,
        (CommitteeMember.term_to.is_(None)) | (CommitteeMember.term_to >= now),
    )
    rows = (await session.execute(query)).scalars()
    return sorted({(int(m.user_id), m.name) for m in rows if m.user_id and m.user_id != but}, key=lambda r: r[1])


async def _require_patroller(session: AsyncSession, estate_id: int, user_id: int | None) -> None:
    if not await is_patroller(session, estate_id, user_id):
        raise Refused(
            "只有本小区停车自管委员会的巡查员可以巡查", "Only a patroller of the estate's committee may patrol."
        )


# ---------------------------------------------------------------- rounds and checks


async def open_round(session: AsyncSession, estate_id: int, user_id: int) -> PatrolRound | None:
    """The user's round in progress in the estate, if any."""
    query = select(PatrolRound).where(
        PatrolRound.parking_estate_id == estate_id, PatrolRound.patroller_id == user_id, PatrolRound.ended_at.is_(None)
    )
    return (await session.execute(query.order_by(PatrolRound.id.desc()))).scalars().first()


EARLY = timedelta(minutes=30)


async def shift_at(session: AsyncSession, estate_id: int, user_id: int, at: datetime) -> int | None:
    """The patroller's rota shift in the estate at ``at`` (or starting within 30 minutes): a round then links to it."""
    query = select(ShiftAssignment.shift_id).where(
        ShiftAssignment.parking_estate_id == estate_id,
        ShiftAssignment.patroller_id == user_id,
        ShiftAssignment.seat.is_not(None),
        ShiftAssignment.starts_at <= at + EARLY,
        ShiftAssignment.ends_at > at,
    )
    return (await session.execute(query.order_by(ShiftAssignment.starts_at).limit(1))).scalar_one_or_none()


async def start_round(session: AsyncSession, estate_id: int, user_id: int, name: str) -> PatrolRound:
    """Start a round (or give back the one in progress); during one's rota shift it is linked to the shift."""
    await _require_patroller(session, estate_id, user_id)
    estate = await lock_estate(session, estate_id)
    current = await open_round(session, estate_id, user_id)
    if current is not None:
        return current
    now = utcnow()
    row = PatrolRound(
        district_id=estate.district_id,
        parking_estate_id=estate_id,
        patroller_id=user_id,
        patroller_name=name[:50],
        started_at=now,
        shift_id=await shift_at(session, estate_id, user_id, now),
    )
    session.add(row)
    await session.flush()
    return row


async def round_or_404(session: AsyncSession, round_id: int) -> PatrolRound:
    row = await session.get(PatrolRound, round_id)
    if row is None or row.district_id != session.info.get("district_id", row.district_id):
        raise NotFound(_("Not found."))
    return row


async def end_round(session: AsyncSession, round_id: int, user_id: int) -> PatrolRound:
    """End one's own round."""
    row = await round_or_404(session, round_id)
    if row.patroller_id != user_id:
        raise Refused("只能结束自己的巡查", "You end only your own round.")
    if row.ended_at is not None:
        raise Conflict("这次巡查已经结束", "This round has ended.")
    row.ended_at = utcnow()
    await session.flush()
    return row


def _plate(raw: Any) -> str:
    plate = residents.normalize_plate(str(raw or ""))
    if not plate:
        raise Refused(
            "车牌号格式有误", "Enter a valid plate.", errors={"plate": _("Enter a valid plate, e.g. 浙B12345.")}
        )
    return plate


def _place(raw: Any) -> str:
    place = str(raw or "").strip()
    if not place or len(place) > 50:
        raise Refused(
            "请填写地点（车位编号或位置）",
            "Enter the place (space code or location).",
            errors={"place": _("Enter the place, e.g. P-12 or the fire lane by building 6.")},
        )
    return place


def _minute_of(moment: datetime) -> tuple[int, int]:
    local = moment.astimezone(TIMEZONE)
    return local.isoweekday(), local.hour * 60 + local.minute


def _in_window(permit: Permit, moment: datetime) -> bool:
    day, minute = _minute_of(moment)
    if str(day) not in permit.days:
        return False
    return permit.start_minute <= minute < permit.end_minute


async def live_permit(session: AsyncSession, estate_id: int, plate: str) -> Permit | None:
    """The plate's live card in the estate (issued or suspended first)."""
    query = select(Permit).where(
        Permit.parking_estate_id == estate_id,
        Permit.plate == plate,
        Permit.status.in_(("issued", "suspended")),
    )
    return (await session.execute(query.order_by(Permit.id.desc()))).scalars().first()


async def check_plate(
    session: AsyncSession, round_id: int, user_id: int, plate: Any, place: Any, at: datetime | None = None
) -> PlateCheck:
    """Log a check of a plate in a round in progress; the result says whether it may park here now."""
    row = await round_or_404(session, round_id)
    if row.patroller_id != user_id:
        raise Refused("只能在自己的巡查中登记", "You check plates only in your own round.")
    if row.ended_at is not None:
        raise Conflict("这次巡查已经结束，请开始新的巡查", "This round has ended: start a new one.")
    clean_plate, clean_place = _plate(plate), _place(place)
    moment = at or utcnow()
    permit = await live_permit(session, row.parking_estate_id, clean_plate)
    valid = permit is not None and (permit.valid_to is None or permit.valid_to >= moment.astimezone(TIMEZONE).date())
    if permit is None or not valid:
        result = "no_permit"
    elif permit.status == "suspended":
        result = "suspended"
    elif not _in_window(permit, moment):
        result = "outside_window"
    else:
        result = "ok"
    check = PlateCheck(
        district_id=row.district_id,
        round_id=row.id,
        parking_estate_id=row.parking_estate_id,
        plate=clean_plate,
        place=clean_place,
        checked_at=moment,
        result=result,
        permit_id=permit.id if permit else None,
    )
    session.add(check)
    await session.flush()
    return check


async def checks(session: AsyncSession, round_id: int) -> list[PlateCheck]:
    query = select(PlateCheck).where(PlateCheck.round_id == round_id).order_by(PlateCheck.checked_at.desc())
    return list((await session.execute(query)).scalars())


async def rounds(session: AsyncSession, estate_id: int, limit: int = 20) -> list[tuple[PatrolRound, int]]:
    """The estate's latest rounds with how many plates each checked."""
    counted = select(PlateCheck.round_id, func.count().label("n")).group_by(PlateCheck.round_id).subquery()
    query = (
        select(PatrolRound, func.coalesce(counted.c.n, 0))
        .outerjoin(counted, counted.c.round_id == PatrolRound.id)
        .where(PatrolRound.parking_estate_id == estate_id)
        .order_by(PatrolRound.started_at.desc(), PatrolRound.id.desc())
        .limit(limit)
    )
    return [(r, int(n)) for r, n in (await session.execute(query)).tuples()]


# ---------------------------------------------------------------- violations


@dataclass(frozen=True)
class Evidence:
    """A violation's proof: a stored photo (key, name, type, sha256) and/or a witness."""

    photo_key: str | None = None
    photo_name: str = ""
    photo_type: str = ""
    photo_sha256: str = ""
    witness_id: int | None = None


def photo_type(filename: str, data: bytes) -> tuple[str, str]:
    """(safe name, content type) of a photo, or :class:`Refused` (empty, too large, not an image)."""
    name = safe_name(filename, "photo.jpg")
    content_type = content_type_of(name, data, PHOTO_TYPES) if data and len(data) <= MAX_PHOTO else None
    if content_type is None:
        raise Refused(
            "照片须为 10 MB 以内的 JPG、PNG、WEBP 或 GIF 图片",
            "The photo must be a JPG, PNG, WEBP or GIF image of at most 10 MB.",
            errors={"photo": _("A JPG, PNG, WEBP or GIF image of at most 10 MB.")},
        )
    return name, content_type


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _moment(raw: Any) -> datetime | None:
    if isinstance(raw, datetime):
        moment = raw
    elif raw in (None, ""):
        return None  # "now": taken when recorded (patrols.report, under the estate's lock)
    else:
        try:
            moment = datetime.fromisoformat(str(raw))
        except ValueError:
            raise Refused(
                "时间格式有误", "The time is YYYY-MM-DDTHH:MM.", errors={"observed_at": _("Enter the date and time.")}
            ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=TIMEZONE)
    if moment > utcnow() + timedelta(minutes=10):
        raise Refused(
            "违规时间不能在将来",
            "The time of a violation is not in the future.",
            errors={"observed_at": _("Not in the future.")},
        )
    return moment


async def clean_report(
    session: AsyncSession,
    estate_id: int,
    reporter_id: int,
    data: dict[str, Any],
    *,
    has_photo: bool,
) -> dict[str, Any]:
    """Check a report before anything is stored: plate, place, time, and a photo or a witness.

    Returns the clean values (plate, place, observed_at, description, witness_id).
    """
    await _require_patroller(session, estate_id, reporter_id)
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for key, clean in (("plate", _plate), ("place", _place), ("observed_at", _moment)):
        try:
            values[key] = clean(data.get(key))
        except Refused as exc:
            errors.update(exc.errors or {})
    raw_witness = str(data.get("witness_id") or "").strip()
    witness = int(raw_witness) if raw_witness.isdigit() else None
    if witness is not None and (witness == reporter_id or not await is_patroller(session, estate_id, witness)):
        errors["witness_id"] = _("The witness is another patroller of the estate.")
    missing = not has_photo and witness is None and "witness_id" not in errors
    if missing:
        message = _("Attach a photo or name a second patroller as witness.")
        errors["photo"] = message
        errors["witness_id"] = message
    if missing and set(errors) == {"photo", "witness_id"}:
        raise Refused(
            "违规记录须附照片，或由第二名巡查员作证",
            "A violation needs a photo or a second patroller as witness.",
            errors=errors,
        )
    if errors:
        raise Refused("违规记录有误，未保存", "The violation was not recorded.", errors=errors)
    values["witness_id"] = witness
    values["description"] = str(data.get("description") or "").strip()[:300]
    raw_round = str(data.get("round_id") or "")
    values["round_id"] = None
    if raw_round.isdigit():
        row = await session.get(PatrolRound, int(raw_round))
        ours = row is not None and row.parking_estate_id == estate_id and row.patroller_id == reporter_id
        values["round_id"] = row.id if ours and row is not None else None
    return values


def _period(at: datetime, days: int) -> tuple[datetime, datetime]:
    """The convention's period ending with a violation observed ``at``: [at − days, at], both ends included."""
    return at - timedelta(days=days), at


async def _times(session: AsyncSession, estate_id: int, plate: str, start: datetime, end: datetime) -> list[datetime]:
    """When the plate's counting violations in the estate were observed, from ``start`` to ``end`` inclusive."""
    query = select(Violation.observed_at).where(
        Violation.parking_estate_id == estate_id,
        Violation.plate == plate,
        Violation.status.in_(COUNTING),
        Violation.observed_at >= start,
        Violation.observed_at <= end,
    )
    return [_aware(t) for t in (await session.execute(query)).scalars()]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=TIMEZONE)


async def _count(session: AsyncSession, estate_id: int, plate: str, at: datetime, days: int) -> int:
    """How many of the plate's counting violations were observed in the period ending ``at`` (:func:`_period`)."""
    return len(await _times(session, estate_id, plate, *_period(at, days)))


async def _reaches(session: AsyncSession, estate_id: int, plate: str, at: datetime, days: int, after: int) -> bool:
    """Whether a new violation observed ``at`` makes itself or a later one the ``after``-th of its period."""
    times = [*await _times(session, estate_id, plate, at - timedelta(days=days), at + timedelta(days=days)), at]
    for end in (t for t in times if t >= at):
        start = end - timedelta(days=days)
        if sum(1 for t in times if start <= t <= end) >= after:
            return True
    return False


async def _household(session: AsyncSession, estate_id: int, plate: str, permit: Permit | None) -> int | None:
    if permit is not None and permit.household_id:
        return permit.household_id
    found = await residents.households_of_plate(session, plate)
    return found[0] if found else None


async def report(
    session: AsyncSession,
    estate_id: int,
    reporter_id: int,
    values: dict[str, Any],
    evidence: Evidence,
    *,
    link: str = "",
) -> Violation:
    """Record a violation (checked by :func:`clean_report`), escalate, notify the plate's household."""
    if evidence.photo_key is None and evidence.witness_id is None:
        raise Refused(
            "违规记录须附照片，或由第二名巡查员作证", "A violation needs a photo or a second patroller as witness."
        )
    estate = await lock_estate(session, estate_id)
    plate, observed = values["plate"], values.get("observed_at") or utcnow()
    suspend_after, days = rules_of(await adopted_convention(session, estate_id))
    permit = await live_permit(session, estate_id, plate)
    ordinal = await _count(session, estate_id, plate, observed, days) + 1
    suspends = ordinal >= suspend_after or await _reaches(session, estate_id, plate, observed, days, suspend_after)
    violation = Violation(
        district_id=estate.district_id,
        parking_estate_id=estate_id,
        round_id=values.get("round_id"),
        plate=plate,
        place=values["place"],
        observed_at=observed,
        description=values.get("description", ""),
        reported_by=reporter_id,
        witness_id=evidence.witness_id,
        photo_key=evidence.photo_key,
        photo_name=evidence.photo_name,
        photo_type=evidence.photo_type,
        photo_sha256=evidence.photo_sha256,
        household_id=await _household(session, estate_id, plate, permit),
        permit_id=permit.id if permit else None,
        ordinal=ordinal,
        step="warning" if ordinal == 1 else "recorded",
        status="open",
    )
    if suspends and permit is not None and permit.status == "issued":
        await permits.suspend(session, permit.id, reporter_id)
        violation.step = "suspension"
        violation.suspended_permit_id = permit.id
    session.add(violation)
    if values.get("round_id"):
        session.add(
            PlateCheck(
                district_id=estate.district_id,
                round_id=values["round_id"],
                parking_estate_id=estate_id,
                plate=plate,
                place=values["place"],
                checked_at=observed,
                result="violation",
                permit_id=permit.id if permit else None,
            )
        )
    await session.flush()
    if violation.household_id:
        await notify(
            session,
            await residents.household_logins(session, violation.household_id),
            "parking.violation",
            {
                "plate": plate,
                "place": violation.place,
                "time": observed.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M"),
                "step_zh": {"warning": "警告", "recorded": "记录在案", "suspension": "停车卡已暂停"}[violation.step],
                "step_en": {"warning": "a warning", "recorded": "recorded", "suspension": "card suspended"}[
                    violation.step
                ],
            },
            link,
            district_id=estate.district_id,
        )
    return violation


async def violation_or_404(session: AsyncSession, violation_id: int) -> Violation:
    row = await session.get(Violation, violation_id)
    if row is None or row.district_id != session.info.get("district_id", row.district_id):
        raise NotFound(_("Not found."))
    return row


async def _locked(session: AsyncSession, violation_id: int) -> Violation:
    row = await violation_or_404(session, violation_id)
    await lock_estate(session, row.parking_estate_id)
    await session.refresh(row)
    return row


async def correct(session: AsyncSession, violation_id: int, user_id: int | None) -> Violation:
    """open → corrected: the car was moved; closed (it still counts toward escalation)."""
    row = await _locked(session, violation_id)
    if row.status != "open":
        raise Conflict(
            f"违规记录当前为“{status_label(row.status)}”，不能标记为已纠正",
            f"A violation that is {row.status} cannot be marked corrected.",
        )
    row.status, row.closed_at, row.decided_by = "corrected", utcnow(), user_id
    await session.flush()
    return row


async def is_owner(session: AsyncSession, row: Violation, user_id: int | None) -> bool:
    """Whether the user is a member (with a login) of the plate's household."""
    if not user_id or not row.household_id:
        return False
    return user_id in await residents.household_logins(session, row.household_id)


async def dispute(session: AsyncSession, violation_id: int, user_id: int, reason: Any) -> Violation:
    """The plate's owner disputes the violation with a reason: it goes to mediation."""
    row = await _locked(session, violation_id)
    if not await is_owner(session, row, user_id):
        raise Refused("只有车主家庭可以对这条违规记录提出异议", "Only the car's household may dispute this violation.")
    text = str(reason or "").strip()
    if len(text) < 4 or len(text) > 1000:
        raise Refused(
            "请写明异议理由（4 至 1000 字）",
            "Give the reason for the dispute (4 to 1,000 characters).",
            errors={"reason": _("Give the reason (4 to 1,000 characters).")},
        )
    if row.status not in ("open", "corrected"):
        raise Conflict(
            f"违规记录当前为“{status_label(row.status)}”，不能再提出异议",
            f"A violation that is {row.status} cannot be disputed.",
        )
    row.status, row.dispute_reason, row.disputed_by, row.disputed_at = "disputed", text, user_id, utcnow()
    await session.flush()
    return row


OUTCOMES = {"disputed": ("upheld", "withdrawn", "referred"), "referred": ("upheld", "withdrawn")}


async def decide(session: AsyncSession, violation_id: int, user_id: int | None, outcome: str, note: Any) -> Violation:
    """Mediation's outcome: upheld, withdrawn or referred (from ``disputed``); upheld or withdrawn (``referred``)."""
    row = await _locked(session, violation_id)
    allowed = OUTCOMES.get(row.status, ())
    if outcome not in allowed:
        raise Conflict(
            f"违规记录当前为“{status_label(row.status)}”，不能作此处理",
            f"A violation that is {row.status} cannot be {outcome}.",
        )
    row.outcome_note = str(note or "").strip()[:1000]
    row.decided_by, row.decided_at = user_id, utcnow()
    if outcome == "referred":
        row.status, row.referred_at = "referred", utcnow()
    else:
        row.status, row.closed_at = outcome, utcnow()
    await session.flush()
    if outcome == "withdrawn":
        await _lift(session, row, user_id)
    if row.household_id and outcome != "referred":
        await notify(
            session,
            await residents.household_logins(session, row.household_id),
            "parking.dispute_decided",
            {
                "plate": row.plate,
                "outcome_zh": "维持" if outcome == "upheld" else "撤销",
                "outcome_en": outcome,
            },
            district_id=row.district_id,
        )
    return row


async def _lift(session: AsyncSession, withdrawn: Violation, user_id: int | None) -> None:
    """Lift the suspensions of the plate that no longer have their count after ``withdrawn`` was withdrawn."""
    suspend_after, days = rules_of(await adopted_convention(session, withdrawn.parking_estate_id))
    query = select(Violation).where(
        Violation.parking_estate_id == withdrawn.parking_estate_id,
        Violation.plate == withdrawn.plate,
        Violation.suspended_permit_id.is_not(None),
        Violation.suspension_lifted_at.is_(None),
    )
    for cause in (await session.execute(query)).scalars():
        still = cause.status in COUNTING and (
            await _count(session, cause.parking_estate_id, cause.plate, cause.observed_at, days) >= suspend_after
        )
        if still:
            continue
        cause.suspension_lifted_at = utcnow()
        permit = await session.get(Permit, cause.suspended_permit_id)
        if permit is not None and permit.status == "suspended":
            await permits.reinstate(session, permit.id, user_id)
    await session.flush()


async def violations(
    session: AsyncSession,
    *,
    estate_id: int | None = None,
    household_ids: list[int] | None = None,
    statuses: tuple[str, ...] | None = None,
    limit: int = 200,
) -> list[Violation]:
    """Violations, newest first, of an estate / some households / in some states."""
    query = select(Violation)
    if estate_id is not None:
        query = query.where(Violation.parking_estate_id == estate_id)
    if household_ids is not None:
        query = query.where(Violation.household_id.in_(household_ids or [0]))
    if statuses:
        query = query.where(Violation.status.in_(statuses))
    query = query.order_by(Violation.observed_at.desc(), Violation.id.desc()).limit(limit)
    return list((await session.execute(query)).scalars())


async def suspensions(session: AsyncSession, estate_id: int) -> int:
    """How many violations suspended a card (not lifted)."""
    query = (
        select(func.count())
        .select_from(Violation)
        .where(
            Violation.parking_estate_id == estate_id,
            Violation.suspended_permit_id.is_not(None),
            Violation.suspension_lifted_at.is_(None),
        )
    )
    return int((await session.execute(query)).scalar_one())
