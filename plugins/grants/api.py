"""JSON API under ``/api/v1/districts/{district}/grants``: calls, applications, screening, reviews, ranking.

Refusals answer 4xx with ``{"status_code", "detail", "errors"}`` (the core's handler); money is in fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypedDict

from litestar import get, patch, post, put

from core.plugin_api import LongText, RequestContext, Title, organizations
from plugins.grants import reviews, service
from plugins.grants.access import call_or_404, shown_organization, viewer_of
from plugins.grants.models import Application, Call

__all__ = ("API_ROUTES",)


@dataclass(frozen=True)
class CategoryOut:
    id: int
    name: str
    budget_fen: int | None


@dataclass(frozen=True)
class CriterionOut:
    id: int
    name: str
    weight: int
    min_score: int
    max_score: int
    allow_na: bool


@dataclass(frozen=True)
class CallOut:
    """A call as the API returns it (money in fen)."""

    id: int
    title: str
    description: str
    phase: str
    budget_fen: int
    min_grant_fen: int
    max_grant_fen: int
    own_ratio_pct: int
    allowed_kinds: list[str]
    min_years_active: int
    opens_at: datetime
    closes_at: datetime
    review_by: date | None
    announce_on: date | None
    ranking: str
    blind: bool
    partial_awards: bool
    vote_weight_pct: int
    overspend_pct: int
    reviewers_per_application: int
    screening_items: list[str]
    categories: list[CategoryOut]
    criteria: list[CriterionOut]

    @classmethod
    def of(cls, call: Call) -> CallOut:
        return cls(
            id=call.id,
            title=call.title,
            description=call.description,
            phase=service.call_phase(call),
            budget_fen=call.budget_fen,
            min_grant_fen=call.min_grant_fen,
            max_grant_fen=call.max_grant_fen,
            own_ratio_pct=call.own_ratio_pct,
            allowed_kinds=list(call.allowed_kinds),
            min_years_active=call.min_years_active,
            opens_at=call.opens_at,
            closes_at=call.closes_at,
            review_by=call.review_by,
            announce_on=call.announce_on,
            ranking=call.ranking,
            blind=call.blind,
            partial_awards=call.partial_awards,
            vote_weight_pct=call.vote_weight_pct,
            overspend_pct=call.overspend_pct,
            reviewers_per_application=call.reviewers_per_application,
            screening_items=list(call.screening_items),
            categories=[CategoryOut(c.id, c.name, c.budget_fen) for c in call.categories],
            criteria=[
                CriterionOut(c.id, c.name, c.weight, c.min_score, c.max_score, c.allow_na) for c in call.criteria
            ],
        )


class CategoryIn(TypedDict, total=False):
    name: str
    budget_fen: int | None


class CriterionIn(TypedDict, total=False):
    name: str
    weight: int
    min_score: int
    max_score: int
    allow_na: bool


class CallIn(TypedDict, total=False):
    """A call to create, or the fields to change (money in fen; times ISO 8601)."""

    title: Title
    description: LongText
    budget_fen: int
    min_grant_fen: int
    max_grant_fen: int
    own_ratio_pct: int
    allowed_kinds: list[str]
    min_years_active: int
    opens_at: str
    closes_at: str
    review_by: str | None
    announce_on: str | None
    ranking: str
    blind: bool
    partial_awards: bool
    vote_weight_pct: int
    overspend_pct: int
    reviewers_per_application: int
    screening_items: list[str]
    categories: list[CategoryIn]
    criteria: list[CriterionIn]


def _call_values(call: Call) -> dict[str, Any]:
    out = CallOut.of(call)
    values = {k: getattr(out, k) for k in CallIn.__annotations__}
    values["categories"] = [{"name": c.name, "budget_fen": c.budget_fen} for c in call.categories]
    values["criteria"] = [
        {"name": c.name, "weight": c.weight, "min_score": c.min_score, "max_score": c.max_score, "allow_na": c.allow_na}
        for c in call.criteria
    ]
    return values


@dataclass(frozen=True)
class ApplicationOut:
    """An application; ``organization_name`` is null for a reviewer of a blind call."""

    id: int
    call_id: int
    organization_id: int | None
    organization_name: str | None
    category_id: int | None
    title: str
    summary: str
    beneficiaries: str
    requested_fen: int
    own_contribution_fen: int
    status: str
    submitted_at: datetime | None
    info_message: str
    info_deadline: datetime | None
    dismissal_reason: str


async def _app_out(ctx: RequestContext, call: Call, app: Application, viewer: str) -> ApplicationOut:
    assert ctx.district is not None
    org = await organizations.get_organization(ctx.session, ctx.district, app.organization_id)
    name = shown_organization(call, viewer, org.name)
    return ApplicationOut(
        id=app.id,
        call_id=app.call_id,
        organization_id=app.organization_id if name is not None else None,
        organization_name=name,
        category_id=app.category_id,
        title=app.title,
        summary=app.summary,
        beneficiaries=app.beneficiaries,
        requested_fen=app.requested_fen,
        own_contribution_fen=app.own_contribution_fen,
        status=app.status,
        submitted_at=app.submitted_at,
        info_message=app.info_message,
        info_deadline=app.info_deadline,
        dismissal_reason=app.dismissal_reason,
    )


class ApplicationIn(TypedDict, total=False):
    """A draft's fields (money in fen); ``organization_id`` only when creating."""

    organization_id: int
    category_id: int | None
    title: Title
    summary: LongText
    beneficiaries: LongText
    requested_fen: int
    own_contribution_fen: int


