"""What a resident does from the phone beyond applying: renew a card, report a wrongly parked car.

- **Renewal** (续期): the household asks to renew one of its issued cards; the committee
  (chair, treasurer, member) or staff approves — the card's validity runs one more year from
  its current end (or from today if that is earlier) — or refuses with a reason. One request
  waits per card (a unique index, so a double click makes one).
- **Report** (举报违停): a resident reports a car parked wrongly in their estate — plate,
  place, time and a photo (required: a resident is not a patroller, the photo is the
  evidence). It waits in the patrollers' list; a patroller records it as a violation (the
  photo is the evidence, the patroller the reporter: the usual escalation and notice follow)
  or dismisses it with a reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.plugin_api import NotFound, residents, utcnow
from core.plugin_api import gettext as _
from plugins.parking import money, patrols, permits, service
from plugins.parking.models import ParkingEstate, Permit
from plugins.parking.models_dividend import CarReport, Renewal
from plugins.parking.models_patrols import Violation
from plugins.parking.service import Conflict, Refused

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = (
    "approve_renewal",
    "clean_car_report",
    "dismiss_report",
    "file_car_report",
    "record_report",
    "refuse_renewal",
    "renewal_status_label",
    "renewals",
    "report_status_label",
    "reports",
    "request_renewal",
)

DECIDERS = ("chair", "treasurer", "member")
TERM_DAYS = 365


def renewal_status_label(status: str) -> str:
    return {
        "requested": _("Renewal waiting for the committee"),
        "approved": _("Renewed"),
        "refused": _("Renewal refused"),
    }.get(status, status)


def report_status_label(status: str) -> str:
    return {
        "open": _("Waiting for a patroller"),
        "recorded": _("Recorded as a violation"),
        "dismissed": _("Dismissed"),
    }.get(status, status)


async def _household_ids(session: AsyncSession, user_id: int) -> set[int]:
    return {h.household_id for h in await residents.households_of_user(session, user_id)}


# ---------------------------------------------------------------- renewals


async def request_renewal(session: AsyncSession, permit_id: int, *, user_id: int) -> Renewal:
    """The card's household asks to renew an issued card (once while a request waits)."""
    permit = await permits.permit_or_404(session, permit_id)
    if permit.household_id is None or permit.household_id not in await _household_ids(session, user_id):
        raise NotFound(_("Not found."))
    if permit.status != "issued":
        raise Conflict(
            _(
                "Only an issued card can be renewed (this one is %(status)s).",
                status=permits.status_label(permit.status),
            )
        )
    waiting = await session.scalar(
        select(Renewal.id).where(Renewal.permit_id == permit.id, Renewal.status == "requested")
    )
    if waiting:
        raise Conflict(_("A renewal of this card is already waiting for the committee."))
    row = Renewal(
        district_id=permit.district_id,
        parking_estate_id=permit.parking_estate_id,
        permit_id=permit.id,
        requested_by=user_id,
        valid_to_before=permit.valid_to,
    )
    try:
        async with session.begin_nested():  # two clicks at once: the unique index keeps one
            session.add(row)
    except IntegrityError:
        raise Conflict(_("A renewal of this card is already waiting for the committee.")) from None
    return row


async def renewal_or_404(session: AsyncSession, renewal_id: int) -> tuple[Renewal, ParkingEstate]:
    row = await session.get(Renewal, renewal_id)
    if row is None or row.district_id != session.info.get("district_id", row.district_id):
        raise NotFound(_("Not found."))
    return row, await service.estate_or_404(session, row.parking_estate_id)


async def _may_decide(session: AsyncSession, estate: ParkingEstate, user_id: int | None, staff: bool) -> None:
    if staff:
        return
    if await service.committee_role(session, estate.id, user_id, money.today()) not in DECIDERS:
        raise Refused(_("Only the estate's parking committee or community staff may do this."))


async def _locked(session: AsyncSession, renewal: Renewal) -> tuple[Renewal, Permit]:
    await service.lock_estate(session, renewal.parking_estate_id)
    await session.refresh(renewal)
    if renewal.status != "requested":
        raise Conflict(_("This renewal has already been decided."))
    permit = await permits.permit_or_404(session, renewal.permit_id)
    await session.refresh(permit)
    return renewal, permit


async def approve_renewal(
    session: AsyncSession, renewal: Renewal, estate: ParkingEstate, *, by: int | None, staff: bool = False
) -> Renewal:
    """The committee renews the card: valid one more year from its current end (or today, if later)."""
    await _may_decide(session, estate, by, staff)
    renewal, permit = await _locked(session, renewal)
    if permit.status != "issued":
        raise Conflict(
            _(
                "Only an issued card can be renewed (this one is %(status)s).",
                status=permits.status_label(permit.status),
            )
        )
    start = max(permit.valid_to or money.today(), money.today())
    permit.valid_to = start + timedelta(days=TERM_DAYS)
    renewal.status = "approved"
    renewal.valid_to_after = permit.valid_to
    renewal.decided_by, renewal.decided_at = by, utcnow()
    await session.flush()
    return renewal


async def refuse_renewal(
    session: AsyncSession, renewal: Renewal, estate: ParkingEstate, note: Any, *, by: int | None, staff: bool = False
) -> Renewal:
    """The committee refuses a renewal, saying why."""
    await _may_decide(session, estate, by, staff)
    reason = str(note or "").strip()
    if not reason:
        raise Refused(_("Say why the renewal is refused."), errors={"note": _("Say why.")})
    renewal, _permit = await _locked(session, renewal)
    renewal.status = "refused"
    renewal.note = reason[:300]
    renewal.decided_by, renewal.decided_at = by, utcnow()
    await session.flush()
    return renewal


