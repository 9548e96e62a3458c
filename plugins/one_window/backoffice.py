"""The back office together (后台协同办理): the item's route, the departments' steps, the join, the result.

An item's **route** is a list of stages in order; each stage names one or more
departments, which act on the case **in parallel**, and the working days the stage may
take. When the window accepts a request (or the last blocking document arrives), every
step of the route is written and the first stage's steps open in their departments'
queues, each due the stage's working days later on the district's working-day calendar.
A department answers its step (agree or not, with its opinion). When **every** step of
the stage is answered, the stage is joined: the next stage opens, or — after the last
stage, or when any department of the stage did not agree — the request is finished: the
case is completed with the outcome, the resident is notified, and (with the district's
``service_organization`` setting) the service is recorded as delivered, which lets a
rating module invite the resident to rate it (the core's ``service_delivered`` hook).

The join happens once even when the departments answer at the same moment: an answer
first locks the intake's row (PostgreSQL ``FOR UPDATE``; SQLite writers take the
database's write lock at ``BEGIN IMMEDIATE``), then re-reads the steps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from core.plugin_api import (
    InvalidData,
    Membership,
    NotFound,
    append_event,
    deliveries,
    notify,
    organizations,
    perform_transition,
    plugin_settings,
    residents,
    utcnow,
    workdays,
)
from core.plugin_api import gettext as _
from plugins.one_window.manifest import DEPARTMENT_ROLE, KEY
from plugins.one_window.models import Intake, IntakeStatus, Item, ItemVersion
from plugins.one_window.models_backoffice import Step, StepStatus

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import Case, JobContext, JobResult, RequestContext

__all__ = (
    "DECISIONS",
    "answer_step",
    "department_ids",
    "get_step",
    "list_steps",
    "parse_route",
    "route_of",
    "route_text",
    "start_route",
    "steps_of",
)

DECISIONS = ("agree", "disagree")
QUIET = "one_window.quiet"  # ctx.extra key: the demo seed sends no "new request" notices to the departments
MAX_STAGES = 10
_STAGE_SPLIT = re.compile(r"[,，]")
_DEPARTMENT_SPLIT = re.compile(r"[、+＋/／]")
_DAYS = re.compile(r"^(\d{1,3})\s*(个工作日|工作日|天|日)?$")


def _date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


# -- the route ----------------------------------------------------------------------------------


def route_of(item: Item | ItemVersion) -> list[dict[str, Any]]:
    """The item's stages; without a route of its own, its department alone in its whole time limit."""
    if item.route:
        return [{"departments": [int(d) for d in s["departments"]], "days": int(s["days"])} for s in item.route]
    if item.department_id is None:
        return []
    return [{"departments": [item.department_id], "days": item.time_limit_days}]


def route_text(route: list[dict[str, Any]], names: dict[int, str]) -> str:
    """The route written one stage per line, as the form takes it: ``民政办、残联，5``."""
    return "\n".join(
        "、".join(names.get(int(d), str(d)) for d in stage["departments"]) + f"，{int(stage['days'])}"
        for stage in route
    )


def parse_route(text: str, known: dict[str, int]) -> tuple[list[dict[str, Any]], str | None]:
    """Read a route written one stage per line (departments by name or code, then the working days).

    ``known`` maps each department's names and code to its id. Returns the stages, or the
    first problem in the user's words.
    """
    route: list[dict[str, Any]] = []
    for number, raw_line in enumerate((text or "").splitlines(), start=1):
        line = raw_line.strip().strip("；;。")
        if not line:
            continue
        parts = [p.strip() for p in _STAGE_SPLIT.split(line) if p.strip()]
        days = _DAYS.match(parts[-1]) if len(parts) >= 2 else None
        if days is None or not 1 <= int(days.group(1)) <= 365:
            return [], _("Line %(n)s: end the stage with its working days, such as 民政办、残联，5.", n=number)
        ids: list[int] = []
        for name in (n.strip() for n in _DEPARTMENT_SPLIT.split("，".join(parts[:-1]))):
            if not name:
                continue
            found = known.get(name) or known.get(name.lower())
            if found is None:
                return [], _("Line %(n)s: %(name)s is not a department of the district.", n=number, name=name)
            if found in ids:
                return [], _("Line %(n)s: %(name)s is listed twice.", n=number, name=name)
            ids.append(found)
        if not ids:
            return [], _("Line %(n)s: name at least one department.", n=number)
        route.append({"departments": ids, "days": int(days.group(1))})
    if len(route) > MAX_STAGES:
        return [], _("At most %(n)s stages.", n=MAX_STAGES)
    return route, None


