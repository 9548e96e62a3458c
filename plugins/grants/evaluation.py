"""After the award: progress reports, evaluations, closing with a result, sustainability follow-ups.

- **Reports** (中期报告 / 结项报告): the applicant organization submits indicators achieved, activities,
  people served, spending to date by budget line (checked against the agreement's budget, see
  ``budget.py``) and photos or PDFs (the core's file storage). Staff accept a
  report or send it back with a message; a returned report is corrected and submitted again. Accepting
  the mid-term report is the second tranche's condition (``Application.midterm_accepted_at``); the final
  report must be accepted before the project is closed. One report per project and kind: two submissions
  at the same moment store one (a unique key; the loser is told it was submitted already).
- **Evaluations** (过程评估 / 结项评估): each call has its own evaluation form (criteria with weights and
  score ranges; a default until staff change it). Staff score a stage themselves or assign an evaluator
  (e.g. from a third-party evaluation organization); the weighted score is on 0–100 like a review's.
- **Closing** (结项) with a grade — 优秀 / 良好 / 合格 / 不合格 — and a note. A closed project takes no
  more reports or evaluations; tranches not paid by then are not paid any more, except the closing
  tranche of a project that did not fail.
- **Follow-ups** one and two years after closing: still running? (yes/no and a note), answered by the
  organization or staff from 30 days before the due day; a daily job reminds of them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from core.plugin_api import (
    PHOTOS_AND_PDF,
    TIMEZONE,
    JobResult,
    NotFound,
    NotificationKind,
    Refusal,
    content_type_of,
    localized,
    notify,
    safe_name,
    utcnow,
    workdays,
)
from plugins.grants import budget
from plugins.grants.models import Application, Call
from plugins.grants.models_evaluation import GrantEvalForm, GrantEvaluation, GrantFollowUp, GrantOutcome, GrantReport
from plugins.grants.scoring import review_score

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District, JobContext, RequestContext

__all__ = (
    "DEFAULT_FORM",
    "GRADES",
    "KINDS",
    "NOTIFICATION_KINDS",
    "EvalCriterion",
    "answer_follow_up",
    "assign_evaluator",
    "close_project",
    "decide_report",
    "eval_form",
    "save_eval_form",
    "save_evaluation",
    "send_follow_up_reminders",
    "submit_report",
    "track",
)

KINDS = ("midterm", "final")
GRADES = ("excellent", "good", "pass", "fail")
GRADE_ZH = {"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"}
FILE_MAX_BYTES = 5 * 1024 * 1024
FILES_MAX = 6
DEFAULT_FORM: tuple[dict[str, Any], ...] = (
    {"name": "项目管理规范", "weight": 20, "min": 0, "max": 10},
    {"name": "目标与指标达成", "weight": 35, "min": 0, "max": 10},
    {"name": "服务对象满意度", "weight": 25, "min": 0, "max": 10},
    {"name": "资金使用合规", "weight": 20, "min": 0, "max": 10},
)
FOLLOW_UP_OPENS_DAYS = 30
NOTIFICATION_KINDS = (
    NotificationKind(
        "grants.report_accepted",
        "“{title}”的{report}已通过验收",
        "“{title}”: the report was accepted",
        "{message}",
        "{message}",
        label_zh="公益创投：报告通过验收",
        label_en="Venture philanthropy: report accepted",
    ),
    NotificationKind(
        "grants.report_returned",
        "“{title}”的{report}被退回修改",
        "“{title}”: the report was sent back",
        "{message}",
        "{message}",
        label_zh="公益创投：报告退回修改",
        label_en="Venture philanthropy: report sent back",
    ),
    NotificationKind(
        "grants.follow_up_due",
        "“{title}”结项 {year} 年回访将于 {due} 到期",
        "“{title}”: the {year}-year follow-up is due on {due}",
        "请告知项目是否仍在持续开展。",
        "Please say whether the project is still running.",
        label_zh="公益创投：项目回访即将到期",
        label_en="Venture philanthropy: follow-up due",
    ),
    NotificationKind(
        "grants.follow_up_overdue",
        "“{title}”结项 {year} 年回访已逾期（应于 {due} 填写）",
        "“{title}”: the {year}-year follow-up is overdue since {due}",
        "请尽快告知项目是否仍在持续开展。",
        "Please say as soon as possible whether the project is still running.",
        label_zh="公益创投：项目回访逾期",
        label_en="Venture philanthropy: follow-up overdue",
    ),
)
REMIND_WORKING_DAYS = 3


def t(zh: str, en: str) -> str:
    return localized(zh, en)


def kind_zh(kind: str) -> str:
    return "中期报告" if kind == "midterm" else "结项报告"


# ---------------------------------------------------------------- reports


async def reports_of(session: AsyncSession, app_id: int) -> dict[str, GrantReport]:
    query = select(GrantReport).where(GrantReport.application_id == app_id).execution_options(populate_existing=True)
    return {r.kind: r for r in (await session.execute(query)).scalars()}


def report_due_on(app: Application, kind: str) -> date:
    """The day a report is due: the mid-term halfway through the project, the final at its end."""
    assert app.starts_on is not None and app.ends_on is not None
    if kind == "midterm":
        return app.starts_on + (app.ends_on - app.starts_on) / 2
    return app.ends_on


def _open_project(app: Application) -> None:
    if app.closed_at is not None:
        raise Refusal(
            "项目已经结项，不能再提交报告或评估。",
            "The project is closed: no more reports or evaluations.",
            status_code=409,
        )
    if app.signed_at is None or app.starts_on is None or app.ends_on is None:
        raise Refusal("协议签订后才能提交报告。", "Reports come after the agreement is signed.", status_code=409)


def check_file(filename: str, data: bytes) -> tuple[str, str]:
    """(safe name, content type) of a photo (JPEG, PNG) or PDF of at most 5 MB, else a refusal."""
    name = safe_name(filename)
    problem = ""
    content_type = content_type_of(name, data, PHOTOS_AND_PDF)
    if len(data) > FILE_MAX_BYTES:
        problem = t(f"“{name}”太大：每个文件最多 5 MB。", f"“{name}” is too large: at most 5 MB each.")
    elif content_type is None:
        problem = t(f"“{name}”不是 JPEG/PNG 照片或 PDF。", f"“{name}” is not a JPEG or PNG photo or a PDF.")
    if problem:
        raise Refusal(problem, problem, errors={"files": problem})
    assert content_type is not None
    return name, content_type


Store = Callable[[bytes], Awaitable[Any]]


async def submit_report(
    ctx: RequestContext,
    app: Application,
    kind: str,
    raw: Mapping[str, Any],
    files: Sequence[tuple[str, bytes]] = (),
    store: Store | None = None,
) -> GrantReport:
    """The organization submits (or, once sent back, resubmits) its mid-term or final report."""
    assert ctx.user is not None
    if kind not in KINDS:
        raise Refusal("请选择报告类型。", "Choose the report.", errors={"kind": t("请选择报告类型。", "Choose.")})
    # The project row is locked: two reports at the same moment are checked (budget, one per kind) in turn.
    await ctx.session.refresh(app, with_for_update=True)
    _open_project(app)
    existing = (await reports_of(ctx.session, app.id)).get(kind)
    if kind == "final" and app.midterm_accepted_at is None:
        raise Refusal(
            "中期报告验收后才能提交结项报告。", "The mid-term report must be accepted first.", status_code=409
        )
    if existing is not None and existing.status != "returned":
        raise Refusal(
            f"{kind_zh(kind)}已经提交过。",
            "This report was submitted already.",
            status_code=409,
        )
    errors: dict[str, str] = {}
    indicators = str(raw.get("indicators") or "").strip()
    activities = str(raw.get("activities") or "").strip()
    if not indicators or len(indicators) > 5000:
        errors["indicators"] = t("请写明指标完成情况（最多 5000 字）。", "Describe the indicators achieved.")
    if not activities or len(activities) > 5000:
        errors["activities"] = t("请写明开展的活动（最多 5000 字）。", "Describe the activities.")
    people_raw = raw.get("beneficiaries")
    try:
        people = int(str(people_raw).strip()) if not isinstance(people_raw, bool) else -1
    except ValueError:
        people = -1
    if not 0 <= people <= 10_000_000:
        errors["beneficiaries"] = t("服务人次填写 0 或正整数。", "Enter the number of people served.")
    spending = budget.parse_lines(raw.get("spending"), errors, "spending")
    call = await ctx.session.get(Call, app.call_id)
    assert call is not None
    budget.check_spending(call, await budget.budget_of(ctx.session, app.id), spending, errors)
    if len(files) > FILES_MAX:
        errors["files"] = t(f"最多 {FILES_MAX} 个附件。", f"At most {FILES_MAX} files.")
    checked: list[tuple[str, str, bytes]] = []
    if not errors:
        for filename, content in files:
            try:
                name, content_type = check_file(filename, content)
            except Refusal as exc:
                errors.update(exc.errors)
                break
            checked.append((name, content_type, content))
    if errors:
        raise Refusal(
            "报告未提交，请改正标出的内容。", "The report was not submitted: see the marked fields.", errors=errors
        )
    stored: list[dict[str, Any]] = list(existing.files) if existing is not None else []
    for name, content_type, content in checked:
        assert store is not None
        kept = await store(content)
        stored.append({"key": kept.key, "name": name, "type": content_type, "sha256": kept.sha256})
    now = utcnow()
    due = report_due_on(app, kind)
    values: dict[str, Any] = {
        "indicators": indicators,
        "activities": activities,
        "beneficiaries": people,
        "spending": spending,
        "files": stored[-FILES_MAX * 2 :],
        "submitted_at": now,
        "submitted_by": ctx.user.id,
        "status": "submitted",
    }
    if existing is None:
        report = GrantReport(
            application_id=app.id,
            kind=kind,
            due_on=due,
            on_time=now.astimezone(TIMEZONE).date() <= due,
            first_submitted_at=now,
            **values,
        )
        try:
            async with ctx.session.begin_nested():
                ctx.session.add(report)
                await ctx.session.flush()
        except IntegrityError:  # the same report, submitted a moment ago by another request
            raise Refusal(
                f"{kind_zh(kind)}已经提交过。", "This report was submitted already.", status_code=409
            ) from None
        return report
    changed = await ctx.session.execute(
        update(GrantReport)
        .where(GrantReport.id == existing.id, GrantReport.status == "returned")
        .values(**values, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise Refusal(f"{kind_zh(kind)}已经提交过。", "This report was submitted already.", status_code=409)
    return (await reports_of(ctx.session, app.id))[kind]


async def report_or_404(session: AsyncSession, report_id: int) -> tuple[GrantReport, Application]:
    report = await session.get(GrantReport, report_id)
    app = await session.get(Application, report.application_id) if report is not None else None
    if report is None or app is None:
        raise NotFound("未找到。", "Not found.")
    return report, app


async def decide_report(
    ctx: RequestContext, report: GrantReport, app: Application, decision: str, message: str
) -> GrantReport:
    """Staff accept a submitted report, or send it back with a message (once per submission)."""
    assert ctx.user is not None and ctx.district is not None
    message = (message or "").strip()
    if decision not in ("accept", "return"):
        raise Refusal("请选择验收或退回。", "Accept or send back.", errors={"decision": t("请选择。", "Choose.")})
    if decision == "return" and not message:
        raise Refusal(
            "退回时请写明需要修改的内容。",
            "Say what must change.",
            errors={"message": t("退回时请写明需要修改的内容。", "Say what must change.")},
        )
    _open_project(app)
    changed = await ctx.session.execute(
        update(GrantReport)
        .where(GrantReport.id == report.id, GrantReport.status == "submitted")
        .values(
            status="accepted" if decision == "accept" else "returned",
            message=message[:2000],
            decided_at=utcnow(),
            decided_by=ctx.user.id,
        )
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise Refusal("这份报告已经处理过。", "This report was dealt with already.", status_code=409)
    if decision == "accept" and report.kind == "midterm" and app.midterm_accepted_at is None:
        app.midterm_accepted_at = utcnow()  # the second tranche's condition
        await ctx.session.flush()
    await notify(
        ctx.session,
        [report.submitted_by, app.created_by],
        "grants.report_accepted" if decision == "accept" else "grants.report_returned",
        {"title": app.title, "report": kind_zh(report.kind), "message": message or "—"},
        f"/d/{ctx.district.code}/grants/projects/{app.id}",
    )
    await ctx.session.refresh(report)
    return report


# ---------------------------------------------------------------- evaluations


@dataclass
class EvalCriterion:
    """One criterion of an evaluation form; ``id`` is its number (1, 2 …), the key of its score."""

    id: int
    name: str
    weight: int
    min_score: int
    max_score: int


def criteria_of(items: Sequence[Mapping[str, Any]]) -> list[EvalCriterion]:
    return [
        EvalCriterion(i, str(c["name"]), int(c["weight"]), int(c["min"]), int(c["max"])) for i, c in enumerate(items, 1)
    ]


async def eval_form(session: AsyncSession, call_id: int) -> list[dict[str, Any]]:
    """The call's evaluation form (the default until staff change it)."""
    found = (await session.execute(select(GrantEvalForm).where(GrantEvalForm.call_id == call_id))).scalar_one_or_none()
    return list(found.criteria) if found is not None and found.criteria else [dict(c) for c in DEFAULT_FORM]