async def renewals(
    session: AsyncSession,
    *,
    estate_id: int | None = None,
    permit_ids: list[int] | None = None,
    statuses: tuple[str, ...] | None = None,
) -> list[Renewal]:
    query = select(Renewal).order_by(Renewal.id.desc()).limit(200)
    if estate_id is not None:
        query = query.where(Renewal.parking_estate_id == estate_id)
    if permit_ids is not None:
        query = query.where(Renewal.permit_id.in_(permit_ids or [0]))
    if statuses:
        query = query.where(Renewal.status.in_(statuses))
    return list((await session.execute(query)).scalars())


# ---------------------------------------------------------------- residents' reports


async def my_estates(session: AsyncSession, user_id: int) -> list[ParkingEstate]:
    """The parking estates the user's households are in."""
    core_ids = {h.estate_id for h in await residents.households_of_user(session, user_id)}
    return [e for e in await service.list_estates(session) if e.estate_id in core_ids]


async def clean_car_report(
    session: AsyncSession, user_id: int, data: Mapping[str, Any], *, has_photo: bool
) -> dict[str, Any]:
    """Check a resident's report before the photo is stored: an estate of theirs, plate, place, time, a photo."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    raw_estate = str(data.get("estate_id") or "")
    mine = {e.id: e for e in await my_estates(session, user_id)}
    if not raw_estate.isdigit() or int(raw_estate) not in mine:
        errors["estate_id"] = _("Choose your estate.")
    else:
        values["estate"] = mine[int(raw_estate)]
    for key, check in (("plate", patrols._plate), ("place", patrols._place), ("observed_at", patrols._moment)):
        try:
            values[key] = check(data.get(key))
        except Refused as exc:
            errors.update(exc.errors or {})
    if not has_photo:
        errors["photo"] = _("Attach a photo of the car where it is parked.")
    if errors:
        raise Refused("举报有误，未提交", "The report was not sent.", errors=errors)
    values["description"] = str(data.get("description") or "").strip()[:300]
    return values


async def file_car_report(
    session: AsyncSession, user_id: int, values: dict[str, Any], evidence: patrols.Evidence
) -> CarReport:
    """Store the resident's report (checked by :func:`clean_car_report`, its photo already saved)."""
    estate: ParkingEstate = values["estate"]
    if not evidence.photo_key:
        raise Refused(_("Attach a photo of the car where it is parked."), errors={"photo": _("A photo is needed.")})
    row = CarReport(
        district_id=estate.district_id,
        parking_estate_id=estate.id,
        plate=values["plate"],
        place=values["place"],
        observed_at=values["observed_at"] or utcnow(),
        description=values.get("description", ""),
        photo_key=evidence.photo_key,
        photo_name=evidence.photo_name,
        photo_type=evidence.photo_type,
        photo_sha256=evidence.photo_sha256,
        reported_by=user_id,
    )
    session.add(row)
    await session.flush()
    return row


async def report_or_404(session: AsyncSession, report_id: int) -> tuple[CarReport, ParkingEstate]:
    row = await session.get(CarReport, report_id)
    if row is None or row.district_id != session.info.get("district_id", row.district_id):
        raise NotFound(_("Not found."))
    return row, await service.estate_or_404(session, row.parking_estate_id)


async def _open(session: AsyncSession, report: CarReport, user_id: int | None) -> CarReport:
    if not await patrols.is_patroller(session, report.parking_estate_id, user_id):
        raise Refused(_("Only a patroller of the estate's committee may patrol."))
    await service.lock_estate(session, report.parking_estate_id)
    await session.refresh(report)
    if report.status != "open":
        raise Conflict(
            _("This report has already been handled (%(status)s).", status=report_status_label(report.status))
        )
    return report


async def record_report(session: AsyncSession, report: CarReport, *, by: int, link: str = "") -> Violation:
    """A patroller confirms the report: a violation with the resident's photo as evidence (escalation, notice)."""
    report = await _open(session, report, by)
    values = {
        "plate": report.plate,
        "place": report.place,
        "observed_at": report.observed_at,
        "description": (report.description or _("Reported by a resident"))[:300],
        "round_id": None,
    }
    evidence = patrols.Evidence(
        photo_key=report.photo_key,
        photo_name=report.photo_name,
        photo_type=report.photo_type,
        photo_sha256=report.photo_sha256,
    )
    violation = await patrols.report(session, report.parking_estate_id, by, values, evidence, link=link)
    report.status = "recorded"
    report.violation_id = violation.id
    report.handled_by, report.handled_at = by, utcnow()
    await session.flush()
    return violation


async def dismiss_report(session: AsyncSession, report: CarReport, note: Any, *, by: int) -> CarReport:
    """A patroller dismisses the report (the car had a right to be there, or was gone), saying why."""
    reason = str(note or "").strip()
    if not reason:
        raise Refused(_("Say why the report is dismissed."), errors={"note": _("Say why.")})
    report = await _open(session, report, by)
    report.status = "dismissed"
    report.note = reason[:300]
    report.handled_by, report.handled_at = by, utcnow()
    await session.flush()
    return report


async def reports(
    session: AsyncSession,
    *,
    estate_id: int | None = None,
    reported_by: int | None = None,
    statuses: tuple[str, ...] | None = None,
) -> list[CarReport]:
    query = select(CarReport).order_by(CarReport.observed_at.desc(), CarReport.id.desc()).limit(200)
    if estate_id is not None:
        query = query.where(CarReport.parking_estate_id == estate_id)
    if reported_by is not None:
        query = query.where(CarReport.reported_by == reported_by)
    if statuses:
        query = query.where(CarReport.status.in_(statuses))
    return list((await session.execute(query)).scalars())


def today() -> date:
    return money.today()
