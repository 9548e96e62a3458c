"""The staff dashboard's figures, each one SQL query (grouped in the database, not in Python).

- money committed (awards of funded projects) and disbursed (tranches paid and not reversed) by category
  and by community (the organization's first service area; "none" when it has none);
- applications per call (submitted = not a draft), awards and the award rate;
- reports on time (first submitted by the due day) of all reports submitted;
- closing grades; the sustainability figure "N of M still running two years later" (M: two-year
  follow-ups answered, N: of them still running).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import case, column, func, select, table

from core.plugin_api import OrgUnit
from plugins.grants.models import Application, Call, Category, Tranche
from plugins.grants.models_evaluation import GrantFollowUp, GrantOutcome, GrantReport

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("Dashboard", "MoneyRow", "dashboard")

FUNDED = ("approved", "closed")
# The core's organization ↔ service area table (not in the plugin API; only its two columns are read).
AREAS = table("organization_areas", column("organization_id"), column("org_unit_id"))


@dataclass(frozen=True)
class MoneyRow:
    """Committed and disbursed money (fen) of a group of funded projects."""

    name: str  # "" = no category / no community
    projects: int
    committed_fen: int
    disbursed_fen: int


@dataclass(frozen=True)
class CallRow:
    call_id: int
    title: str
    submitted: int
    awarded: int

    @property
    def award_rate(self) -> float | None:
        """Awards per submitted application, in percent (one decimal)."""
        return round(100 * self.awarded / self.submitted, 1) if self.submitted else None


@dataclass
class Dashboard:
    by_category: list[MoneyRow] = field(default_factory=list)
    by_community: list[MoneyRow] = field(default_factory=list)
    calls: list[CallRow] = field(default_factory=list)
    reports: int = 0
    reports_on_time: int = 0
    grades: dict[str, int] = field(default_factory=dict)
    follow_ups_answered: int = 0  # two-year follow-ups answered (M)
    still_running: int = 0  # of them, still running (N)

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.reports_on_time / self.reports, 1) if self.reports else None


def _paid_per_project() -> object:
    return (
        select(Tranche.application_id.label("app_id"), func.sum(Tranche.amount_fen).label("paid"))
        .where(Tranche.released_at.is_not(None), Tranche.reversed_at.is_(None))
        .group_by(Tranche.application_id)
        .subquery("paid")
    )


async def _money(session: AsyncSession, key: object, join: object = None) -> list[MoneyRow]:
    paid = _paid_per_project()
    query = (
        select(
            key,  # type: ignore[call-overload]
            func.count(Application.id),
            func.coalesce(func.sum(Application.award_fen), 0),
            func.coalesce(func.sum(paid.c.paid), 0),  # type: ignore[attr-defined]
        )
        .select_from(Application)
        .outerjoin(paid, paid.c.app_id == Application.id)  # type: ignore[attr-defined]
        .where(Application.status.in_(FUNDED))
    )
    if join is not None:
        query = join(query)  # type: ignore[operator]
    rows = (await session.execute(query.group_by(key).order_by(key))).all()  # type: ignore[arg-type]
    return [MoneyRow(name or "", int(n), int(c or 0), int(p or 0)) for name, n, c, p in rows]


async def dashboard(session: AsyncSession) -> Dashboard:
    """Every figure of the session's district."""
    result = Dashboard()
    result.by_category = await _money(
        session,
        Category.name,
        lambda q: q.outerjoin(Category, Category.id == Application.category_id),
    )
    first_area = (
        select(AREAS.c.organization_id.label("org_id"), func.min(AREAS.c.org_unit_id).label("unit"))
        .group_by(AREAS.c.organization_id)
        .subquery("first_area")
    )
    result.by_community = await _money(
        session,
        OrgUnit.name_zh,
        lambda q: q.outerjoin(first_area, first_area.c.org_id == Application.organization_id).outerjoin(
            OrgUnit, OrgUnit.id == first_area.c.unit
        ),
    )
    calls = await session.execute(
        select(
            Call.id,
            Call.title,
            func.count(Application.id).filter(Application.status != "draft"),
            func.count(Application.id).filter(Application.status.in_(FUNDED)),
        )
        .select_from(Call)
        .outerjoin(Application, Application.call_id == Call.id)
        .group_by(Call.id, Call.title)
        .order_by(Call.opens_at.desc(), Call.id.desc())
    )
    result.calls = [CallRow(int(i), str(title), int(s), int(a)) for i, title, s, a in calls.all()]
    total, on_time = (
        await session.execute(
            select(
                func.count(GrantReport.id),
                func.coalesce(func.sum(case((GrantReport.on_time.is_(True), 1), else_=0)), 0),
            )
        )
    ).one()
    result.reports, result.reports_on_time = int(total), int(on_time)
    grades = await session.execute(select(GrantOutcome.grade, func.count(GrantOutcome.id)).group_by(GrantOutcome.grade))
    result.grades = {grade: int(n) for grade, n in grades.all()}
    answered, running = (
        await session.execute(
            select(
                func.count(GrantFollowUp.id),
                func.coalesce(func.sum(case((GrantFollowUp.running.is_(True), 1), else_=0)), 0),
            ).where(GrantFollowUp.year == 2, GrantFollowUp.answered_at.is_not(None))
        )
    ).one()
    result.follow_ups_answered, result.still_running = int(answered), int(running)
    return result
