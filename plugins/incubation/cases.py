"""Applications and stages: the rules of the ``incubation_case`` case type.

An application opens a core case (its workflow holds the stage) and an :class:`Incubation`
row (organization × incubator, one active at a time: a partial unique index). Stage steps
are taken through the case engine; :func:`refusal` (``before_transition``) checks the
evidence and :func:`after_step` (``after_transition``) mirrors the stage and updates the
organization record (filed / registered).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.plugin_api import (
    TIMEZONE,
    Case,
    CaseEvent,
    Refusal,
    TransitionRefused,
    create_case,
    definition_for,
    localized,
    organizations,
    perform_transition,
    plugin_settings,
    utcnow,
    workdays,
)
from core.plugin_api import gettext as _
from plugins.incubation.manifest import CASE_TYPE, KEY
from plugins.incubation.models import MODES, Allocation, Assessment, Cohort, Criterion, Incubation, Mentor
from plugins.incubation.service import check_choice, check_date, check_int, check_text, get_incubator, refuse

if TYPE_CHECKING:
    from collections.abc import Mapping

    from core.plugin_api import CaseTypeDef, RequestContext, Transition

__all__ = (
    "STANDARD_CRITERIA",
    "after_step",
    "apply",
    "decide_criterion",
    "get_incubation",
    "refusal",
    "renew",
    "set_agreement",
    "take_step",
    "today",
)

# Graduation criteria offered on the agreement form (NBIA: written into the agreement).
STANDARD_CRITERIA: tuple[tuple[str, str], ...] = (
    ("完成登记，取得统一社会信用代码", "Registered, with a unified social credit code"),
    ("有固定的负责人和章程", "A standing leader and a charter"),
    ("独立运营项目至少一个", "Runs at least one project on its own"),
    ("有规范的财务制度", "Has proper bookkeeping"),
    ("稳定的志愿者队伍（10 人以上）", "A steady volunteer team (10+)"),
    ("能力评估总分较入驻时提升", "Capacity score improved since intake"),
)


def today() -> date:
    """Today in China."""
    return utcnow().astimezone(TIMEZONE).date()


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


async def settings_of(ctx: RequestContext) -> dict[str, Any]:
    assert ctx.district is not None
    return dict(await plugin_settings(ctx.session, ctx.district, ctx.host, KEY))


async def get_incubation(ctx: RequestContext, incubation_id: int) -> Incubation:
    row = (await ctx.session.execute(select(Incubation).where(Incubation.id == incubation_id))).scalar_one_or_none()
    if row is None:
        raise Refusal("没有这个孵化记录。", "No such incubation.", status_code=404)
    return row


async def incubation_of_case(ctx: RequestContext, case: Case) -> Incubation | None:
    return (await ctx.session.execute(select(Incubation).where(Incubation.case_id == case.id))).scalar_one_or_none()


async def case_of(ctx: RequestContext, incubation: Incubation) -> Case:
    return (await ctx.session.execute(select(Case).where(Case.id == incubation.case_id))).scalar_one()


# ---------------------------------------------------------------- applying


async def apply(ctx: RequestContext, raw: Mapping[str, Any]) -> Incubation:
    """A group applies to an incubator (a new group becomes an informal organization in the registry).

    ``organization_id``: an organization the user is staff of (centre staff: any); or
    ``group_name`` (+ ``contact_name``, ``contact_phone``) for a group not yet in the registry.
    Refused (409) while the organization has an active incubation at that incubator.
    """
    assert ctx.user is not None and ctx.district is not None
    errors: dict[str, tuple[str, str]] = {}
    incubator_id = check_int(raw.get("incubator_id"), "incubator_id", errors)
    mode = check_choice(raw.get("mode") or "on_site", "mode", MODES, errors)
    summary = check_text(raw.get("summary"), "summary", errors, limit=2000)
    group_name = check_text(raw.get("group_name"), "group_name", errors, limit=100)
    contact_name = check_text(raw.get("contact_name"), "contact_name", errors, limit=50)
    contact_phone = check_text(raw.get("contact_phone"), "contact_phone", errors, limit=20)
    org_raw = str(raw.get("organization_id") or "").strip()
    if not org_raw and not group_name:
        errors["group_name"] = (
            "请选择申请的组织，或填写新团队的名称。",
            "Choose the applying organization, or name the new group.",
        )
    cohort_id = None
    if str(raw.get("cohort_id") or "").strip():
        cohort_id = check_int(raw.get("cohort_id"), "cohort_id", errors)
    refuse(errors)
    incubator = await get_incubator(ctx.session, incubator_id)
    if cohort_id is not None:
        cohort = (
            await ctx.session.execute(select(Cohort).where(Cohort.id == cohort_id, Cohort.incubator_id == incubator.id))
        ).scalar_one_or_none()
        if cohort is None:
            refuse({"cohort_id": ("请选择本基地的批次。", "Choose a cohort of this incubator.")})
    staff = ctx.can(KEY, "manage")
    async with ctx.session.begin_nested():
        if org_raw:
            org_id = check_int(org_raw, "organization_id", errors)
            refuse(errors)
            org = await organizations.get_organization(ctx.session, ctx.district, org_id)
            if not staff and not await organizations.is_staff_of(ctx.session, ctx.district, org.id, ctx.user.id):
                refuse(
                    {
                        "organization_id": (
                            "您不是该组织的负责人或工作人员。",
                            "You are not a leader or staff of this organization.",
                        )
                    },
                    403,
                )
        else:
            data = organizations.OrganizationInput(
                name=group_name,
                kind="informal",
                contact_name=contact_name,
                contact_phone=contact_phone,
                description=summary,
            )
            org = await organizations.create_organization(ctx.session, ctx.district, data)
            if not staff:
                await organizations.add_member(ctx.session, ctx.district, org.id, role="leader", user_id=ctx.user.id)
        blocks = [s for s in await organizations.standing_of(ctx, org) if s.blocks]
        if blocks:
            raise Refusal(
                f"该组织目前不能申请入驻：{blocks[0].reason_zh}",
                f"This organization may not apply now: {blocks[0].reason_en or blocks[0].reason_zh}",
                status_code=409,
            )
        await _refuse_if_active(ctx, org.id, incubator.id)
        title = localized(f"{org.name} 入驻{incubator.name}申请", f"{org.name}: application to {incubator.name}")
        case = await create_case(
            ctx, CASE_TYPE, title=title[:200], data={"summary": summary} if summary else {}, channel="web"
        )
        row = Incubation(
            case_id=case.id,
            organization_id=org.id,
            incubator_id=incubator.id,
            cohort_id=cohort_id,
            mode=mode,
            stage="applied",
            active=True,
            applied_on=today(),
        )
        try:
            async with ctx.session.begin_nested():
                ctx.session.add(row)
                await ctx.session.flush()
        except IntegrityError as exc:
            raise _already_active() from exc
    return row


def _already_active() -> Refusal:
    return Refusal(
        "该组织在这个孵化基地已有进行中的孵化。",
        "This organization already has an active incubation at this incubator.",
        errors={"organization_id": _("Already incubating here.")},
        status_code=409,
    )


async def _refuse_if_active(ctx: RequestContext, organization_id: int, incubator_id: int) -> None:
    query = select(Incubation.id).where(
        Incubation.organization_id == organization_id,
        Incubation.incubator_id == incubator_id,
        Incubation.active.is_(True),
    )
    if (await ctx.session.execute(query.limit(1))).first() is not None:
        raise _already_active()


# ---------------------------------------------------------------- agreement and criteria


async def set_agreement(ctx: RequestContext, incubation: Incubation, raw: Mapping[str, Any]) -> Incubation:
    """The incubation agreement: start, planned end (default: the setting's months), mentor, criteria.

    ``criteria``: standard criteria chosen (their Chinese text, a list), ``custom_criteria``: one per line.
    """
    if not incubation.active:
        refuse({"_": ("孵化已结束，不能修改协议。", "The incubation has ended; the agreement cannot change.")}, 409)
    settings = await settings_of(ctx)
    errors: dict[str, tuple[str, str]] = {}
    start = check_date(raw.get("start_on"), "start_on", errors)
    end = check_date(raw.get("planned_end_on"), "planned_end_on", errors, required=False)
    mentor_id = None
    if str(raw.get("mentor_id") or "").strip():
        mentor_id = check_int(raw.get("mentor_id"), "mentor_id", errors)
    chosen = raw.get("criteria") or []
    if isinstance(chosen, str):
        chosen = [chosen]
    standard = {zh for zh, _en in STANDARD_CRITERIA}
    bad = [c for c in chosen if c not in standard]
    if bad:
        errors["criteria"] = ("请从列表中选择出壳条件。", "Choose graduation criteria from the list.")
    custom_text = check_text(raw.get("custom_criteria"), "custom_criteria", errors, limit=2000)
    custom = [line.strip() for line in custom_text.splitlines() if line.strip()]
    if any(len(c) > 200 for c in custom):
        errors["custom_criteria"] = ("每条出壳条件最多 200 字。", "At most 200 characters per criterion.")
    if start and not end:
        end = add_months(start, int(settings["planned_months"]))
    if start and end and end <= start:
        errors["planned_end_on"] = ("计划结束日期须晚于开始日期。", "The planned end must be after the start.")
    if mentor_id is not None and "mentor_id" not in errors:
        found = (await ctx.session.execute(select(Mentor.id).where(Mentor.id == mentor_id))).first()
        if found is None:
            errors["mentor_id"] = ("请选择一位导师。", "Choose a mentor.")
    refuse(errors)
    incubation.start_on = start
    incubation.planned_end_on = end
    incubation.mentor_id = mentor_id
    existing = {c.label for c in await criteria_of(ctx, incubation)}
    for text in [*chosen, *custom]:
        if text not in existing:
            ctx.session.add(Criterion(incubation_id=incubation.id, label=text))
            existing.add(text)
    await ctx.session.flush()
    return incubation


async def criteria_of(ctx: RequestContext, incubation: Incubation) -> list[Criterion]:
    query = select(Criterion).where(Criterion.incubation_id == incubation.id).order_by(Criterion.id)
    return list((await ctx.session.execute(query)).scalars())


async def decide_criterion(
    ctx: RequestContext, incubation: Incubation, criterion_id: int, raw: Mapping[str, Any]
) -> Criterion:
    """Mark a criterion met (with evidence) or waived (by a named approver), or pending again."""
    assert ctx.user is not None
    found = (
        await ctx.session.execute(
            select(Criterion).where(Criterion.id == criterion_id, Criterion.incubation_id == incubation.id)
        )
    ).scalar_one_or_none()
    if found is None:
        raise Refusal("没有这条出壳条件。", "No such criterion.", status_code=404)
    errors: dict[str, tuple[str, str]] = {}
    status = check_choice(raw.get("status"), "status", ("pending", "met", "waived"), errors)
    evidence = check_text(raw.get("evidence"), "evidence", errors, limit=500)
    approver = check_text(raw.get("approver"), "approver", errors, limit=50)
    if status == "met" and not evidence:
        errors["evidence"] = ("请写明达成的依据。", "Say what shows the criterion is met.")
    if status == "waived" and not approver:
        errors["approver"] = ("豁免须写明批准人姓名。", "A waiver needs the name of the person who approved it.")
    refuse(errors)
    found.status = status
    found.evidence = evidence
    found.approver = approver if status == "waived" else ""
    found.decided_by = ctx.user.id if status != "pending" else None
    found.decided_on = today() if status != "pending" else None
    await ctx.session.flush()
    return found


async def renew(ctx: RequestContext, incubation: Incubation, raw: Mapping[str, Any]) -> Incubation:
    """续驻: extend the planned end by some months (default: 12)."""
    if not incubation.active or incubation.planned_end_on is None:
        refuse(
            {
                "_": (
                    "只有签订了协议、仍在孵化的组织可以续驻。",
                    "Only an active incubation with an agreement can be renewed.",
                )
            },
            409,
        )
    errors: dict[str, tuple[str, str]] = {}
    months = check_int(raw.get("months") or 12, "months", errors, low=1, high=36)
    refuse(errors)
    assert incubation.planned_end_on is not None
    incubation.planned_end_on = add_months(incubation.planned_end_on, months)
    incubation.renewals += 1
    incubation.renewal_reminded_for = None
    await ctx.session.flush()
    return incubation


# ---------------------------------------------------------------- stages (case engine hooks)


async def take_step(
    ctx: RequestContext, incubation: Incubation, step: str, data: dict[str, Any], reason: str = ""
) -> Incubation:
    """Take a workflow step of the incubation's case (the same rules as on the case page)."""
    case = await case_of(ctx, incubation)
    definition = await definition_for(ctx, case)
    await perform_transition(ctx, case, definition, step, data=data, reason=reason, source="api")
    await ctx.session.refresh(incubation)
    return incubation


def _code_problem(code: str, registered_type: str) -> tuple[str, str] | None:
    if not organizations.is_valid_credit_code(code):
        return ("统一社会信用代码无效（请核对 18 位代码及校验位）。", "The unified social credit code is not valid.")
    digit = {"social_group": "1", "social_service": "2", "foundation": "3"}.get(registered_type, "")
    if code[0] != "5" or (digit and code[1] != digit):
        return (
            "该代码不属于所选类型的社会组织（社会团体 51、社会服务机构 52、基金会 53 开头）。",
            "This code does not belong to a social organization of the chosen type (51, 52, 53).",
        )
    return None


async def refusal(ctx: RequestContext, case: Case, transition: Transition, data: dict[str, Any]) -> str | None:
    """Why a stage step may not be taken (Chinese first), or ``None``."""
    incubation = await incubation_of_case(ctx, case)
    if incubation is None:
        return _("This case has no incubation record.")
    assert ctx.district is not None
    key = transition.key
    problem: tuple[str, str] | None = None
    if key == "file" and not str(data.get("filing_number") or "").strip():
        problem = ("备案须填写备案编号。", "Filing needs the filing number.")
    elif key == "admit" and incubation.start_on is None:
        problem = (
            "请先签订入驻协议（开始日期、计划结束日期、出壳条件）。",
            "Sign the agreement first (start, planned end, criteria).",
        )
    elif key == "register":
        code = str(data.get("credit_code") or "").strip().upper()
        if not str(data.get("registration_number") or "").strip():
            problem = ("登记须填写登记证号。", "Registration needs the registration number.")
        else:
            problem = _code_problem(code, str(data.get("registered_type") or ""))
    elif key == "enter_registered":
        org = await organizations.get_organization(ctx.session, ctx.district, incubation.organization_id)
        if not (await settings_of(ctx))["registered_may_enter_registered"]:
            problem = (
                "本区未允许已登记组织直接以“已登记”阶段入驻。",
                "This district does not let registered organizations enter at the registered stage.",
            )
        elif org.kind != organizations.OrgKind.REGISTERED:
            problem = (
                "只有已登记的组织可以直接入驻到“已登记”阶段。",
                "Only a registered organization may enter at the registered stage.",
            )
        elif incubation.start_on is None:
            problem = ("请先签订入驻协议。", "Sign the agreement first.")
    elif key == "graduate":
        problem = await _graduation_problem(ctx, incubation, data)
    return localized(*problem) if problem else None


async def _graduation_problem(
    ctx: RequestContext, incubation: Incubation, data: dict[str, Any]
) -> tuple[str, str] | None:
    assert ctx.district is not None
    org = await organizations.get_organization(ctx.session, ctx.district, incubation.organization_id)
    if org.kind != organizations.OrgKind.REGISTERED or not org.credit_code:
        return (
            "出壳须先完成登记（登记证号和统一社会信用代码）。",
            "Graduation needs the registration (number and credit code) first.",
        )
    criteria = await criteria_of(ctx, incubation)
    if not criteria:
        return ("协议中没有出壳条件，不能出壳。", "The agreement has no graduation criteria.")
    open_ones = [c.label for c in criteria if c.status == "pending"]
    if open_ones:
        return (f"还有出壳条件未达成：{'；'.join(open_ones)}", f"Criteria not met yet: {'; '.join(open_ones)}")
    if any(c.status == "waived" and not c.approver for c in criteria):
        return ("豁免的出壳条件须有批准人。", "A waived criterion needs its approver.")
    days = int((await settings_of(ctx))["assessment_within_days"])
    since = today() - timedelta(days=days)
    recent = (
        await ctx.session.execute(
            select(Assessment.id)
            .where(Assessment.incubation_id == incubation.id, Assessment.assessed_on >= since)
            .limit(1)
        )
    ).first()
    if recent is None:
        return (
            f"出壳前须在 {days} 天内做过一次能力评估。",
            f"Graduation needs a capacity assessment within the last {days} days.",
        )
    return None


async def after_step(ctx: RequestContext, case: Case, case_type: CaseTypeDef, transition: Transition) -> None:
    """Mirror the stage on the incubation; update the organization record; schedule the desk's release."""
    incubation = await incubation_of_case(ctx, case)
    if incubation is None:
        return
    assert ctx.district is not None
    day = today()
    incubation.stage = case.state
    incubation.active = case.state not in ("graduated", "exited")
    key = transition.key
    if key == "screen":
        incubation.screening_notes = str(case.data.get("screening_notes") or "")
    elif key == "admit":
        incubation.resident_on = day
    elif key in ("register", "enter_registered"):
        incubation.registered_on = day
        if key == "enter_registered":
            incubation.resident_on = incubation.resident_on or day
    elif key == "graduate":
        incubation.graduated_on = day
    elif key == "exit":
        incubation.exited_on = day
        incubation.exit_reason = await _last_reason(ctx, case)
    try:
        await _update_organization(ctx, incubation, key, case.data, day)
    except Refusal as exc:
        raise TransitionRefused(exc.lines()) from exc
    if not incubation.active:
        await schedule_release(ctx, incubation, day)
    await ctx.session.flush()


async def _last_reason(ctx: RequestContext, case: Case) -> str:
    """The reason given with the step just taken (kept on the case's timeline)."""
    query = (
        select(CaseEvent.payload)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind == "transition")
        .order_by(CaseEvent.id.desc())
        .limit(1)
    )
    payload = (await ctx.session.execute(query)).scalar_one_or_none() or {}
    return str(payload.get("reason") or "")[:500]


