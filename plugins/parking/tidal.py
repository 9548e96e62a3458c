"""Tidal sharing (潮汐式停车): agreements with a partner, allocations of spaces without overlaps, the district totals.

An estate's spaces are free by day while the office tower next door is full, and the
other way round at night: an agreement offers ``space_count`` spaces to a partner in
weekly windows (e.g. workdays 08:30–17:00) for a price and a term. Permits for the
partner's employees are issued only once the agreement is signed.

An allocation gives one space to someone in weekly windows between two dates. No two
active allocations of a space overlap in time: the check expands both weekly windows into
half-open minute-of-week intervals (a window whose end is not after its start crosses
midnight; Sunday night wraps into Monday), so 08:30–17:00 and 17:00–08:30 share a space,
and a hand-over at the same minute is allowed. The window is stored as those intervals
(``parking_tidal_slot``): the check is part of the insert's statement, and on PostgreSQL an
exclusion constraint refuses an overlapping slot even from two transactions at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Date, Integer, and_, bindparam, delete, exists, func, insert, or_, select
from sqlalchemy.exc import IntegrityError

from core.plugin_api import PHOTOS_AND_PDF, DriverStatement, content_type_of, safe_name, utcnow
from core.plugin_api import gettext as _
from plugins.parking.models import (
    LIVE_PERMIT,
    TIDAL_DOCUMENTS,
    WEEK_MINUTES,
    Permit,
    Space,
    TidalAgreement,
    TidalAllocation,
    TidalDocument,
    TidalSlot,
)
from plugins.parking.service import Conflict, Refused, lock_estate

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.ext.asyncio import AsyncSession

    from plugins.parking.models import ParkingEstate

__all__ = (
    "Totals",
    "agreements",
    "allocate",
    "apply_tidal",
    "check_document",
    "create_agreement",
    "document_or_404",
    "documents_of",
    "intervals",
    "overlaps",
    "sign",
    "terminate",
    "tidal_cards",
    "totals",
)

WEEK = WEEK_MINUTES
DOCUMENT_MAX_BYTES = 5 * 1024 * 1024
# What each document is called: (Chinese, English).
DOCUMENT_LABELS = {"identity": ("身份证件", "identity document"), "employer_letter": ("单位证明", "employer's letter")}


def _minute(raw: Any, field: str) -> int:
    """``"08:30"`` → 510; ``"24:00"`` → 1440."""
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw or "").strip()
        hours, _sep, minutes = text.partition(":")
        if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
            raise Refused("时间格式为 时:分", "A time is HH:MM.", errors={field: _("A time as HH:MM, e.g. 08:30.")})
        value = int(hours) * 60 + int(minutes)
    if not 0 <= value <= 1440:
        raise Refused(
            "时间须在 00:00–24:00", "A time is 00:00–24:00.", errors={field: _("A time as HH:MM, e.g. 08:30.")}
        )
    return value


def _days(raw: Any) -> str:
    days = "".join(sorted(set(str(raw or ""))))
    if not days or any(d not in "1234567" for d in days):
        raise Refused("请选择星期", "Choose the days of the week (1–7).", errors={"days": _("Choose the days.")})
    return days


def _date(raw: Any, field: str) -> date:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise Refused(
            "日期格式有误", "A date is YYYY-MM-DD.", errors={field: _("Enter a date (YYYY-MM-DD).")}
        ) from None


def intervals(days: str, start: int, end: int) -> list[tuple[int, int]]:
    """The half-open minute-of-week intervals of a weekly window (Monday 00:00 is 0), sorted, touching ones joined.

    An end not after the start crosses midnight; Sunday night is split at the end of the week.
    """
    spans: list[tuple[int, int]] = []
    length = (end - start) if end > start else (1440 - start + end)
    if length <= 0:
        return spans
    for day in days:
        begin = (int(day) - 1) * 1440 + start
        stop = begin + length
        spans += [(begin, stop)] if stop <= WEEK else [(begin, WEEK), (0, stop - WEEK)]
    out: list[tuple[int, int]] = []
    for begin, stop in sorted(spans):
        if out and out[-1][1] >= begin:
            out[-1] = (out[-1][0], max(out[-1][1], stop))
        else:
            out.append((begin, stop))
    return out


def overlaps(a: tuple[str, int, int], b: tuple[str, int, int]) -> bool:
    """Whether two weekly windows ``(days, start, end)`` share a minute (half-open: a hand-over is not one).

    The rule :func:`allocate` checks in SQL on the stored slots, stated in Python (the tests pin it down).
    """
    return any(x0 < y1 and y0 < x1 for x0, x1 in intervals(*a) for y0, y1 in intervals(*b))


def clean_window(data: Mapping[str, Any]) -> tuple[str, int, int]:
    """Days and hours from a form or a body; a window of zero length is refused."""
    days = _days(data.get("days"))
    start, end = _minute(data.get("start"), "start"), _minute(data.get("end"), "end")
    if start in (end, 1440):
        raise Refused("时段不能为空", "The window is empty.", errors={"end": _("The end differs from the start.")})
    return days, start, end


async def agreements(session: AsyncSession, estate_id: int | None = None) -> list[TidalAgreement]:
    """The agreements (of one estate), newest first."""
    query = select(TidalAgreement).order_by(TidalAgreement.id.desc())
    if estate_id is not None:
        query = query.where(TidalAgreement.parking_estate_id == estate_id)
    return list((await session.execute(query)).scalars())


async def create_agreement(session: AsyncSession, estate: ParkingEstate, data: Mapping[str, Any]) -> TidalAgreement:
    """A draft agreement with a partner."""
    partner = str(data.get("partner") or "").strip()
    if not partner or len(partner) > 100:
        raise Refused("请填写合作单位", "Enter the partner.", errors={"partner": _("Enter the partner.")})
    try:
        count = int(str(data.get("space_count") or "0"))
        price = int(str(data.get("price_fen") or "0"))
    except ValueError:
        count, price = 0, -1
    if not 0 < count <= 10000 or price < 0:
        raise Refused(
            "车位数与价格有误",
            "Spaces and price are whole numbers.",
            errors={"space_count": _("A whole number from %(low)s to %(high)s.", low=1, high=10000)},
        )
    days, start, end = clean_window(data)
    term_from, term_to = _date(data.get("term_from"), "term_from"), _date(data.get("term_to"), "term_to")
    if term_to < term_from:
        raise Refused(
            "期限结束不能早于开始", "The term ends after it starts.", errors={"term_to": _("After the start.")}
        )
    agreement = TidalAgreement(
        district_id=estate.district_id,
        parking_estate_id=estate.id,
        partner=partner,
        space_count=count,
        days=days,
        start_minute=start,
        end_minute=end,
        price_fen=price,
        term_from=term_from,
        term_to=term_to,
        signatories=str(data.get("signatories") or "")[:300],
        status="draft",
    )
    session.add(agreement)
    await session.flush()
    return agreement


async def _agreement(session: AsyncSession, agreement_id: int, *, lock: bool = False) -> TidalAgreement:
    from core.plugin_api import NotFound  # noqa: PLC0415

    agreement = await session.get(TidalAgreement, agreement_id, with_for_update={"read": True} if lock else None)
    if agreement is None or agreement.district_id != session.info.get("district_id", agreement.district_id):
        raise NotFound(_("Not found."))
    return agreement


async def sign(session: AsyncSession, agreement_id: int, signatories: str) -> TidalAgreement:
    """Sign a draft: the committee's and the partner's signatories recorded."""
    agreement = await _agreement(session, agreement_id)
    await lock_estate(session, agreement.parking_estate_id)
    if agreement.status != "draft":
        raise Conflict("只有草拟的协议可以签署", "Only a draft agreement is signed.")
    names = (signatories or agreement.signatories).strip()
    if not names:
        raise Refused("请填写签署人", "Name the signatories.", errors={"signatories": _("Name the signatories.")})
    agreement.signatories, agreement.status, agreement.signed_at = names[:300], "signed", utcnow()
    await session.flush()
    return agreement


async def terminate(session: AsyncSession, agreement_id: int) -> TidalAgreement:
    """End an agreement: its allocations are released and its permits revoked."""
    agreement = await _agreement(session, agreement_id)
    await lock_estate(session, agreement.parking_estate_id)
    if agreement.status != "signed":
        raise Conflict("只有已签署的协议可以终止", "Only a signed agreement is terminated.")
    agreement.status = "terminated"
    released = []
    for allocation in (
        await session.execute(select(TidalAllocation).where(TidalAllocation.agreement_id == agreement.id))
    ).scalars():
        allocation.status = "released"
        released.append(allocation.id)
    if released:
        await session.execute(delete(TidalSlot).where(TidalSlot.allocation_id.in_(released)))
    for permit in (
        await session.execute(select(Permit).where(Permit.agreement_id == agreement.id, Permit.status.in_(LIVE_PERMIT)))
    ).scalars():
        permit.status = "revoked"
    await session.flush()
    return agreement


async def allocate(
    session: AsyncSession, estate_id: int, data: Mapping[str, Any], agreement_id: int | None = None
) -> TidalAllocation:
    """Give a space to ``holder`` in weekly windows between two dates, refused (409) if it overlaps another.

    The check and the insert are one statement (``INSERT … SELECT … WHERE NOT EXISTS`` an
    overlapping slot of the space), then the window's slots are inserted. Two allocations
    at once: on SQLite the second waits for the write lock and then sees the first; on
    PostgreSQL both may pass the check, and the slots' exclusion constraint refuses the
    second when the first commits.
    """
    try:
        space_id = int(str(data.get("space_id")))
    except ValueError:
        space_id = 0
    holder = str(data.get("holder") or "").strip()[:100]
    if not holder:
        raise Refused("请填写使用人", "Enter who uses the space.", errors={"holder": _("Enter who uses the space.")})
    days, start, end = clean_window(data)
    valid_from, valid_to = _date(data.get("valid_from"), "valid_from"), _date(data.get("valid_to"), "valid_to")
    if valid_to < valid_from:
        raise Refused(
            "结束日期不能早于开始", "The end date is after the start.", errors={"valid_to": _("After the start.")}
        )
    if agreement_id is not None:
        # FOR SHARE: a termination of the agreement waits for this allocation (then releases it), or goes first.
        agreement = await _agreement(session, agreement_id, lock=True)
        if agreement.parking_estate_id != estate_id or agreement.status != "signed":
            raise Conflict("协议尚未签署，不能分配车位", "The agreement is not signed: no space is allocated under it.")
    spans = intervals(days, start, end)
    district_id = session.info.get("district_id")
    insert_allocation, insert_slot, holder_of = _statements(len(spans), district_id is not None)
    now = utcnow()
    params: dict[str, Any] = {
        "space": space_id,
        "estate": estate_id,
        "district": district_id,
        "first": valid_from,
        "last": valid_to,
        **{f"b{k}": b for k, (b, _e) in enumerate(spans)},
        **{f"e{k}": e for k, (_b, e) in enumerate(spans)},
    }
    values = {
        "agreement_id": agreement_id,
        "holder": holder,
        "days": days,
        "start_minute": start,
        "end_minute": end,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "status": "active",
        "created_at": now,
        "updated_at": now,
    }
    connection = await session.connection()  # Core statements on tables: the ORM session has nothing to add
    row = await insert_allocation.first(connection, params | values)
    if row is None:
        found = await holder_of.first(connection, params)
        if found is None:
            raise Refused(
                "请选择本小区的车位", "Choose a space of this estate.", errors={"space_id": _("Choose a space.")}
            )
        code, name = found
        if name is None:  # PostgreSQL: the other allocation was released between the two statements
            raise _taken()
        raise Conflict(
            f"车位 {code} 在该时段已分配给 {name}",
            f"Space {code} is allocated to {name} at that time.",
            errors={"start": _("This time overlaps another allocation of the space.")},
        )
    allocation_id, allocation_district = row
    slots = [
        {
            "allocation_id": allocation_id,
            "space_id": space_id,
            "begin_minute": b,
            "end_minute": e,
            "valid_from": valid_from,
            "valid_to": valid_to,
        }
        for b, e in spans
    ]
    try:
        await insert_slot.executemany(connection, slots)
    except IntegrityError as exc:  # PostgreSQL: another allocation of these minutes committed a moment ago
        raise _taken() from exc
    return TidalAllocation(
        id=allocation_id,
        district_id=allocation_district,
        parking_estate_id=estate_id,
        space_id=space_id,
        **values,
    )


def _taken() -> Conflict:
    """An allocation refused by the database's constraint: another one of the same minutes went first."""
    return Conflict(
        "该车位的这一时段刚被分配给他人，请刷新后查看",
        "The space was allocated for that time a moment ago: reload the page to see to whom.",
        errors={"start": _("This time overlaps another allocation of the space.")},
    )


