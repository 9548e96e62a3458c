"""The figures a district reports, computed in SQL from the incubations (never stored).

- incubated: distinct organizations whose incubation reached *resident* (the "39 incubated")
- graduated, exited (after or before residency), graduation rate = graduated ÷ incubated
- average months from residency to graduation
- by year (of reaching residency), by the community served (the organization's service areas), by service field
- desk occupancy on the first of each month; the registry's growth (registered / filed per year)
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Date, and_, case, distinct, extract, func, literal, or_, select, union_all

from core.plugin_api import OrgUnit, gettext, localized, organizations
from core.plugin_api import gettext as _
from plugins.incubation.models import Allocation, Incubation, Space

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("Figures", "figures", "occupancy", "registry_growth", "xlsx")

DAYS_PER_MONTH = 30.4375


@dataclass
class Row:
    """One line of a breakdown."""

    label: str
    incubated: int = 0
    graduated: int = 0
    exited: int = 0
    avg_months: float | None = None

    @property
    def rate(self) -> float | None:
        return round(100 * self.graduated / self.incubated, 1) if self.incubated else None


@dataclass
class Figures:
    total: Row
    by_year: list[Row] = field(default_factory=list)
    by_community: list[Row] = field(default_factory=list)
    by_field: list[Row] = field(default_factory=list)


def _months(session: AsyncSession) -> ColumnElement[Any]:
    if session.bind.dialect.name == "sqlite":
        days = func.julianday(Incubation.graduated_on) - func.julianday(Incubation.resident_on)
    else:
        days = Incubation.graduated_on - Incubation.resident_on
    return days / DAYS_PER_MONTH


def _measures(session: AsyncSession) -> list[Any]:
    reached = Incubation.resident_on.is_not(None)
    return [
        func.count(distinct(case((reached, Incubation.organization_id)))),
        func.count(distinct(case((Incubation.stage == "graduated", Incubation.organization_id)))),
        func.count(distinct(case((Incubation.stage == "exited", Incubation.organization_id)))),
        func.avg(case(((Incubation.stage == "graduated") & reached, _months(session)))),
    ]


def _row(label: str, values: Any) -> Row:
    inc, grad, ex, avg = values
    return Row(label, int(inc or 0), int(grad or 0), int(ex or 0), round(float(avg), 1) if avg is not None else None)


async def figures(session: AsyncSession, where: ColumnElement[bool]) -> Figures:
    """Every figure over the incubations matching ``where`` (the caller's visibility rule)."""
    total = (await session.execute(select(*_measures(session)).where(where))).one()
    out = Figures(_row(_("Total"), total))
    year = extract("year", Incubation.resident_on)
    by_year = (
        select(year, *_measures(session))
        .where(where, Incubation.resident_on.is_not(None))
        .group_by(year)
        .order_by(year)
    )
    out.by_year = [_row(str(int(y)), rest) for y, *rest in (await session.execute(by_year)).all()]
    # By the community an organization serves (its service areas in the core registry); one
    # serving two communities counts in each; those with no service area recorded in a row of their own.
    area = organizations.Organization.areas.property.mapper.class_
    by_unit = (
        select(OrgUnit.name_zh, OrgUnit.name_en, *_measures(session))
        .select_from(Incubation)
        .outerjoin(area, area.organization_id == Incubation.organization_id)
        .outerjoin(OrgUnit, OrgUnit.id == area.org_unit_id)
        .where(where)
        .group_by(OrgUnit.id, OrgUnit.name_zh, OrgUnit.name_en)
    )
    units = sorted((await session.execute(by_unit)).all(), key=lambda r: (r[0] is None, r[0] or ""))
    out.by_community = [
        _row(localized(zh, en) if zh is not None else _("No service area recorded"), rest) for zh, en, *rest in units
    ]
    fields_table = organizations.Organization.fields.property.mapper.class_
    by_field = (
        select(fields_table.field, *_measures(session))
        .select_from(Incubation)
        .join(fields_table, fields_table.organization_id == Incubation.organization_id)
        .where(where)
        .group_by(fields_table.field)
        .order_by(fields_table.field)
    )
    out.by_field = [_row(field_label(f), rest) for f, *rest in (await session.execute(by_field)).all()]
    return out


# The registry's service fields, named as the core names them (its catalog translates them).
FIELD_LABELS = {
    "elderly": "Elderly care",
    "youth": "Youth",
    "children": "Children and families",
    "disability": "Disability support",
    "poverty": "Relief and assistance",
    "health": "Health",
    "education": "Education",
    "culture": "Culture and sports",
    "environment": "Environmental protection",
    "governance": "Community governance",
    "volunteering": "Volunteering",
    "legal": "Legal aid and mediation",
    "other": "Other",
}


def field_label(key: str) -> str:
    return gettext(FIELD_LABELS.get(key, "Other"))


async def occupancy(session: AsyncSession, months: list[date]) -> list[tuple[date, int, int]]:
    """For each day: desks occupied that day, desks in all — one SQL statement for every day.

    The days are a ``UNION ALL`` of literal dates, outer-joined to the desks' allocations that hold
    on that day (``starts_on <= day < ends_on``, an open end holding for ever) and grouped by day;
    the number of active desks is a scalar subquery of the same statement.
    """
    if not months:
        return []
    days = union_all(*(select(literal(day, Date).label("day")) for day in months)).subquery("days")
    held = (
        select(Allocation.space_id, Allocation.starts_on, Allocation.ends_on)
        .join(Space, Space.id == Allocation.space_id)
        .where(Space.kind == "desk")
        .subquery("held")
    )
    desks = select(func.count(Space.id)).where(Space.kind == "desk", Space.active.is_(True)).scalar_subquery()
    query = (
        select(days.c.day, func.count(distinct(held.c.space_id)), desks)
        .select_from(days)
        .outerjoin(
            held,
            and_(held.c.starts_on <= days.c.day, or_(held.c.ends_on.is_(None), held.c.ends_on > days.c.day)),
        )
        .group_by(days.c.day)
    )
    counted = {
        _as_date(day): (int(taken), int(total or 0)) for day, taken, total in (await session.execute(query)).tuples()
    }
    return [(day, *counted.get(day, (0, 0))) for day in months]


def _as_date(value: Any) -> date:
    """A day as read back from the ``UNION ALL`` (a date; a string on SQLite when the type is lost)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


async def registry_growth(session: AsyncSession) -> list[tuple[int, int, int]]:
    """(year, registered that year, filed that year) from the core registry."""
    org = organizations.Organization
    reg_year = extract("year", org.registered_on)
    filed_year = extract("year", org.filed_on)
    registered: dict[Any, Any] = dict(
        (
            await session.execute(
                select(reg_year, func.count(org.id)).where(org.registered_on.is_not(None)).group_by(reg_year)
            )
        )
        .tuples()
        .all()
    )
    filed: dict[Any, Any] = dict(
        (
            await session.execute(
                select(filed_year, func.count(org.id)).where(org.filed_on.is_not(None)).group_by(filed_year)
            )
        )
        .tuples()
        .all()
    )
    years = sorted({int(y) for y in [*registered, *filed]})
    return [(y, int(registered.get(y, 0) or 0), int(filed.get(y, 0) or 0)) for y in years]


def xlsx(
    result: Figures, growth: list[tuple[int, int, int]], occupancy_rows: list[tuple[date, int, int]] | None = None
) -> bytes:
    """The figures as a workbook: one sheet per breakdown, the desk occupancy, the registry's growth."""
    from openpyxl import Workbook  # noqa: PLC0415 - only for the export

    book = Workbook()
    head = [
        _("Group"),
        _("Incubated"),
        _("Graduated"),
        _("Exited"),
        _("Graduation rate %"),
        _("Average months to graduate"),
    ]
    sheets = [
        (_("By year"), [result.total, *result.by_year]),
        (_("By community"), result.by_community),
        (_("By field"), result.by_field),
    ]
    first = True
    for title, rows in sheets:
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None
        first = False
        sheet.title = title
        sheet.append(head)
        for row in rows:
            sheet.append([row.label, row.incubated, row.graduated, row.exited, row.rate, row.avg_months])
    if occupancy_rows:
        sheet = book.create_sheet(_("Desk occupancy"))
        sheet.append([_("Day"), _("Desks occupied"), _("Desks"), _("Occupancy %")])
        for day, taken, desks in occupancy_rows:
            sheet.append([day, taken, desks, round(100 * taken / desks, 1) if desks else None])
    sheet = book.create_sheet(_("Registry growth"))
    sheet.append([_("Year"), _("Registered"), _("Filed")])
    for year, reg, filed in growth:
        sheet.append([year, reg, filed])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