# -- who sees which steps -------------------------------------------------------------------------


def department_ids(ctx: RequestContext) -> set[int]:
    """The departments the user works for here: the org units of their department-role memberships."""
    if ctx.district is None:
        return set()
    return {
        m.org_unit_id
        for m in ctx.memberships
        if m.district_id == ctx.district.id and m.role_key == DEPARTMENT_ROLE and m.org_unit_id is not None
    }


def _visible(ctx: RequestContext) -> Any:
    """A condition on Step: every step for those who oversee the window, else the user's departments' steps."""
    if ctx.can(KEY, "view"):
        return Step.id.isnot(None)
    return Step.department_id.in_(sorted(department_ids(ctx)) or [-1])


async def list_steps(
    ctx: RequestContext, *, status: str = StepStatus.OPEN, department_id: int | None = None, limit: int = 200
) -> list[tuple[Step, Intake, Item]]:
    """The steps the user may see (open ones by default), soonest due first."""
    query = (
        select(Step, Intake, Item)
        .join(Intake, Intake.id == Step.intake_id)
        .join(Item, Item.id == Intake.item_id)
        .where(_visible(ctx), Step.status != StepStatus.WAITING)
        .order_by(Step.due_on, Step.id)
        .limit(limit)
    )
    if status:
        query = query.where(Step.status == status)
    if department_id is not None:
        query = query.where(Step.department_id == department_id)
    return [(s, i, item) for s, i, item in (await ctx.session.execute(query)).tuples()]


async def count_open(ctx: RequestContext) -> int:
    """How many open steps the user may see (the queue's count)."""
    query = select(func.count()).select_from(Step).where(_visible(ctx), Step.status == StepStatus.OPEN)
    return int((await ctx.session.execute(query)).scalar_one())


async def get_step(ctx: RequestContext, step_id: int) -> tuple[Step, Intake, Item]:
    """One step the user may see, or NotFound (a department user asking for another's step: the same 404)."""
    query = (
        select(Step, Intake, Item)
        .join(Intake, Intake.id == Step.intake_id)
        .join(Item, Item.id == Intake.item_id)
        .where(Step.id == step_id, _visible(ctx), Step.status != StepStatus.WAITING)
    )
    row = (await ctx.session.execute(query)).tuples().first()
    if row is None:
        raise NotFound("没有这个办理环节", "No such step")
    return row[0], row[1], row[2]


async def steps_of(session: AsyncSession, intake_id: int) -> list[Step]:
    """Every step of an intake, by stage and department."""
    query = select(Step).where(Step.intake_id == intake_id).order_by(Step.stage, Step.department_id, Step.id)
    return list((await session.execute(query.execution_options(populate_existing=True))).scalars())


# -- moving along ---------------------------------------------------------------------------------


async def _calendar(ctx: RequestContext) -> workdays.DistrictCalendar:
    assert ctx.district is not None
    return await workdays.calendar_for(ctx.session, ctx.district)


async def _department_users(session: AsyncSession, district_id: int, department_id: int) -> list[int]:
    query = select(Membership.user_id).where(
        Membership.district_id == district_id,
        Membership.org_unit_id == department_id,
        Membership.role_key == DEPARTMENT_ROLE,
    )
    return sorted(set((await session.execute(query)).scalars()))


async def _open_stage(ctx: RequestContext, intake: Intake, steps: list[Step], stage: int, today: date) -> None:
    assert ctx.district is not None
    calendar = await _calendar(ctx)
    intake.stage = stage
    for step in steps:
        if step.stage != stage:
            continue
        step.status, step.opened_on = StepStatus.OPEN, today
        step.due_on = _date(calendar.add_working_days(today, step.days))
        if ctx.extra.get(QUIET):
            continue
        users = await _department_users(ctx.session, ctx.district.id, step.department_id)
        await notify(
            ctx.session,
            users,
            "one_window.step_new",
            {"reference": intake.reference, "due": step.due_on.isoformat()},
            ctx.url(f"/one_window/steps/{step.id}"),
            dedupe_key=f"one_window.step_new:{step.id}",
        )