@cache
def _statements(spans: int, scoped: bool) -> tuple[DriverStatement, DriverStatement, DriverStatement]:
    """The statements of :func:`allocate` for a window of ``spans`` intervals, built and compiled once.

    They are sent on the session's driver (:class:`~core.plugin_api.DriverStatement`): an
    allocation is the parking plugin's hot path, and SQLAlchemy's execution of each statement
    cost more than the database's work (bench/parking_bench.py, docs/performance.md).

    1. the allocation's insert, which is the overlap check: ``INSERT … SELECT … FROM parking_space
       WHERE NOT EXISTS (an overlapping slot of the space) RETURNING id``;
    2. the slots' insert (one row per interval);
    3. when 1 inserted nothing: the space's code and who holds it then.

    ``scoped``: with the session's district (``district_id`` of the space).
    """
    allocations, slots, spaces = (cast("Table", m.__table__) for m in (TidalAllocation, TidalSlot, Space))
    allocation, slot, space = allocations.c, slots.c, spaces.c
    clash = select(slot.allocation_id).where(
        slot.space_id == space.id,
        slot.valid_to >= bindparam("first", type_=Date),
        slot.valid_from <= bindparam("last", type_=Date),
        or_(
            *(
                and_(
                    slot.begin_minute < bindparam(f"e{k}", type_=Integer),
                    slot.end_minute > bindparam(f"b{k}", type_=Integer),
                )
                for k in range(spans)
            )
        ),
    )
    where = [space.id == bindparam("space"), space.parking_estate_id == bindparam("estate")]
    if scoped:
        where.append(space.district_id == bindparam("district"))
    copied = [allocation.district_id, allocation.parking_estate_id, allocation.space_id]
    given = [
        allocation.agreement_id,
        allocation.holder,
        allocation.days,
        allocation.start_minute,
        allocation.end_minute,
        allocation.valid_from,
        allocation.valid_to,
        allocation.status,
        allocation.created_at,
        allocation.updated_at,
    ]
    source = select(
        space.district_id, space.parking_estate_id, space.id, *(bindparam(c.key, type_=c.type) for c in given)
    ).where(*where, ~exists(clash))
    insert_allocation = (
        insert(allocations).from_select([*copied, *given], source).returning(allocation.id, allocation.district_id)
    )
    first_clash = clash.correlate(spaces).limit(1).scalar_subquery()  # two levels down: correlated by hand
    holder = select(allocation.holder).where(allocation.id == first_clash).scalar_subquery()
    holder_of = select(space.code, holder).where(*where)
    return DriverStatement(insert_allocation), DriverStatement(insert(slots)), DriverStatement(holder_of)


