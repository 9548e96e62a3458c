"""Incubators, their spaces and cohorts, and mentors: validation and queries.

Pages, the API, the seed and the other modules of the plugin go through here. Sessions are
district-bound (``ctx.session``): the core adds the district filter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from core.plugin_api import OrgUnit, OrgUnitKind, Refusal, localized, normalize_phone
from plugins.incubation.models import MENTOR_KINDS, MODES, SPACE_KINDS, Cohort, Incubation, Incubator, Mentor, Space

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = (
    "Refused",
    "check_date",
    "check_text",
    "create_cohort",
    "create_incubator",
    "create_mentor",
    "create_space",
    "get_incubator",
    "get_mentor",
    "incubator_overview",
    "list_cohorts",
    "list_incubators",
    "list_mentors",
    "list_spaces",
    "mentor_caseload",
)

MAX_ID = 2**63 - 1


class Refused(Refusal):
    """Bad input: the messages by field, nothing written."""

    status_code = 400


def refuse(errors: dict[str, tuple[str, str]], status_code: int = 400) -> None:
    """Raise when ``errors`` (field → (zh, en)) is not empty; the first message is the headline."""
    if not errors:
        return
    zh, en = next(iter(errors.values()))
    raise Refused(zh, en, errors={k: localized(z, e) for k, (z, e) in errors.items()}, status_code=status_code)


def check_text(raw: Any, field: str, errors: dict[str, tuple[str, str]], *, limit: int, required: bool = False) -> str:
    """A trimmed text of at most ``limit`` characters (and not empty when ``required``)."""
    value = "" if raw is None else str(raw).strip()
    if "\x00" in value:
        errors[field] = ("含有不允许的字符。", "This text contains a character that is not allowed.")
    elif required and not value:
        errors[field] = ("此项必填。", "This field is required.")
    elif len(value) > limit:
        errors[field] = (f"最多 {limit} 个字。", f"At most {limit} characters.")
    return value


def check_date(raw: Any, field: str, errors: dict[str, tuple[str, str]], *, required: bool = True) -> date | None:
    """An ISO date (``2026-05-01``)."""
    if isinstance(raw, date):
        return raw
    value = "" if raw is None else str(raw).strip()
    if not value:
        if required:
            errors[field] = ("请填写日期。", "Enter a date.")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[field] = ("请按 2026-05-01 的格式填写日期。", "Enter a date such as 2026-05-01.")
        return None


def check_int(raw: Any, field: str, errors: dict[str, tuple[str, str]], *, low: int = 1, high: int = MAX_ID) -> int:
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        value = low - 1
    if not low <= value <= high:
        errors[field] = (f"请填写 {low} 到 {high} 之间的整数。", f"Enter a whole number from {low} to {high}.")
    return value


def check_choice(raw: Any, field: str, choices: tuple[str, ...], errors: dict[str, tuple[str, str]]) -> str:
    value = "" if raw is None else str(raw).strip()
    if value not in choices:
        errors[field] = ("请从列表中选择。", "Choose one of the listed options.")
    return value


def _id(raw: Any) -> int | None:
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        return None
    return value if 0 < value <= MAX_ID else None


async def _taken(session: AsyncSession, query: Any) -> bool:
    return (await session.execute(query.limit(1))).first() is not None


# ---------------------------------------------------------------- incubators


async def list_incubators(session: AsyncSession) -> list[Incubator]:
    return list((await session.execute(select(Incubator).order_by(Incubator.name))).scalars())


async def get_incubator(session: AsyncSession, incubator_id: int) -> Incubator:
    row = (await session.execute(select(Incubator).where(Incubator.id == incubator_id))).scalar_one_or_none()
    if row is None:
        raise Refusal("没有这个孵化基地。", "No such incubator.", status_code=404)
    return row


async def create_incubator(session: AsyncSession, raw: Mapping[str, Any]) -> Incubator:
    """Add an incubator: a name (unique in the district), an address, a community, a phone."""
    errors: dict[str, tuple[str, str]] = {}
    name = check_text(raw.get("name"), "name", errors, limit=100, required=True)
    address = check_text(raw.get("address"), "address", errors, limit=200)
    description = check_text(raw.get("description"), "description", errors, limit=2000)
    phone = check_text(raw.get("phone"), "phone", errors, limit=20)
    if phone:
        try:
            phone = normalize_phone(phone) or ""
        except Refusal as exc:
            errors["phone"] = (exc.zh, exc.en)
    unit_id = None
    if raw.get("org_unit_id") not in (None, ""):
        unit_id = _id(raw.get("org_unit_id"))
        found = unit_id and await _taken(session, select(OrgUnit.id).where(OrgUnit.id == unit_id))
        if not found:
            errors["org_unit_id"] = ("请选择本区的街道或社区。", "Choose a street or community of the district.")
    if name and not errors and await _taken(session, select(Incubator.id).where(Incubator.name == name)):
        errors["name"] = ("已有同名的孵化基地。", "An incubator with this name exists.")
    refuse(errors)
    row = Incubator(name=name, address=address, description=description, phone=phone, org_unit_id=unit_id)
    session.add(row)
    await session.flush()
    return row


async def areas(session: AsyncSession) -> list[OrgUnit]:
    """Streets and communities, for an incubator's location."""
    kinds = (OrgUnitKind.STREET, OrgUnitKind.COMMUNITY)
    return list(
        (await session.execute(select(OrgUnit).where(OrgUnit.kind.in_(kinds)).order_by(OrgUnit.code))).scalars()
    )