async def start_route(
    ctx: RequestContext, case: Case, intake: Intake, item: Item | ItemVersion, *, today: date
) -> list[Step]:
    """Write the intake's steps from the route of the item's version it was received under and open the first
    stage (nothing when already started)."""
    assert ctx.district is not None and ctx.user is not None
    if intake.stage >= 0:
        return await steps_of(ctx.session, intake.id)
    route = route_of(item)
    steps = [
        Step(
            district_id=ctx.district.id,
            intake_id=intake.id,
            stage=number,
            department_id=department,
            days=int(stage["days"]),
            status=StepStatus.WAITING,
        )
        for number, stage in enumerate(route)
        for department in stage["departments"]
    ]
    if not steps:
        return []
    ctx.session.add_all(steps)
    await ctx.session.flush()
    await _open_stage(ctx, intake, steps, 0, today)
    await append_event(ctx.session, case, "one_window.routed", ctx.user.id, {"stages": len(route)})
    await ctx.session.flush()
    return steps


async def _locked_intake(ctx: RequestContext, intake_id: int) -> Intake:
    query = select(Intake).where(Intake.id == intake_id).with_for_update().execution_options(populate_existing=True)
    return (await ctx.session.execute(query)).scalar_one()


async def answer_step(
    ctx: RequestContext, step_id: int, decision: str, opinion: str, *, today: date | None = None
) -> Step:
    """A department answers its open step; when every step of the stage is answered, the stage is joined once."""
    from plugins.one_window.intake import case_of, today_local  # noqa: PLC0415 - intake imports this module

    assert ctx.user is not None
    errors: dict[str, str] = {}
    if decision not in DECISIONS:
        errors["decision"] = _("Choose one of the listed options.")
    if not opinion.strip():
        errors["opinion"] = _("Give the department's opinion.")
    elif len(opinion) > 1000:
        errors["opinion"] = _("At most %(limit)s characters (now %(length)s).", limit=1000, length=len(opinion))
    step, _intake, _item = await get_step(ctx, step_id)
    if step.department_id not in department_ids(ctx):
        raise NotFound("没有这个办理环节", "No such step")
    if errors:
        raise InvalidData(_("Please correct the marked fields."), errors)
    intake = await _locked_intake(ctx, step.intake_id)  # the join's lock: answers of one intake take turns
    steps = await steps_of(ctx.session, intake.id)
    step = next(s for s in steps if s.id == step_id)
    if step.status != StepStatus.OPEN:
        raise InvalidData(_("This step was already answered."), {})
    day = today or today_local()
    step.status, step.decision, step.opinion = StepStatus.DONE, decision, opinion.strip()
    step.answered_on, step.answered_by = day, ctx.user.id
    case, definition = await case_of(ctx, intake)
    await append_event(
        ctx.session,
        case,
        "one_window.answered",
        ctx.user.id,
        {"department_id": step.department_id, "decision": decision},
    )
    stage = [s for s in steps if s.stage == step.stage]
    if any(s.status == StepStatus.OPEN for s in stage):
        await ctx.session.flush()
        return step
    # The join: every department of the stage has answered.
    refused = [s for s in stage if s.decision == "disagree"]
    later = [s for s in steps if s.stage > step.stage]
    if refused:
        await _finish(ctx, case, definition, intake, "disagreed", "；".join(s.opinion for s in refused), day)
    elif later:
        await _open_stage(ctx, intake, steps, step.stage + 1, day)
    else:
        await _finish(ctx, case, definition, intake, "agreed", "；".join(s.opinion for s in stage), day)
    await ctx.session.flush()
    return step


RESULTS_ZH = {"agreed": "准予办理", "disagreed": "不予办理"}


