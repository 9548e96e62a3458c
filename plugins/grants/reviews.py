"""Reviewers: assignment by hand and automatic, conflicts of interest, reviews, progress, ranking.

A reviewer is a district user with the ``expert`` role. A conflict of interest — declared by
the reviewer, or detected because the reviewer is staff or member of the applicant
organization or of the hub that supervises it — excludes the reviewer from that application.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from core.plugin_api import Membership, NotFound, Refusal, User, localized, organizations, utcnow
from plugins.grants.models import Application, Assignment, Call, Review
from plugins.grants.scoring import Scored, normalised_scores, raw_scores, review_score

if TYPE_CHECKING:
    from core.plugin_api import RequestContext

__all__ = (
    "REVIEWER_ROLE",
    "RankRow",
    "assign",
    "auto_assign",
    "declare_conflict",
    "detect_conflict",
    "lock_open_calls",
    "my_assignments",
    "open_call_loads",
    "progress",
    "ranking",
    "reviewers",
    "save_review",
)

REVIEWER_ROLE = "expert"


def t(zh: str, en: str) -> str:
    return localized(zh, en)


async def reviewers(ctx: RequestContext) -> list[User]:
    """The district's reviewers (users with the expert role), by name."""
    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.role_key == REVIEWER_ROLE)
        .distinct()
        .order_by(User.display_name, User.id)
    )
    return list((await ctx.session.execute(query)).scalars())


async def detect_conflict(ctx: RequestContext, application: Application, reviewer_id: int) -> str:
    """Why the reviewer may not review the application ("" if nothing is detected)."""
    assert ctx.district is not None
    org = await organizations.get_organization(ctx.session, ctx.district, application.organization_id)
    if await organizations.is_member(ctx.session, ctx.district, org.id, reviewer_id):
        return t(f"评审人是申报组织“{org.name}”的成员或工作人员", f"the reviewer belongs to {org.name}, the applicant")
    hub = await organizations.hub_of(ctx.session, ctx.district, org.id)
    if hub is not None and await organizations.is_member(ctx.session, ctx.district, hub.id, reviewer_id):
        return t(
            f"评审人是申报组织的枢纽组织“{hub.name}”的成员或工作人员",
            f"the reviewer belongs to {hub.name}, the applicant's hub",
        )
    return ""


async def _assignment(ctx: RequestContext, application_id: int, reviewer_id: int) -> Assignment | None:
    query = select(Assignment).where(Assignment.application_id == application_id, Assignment.reviewer_id == reviewer_id)
    return (await ctx.session.execute(query)).scalar_one_or_none()


async def lock_open_calls(ctx: RequestContext, call_id: int) -> None:
    """Lock the district's calls still under review (results not announced) and this one, in id order:
    assignments made at the same moment — two staff pressing "assign automatically", a hand assignment —
    are made one after the other, each seeing the loads the other left (SQLite: the write lock does it)."""
    await ctx.session.execute(
        select(Call.id).where(or_(Call.decided_at.is_(None), Call.id == call_id)).order_by(Call.id).with_for_update()
    )


async def open_call_loads(ctx: RequestContext, call_id: int) -> dict[int, int]:
    """Each reviewer's load: their assignments not excluded by a conflict, across the district's calls still
    under review (results not announced) and this one. One query; automatic assignment balances it."""
    query = (
        select(Assignment.reviewer_id, func.count(Assignment.id))
        .join(Application, Application.id == Assignment.application_id)
        .join(Call, Call.id == Application.call_id)
        .where(Assignment.conflict == "", or_(Call.decided_at.is_(None), Call.id == call_id))
        .group_by(Assignment.reviewer_id)
    )
    return {int(reviewer): int(count) for reviewer, count in (await ctx.session.execute(query)).tuples()}