# ---------------------------------------------------------------- spaces


async def list_spaces(session: AsyncSession, incubator_id: int | None = None) -> list[Space]:
    query = select(Space).order_by(Space.incubator_id, Space.code)
    if incubator_id is not None:
        query = query.where(Space.incubator_id == incubator_id)
    return list((await session.execute(query)).scalars())


async def create_space(session: AsyncSession, incubator: Incubator, raw: Mapping[str, Any]) -> Space:
    """Add a desk, an office or a shared room (a code unique in the incubator, a capacity)."""
    errors: dict[str, tuple[str, str]] = {}
    code = check_text(raw.get("code"), "code", errors, limit=20, required=True)
    kind = check_choice(raw.get("kind") or "desk", "kind", SPACE_KINDS, errors)
    capacity = check_int(raw.get("capacity") or 1, "capacity", errors, low=1, high=200)
    if kind == "desk" and "capacity" not in errors and capacity != 1:
        errors["capacity"] = ("一个工位只供一个组织使用，容量为 1。", "A desk seats one organization: capacity 1.")
    if code and not errors:
        query = select(Space.id).where(Space.incubator_id == incubator.id, Space.code == code)
        if await _taken(session, query):
            errors["code"] = ("本基地已有这个编号。", "This incubator already has a space with this code.")
    refuse(errors)
    row = Space(incubator_id=incubator.id, code=code, kind=kind, capacity=capacity)
    session.add(row)
    await session.flush()
    return row


# ---------------------------------------------------------------- cohorts


async def list_cohorts(session: AsyncSession, incubator_id: int | None = None) -> list[Cohort]:
    query = select(Cohort).order_by(Cohort.intake_on.desc(), Cohort.name)
    if incubator_id is not None:
        query = query.where(Cohort.incubator_id == incubator_id)
    return list((await session.execute(query)).scalars())


async def create_cohort(session: AsyncSession, incubator: Incubator, raw: Mapping[str, Any]) -> Cohort:
    """Add a programme or intake: a name, the intake date, the mode (on site or virtual)."""
    errors: dict[str, tuple[str, str]] = {}
    name = check_text(raw.get("name"), "name", errors, limit=100, required=True)
    intake_on = check_date(raw.get("intake_on"), "intake_on", errors)
    mode = check_choice(raw.get("mode") or "on_site", "mode", MODES, errors)
    if name and not errors:
        query = select(Cohort.id).where(Cohort.incubator_id == incubator.id, Cohort.name == name)
        if await _taken(session, query):
            errors["name"] = ("本基地已有同名批次。", "This incubator already has a cohort with this name.")
    refuse(errors)
    assert intake_on is not None
    row = Cohort(incubator_id=incubator.id, name=name, intake_on=intake_on, mode=mode)
    session.add(row)
    await session.flush()
    return row


# ---------------------------------------------------------------- mentors


async def list_mentors(session: AsyncSession) -> list[Mentor]:
    return list((await session.execute(select(Mentor).order_by(Mentor.name))).scalars())


async def get_mentor(session: AsyncSession, mentor_id: int) -> Mentor:
    row = (await session.execute(select(Mentor).where(Mentor.id == mentor_id))).scalar_one_or_none()
    if row is None:
        raise Refusal("没有这位导师。", "No such mentor.", status_code=404)
    return row


async def create_mentor(session: AsyncSession, raw: Mapping[str, Any]) -> Mentor:
    """Add a mentor: name, kind (social worker, expert, hub organization), phone, perhaps a user account."""
    errors: dict[str, tuple[str, str]] = {}
    name = check_text(raw.get("name"), "name", errors, limit=50, required=True)
    kind = check_choice(raw.get("kind") or "social_worker", "kind", MENTOR_KINDS, errors)
    phone = check_text(raw.get("phone"), "phone", errors, limit=20)
    if phone and "phone" not in errors:
        try:
            phone = normalize_phone(phone) or ""
        except Refusal as exc:
            errors["phone"] = (exc.zh, exc.en)
    refuse(errors)
    row = Mentor(
        name=name,
        kind=kind,
        phone=phone,
        user_id=_id(raw.get("user_id")),
        organization_id=_id(raw.get("organization_id")),
    )
    session.add(row)
    await session.flush()
    return row


async def mentor_caseload(session: AsyncSession) -> dict[int, int]:
    """Active incubations per mentor id."""
    query = (
        select(Incubation.mentor_id, func.count(Incubation.id))
        .where(Incubation.active.is_(True), Incubation.mentor_id.is_not(None))
        .group_by(Incubation.mentor_id)
    )
    return {int(m): int(n) for m, n in (await session.execute(query)).all()}


@dataclass(frozen=True)
class Overview:
    """An incubator with its spaces, cohorts and how many desks are taken today."""

    incubator: Incubator
    spaces: list[Space]
    cohorts: list[Cohort]
    occupied: set[int]
    active: int


async def incubator_overview(session: AsyncSession, incubator: Incubator, today: date) -> Overview:
    from plugins.incubation.desks import occupied_space_ids  # noqa: PLC0415 - desks imports this module

    spaces = await list_spaces(session, incubator.id)
    active = (
        await session.execute(
            select(func.count(Incubation.id)).where(
                Incubation.incubator_id == incubator.id, Incubation.active.is_(True)
            )
        )
    ).scalar_one()
    return Overview(
        incubator,
        spaces,
        await list_cohorts(session, incubator.id),
        await occupied_space_ids(session, today),
        int(active),
    )


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
