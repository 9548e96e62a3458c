"""Estates, spaces and the committee: validation and queries shared by the pages, the API, the seed and the tests.

Queries take a district-bound session (``ctx.session``): the core adds the district
filter; only the pool's counts (scalar subqueries, which the filter does not reach) name the
district themselves. A refusal raises :class:`Refused`
(Chinese, then English) and writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, bindparam, func, select, update

from core.plugin_api import NotFound, OrgUnit, Refusal, residents
from core.plugin_api import gettext as _
from plugins.parking.models import (
    COMMITTEE_ROLES,
    POOL_HOLDING,
    SPACE_KINDS,
    CommitteeMember,
    ParkingEstate,
    Permit,
    Space,
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = (
    "EstateView",
    "Refused",
    "add_member",
    "add_space",
    "committee",
    "committee_role",
    "create_estate",
    "estate_or_404",
    "estate_view",
    "list_estates",
    "lock_estate",
    "pool",
    "spaces",
)

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,19}$")


class Refused(Refusal):
    """A parking action refused (nothing written)."""


class Conflict(Refusal):
    """Refused because of the state of things (a full pool, a live permit already, a vote not closed)."""

    status_code = 409


def space_kind_label(kind: str) -> str:
    """The space kind as people say it."""
    return {
        "fixed": _("Fixed space"),
        "pool": _("Shared pool"),
        "tidal": _("Tidal space"),
        "visitor": _("Visitor space"),
        "accessible": _("Accessible space"),
    }.get(kind, kind)


def role_label(role: str) -> str:
    """The committee role as people say it."""
    return {
        "chair": _("Chair"),
        "treasurer": _("Treasurer"),
        "patroller": _("Patroller"),
        "member": _("Member"),
    }.get(role, role)


async def lock_estate(session: AsyncSession, estate_id: int) -> ParkingEstate:
    """The parking estate row, locked for the transaction: permits of one estate are decided one at a time.

    PostgreSQL: ``SELECT … FOR UPDATE``. SQLite: a no-op ``UPDATE`` takes the database's
    single write lock before anything is read.
    """
    if session.get_bind().dialect.name == "sqlite":
        await session.execute(
            update(ParkingEstate).where(ParkingEstate.id == estate_id).values(note=ParkingEstate.note),
            execution_options={"synchronize_session": False},
        )
    query = (
        select(ParkingEstate)
        .where(ParkingEstate.id == estate_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    estate = (await session.execute(query)).scalar_one_or_none()
    if estate is None:
        raise NotFound(_("Not found."))
    return estate


async def estate_or_404(session: AsyncSession, estate_id: int) -> ParkingEstate:
    """The parking estate ``estate_id`` of the session's district, or 404."""
    estate = await session.get(ParkingEstate, estate_id)
    if estate is None or estate.district_id != session.info.get("district_id", estate.district_id):
        raise NotFound(_("Not found."))
    return estate


@dataclass(frozen=True)
class EstateView:
    """An estate as the pages show it: name, counts of spaces and households, the pool."""

    id: int
    estate_id: int
    name: str
    supervisor: str
    spaces: int
    pool: int
    pool_used: int
    households: int
    floor_area: str


async def _unit_names(session: AsyncSession, ids: list[int], locale: str) -> dict[int, str]:
    if not ids:
        return {}
    rows = (await session.execute(select(OrgUnit).where(OrgUnit.id.in_(ids)))).scalars()
    return {unit.id: unit.name(locale) for unit in rows}


async def estate_view(session: AsyncSession, estate: ParkingEstate, locale: str) -> EstateView:
    """The figures of one estate."""
    names = await _unit_names(session, [estate.estate_id, estate.supervisor_id or 0], locale)
    total = (
        await session.execute(select(func.count()).select_from(Space).where(Space.parking_estate_id == estate.id))
    ).scalar_one()
    owners = await residents.estate_owners(session, estate.estate_id, locale)
    area = await residents.estate_floor_area(session, estate.estate_id)
    used, size = await pool(session, estate.id)
    return EstateView(
        id=estate.id,
        estate_id=estate.estate_id,
        name=names.get(estate.estate_id, ""),
        supervisor=names.get(estate.supervisor_id or 0, ""),
        spaces=int(total),
        pool=size,
        pool_used=used,
        households=len(owners),
        floor_area=f"{area:.2f}",
    )


