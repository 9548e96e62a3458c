"""Web pages of the grade evaluation (社会组织等级评估, 1A–5A) under ``/d/{district}/rating``.

- ``/rating/grade-evaluations``                  the queue by state (staff), one's own (organization, expert); apply
- ``/rating/grade-evaluations/{id}``             one evaluation: indicators, self and panel scores, panel, steps
- ``/rating/grade-evaluations/{id}/self``        the organization's self-assessment
- ``/rating/grade-evaluations/{id}/score``       the expert's scoring page (phone first)
- ``/rating/grade-publicity``                    public: grades in publicity, objections (logged in)
- ``/rating/grade-indicators``                   the indicator tree per organization type and version
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar import Request, Response, get, post
from sqlalchemy import select

from core.plugin_api import (
    Form,
    FormState,
    NotFound,
    RequestContext,
    act,
    attempt,
    error_status,
    flashes,
    localized,
    organizations,
    page,
    redirect,
)
from core.plugin_api import gettext as _
from plugins.rating import grading, service
from plugins.rating.manifest import KEY
from plugins.rating.models_grades import EVALUATION_STATES, ORG_TYPES, SECTIONS

if TYPE_CHECKING:
    from plugins.rating.models_grades import GradeEvaluation

__all__ = ("GRADE_ROUTES",)

PUBLIC = {"public": True}
BASE = "/rating/grade-evaluations"


async def _names(ctx: RequestContext, ids: set[int]) -> dict[int, str]:
    org = organizations.Organization
    rows = await ctx.session.execute(select(org.id, org.name).where(org.id.in_(ids or {0})))
    return dict(list(rows.tuples()))


async def _user_names(ctx: RequestContext, ids: set[int]) -> dict[int, str]:
    from core.plugin_api import User  # noqa: PLC0415

    rows = await ctx.session.execute(select(User).where(User.id.in_(ids or {0})))
    return {u.id: u.label for u in rows.scalars()}


async def _applicable(ctx: RequestContext) -> list[tuple[str, str]]:
    """The organizations the user may apply for: all registered ones (staff), else those they answer for."""
    assert ctx.district is not None
    org = organizations.Organization
    query = select(org).where(org.kind == organizations.OrgKind.REGISTERED).order_by(org.name)
    if not ctx.can(KEY, "manage"):
        if ctx.user is None or not ctx.can(KEY, "respond"):
            return []
        mine = await organizations.organizations_of_user(ctx.session, ctx.district, ctx.user.id)
        ids = {o.id for o in mine if await service.may_respond(ctx, o.id)}
        query = query.where(org.id.in_(ids or {0}))
    return [(str(o.id), o.name) for o in (await ctx.session.execute(query)).scalars()]


def _scores_of(data: Form) -> dict[str, tuple[object, str]]:
    """``points_2.3`` / ``note_2.3`` form fields → ``{"2.3": (points, note)}`` (blank points left out)."""
    scores: dict[str, tuple[object, str]] = {}
    for key, value in data.items():
        if key.startswith("points_") and str(value).strip():
            code = key.removeprefix("points_")[:10]
            scores[code] = (value, str(data.get(f"note_{code}", "")))
    return scores


# -- the queue ------------------------------------------------------------------------------------------


async def _queue_page(
    request: Request[Any, Any, Any], ctx: RequestContext, state: str = "", form: FormState | None = None
) -> Response[Any]:
    if ctx.user is None:
        raise NotFound(_("Not found."))
    chosen = state if state in EVALUATION_STATES else ""
    rows = await grading.evaluations_for(ctx, chosen or None)
    counts = await grading.state_counts(ctx.session) if ctx.can(KEY, "manage") else {}
    options = await _applicable(ctx)
    if not rows and not options and not (ctx.can(KEY, "view") or ctx.can(KEY, "respond")):
        raise NotFound(_("Not found."))  # the navigation offers the page to these two permissions only
    form = form or FormState(values={"year": str(service.local_today().year)})
    return await page(
        request,
        ctx,
        "rating/grade_evaluations.html",
        block="apply" if request.method == "POST" else "content",
        status_code=error_status(request, form) if not form.ok else 200,
        rows=rows,
        names=await _names(ctx, {r.organization_id for r in rows}),
        counts=counts,
        state=chosen,
        states=[(s, grading.state_label(s)) for s in EVALUATION_STATES],
        state_label=grading.state_label,
        type_label=grading.org_type_label,
        org_options=options,
        form=form,
        messages=await flashes(request, ctx),
    )


@get(BASE, name="rating:grade_evaluations")
async def evaluation_list(request: Request[Any, Any, Any], ctx: RequestContext, step: str = "") -> Response[Any]:
    """Grade evaluations: staff see every one by its step; an organization its own; an expert those they assess."""
    return await _queue_page(request, ctx, step)


@post(BASE, name="rating:grade_apply", status_code=200)
async def evaluation_apply(request: Request[Any, Any, Any], ctx: RequestContext, data: Form) -> Response[Any]:
    """An organization applies for the grade evaluation (eligibility is checked, refusals say why)."""
    form = FormState(values=dict(data))

    async def run() -> GradeEvaluation:
        try:
            org_id, year = int(data.get("organization_id", "")), int(data.get("year", ""))
        except ValueError:
            raise service.Refusal(
                "请选择组织并填写年度",
                "Choose the organization and give the year",
                errors={"organization_id": "请选择"},
            ) from None
        return await grading.apply(
            ctx, organization_id=org_id, year=year, annual_report_filed=data.get("annual_report_filed") == "on"
        )

    done = await attempt(ctx, run, form)
    if done is None:
        return await _queue_page(request, ctx, form=form)
    return await redirect(
        request, ctx, ctx.url(f"{BASE}/{done.id}"), _("The application was accepted: fill in the self-assessment.")
    )


# -- one evaluation ---------------------------------------------------------------------------------------


async def _visible(ctx: RequestContext, evaluation_id: int) -> GradeEvaluation:
    ev = await grading.get_evaluation(ctx.session, evaluation_id)
    if not await grading.may_see(ctx, ev):
        raise NotFound(_("Not found."))
    return ev


@get(f"{BASE}/{{evaluation_id:int}}", name="rating:grade_evaluation")
async def evaluation_detail(request: Request[Any, Any, Any], ctx: RequestContext, evaluation_id: int) -> Response[Any]:
    """One evaluation: its indicators with the self-assessment and the panel's mean, the panel, the next step."""
    assert ctx.district is not None
    ev = await _visible(ctx, evaluation_id)
    rows = await grading.rows_of(ctx, ev)
    members = await grading.panel(ctx.session, ev.id)
    grade = await service.get_grade(ctx.session, ev.grade_id) if ev.grade_id else None
    objections = (await grading.objections(ctx.session, [grade.id])).get(grade.id, []) if grade else []
    experts = await grading.experts(ctx.session) if ctx.can(KEY, "manage") else []
    on_panel = {m.user_id for m in members}
    conflicts = {m.user_id: await grading.conflict_of(ctx, ev, m.user_id) for m in members}
    return await page(
        request,
        ctx,
        "rating/grade_evaluation.html",
        ev=ev,
        organization=(await _names(ctx, {ev.organization_id})).get(ev.organization_id, ""),
        rows=rows,
        sections=[(s, grading.section_label(s, ev.org_type)) for s in SECTIONS],
        members=members,
        member_names=await _user_names(ctx, on_panel | {o.user_id for o in objections if o.user_id}),
        conflicts=conflicts,
        expert_options=[(str(u.id), u.label) for u in experts if u.id not in on_panel],
        grade=grade,
        objections=objections,
        today=service.local_today(),
        show=grading.show_points,
        state_label=grading.state_label,
        type_label=grading.org_type_label,
        may_respond=await service.may_respond(ctx, ev.organization_id),
        my_panel=ctx.user is not None and ctx.user.id in on_panel,
        total_self=sum(r.self_tenths or 0 for r in rows),
        messages=await flashes(request, ctx),
    )


