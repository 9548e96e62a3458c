"""JSON API under ``/api/v1/districts/{district}/incubation`` (in the OpenAPI document, tag ``incubation``).

The same services and the same visibility rule as the pages: centre staff see every
incubation; an organization's staff their own; a hub's staff also its members'. A
refusal answers 4xx with ``detail`` and ``errors`` by field; nothing is written.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import get, post
from sqlalchemy import select

from core.plugin_api import NotFound, Refusal, RequestContext, organizations
from plugins.incubation import assessments, cases, desks, hubs, mentoring, reports, service
from plugins.incubation.manifest import KEY
from plugins.incubation.models import Cohort, Criterion, Incubation, Incubator, Mentor, Space, Training
from plugins.incubation.routes import incubation_or_404

__all__ = ("API_ROUTES",)

BASE = "/incubation"


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def incubator_out(row: Incubator) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "address": row.address, "phone": row.phone, "org_unit_id": row.org_unit_id}


def space_out(row: Space) -> dict[str, Any]:
    return {
        "id": row.id,
        "incubator_id": row.incubator_id,
        "code": row.code,
        "kind": row.kind,
        "capacity": row.capacity,
    }


def cohort_out(row: Cohort) -> dict[str, Any]:
    return {
        "id": row.id,
        "incubator_id": row.incubator_id,
        "name": row.name,
        "intake_on": _iso(row.intake_on),
        "mode": row.mode,
    }


def mentor_out(row: Mentor) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "kind": row.kind, "phone": row.phone, "user_id": row.user_id}


def incubation_out(row: Incubation, criteria: list[Criterion] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": row.id,
        "organization_id": row.organization_id,
        "incubator_id": row.incubator_id,
        "cohort_id": row.cohort_id,
        "mentor_id": row.mentor_id,
        "mode": row.mode,
        "stage": row.stage,
        "active": row.active,
        "applied_on": _iso(row.applied_on),
        "start_on": _iso(row.start_on),
        "planned_end_on": _iso(row.planned_end_on),
        "resident_on": _iso(row.resident_on),
        "registered_on": _iso(row.registered_on),
        "graduated_on": _iso(row.graduated_on),
        "exited_on": _iso(row.exited_on),
        "exit_reason": row.exit_reason,
        "renewals": row.renewals,
    }
    if criteria is not None:
        out["criteria"] = [
            {"id": c.id, "label": c.label, "status": c.status, "evidence": c.evidence, "approver": c.approver}
            for c in criteria
        ]
    return out


@get(f"{BASE}/incubators", name="incubation:api:incubators", summary="The district's incubators")
async def api_incubators(ctx: RequestContext) -> list[dict[str, Any]]:
    ctx.require(KEY, "apply")
    return [incubator_out(i) for i in await service.list_incubators(ctx.session)]


@post(f"{BASE}/incubators", name="incubation:api:incubator_create", summary="Add an incubator")
async def api_incubator_create(ctx: RequestContext, data: dict[str, Any]) -> dict[str, Any]:
    ctx.require(KEY, "manage")
    return incubator_out(await service.create_incubator(ctx.session, data))


@get(f"{BASE}/incubators/{{incubator_id:int}}/spaces", name="incubation:api:spaces", summary="An incubator's spaces")
async def api_spaces(ctx: RequestContext, incubator_id: int) -> list[dict[str, Any]]:
    ctx.require(KEY, "view")
    await service.get_incubator(ctx.session, incubator_id)
    return [space_out(s) for s in await service.list_spaces(ctx.session, incubator_id)]


@post(
    f"{BASE}/incubators/{{incubator_id:int}}/spaces",
    name="incubation:api:space_create",
    summary="Add a desk, office or shared room",
)
async def api_space_create(ctx: RequestContext, incubator_id: int, data: dict[str, Any]) -> dict[str, Any]:
    ctx.require(KEY, "manage")
    incubator = await service.get_incubator(ctx.session, incubator_id)
    return space_out(await service.create_space(ctx.session, incubator, data))


@get(f"{BASE}/incubators/{{incubator_id:int}}/cohorts", name="incubation:api:cohorts", summary="An incubator's cohorts")
async def api_cohorts(ctx: RequestContext, incubator_id: int) -> list[dict[str, Any]]:
    ctx.require(KEY, "apply")
    await service.get_incubator(ctx.session, incubator_id)
    return [cohort_out(c) for c in await service.list_cohorts(ctx.session, incubator_id)]


@post(f"{BASE}/incubators/{{incubator_id:int}}/cohorts", name="incubation:api:cohort_create", summary="Add a cohort")
async def api_cohort_create(ctx: RequestContext, incubator_id: int, data: dict[str, Any]) -> dict[str, Any]:
    ctx.require(KEY, "manage")
    incubator = await service.get_incubator(ctx.session, incubator_id)
    return cohort_out(await service.create_cohort(ctx.session, incubator, data))


@get(f"{BASE}/mentors", name="incubation:api:mentors", summary="Mentors with their caseload")
async def api_mentors(ctx: RequestContext) -> list[dict[str, Any]]:
    ctx.require(KEY, "view")
    load = await service.mentor_caseload(ctx.session)
    return [{**mentor_out(m), "caseload": load.get(m.id, 0)} for m in await service.list_mentors(ctx.session)]


@post(f"{BASE}/mentors", name="incubation:api:mentor_create", summary="Add a mentor")
async def api_mentor_create(ctx: RequestContext, data: dict[str, Any]) -> dict[str, Any]:
    ctx.require(KEY, "manage")
    return mentor_out(await service.create_mentor(ctx.session, data))


@get(f"{BASE}/cases", name="incubation:api:cases", summary="Incubations the user may see")
async def api_cases(ctx: RequestContext, stage: str | None = None) -> list[dict[str, Any]]:
    ctx.require(KEY, "apply")
    query = select(Incubation).where(await hubs.visible(ctx)).order_by(Incubation.id)
    if stage:
        query = query.where(Incubation.stage == stage)
    return [incubation_out(r) for r in (await ctx.session.execute(query)).scalars()]


@post(f"{BASE}/cases", name="incubation:api:apply", summary="Apply to an incubator (a new group joins the registry)")
async def api_apply(ctx: RequestContext, data: dict[str, Any]) -> dict[str, Any]:
    ctx.require(KEY, "apply")
    return incubation_out(await cases.apply(ctx, data))


@get(f"{BASE}/cases/{{incubation_id:int}}", name="incubation:api:case", summary="One incubation with its criteria")
async def api_case(ctx: RequestContext, incubation_id: int) -> dict[str, Any]:
    ctx.require(KEY, "apply")
    row = await incubation_or_404(ctx, incubation_id)
    return incubation_out(row, await cases.criteria_of(ctx, row))


@post(f"{BASE}/cases/{{incubation_id:int}}/steps", name="incubation:api:step", summary="Take a stage step")
async def api_step(ctx: RequestContext, incubation_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """``{"step": "file", "data": {"filing_number": "…"}, "reason": ""}``; refusals answer 409 with the reason."""
    ctx.require(KEY, "manage")
    row = await incubation_or_404(ctx, incubation_id)
    fields = data.get("data") if isinstance(data.get("data"), dict) else {}
    await cases.take_step(ctx, row, str(data.get("step") or ""), dict(fields or {}), str(data.get("reason") or ""))
    return incubation_out(row, await cases.criteria_of(ctx, row))


@post(f"{BASE}/cases/{{incubation_id:int}}/agreement", name="incubation:api:agreement", summary="Set the agreement")
async def api_agreement(ctx: RequestContext, incubation_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """``start_on``, ``planned_end_on`` (default +24 months), ``mentor_id``, ``criteria``, ``custom_criteria``."""
    ctx.require(KEY, "manage")
    row = await incubation_or_404(ctx, incubation_id)
    await cases.set_agreement(ctx, row, data)
    return incubation_out(row, await cases.criteria_of(ctx, row))


@post(
    f"{BASE}/cases/{{incubation_id:int}}/criteria/{{criterion_id:int}}",
    name="incubation:api:criterion",
    summary="Mark a criterion met, waived (with the approver) or pending",
)
async def api_criterion(
    ctx: RequestContext, incubation_id: int, criterion_id: int, data: dict[str, Any]
) -> dict[str, Any]:
    ctx.require(KEY, "manage")
    row = await incubation_or_404(ctx, incubation_id)
    c = await cases.decide_criterion(ctx, row, criterion_id, data)
    return {"id": c.id, "label": c.label, "status": c.status, "evidence": c.evidence, "approver": c.approver}


@post(
    f"{BASE}/cases/{{incubation_id:int}}/allocations",
    name="incubation:api:allocate",
    summary="Give a space for a period",
)
async def api_allocate(ctx: RequestContext, incubation_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """``space_id``, ``starts_on``, ``ends_on`` (optional); 409 when the desk is taken in that period."""
    ctx.require(KEY, "manage")
    row = await incubation_or_404(ctx, incubation_id)
    a = await desks.allocate(ctx, row, data)
    return {"id": a.id, "space_id": a.space_id, "starts_on": _iso(a.starts_on), "ends_on": _iso(a.ends_on)}


@post(
    f"{BASE}/cases/{{incubation_id:int}}/allocations/{{allocation_id:int}}/release",
    name="incubation:api:release",
    summary="Hand a space back",
)
async def api_release(
    ctx: RequestContext, incubation_id: int, allocation_id: int, data: dict[str, Any]
) -> dict[str, Any]:
    ctx.require(KEY, "manage")
    row = await incubation_or_404(ctx, incubation_id)
    a = await desks.release(ctx, row, allocation_id, data)
    return {"id": a.id, "space_id": a.space_id, "starts_on": _iso(a.starts_on), "ends_on": _iso(a.ends_on)}


@post(
    f"{BASE}/cases/{{incubation_id:int}}/sessions",
    name="incubation:api:session",
    summary="Record a supervision session",
)
async def api_session(ctx: RequestContext, incubation_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """A mentor, or the staff of the hub supervising the organization: ``held_on``, ``notes``, ``items``, ``due_on``."""
    ctx.require(KEY, "apply")
    row = await incubation_or_404(ctx, incubation_id)
    await hubs.require_supervision(ctx, row)
    s = await mentoring.add_session(ctx, row, data)
    return {"id": s.id, "held_on": _iso(s.held_on), "notes": s.notes}


@get(
    f"{BASE}/cases/{{incubation_id:int}}/sessions",
    name="incubation:api:sessions",
    summary="Supervision sessions and action items",
)
async def api_sessions(ctx: RequestContext, incubation_id: int) -> list[dict[str, Any]]:
    ctx.require(KEY, "apply")
    row = await incubation_or_404(ctx, incubation_id)
    return [
        {
            "id": s.id,
            "held_on": _iso(s.held_on),
            "notes": s.notes,
            "items": [
                {"id": i.id, "text": i.text, "due_on": _iso(i.due_on), "done_on": _iso(i.done_on)} for i in items
            ],
        }
        for s, items in await mentoring.sessions_of(ctx.session, row.id)
    ]


@post(
    f"{BASE}/cases/{{incubation_id:int}}/assessments",
    name="incubation:api:assess",
    summary="Record a capacity assessment",
)
async def api_assess(ctx: RequestContext, incubation_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """``phase`` (intake, mid, final), ``assessed_on``, ``assessor``, on the instrument's latest version:
    ``indicator_scores`` {dimension: {indicator: 0 … its full score}} (``scores`` {dimension: 0–5} for a
    dimension without scored indicators). The answer's ``scores`` are the dimensions' 0–5 scores."""
    ctx.require(KEY, "mentor")
    row = await incubation_or_404(ctx, incubation_id)
    a = await assessments.add_assessment(ctx, row, data)
    return (await _assessments_out(ctx, [a]))[0]


async def _assessments_out(ctx: RequestContext, rows: list[Any]) -> list[dict[str, Any]]:
    used = await assessments.instruments_by_id(ctx.session, {a.instrument_id for a in rows})
    details = await assessments.indicator_scores(ctx.session, [a.id for a in rows])
    return [
        {
            "id": a.id,
            "phase": a.phase,
            "assessed_on": _iso(a.assessed_on),
            "assessor": a.assessor,
            "instrument_version": used[a.instrument_id].version,
            "scores": a.scores,
            "indicator_scores": details.get(a.id, {}),
        }
        for a in rows
    ]


@get(
    f"{BASE}/cases/{{incubation_id:int}}/assessments",
    name="incubation:api:assessments",
    summary="Assessments, first to latest",
)
async def api_assessments(ctx: RequestContext, incubation_id: int) -> list[dict[str, Any]]:
    ctx.require(KEY, "apply")
    row = await incubation_or_404(ctx, incubation_id)
    return await _assessments_out(ctx, await assessments.assessments_of(ctx.session, row.id))


@get(f"{BASE}/trainings", name="incubation:api:trainings", summary="Trainings with attendance counts")
async def api_trainings(ctx: RequestContext) -> list[dict[str, Any]]:
    ctx.require(KEY, "view")
    return [
        {"id": tr.id, "incubator_id": tr.incubator_id, "topic": tr.topic, "held_on": _iso(tr.held_on), "attended": n}
        for tr, n in await mentoring.trainings(ctx.session)
    ]


@post(f"{BASE}/trainings/{{training_id:int}}/attendance", name="incubation:api:attendance", summary="Record attendance")
async def api_attendance(ctx: RequestContext, training_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """``organization_ids``: organizations incubating at the training's incubator."""
    ctx.require(KEY, "manage")
    training = (await ctx.session.execute(select(Training).where(Training.id == training_id))).scalar_one_or_none()
    if training is None:
        raise NotFound("没有这次培训。", "No such training.")
    ids = [int(i) for i in data.get("organization_ids") or [] if str(i).isdigit()]
    return {"added": await mentoring.record_attendance(ctx, training, ids)}