def result_label(result: str) -> str:
    """The result in the user's words."""
    return {"agreed": _("Granted"), "disagreed": _("Not granted")}.get(result, "")


async def _finish(
    ctx: RequestContext, case: Case, definition: Any, intake: Intake, result: str, text: str, day: date
) -> None:
    assert ctx.district is not None
    outcome = f"{RESULTS_ZH[result]}：{text}"[:1000]
    await perform_transition(ctx, case, definition, "complete", data={"outcome": outcome}, source="api")
    intake.status, intake.result, intake.result_text, intake.finished_on = IntakeStatus.DONE, result, text, day
    intake.stage = -2  # finished: no stage being worked
    if intake.person_id is None:
        return
    login = await applicant_login(ctx, intake)
    await notify(
        ctx.session,
        [login],
        "one_window.result",
        {"reference": intake.reference, "result": RESULTS_ZH[result]},
        ctx.url("/public/one_window/progress"),
        dedupe_key=f"one_window.result:{intake.id}",
    )
    await _record_delivery(ctx, intake, login)


async def applicant_login(ctx: RequestContext, intake: Intake) -> int | None:
    """The login of the applicant when they are a person of the register with an account (else ``None``)."""
    if intake.person_id is None:
        return None
    people = await residents.find_people_by_phone(ctx.session, intake.phone)
    return next((p.user_id for p in people if p.id == intake.person_id and p.user_id), None)


async def _record_delivery(ctx: RequestContext, intake: Intake, login: int | None) -> None:
    """With the district's ``service_organization`` set: the service was delivered (a rating module may invite)."""
    assert ctx.district is not None and ctx.user is not None
    values = await plugin_settings(ctx.session, ctx.district, ctx.host, KEY)
    name = str(values.get("service_organization") or "").strip()
    if not name:
        return
    query = select(organizations.Organization.id).where(organizations.Organization.name == name)
    organization_id = (await ctx.session.execute(query)).scalar_one_or_none()
    if organization_id is None:
        return
    await deliveries.record(
        ctx,
        organization_id=organization_id,
        kind="one_window",
        reference=f"one_window:{intake.reference}",
        delivered_at=utcnow(),
        resident_id=intake.person_id,
        user_id=login,
        verified_by=ctx.user.id,
        title=intake.reference,
        source=KEY,
    )


# -- the resident's view ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """What the public progress lookup shows: no name, no phone, no staff, only where the request stands."""

    reference: str
    item_title: str
    received_on: date
    status: str
    promised_on: date | None
    stages: list[list[tuple[str, str]]]
    result: str
    result_text: str
    finished_on: date | None


LOOKUP_LIMIT = 10  # progress lookups per client in ten minutes
_BUCKET_MINUTES = 10


async def count_lookup(ctx: RequestContext, client: str, now: datetime | None = None) -> int:
    """Count one more progress lookup by ``client`` in the current ten minutes; return the count so far.

    One ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement: lookups fired at the same
    moment each get their own number, so none slips past the limit.
    """
    from sqlalchemy.dialects import postgresql, sqlite  # noqa: PLC0415

    from plugins.one_window.models_backoffice import Lookup  # noqa: PLC0415

    assert ctx.district is not None
    moment = now or utcnow()
    bucket = int(moment.timestamp() // 60) // _BUCKET_MINUTES
    dialect = ctx.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Lookup)
    statement = (
        insert.values(
            district_id=ctx.district.id,
            client=client[:64],
            bucket=bucket,
            attempts=1,
            created_at=moment,
            updated_at=moment,
        )
        .on_conflict_do_update(
            index_elements=["district_id", "client", "bucket"],
            set_={"attempts": Lookup.attempts + 1, "updated_at": moment},
        )
        .returning(Lookup.attempts)
    )
    return int((await ctx.session.execute(statement)).scalar_one())


