"""What the public page of one call shows (``/d/{district}/public/grants/calls/{id}``, no login): the call's
budget, categories with their budgets, dates, per-project grant range and own contribution, who may apply
and how; once the results are announced, the funded projects with their organization, funders, the money
paid into each project's account (district tranches and co-funders) and the reports accepted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from core.plugin_api import localized, organizations
from plugins.grants import service
from plugins.grants.models import Application, Funder, Tranche
from plugins.grants.models_evaluation import GrantReport
from plugins.grants.models_extra import GrantCoPayment

if TYPE_CHECKING:
    from core.plugin_api import RequestContext
    from plugins.grants.models import Call

__all__ = ("PublicProject", "call_page_data")

KIND_NAMES = {
    "informal": ("未登记的社区社会组织", "informal community groups"),
    "filed": ("备案的社区社会组织", "filed community organizations"),
    "registered": ("登记注册的社会组织", "registered social organizations"),
}


@dataclass(frozen=True)
class PublicProject:
    id: int
    title: str
    organization: str
    category: str
    award_fen: int
    funders: list[tuple[str, int]]
    paid_fen: int  # money paid into the project: tranches not reversed, co-funders paid in
    committed_fen: int
    reports_accepted: int
    stage: str  # signing | running | midterm | closed
    result: str
    override_reason: str

    @property
    def percent_paid(self) -> int:
        return round(100 * self.paid_fen / self.committed_fen) if self.committed_fen else 0


async def _projects(ctx: RequestContext, call: Call) -> list[PublicProject]:
    apps = list(
        (
            await ctx.session.execute(
                select(Application)
                .where(Application.call_id == call.id, Application.status.in_(("approved", "closed")))
                .order_by(Application.award_fen.desc(), Application.id)
            )
        ).scalars()
    )
    ids = [a.id for a in apps]
    funders: dict[int, list[Funder]] = {}
    for f in (
        await ctx.session.execute(select(Funder).where(Funder.application_id.in_(ids)).order_by(Funder.id))
    ).scalars():
        funders.setdefault(f.application_id, []).append(f)
    tranches = dict(
        (
            await ctx.session.execute(
                select(Tranche.application_id, func.coalesce(func.sum(Tranche.amount_fen), 0))
                .where(Tranche.application_id.in_(ids), Tranche.released_at.is_not(None), Tranche.reversed_at.is_(None))
                .group_by(Tranche.application_id)
            )
        )
        .tuples()
        .all()
    )
    co = dict(
        (
            await ctx.session.execute(
                select(Funder.application_id, func.coalesce(func.sum(GrantCoPayment.amount_fen), 0))
                .join(GrantCoPayment, GrantCoPayment.funder_id == Funder.id)
                .where(Funder.application_id.in_(ids))
                .group_by(Funder.application_id)
            )
        )
        .tuples()
        .all()
    )
    reports = dict(
        (
            await ctx.session.execute(
                select(GrantReport.application_id, func.count())
                .where(GrantReport.application_id.in_(ids), GrantReport.status == "accepted")
                .group_by(GrantReport.application_id)
            )
        )
        .tuples()
        .all()
    )
    org = organizations.Organization
    wanted = {a.organization_id for a in apps}
    names = dict((await ctx.session.execute(select(org.id, org.name).where(org.id.in_(wanted)))).tuples().all())
    categories = {c.id: c.name for c in call.categories}
    out = []
    for a in apps:
        if a.closed_at is not None:
            stage = "closed"
        elif a.midterm_accepted_at is not None:
            stage = "midterm"
        elif a.signed_at is not None:
            stage = "running"
        else:
            stage = "signing"
        mine = funders.get(a.id, [])
        out.append(
            PublicProject(
                id=a.id,
                title=a.title,
                organization=names.get(a.organization_id, ""),
                category=categories.get(a.category_id or 0, ""),
                award_fen=a.award_fen or 0,
                funders=[(f.name, f.committed_fen) for f in mine],
                paid_fen=int(tranches.get(a.id, 0)) + int(co.get(a.id, 0)),
                committed_fen=sum(f.committed_fen for f in mine) or (a.award_fen or 0),
                reports_accepted=int(reports.get(a.id, 0)),
                stage=stage,
                result=a.result if a.closed_at else "",
                override_reason=a.override_reason,
            )
        )
    return out


async def call_page_data(ctx: RequestContext, call: Call) -> dict[str, Any]:
    """The template's variables."""
    kinds = [localized(*KIND_NAMES[k]) for k in call.allowed_kinds if k in KIND_NAMES]
    projects = await _projects(ctx, call) if call.decided_at is not None else []
    return {
        "call": call,
        "phase": service.call_phase(call),
        "kinds": kinds,
        "projects": projects,
        "total_awarded": sum(p.award_fen for p in projects),
        "criteria_total": sum(c.weight for c in call.criteria) or 1,
    }