class ScreeningIn(TypedDict, total=False):
    """``decision``: pass, more_info or dismiss; ``checks``: checklist item → passed."""

    decision: str
    checks: dict[str, bool]
    message: LongText
    deadline: str | None


class AssignIn(TypedDict):
    reviewer_id: int


@dataclass(frozen=True)
class AssignmentOut:
    application_id: int
    reviewer_id: int
    excluded: bool
    conflict: str


class ReviewIn(TypedDict, total=False):
    """Scores by criterion id (null: n/a), comments by criterion id; ``submit`` true to submit (once)."""

    scores: dict[str, int | None]
    comments: dict[str, str]
    submit: bool


@dataclass(frozen=True)
class ReviewOut:
    application_id: int
    scores: dict[str, int | None]
    comments: dict[str, str]
    submitted: bool
    score: float | None


class ConflictIn(TypedDict):
    reason: str


@dataclass(frozen=True)
class QueueItemOut:
    application_id: int
    call_id: int
    title: str
    organization_name: str | None
    submitted: bool


@dataclass(frozen=True)
class RankOut:
    rank: int
    application_id: int
    title: str
    organization_name: str
    requested_fen: int
    raw_score: float | None
    normalised_score: float | None
    reviews: int


@dataclass(frozen=True)
class ReviewerProgressOut:
    reviewer_id: int
    reviewer: str
    submitted: int
    assigned: int


@dataclass(frozen=True)
class AutoAssignOut:
    added: int


@get("/grants/calls", name="grants:api:calls", summary="The district's calls for projects")
async def api_calls(ctx: RequestContext) -> list[CallOut]:
    ctx.require("grants", "view")
    return [CallOut.of(c) for c in await service.list_calls(ctx.session)]


@post("/grants/calls", name="grants:api:call-create", summary="Create a call (staff)")
async def api_call_create(ctx: RequestContext, data: CallIn) -> CallOut:
    ctx.require("grants", "manage")
    clean = service.validate_call(dict(data))
    call = await service.create_call(ctx.session, clean, created_by=ctx.user.id if ctx.user else None)
    return CallOut.of(call)