async def save_eval_form(ctx: RequestContext, call: Call, raw: Any) -> list[dict[str, Any]]:
    """Staff set a call's evaluation form: lines ``criterion | weight | min-max`` or a list (API)."""
    from plugins.grants.service import _criteria  # noqa: PLC0415

    errors: dict[str, str] = {}
    parsed = _criteria(raw, errors)
    if not parsed and not errors:
        errors["criteria"] = t("至少需要一个评估指标。", "Give at least one criterion.")
    if errors:
        raise Refusal(
            "评估表未保存，请改正标出的内容。", "The form was not saved: see the marked fields.", errors=errors
        )
    items = [{"name": c.name, "weight": c.weight, "min": c.min_score, "max": c.max_score} for c in parsed]
    found = (
        await ctx.session.execute(select(GrantEvalForm).where(GrantEvalForm.call_id == call.id))
    ).scalar_one_or_none()
    if found is None:
        ctx.session.add(GrantEvalForm(call_id=call.id, criteria=items))
    else:
        found.criteria = items
    await ctx.session.flush()
    return items


async def evaluations_of(session: AsyncSession, app_id: int) -> dict[str, GrantEvaluation]:
    query = (
        select(GrantEvaluation)
        .where(GrantEvaluation.application_id == app_id)
        .execution_options(populate_existing=True)
    )
    return {e.stage: e for e in (await session.execute(query)).scalars()}