@post(f"{BASE}/{{evaluation_id:int}}/panel", name="rating:grade_panel", status_code=200)
async def evaluation_panel(
    request: Request[Any, Any, Any], ctx: RequestContext, evaluation_id: int, data: Form
) -> Response[Any]:
    """Staff put an expert on the on-site panel (one who belongs to the organization is refused)."""
    ctx.require(KEY, "manage")
    ev = await grading.get_evaluation(ctx.session, evaluation_id)
    raw = data.get("user_id", "")
    return await act(
        request,
        ctx,
        ctx.url(f"{BASE}/{ev.id}"),
        lambda: grading.assign_expert(ctx, ev, int(raw) if raw.isdigit() and len(raw) < 18 else 0),
        _("The expert is on the panel."),
    )


@post(f"{BASE}/{{evaluation_id:int}}/close", name="rating:grade_close", status_code=200)
async def evaluation_close(request: Request[Any, Any, Any], ctx: RequestContext, evaluation_id: int) -> Response[Any]:
    """Close the scoring: total, grade under the district's bands, publicity."""
    ctx.require(KEY, "manage")
    ev = await grading.get_evaluation(ctx.session, evaluation_id)
    return await act(
        request,
        ctx,
        ctx.url(f"{BASE}/{ev.id}"),
        lambda: grading.close_scoring(ctx, ev),
        _("The scoring is closed and the result is in publicity."),
    )