@get("/grants/calls/{call_id:int}", name="grants:api:call", summary="One call")
async def api_call(ctx: RequestContext, call_id: int) -> CallOut:
    ctx.require("grants", "view")
    return CallOut.of(await call_or_404(ctx, call_id))


@patch("/grants/calls/{call_id:int}", name="grants:api:call-update", summary="Change a call (staff)")
async def api_call_update(ctx: RequestContext, call_id: int, data: CallIn) -> CallOut:
    ctx.require("grants", "manage")
    call = await call_or_404(ctx, call_id)
    clean = service.validate_call({**_call_values(call), **data})
    await service.update_call(ctx.session, call, clean)
    await ctx.session.refresh(call)
    return CallOut.of(call)


@get(
    "/grants/calls/{call_id:int}/applications",
    name="grants:api:applications",
    summary="A call's applications: all submitted ones for staff, the organization's own for applicants",
)
async def api_applications(ctx: RequestContext, call_id: int) -> list[ApplicationOut]:
    ctx.require("grants", "view")
    call = await call_or_404(ctx, call_id)
    if ctx.can("grants", "manage"):
        apps = await service.list_applications(ctx.session, call_id=call.id, submitted_only=True)
        return [await _app_out(ctx, call, a, "manager") for a in apps]
    mine = [o.id for o in await service.applicant_organizations(ctx)]
    apps = await service.list_applications(ctx.session, call_id=call.id, organization_ids=mine)
    return [await _app_out(ctx, call, a, "applicant") for a in apps]


@post(
    "/grants/calls/{call_id:int}/applications",
    name="grants:api:apply",
    summary="Start an application (a draft) for one of your organizations",
)
async def api_apply(ctx: RequestContext, call_id: int, data: ApplicationIn) -> ApplicationOut:
    ctx.require("grants", "apply")
    call = await call_or_404(ctx, call_id)
    app = await service.save_application(ctx, call, dict(data))
    return await _app_out(ctx, call, app, "applicant")


@get("/grants/applications/{application_id:int}", name="grants:api:application", summary="One application")
async def api_application(ctx: RequestContext, application_id: int) -> ApplicationOut:
    app, viewer = await viewer_of(ctx, application_id)
    call = await call_or_404(ctx, app.call_id)
    return await _app_out(ctx, call, app, viewer)


@patch(
    "/grants/applications/{application_id:int}",
    name="grants:api:application-update",
    summary="Change a draft (or an application sent back for more information)",
)
async def api_application_update(ctx: RequestContext, application_id: int, data: ApplicationIn) -> ApplicationOut:
    app, viewer = await viewer_of(ctx, application_id)
    call = await call_or_404(ctx, app.call_id)
    current = {
        "title": app.title,
        "summary": app.summary,
        "beneficiaries": app.beneficiaries,
        "category_id": app.category_id,
        "requested_fen": app.requested_fen,
        "own_contribution_fen": app.own_contribution_fen,
    }
    await service.save_application(ctx, call, {**current, **data}, application=app)
    return await _app_out(ctx, call, app, viewer)


@post(
    "/grants/applications/{application_id:int}/submit",
    name="grants:api:submit",
    status_code=200,
    summary="Submit an application (once; refused after the closing time, with the time)",
)
async def api_submit(ctx: RequestContext, application_id: int) -> ApplicationOut:
    app, viewer = await viewer_of(ctx, application_id)
    call = await call_or_404(ctx, app.call_id)
    await service.submit_application(ctx, app)
    return await _app_out(ctx, call, app, viewer)


@post(
    "/grants/applications/{application_id:int}/screening",
    name="grants:api:screen",
    status_code=200,
    summary="Screening (形式审查): pass, ask for more information, or dismiss with a reason (staff)",
)
async def api_screen(ctx: RequestContext, application_id: int, data: ScreeningIn) -> ApplicationOut:
    ctx.require("grants", "manage")
    app, _viewer = await viewer_of(ctx, application_id)
    call = await call_or_404(ctx, app.call_id)
    await service.screen_application(
        ctx,
        app,
        decision=str(data.get("decision") or ""),
        checks=dict(data.get("checks") or {}),
        message=str(data.get("message") or ""),
        deadline=data.get("deadline"),
    )
    return await _app_out(ctx, call, app, "manager")


