"""Web pages under ``/d/{district}/grants``: calls, applying from a phone, screening, reviewing, ranking.

Every page is a full page on a normal load and only its ``content`` block for htmx. Forms
post back to themselves: on an error the form comes back with the messages next to the
fields and the input kept (400, or 200 for htmx); on success the browser goes on with a notice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post

from core.plugin_api import (
    TIMEZONE,
    Form,
    FormState,
    RequestContext,
    attempt,
    error_status,
    organizations,
    page,
    redirect,
    utcnow,
)
from core.plugin_api import gettext as _
from plugins.grants import reviews, service
from plugins.grants.access import call_or_404, shown_organization, viewer_of
from plugins.grants.models import Application, Call
from plugins.grants.scoring import review_score

__all__ = ("ROUTES",)


def _local(when: datetime | None) -> str:
    return when.astimezone(TIMEZONE).strftime("%Y-%m-%dT%H:%M") if when else ""


def _call_form(call: Call | None) -> dict[str, Any]:
    """What the call form's inputs show for an existing call (or a new one)."""
    if call is None:
        now = utcnow().astimezone(TIMEZONE).replace(hour=9, minute=0, second=0, microsecond=0)
        return {
            "kind_filed": "on",
            "kind_registered": "on",
            "ranking": "normalised",
            "reviewers_per_application": "3",
            "own_ratio_pct": "0",
            "overspend_pct": "10",
            "vote_weight_pct": "30",
            "min_years_active": "0",
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "criteria": "\n".join(
                (
                    "公益性 | 25 | 0-10",
                    "创新性 | 20 | 0-10",
                    "实践性 | 20 | 0-10",
                    "影响力 | 20 | 0-10",
                    "执行力 | 15 | 0-10",
                )
            ),
            "screening_items": "申报主体资格符合要求\n申报材料齐全\n预算编制合理",
        }
    form: dict[str, Any] = {
        "title": call.title,
        "description": call.description,
        "budget": service.yuan(call.budget_fen),
        "min_grant": service.yuan(call.min_grant_fen),
        "max_grant": service.yuan(call.max_grant_fen),
        "own_ratio_pct": str(call.own_ratio_pct),
        "overspend_pct": str(call.overspend_pct),
        "vote_weight_pct": str(call.vote_weight_pct),
        "min_years_active": str(call.min_years_active),
        "opens_at": _local(call.opens_at),
        "closes_at": _local(call.closes_at),
        "review_by": call.review_by.isoformat() if call.review_by else "",
        "announce_on": call.announce_on.isoformat() if call.announce_on else "",
        "ranking": call.ranking,
        "blind": "on" if call.blind else "",
        "partial_awards": "on" if call.partial_awards else "",
        "reviewers_per_application": str(call.reviewers_per_application),
        "screening_items": "\n".join(call.screening_items),
        "categories": "\n".join(
            c.name + (f" | {service.yuan(c.budget_fen)}" if c.budget_fen is not None else "") for c in call.categories
        ),
        "criteria": "\n".join(
            f"{c.name} | {c.weight} | {c.min_score}-{c.max_score}" + (" | 可不适用" if c.allow_na else "")
            for c in call.criteria
        ),
    }
    for kind in service.KINDS:
        form[f"kind_{kind}"] = "on" if kind in call.allowed_kinds else ""
    return form


async def _call_form_page(
    request: Request[Any, Any, Any], ctx: RequestContext, state: FormState, call: Call | None
) -> Response[Any]:
    return await page(
        request,
        ctx,
        "grants/call_form.html",
        status_code=error_status(request, state) if state.errors else 200,
        form=state,
        call=call,
        action=ctx.url(f"/grants/calls/{call.id}") if call else ctx.url("/grants/calls"),
        kinds=[
            ("informal", _("Informal groups")),
            ("filed", _("Filed organizations")),
            ("registered", _("Registered organizations")),
        ],
        rankings=[("normalised", _("Normalised score (reviewer calibration)")), ("raw", _("Raw weighted mean"))],
    )