async def allocations(session: AsyncSession, estate_id: int) -> list[TidalAllocation]:
    """The estate's active allocations by space."""
    query = (
        select(TidalAllocation)
        .where(TidalAllocation.parking_estate_id == estate_id, TidalAllocation.status == "active")
        .order_by(TidalAllocation.space_id, TidalAllocation.start_minute)
    )
    return list((await session.execute(query)).scalars())


def check_document(kind: str, filename: str, data: bytes) -> tuple[str, str]:
    """(safe name, content type) of an application's document: a JPEG or PNG photo or a PDF of at most 5 MB."""
    zh, en = DOCUMENT_LABELS[kind]
    name = safe_name(filename, kind)
    if not data:
        raise Refused(
            f"请上传{zh}（照片或 PDF）",
            f"Attach the {en} (a photo or a PDF).",
            errors={kind: _("Attach it: a JPEG or PNG photo or a PDF.")},
        )
    if len(data) > DOCUMENT_MAX_BYTES:
        raise Refused(
            f"{zh}过大：最多 5 MB", f"The {en} is too large: at most 5 MB.", errors={kind: _("At most 5 MB.")}
        )
    content_type = content_type_of(name, data, PHOTOS_AND_PDF)
    if content_type is None:
        raise Refused(
            f"{zh}须为 JPEG、PNG 照片或 PDF",
            f"The {en} must be a JPEG or PNG photo or a PDF.",
            errors={kind: _("A JPEG or PNG photo or a PDF.")},
        )
    return name, content_type


