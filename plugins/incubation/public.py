"""What the incubation hub publishes: the organizations in the incubator and those that graduated (出壳).

One query serves the public page (``/d/{district}/public/incubation``), the staff showcase,
the JSON API and ``sanshe incubation list``. Only public facts: the organization's name, its
stage, service fields and service areas (the communities it serves, from the core registry),
the incubator and the dates it entered and graduated. Never a person's name or phone, never a
screening note; capacity-assessment scores only when the district's setting
``publish_assessments`` says so (then the latest assessment's average, 0–5).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.plugin_api import OrgUnit, organizations
from plugins.incubation.models import Assessment, Incubation, Incubator

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("PUBLIC_STAGES", "SHOWN", "PublicOrg", "area_choices", "listing")

# The stages shown: in the incubator (resident, registered while resident) and graduated.
SHOWN = ("resident", "registered", "graduated")
# The public page's stage filter: ``incubating`` (resident or registered) or ``graduated``.
PUBLIC_STAGES = {"incubating": ("resident", "registered"), "graduated": ("graduated",)}


@dataclass
class PublicOrg:
    """One incubated organization as the public sees it."""

    organization_id: int
    name: str
    stage: str
    incubator: str
    entered_on: date | None
    graduated_on: date | None
    fields: list[str] = field(default_factory=list)
    areas: list[tuple[str, str]] = field(default_factory=list)  # (zh, en) names of the units it serves
    score: float | None = None  # the latest assessment's average, only when published


async def area_choices(session: AsyncSession) -> list[OrgUnit]:
    """The streets and communities some shown organization serves (the filter's options)."""
    area = organizations.Organization.areas.property.mapper.class_
    query = (
        select(OrgUnit)
        .join(area, area.org_unit_id == OrgUnit.id)
        .join(Incubation, Incubation.organization_id == area.organization_id)
        .where(Incubation.stage.in_(SHOWN), Incubation.resident_on.is_not(None))
        .distinct()
        .order_by(OrgUnit.name_zh)
    )
    return list((await session.execute(query)).scalars())


async def listing(
    session: AsyncSession,
    *,
    stages: tuple[str, ...] = SHOWN,
    area_id: int | None = None,
    with_scores: bool = False,
) -> list[PublicOrg]:
    """Organizations that reached residency and are in the incubator or graduated, newest entry first.

    ``area_id``: only those whose service area (core registry) includes that street or community.
    """
    org = organizations.Organization
    area = org.areas.property.mapper.class_
    fields_table = org.fields.property.mapper.class_
    query = (
        select(Incubation, org.name, Incubator.name)
        .join(org, org.id == Incubation.organization_id)
        .join(Incubator, Incubator.id == Incubation.incubator_id)
        .where(Incubation.stage.in_([s for s in stages if s in SHOWN]), Incubation.resident_on.is_not(None))
        .order_by(Incubation.graduated_on.is_not(None), Incubation.resident_on.desc(), org.name)
    )
    if area_id is not None:
        query = query.where(
            Incubation.organization_id.in_(select(area.organization_id).where(area.org_unit_id == area_id))
        )
    rows = (await session.execute(query)).tuples().all()
    org_ids = {r.organization_id for r, _n, _i in rows}
    fields: dict[int, list[str]] = {}
    areas: dict[int, list[tuple[str, str]]] = {}
    scores: dict[int, float] = {}
    if org_ids:
        for oid, key in (
            await session.execute(
                select(fields_table.organization_id, fields_table.field)
                .where(fields_table.organization_id.in_(org_ids))
                .order_by(fields_table.field)
            )
        ).tuples():
            fields.setdefault(oid, []).append(key)
        for oid, zh, en in (
            await session.execute(
                select(area.organization_id, OrgUnit.name_zh, OrgUnit.name_en)
                .join(OrgUnit, OrgUnit.id == area.org_unit_id)
                .where(area.organization_id.in_(org_ids))
                .order_by(OrgUnit.name_zh)
            )
        ).tuples():
            areas.setdefault(oid, []).append((zh, en or zh))
    if with_scores and rows:
        latest = (
            await session.execute(
                select(Assessment)
                .where(Assessment.incubation_id.in_([r.id for r, _n, _i in rows]))
                .order_by(Assessment.assessed_on, Assessment.id)
            )
        ).scalars()
        for a in latest:  # ordered oldest first: the last one wins
            values = [float(v) for v in a.scores.values()]
            if values:
                scores[a.incubation_id] = round(sum(values) / len(values), 1)
    return [
        PublicOrg(
            organization_id=r.organization_id,
            name=name,
            stage=r.stage,
            incubator=incubator,
            entered_on=r.resident_on,
            graduated_on=r.graduated_on,
            fields=fields.get(r.organization_id, []),
            areas=areas.get(r.organization_id, []),
            score=scores.get(r.id),
        )
        for r, name, incubator in rows
    ]


def as_json(item: PublicOrg, field_label: Any, area_name: Any) -> dict[str, Any]:
    """The API's form of one organization (labels in the reader's language, keys as they are)."""
    out: dict[str, Any] = {
        "organization_id": item.organization_id,
        "name": item.name,
        "stage": item.stage,
        "incubator": item.incubator,
        "entered_on": item.entered_on.isoformat() if item.entered_on else None,
        "graduated_on": item.graduated_on.isoformat() if item.graduated_on else None,
        "fields": item.fields,
        "field_labels": [field_label(f) for f in item.fields],
        "communities": [area_name(zh, en) for zh, en in item.areas],
    }
    if item.score is not None:
        out["assessment_average"] = item.score
    return out