@post(f"{BASE}/{{evaluation_id:int}}/end-publicity", name="rating:grade_end_publicity", status_code=200)
async def evaluation_end_publicity(
    request: Request[Any, Any, Any], ctx: RequestContext, evaluation_id: int
) -> Response[Any]:
    """End the publicity (every objection answered): the committee reviews the result."""
    ctx.require(KEY, "manage")
    ev = await grading.get_evaluation(ctx.session, evaluation_id)
    return await act(
        request, ctx, ctx.url(f"{BASE}/{ev.id}"), lambda: grading.end_publicity(ctx, ev), _("The result is in review.")
    )


@post(f"{BASE}/{{evaluation_id:int}}/confirm", name="rating:grade_review_confirm", status_code=200)
async def evaluation_confirm(
    request: Request[Any, Any, Any], ctx: RequestContext, evaluation_id: int, data: Form
) -> Response[Any]:
    """Record the review and confirm the grade (valid from 1 January next year, five years)."""
    ctx.require(KEY, "manage")
    ev = await grading.get_evaluation(ctx.session, evaluation_id)
    return await act(
        request,
        ctx,
        ctx.url(f"{BASE}/{ev.id}"),
        lambda: grading.confirm(ctx, ev, data.get("note", "")),
        _("The grade was announced."),
    )


@post(f"{BASE}/{{evaluation_id:int}}/withdraw", name="rating:grade_withdraw", status_code=200)
async def evaluation_withdraw(
    request: Request[Any, Any, Any], ctx: RequestContext, evaluation_id: int, data: Form
) -> Response[Any]:
    """The organization withdraws its application before the result, with a reason."""
    ev = await _visible(ctx, evaluation_id)
    return await act(
        request,
        ctx,
        ctx.url(f"{BASE}/{ev.id}"),
        lambda: grading.withdraw(ctx, ev, data.get("reason", "")),
        _("The application was withdrawn."),
    )


# -- self-assessment and expert scoring ---------------------------------------------------------------------


async def _scoring_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    ev: GradeEvaluation,
    *,
    expert: bool,
    form: FormState | None = None,
) -> Response[Any]:
    assert ctx.user is not None
    rows = await grading.rows_of(ctx, ev)
    if form is None:
        values: dict[str, str] = {}
        if expert:
            mine = await grading.expert_scores(ctx.session, ev.id, ctx.user.id)
            for r in rows:
                if r.indicator.id in mine:
                    values[f"points_{r.indicator.code}"] = grading.show_points(mine[r.indicator.id].tenths)
                    values[f"note_{r.indicator.code}"] = mine[r.indicator.id].note
        else:
            for r in rows:
                if r.self_tenths is not None:
                    values[f"points_{r.indicator.code}"] = grading.show_points(r.self_tenths)
                    values[f"note_{r.indicator.code}"] = r.self_note
        form = FormState(values=values)
    member = await grading.on_panel(ctx.session, ev.id, ctx.user.id) if expert else None
    return await page(
        request,
        ctx,
        "rating/grade_score.html",
        block="scores" if request.method == "POST" else "content",
        status_code=error_status(request, form) if not form.ok else 200,
        ev=ev,
        expert=expert,
        member=member,
        organization=(await _names(ctx, {ev.organization_id})).get(ev.organization_id, ""),
        rows=rows,
        section_label=lambda s: grading.section_label(s, ev.org_type),
        show=grading.show_points,
        open=ev.status == ("expert_scoring" if expert else "self_assessment"),
        action=ctx.url(f"{BASE}/{ev.id}/{'score' if expert else 'self'}"),
        form=form,
    )