async def apply_tidal(
    session: AsyncSession,
    agreement_id: int,
    plate: Any,
    holder_name: str,
    user_id: int | None,
    documents: Mapping[str, tuple[str, bytes]],
    store: Callable[[bytes], Awaitable[Any]],
) -> Permit:
    """A partner's employee applies at the property window (scenario P2), with an identity document and the
    employer's letter (``documents``: kind → (filename, bytes)): only under a signed agreement with a space left.

    Everything is checked first; only then are the documents' bytes kept, through ``store``
    (``storage_for(ctx).save``), which answers the stored file.
    """
    from core.plugin_api import residents  # noqa: PLC0415

    agreement = await _agreement(session, agreement_id)
    estate = await lock_estate(session, agreement.parking_estate_id)
    if agreement.status != "signed":
        raise Conflict("潮汐停车协议尚未签署，不能办理停车卡", "The tidal agreement is not signed: no card yet.")
    normalized = residents.normalize_plate(str(plate or ""))
    if not normalized:
        raise Refused(
            "车牌号格式有误", "Enter a valid plate.", errors={"plate": _("Enter a valid plate, e.g. 浙B12345.")}
        )
    name = (holder_name or "").strip()[:50]
    if not name:
        raise Refused(
            "请填写姓名", "Enter the name.", errors={"holder_name": _("Enter the name (up to 50 characters).")}
        )
    live = (
        select(func.count())
        .select_from(Permit)
        .where(Permit.parking_estate_id == estate.id, Permit.plate == normalized, Permit.status.in_(LIVE_PERMIT))
    )
    if (await session.execute(live)).scalar_one():
        raise Conflict(f"{normalized} 已有有效的停车卡或申请", f"{normalized} already has a live card or application.")
    used = (
        select(func.count())
        .select_from(Permit)
        .where(Permit.agreement_id == agreement.id, Permit.status.in_(LIVE_PERMIT))
    )
    if (await session.execute(used)).scalar_one() >= agreement.space_count:
        raise Conflict("协议约定的车位已发满", "Every space of the agreement has a card.")
    from plugins.parking.conventions import adopted_convention  # noqa: PLC0415

    convention = await adopted_convention(session, estate.id)
    if convention is None:
        raise Conflict("本小区的停车公约尚未通过", "No convention is in force in this estate.")
    checked = {kind: check_document(kind, *documents.get(kind, ("", b""))) for kind in TIDAL_DOCUMENTS}
    permit = Permit(
        district_id=estate.district_id,
        parking_estate_id=estate.id,
        convention_id=convention.id,
        agreement_id=agreement.id,
        holder_name=name,
        plate=normalized,
        kind="tidal",
        status="applied",
        days=agreement.days,
        start_minute=agreement.start_minute,
        end_minute=agreement.end_minute or 1440,
        valid_from=agreement.term_from,
        valid_to=agreement.term_to,
        fee_fen=agreement.price_fen,
        channel="window",
        applied_by=user_id,
        applied_at=utcnow(),
    )
    session.add(permit)
    await session.flush()
    for kind, (name, content_type) in checked.items():
        stored = await store(documents[kind][1])
        session.add(
            TidalDocument(
                district_id=estate.district_id,
                permit_id=permit.id,
                kind=kind,
                name=name,
                content_type=content_type,
                storage_key=stored.key,
                sha256=stored.sha256,
                uploaded_by=user_id,
            )
        )
    await session.flush()
    return permit