@get(
    f"{BASE}/hubs/{{hub_id:int}}/members", name="incubation:api:hub_members", summary="A hub's members and their stages"
)
async def api_hub_members(ctx: RequestContext, hub_id: int) -> list[dict[str, Any]]:
    ctx.require(KEY, "apply")
    assert ctx.district is not None
    await hubs.hub_or_404(ctx, hub_id)
    members = await organizations.supervised_by(ctx.session, ctx.district, hub_id)
    ids = [m.id for m in members]
    rows = (
        list((await ctx.session.execute(select(Incubation).where(Incubation.organization_id.in_(ids)))).scalars())
        if ids
        else []
    )
    stages = {r.organization_id: r.stage for r in rows}
    return [{"id": m.id, "name": m.name, "stage": stages.get(m.id)} for m in members]


@get(
    f"{BASE}/hubs/{{hub_id:int}}/evaluations",
    name="incubation:api:evaluations",
    summary="A hub's annual evaluations of its members",
)
async def api_evaluations(ctx: RequestContext, hub_id: int) -> list[dict[str, Any]]:
    """The hub's staff and centre staff; anyone else 404."""
    ctx.require(KEY, "apply")
    await hubs.hub_or_404(ctx, hub_id)
    return [
        {
            "id": e.id,
            "hub_id": e.hub_id,
            "member_id": e.member_id,
            "year": e.year,
            "score": e.score,
            "grade": e.grade,
            "notes": e.notes,
        }
        for e in await hubs.evaluations_of(ctx, hub_id)
    ]