async def assign(ctx: RequestContext, application: Application, reviewer_id: int) -> Assignment:
    """Assign a reviewer by hand; a detected conflict is recorded and excludes them (refused with the reason)."""
    if application.status != "screened":
        raise Refusal(
            "只有通过形式审查的申报可以分配评审。", "Only screened applications get reviewers.", status_code=409
        )
    if reviewer_id not in {r.id for r in await reviewers(ctx)}:
        raise Refusal(
            "请选择本区的评审专家。",
            "Choose one of the district's reviewers.",
            errors={"reviewer_id": t("请选择本区的评审专家。", "Choose one of the district's reviewers.")},
        )
    await ctx.session.execute(select(Call.id).where(Call.id == application.call_id).with_for_update())
    existing = await _assignment(ctx, application.id, reviewer_id)
    if existing is not None:
        return existing
    conflict = await detect_conflict(ctx, application, reviewer_id)
    row = Assignment(application_id=application.id, reviewer_id=reviewer_id, conflict=conflict[:200])
    ctx.session.add(row)
    await ctx.session.flush()
    return row


async def auto_assign(ctx: RequestContext, call: Call) -> int:
    """Give each screened application of the call up to N reviewers without a conflict, the least loaded first.

    Returns how many assignments were added. A reviewer's load counts their (non-conflicted) assignments
    across the district's calls still under review (``open_call_loads``), so one already busy in another
    call gets fewer here.
    """
    await lock_open_calls(ctx, call.id)
    pool = await reviewers(ctx)
    apps = list(
        (
            await ctx.session.execute(
                select(Application)
                .where(Application.call_id == call.id, Application.status == "screened")
                .order_by(Application.id)
            )
        ).scalars()
    )
    rows = list(
        (
            await ctx.session.execute(
                select(Assignment)
                .join(Application, Application.id == Assignment.application_id)
                .where(Application.call_id == call.id)
            )
        ).scalars()
    )
    loads = await open_call_loads(ctx, call.id)
    load = {r.id: loads.get(r.id, 0) for r in pool}
    taken: dict[int, set[int]] = {}
    for row in rows:
        taken.setdefault(row.application_id, set()).add(row.reviewer_id)
    added = 0
    for app in apps:
        have = taken.setdefault(app.id, set())
        active = sum(1 for r in rows if r.application_id == app.id and not r.conflict)
        for reviewer in sorted(pool, key=lambda r: (load[r.id], r.id)):
            if active >= call.reviewers_per_application:
                break
            if reviewer.id in have:
                continue
            conflict = await detect_conflict(ctx, app, reviewer.id)
            if conflict:
                continue  # never assigned automatically where a conflict is known
            ctx.session.add(Assignment(application_id=app.id, reviewer_id=reviewer.id))
            have.add(reviewer.id)
            load[reviewer.id] += 1
            active += 1
            added += 1
    await ctx.session.flush()
    return added


async def declare_conflict(ctx: RequestContext, application: Application, reason: str) -> Assignment:
    """The reviewer declares a conflict of interest: excluded from the application, draft dropped."""
    assert ctx.user is not None
    row = await _assignment(ctx, application.id, ctx.user.id)
    if row is None:
        raise NotFound("未找到。", "Not found.")
    reason = (reason or "").strip()
    if not reason:
        raise Refusal(
            "请写明利益冲突的情况。",
            "Describe the conflict of interest.",
            errors={"reason": t("请写明利益冲突的情况。", "Describe the conflict of interest.")},
        )
    review = await _review(ctx, application.id, ctx.user.id)
    if review is not None and review.submitted_at is not None:
        raise Refusal("评审已提交，不能再声明回避。", "The review was submitted already.", status_code=409)
    if review is not None:
        await ctx.session.delete(review)
    row.conflict = t(f"本人声明：{reason}", f"declared: {reason}")[:200]
    await ctx.session.flush()
    return row


async def _review(ctx: RequestContext, application_id: int, reviewer_id: int) -> Review | None:
    query = select(Review).where(Review.application_id == application_id, Review.reviewer_id == reviewer_id)
    return (await ctx.session.execute(query.execution_options(populate_existing=True))).scalar_one_or_none()