@post(
    "/grants/applications/{application_id:int}/assignments",
    name="grants:api:assign",
    summary="Assign a reviewer by hand (staff); a detected conflict of interest excludes them",
)
async def api_assign(ctx: RequestContext, application_id: int, data: AssignIn) -> AssignmentOut:
    ctx.require("grants", "manage")
    app, _viewer = await viewer_of(ctx, application_id)
    row = await reviews.assign(ctx, app, int(data["reviewer_id"]))
    return AssignmentOut(app.id, row.reviewer_id, bool(row.conflict), row.conflict)


@post(
    "/grants/calls/{call_id:int}/auto-assign",
    name="grants:api:auto-assign",
    status_code=200,
    summary="Give each screened application N reviewers without a conflict, balancing the load (staff)",
)
async def api_auto_assign(ctx: RequestContext, call_id: int) -> AutoAssignOut:
    ctx.require("grants", "manage")
    return AutoAssignOut(await reviews.auto_assign(ctx, await call_or_404(ctx, call_id)))


@get("/grants/reviews", name="grants:api:my-reviews", summary="The reviewer's queue")
async def api_my_reviews(ctx: RequestContext) -> list[QueueItemOut]:
    ctx.require("grants", "review")
    out = []
    for _row, app, review in await reviews.my_assignments(ctx):
        call = await call_or_404(ctx, app.call_id)
        out.append(
            QueueItemOut(
                app.id,
                app.call_id,
                app.title,
                (await _app_out(ctx, call, app, "reviewer")).organization_name,
                review is not None and review.submitted_at is not None,
            )
        )
    return out


@put(
    "/grants/applications/{application_id:int}/review",
    name="grants:api:review",
    summary="Save the reviewer's scores as a draft, or submit them (once)",
)
async def api_review(ctx: RequestContext, application_id: int, data: ReviewIn) -> ReviewOut:
    ctx.require("grants", "review")
    app, _viewer = await viewer_of(ctx, application_id)
    review = await reviews.save_review(
        ctx, app, dict(data.get("scores") or {}), dict(data.get("comments") or {}), submit=bool(data.get("submit"))
    )
    call = await call_or_404(ctx, app.call_id)
    from plugins.grants.scoring import review_score  # noqa: PLC0415

    return ReviewOut(
        app.id,
        dict(review.scores),
        dict(review.comments),
        review.submitted_at is not None,
        review_score(call.criteria, review.scores),
    )


@post(
    "/grants/applications/{application_id:int}/conflict",
    name="grants:api:conflict",
    status_code=200,
    summary="The reviewer declares a conflict of interest and is excluded",
)
async def api_conflict(ctx: RequestContext, application_id: int, data: ConflictIn) -> AssignmentOut:
    ctx.require("grants", "review")
    app, _viewer = await viewer_of(ctx, application_id)
    row = await reviews.declare_conflict(ctx, app, str(data.get("reason") or ""))
    return AssignmentOut(app.id, row.reviewer_id, True, row.conflict)


@get(
    "/grants/calls/{call_id:int}/ranking",
    name="grants:api:ranking",
    summary="Screened applications ranked by the call's score (raw weighted mean or normalised), staff",
)
async def api_ranking(ctx: RequestContext, call_id: int) -> list[RankOut]:
    ctx.require("grants", "manage")
    assert ctx.district is not None
    call = await call_or_404(ctx, call_id)
    out = []
    for row in await reviews.ranking(ctx, call):
        org = await organizations.get_organization(ctx.session, ctx.district, row.application.organization_id)
        out.append(
            RankOut(
                row.rank,
                row.application.id,
                row.application.title,
                org.name,
                row.application.requested_fen,
                row.raw,
                row.normalised,
                row.reviews,
            )
        )
    return out