@post(
    f"{BASE}/hubs/{{hub_id:int}}/evaluations",
    name="incubation:api:evaluate",
    summary="File a hub's annual evaluation of a member",
)
async def api_evaluate(ctx: RequestContext, hub_id: int, data: dict[str, Any]) -> dict[str, Any]:
    ctx.require(KEY, "apply")
    e = await hubs.add_evaluation(ctx, hub_id, data)
    return {
        "id": e.id,
        "hub_id": e.hub_id,
        "member_id": e.member_id,
        "year": e.year,
        "score": e.score,
        "grade": e.grade,
    }


@get(
    f"{BASE}/reports",
    name="incubation:api:reports",
    summary="Incubated, graduated, exited, rate, months; by year, community, field",
)
async def api_reports(ctx: RequestContext) -> dict[str, Any]:
    ctx.require(KEY, "apply")
    f = await reports.figures(ctx.session, await hubs.visible(ctx))

    def rows(items: list[reports.Row]) -> list[dict[str, Any]]:
        return [
            {
                "label": r.label,
                "incubated": r.incubated,
                "graduated": r.graduated,
                "exited": r.exited,
                "graduation_rate": r.rate,
                "avg_months_to_graduate": r.avg_months,
            }
            for r in items
        ]

    return {
        "total": rows([f.total])[0],
        "by_year": rows(f.by_year),
        "by_community": rows(f.by_community),
        "by_field": rows(f.by_field),
    }