async def _evaluation_row(ctx: RequestContext, app: Application, stage: str) -> GrantEvaluation:
    """The stage's evaluation, created (with the call's form) when it does not exist yet."""
    found = (await evaluations_of(ctx.session, app.id)).get(stage)
    if found is not None:
        return found
    row = GrantEvaluation(
        application_id=app.id, stage=stage, criteria=await eval_form(ctx.session, app.call_id), scores={}
    )
    try:
        async with ctx.session.begin_nested():
            ctx.session.add(row)
            await ctx.session.flush()
    except IntegrityError:  # another request created it a moment ago
        return (await evaluations_of(ctx.session, app.id))[stage]
    return row


def _stage(stage: str) -> None:
    if stage not in KINDS:
        raise NotFound("未找到。", "Not found.")


async def assign_evaluator(
    ctx: RequestContext, app: Application, stage: str, evaluator_id: int | None, agency: str
) -> GrantEvaluation:
    """Staff give a stage's evaluation to an evaluator (e.g. of an evaluation organization)."""
    from plugins.grants.reviews import reviewers  # noqa: PLC0415

    _stage(stage)
    _open_project(app)
    allowed = {u.id for u in await reviewers(ctx)}
    if evaluator_id not in allowed:
        raise Refusal(
            "请选择评估人（具有评审权限的用户）。",
            "Choose an evaluator (a user who may review).",
            errors={"evaluator_id": t("请选择评估人。", "Choose an evaluator.")},
        )
    row = await _evaluation_row(ctx, app, stage)
    if row.submitted_at is not None:
        raise Refusal("这项评估已经提交。", "This evaluation was submitted already.", status_code=409)
    row.evaluator_id, row.agency = evaluator_id, (agency or "").strip()[:100]
    await ctx.session.flush()
    return row