async def my_assignments(ctx: RequestContext) -> list[tuple[Assignment, Application, Review | None]]:
    """The user's assignments without a conflict, with the application and their review (if any)."""
    assert ctx.user is not None
    query = (
        select(Assignment, Application, Review)
        .join(Application, Application.id == Assignment.application_id)
        .outerjoin(
            Review,
            (Review.application_id == Assignment.application_id) & (Review.reviewer_id == Assignment.reviewer_id),
        )
        .where(Assignment.reviewer_id == ctx.user.id, Assignment.conflict == "")
        .order_by(Review.submitted_at.is_not(None), Application.id)
    )
    return [(a, b, c) for a, b, c in (await ctx.session.execute(query)).all()]


async def review_of(ctx: RequestContext, application: Application) -> tuple[Assignment, Review | None]:
    """The current reviewer's assignment (404 if none, or excluded) and review."""
    assert ctx.user is not None
    row = await _assignment(ctx, application.id, ctx.user.id)
    if row is None:
        raise NotFound("未找到。", "Not found.")
    return row, await _review(ctx, application.id, ctx.user.id)


def _check_scores(call: Call, scores: Mapping[str, Any], *, complete: bool) -> tuple[dict[str, Any], dict[str, str]]:
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for c in call.criteria:
        key = str(c.id)
        raw = scores.get(key)
        if raw in (None, "") or (isinstance(raw, str) and raw.strip().lower() in {"na", "n/a"}):
            explicit_na = (isinstance(raw, str) and raw.strip().lower() in {"na", "n/a"}) or (
                raw is None and key in scores
            )
            if explicit_na and c.allow_na:
                clean[key] = None
            elif explicit_na:
                errors[f"score_{key}"] = t(f"“{c.name}”不能选不适用。", f"“{c.name}” can't be n/a.")
            elif complete:
                errors[f"score_{key}"] = t(f"请为“{c.name}”打分。", f"Score “{c.name}”.")
            continue
        try:
            value = int(str(raw).strip()) if not isinstance(raw, int) or isinstance(raw, bool) else raw
        except ValueError:
            value = None
        if value is None or isinstance(raw, bool) or not c.min_score <= value <= c.max_score:
            errors[f"score_{key}"] = t(
                f"“{c.name}”的分数须为 {c.min_score}–{c.max_score} 的整数。",
                f"“{c.name}” takes a whole number from {c.min_score} to {c.max_score}.",
            )
            continue
        clean[key] = value
    if complete and not errors and all(v is None for v in clean.values()):
        errors["_"] = t("不能所有指标都选不适用。", "Not every criterion can be n/a.")
    return clean, errors