async def list_estates(session: AsyncSession) -> list[ParkingEstate]:
    """The district's estates under parking self-governance."""
    return list((await session.execute(select(ParkingEstate).order_by(ParkingEstate.id))).scalars())


async def estate_choices(session: AsyncSession, locale: str) -> list[tuple[int, str]]:
    """(id, name) of the district's core estates not yet under parking self-governance."""
    taken = select(ParkingEstate.estate_id)
    query = select(OrgUnit).where(OrgUnit.kind == "estate", OrgUnit.id.not_in(taken)).order_by(OrgUnit.code)
    return [(unit.id, unit.name(locale)) for unit in (await session.execute(query)).scalars()]


async def create_estate(
    session: AsyncSession, district_id: int, estate_id: Any, supervisor_id: Any = None, note: str = ""
) -> ParkingEstate:
    """Put a core estate (小区) under parking self-governance, supervised by its community committee."""
    try:
        unit_id = int(estate_id)
    except (TypeError, ValueError):
        raise Refused("请选择小区", "Choose an estate.", errors={"estate_id": _("Choose an estate.")}) from None
    unit = await session.get(OrgUnit, unit_id)
    if unit is None or unit.district_id != district_id or unit.kind != "estate":
        raise Refused(
            "请选择本区的小区", "Choose an estate of this district.", errors={"estate_id": _("Choose an estate.")}
        )
    taken = (await session.execute(select(ParkingEstate.id).where(ParkingEstate.estate_id == unit_id))).first()
    if taken:
        raise Conflict("该小区已实行停车自管", "This estate is already under parking self-governance.")
    supervisor = unit.parent_id if supervisor_id in (None, "") else int(supervisor_id)
    estate = ParkingEstate(district_id=district_id, estate_id=unit_id, supervisor_id=supervisor, note=note[:500])
    session.add(estate)
    await session.flush()
    return estate


async def spaces(session: AsyncSession, estate_id: int) -> list[Space]:
    """The estate's spaces by code."""
    query = select(Space).where(Space.parking_estate_id == estate_id).order_by(Space.kind, Space.code)
    return list((await session.execute(query)).scalars())


def clean_space(data: Mapping[str, Any]) -> dict[str, str]:
    """Check a space's code and kind; refuse with the fields at fault."""
    code = str(data.get("code") or "").strip().upper()
    kind = str(data.get("kind") or "").strip()
    errors: dict[str, str] = {}
    if not CODE_RE.match(code):
        errors["code"] = _("A code of letters, digits and dashes, up to 20 (e.g. A-01).")
    if kind not in SPACE_KINDS:
        errors["kind"] = _("Choose the kind of space.")
    if errors:
        raise Refused("车位信息有误", "The space was not saved.", errors=errors)
    return {"code": code, "kind": kind, "note": str(data.get("note") or "").strip()[:200]}


async def add_space(session: AsyncSession, estate: ParkingEstate, data: Mapping[str, Any]) -> Space:
    """Add a space (its code unique in the estate)."""
    clean = clean_space(data)
    exists = select(Space.id).where(Space.parking_estate_id == estate.id, Space.code == clean["code"])
    if (await session.execute(exists)).first():
        raise Conflict(
            f"车位编号 {clean['code']} 已存在",
            f"Space {clean['code']} already exists.",
            errors={"code": _("This code is taken in the estate.")},
        )
    space = Space(district_id=estate.district_id, parking_estate_id=estate.id, **clean)
    session.add(space)
    await session.flush()
    return space