def may_evaluate(ctx: RequestContext, row: GrantEvaluation | None) -> bool:
    """Staff, or the evaluator the stage was given to."""
    if ctx.can("grants", "manage"):
        return True
    return row is not None and ctx.user is not None and row.evaluator_id == ctx.user.id


async def save_evaluation(
    ctx: RequestContext,
    app: Application,
    stage: str,
    scores: Mapping[str, Any],
    comment: str,
    *,
    submit: bool,
) -> GrantEvaluation:
    """Save the evaluation's scores (a draft), or submit it once with every criterion scored."""
    assert ctx.user is not None
    _stage(stage)
    row = (await evaluations_of(ctx.session, app.id)).get(stage)
    if not may_evaluate(ctx, row):
        raise NotFound("未找到。", "Not found.")
    _open_project(app)
    report = (await reports_of(ctx.session, app.id)).get(stage)
    if report is None or report.status == "returned":
        raise Refusal(f"{kind_zh(stage)}提交后才能评估。", "Evaluate once the report is submitted.", status_code=409)
    row = await _evaluation_row(ctx, app, stage)
    if row.submitted_at is not None:
        raise Refusal("这项评估已经提交。", "This evaluation was submitted already.", status_code=409)
    criteria = criteria_of(row.criteria)
    clean: dict[str, int] = {}
    errors: dict[str, str] = {}
    for c in criteria:
        value = scores.get(str(c.id))
        if value is None or (isinstance(value, str) and not value.strip()):
            if submit:
                errors[f"score_{c.id}"] = t(f"请给“{c.name}”打分。", f"Score “{c.name}”.")
            continue
        try:
            number = int(str(value).strip()) if not isinstance(value, bool) else c.min_score - 1
        except ValueError:
            number = c.min_score - 1
        if not c.min_score <= number <= c.max_score:
            errors[f"score_{c.id}"] = t(
                f"“{c.name}”的分数在 {c.min_score}–{c.max_score} 之间。",
                f"“{c.name}” is scored {c.min_score}–{c.max_score}.",
            )
            continue
        clean[str(c.id)] = number
    comment = (comment or "").strip()
    if len(comment) > 5000:
        errors["comment"] = t("评语最多 5000 字。", "At most 5000 characters.")
    if submit and not comment:
        errors["comment"] = t("请写评估意见。", "Write the evaluation's comment.")
    if errors:
        raise Refusal(
            "评估未保存，请改正标出的内容。", "The evaluation was not saved: see the marked fields.", errors=errors
        )
    score = review_score(criteria, clean) if len(clean) == len(criteria) else None
    values: dict[str, Any] = {
        "scores": clean,
        "comment": comment,
        "score_x100": round(score * 100) if score is not None else None,
        "updated_at": utcnow(),
    }
    if row.evaluator_id is None:
        values["evaluator_id"] = ctx.user.id
    if submit:
        values["submitted_at"] = utcnow()
    changed = await ctx.session.execute(
        update(GrantEvaluation)
        .where(GrantEvaluation.id == row.id, GrantEvaluation.submitted_at.is_(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise Refusal("这项评估已经提交。", "This evaluation was submitted already.", status_code=409)
    return (await evaluations_of(ctx.session, app.id))[stage]


# ---------------------------------------------------------------- closing and follow-ups


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


async def close_project(ctx: RequestContext, app: Application, grade: str, note: str) -> GrantOutcome:
    """Close the project (结项) with its grade and a note; sets up the two follow-ups. Once."""
    if app.closed_at is not None:
        raise Refusal("项目已经结项。", "The project was closed already.", status_code=409)
    final = (await reports_of(ctx.session, app.id)).get("final")
    if final is None or final.status != "accepted":
        raise Refusal("结项报告验收后才能结项。", "Accept the final report first.", status_code=409)
    if grade not in GRADES:
        raise Refusal(
            "请选择结项结论（优秀、良好、合格或不合格）。",
            "Choose the result (excellent, good, pass or fail).",
            errors={"grade": t("请选择结项结论。", "Choose the result.")},
        )
    note = (note or "").strip()[:5000]
    outcome = GrantOutcome(application_id=app.id, grade=grade, note=note, closed_by=ctx.user.id if ctx.user else None)
    try:
        async with ctx.session.begin_nested():
            ctx.session.add(outcome)
            await ctx.session.flush()
    except IntegrityError:
        raise Refusal("项目已经结项。", "The project was closed already.", status_code=409) from None
    now = utcnow()
    claimed = await ctx.session.execute(
        update(Application)
        .where(Application.id == app.id, Application.closed_at.is_(None))
        .values(closed_at=now, status="closed", result=f"{GRADE_ZH[grade]}" + (f"：{note}" if note else ""))
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Refusal("项目已经结项。", "The project was closed already.", status_code=409)
    await ctx.session.refresh(app)
    today = now.astimezone(TIMEZONE).date()
    for year in (1, 2):
        ctx.session.add(GrantFollowUp(application_id=app.id, year=year, due_on=_years_later(today, year)))
    await ctx.session.flush()
    return outcome


async def outcome_of(session: AsyncSession, app_id: int) -> GrantOutcome | None:
    query = select(GrantOutcome).where(GrantOutcome.application_id == app_id)
    return (await session.execute(query)).scalar_one_or_none()


async def follow_ups_of(session: AsyncSession, app_id: int) -> list[GrantFollowUp]:
    query = (
        select(GrantFollowUp)
        .where(GrantFollowUp.application_id == app_id)
        .order_by(GrantFollowUp.year)
        .execution_options(populate_existing=True)
    )
    return list((await session.execute(query)).scalars())


async def answer_follow_up(
    ctx: RequestContext, follow_up: GrantFollowUp, running: Any, note: str, *, today: date | None = None
) -> GrantFollowUp:
    """Record whether the project still runs (from 30 days before the due day; once)."""
    assert ctx.user is not None
    today = today or utcnow().astimezone(TIMEZONE).date()
    if today < follow_up.due_on - timedelta(days=FOLLOW_UP_OPENS_DAYS):
        raise Refusal(
            f"回访从 {(follow_up.due_on - timedelta(days=FOLLOW_UP_OPENS_DAYS)).isoformat()} 起填写。",
            f"This follow-up opens on {(follow_up.due_on - timedelta(days=FOLLOW_UP_OPENS_DAYS)).isoformat()}.",
            status_code=409,
        )
    answer = {"yes": True, "no": False, True: True, False: False}.get(running)  # type: ignore[call-overload]
    if answer is None:
        raise Refusal(
            "请选择项目是否仍在持续。",
            "Say whether the project still runs.",
            errors={"running": t("请选择。", "Choose yes or no.")},
        )
    changed = await ctx.session.execute(
        update(GrantFollowUp)
        .where(GrantFollowUp.id == follow_up.id, GrantFollowUp.answered_at.is_(None))
        .values(running=answer, note=(note or "").strip()[:2000], answered_at=utcnow(), answered_by=ctx.user.id)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise Refusal("这次回访已经填写过。", "This follow-up was answered already.", status_code=409)
    await ctx.session.refresh(follow_up)
    return follow_up


async def _remind_follow_ups(session: AsyncSession, district: District, now: datetime) -> tuple[int, int]:
    today = now.astimezone(TIMEZONE).date()
    soon = overdue = 0
    query = (
        select(GrantFollowUp, Application)
        .join(Application, Application.id == GrantFollowUp.application_id)
        .where(GrantFollowUp.answered_at.is_(None), GrantFollowUp.due_on <= today + timedelta(days=10))
        .order_by(GrantFollowUp.due_on, GrantFollowUp.id)
    )
    for follow_up, app in (await session.execute(query)).all():
        params = {"title": app.title, "year": str(follow_up.year), "due": follow_up.due_on.isoformat()}
        link = f"/d/{district.code}/grants/projects/{app.id}"
        if follow_up.due_on < today:
            overdue += await notify(
                session,
                [app.created_by],
                "grants.follow_up_overdue",
                params,
                link,
                dedupe_key=f"grants:follow-up:overdue:{follow_up.id}",
            )
        elif await workdays.working_days_between(session, district, today, follow_up.due_on) <= REMIND_WORKING_DAYS:
            soon += await notify(
                session,
                [app.created_by],
                "grants.follow_up_due",
                params,
                link,
                dedupe_key=f"grants:follow-up:due:{follow_up.id}",
            )
    return soon, overdue


async def send_follow_up_reminders(job: JobContext) -> JobResult:
    """The daily job: remind of sustainability follow-ups due within three working days, and overdue ones."""
    assert job.district is not None
    soon, overdue = await _remind_follow_ups(job.session, job.district, job.now)
    return JobResult(
        f"提醒 {soon} 次即将到期、{overdue} 次逾期的项目回访",
        {"due": soon, "overdue": overdue},
        f"Reminded of {soon} follow-ups due soon and {overdue} overdue",
    )


@dataclass
class Track:
    """Everything after the award, for one project."""

    reports: dict[str, GrantReport]
    evaluations: dict[str, GrantEvaluation]
    outcome: GrantOutcome | None
    follow_ups: list[GrantFollowUp]


async def track(session: AsyncSession, app: Application) -> Track:
    return Track(
        await reports_of(session, app.id),
        await evaluations_of(session, app.id),
        await outcome_of(session, app.id),
        await follow_ups_of(session, app.id),
    )


async def project_viewer(ctx: RequestContext, application_id: int) -> tuple[Application, str]:
    """A signed project and how the user sees it: ``manager``, ``applicant`` (its organization's leader or
    staff) or ``evaluator`` (given one of its evaluations); 404 for anyone else and for unsigned ones."""
    from core.plugin_api import organizations  # noqa: PLC0415
    from plugins.grants.service import get_application  # noqa: PLC0415

    ctx.require("grants", "view")
    app = await get_application(ctx.session, application_id)
    if app is None or app.signed_at is None or ctx.user is None or ctx.district is None:
        raise NotFound("未找到。", "Not found.")
    if ctx.can("grants", "manage"):
        return app, "manager"
    if await organizations.is_staff_of(ctx.session, ctx.district, app.organization_id, ctx.user.id):
        return app, "applicant"
    query = select(GrantEvaluation.id).where(
        GrantEvaluation.application_id == app.id, GrantEvaluation.evaluator_id == ctx.user.id
    )
    if (await ctx.session.execute(query)).first() is not None:
        return app, "evaluator"
    raise NotFound("未找到。", "Not found.")


async def my_evaluations(ctx: RequestContext) -> list[tuple[GrantEvaluation, Application]]:
    """The evaluations given to the user, open ones first."""
    assert ctx.user is not None
    query = (
        select(GrantEvaluation, Application)
        .join(Application, Application.id == GrantEvaluation.application_id)
        .where(GrantEvaluation.evaluator_id == ctx.user.id)
        .order_by(GrantEvaluation.submitted_at.is_not(None), GrantEvaluation.id)
    )
    return [(e, a) for e, a in (await ctx.session.execute(query)).all()]