@get(f"{BASE}/{{evaluation_id:int}}/self", name="rating:grade_self")
async def self_page(request: Request[Any, Any, Any], ctx: RequestContext, evaluation_id: int) -> Response[Any]:
    """The organization's self-assessment: points per indicator with a note or evidence."""
    ev = await grading.get_evaluation(ctx.session, evaluation_id)
    if not await service.may_respond(ctx, ev.organization_id):
        raise NotFound(_("Not found."))
    return await _scoring_page(request, ctx, ev, expert=False)


@post(f"{BASE}/{{evaluation_id:int}}/self", name="rating:grade_self_save", status_code=200)
async def self_save(
    request: Request[Any, Any, Any], ctx: RequestContext, evaluation_id: int, data: Form
) -> Response[Any]:
    """Save the self-assessment (``submit=1``: hand it in for the on-site assessment)."""
    ev = await grading.get_evaluation(ctx.session, evaluation_id)
    if not await service.may_respond(ctx, ev.organization_id):
        raise NotFound(_("Not found."))
    form = FormState(values=dict(data))
    submit = data.get("submit") == "1"
    done = await attempt(ctx, lambda: grading.save_self_assessment(ctx, ev, _scores_of(data), submit=submit), form)
    if done is None:
        return await _scoring_page(request, ctx, ev, expert=False, form=form)
    if submit:
        return await redirect(request, ctx, ctx.url(f"{BASE}/{ev.id}"), _("The self-assessment was handed in."))
    return await redirect(request, ctx, ctx.url(f"{BASE}/{ev.id}/self"), _("Saved."))


@get(f"{BASE}/{{evaluation_id:int}}/score", name="rating:grade_score")
async def score_page(request: Request[Any, Any, Any], ctx: RequestContext, evaluation_id: int) -> Response[Any]:
    """The expert's scoring page (phone first): one card per indicator, the organization's own points beside."""
    ev = await grading.get_evaluation(ctx.session, evaluation_id)
    if ctx.user is None or await grading.on_panel(ctx.session, ev.id, ctx.user.id) is None:
        raise NotFound(_("Not found."))
    return await _scoring_page(request, ctx, ev, expert=True)


@post(f"{BASE}/{{evaluation_id:int}}/score", name="rating:grade_score_submit", status_code=200)
async def score_submit(
    request: Request[Any, Any, Any], ctx: RequestContext, evaluation_id: int, data: Form
) -> Response[Any]:
    """Hand in the expert's points for every indicator."""
    ev = await grading.get_evaluation(ctx.session, evaluation_id)
    if ctx.user is None or await grading.on_panel(ctx.session, ev.id, ctx.user.id) is None:
        raise NotFound(_("Not found."))
    form = FormState(values=dict(data))
    done = await attempt(ctx, lambda: grading.submit_expert_scores(ctx, ev, _scores_of(data)), form)
    if done is None:
        return await _scoring_page(request, ctx, ev, expert=True, form=form)
    return await redirect(request, ctx, ctx.url(f"{BASE}/{ev.id}/score"), _("Your scores were handed in."))


# -- publicity and objections ---------------------------------------------------------------------------------