@get(
    "/grants/calls/{call_id:int}/progress",
    name="grants:api:progress",
    summary="Reviews submitted and assigned per reviewer (staff)",
)
async def api_progress(ctx: RequestContext, call_id: int) -> list[ReviewerProgressOut]:
    ctx.require("grants", "manage")
    progress = await reviews.progress(ctx, await call_or_404(ctx, call_id))
    return [ReviewerProgressOut(u.id, u.display_name, s, a) for u, s, a in progress.by_reviewer]


API_ROUTES = [
    api_calls,
    api_call_create,
    api_call,
    api_call_update,
    api_applications,
    api_apply,
    api_application,
    api_application_update,
    api_submit,
    api_screen,
    api_assign,
    api_auto_assign,
    api_my_reviews,
    api_review,
    api_conflict,
    api_ranking,
    api_progress,
]


@dataclass(frozen=True)
class ProposalOut:
    """One application in the selection: score, committee vote share, combined score, proposed award (fen)."""

    application_id: int
    title: str
    status: str
    score: float | None
    vote_share: float | None
    combined: float | None
    proposed_fen: int
    award_fen: int | None
    override_reason: str


class CommitteeVoteIn(TypedDict, total=False):
    """Members (user ids), how many projects go on the shortlist, how many each member may choose."""

    member_ids: list[int]
    shortlist: int
    choices: int


class BallotIn(TypedDict):
    application_ids: list[int]


class OverrideIn(TypedDict):
    application_id: int
    award_fen: int
    reason: str


class DecideIn(TypedDict, total=False):
    overrides: list[OverrideIn]


@dataclass(frozen=True)
class DecidedOut:
    funded: int


@dataclass(frozen=True)
class VoteOpenedOut:
    vote_id: int


@get(
    "/grants/calls/{call_id:int}/selection",
    name="grants:api:selection",
    summary="The selection proposal: combined order (score and committee vote) and the budget fit (staff)",
)
async def api_selection(ctx: RequestContext, call_id: int) -> list[ProposalOut]:
    from plugins.grants import selection  # noqa: PLC0415

    ctx.require("grants", "manage")
    call = await call_or_404(ctx, call_id)
    return [
        ProposalOut(
            p.application.id,
            p.application.title,
            p.application.status,
            p.score,
            p.vote_share,
            p.combined,
            p.proposed_fen,
            p.application.award_fen,
            p.application.override_reason,
        )
        for p in await selection.proposals(ctx, call)
    ]


@post(
    "/grants/calls/{call_id:int}/committee-vote",
    name="grants:api:committee-vote",
    summary="Open the selection committee's vote on the shortlist (core votes; staff)",
)
async def api_committee_vote(ctx: RequestContext, call_id: int, data: CommitteeVoteIn) -> VoteOpenedOut:
    from plugins.grants import selection  # noqa: PLC0415

    ctx.require("grants", "manage")
    call = await call_or_404(ctx, call_id)
    vote_id = await selection.open_committee_vote(
        ctx,
        call,
        list(data.get("member_ids") or []),
        shortlist=int(data.get("shortlist") or 10),
        choices=int(data.get("choices") or 5),
    )
    return VoteOpenedOut(vote_id)


@post(
    "/grants/calls/{call_id:int}/committee-ballot",
    name="grants:api:committee-ballot",
    status_code=200,
    summary="A committee member's ballot: the applications they choose",
)
async def api_committee_ballot(ctx: RequestContext, call_id: int, data: BallotIn) -> None:
    from plugins.grants import selection  # noqa: PLC0415

    ctx.require("grants", "view")
    await selection.cast_committee_ballot(ctx, await call_or_404(ctx, call_id), list(data["application_ids"]))


