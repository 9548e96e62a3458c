"""JSON API under ``/api/v1/districts/{district}/one_window``: the catalogue, the register lookup, intakes.

Refusals answer 400/404/409 with ``extra.errors`` by field, as the rest of the API; a
second ``POST /intakes`` with the same ``submission_key`` answers the first intake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, TypedDict

from litestar import get, patch, post
from litestar.exceptions import NotFoundException, ValidationException

from core.plugin_api import Code, LongText, Name, RequestContext, Text, Title, localized, residents, workdays
from core.plugin_api import gettext as _
from plugins.one_window import intake as svc
from plugins.one_window import scans, service
from plugins.one_window.backoffice import route_of
from plugins.one_window.manifest import KEY
from plugins.one_window.models import Intake, Item, ItemVersion, Scan
from plugins.one_window.routes import Upload

__all__ = ("API_ROUTES",)


class DocumentIn(TypedDict, total=False):
    """A required document: its name, original / copy / both, how many, whether it may be brought later."""

    name: Name
    form: Literal["original", "copy", "both"]
    count: int
    later: bool


class StageIn(TypedDict):
    """A stage of the back-office route: the departments acting in parallel (org unit ids) and its working days."""

    departments: list[int]
    days: int


class ItemIn(TypedDict, total=False):
    """An item to create (``code``, ``title``, ``department_id``, ``time_limit_days`` required) or fields to change."""

    code: Code
    title: Title
    keywords: Title
    department_id: int
    conditions: LongText
    min_age: int | None
    max_age: int | None
    gender: Literal["female", "male", ""] | None
    residence: int | None
    relations: list[Literal["owner", "co_owner", "tenant", "family", "other"]]
    no_duplicate: bool
    documents: list[DocumentIn]
    time_limit_days: int
    fee: Name
    legal_basis: LongText
    is_active: bool
    route: list[StageIn]


@dataclass(frozen=True)
class StageOut:
    """A stage of the route: its departments (in parallel) and working days."""

    departments: list[int]
    days: int


@dataclass(frozen=True)
class DocumentOut:
    """A required document."""

    name: str
    form: str
    count: int
    later: bool


@dataclass(frozen=True)
class ItemOut:
    """A catalogue item as the API returns it."""

    id: int
    code: str
    title: str
    keywords: str
    department_id: int | None
    conditions: str
    min_age: int | None
    max_age: int | None
    # The conditions checked against the register at the window (docs/one-window.md): "female" / "male" / None;
    # 0 (the district) or a street's or community's id / None; relations to a home; no second open request.
    gender: str | None
    residence: int | None
    relations: list[str]
    no_duplicate: bool
    documents: list[DocumentOut]
    time_limit_days: int
    fee: str
    legal_basis: str
    case_type_key: str
    is_active: bool
    route: list[StageOut]
    version: int

    @classmethod
    def of(cls, item: Item | ItemVersion) -> ItemOut:
        """The item as it is now, or (``ItemVersion``) one of its published versions."""
        return cls(
            id=item.item_id if isinstance(item, ItemVersion) else item.id,
            code=item.code,
            title=item.title,
            keywords=item.keywords,
            department_id=item.department_id,
            conditions=item.conditions,
            min_age=item.min_age,
            max_age=item.max_age,
            gender=(item.checks or {}).get("gender"),
            residence=(item.checks or {}).get("residence"),
            relations=list((item.checks or {}).get("relations", [])),
            no_duplicate=bool((item.checks or {}).get("no_duplicate")),
            documents=[DocumentOut(**_doc(d)) for d in item.documents],
            time_limit_days=item.time_limit_days,
            fee=item.fee,
            legal_basis=item.legal_basis,
            case_type_key=item.case_type_key,
            is_active=item.is_active,
            route=[StageOut(list(st["departments"]), int(st["days"])) for st in route_of(item)],
            version=item.version,
        )


def _doc(doc: dict[str, Any]) -> dict[str, Any]:
    return {"name": doc["name"], "form": doc["form"], "count": int(doc["count"]), "later": bool(doc["later"])}


@dataclass(frozen=True)
class ApplicantOut:
    """A person of the register as the intake form prefills from (ID number masked)."""

    person_id: int
    name: str
    phone: str
    id_number: str
    address: str


class IntakeIn(TypedDict, total=False):
    """An intake: the item, the applicant (``person_id`` prefills from the register), the documents received.

    ``received`` are indexes into the item's ``documents``; ``submission_key`` (8–64
    characters) makes a retried post answer the first intake; ``refusal_reason`` with
    ``refusal_basis`` records the request as not accepted; ``register`` (without
    ``person_id``) adds the applicant to the district's register by name and phone;
    ``acknowledge`` receives it although a checked condition is not met (without it, 400).
    """

    item_id: int
    person_id: int | None
    register: bool
    applicant: Name
    phone: Code
    address: Title
    details: LongText
    channel: Literal["walk_in", "phone", "door_to_door", "web", "mobile"]
    received: list[int]
    submission_key: Code
    refusal_reason: Text
    refusal_basis: Text
    acknowledge: bool


@dataclass(frozen=True)
class CheckOut:
    """One condition of the item checked against the register at intake (the text in the client's language)."""

    kind: Literal["age", "gender", "residence", "relation", "duplicate"]
    status: Literal["meets", "fails", "unknown"]
    text: str


@dataclass(frozen=True)
class IntakeOut:
    """An intake: its case reference, status, documents missing, the promised date (``None`` while waiting)."""

    id: int
    reference: str
    item_id: int
    item_version: int
    person_id: int | None
    applicant: str
    status: str
    channel: str
    received: list[int]
    missing: list[str]
    accepted_on: date
    paused_days: int
    notice_deadline: date | None
    promised_on: date | None
    refusal_reason: str
    refusal_basis: str
    result: str = ""
    finished_on: date | None = None
    # The item's age rule against the register on the day of intake: meets / fails / unknown; None: no age rule.
    age_check: svc.AgeStatus | None = None
    # Every checked condition as it stood at intake; ``acknowledged``: received although one was not met.
    eligibility: list[CheckOut] = field(default_factory=list)
    acknowledged: bool = False


class DocumentsIn(TypedDict):
    """Indexes of the item's documents brought now."""

    received: list[int]


class RefusalIn(TypedDict):
    """Why the request is not accepted, and the legal basis."""

    reason: Text
    basis: Text


async def _out(ctx: RequestContext, intake: Intake) -> IntakeOut:
    assert ctx.district is not None
    calendar = await workdays.calendar_for(ctx.session, ctx.district)
    version = await service.get_version(ctx.session, intake.item_id, intake.item_version)
    ages = await svc.age_check(ctx.session, version, intake.person_id, intake.accepted_on) if version else None
    return IntakeOut(
        id=intake.id,
        reference=intake.reference,
        item_id=intake.item_id,
        item_version=intake.item_version,
        person_id=intake.person_id,
        applicant=intake.applicant,
        status=intake.status,
        channel=intake.channel,
        received=list(intake.received),
        missing=[d["name"] for d in svc.missing_documents(intake)],
        accepted_on=intake.accepted_on,
        paused_days=intake.paused_days,
        notice_deadline=intake.notice_deadline,
        promised_on=svc.promised_on(intake, calendar),
        refusal_reason=intake.refusal_reason,
        refusal_basis=intake.refusal_basis,
        result=intake.result,
        finished_on=intake.finished_on,
        age_check=ages.status if ages else None,
        eligibility=[
            CheckOut(c["kind"], c["status"], localized(c["text"], c.get("text_en"))) for c in intake.eligibility or []
        ],
        acknowledged=intake.acknowledged,
    )


def _invalid(errors: dict[str, str]) -> ValidationException:
    return ValidationException(
        detail=_(
            "The item was not saved: %(fields)s",
            fields="; ".join(f"{field}: {message}" for field, message in errors.items()),
        ),
        extra={"errors": errors},
    )


async def _item_or_404(ctx: RequestContext, item_id: int) -> Item:
    item = await service.get_item(ctx.session, item_id)
    if item is None:
        raise NotFoundException(_("Not found."))
    return item


async def _intake_or_404(ctx: RequestContext, intake_id: int) -> Intake:
    found = await svc.get_intake(ctx, intake_id)
    if found is None:
        raise NotFoundException(_("Not found."))
    return found


@get("/one_window/items", name="one_window:api:items", summary="List catalogue items (search by name, code, keyword)")
async def api_items(ctx: RequestContext, q: str = "", department_id: int | None = None) -> list[ItemOut]:
    ctx.require(KEY, "view")
    return [ItemOut.of(i) for i in await service.list_items(ctx.session, q[:100], department_id=department_id)]


@post("/one_window/items", name="one_window:api:item_create", summary="Add a catalogue item")
async def api_item_create(ctx: RequestContext, data: ItemIn) -> ItemOut:
    ctx.require(KEY, "manage")
    assert ctx.district is not None and ctx.user is not None
    values, errors = await service.validate(ctx.session, dict(data))
    if values is None:
        raise _invalid(errors)
    return ItemOut.of(await service.add_item(ctx.session, ctx.district, values, created_by=ctx.user.id))


@get("/one_window/items/{item_id:int}", name="one_window:api:item", summary="One catalogue item")
async def api_item(ctx: RequestContext, item_id: int) -> ItemOut:
    ctx.require(KEY, "view")
    return ItemOut.of(await _item_or_404(ctx, item_id))


@patch("/one_window/items/{item_id:int}", name="one_window:api:item_update", summary="Change fields of an item")
async def api_item_update(ctx: RequestContext, item_id: int, data: ItemIn) -> ItemOut:
    ctx.require(KEY, "manage")
    item = await _item_or_404(ctx, item_id)
    current: dict[str, Any] = {**service.values_of(item), "is_active": item.is_active}
    values, errors = await service.validate(ctx.session, {**current, **data}, item=item)
    if values is None:
        raise _invalid(errors)
    return ItemOut.of(await service.update_item(ctx.session, item, values, by=ctx.user.id if ctx.user else None))


@get("/one_window/applicants", name="one_window:api:applicants", summary="Find a resident in the register")
async def api_applicants(ctx: RequestContext, q: str = "") -> list[ApplicantOut]:
    ctx.require(KEY, "intake")
    sensitive = ctx.can("resident", "view_sensitive")
    found = await residents.find_applicants(ctx.session, q[:50], locale=ctx.locale)
    return [
        ApplicantOut(
            a.person_id, a.name, a.phone if sensitive else residents.mask_phone(a.phone), a.id_number, a.address
        )
        for a in found
    ]


@post("/one_window/intakes", name="one_window:api:intake_create", summary="Receive a request at the window")
async def api_intake_create(ctx: RequestContext, data: IntakeIn) -> IntakeOut:
    ctx.require(KEY, "intake")
    item = await _item_or_404(ctx, int(data.get("item_id") or 0))
    given = svc.IntakeInput(
        applicant=data.get("applicant", ""),
        phone=data.get("phone", ""),
        address=data.get("address", ""),
        details=data.get("details", ""),
        channel=data.get("channel", "walk_in"),
        person_id=data.get("person_id"),
        received=frozenset(data.get("received", [])),
        submission_key=data.get("submission_key") or svc.new_submission_key(),
        register=bool(data.get("register")),
        acknowledge=bool(data.get("acknowledge")),
    )
    refusal = None
    if data.get("refusal_reason") or data.get("refusal_basis"):
        refusal = (data.get("refusal_reason", ""), data.get("refusal_basis", ""))
    return await _out(ctx, await svc.start_intake(ctx, item, given, refusal=refusal))


@get(
    "/one_window/items/{item_id:int}/versions",
    name="one_window:api:item_versions",
    summary="An item's published versions, newest first",
)
async def api_item_versions(ctx: RequestContext, item_id: int) -> list[ItemOut]:
    ctx.require(KEY, "view")
    await _item_or_404(ctx, item_id)
    return [ItemOut.of(v) for v in await service.versions_of(ctx.session, item_id)]


@get(
    "/one_window/items/{item_id:int}/versions/{version:int}",
    name="one_window:api:item_version",
    summary="One published version of an item (as intakes received under it keep it)",
)
async def api_item_version(ctx: RequestContext, item_id: int, version: int) -> ItemOut:
    ctx.require(KEY, "view")
    found = await service.get_version(ctx.session, item_id, version)
    if found is None:
        raise NotFoundException(_("Not found."))
    return ItemOut.of(found)


@get("/one_window/intakes", name="one_window:api:intakes", summary="The latest intakes")
async def api_intakes(ctx: RequestContext, status: str = "") -> list[IntakeOut]:
    ctx.require(KEY, "view")
    return [await _out(ctx, i) for i, _item in await svc.list_intakes(ctx, status[:20])]


@get("/one_window/intakes/{intake_id:int}", name="one_window:api:intake", summary="One intake")
async def api_intake(ctx: RequestContext, intake_id: int) -> IntakeOut:
    ctx.require(KEY, "view")
    return await _out(ctx, await _intake_or_404(ctx, intake_id))


@post(
    "/one_window/intakes/{intake_id:int}/documents",
    name="one_window:api:intake_documents",
    summary="Tick documents brought later (the clock resumes when none is missing)",
    status_code=200,
)
async def api_intake_documents(ctx: RequestContext, intake_id: int, data: DocumentsIn) -> IntakeOut:
    ctx.require(KEY, "intake")
    intake = await _intake_or_404(ctx, intake_id)
    return await _out(ctx, await svc.receive_documents(ctx, intake, set(data["received"])))


@post(
    "/one_window/intakes/{intake_id:int}/refuse",
    name="one_window:api:intake_refuse",
    summary="Record the request as not accepted (不予受理)",
    status_code=200,
)
async def api_intake_refuse(ctx: RequestContext, intake_id: int, data: RefusalIn) -> IntakeOut:
    ctx.require(KEY, "intake")
    intake = await _intake_or_404(ctx, intake_id)
    return await _out(ctx, await svc.refuse_intake(ctx, intake, data["reason"], data["basis"]))


@dataclass(frozen=True)
class ScanOut:
    """A scan attached to a received document (``document``: its index in the intake's checklist)."""

    id: int
    document: int
    name: str
    content_type: str
    size: int
    url: str


def _scan(ctx: RequestContext, scan: Scan) -> ScanOut:
    path = f"/one_window/intakes/{scan.intake_id}/scans/{scan.id}"
    return ScanOut(scan.id, scan.document, scan.name, scan.content_type, scan.size, ctx.url(path))


@post(
    "/one_window/intakes/{intake_id:int}/scans",
    name="one_window:api:intake_scan",
    summary="Attach a scan of a received document (multipart: `document` index, `file` JPEG/PNG/PDF, 10 MB)",
    status_code=201,
    request_max_body_size=scans.BODY_LIMIT,
)
async def api_intake_scan(ctx: RequestContext, intake_id: int, data: Upload) -> ScanOut:
    ctx.require(KEY, "intake")
    made = await scans.attach_upload(ctx, await _intake_or_404(ctx, intake_id), data)
    return _scan(ctx, made)


@get("/one_window/intakes/{intake_id:int}/scans", name="one_window:api:intake_scans", summary="An intake's scans")
async def api_intake_scans(ctx: RequestContext, intake_id: int) -> list[ScanOut]:
    ctx.require(KEY, "view")
    intake = await _intake_or_404(ctx, intake_id)
    return [_scan(ctx, s) for s in await scans.scans_of(ctx, intake.id)]


API_ROUTES = [
    api_items,
    api_item_create,
    api_item,
    api_item_update,
    api_item_versions,
    api_item_version,
    api_applicants,
    api_intake_create,
    api_intakes,
    api_intake,
    api_intake_documents,
    api_intake_refuse,
    api_intake_scan,
    api_intake_scans,
]
