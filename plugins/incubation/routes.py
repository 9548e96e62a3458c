"""Web pages under ``/d/{district}/incubation``.

Every page is a whole page on a normal load and its ``content`` block for htmx. Buttons
that change something post and come back with a notice (``act``); forms with fields in
error come back with the messages next to the fields (``attempt`` + ``FormState``).
"""

from __future__ import annotations

import inspect
from datetime import date, timedelta
from typing import Any

from litestar import Request, Response, get, post
from markupsafe import Markup
from sqlalchemy import select

from core.plugin_api import (
    Case,
    Form,
    FormState,
    NotFound,
    RequestContext,
    act,
    attempt,
    definition_for,
    error_status,
    flashes,
    organizations,
    page,
    redirect,
    steps_open_to,
)
from core.plugin_api import gettext as _
from plugins.incubation import assessments, cases, desks, hubs, instruments, mentoring, reports, service
from plugins.incubation.manifest import KEY
from plugins.incubation.models import (
    MENTOR_KINDS,
    MODES,
    PHASES,
    SPACE_KINDS,
    Allocation,
    Incubation,
    Mentor,
    Training,
)

__all__ = ("ROUTES", "incubation_or_404")

HOME = "/incubation"
STEP_FIELDS = {
    "screen": ("screening_notes",),
    "file": ("filing_number",),
    "register": ("registration_number", "credit_code", "registered_type"),
}


async def _page(request: Request[Any, Any, Any], ctx: RequestContext, template: str, **context: Any) -> Response[Any]:
    """A page with the one-time notices kept for it."""
    return await page(request, ctx, template, flashes=await flashes(request, ctx), **context)


async def _org_names(ctx: RequestContext, ids: set[int]) -> dict[int, str]:
    from plugins.incubation.hooks import org_names  # noqa: PLC0415 - hooks imports this module

    return await org_names(ctx.session, ids)


async def incubation_or_404(ctx: RequestContext, incubation_id: int) -> Incubation:
    """An incubation the user may see (404 otherwise, never saying whether it exists)."""
    where = await hubs.visible(ctx)
    row = (
        await ctx.session.execute(select(Incubation).where(Incubation.id == incubation_id, where))
    ).scalar_one_or_none()
    if row is None:
        raise NotFound("没有这个孵化记录，或您无权查看。", "No such incubation, or you may not see it.")
    return row


def _form(data: Any) -> dict[str, Any]:
    """Form fields as a plain dict; the checkbox lists (``criteria``) as lists."""
    out: dict[str, Any] = {key: data.get(key) for key in data}
    out["criteria"] = list(data.getall("criteria", []))
    return out


def _options(pairs: dict[str, tuple[str, str]] | None, keys: tuple[str, ...], vocabulary: str) -> list[tuple[str, str]]:
    from plugins.incubation.labels import label  # noqa: PLC0415

    return [(k, label(vocabulary, k)) for k in keys]


# ---------------------------------------------------------------- home and incubators