@get("/grants", name="grants:index")
async def index(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """The calls; the user's organizations' applications; links to the reviewer's queue."""
    ctx.require("grants", "view")
    calls = await service.list_calls(ctx.session)
    orgs = await service.applicant_organizations(ctx)
    mine = await service.list_applications(ctx.session, organization_ids=[o.id for o in orgs]) if orgs else []
    return await page(
        request,
        ctx,
        "grants/index.html",
        calls=calls,
        phase=service.call_phase,
        mine=mine,
        org_names={o.id: o.name for o in orgs},
        call_titles={c.id: c.title for c in calls},
        can_manage=ctx.can("grants", "manage"),
        can_review=ctx.can("grants", "review"),
    )


@get("/grants/calls/new", name="grants:call-new")
async def call_new(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """An empty call form with the usual five criteria filled in."""
    ctx.require("grants", "manage")
    return await _call_form_page(request, ctx, FormState(values=_call_form(None)), None)


@post("/grants/calls", name="grants:call-create", status_code=200)
async def call_create(request: Request[Any, Any, Any], ctx: RequestContext, data: Form) -> Response[Any]:
    """Create the call, or show the form again with what is wrong."""
    ctx.require("grants", "manage")
    state = FormState(values=dict(data))

    async def create() -> Call:
        clean = service.validate_call(data)
        return await service.create_call(ctx.session, clean, created_by=ctx.user.id if ctx.user else None)

    call = await attempt(ctx, create, state)
    if call is None:
        return await _call_form_page(request, ctx, state, None)
    return await redirect(request, ctx, ctx.url(f"/grants/calls/{call.id}"), _("Call saved."))


@get("/grants/calls/{call_id:int}", name="grants:call")
async def call_detail(request: Request[Any, Any, Any], ctx: RequestContext, call_id: int) -> Response[Any]:
    """A call: its rules and dates; staff see its applications, organizations the way to apply."""
    ctx.require("grants", "view")
    assert ctx.district is not None
    call = await call_or_404(ctx, call_id)
    can_manage = ctx.can("grants", "manage")
    apps: list[Application] = []
    names: dict[int, str] = {}
    counts: dict[int, tuple[int, int]] = {}
    if can_manage:
        apps = await service.list_applications(ctx.session, call_id=call.id, submitted_only=True)
        for app in apps:
            org = await organizations.get_organization(ctx.session, ctx.district, app.organization_id)
            names[app.organization_id] = org.name
        counts = (await reviews.progress(ctx, call)).by_application
    orgs = await service.applicant_organizations(ctx) if ctx.can("grants", "apply") else []
    results = []
    if call.decided_at is not None:  # published: every viewer sees the awards and any override's reason
        for app in await service.list_applications(ctx.session, call_id=call.id):
            if app.decision == "approved":  # closed projects were funded too
                org = await organizations.get_organization(ctx.session, ctx.district, app.organization_id)
                results.append((app, org.name))
    return await page(
        request,
        ctx,
        "grants/call.html",
        call=call,
        phase=service.call_phase(call),
        can_manage=can_manage,
        applications=apps,
        org_names=names,
        counts=counts,
        can_apply=bool(orgs),
        yuan=service.yuan,
        categories={c.id: c.name for c in call.categories},
        results=results,
    )


@get("/grants/calls/{call_id:int}/edit", name="grants:call-edit")
async def call_edit(request: Request[Any, Any, Any], ctx: RequestContext, call_id: int) -> Response[Any]:
    """The call form filled with the call."""
    ctx.require("grants", "manage")
    call = await call_or_404(ctx, call_id)
    return await _call_form_page(request, ctx, FormState(values=_call_form(call)), call)


@post("/grants/calls/{call_id:int}", name="grants:call-update", status_code=200)
async def call_update(request: Request[Any, Any, Any], ctx: RequestContext, call_id: int, data: Form) -> Response[Any]:
    """Save the edited call, or show the form again with what is wrong."""
    ctx.require("grants", "manage")
    call = await call_or_404(ctx, call_id)
    state = FormState(values=dict(data))

    async def save() -> Call:
        return await service.update_call(ctx.session, call, service.validate_call(data))

    if await attempt(ctx, save, state) is None:
        await ctx.session.refresh(call)
        return await _call_form_page(request, ctx, state, call)
    return await redirect(request, ctx, ctx.url(f"/grants/calls/{call.id}"), _("Call saved."))


def _app_values(app: Application | None) -> dict[str, Any]:
    if app is None:
        return {}
    return {
        "title": app.title,
        "summary": app.summary,
        "beneficiaries": app.beneficiaries,
        "category_id": str(app.category_id or ""),
        "requested": service.yuan(app.requested_fen) if app.requested_fen else "",
        "own_contribution": service.yuan(app.own_contribution_fen) if app.own_contribution_fen else "",
    }


async def _apply_page(
    request: Request[Any, Any, Any], ctx: RequestContext, call: Call, state: FormState
) -> Response[Any]:
    orgs = await service.applicant_organizations(ctx)
    problems = {o.id: await service.eligibility_problems(ctx, call, o) for o in orgs}
    return await page(
        request,
        ctx,
        "grants/apply.html",
        status_code=error_status(request, state) if state.errors else 200,
        call=call,
        form=state,
        orgs=orgs,
        problems=problems,
        org_options=[(o.id, o.name) for o in orgs],
        phase=service.call_phase(call),
        yuan=service.yuan,
        category_options=[(c.id, c.name) for c in call.categories],
    )


@get("/grants/calls/{call_id:int}/apply", name="grants:apply")
async def apply_form(request: Request[Any, Any, Any], ctx: RequestContext, call_id: int) -> Response[Any]:
    """The application form (phone-friendly): choose the organization, describe the project, save a draft."""
    ctx.require("grants", "apply")
    call = await call_or_404(ctx, call_id)
    return await _apply_page(request, ctx, call, FormState())


@post("/grants/calls/{call_id:int}/apply", name="grants:apply-save", status_code=200)
async def apply_save(request: Request[Any, Any, Any], ctx: RequestContext, call_id: int, data: Form) -> Response[Any]:
    """Save the new application as a draft (then submit it from its page)."""
    ctx.require("grants", "apply")
    call = await call_or_404(ctx, call_id)
    state = FormState(values=dict(data))
    app = await attempt(ctx, lambda: service.save_application(ctx, call, data), state)
    if app is None:
        return await _apply_page(request, ctx, call, state)
    return await redirect(request, ctx, ctx.url(f"/grants/applications/{app.id}"), _("Draft saved."))


async def _application_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    app: Application,
    viewer: str,
    state: FormState | None = None,
    *,
    section: str = "",
) -> Response[Any]:
    assert ctx.district is not None
    call = await call_or_404(ctx, app.call_id)
    org = await organizations.get_organization(ctx.session, ctx.district, app.organization_id)
    side = state if section in ("answers", "files", "cofund") else None  # the forms of routes_extra.py
    state = (None if side else state) or FormState(values=_app_values(app))
    extra: dict[str, Any] = {"side": side or FormState(values={})}
    if viewer == "reviewer":
        assignment, review = await reviews.review_of(ctx, app)
        if review is not None and not (state.errors and section == "review"):
            state = FormState(
                values={
                    **{f"score_{k}": ("na" if v is None else str(v)) for k, v in review.scores.items()},
                    **{f"comment_{k}": v for k, v in review.comments.items()},
                }
            )
        extra = {
            "review": review,
            "assignment": assignment,
            "score": review_score(call.criteria, review.scores) if review else None,
        }
    if app.status in ("approved", "closed"):
        from plugins.grants import projects  # noqa: PLC0415

        extra["tranches"] = await projects.tranches_of(ctx, app)
        extra["funders"] = await projects.funders_of(ctx, app)
        extra["balance"] = (await projects.project_account(ctx, app)).balance if app.signed_at else 0
        extra["met"] = {"signed": app.signed_at, "midterm": app.midterm_accepted_at, "closed": app.closed_at}
    from plugins.grants.routes_extra import application_parts  # noqa: PLC0415

    extra |= await application_parts(ctx, app, call, viewer, side if section == "answers" else None)
    if viewer == "manager":
        extra |= {
            "reviewer_options": [(u.id, u.display_name) for u in await reviews.reviewers(ctx)],
            "assignments": await _assignments(ctx, app),
        }
    return await page(
        request,
        ctx,
        "grants/application.html",
        status_code=error_status(request, side or state) if (state.errors or (side and side.errors)) else 200,
        app=app,
        call=call,
        viewer=viewer,
        org_name=shown_organization(call, viewer, org.name),
        form=state,
        section=section,
        yuan=service.yuan,
        phase=service.call_phase(call),
        category_options=[(c.id, c.name) for c in call.categories],
        category=next((c.name for c in call.categories if c.id == app.category_id), ""),
        problems=service.application_problems(call, app) if viewer == "applicant" else {},
        now=utcnow(),
        **extra,
    )


application_page = _application_page  # the pages of routes_extra.py come back to it on a refusal


async def _assignments(ctx: RequestContext, app: Application) -> list[tuple[str, str, bool]]:
    from sqlalchemy import select  # noqa: PLC0415

    from plugins.grants.models import Assignment, Review  # noqa: PLC0415

    users = {u.id: u.display_name for u in await reviews.reviewers(ctx)}
    query = (
        select(Assignment, Review.submitted_at)
        .outerjoin(
            Review,
            (Review.application_id == Assignment.application_id) & (Review.reviewer_id == Assignment.reviewer_id),
        )
        .where(Assignment.application_id == app.id)
        .order_by(Assignment.id)
    )
    return [
        (users.get(a.reviewer_id, ""), a.conflict, s is not None) for a, s in (await ctx.session.execute(query)).all()
    ]


@get("/grants/applications/{application_id:int}", name="grants:application")
async def application(request: Request[Any, Any, Any], ctx: RequestContext, application_id: int) -> Response[Any]:
    """An application as the user may see it: the applicant edits and submits it, staff screen it and
    assign reviewers, a reviewer scores it (without the applicant's name in a blind call)."""
    app, viewer = await viewer_of(ctx, application_id)
    return await _application_page(request, ctx, app, viewer)


@post("/grants/applications/{application_id:int}", name="grants:application-save", status_code=200)
async def application_save(
    request: Request[Any, Any, Any], ctx: RequestContext, application_id: int, data: Form
) -> Response[Any]:
    """Save the draft; with ``action=submit`` also submit it (once; refused after the closing time)."""
    app, viewer = await viewer_of(ctx, application_id)
    call = await call_or_404(ctx, app.call_id)
    state = FormState(values=dict(data))

    async def save() -> Application:
        await service.save_application(ctx, call, data, application=app)
        if data.get("action") == "submit":
            await service.submit_application(ctx, app)
        return app

    if await attempt(ctx, save, state) is None:
        await ctx.session.refresh(app)
        return await _application_page(request, ctx, app, viewer, state, section="edit")
    done = _("Application submitted.") if data.get("action") == "submit" else _("Draft saved.")
    return await redirect(request, ctx, ctx.url(f"/grants/applications/{app.id}"), done)


@post("/grants/applications/{application_id:int}/screening", name="grants:screen", status_code=200)
async def screen(
    request: Request[Any, Any, Any], ctx: RequestContext, application_id: int, data: Form
) -> Response[Any]:
    """Staff's screening decision: pass, more information (message, deadline) or dismissal (reason)."""
    ctx.require("grants", "manage")
    app, viewer = await viewer_of(ctx, application_id)
    call = await call_or_404(ctx, app.call_id)
    checks = {item: data.get(f"check_{i}") == "on" for i, item in enumerate(call.screening_items)}
    state = FormState(values=dict(data))
    result = await attempt(
        ctx,
        lambda: service.screen_application(
            ctx,
            app,
            decision=data.get("decision", ""),
            checks=checks,
            message=data.get("message", ""),
            deadline=data.get("deadline"),
        ),
        state,
    )
    if result is None:
        await ctx.session.refresh(app)
        return await _application_page(request, ctx, app, viewer, state, section="screening")
    return await redirect(request, ctx, ctx.url(f"/grants/applications/{app.id}"), _("Screening saved."))


@post("/grants/applications/{application_id:int}/assign", name="grants:assign", status_code=200)
async def assign(
    request: Request[Any, Any, Any], ctx: RequestContext, application_id: int, data: Form
) -> Response[Any]:
    """Assign a reviewer by hand; a detected conflict of interest is recorded and excludes them."""
    ctx.require("grants", "manage")
    app, viewer = await viewer_of(ctx, application_id)
    state = FormState(values=dict(data))
    try:
        reviewer_id = int(data.get("reviewer_id") or 0)
    except ValueError:
        reviewer_id = 0
    row = await attempt(ctx, lambda: reviews.assign(ctx, app, reviewer_id), state)
    if row is None:
        return await _application_page(request, ctx, app, viewer, state, section="assign")
    message = _("Reviewer excluded: %(reason)s", reason=row.conflict) if row.conflict else _("Reviewer assigned.")
    return await redirect(request, ctx, ctx.url(f"/grants/applications/{app.id}"), message)


@post("/grants/calls/{call_id:int}/auto-assign", name="grants:auto-assign", status_code=200)
async def auto_assign(request: Request[Any, Any, Any], ctx: RequestContext, call_id: int) -> Response[Any]:
    """Give every screened application its reviewers automatically (balanced, conflicts left out)."""
    ctx.require("grants", "manage")
    call = await call_or_404(ctx, call_id)
    added = await reviews.auto_assign(ctx, call)
    return await redirect(
        request,
        ctx,
        ctx.url(f"/grants/calls/{call.id}/ranking"),
        _("%(count)s reviewer assignments added.", count=added),
    )


@post("/grants/applications/{application_id:int}/review", name="grants:review", status_code=200)
async def review(
    request: Request[Any, Any, Any], ctx: RequestContext, application_id: int, data: Form
) -> Response[Any]:
    """The reviewer's scores: saved as a draft, or submitted (``action=submit``), once."""
    ctx.require("grants", "review")
    app, viewer = await viewer_of(ctx, application_id)
    call = await call_or_404(ctx, app.call_id)
    scores = {
        str(c.id): (None if data.get(f"score_{c.id}") == "na" else data.get(f"score_{c.id}"))
        for c in call.criteria
        if f"score_{c.id}" in data and data.get(f"score_{c.id}") != ""
    }
    comments = {str(c.id): data.get(f"comment_{c.id}", "") for c in call.criteria}
    submit = data.get("action") == "submit"
    state = FormState(values=dict(data))
    result = await attempt(ctx, lambda: reviews.save_review(ctx, app, scores, comments, submit=submit), state)
    if result is None:
        return await _application_page(request, ctx, app, viewer, state, section="review")
    done = _("Review submitted.") if submit else _("Draft saved.")
    target = ctx.url("/grants/reviews") if submit else ctx.url(f"/grants/applications/{app.id}")
    return await redirect(request, ctx, target, done)


@post("/grants/applications/{application_id:int}/conflict", name="grants:conflict", status_code=200)
async def conflict(
    request: Request[Any, Any, Any], ctx: RequestContext, application_id: int, data: Form
) -> Response[Any]:
    """The reviewer declares a conflict of interest: excluded from this application."""
    ctx.require("grants", "review")
    app, viewer = await viewer_of(ctx, application_id)
    state = FormState(values=dict(data))
    row = await attempt(ctx, lambda: reviews.declare_conflict(ctx, app, data.get("reason", "")), state)
    if row is None:
        return await _application_page(request, ctx, app, viewer, state, section="conflict")
    return await redirect(request, ctx, ctx.url("/grants/reviews"), _("Conflict of interest recorded."))


@get("/grants/reviews", name="grants:reviews")
async def my_reviews(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """The reviewer's queue (phone-friendly): what is still to score first."""
    ctx.require("grants", "review")
    items = []
    for _row, app, rev in await reviews.my_assignments(ctx):
        call = await call_or_404(ctx, app.call_id)
        items.append((app, call, rev))
    return await page(request, ctx, "grants/reviews.html", items=items)


@get("/grants/calls/{call_id:int}/ranking", name="grants:ranking")
async def ranking(request: Request[Any, Any, Any], ctx: RequestContext, call_id: int) -> Response[Any]:
    """The ranking (raw and normalised scores, the call's choice first) and review progress per reviewer."""
    ctx.require("grants", "manage")
    assert ctx.district is not None
    call = await call_or_404(ctx, call_id)
    rows = await reviews.ranking(ctx, call)
    from sqlalchemy import select  # noqa: PLC0415

    org = organizations.Organization
    wanted = {row.application.organization_id for row in rows}
    by_org = dict((await ctx.session.execute(select(org.id, org.name).where(org.id.in_(wanted)))).tuples().all())
    names = {row.application.id: by_org.get(row.application.organization_id, "") for row in rows}  # one query
    return await page(
        request,
        ctx,
        "grants/ranking.html",
        call=call,
        rows=rows,
        names=names,
        progress=await reviews.progress(ctx, call),
        yuan=service.yuan,
    )


ROUTES = [
    index,
    call_new,
    call_create,
    call_detail,
    call_edit,
    call_update,
    apply_form,
    apply_save,
    application,
    application_save,
    screen,
    assign,
    auto_assign,
    review,
    conflict,
    my_reviews,
    ranking,
]


async def _committee_candidates(ctx: RequestContext) -> list[tuple[int, str]]:
    """Who may sit on the selection committee: the district's reviewers and staff."""
    from sqlalchemy import select  # noqa: PLC0415

    from core.plugin_api import Membership, User  # noqa: PLC0415

    query = (
        select(User.id, User.display_name)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.role_key.in_(("expert", "district_admin", "council_member")))
        .distinct()
        .order_by(User.display_name)
    )
    return [(uid, name) for uid, name in (await ctx.session.execute(query)).all()]


async def _selection_page(
    request: Request[Any, Any, Any], ctx: RequestContext, call: Call, state: FormState | None = None
) -> Response[Any]:
    from core.plugin_api import votes  # noqa: PLC0415
    from plugins.grants import selection  # noqa: PLC0415

    assert ctx.district is not None and ctx.user is not None
    state = state or FormState(values={"shortlist": "10", "choices": "5"})
    plan = await selection.proposals(ctx, call)
    names = {}
    for p in plan:
        org = await organizations.get_organization(ctx.session, ctx.district, p.application.organization_id)
        names[p.application.id] = org.name
    vote_info = None
    voted = False
    in_electorate = False
    if call.committee_vote_id is not None:
        vote_info = await votes.results(ctx.session, call.committee_vote_id)
        electors = await votes.electorate(ctx.session, call.committee_vote_id)
        in_electorate = any(v.user_id == ctx.user.id for v in electors)
        voted = in_electorate and await votes.has_voted(ctx.session, call.committee_vote_id, f"user:{ctx.user.id}")
        shortlist = [
            p
            for p in plan
            if any(
                o.startswith(f"#{p.application.id} ")
                for o in (await votes.get_vote(ctx.session, call.committee_vote_id)).options
            )
        ]
    else:
        shortlist = []
    return await page(
        request,
        ctx,
        "grants/selection.html",
        status_code=error_status(request, state) if state.errors else 200,
        call=call,
        plan=plan,
        names=names,
        form=state,
        vote=vote_info,
        voted=voted,
        in_electorate=in_electorate,
        shortlist=shortlist,
        can_manage=ctx.can("grants", "manage"),
        candidates=await _committee_candidates(ctx) if ctx.can("grants", "manage") else [],
        total=sum(p.proposed_fen for p in plan),
        yuan=service.yuan,
    )


@get("/grants/calls/{call_id:int}/selection", name="grants:selection")
async def selection_page(request: Request[Any, Any, Any], ctx: RequestContext, call_id: int) -> Response[Any]:
    """Selection: combined ranking, the committee vote (and a member's ballot), the proposed awards, overrides."""
    ctx.require("grants", "view")
    call = await call_or_404(ctx, call_id)
    if not ctx.can("grants", "manage") and call.committee_vote_id is None:
        from core.plugin_api import NotFound  # noqa: PLC0415

        raise NotFound("未找到。", "Not found.")
    return await _selection_page(request, ctx, call)


@post("/grants/calls/{call_id:int}/committee-vote", name="grants:committee-vote", status_code=200)
async def committee_vote(request: Request[Any, Any, Any], ctx: RequestContext, call_id: int) -> Response[Any]:
    """Open the committee's vote on the shortlist."""
    from plugins.grants import selection  # noqa: PLC0415

    ctx.require("grants", "manage")
    call = await call_or_404(ctx, call_id)
    form = await request.form()
    data = {k: form.get(k) for k in form}
    members = [int(v) for v in form.getall("members") if str(v).isdigit()] if hasattr(form, "getall") else []
    state = FormState(values=data)

    def number(name: str, default: int) -> int:
        try:
            return int(str(data.get(name) or default))
        except ValueError:
            return default

    result = await attempt(
        ctx,
        lambda: selection.open_committee_vote(
            ctx, call, members, shortlist=number("shortlist", 10), choices=number("choices", 5)
        ),
        state,
    )
    if result is None:
        return await _selection_page(request, ctx, call, state)
    return await redirect(request, ctx, ctx.url(f"/grants/calls/{call.id}/selection"), _("Committee vote opened."))


@post("/grants/calls/{call_id:int}/committee-ballot", name="grants:committee-ballot", status_code=200)
async def committee_ballot(request: Request[Any, Any, Any], ctx: RequestContext, call_id: int) -> Response[Any]:
    """A committee member's ballot: the projects they choose."""
    from plugins.grants import selection  # noqa: PLC0415

    ctx.require("grants", "view")
    call = await call_or_404(ctx, call_id)
    form = await request.form()
    chosen = [int(v) for v in form.getall("choice") if str(v).isdigit()] if hasattr(form, "getall") else []
    state = FormState(values={})
    result = await attempt(ctx, lambda: selection.cast_committee_ballot(ctx, call, chosen), state)
    if not state.ok:
        return await _selection_page(request, ctx, call, state)
    del result
    return await redirect(request, ctx, ctx.url(f"/grants/calls/{call.id}/selection"), _("Ballot cast."))


@post("/grants/calls/{call_id:int}/decide", name="grants:decide", status_code=200)
async def decide(request: Request[Any, Any, Any], ctx: RequestContext, call_id: int, data: Form) -> Response[Any]:
    """Announce the results: the proposal with any overrides (each with its reason); applicants are notified."""
    from plugins.grants import selection  # noqa: PLC0415

    ctx.require("grants", "manage")
    call = await call_or_404(ctx, call_id)
    state = FormState(values=dict(data))

    async def run() -> int:
        return await selection.decide(ctx, call, selection.parse_overrides(data))

    result = await attempt(ctx, run, state)
    if result is None:
        return await _selection_page(request, ctx, call, state)
    return await redirect(
        request,
        ctx,
        ctx.url(f"/grants/calls/{call.id}"),
        _("Results announced: %(count)s projects funded.", count=result),
    )


ROUTES += [selection_page, committee_vote, committee_ballot, decide]


@post("/grants/applications/{application_id:int}/agreement", name="grants:agreement", status_code=200)
async def agreement(
    request: Request[Any, Any, Any], ctx: RequestContext, application_id: int, data: Form
) -> Response[Any]:
    """Record the signed agreement (dates, milestones, one co-funder) and set up the 50/30/20 tranches."""
    from plugins.grants import projects  # noqa: PLC0415

    ctx.require("grants", "manage")
    app, viewer = await viewer_of(ctx, application_id)
    state = FormState(values=dict(data))
    co_funders: list[dict[str, Any]] = []
    if (data.get("funder_name") or "").strip():
        errors: dict[str, str] = {}
        fen = service.parse_yuan(data.get("funder_amount"), errors, "funder_0")
        co_funders.append(
            {
                "name": data.get("funder_name"),
                "kind": data.get("funder_kind") or "company",
                "committed_fen": fen if fen is not None else -1,
            }
        )
    result = await attempt(ctx, lambda: projects.sign_agreement(ctx, app, data, co_funders=co_funders), state)
    if result is None:
        await ctx.session.refresh(app)
        return await _application_page(request, ctx, app, viewer, state, section="project")
    return await redirect(request, ctx, ctx.url(f"/grants/applications/{app.id}"), _("Agreement recorded."))


@post("/grants/applications/{application_id:int}/project-step", name="grants:project-step", status_code=200)
async def project_step(
    request: Request[Any, Any, Any], ctx: RequestContext, application_id: int, data: Form
) -> Response[Any]:
    """Accept the mid-term report, close with a result, pay or reverse a tranche (``step``)."""
    from core.plugin_api import act  # noqa: PLC0415
    from plugins.grants import projects  # noqa: PLC0415

    ctx.require("grants", "manage")
    app, _viewer = await viewer_of(ctx, application_id)
    back = ctx.url(f"/grants/applications/{app.id}")
    step = data.get("step", "")
    position = int(data.get("position") or 0) if str(data.get("position") or "0").isdigit() else 0
    actions = {
        "midterm": (lambda: projects.accept_midterm(ctx, app), _("Mid-term report accepted.")),
        "close": (
            lambda: projects.close_project(ctx, app, data.get("result", ""), data.get("grade", "")),
            _("Project closed."),
        ),
        "release": (lambda: projects.release_tranche(ctx, app, position), _("Tranche paid.")),
        "reverse": (
            lambda: projects.reverse_tranche(ctx, app, position, data.get("reason", "")),
            _("Tranche reversed."),
        ),
    }
    if step not in actions:
        return await redirect(request, ctx, back)
    action, done = actions[step]
    return await act(request, ctx, back, action, done)


ROUTES += [agreement, project_step]


@get("/grants/calls/{call_id:int}/scores.xlsx", name="grants:scores-xlsx")
async def scores_export(ctx: RequestContext, call_id: int) -> Response[bytes]:
    """Every submitted review's scores and the ranking, as an XLSX workbook (staff)."""
    from plugins.grants.exports import scores_xlsx  # noqa: PLC0415

    ctx.require("grants", "manage")
    call = await call_or_404(ctx, call_id)
    body = await scores_xlsx(ctx, call)
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''grants-call-{call.id}-scores.xlsx"},
    )


