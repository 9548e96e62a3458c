"""Stage order and evidence rules of an incubation (invariants 10–11, scenario I1)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.organizations import OrgKind, get_organization
from plugins.incubation import assessments, cases
from plugins.incubation.tests.support import VALID_CODE, apply_as, call, incubation, step, to_resident, today

REGISTER = {"registration_number": "海民社证字第 0103 号", "credit_code": VALID_CODE, "registered_type": "social_group"}


def _org(as_user: Any, org_id: int) -> Any:
    async def run(ctx: Any) -> tuple[str, str, str | None, str]:
        org = await get_organization(ctx.session, ctx.district, org_id)
        return org.kind.value, org.filing_number, org.credit_code, org.name

    return as_user("incubator", run)


def _criteria(as_user: Any, incubation_id: int) -> list[Any]:
    async def run(ctx: Any) -> list[tuple[int, str, str]]:
        return [(c.id, c.label, c.status) for c in await cases.criteria_of(ctx, await incubation(ctx, incubation_id))]

    return as_user("incubator", run)


def _decide(as_user: Any, incubation_id: int, criterion_id: int, **data: str) -> Any:
    async def run(ctx: Any) -> Any:
        return await cases.decide_criterion(ctx, await incubation(ctx, incubation_id), criterion_id, data)

    return call(as_user, run)


def _assess(as_user: Any, incubation_id: int) -> Any:
    dims = ("governance", "finance", "projects", "volunteers", "resources")
    scores = {d: {"i1": 6, "i2": 6} for d in dims}  # 3 of 5 in each dimension

    async def run(ctx: Any) -> Any:
        row = await incubation(ctx, incubation_id)
        return await assessments.add_assessment(
            ctx, row, {"phase": "final", "assessor": "王晓红", "indicator_scores": scores}
        )

    return call(as_user, run, "mentor")


def test_stages_cannot_be_skipped(as_user, world):
    """An application cannot be admitted or registered straight away: each stage comes in order."""
    inc = apply_as(as_user, world)
    assert "不能执行" in step(as_user, inc, "admit") or "not possible" in step(as_user, inc, "admit")
    assert step(as_user, inc, "register", REGISTER) is not None
    assert step(as_user, inc, "screen", {"screening_notes": "同意"}) is None
    assert step(as_user, inc, "graduate") is not None


def test_filing_needs_a_number_and_updates_the_registry(as_user, world):
    """备案 needs the filing number; once filed, the organization record says filed with that number."""
    inc = apply_as(as_user, world)
    step(as_user, inc, "screen", {"screening_notes": "同意"})
    assert step(as_user, inc, "file") is not None
    assert _org(as_user, world.member)[0] == "informal"
    assert step(as_user, inc, "file", {"filing_number": "海曙备字 2026-009"}) is None
    assert _org(as_user, world.member)[:2] == ("filed", "海曙备字 2026-009")


def test_admission_needs_the_agreement(as_user, world):
    """A filed group is admitted only after the agreement (start, planned end, criteria) is signed."""
    inc = apply_as(as_user, world)
    step(as_user, inc, "screen", {"screening_notes": "同意"})
    step(as_user, inc, "file", {"filing_number": "备 1"})
    assert "协议" in step(as_user, inc, "admit")


def test_agreement_defaults_to_24_months(as_user, world):
    """Without a planned end the agreement runs 24 months from the start."""
    inc = apply_as(as_user, world)
    to_resident(as_user, inc)

    async def end(ctx: Any) -> Any:
        return (await incubation(ctx, inc)).planned_end_on

    assert as_user("incubator", end) == cases.add_months(today(), 24)


def test_registration_needs_a_valid_credit_code(as_user, world):
    """登记 with a mistyped credit code is refused and the registry is unchanged; a valid one registers it."""
    inc = apply_as(as_user, world)
    to_resident(as_user, inc)
    bad = {**REGISTER, "credit_code": VALID_CODE[:-1] + ("0" if VALID_CODE[-1] != "0" else "1")}
    assert "统一社会信用代码" in step(as_user, inc, "register", bad)
    assert _org(as_user, world.member)[0] == "filed"
    assert step(as_user, inc, "register", REGISTER) is None
    assert _org(as_user, world.member)[:3] == ("registered", "海曙备字 2026-001", VALID_CODE)


def test_graduation_needs_every_criterion_and_a_recent_assessment(as_user, world):
    """Scenario I1: unmet criterion → refused; waiver without approver → refused; met + named waiver → graduates."""
    inc = apply_as(as_user, world)
    to_resident(as_user, inc)
    assert step(as_user, inc, "graduate") is not None  # not registered: refused (stage order)
    assert "字段" in step(as_user, inc, "register", {**REGISTER, "registration_number": ""})  # the number is required
    step(as_user, inc, "register", REGISTER)
    refusal = step(as_user, inc, "graduate")
    assert "出壳条件未达成" in refusal and "会员 30 人以上" in refusal
    (first, _l1, _s1), (second, _l2, _s2) = _criteria(as_user, inc)
    assert "依据" in _decide(as_user, inc, first, status="met")  # met needs evidence
    assert "批准人" in _decide(as_user, inc, second, status="waived")  # a waiver needs a name
    _decide(as_user, inc, first, status="met", evidence="章程已通过")
    _decide(as_user, inc, second, status="waived", approver="沈国平")
    assert "能力评估" in step(as_user, inc, "graduate")
    _assess(as_user, inc)
    assert step(as_user, inc, "graduate") is None

    async def state(ctx: Any) -> tuple[str, bool, Any]:
        row = await incubation(ctx, inc)
        return row.stage, row.active, row.graduated_on

    assert as_user("incubator", state) == ("graduated", False, today())


def test_exit_from_any_stage_needs_a_reason(as_user, world):
    """退出 from an active stage needs a reason, which is kept on the incubation."""
    inc = apply_as(as_user, world)
    assert step(as_user, inc, "exit") is not None
    assert step(as_user, inc, "exit", reason="团队解散") is None

    async def state(ctx: Any) -> tuple[str, str, bool]:
        row = await incubation(ctx, inc)
        return row.stage, row.exit_reason, row.active

    assert as_user("incubator", state) == ("exited", "团队解散", False)


def test_registered_organization_may_enter_at_registered_when_configured(as_user, world, seed):
    """龙华 rule: a registered organization skips to 已登记; an informal group may not; the setting can forbid it."""
    from core.organizations import OrganizationInput, create_organization
    from plugins.incubation.tests.support import district

    async def registered(session: Any) -> int:
        data = OrganizationInput(
            name="已登记的协会", kind="registered", registered_type="social_group", credit_code=VALID_CODE
        )
        return (await create_organization(session, await district(session), data)).id

    org_id = seed(registered)
    informal = apply_as(as_user, world)
    step(as_user, informal, "screen", {"screening_notes": "同意"})
    assert "只有已登记的组织" in step(as_user, informal, "enter_registered")
    inc = apply_as(as_user, world, organization_id=org_id)
    step(as_user, inc, "screen", {"screening_notes": "同意"})

    async def sign(ctx: Any) -> Any:
        return await cases.set_agreement(ctx, await incubation(ctx, inc), {"start_on": today().isoformat()})

    call(as_user, sign)
    assert step(as_user, inc, "enter_registered") is None

    async def stage(ctx: Any) -> tuple[str, Any]:
        row = await incubation(ctx, inc)
        return row.stage, row.resident_on

    assert as_user("incubator", stage) == ("registered", today())
    _ = (select, OrgKind)
