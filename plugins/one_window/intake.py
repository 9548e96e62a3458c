"""Intake at the window (窗口受理): open the case once, tick the documents, the one-time notice, the promise.

An intake opens a case of the item's case type on ``accepted`` and puts the item's
promised time limit on the case's clock (``due_at``: the end of the promised working
day). When a required document that may not be brought later is missing, the case moves
to ``awaiting_documents``, a waiting state: the core pauses the clock there. When the last
such document is ticked, the case comes back to ``accepted`` and the promise moves by the
working days it waited (:func:`promised_on`). The one-time notice (一次性告知单) lists
exactly the documents not ticked, the date to bring them by and where.

Every function takes ``today`` (the local day; tests pass one) and writes through the
core's case service, so the case's timeline records each step.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.plugin_api import (
    TIMEZONE,
    Case,
    InvalidData,
    Refusal,
    append_event,
    create_case,
    definition_for,
    normalize_phone,
    perform_transition,
    residents,
    use_locale,
    utcnow,
    workdays,
)
from core.plugin_api import gettext as _
from plugins.one_window.backoffice import start_route
from plugins.one_window.eligibility import AgeCheck, Check, age_check, check_item, place_names
from plugins.one_window.eligibility import Status as AgeStatus
from plugins.one_window.models import Intake, IntakeStatus, Item, ItemVersion, Missing
from plugins.one_window.service import (
    CASE_TYPE,
    FORMS_ZH,
    WindowSettings,
    get_version,
    window_settings,
)

if TYPE_CHECKING:
    from core.plugin_api import RequestContext

__all__ = (
    "CHANNELS",
    "AgeCheck",
    "AgeStatus",
    "Check",
    "IntakeInput",
    "Notice",
    "age_check",
    "blocking_missing",
    "case_of",
    "document_line",
    "eligibility_of",
    "get_intake",
    "list_intakes",
    "missing_documents",
    "new_submission_key",
    "notice_of",
    "promised_on",
    "receive_documents",
    "refuse_intake",
    "start_intake",
    "today_local",
)

CHANNELS = ("walk_in", "phone", "door_to_door", "web", "mobile")
END_OF_DAY = time(17, 30)  # the end of the working day (core working hours end at 17:30)


def today_local() -> date:
    """Today in China time."""
    return utcnow().astimezone(TIMEZONE).date()


def new_submission_key() -> str:
    """A fresh one-time token for an intake form (a second post of the same form finds the first intake)."""
    return secrets.token_hex(16)


@dataclass(frozen=True)
class IntakeInput:
    """What the window typed: the applicant (from the register when ``person_id``), the channel, the ticks."""

    applicant: str
    phone: str
    address: str = ""
    details: str = ""
    channel: str = "walk_in"
    person_id: int | None = None
    received: frozenset[int] = frozenset()
    submission_key: str = ""
    register: bool = False  # not in the register (no ``person_id``): add the applicant to it
    acknowledge: bool = False  # received although a checked condition is not met (the staff's confirmation)


def missing_documents(intake: Intake) -> list[dict[str, Any]]:
    """The intake's required documents not ticked as received, in the item's order."""
    received = set(intake.received or [])
    return [doc for index, doc in enumerate(intake.documents or []) if index not in received]


def blocking_missing(intake: Intake) -> list[dict[str, Any]]:
    """The missing documents the case cannot go on without (those the window may not collect later)."""
    return [doc for doc in missing_documents(intake) if not doc.get("later")]


def promised_on(intake: Intake, calendar: workdays.DistrictCalendar) -> date | None:
    """The promised day: the item's working days after intake plus the working days the case waited.

    ``None`` while the case waits for documents (the clock is paused) or was not accepted.
    """
    if intake.status != IntakeStatus.ACCEPTED:
        return None
    result = calendar.add_working_days(intake.accepted_on, intake.time_limit_days + intake.paused_days)
    return result if isinstance(result, date) and not isinstance(result, datetime) else result.date()


async def eligibility_of(
    ctx: RequestContext, item: Item | ItemVersion, person_id: int | None, on: date, *, item_id: int, locale: str = ""
) -> list[Check]:
    """The item's checked conditions against the register for ``person_id`` (``None``: not in it), the places
    named in ``locale`` (default: the user's)."""
    places = await place_names(ctx.session, locale or ctx.locale)
    return await check_item(ctx.session, item, person_id, on, places, item_id=item_id)


def _end_of(day: date) -> datetime:
    return datetime.combine(day, END_OF_DAY, tzinfo=TIMEZONE)


async def _check(ctx: RequestContext, item: Item, data: IntakeInput) -> dict[str, Any]:
    errors: dict[str, str] = {}
    person = None
    if data.person_id is not None:
        found = await residents.find_applicants(ctx.session, person_id=data.person_id, locale=ctx.locale)
        if not found:
            errors["person_id"] = _("This person is not in the district's register.")
        else:
            person = found[0]
    applicant = data.applicant.strip() or (person.name if person else "")
    phone_raw = data.phone.strip()
    if person is not None and (not phone_raw or "*" in phone_raw):
        phone_raw = person.phone
    phone = normalize_phone(phone_raw) if phone_raw else None
    if not applicant:
        errors["applicant"] = _("Enter the applicant's name.")
    elif len(applicant) > 50:
        errors["applicant"] = _("At most %(limit)s characters (now %(length)s).", limit=50, length=len(applicant))
    if phone is None:
        errors["phone"] = _("Enter a mobile number or a fixed line with its area code.")
    if len(data.address) > 200:
        errors["address"] = _("At most %(limit)s characters (now %(length)s).", limit=200, length=len(data.address))
    if len(data.details) > 1000:
        errors["details"] = _("At most %(limit)s characters (now %(length)s).", limit=1000, length=len(data.details))
    if data.channel not in CHANNELS:
        errors["channel"] = _("Choose one of the listed options.")
    if not item.is_active:
        errors["item_id"] = _("This item is not offered at the window now.")
    if not 8 <= len(data.submission_key) <= 64:
        errors["_"] = _("The form has expired: open it again.")
    if any(not 0 <= i < len(item.documents) for i in data.received):
        errors["received"] = _("Tick only documents of the item.")
    if errors:
        raise InvalidData(_("Please correct the marked fields."), errors)
    address = data.address.strip() or (person.address if person else "")
    return {"applicant": applicant, "phone": phone, "address": address, "details": data.details.strip()}


async def _register(ctx: RequestContext, name: str, phone: str) -> int:
    """Add a walk-in who is not in the district's register to it (the whole intake is refused if that fails)."""
    assert ctx.district is not None and ctx.user is not None
    try:
        return await residents.add_resident(ctx.session, ctx.district.id, ctx.user.id, name, phone)
    except Refusal as exc:
        if exc.status_code == 409:
            message = _("The register already has a person with this name and phone: find and choose them above.")
        else:
            message = exc.text(ctx.locale)
        raise InvalidData(_("Please correct the marked fields."), {"register": message}) from exc


async def _existing(ctx: RequestContext, key: str) -> Intake | None:
    query = select(Intake).where(Intake.submission_key == key)
    return (await ctx.session.execute(query)).scalar_one_or_none()


async def _claim(ctx: RequestContext, intake: Intake) -> Intake | None:
    """Insert ``intake``; ``None`` when the same form was posted already (the first one wins)."""
    try:
        async with ctx.session.begin_nested():
            ctx.session.add(intake)
            await ctx.session.flush()
    except IntegrityError:
        return None
    return intake


async def _set_due(ctx: RequestContext, case: Case, intake: Intake) -> None:
    assert ctx.district is not None
    calendar = await workdays.calendar_for(ctx.session, ctx.district)
    intake.promised_on = promised_on(intake, calendar)
    if intake.promised_on is not None and case.is_open:
        case.due_at = _end_of(intake.promised_on)
    await ctx.session.flush()


async def start_intake(
    ctx: RequestContext,
    item: Item,
    data: IntakeInput,
    *,
    refusal: tuple[str, str] | None = None,
    today: date | None = None,
) -> Intake:
    """Receive a request for ``item``: open the case, record the ticks, pause when documents are missing.

    With ``refusal`` (reason, legal basis) the request is recorded as not accepted (不予受理).
    A second post of the same form (same ``submission_key``) returns the first intake.
    """
    assert ctx.district is not None and ctx.user is not None
    if data.submission_key and (earlier := await _existing(ctx, data.submission_key)) is not None:
        return earlier
    values = await _check(ctx, item, data)
    if refusal is not None:
        _check_refusal(*refusal)
    day = today or today_local()
    if (item.checks or {}).get("no_duplicate") and data.person_id is not None:
        # The repeat check counts open requests: requests for the item take turns (the row lock on PostgreSQL,
        # SQLite's writers one at a time), so two sent at once cannot both find none open.
        await ctx.session.execute(select(Item.id).where(Item.id == item.id).with_for_update())
    with use_locale("zh_CN"):  # kept on the intake and written on the timeline in Chinese
        checks = await eligibility_of(ctx, item, data.person_id, day, item_id=item.id, locale="zh_CN")
    with use_locale("en"):  # and kept in English too, for the English interface
        checks_en = await eligibility_of(ctx, item, data.person_id, day, item_id=item.id, locale="en")
    failed = [c for c in checks if c.status == "fails"]
    if failed and refusal is None and not data.acknowledge:
        raise InvalidData(
            _("Please correct the marked fields."),
            {
                "acknowledge": _(
                    "The applicant does not meet %(n)s of the item's conditions: tick the confirmation to receive "
                    "the request anyway, or do not accept it.",
                    n=len(failed),
                )
            },
        )
    calendar = await workdays.calendar_for(ctx.session, ctx.district)
    intake = Intake(
        district_id=ctx.district.id,
        submission_key=data.submission_key,
        item_id=item.id,
        person_id=data.person_id,
        applicant=values["applicant"],
        phone=values["phone"],
        channel=data.channel,
        documents=[dict(d) for d in item.documents],
        received=sorted(data.received),
        time_limit_days=item.time_limit_days,
        item_version=item.version,
        accepted_on=day,
        eligibility=[c.as_dict() | {"text_en": e.text} for c, e in zip(checks, checks_en, strict=True)],
        acknowledged=bool(failed) and refusal is None,
        created_by=ctx.user.id,
    )
    claimed = await _claim(ctx, intake)
    if claimed is None:
        earlier = await _existing(ctx, data.submission_key)
        assert earlier is not None
        return earlier
    if data.register and data.person_id is None:
        intake.person_id = await _register(ctx, values["applicant"], values["phone"])
    case = await create_case(
        ctx,
        item.case_type_key or CASE_TYPE,
        title=f"{item.title} · {values['applicant']}"[:200],
        data={**values, "item_code": item.code, "item_title": item.title},
        channel=data.channel,
    )
    intake.case_id, intake.reference = case.id, case.reference
    if intake.acknowledged:
        lines = "；".join(c.text for c in failed)
        note = f"受理条件核对：{lines}。工作人员已确认，仍予受理。"
        await append_event(ctx.session, case, "comment", ctx.user.id, {"text": note, "mentions": []})
    definition = await definition_for(ctx, case)
    if refusal is not None:
        intake.status = IntakeStatus.REFUSED
        intake.refusal_reason, intake.refusal_basis = refusal
        await perform_transition(ctx, case, definition, "refuse", reason=_refusal_text(*refusal))
        await ctx.session.flush()
        return intake
    missing = missing_documents(intake)
    if missing:
        intake.notice_deadline = _date(calendar.add_working_days(day, (await _settings(ctx)).supplement_days))
    ctx.session.add_all(
        Missing(district_id=ctx.district.id, intake_id=intake.id, item_id=item.id, name=str(d["name"])[:100])
        for d in missing
    )
    intake.status = IntakeStatus.ACCEPTED
    await _set_due(ctx, case, intake)  # the item's promise on the clock, before any pause keeps what is left
    if blocking_missing(intake):
        intake.status, intake.paused_since, intake.promised_on = IntakeStatus.WAITING, day, None
        names = "、".join(d["name"] for d in missing)
        await perform_transition(ctx, case, definition, "request_documents", reason=f"一次性告知补齐：{names}")
        await ctx.session.flush()
    else:
        await start_route(ctx, case, intake, item, today=day)  # the departments on the route get it
    if missing:
        await _send_notice(ctx, intake)
    return intake


async def _send_notice(ctx: RequestContext, intake: Intake) -> None:
    """The one-time notice to the applicant's phone: a notice to their login (a person of the register with an
    account), which the district's channels (SMS …) deliver besides the inbox."""
    from core.plugin_api import notify  # noqa: PLC0415
    from plugins.one_window.backoffice import QUIET, applicant_login  # noqa: PLC0415

    login = None if ctx.extra.get(QUIET) else await applicant_login(ctx, intake)
    if login is None:
        return
    await notify(
        ctx.session,
        [login],
        "one_window.notice",
        {
            "reference": intake.reference,
            "documents": "、".join(str(d["name"]) for d in missing_documents(intake)),
            "deadline": intake.notice_deadline.isoformat() if intake.notice_deadline else "",
            "place": (await _settings(ctx)).window_address,
        },
        ctx.url("/public/one_window/progress"),
        dedupe_key=f"one_window.notice:{intake.id}",
    )


def _date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


async def _settings(ctx: RequestContext) -> WindowSettings:
    assert ctx.district is not None
    return await window_settings(ctx.session, ctx.district, ctx.host)


def _check_refusal(reason: str, basis: str) -> None:
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["refusal_reason"] = _("Give the reason the request is not accepted.")
    elif len(reason) > 1000:
        errors["refusal_reason"] = _("At most %(limit)s characters (now %(length)s).", limit=1000, length=len(reason))
    if not basis.strip():
        errors["refusal_basis"] = _("Give the legal basis for not accepting it.")
    elif len(basis) > 1000:
        errors["refusal_basis"] = _("At most %(limit)s characters (now %(length)s).", limit=1000, length=len(basis))
    if errors:
        raise InvalidData(_("Please correct the marked fields."), errors)


def _refusal_text(reason: str, basis: str) -> str:
    return f"{reason.strip()}（依据：{basis.strip()}）"


async def case_of(ctx: RequestContext, intake: Intake) -> tuple[Case, Any]:
    """The intake's case (locked for the change) and its case-type definition."""
    query = select(Case).where(Case.id == intake.case_id).with_for_update()
    case = (await ctx.session.execute(query)).scalar_one()
    return case, await definition_for(ctx, case)


async def receive_documents(
    ctx: RequestContext, intake: Intake, received: set[int], *, today: date | None = None
) -> Intake:
    """Tick more documents as received; when nothing blocking is missing any more, the clock resumes."""
    assert ctx.district is not None
    if intake.status == IntakeStatus.REFUSED:
        raise InvalidData(_("This request was not accepted; it takes no more documents."), {})
    if intake.status == IntakeStatus.DONE:
        raise InvalidData(_("This request is finished; it takes no more documents."), {})
    if any(not 0 <= i < len(intake.documents) for i in received):
        raise InvalidData(_("Please correct the marked fields."), {"received": _("Tick only documents of the item.")})
    intake.received = sorted(set(intake.received or []) | received)
    if intake.status == IntakeStatus.WAITING and not blocking_missing(intake):
        day = today or today_local()
        calendar = await workdays.calendar_for(ctx.session, ctx.district)
        assert intake.paused_since is not None
        intake.paused_days += max(0, calendar.working_days_between(intake.paused_since, day))
        intake.paused_since, intake.status = None, IntakeStatus.ACCEPTED
        case, definition = await case_of(ctx, intake)
        await perform_transition(ctx, case, definition, "documents_complete", reason="材料已补齐")
        await _set_due(ctx, case, intake)
        received_under = await get_version(ctx.session, intake.item_id, intake.item_version)
        assert received_under is not None
        await start_route(ctx, case, intake, received_under, today=day)  # the route it was received under
    await ctx.session.flush()
    return intake


async def refuse_intake(ctx: RequestContext, intake: Intake, reason: str, basis: str) -> Intake:
    """Record that the request is not accepted (不予受理), with the reason and the legal basis."""
    _check_refusal(reason, basis)
    if intake.status == IntakeStatus.REFUSED:
        raise InvalidData(_("This request was already not accepted."), {})
    if intake.status != IntakeStatus.WAITING:
        raise InvalidData(_("Only a request waiting for documents can still be not accepted."), {})
    case, definition = await case_of(ctx, intake)
    await perform_transition(ctx, case, definition, "refuse", reason=_refusal_text(reason, basis))
    intake.status, intake.paused_since, intake.promised_on = IntakeStatus.REFUSED, None, None
    intake.refusal_reason, intake.refusal_basis = reason.strip(), basis.strip()
    await ctx.session.flush()
    return intake


async def get_intake(ctx: RequestContext, intake_id: int) -> Intake | None:
    """The district's intake ``intake_id``."""
    return (await ctx.session.execute(select(Intake).where(Intake.id == intake_id))).scalar_one_or_none()


async def list_intakes(ctx: RequestContext, status: str = "", limit: int = 100) -> list[tuple[Intake, Item]]:
    """The latest intakes (of one status when given) with their items."""
    query = select(Intake, Item).join(Item, Item.id == Intake.item_id).order_by(Intake.id.desc()).limit(limit)
    if status:
        query = query.where(Intake.status == status)
    return [(i, item) for i, item in (await ctx.session.execute(query)).tuples()]


@dataclass(frozen=True)
class Notice:
    """What the one-time notice (一次性告知单) says: always Chinese, the same on the page and in the PDF."""

    reference: str
    applicant: str
    item_code: str
    item_title: str
    department: str
    documents: list[str]
    deadline: date | None
    window_address: str
    issued_on: date
    clock_paused: bool


def document_line(doc: dict[str, Any]) -> str:
    """``户口簿（原件 1 份）`` with ``，可后补`` when the window may collect it later."""
    later = "，可容缺后补" if doc.get("later") else ""
    return f"{doc['name']}（{FORMS_ZH.get(str(doc.get('form')), '原件')} {int(doc.get('count', 1))} 份{later}）"


def notice_of(intake: Intake, item: Item | ItemVersion, department: str, window_address: str) -> Notice:
    """The one-time notice of ``intake``: exactly its documents not ticked as received."""
    return Notice(
        reference=intake.reference,
        applicant=intake.applicant,
        item_code=item.code,
        item_title=item.title,
        department=department,
        documents=[document_line(d) for d in missing_documents(intake)],
        deadline=intake.notice_deadline,
        window_address=window_address,
        issued_on=intake.accepted_on,
        clock_paused=intake.status == IntakeStatus.WAITING,
    )