@get("/grants/queues", name="grants:queues")
async def queues(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """Staff queues: to screen, to assign, reviews pending, results to announce, reports due, tranches ready."""
    from sqlalchemy import func, select  # noqa: PLC0415

    from plugins.grants.models import Assignment, Tranche  # noqa: PLC0415
    from plugins.grants.reports import due_reports  # noqa: PLC0415

    ctx.require("grants", "manage")
    calls = {c.id: c for c in await service.list_calls(ctx.session)}
    apps = await service.list_applications(ctx.session, submitted_only=True)
    counted = await ctx.session.execute(
        select(Assignment.application_id, func.count(Assignment.id))
        .where(Assignment.conflict == "")
        .group_by(Assignment.application_id)
    )
    active: dict[int, int] = {row[0]: row[1] for row in counted.all()}
    to_assign = [
        a
        for a in apps
        if a.status == "screened"
        and active.get(a.id, 0) < calls[a.call_id].reviewers_per_application
        and calls[a.call_id].decided_at is None
    ]
    pending = {}
    for call in calls.values():
        if call.decided_at is None and any(a.call_id == call.id and a.status == "screened" for a in apps):
            progress = await reviews.progress(ctx, call)
            pending[call.id] = sum(a - s for _u, s, a in progress.by_reviewer)
    today = utcnow().astimezone(TIMEZONE).date()
    reports = await due_reports(ctx.session)
    ready = []
    for tranche, app in (
        await ctx.session.execute(
            select(Tranche, Application)
            .join(Application, Application.id == Tranche.application_id)
            .where(Tranche.released_at.is_(None), Tranche.reversed_at.is_(None))
            .order_by(Application.id, Tranche.position)
        )
    ).all():
        met = {"signed": app.signed_at, "midterm": app.midterm_accepted_at, "closed": app.closed_at}[tranche.condition]
        if met is not None and (app.closed_at is None or tranche.condition == "closed"):  # closed: no earlier ones
            ready.append((tranche, app))
    return await page(
        request,
        ctx,
        "grants/queues.html",
        calls=calls,
        to_screen=[a for a in apps if a.status == "submitted"],
        to_assign=to_assign,
        pending=pending,
        to_decide=[
            c
            for c in calls.values()
            if c.decided_at is None
            and c.closes_at < utcnow()
            and any(a.call_id == c.id and a.status == "screened" for a in apps)
        ],
        overdue=[r for r in reports if r.due < today],
        due=[r for r in reports if r.due >= today][:20],
        ready=ready,
        unsigned=[a for a in apps if a.status == "approved" and a.signed_at is None],
    )


ROUTES += [scores_export, queues]

from plugins.grants.routes_exports import EXPORT_ROUTES  # noqa: E402  (exports: awards, ledger statements)

ROUTES += EXPORT_ROUTES
