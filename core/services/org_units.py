"""The org-unit tree of a district: street office / town → community → estate."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from core.i18n import gettext as _
from core.models import Household, Membership, OrgUnit, OrgUnitKind
from core.models.district import ALLOWED_PARENTS
from core.refusal import ConflictError, NotFoundError, ServiceError, check_names, raise_if

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.models import District

__all__ = (
    "UNSET",
    "TreeNode",
    "create_unit",
    "delete_unit",
    "get_unit",
    "kind_label",
    "list_units",
    "tree",
    "update_unit",
)

UNIT_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def kind_label(kind: OrgUnitKind | str) -> str:
    """The translated name of an org-unit kind."""
    labels = {
        OrgUnitKind.STREET: _("Street office / town"),
        OrgUnitKind.COMMUNITY: _("Community"),
        OrgUnitKind.ESTATE: _("Estate"),
        OrgUnitKind.ORGANIZATION: _("Organization"),
        OrgUnitKind.DEPARTMENT: _("Department"),
    }
    return labels.get(OrgUnitKind(kind), str(kind))


@dataclass
class TreeNode:
    """A unit with its depth in the tree (for an indented list)."""

    unit: OrgUnit
    depth: int
    has_children: bool


async def list_units(session: AsyncSession, district: District) -> list[OrgUnit]:
    """Every unit of the district, by name."""
    rows = await session.execute(
        select(OrgUnit).where(OrgUnit.district_id == district.id).order_by(OrgUnit.name_zh, OrgUnit.id)
    )
    return list(rows.scalars())


async def tree(session: AsyncSession, district: District) -> list[TreeNode]:
    """The units in depth-first order, each with its depth."""
    units = await list_units(session, district)
    children: dict[int | None, list[OrgUnit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    out: list[TreeNode] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for unit in children.get(parent_id, []):
            out.append(TreeNode(unit, depth, bool(children.get(unit.id))))
            walk(unit.id, depth + 1)

    walk(None, 0)
    return out


async def get_unit(session: AsyncSession, district: District, unit_id: int | None) -> OrgUnit:
    """The unit ``unit_id`` of ``district`` or :class:`NotFoundError` (also for other districts' units)."""
    unit = None
    if unit_id is not None:
        unit = (
            await session.execute(select(OrgUnit).where(OrgUnit.id == unit_id, OrgUnit.district_id == district.id))
        ).scalar_one_or_none()
    if unit is None:
        raise NotFoundError(_("There is no such org unit in this district."), "org_unit")
    return unit


async def _check_parent(
    session: AsyncSession, district: District, kind: OrgUnitKind, parent_id: int | None
) -> OrgUnit | None:
    parent = await get_unit(session, district, parent_id) if parent_id is not None else None
    allowed = ALLOWED_PARENTS[kind]
    parent_kind = parent.kind if parent else None
    if parent_kind not in allowed:
        if parent is None:
            msg = _("A unit of kind %(kind)s must sit under another unit.", kind=kind_label(kind))
        else:
            msg = _(
                "A unit of kind %(kind)s cannot sit under a unit of kind %(parent)s.",
                kind=kind_label(kind),
                parent=kind_label(parent.kind),
            )
        raise ServiceError(msg, "parent_id")
    return parent


async def create_unit(
    session: AsyncSession,
    district: District,
    *,
    code: str,
    name_zh: str,
    kind: str,
    parent_id: int | None = None,
    name_en: str = "",
) -> OrgUnit:
    """Add a unit under ``parent_id`` (or at the top), respecting which kind may sit where."""
    code, name_zh, name_en = (code or "").strip(), (name_zh or "").strip(), (name_en or "").strip()
    errors: dict[str, str] = {}
    if not UNIT_CODE_RE.match(code):
        errors["code"] = _("The code must be 1 to 64 letters, digits, '_' or '-'.")
    check_names(name_zh, name_en, errors)
    try:
        unit_kind = OrgUnitKind(kind)
    except ValueError:
        errors["kind"] = _("Choose a kind of unit.")
        unit_kind = None
    raise_if(errors)
    assert unit_kind is not None
    await _check_parent(session, district, unit_kind, parent_id)
    taken = (
        await session.execute(select(OrgUnit.id).where(OrgUnit.district_id == district.id, OrgUnit.code == code))
    ).first()
    if taken:
        raise ConflictError(_("The code %(code)s is already used in this district.", code=code), "code")
    unit = OrgUnit(
        district_id=district.id, code=code, name_zh=name_zh, name_en=name_en, kind=unit_kind, parent_id=parent_id
    )
    session.add(unit)
    await session.flush()
    return unit


UNSET: object = object()  # "leave the parent as it is"


async def update_unit(
    session: AsyncSession,
    district: District,
    unit_id: int,
    *,
    name_zh: str | None = None,
    name_en: str | None = None,
    parent_id: int | object | None = UNSET,
) -> OrgUnit:
    """Rename a unit and/or move it under another parent (never under itself or its subtree)."""
    unit = await get_unit(session, district, unit_id)
    new_zh = unit.name_zh if name_zh is None else name_zh.strip()
    new_en = unit.name_en if name_en is None else name_en.strip()
    errors: dict[str, str] = {}
    check_names(new_zh, new_en, errors)
    raise_if(errors)
    if parent_id is not UNSET and parent_id != unit.parent_id:
        new_parent = parent_id if isinstance(parent_id, int) else None
        if new_parent is not None:
            ancestor: OrgUnit | None = await get_unit(session, district, new_parent)
            while ancestor is not None:
                if ancestor.id == unit.id:
                    raise ServiceError(_("A unit cannot be moved under itself or one of its own units."), "parent_id")
                ancestor = (
                    await get_unit(session, district, ancestor.parent_id) if ancestor.parent_id is not None else None
                )
        await _check_parent(session, district, unit.kind, new_parent)
        unit.parent_id = new_parent
    unit.name_zh, unit.name_en = new_zh, new_en
    await session.flush()
    return unit


async def delete_unit(session: AsyncSession, district: District, unit_id: int) -> None:
    """Delete a unit that has neither units under it nor members."""
    unit = await get_unit(session, district, unit_id)
    children = (
        await session.execute(
            select(func.count())
            .select_from(OrgUnit)
            .where(OrgUnit.district_id == district.id, OrgUnit.parent_id == unit.id)
        )
    ).scalar_one()
    if children:
        raise ConflictError(
            _("%(name)s still has units under it; delete or move them first.", name=unit.name_zh), "org_unit"
        )
    members = (
        await session.execute(
            select(func.count())
            .select_from(Membership)
            .where(Membership.district_id == district.id, Membership.org_unit_id == unit.id)
        )
    ).scalar_one()
    if members:
        raise ConflictError(
            _("%(name)s still has members; remove their memberships first.", name=unit.name_zh), "org_unit"
        )
    households = (
        await session.execute(select(func.count()).select_from(Household).where(Household.estate_id == unit.id))
    ).scalar_one()
    if households:
        raise ConflictError(
            _("%(name)s still has households recorded; move or delete them first.", name=unit.name_zh), "org_unit"
        )
    await session.delete(unit)
    await session.flush()