async def find_progress(ctx: RequestContext, reference: str, phone: str) -> Progress | None:
    """Where the request ``reference`` stands, when ``phone`` is the applicant's; else ``None`` (the same for both).

    The reference and the phone are compared in full; nothing tells which of the two was wrong.
    """
    import hmac  # noqa: PLC0415

    from core.plugin_api import normalize_phone  # noqa: PLC0415

    ref = reference.strip().upper()[:40]
    given = normalize_phone(phone.strip()[:32]) or ""
    intake = None
    if ref:
        query = select(Intake, Item).join(Item, Item.id == Intake.item_id).where(Intake.reference == ref)
        intake = (await ctx.session.execute(query)).tuples().first()
    expected = intake[0].phone if intake is not None else "-"
    if not hmac.compare_digest(given.encode(), expected.encode()) or intake is None:
        return None
    found, item = intake
    from plugins.one_window.intake import promised_on  # noqa: PLC0415
    from plugins.one_window.service import department_names  # noqa: PLC0415

    names = await department_names(ctx.session, ctx.locale)
    stages: dict[int, list[tuple[str, str]]] = {}
    for step in await steps_of(ctx.session, found.id):
        stages.setdefault(step.stage, []).append((names.get(step.department_id, ""), step.status))
    return Progress(
        reference=found.reference,
        item_title=item.title,
        received_on=found.accepted_on,
        status=found.status,
        promised_on=promised_on(found, await _calendar(ctx)) if found.status == IntakeStatus.ACCEPTED else None,
        stages=[stages[k] for k in sorted(stages)],
        result=found.result,
        result_text=found.result_text,
        finished_on=found.finished_on,
    )


async def send_warnings(job: JobContext) -> JobResult:
    """Warn before a time limit runs out: each open step's department, and the window for the request's promise.

    A step due within ``warn_days`` working days (or overdue) warns its department's
    officers once for "due soon" and once for "overdue"; a request whose promised day is
    that close warns the window worker who received it. Idempotent (notices carry dedupe keys).
    """
    from core.plugin_api import TIMEZONE, JobResult  # noqa: PLC0415
    from plugins.one_window.intake import promised_on  # noqa: PLC0415
    from plugins.one_window.service import window_settings  # noqa: PLC0415

    assert job.district is not None
    session, district = job.session, job.district
    today = job.now.astimezone(TIMEZONE).date()
    calendar = await workdays.calendar_for(session, district)
    from core.plugin_api import PluginHost  # noqa: PLC0415

    settings = await window_settings(session, district, PluginHost.load(frozenset({KEY}), entry_points=False))
    horizon = _date(calendar.add_working_days(today, settings.warn_days))
    url = f"/d/{district.code}/one_window"
    steps = 0
    query = (
        select(Step, Intake)
        .join(Intake, Intake.id == Step.intake_id)
        .where(Step.status == StepStatus.OPEN, Step.due_on <= horizon)
    )
    for step, intake in (await session.execute(query)).tuples():
        assert step.due_on is not None
        overdue = step.due_on < today
        users = await _department_users(session, district.id, step.department_id)
        steps += await notify(
            session,
            users,
            "one_window.step_overdue" if overdue else "one_window.step_due",
            {"reference": intake.reference, "due": step.due_on.isoformat()},
            f"{url}/steps/{step.id}",
            dedupe_key=f"one_window.step:{step.id}:{'overdue' if overdue else 'due'}",
        )
    promises = 0
    for intake in (await session.execute(select(Intake).where(Intake.status == IntakeStatus.ACCEPTED))).scalars():
        day = promised_on(intake, calendar)
        if day is None or day > horizon:
            continue
        promises += await notify(
            session,
            [intake.created_by],
            "one_window.promise_due",
            {"reference": intake.reference, "due": day.isoformat()},
            f"{url}/intakes/{intake.id}",
            dedupe_key=f"one_window.promise:{intake.id}:{'overdue' if day < today else 'due'}",
        )
    from sqlalchemy import delete  # noqa: PLC0415

    from plugins.one_window.models_backoffice import Lookup  # noqa: PLC0415

    # The progress lookups' counters of past ten-minute windows are no longer needed.
    await session.execute(delete(Lookup).where(Lookup.bucket < int(job.now.timestamp() // 60) // _BUCKET_MINUTES - 1))
    return JobResult(
        f"提醒部门 {steps} 条、窗口 {promises} 条",
        {"steps": steps, "promises": promises},
        f"Warned departments {steps} times, the window {promises} times",
    )