@get(
    f"{BASE}/organizations",
    name="incubation:api:organizations",
    summary="Incubated and graduated organizations: the public facts (as on the public page)",
)
async def api_organizations(
    ctx: RequestContext, stage: str | None = None, community: int | None = None
) -> list[dict[str, Any]]:
    """``stage``: ``incubating`` or ``graduated``; ``community``: an org-unit id the organization serves."""
    from core.plugin_api import localized, plugin_settings  # noqa: PLC0415
    from plugins.incubation import public  # noqa: PLC0415

    assert ctx.district is not None
    if stage is not None and stage not in public.PUBLIC_STAGES:
        raise Refusal(
            "阶段只能是 incubating（在孵）或 graduated（已出壳）。",
            "stage must be incubating or graduated.",
            errors={"stage": "incubating | graduated"},
        )
    if community is not None and not 0 < community <= service.MAX_ID:
        raise Refusal("没有这个社区。", "No such community.", errors={"community": "—"})
    settings = await plugin_settings(ctx.session, ctx.district, ctx.host, KEY)
    rows = await public.listing(
        ctx.session,
        stages=public.PUBLIC_STAGES.get(stage or "", public.SHOWN),
        area_id=community,
        with_scores=bool(settings.get("publish_assessments")),
    )
    return [public.as_json(r, reports.field_label, localized) for r in rows]


API_ROUTES = [
    api_organizations,
    api_incubators,
    api_incubator_create,
    api_spaces,
    api_space_create,
    api_cohorts,
    api_cohort_create,
    api_mentors,
    api_mentor_create,
    api_cases,
    api_apply,
    api_case,
    api_step,
    api_agreement,
    api_criterion,
    api_allocate,
    api_release,
    api_session,
    api_sessions,
    api_assess,
    api_assessments,
    api_trainings,
    api_attendance,
    api_hub_members,
    api_evaluations,
    api_evaluate,
    api_reports,
]