@get("/rating/grade-publicity", name="rating:grade_publicity", opt=PUBLIC)
async def publicity_page(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """Public: the grades in publicity now; anyone logged in may object with a reason."""
    rows = await grading.in_publicity(ctx.session)
    objections = await grading.objections(ctx.session, [g.id for g in rows])
    return await page(
        request,
        ctx,
        "rating/grade_publicity.html",
        rows=rows,
        names=await _names(ctx, {g.organization_id for g in rows}),
        objections=objections,
        messages=await flashes(request, ctx) if ctx.user else [],
    )


@post("/rating/grade-publicity/{grade_id:int}/object", name="rating:grade_publicity_object", status_code=200)
async def publicity_object(
    request: Request[Any, Any, Any], ctx: RequestContext, grade_id: int, data: Form
) -> Response[Any]:
    """An objection to a grade in publicity, with its reason (anyone logged in)."""
    if ctx.user is None:
        raise NotFound(_("Not found."))
    grade = await service.get_grade(ctx.session, grade_id)
    return await act(
        request,
        ctx,
        ctx.url("/rating/grade-publicity"),
        lambda: service.object_to_grade(ctx, grade, data.get("reason", "")),
        _("The objection was recorded; staff will answer it."),
    )


@post("/rating/grade-objections/{objection_id:int}/answer", name="rating:grade_objection_answer", status_code=200)
async def objection_answer(
    request: Request[Any, Any, Any], ctx: RequestContext, objection_id: int, data: Form
) -> Response[Any]:
    """Staff answer an objection."""
    ctx.require(KEY, "manage")
    objection = await service.get_objection(ctx.session, objection_id)
    back = data.get("back", "")
    allowed = back.startswith(ctx.url(BASE)) or back == ctx.url("/rating/grades")
    target = back if allowed and len(back) < 200 else ctx.url("/rating/grade-publicity")
    return await act(
        request,
        ctx,
        target,
        lambda: service.answer_objection(ctx, objection, data.get("answer", "")),
        _("The objection was answered."),
    )


# -- the indicator tree ------------------------------------------------------------------------------------------


async def _indicators_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    org_type: str,
    version: int | None = None,
    form: FormState | None = None,
) -> Response[Any]:
    latest = await grading.latest_version(ctx.session, org_type)
    chosen = version if version and 1 <= version <= latest else latest
    rows = await grading.indicators(ctx.session, org_type, chosen) if chosen else []
    standard = not rows
    sums = grading.section_sums(rows) if rows else {}
    if standard:
        sums = dict.fromkeys(SECTIONS, 0)
        for section, _code, _name, points in grading.STANDARD_TREE:
            sums[section] += points
    return await page(
        request,
        ctx,
        "rating/grade_indicators.html",
        block="edit" if request.method == "POST" else "content",
        status_code=error_status(request, form) if form is not None and not form.ok else 200,
        org_type=org_type,
        types=[(t, grading.org_type_label(t)) for t in ORG_TYPES],
        version=chosen,
        versions=list(range(latest, 0, -1)),
        latest=latest,
        rows=rows,
        standard=[] if rows else grading.STANDARD_TREE,
        sections=[(s, grading.section_label(s, org_type)) for s in SECTIONS],
        sums=sums,
        base_total=sum(v for k, v in sums.items() if k != "bonus"),
        may_edit=ctx.can(KEY, "indicators"),
        form=form or FormState(),
        messages=await flashes(request, ctx),
    )


@get("/rating/grade-indicators", name="rating:grade_indicators")
async def indicators_page(
    request: Request[Any, Any, Any], ctx: RequestContext, org_type: str = "social_group", version: int | None = None
) -> Response[Any]:
    """The indicator tree of an organization type (each version); the district admin adds and edits indicators."""
    if not (ctx.can(KEY, "manage") or ctx.can(KEY, "indicators")):
        ctx.require(KEY, "indicators")
    return await _indicators_page(request, ctx, org_type if org_type in ORG_TYPES else "social_group", version)


@post("/rating/grade-indicators", name="rating:grade_indicator_save", status_code=200)
async def indicator_save(request: Request[Any, Any, Any], ctx: RequestContext, data: Form) -> Response[Any]:
    """Add an indicator or change one (by its code); a version in use is copied to a new version first."""
    ctx.require(KEY, "indicators")
    org_type = data.get("org_type", "")
    if org_type not in ORG_TYPES:
        org_type = "social_group"
    form = FormState(values=dict(data))
    done = await attempt(
        ctx,
        lambda: grading.save_indicator(
            ctx,
            org_type=org_type,
            code=data.get("code", ""),
            section=data.get("section", ""),
            name=data.get("name", ""),
            max_points=data.get("max_points", ""),
        ),
        form,
    )
    if done is None:
        return await _indicators_page(request, ctx, org_type, form=form)
    message = localized(
        f"指标 {done.code} 已保存（第 {done.version} 版）", f"Indicator {done.code} saved (version {done.version})"
    )
    return await redirect(request, ctx, ctx.url(f"/rating/grade-indicators?org_type={org_type}"), message)


GRADE_ROUTES = [
    evaluation_withdraw,
    evaluation_list,
    evaluation_apply,
    evaluation_detail,
    evaluation_panel,
    evaluation_close,
    evaluation_end_publicity,
    evaluation_confirm,
    self_page,
    self_save,
    score_page,
    score_submit,
    publicity_page,
    publicity_object,
    objection_answer,
    indicators_page,
    indicator_save,
]