async def save_review(
    ctx: RequestContext,
    application: Application,
    scores: Mapping[str, Any],
    comments: Mapping[str, Any],
    *,
    submit: bool,
) -> Review:
    """Save the reviewer's draft, or submit it (once: a second submission is refused, also when simultaneous)."""
    assert ctx.user is not None
    row, review = await review_of(ctx, application)
    if row.conflict:
        raise Refusal(
            "你已因利益冲突回避这份申报。",
            "You are excluded from this application (conflict of interest).",
            status_code=409,
        )
    if application.status != "screened":
        raise Refusal("这份申报不在评审阶段。", "This application is not under review.", status_code=409)
    call = await ctx.session.get(Call, application.call_id)
    assert call is not None
    clean, errors = _check_scores(call, scores, complete=submit)
    notes = {str(c.id): str(comments.get(str(c.id)) or "").strip()[:2000] for c in call.criteria}
    if errors:
        raise Refusal(
            "评分未保存，请改正标出的内容。", "The review was not saved: see the marked fields.", errors=errors
        )
    if review is not None and review.submitted_at is not None:
        raise Refusal("你已经提交过这份评审。", "You already submitted this review.", status_code=409)
    if review is None:
        try:
            async with ctx.session.begin_nested():
                review = Review(application_id=application.id, reviewer_id=ctx.user.id, scores={}, comments={})
                ctx.session.add(review)
                await ctx.session.flush()
        except IntegrityError:  # the same reviewer's other request created it a moment ago
            review = await _review(ctx, application.id, ctx.user.id)
            assert review is not None
    values: dict[str, Any] = {"scores": clean, "comments": notes, "updated_at": utcnow()}
    if submit:
        values["submitted_at"] = utcnow()
    changed = await ctx.session.execute(
        update(Review)
        .where(Review.id == review.id, Review.submitted_at.is_(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise Refusal("你已经提交过这份评审。", "You already submitted this review.", status_code=409)
    await ctx.session.refresh(review)
    return review


@dataclass
class Progress:
    """Reviews done and due, per reviewer and per application."""

    by_reviewer: list[tuple[User, int, int]]  # reviewer, submitted, assigned
    by_application: dict[int, tuple[int, int]]  # application id → submitted, assigned


async def progress(ctx: RequestContext, call: Call) -> Progress:
    """Who has reviewed how much of what they were given (conflicted assignments left out)."""
    query = (
        select(Assignment.reviewer_id, Assignment.application_id, Review.submitted_at)
        .join(Application, Application.id == Assignment.application_id)
        .outerjoin(
            Review,
            (Review.application_id == Assignment.application_id) & (Review.reviewer_id == Assignment.reviewer_id),
        )
        .where(Application.call_id == call.id, Assignment.conflict == "")
    )
    per_reviewer: dict[int, list[int]] = {}
    per_app: dict[int, tuple[int, int]] = {}
    for reviewer_id, app_id, submitted in (await ctx.session.execute(query)).all():
        done = 1 if submitted is not None else 0
        counts = per_reviewer.setdefault(reviewer_id, [0, 0])
        counts[0] += done
        counts[1] += 1
        s, a = per_app.get(app_id, (0, 0))
        per_app[app_id] = (s + done, a + 1)
    users = {u.id: u for u in await reviewers(ctx)}
    rows = [(users[r], c[0], c[1]) for r, c in per_reviewer.items() if r in users]
    return Progress(sorted(rows, key=lambda x: x[0].display_name), per_app)


@dataclass
class RankRow:
    """One application's place in the ranking."""

    rank: int
    application: Application
    raw: float | None
    normalised: float | None
    reviews: int


async def submitted_scores(ctx: RequestContext, call: Call) -> list[Scored]:
    """Every submitted review of the call as its 0–100 score."""
    query = (
        select(Review.application_id, Review.reviewer_id, Review.scores)
        .join(Application, Application.id == Review.application_id)
        .where(Application.call_id == call.id, Review.submitted_at.is_not(None))
    )
    found = []
    for app_id, reviewer_id, scores in (await ctx.session.execute(query)).all():
        score = review_score(call.criteria, scores or {})
        if score is not None:
            found.append(Scored(app_id, reviewer_id, score))
    return found


async def ranking(ctx: RequestContext, call: Call) -> list[RankRow]:
    """The call's screened applications ranked by the call's chosen score (raw or normalised), best first."""
    scored = await submitted_scores(ctx, call)
    raw, norm = raw_scores(scored), normalised_scores(scored)
    counts: dict[int, int] = {}
    for s in scored:
        counts[s.application_id] = counts.get(s.application_id, 0) + 1
    apps = list(
        (
            await ctx.session.execute(
                select(Application).where(
                    Application.call_id == call.id, Application.status.in_(("screened", "approved", "rejected"))
                )
            )
        ).scalars()
    )
    key = norm if call.ranking == "normalised" else raw
    apps.sort(key=lambda a: (a.id not in key, -key.get(a.id, 0.0), a.id))
    return [RankRow(i + 1, a, raw.get(a.id), norm.get(a.id), counts.get(a.id, 0)) for i, a in enumerate(apps)]


async def count_reviews(ctx: RequestContext, application_id: int) -> int:
    """How many reviews of the application were submitted."""
    query = select(func.count(Review.id)).where(
        Review.application_id == application_id, Review.submitted_at.is_not(None)
    )
    return int((await ctx.session.execute(query)).scalar_one())