@post(
    "/grants/calls/{call_id:int}/decide",
    name="grants:api:decide",
    status_code=200,
    summary="Announce the results: proposal plus overrides (each with a published reason); applicants notified",
)
async def api_decide(ctx: RequestContext, call_id: int, data: DecideIn) -> DecidedOut:
    from plugins.grants import selection  # noqa: PLC0415

    ctx.require("grants", "manage")
    call = await call_or_404(ctx, call_id)
    overrides = {
        int(o["application_id"]): (int(o["award_fen"]), str(o.get("reason") or "")) for o in data.get("overrides") or []
    }
    return DecidedOut(await selection.decide(ctx, call, overrides))


API_ROUTES += [api_selection, api_committee_vote, api_committee_ballot, api_decide]


@dataclass(frozen=True)
class TrancheOut:
    position: int
    percent: int
    amount_fen: int
    condition: str
    condition_met: bool
    released_at: datetime | None
    reversed_at: datetime | None
    transfer_id: int | None


@dataclass(frozen=True)
class FunderOut:
    kind: str
    name: str
    committed_fen: int


@dataclass(frozen=True)
class BudgetLineOut:
    """A budget line: planned, reported (latest report submitted), accepted (latest accepted), over the plan."""

    line: str
    planned_fen: int
    reported_fen: int
    accepted_fen: int
    over_fen: int


@dataclass(frozen=True)
class BudgetOut:
    """The agreement's budget against the reports; ``paid_in_fen`` is the money paid into the project."""

    lines: list[BudgetLineOut]
    planned_fen: int
    reported_fen: int
    accepted_fen: int
    paid_in_fen: int
    overspend_pct: int
    reported_kind: str
    accepted_kind: str


@dataclass(frozen=True)
class ProjectOut:
    """A funded project: agreement, funders, tranches and the project account's balance (fen)."""

    application_id: int
    title: str
    status: str
    award_fen: int | None
    starts_on: date | None
    ends_on: date | None
    milestones: str
    signed_at: datetime | None
    midterm_accepted_at: datetime | None
    closed_at: datetime | None
    result: str
    funders: list[FunderOut]
    tranches: list[TrancheOut]
    balance_fen: int
    budget: BudgetOut


class FunderIn(TypedDict):
    kind: str
    name: str
    committed_fen: int


class BudgetLineIn(TypedDict):
    line: str
    fen: int


class AgreementIn(TypedDict, total=False):
    """Dates (ISO), milestones, budget lines (adding up to award + own contribution + co-funders), tranche
    split in percent (default 50/30/20), co-funders."""

    starts_on: str
    ends_on: str
    milestones: LongText
    budget: list[BudgetLineIn]
    split: list[int]
    co_funders: list[FunderIn]


class ReasonIn(TypedDict, total=False):
    reason: str
    result: str
    grade: str  # closing: excellent | good | pass | fail


async def _project_out(ctx: RequestContext, app: Application) -> ProjectOut:
    from plugins.grants import projects  # noqa: PLC0415

    met = {"signed": app.signed_at, "midterm": app.midterm_accepted_at, "closed": app.closed_at}
    account = await projects.project_account(ctx, app) if app.signed_at else None
    view = await projects.budget_view(ctx, app)
    return ProjectOut(
        app.id,
        app.title,
        app.status,
        app.award_fen,
        app.starts_on,
        app.ends_on,
        app.milestones,
        app.signed_at,
        app.midterm_accepted_at,
        app.closed_at,
        app.result,
        [FunderOut(f.kind, f.name, f.committed_fen) for f in await projects.funders_of(ctx, app)],
        [
            TrancheOut(
                x.position,
                x.percent,
                x.amount_fen,
                x.condition,
                met[x.condition] is not None,
                x.released_at,
                x.reversed_at,
                x.transfer_id,
            )
            for x in await projects.tranches_of(ctx, app)
        ],
        account.balance if account is not None else 0,
        BudgetOut(
            [BudgetLineOut(r.line, r.planned_fen, r.reported_fen, r.accepted_fen, r.over_fen) for r in view.rows],
            view.planned_fen,
            view.reported_fen,
            view.accepted_fen,
            view.paid_in_fen,
            view.overspend_pct,
            view.reported_kind,
            view.accepted_kind,
        ),
    )