async def documents_of(session: AsyncSession, permit_ids: list[int]) -> dict[int, list[TidalDocument]]:
    """The documents of these tidal cards, by card (identity first)."""
    if not permit_ids:
        return {}
    query = select(TidalDocument).where(TidalDocument.permit_id.in_(permit_ids)).order_by(TidalDocument.id)
    out: dict[int, list[TidalDocument]] = {}
    for document in (await session.execute(query)).scalars():
        out.setdefault(document.permit_id, []).append(document)
    return out


async def document_or_404(session: AsyncSession, permit_id: int, kind: str) -> tuple[TidalDocument, Permit]:
    """A tidal card's document of ``kind`` in the session's district, with its card; else 404."""
    from core.plugin_api import NotFound  # noqa: PLC0415

    query = select(TidalDocument, Permit).join(Permit, Permit.id == TidalDocument.permit_id)
    row = (await session.execute(query.where(Permit.id == permit_id, TidalDocument.kind == kind))).first()
    if row is None:
        raise NotFound(_("Not found."))
    return row[0], row[1]


async def tidal_cards(session: AsyncSession, estate_id: int) -> list[Permit]:
    """The estate's tidal cards (under its agreements), newest first."""
    query = (
        select(Permit).where(Permit.parking_estate_id == estate_id, Permit.kind == "tidal").order_by(Permit.id.desc())
    )
    return list((await session.execute(query)).scalars())


@dataclass(frozen=True)
class Totals:
    """The district's tidal sharing: sites (active agreements), extra spaces, estates taking part."""

    sites: int
    spaces: int
    estates: int


async def totals(session: AsyncSession, today: date) -> Totals:
    """Totals over signed agreements in their term today (the "30 sites, 1,700 spaces" figure)."""
    query = select(
        func.count(TidalAgreement.id),
        func.coalesce(func.sum(TidalAgreement.space_count), 0),
        func.count(func.distinct(TidalAgreement.parking_estate_id)),
    ).where(TidalAgreement.status == "signed", TidalAgreement.term_from <= today, TidalAgreement.term_to >= today)
    sites, spaces, estates = (await session.execute(query)).one()
    return Totals(int(sites), int(spaces), int(estates))