@get(HOME, name="incubation:home")
async def home(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """Staff: the incubators and the way to everything; an applicant: their organizations' incubations."""
    ctx.require(KEY, "apply")
    where = await hubs.visible(ctx)
    rows = list(
        (
            await ctx.session.execute(
                select(Incubation)
                .where(where)
                .order_by(Incubation.active.desc(), Incubation.applied_on.desc())
                .limit(200)
            )
        ).scalars()
    )
    incubators = await service.list_incubators(ctx.session)
    return await _page(
        request,
        ctx,
        "incubation/home.html",
        incubators=incubators,
        rows=rows,
        names=await _org_names(ctx, {r.organization_id for r in rows}),
        incubator_names={i.id: i.name for i in incubators},
        sees_all=hubs.sees_all(ctx),
        can_manage=ctx.can(KEY, "manage"),
        hubs=await hubs.hubs_of_user(ctx),
        form=FormState(),
        areas=await service.areas(ctx.session),
    )


@post(f"{HOME}/incubators", name="incubation:incubator_create", status_code=200)
async def incubator_create(request: Request[Any, Any, Any], ctx: RequestContext, data: Form) -> Response[Any]:
    ctx.require(KEY, "manage")
    state = FormState(values=dict(data))
    row = await attempt(ctx, lambda: service.create_incubator(ctx.session, dict(data)), state)
    if not state.ok:
        incubators = await service.list_incubators(ctx.session)
        return await _page(
            request,
            ctx,
            "incubation/home.html",
            incubators=incubators,
            rows=[],
            names={},
            incubator_names={i.id: i.name for i in incubators},
            sees_all=True,
            can_manage=True,
            hubs=[],
            form=state,
            areas=await service.areas(ctx.session),
            status_code=error_status(request, state),
        )
    return await redirect(request, ctx, ctx.url(f"{HOME}/incubators/{row.id}"), _("Incubator added."))


@get(f"{HOME}/incubators/{{incubator_id:int}}", name="incubation:incubator")
async def incubator_page(request: Request[Any, Any, Any], ctx: RequestContext, incubator_id: int) -> Response[Any]:
    """Spaces with who holds them today, cohorts, trainings and the organizations incubating here."""
    ctx.require(KEY, "view")
    incubator = await service.get_incubator(ctx.session, incubator_id)
    today = cases.today()
    overview = await service.incubator_overview(ctx.session, incubator, today)
    holders: dict[Any, Any] = dict(
        (
            await ctx.session.execute(
                select(Allocation.space_id, Incubation.organization_id)
                .join(Incubation, Incubation.id == Allocation.incubation_id)
                .where(Allocation.starts_on <= today, (Allocation.ends_on.is_(None)) | (Allocation.ends_on > today))
            )
        )
        .tuples()
        .all()
    )
    rows = list(
        (
            await ctx.session.execute(
                select(Incubation).where(Incubation.incubator_id == incubator.id, Incubation.active.is_(True))
            )
        ).scalars()
    )
    names = await _org_names(ctx, {r.organization_id for r in rows} | set(holders.values()))
    return await _page(
        request,
        ctx,
        "incubation/incubator.html",
        o=overview,
        holders=holders,
        rows=rows,
        names=names,
        can_manage=ctx.can(KEY, "manage"),
        space_kinds=_options(None, SPACE_KINDS, "space"),
        modes=_options(None, MODES, "mode"),
        trainings=[(tr, n) for tr, n in await mentoring.trainings(ctx.session) if tr.incubator_id == incubator.id],
    )


@post(f"{HOME}/incubators/{{incubator_id:int}}/spaces", name="incubation:space_create", status_code=200)
async def space_create(
    request: Request[Any, Any, Any], ctx: RequestContext, incubator_id: int, data: Form
) -> Response[Any]:
    ctx.require(KEY, "manage")
    incubator = await service.get_incubator(ctx.session, incubator_id)
    back = ctx.url(f"{HOME}/incubators/{incubator_id}")
    return await act(request, ctx, back, lambda: service.create_space(ctx.session, incubator, dict(data)), _("Added."))


@post(f"{HOME}/incubators/{{incubator_id:int}}/cohorts", name="incubation:cohort_create", status_code=200)
async def cohort_create(
    request: Request[Any, Any, Any], ctx: RequestContext, incubator_id: int, data: Form
) -> Response[Any]:
    ctx.require(KEY, "manage")
    incubator = await service.get_incubator(ctx.session, incubator_id)
    back = ctx.url(f"{HOME}/incubators/{incubator_id}")
    return await act(request, ctx, back, lambda: service.create_cohort(ctx.session, incubator, dict(data)), _("Added."))


@post(f"{HOME}/incubators/{{incubator_id:int}}/trainings", name="incubation:training_create", status_code=200)
async def training_create(
    request: Request[Any, Any, Any], ctx: RequestContext, incubator_id: int, data: Form
) -> Response[Any]:
    ctx.require(KEY, "manage")
    await service.get_incubator(ctx.session, incubator_id)
    back = ctx.url(f"{HOME}/incubators/{incubator_id}")
    return await act(
        request,
        ctx,
        back,
        lambda: mentoring.add_training(ctx, incubator_id, dict(data)),
        _("Training added."),
    )


@post(
    f"{HOME}/incubators/{{incubator_id:int}}/trainings/{{training_id:int}}/attendance",
    name="incubation:attendance",
    status_code=200,
)
async def attendance(
    request: Request[Any, Any, Any], ctx: RequestContext, incubator_id: int, training_id: int
) -> Response[Any]:
    """Tick the organizations that attended a training."""
    ctx.require(KEY, "manage")
    training = (
        await ctx.session.execute(
            select(Training).where(Training.id == training_id, Training.incubator_id == incubator_id)
        )
    ).scalar_one_or_none()
    if training is None:
        raise NotFound("没有这次培训。", "No such training.")
    form = await request.form()
    ids = [int(i) for i in form.getall("organization_ids", []) if str(i).isdigit()]
    back = ctx.url(f"{HOME}/incubators/{incubator_id}#trainings")
    return await act(
        request,
        ctx,
        back,
        lambda: mentoring.record_attendance(ctx, training, ids),
        _("Attendance recorded."),
    )


# ---------------------------------------------------------------- applying


async def _apply_page(request: Request[Any, Any, Any], ctx: RequestContext, state: FormState) -> Response[Any]:
    assert ctx.district is not None and ctx.user is not None
    incubators = await service.list_incubators(ctx.session)
    if ctx.can(KEY, "manage"):
        org = organizations.Organization
        mine = list((await ctx.session.execute(select(org).order_by(org.name))).scalars())
    else:
        roles = [organizations.MemberRole.LEADER, organizations.MemberRole.STAFF]
        mine = await organizations.organizations_of_user(ctx.session, ctx.district, ctx.user.id, roles=roles)
    return await _page(
        request,
        ctx,
        "incubation/apply.html",
        form=state,
        incubators=[(str(i.id), i.name) for i in incubators],
        cohorts=[(str(c.id), c.name) for c in await service.list_cohorts(ctx.session)],
        orgs=[(str(o.id), o.name) for o in mine],
        modes=_options(None, MODES, "mode"),
        status_code=error_status(request, state) if not state.ok else 200,
    )


@get(f"{HOME}/apply", name="incubation:apply_form")
async def apply_form(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """The application form: an organization of the user's, or a new group (it joins the registry as informal)."""
    ctx.require(KEY, "apply")
    return await _apply_page(
        request, ctx, FormState(values={"incubator_id": request.query_params.get("incubator", "")})
    )


@post(f"{HOME}/apply", name="incubation:apply", status_code=200)
async def apply(request: Request[Any, Any, Any], ctx: RequestContext, data: Form) -> Response[Any]:
    ctx.require(KEY, "apply")
    state = FormState(values=dict(data))
    row = await attempt(ctx, lambda: cases.apply(ctx, dict(data)), state)
    if not state.ok:
        return await _apply_page(request, ctx, state)
    return await redirect(request, ctx, ctx.url(f"{HOME}/cases/{row.id}"), _("Application sent."))


# ---------------------------------------------------------------- one incubation


@get(f"{HOME}/cases/{{incubation_id:int}}", name="incubation:case")
async def case_page(request: Request[Any, Any, Any], ctx: RequestContext, incubation_id: int) -> Response[Any]:
    """One incubation: stage and steps, agreement and criteria, desks, mentoring, assessments, timeline."""
    ctx.require(KEY, "apply")
    assert ctx.district is not None
    row = await incubation_or_404(ctx, incubation_id)
    org = await organizations.get_organization(ctx.session, ctx.district, row.organization_id)
    incubator = await service.get_incubator(ctx.session, row.incubator_id)
    case = (await ctx.session.execute(select(Case).where(Case.id == row.case_id))).scalar_one()
    can_manage = ctx.can(KEY, "manage")
    steps = steps_open_to(ctx, case, await definition_for(ctx, case)) if can_manage else []
    instrument = await assessments.current_instrument(ctx.session)
    history = await assessments.assessments_of(ctx.session, row.id)
    used = await assessments.instruments_by_id(ctx.session, {a.instrument_id for a in history})
    comparison = (
        assessments.compare(used[history[0].instrument_id], used[history[-1].instrument_id], history[0], history[-1])
        if len(history) > 1
        else None
    )
    changes = comparison.changes if comparison else []
    mentor = (
        (await ctx.session.execute(select(Mentor).where(Mentor.id == row.mentor_id))).scalar_one_or_none()
        if row.mentor_id
        else None
    )
    free_spaces = [
        s
        for s in await service.list_spaces(ctx.session, incubator.id)
        if s.active and (s.kind != "desk" or s.id not in await desks.occupied_space_ids(ctx.session, cases.today()))
    ]
    return await _page(
        request,
        ctx,
        "incubation/case.html",
        row=row,
        org=org,
        incubator=incubator,
        case=case,
        steps=steps,
        step_fields=STEP_FIELDS,
        criteria=await cases.criteria_of(ctx, row),
        standard=cases.STANDARD_CRITERIA,
        allocations=await desks.allocations_of(ctx.session, row.id),
        free_spaces=[(str(s.id), s.code) for s in free_spaces],
        sessions=await mentoring.sessions_of(ctx.session, row.id),
        history=history,
        instrument=instrument,
        dimensions=instruments.dimensions_of(instrument) if instrument else [],
        versions_used={i: v.version for i, v in used.items()},
        comparison=comparison,
        changes=changes,
        radar=assessments.radar_svg(changes) if len(history) > 1 else "",
        timeline=await mentoring.timeline(ctx.session, row),
        mentor=mentor,
        mentors=[(str(m.id), m.name) for m in await service.list_mentors(ctx.session)],
        phases=_options(None, PHASES, "phase"),
        can_manage=can_manage,
        can_mentor=ctx.can(KEY, "mentor"),
        can_supervise=await hubs.may_supervise(ctx, row),
        today=cases.today(),
        default_end=cases.add_months(cases.today(), int((await cases.settings_of(ctx))["planned_months"])),
    )


def _back(ctx: RequestContext, incubation_id: int, anchor: str = "") -> str:
    return ctx.url(f"{HOME}/cases/{incubation_id}") + (f"#{anchor}" if anchor else "")


@post(f"{HOME}/cases/{{incubation_id:int}}/step", name="incubation:step", status_code=200)
async def step(request: Request[Any, Any, Any], ctx: RequestContext, incubation_id: int, data: Form) -> Response[Any]:
    """Take a stage step (the case engine checks roles; the plugin checks the evidence)."""
    ctx.require(KEY, "manage")
    row = await incubation_or_404(ctx, incubation_id)
    raw = dict(data)
    key = str(raw.pop("step", ""))
    reason = str(raw.pop("reason", ""))
    fields = {k: v for k, v in raw.items() if k in {f for fs in STEP_FIELDS.values() for f in fs} and str(v).strip()}
    return await act(
        request,
        ctx,
        _back(ctx, incubation_id),
        lambda: cases.take_step(ctx, row, key, fields, reason),
        _("Stage updated."),
    )


@post(f"{HOME}/cases/{{incubation_id:int}}/agreement", name="incubation:agreement", status_code=200)
async def agreement(request: Request[Any, Any, Any], ctx: RequestContext, incubation_id: int) -> Response[Any]:
    ctx.require(KEY, "manage")
    row = await incubation_or_404(ctx, incubation_id)
    data = _form(await request.form())
    return await act(
        request,
        ctx,
        _back(ctx, incubation_id, "agreement"),
        lambda: cases.set_agreement(ctx, row, data),
        _("Agreement saved."),
    )


@post(f"{HOME}/cases/{{incubation_id:int}}/criteria/{{criterion_id:int}}", name="incubation:criterion", status_code=200)
async def criterion(
    request: Request[Any, Any, Any], ctx: RequestContext, incubation_id: int, criterion_id: int, data: Form
) -> Response[Any]:
    ctx.require(KEY, "manage")
    row = await incubation_or_404(ctx, incubation_id)
    return await act(
        request,
        ctx,
        _back(ctx, incubation_id, "agreement"),
        lambda: cases.decide_criterion(ctx, row, criterion_id, dict(data)),
        _("Saved."),
    )


@post(f"{HOME}/cases/{{incubation_id:int}}/renew", name="incubation:renew", status_code=200)
async def renew(request: Request[Any, Any, Any], ctx: RequestContext, incubation_id: int, data: Form) -> Response[Any]:
    ctx.require(KEY, "manage")
    row = await incubation_or_404(ctx, incubation_id)
    return await act(
        request,
        ctx,
        _back(ctx, incubation_id, "agreement"),
        lambda: cases.renew(ctx, row, dict(data)),
        _("Renewed."),
    )


@post(f"{HOME}/cases/{{incubation_id:int}}/desks", name="incubation:allocate", status_code=200)
async def allocate(
    request: Request[Any, Any, Any], ctx: RequestContext, incubation_id: int, data: Form
) -> Response[Any]:
    ctx.require(KEY, "manage")
    row = await incubation_or_404(ctx, incubation_id)
    return await act(
        request,
        ctx,
        _back(ctx, incubation_id, "desks"),
        lambda: desks.allocate(ctx, row, dict(data)),
        _("Space given."),
    )


@post(
    f"{HOME}/cases/{{incubation_id:int}}/desks/{{allocation_id:int}}/release",
    name="incubation:release",
    status_code=200,
)
async def release(
    request: Request[Any, Any, Any], ctx: RequestContext, incubation_id: int, allocation_id: int, data: Form
) -> Response[Any]:
    ctx.require(KEY, "manage")
    row = await incubation_or_404(ctx, incubation_id)
    return await act(
        request,
        ctx,
        _back(ctx, incubation_id, "desks"),
        lambda: desks.release(ctx, row, allocation_id, dict(data)),
        _("Space handed back."),
    )


@post(f"{HOME}/cases/{{incubation_id:int}}/desks/{{allocation_id:int}}/move", name="incubation:move", status_code=200)
async def move(
    request: Request[Any, Any, Any], ctx: RequestContext, incubation_id: int, allocation_id: int, data: Form
) -> Response[Any]:
    ctx.require(KEY, "manage")
    row = await incubation_or_404(ctx, incubation_id)
    return await act(
        request,
        ctx,
        _back(ctx, incubation_id, "desks"),
        lambda: desks.move(ctx, row, allocation_id, dict(data)),
        _("Moved."),
    )


@post(f"{HOME}/cases/{{incubation_id:int}}/sessions", name="incubation:session", status_code=200)
async def add_session(
    request: Request[Any, Any, Any], ctx: RequestContext, incubation_id: int, data: Form
) -> Response[Any]:
    ctx.require(KEY, "apply")
    row = await incubation_or_404(ctx, incubation_id)
    await hubs.require_supervision(ctx, row)
    return await act(
        request,
        ctx,
        _back(ctx, incubation_id, "mentoring"),
        lambda: mentoring.add_session(ctx, row, dict(data)),
        _("Session recorded."),
    )


@post(f"{HOME}/cases/{{incubation_id:int}}/items/{{item_id:int}}/done", name="incubation:item_done", status_code=200)
async def item_done(
    request: Request[Any, Any, Any], ctx: RequestContext, incubation_id: int, item_id: int
) -> Response[Any]:
    ctx.require(KEY, "apply")
    row = await incubation_or_404(ctx, incubation_id)
    await hubs.require_supervision(ctx, row)
    return await act(
        request,
        ctx,
        _back(ctx, incubation_id, "mentoring"),
        lambda: mentoring.complete_item(ctx, row, item_id),
        _("Done."),
    )


@post(f"{HOME}/cases/{{incubation_id:int}}/assessments", name="incubation:assess", status_code=200)
async def assess(request: Request[Any, Any, Any], ctx: RequestContext, incubation_id: int, data: Form) -> Response[Any]:
    ctx.require(KEY, "mentor")
    row = await incubation_or_404(ctx, incubation_id)
    return await act(
        request,
        ctx,
        _back(ctx, incubation_id, "assessments"),
        lambda: assessments.add_assessment(ctx, row, dict(data)),
        _("Assessment saved."),
    )


# ---------------------------------------------------------------- queues, mentors, trainings


@get(f"{HOME}/queues", name="incubation:queues")
async def queues(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """Centre staff: applications to screen, steps waiting, renewals due, desks to hand back, assessments due."""
    ctx.require(KEY, "manage")
    today = cases.today()
    settings = await cases.settings_of(ctx)
    active = list((await ctx.session.execute(select(Incubation).where(Incubation.active.is_(True)))).scalars())
    horizon = today + timedelta(days=int(settings["renewal_notice_days"]))
    assessed = {a for (a,) in (await ctx.session.execute(select(assessments.Assessment.incubation_id))).all()}
    releases = await desks.releases_due(ctx.session)
    names = await _org_names(
        ctx, {r.organization_id for r in active} | {r.incubation.organization_id for r in releases}
    )
    return await _page(
        request,
        ctx,
        "incubation/queues.html",
        to_screen=[r for r in active if r.stage == "applied"],
        waiting=[r for r in active if r.stage in ("screened", "filed", "resident", "registered")],
        renewals=[r for r in active if r.planned_end_on and r.planned_end_on <= horizon],
        releases=releases,
        assessments_due=[r for r in active if r.stage in ("resident", "registered") and r.id not in assessed],
        names=names,
        today=today,
    )


@get(f"{HOME}/mentors", name="incubation:mentors")
async def mentors(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """Mentors with their caseload; a mentor sees their own organizations first (phone-friendly)."""
    ctx.require(KEY, "view")
    everyone = await service.list_mentors(ctx.session)
    load = await service.mentor_caseload(ctx.session)
    me = [m.id for m in everyone if ctx.user is not None and m.user_id == ctx.user.id]
    mine = []
    if me:
        mine = list(
            (
                await ctx.session.execute(
                    select(Incubation).where(Incubation.mentor_id.in_(me), Incubation.active.is_(True))
                )
            ).scalars()
        )
    return await _page(
        request,
        ctx,
        "incubation/mentors.html",
        mentors=everyone,
        load=load,
        mine=mine,
        names=await _org_names(ctx, {r.organization_id for r in mine}),
        kinds=_options(None, MENTOR_KINDS, "mentor"),
        can_manage=ctx.can(KEY, "manage"),
    )


@post(f"{HOME}/mentors", name="incubation:mentor_create", status_code=200)
async def mentor_create(request: Request[Any, Any, Any], ctx: RequestContext, data: Form) -> Response[Any]:
    ctx.require(KEY, "manage")
    return await act(
        request,
        ctx,
        ctx.url(f"{HOME}/mentors"),
        lambda: service.create_mentor(ctx.session, dict(data)),
        _("Mentor added."),
    )


# ---------------------------------------------------------------- hubs and reports


@get(f"{HOME}/hubs", name="incubation:hubs")
async def hub_page(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """A hub organization's staff: their member organizations' incubations and annual evaluations."""
    ctx.require(KEY, "apply")
    assert ctx.district is not None
    mine = await hubs.hubs_of_user(ctx)
    if hubs.sees_all(ctx) and not mine:
        org = organizations.Organization
        mine = list((await ctx.session.execute(select(org).where(org.is_hub.is_(True)).order_by(org.name))).scalars())
    blocks = []
    where = await hubs.visible(ctx)
    for hub in mine:
        members = await organizations.supervised_by(ctx.session, ctx.district, hub.id)
        ids = [m.id for m in members]
        rows = (
            list(
                (
                    await ctx.session.execute(select(Incubation).where(where, Incubation.organization_id.in_(ids)))
                ).scalars()
            )
            if ids
            else []
        )
        blocks.append((hub, members, {r.organization_id: r for r in rows}, await hubs.evaluations_of(ctx, hub.id)))
    return await _page(request, ctx, "incubation/hubs.html", blocks=blocks, year=cases.today().year)


@post(f"{HOME}/hubs/{{hub_id:int}}/evaluations", name="incubation:evaluate", status_code=200)
async def evaluate(request: Request[Any, Any, Any], ctx: RequestContext, hub_id: int, data: Form) -> Response[Any]:
    ctx.require(KEY, "apply")
    return await act(
        request,
        ctx,
        ctx.url(f"{HOME}/hubs"),
        lambda: hubs.add_evaluation(ctx, hub_id, dict(data)),
        _("Evaluation saved."),
    )


def _month_starts(today: date, count: int = 12) -> list[date]:
    out = []
    year, month = today.year, today.month
    for _step in range(count):
        out.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(out))


@get(f"{HOME}/reports", name="incubation:reports")
async def report_page(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """Incubated, graduated, exited, rate, months to graduate; by year, community, field; desks; registry growth."""
    ctx.require(KEY, "apply")
    where = await hubs.visible(ctx)
    figures = await reports.figures(ctx.session, where)
    occupancy = await reports.occupancy(ctx.session, _month_starts(cases.today())) if hubs.sees_all(ctx) else []
    growth = await reports.registry_growth(ctx.session) if hubs.sees_all(ctx) else []
    return await _page(request, ctx, "incubation/reports.html", f=figures, occupancy=occupancy, growth=growth)


@get(f"{HOME}/reports.xlsx", name="incubation:reports_xlsx")
async def report_xlsx(ctx: RequestContext) -> Response[bytes]:
    ctx.require(KEY, "apply")
    where = await hubs.visible(ctx)
    figures = await reports.figures(ctx.session, where)
    growth = await reports.registry_growth(ctx.session) if hubs.sees_all(ctx) else []
    occupancy = await reports.occupancy(ctx.session, _month_starts(cases.today())) if hubs.sees_all(ctx) else []
    return Response(
        reports.xlsx(figures, growth, occupancy),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="incubation-report.xlsx"'},
    )


@get(f"{HOME}/organizations", name="incubation:showcase")
async def showcase(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """Every district member: the organizations incubated here and those that graduated (public facts only)."""
    assert ctx.district is not None
    from plugins.incubation import public  # noqa: PLC0415

    rows = await public.listing(ctx.session)
    return await _page(
        request,
        ctx,
        "incubation/showcase.html",
        incubating=[r for r in rows if r.stage != "graduated"],
        graduated=[r for r in rows if r.stage == "graduated"],
    )


@get(f"{HOME}/path/{{organization_id:int}}", name="incubation:path")
async def whole_path(request: Request[Any, Any, Any], ctx: RequestContext, organization_id: int) -> Response[Any]:
    """★ An organization's whole path: its incubations and timelines, then every module's profile panel
    (grants, ratings, time-bank hours … when those modules are on) through the ``organization_panels`` hook."""
    ctx.require(KEY, "apply")
    assert ctx.district is not None
    where = await hubs.visible(ctx)
    query = (
        select(Incubation).where(where, Incubation.organization_id == organization_id).order_by(Incubation.applied_on)
    )
    rows = list((await ctx.session.execute(query)).scalars())
    if not rows and not hubs.sees_all(ctx):
        raise NotFound(
            "没有这个组织的孵化记录，或您无权查看。", "No incubation of this organization, or you may not see it."
        )
    org = await organizations.get_organization(ctx.session, ctx.district, organization_id)
    timelines = [(row, await mentoring.timeline(ctx.session, row)) for row in rows]
    panels: list[Any] = []
    for result in ctx.hooks.organization_panels(ctx=ctx, organization=org):
        found = await result if inspect.isawaitable(result) else result
        panels.extend(found or [])
    panels.sort(key=lambda p: (p.order, p.title))
    env = request.app.state.jinja_env
    rendered = []
    for panel in panels:
        html = env.get_template(panel.template).render({**panel.context, "ctx": ctx, "organization": org})
        rendered.append((panel.title, Markup(html)))  # noqa: S704 - rendered by the autoescaping environment
    incubators = {i.id: i.name for i in await service.list_incubators(ctx.session)}
    return await _page(
        request, ctx, "incubation/path.html", org=org, timelines=timelines, panels=rendered, incubators=incubators
    )


ROUTES = [
    home,
    incubator_create,
    incubator_page,
    space_create,
    cohort_create,
    training_create,
    attendance,
    apply_form,
    apply,
    case_page,
    step,
    agreement,
    criterion,
    renew,
    allocate,
    release,
    move,
    add_session,
    item_done,
    assess,
    queues,
    mentors,
    mentor_create,
    hub_page,
    evaluate,
    report_page,
    report_xlsx,
    showcase,
    whole_path,
]