@get(
    "/grants/applications/{application_id:int}/project",
    name="grants:api:project",
    summary="The funded project: agreement, funders, tranches, balance",
)
async def api_project(ctx: RequestContext, application_id: int) -> ProjectOut:
    app, _viewer = await viewer_of(ctx, application_id)
    return await _project_out(ctx, app)


@post(
    "/grants/applications/{application_id:int}/agreement",
    name="grants:api:agreement",
    status_code=200,
    summary="Record the signed agreement and set up the tranches (staff)",
)
async def api_agreement(ctx: RequestContext, application_id: int, data: AgreementIn) -> ProjectOut:
    from plugins.grants import projects  # noqa: PLC0415

    ctx.require("grants", "manage")
    app, _viewer = await viewer_of(ctx, application_id)
    await projects.sign_agreement(
        ctx,
        app,
        dict(data),
        split=list(data.get("split") or (50, 30, 20)),
        co_funders=[dict(f) for f in data.get("co_funders") or []],
    )
    return await _project_out(ctx, app)


@post(
    "/grants/applications/{application_id:int}/midterm",
    name="grants:api:midterm",
    status_code=200,
    summary="Accept the mid-term report (staff)",
)
async def api_midterm(ctx: RequestContext, application_id: int) -> ProjectOut:
    from plugins.grants import projects  # noqa: PLC0415

    ctx.require("grants", "manage")
    app, _viewer = await viewer_of(ctx, application_id)
    await projects.accept_midterm(ctx, app)
    return await _project_out(ctx, app)


@post(
    "/grants/applications/{application_id:int}/close",
    name="grants:api:close",
    status_code=200,
    summary="Close the project with its result (staff)",
)
async def api_close(ctx: RequestContext, application_id: int, data: ReasonIn) -> ProjectOut:
    from plugins.grants import projects  # noqa: PLC0415

    ctx.require("grants", "manage")
    app, _viewer = await viewer_of(ctx, application_id)
    await projects.close_project(ctx, app, str(data.get("result") or ""), str(data.get("grade") or ""))
    return await _project_out(ctx, app)


@post(
    "/grants/applications/{application_id:int}/tranches/{position:int}/release",
    name="grants:api:release",
    status_code=200,
    summary="Pay a tranche on the ledger when its condition is met (staff)",
)
async def api_release(ctx: RequestContext, application_id: int, position: int) -> ProjectOut:
    from plugins.grants import projects  # noqa: PLC0415

    ctx.require("grants", "manage")
    app, _viewer = await viewer_of(ctx, application_id)
    await projects.release_tranche(ctx, app, position)
    return await _project_out(ctx, app)


@post(
    "/grants/applications/{application_id:int}/tranches/{position:int}/reverse",
    name="grants:api:reverse",
    status_code=200,
    summary="Reverse a paid tranche on the ledger, with the reason (staff)",
)
async def api_reverse(ctx: RequestContext, application_id: int, position: int, data: ReasonIn) -> ProjectOut:
    from plugins.grants import projects  # noqa: PLC0415

    ctx.require("grants", "manage")
    app, _viewer = await viewer_of(ctx, application_id)
    await projects.reverse_tranche(ctx, app, position, str(data.get("reason") or ""))
    return await _project_out(ctx, app)


API_ROUTES += [api_project, api_agreement, api_midterm, api_close, api_release, api_reverse]

from plugins.grants.api_exports import EXPORT_API_ROUTES  # noqa: E402  (exports: awards, scores, ledger statements)

API_ROUTES += EXPORT_API_ROUTES