async def _update_organization(
    ctx: RequestContext, incubation: Incubation, key: str, data: dict[str, Any], day: date
) -> None:
    assert ctx.district is not None
    org = await organizations.get_organization(ctx.session, ctx.district, incubation.organization_id)
    values = organizations.OrganizationInput.of(org)
    if key == "file" and org.kind == organizations.OrgKind.INFORMAL:
        values.kind = "filed"
        values.filing_number = str(data.get("filing_number") or "")
        values.filed_on = day
    elif key == "register":
        values.kind = "registered"
        values.registered_type = str(data.get("registered_type") or "")
        values.credit_code = str(data.get("credit_code") or "").strip().upper()
        values.registered_on = day
    else:
        return
    await organizations.update_organization(ctx.session, ctx.district, org.id, values)


async def schedule_release(ctx: RequestContext, incubation: Incubation, day: date) -> None:
    """At exit or graduation each open desk must be handed back within N working days."""
    assert ctx.district is not None
    settings = await settings_of(ctx)
    due = await workdays.add_working_days(ctx.session, ctx.district, day, int(settings["release_working_days"]))
    query = select(Allocation).where(Allocation.incubation_id == incubation.id, Allocation.ends_on.is_(None))
    for allocation in (await ctx.session.execute(query)).scalars():
        allocation.release_due_on = due if isinstance(due, date) else due.date()