@cache
def _pool_statement(scoped: bool) -> Select[tuple[int, int]]:
    """The two counts that decide whether a floating card gets a place or waits, in one statement (built once).

    The core's district filter does not reach into scalar subqueries: with ``scoped`` the
    statement names the district itself.
    """
    used = [
        Permit.parking_estate_id == bindparam("estate"),
        Permit.status.in_(POOL_HOLDING),
        Permit.space_id.is_(None),
        Permit.kind.in_(("resident", "second_car")),
    ]
    size = [Space.parking_estate_id == bindparam("estate"), Space.kind == "pool", Space.status == "active"]
    if scoped:
        used.append(Permit.district_id == bindparam("district"))
        size.append(Space.district_id == bindparam("district"))
    return select(
        select(func.count()).select_from(Permit).where(*used).scalar_subquery(),
        select(func.count()).select_from(Space).where(*size).scalar_subquery(),
    )


async def pool(session: AsyncSession, estate_id: int) -> tuple[int, int]:
    """The shared pool (共享车位池): places held (permits applied, approved, issued or suspended with no fixed
    space) and its active spaces."""
    district_id = session.info.get("district_id")
    statement = _pool_statement(district_id is not None)
    used, size = (await session.execute(statement, {"estate": estate_id, "district": district_id})).one()
    return int(used), int(size)


async def committee(session: AsyncSession, estate_id: int) -> list[CommitteeMember]:
    """The committee, chair first, current terms before past ones."""
    order = {role: i for i, role in enumerate(COMMITTEE_ROLES)}
    query = select(CommitteeMember).where(CommitteeMember.parking_estate_id == estate_id)
    rows = list((await session.execute(query)).scalars())
    return sorted(rows, key=lambda m: (m.term_to is not None, order.get(m.role, 9), m.name))


def _date(raw: Any, field: str, required: bool) -> date | None:
    if raw in (None, ""):
        if required:
            raise Refused("请填写日期", "Enter a date.", errors={field: _("Enter a date (YYYY-MM-DD).")})
        return None
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise Refused(
            "日期格式有误", "A date is YYYY-MM-DD.", errors={field: _("Enter a date (YYYY-MM-DD).")}
        ) from None


async def add_member(
    session: AsyncSession, estate: ParkingEstate, data: Mapping[str, Any], user_id: int | None = None
) -> CommitteeMember:
    """Add a committee member for a term; one chair and one treasurer at a time."""
    name = str(data.get("name") or "").strip()
    role = str(data.get("role") or "")
    errors: dict[str, str] = {}
    if not name or len(name) > 50:
        errors["name"] = _("Enter the name (up to 50 characters).")
    if role not in COMMITTEE_ROLES:
        errors["role"] = _("Choose the role.")
    if errors:
        raise Refused("委员信息有误", "The member was not saved.", errors=errors)
    term_from = _date(data.get("term_from"), "term_from", True)
    term_to = _date(data.get("term_to"), "term_to", False)
    assert term_from is not None
    if term_to is not None and term_to < term_from:
        raise Refused("任期结束不能早于开始", "A term ends after it starts.", errors={"term_to": _("After the start.")})
    if role in ("chair", "treasurer"):
        for other in await committee(session, estate.id):
            overlaps = (other.term_to is None or other.term_to >= term_from) and (
                term_to is None or term_to >= other.term_from
            )
            if other.role == role and overlaps:
                raise Conflict(
                    f"同一任期内只能有一位{'主任' if role == 'chair' else '财务'}",
                    f"One {role} at a time: {other.name} holds the office then.",
                    errors={"role": _("Someone holds this office in that term.")},
                )
    member = CommitteeMember(
        district_id=estate.district_id,
        parking_estate_id=estate.id,
        user_id=user_id,
        name=name,
        role=role,
        term_from=term_from,
        term_to=term_to,
    )
    session.add(member)
    await session.flush()
    return member


async def committee_role(session: AsyncSession, estate_id: int, user_id: int | None, today: date) -> str | None:
    """The user's role on the estate's committee today (``None``: not a member now)."""
    if user_id is None:
        return None
    query = select(CommitteeMember.role).where(
        CommitteeMember.parking_estate_id == estate_id,
        CommitteeMember.user_id == user_id,
        CommitteeMember.term_from <= today,
        (CommitteeMember.term_to.is_(None)) | (CommitteeMember.term_to >= today),
    )
    roles = list((await session.execute(query)).scalars())
    for role in COMMITTEE_ROLES:
        if role in roles:
            return role
    return None
