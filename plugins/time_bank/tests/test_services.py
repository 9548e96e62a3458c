"""A need from posting to credit: who may take each step, and hours credited exactly once."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from core import ledger
from core.cases.errors import InvalidData, StaleCase, TransitionRefused
from core.i18n import TIMEZONE
from core.models.ledger import LedgerTransfer
from core.refusal import Forbidden
from plugins.time_bank import banks
from plugins.time_bank.models import Service
from plugins.time_bank.tests.support import balance, bank_of, post_need, step, visible

TODAY = datetime.now(TIMEZONE).date().isoformat()


def _serve(as_user, world, minutes: int = 90, category: str = "chat") -> str:
    """resident posts a need, volunteer takes it and records ``minutes``; returns the reference."""
    ref = as_user("resident", lambda ctx: post_need(ctx, world.bank, category))
    as_user("volunteer", lambda ctx: step(ctx, ref, "match", volunteer=world.users["volunteer"]))
    as_user("volunteer", lambda ctx: step(ctx, ref, "complete", served_on=TODAY, minutes=minutes))
    return ref


def _earn_transfers(seed, ref: str) -> int:
    async def count(session):
        query = (
            select(func.count())
            .select_from(LedgerTransfer)
            .where(LedgerTransfer.idempotency_key == f"time_bank:earn:case:{ref}")
        )
        return (await session.execute(query)).scalar_one()

    return seed(count)


def test_resident_confirms_and_volunteer_gets_the_hours(as_user, world, seed):
    """After the resident confirms, the case is credited and the volunteer's balance shows 1 小时 30 分钟."""
    ref = _serve(as_user, world)
    case = as_user("resident", lambda ctx: step(ctx, ref, "verify"))
    assert case.state == "credited"
    minutes = seed(lambda s: balance(s, world.bank, world.users["volunteer"]))
    assert banks.fmt(minutes) == "1 小时 30 分钟"
    assert seed(_verify) == []


async def _verify(session):
    return await ledger.verify(session)


def test_double_verification_posts_once(as_user, world, seed):
    """A second click on 确认服务 is refused and the hours are credited only once."""
    ref = _serve(as_user, world)
    as_user("resident", lambda ctx: step(ctx, ref, "verify"))
    with pytest.raises(TransitionRefused):
        as_user("resident", lambda ctx: step(ctx, ref, "verify"))
    assert _earn_transfers(seed, ref) == 1
    assert seed(lambda s: balance(s, world.bank, world.users["volunteer"])) == 90


def test_two_verifications_of_the_same_version_post_once(as_user, world, seed):
    """Two confirmations made from the same page (same lock version): the second gets 409 and nothing more is posted."""
    ref = _serve(as_user, world)

    async def verify_at(ctx, version):
        from core.cases.service import definition_for, perform_transition
        from core.models.cases import Case

        case = (await ctx.session.execute(select(Case).where(Case.reference == ref))).scalar_one()
        return await perform_transition(ctx, case, await definition_for(ctx, case), "verify", lock_version=version)

    version = seed(lambda s: _lock_version(s, ref))
    as_user("resident", lambda ctx: verify_at(ctx, version))
    with pytest.raises((StaleCase, TransitionRefused)):
        as_user("tb-staff", lambda ctx: verify_at(ctx, version))
    assert _earn_transfers(seed, ref) == 1


async def _lock_version(session, ref):
    from core.models.cases import Case

    return (await session.execute(select(Case.lock_version).where(Case.reference == ref))).scalar_one()


def test_crediting_again_returns_the_same_transfer(as_user, world, seed):
    """Running the credit of an already credited case again posts nothing new."""
    from plugins.time_bank import needs

    ref = _serve(as_user, world)
    as_user("resident", lambda ctx: step(ctx, ref, "verify"))

    async def again(ctx):
        from core.models.cases import Case

        case = (await ctx.session.execute(select(Case).where(Case.reference == ref))).scalar_one()
        row = await needs.service_of(ctx, case)
        return await needs.credit(ctx, case, row)

    assert as_user("tb-staff", again) == 90
    assert _earn_transfers(seed, ref) == 1
    assert seed(lambda s: balance(s, world.bank, world.users["volunteer"])) == 90


def test_the_volunteer_cannot_verify_their_own_hours(as_user, world, seed):
    """The volunteer's own 确认服务 is refused with the reason, and nothing is credited."""
    ref = _serve(as_user, world)
    with pytest.raises(TransitionRefused) as refused:
        as_user("volunteer", lambda ctx: step(ctx, ref, "verify"))
    assert "不能核实自己" in refused.value.message
    assert seed(lambda s: balance(s, world.bank, world.users["volunteer"])) == 0


def test_volunteer_who_is_also_staff_still_cannot_verify_own_service(as_user, world, seed):
    """Even the bank's staff cannot verify a service they gave themselves."""
    ref = as_user("resident", lambda ctx: post_need(ctx, world.bank))
    as_user("tb-staff", lambda ctx: step(ctx, ref, "match", volunteer=world.users["volunteer2"]))
    as_user("volunteer2", lambda ctx: step(ctx, ref, "complete", served_on=TODAY, minutes=60))
    with pytest.raises(TransitionRefused):
        as_user("volunteer2", lambda ctx: step(ctx, ref, "verify"))
    assert as_user("tb-staff", lambda ctx: step(ctx, ref, "verify")).state == "credited"


def test_a_stranger_cannot_verify(as_user, world):
    """Another resident of the bank cannot confirm someone else's service."""
    ref = _serve(as_user, world)
    with pytest.raises(TransitionRefused) as refused:
        as_user("resident2", lambda ctx: step(ctx, ref, "verify"))
    assert "服务对象" in refused.value.message


def test_staff_of_another_bank_cannot_verify(as_user, world):
    """The staff of 牡丹时间银行 cannot confirm a service of 平桥时间银行."""
    ref = _serve(as_user, world)
    with pytest.raises(TransitionRefused):
        as_user("tb-staff2", lambda ctx: step(ctx, ref, "verify"))


def test_credits_follow_the_category_rate(as_user, world, seed):
    """Two hours of 理发 at rate 200% credit four hours; 咨询 at 0% credits nothing."""
    ref = _serve(as_user, world, minutes=120, category="haircut")
    as_user("resident", lambda ctx: step(ctx, ref, "verify"))
    assert seed(lambda s: balance(s, world.bank, world.users["volunteer"])) == 240
    ref2 = _serve(as_user, world, minutes=60, category="consult")
    assert as_user("resident", lambda ctx: step(ctx, ref2, "verify")).state == "credited"
    assert seed(lambda s: balance(s, world.bank, world.users["volunteer"])) == 240


def test_yearly_cap_limits_what_is_credited(as_user, world, seed):
    """With a yearly cap of 2 hours, a 90-minute then a 60-minute service credit 90 and 30 minutes, with a note."""

    async def cap(session):
        bank = await bank_of(session, world.bank)
        await banks.update_rules(session, bank, banks.BankRules(yearly_cap=120))

    seed(cap)
    first = _serve(as_user, world, 90)
    as_user("resident", lambda ctx: step(ctx, first, "verify"))
    ref = _serve(as_user, world, 60)
    as_user("resident", lambda ctx: step(ctx, ref, "verify"))
    assert seed(lambda s: balance(s, world.bank, world.users["volunteer"])) == 120

    async def credited(session):
        from core.models.cases import Case

        case_id = (await session.execute(select(Case.id).where(Case.reference == ref))).scalar_one()
        return (await session.execute(select(Service.credited_minutes).where(Service.case_id == case_id))).scalar_one()

    assert seed(credited) == 30


def test_a_reversed_credit_no_longer_counts_towards_the_yearly_cap(as_user, world, seed):
    """Cap 2 hours: 90 minutes credited, then reversed by staff; a later 90-minute service is credited in full."""

    async def cap(session):
        bank = await bank_of(session, world.bank)
        await banks.update_rules(session, bank, banks.BankRules(yearly_cap=120))

    seed(cap)
    first = _serve(as_user, world, 90)
    as_user("resident", lambda ctx: step(ctx, first, "verify"))

    async def undo(session):
        key = f"time_bank:earn:case:{first}"
        query = select(LedgerTransfer).where(LedgerTransfer.idempotency_key == key)
        transfer = (await session.execute(query)).scalar_one()
        await ledger.reverse(
            session,
            district_id=transfer.district_id,
            transfer_id=transfer.id,
            reason="记错了服务时长",
            created_by_id=None,
            idempotency_key=f"reverse:{key}",
        )
        bank = await bank_of(session, world.bank)
        return await banks.earned_in_year(session, bank, world.users["volunteer"], datetime.now(TIMEZONE))

    assert seed(undo) == 0
    second = _serve(as_user, world, 90)
    as_user("resident", lambda ctx: step(ctx, second, "verify"))
    assert seed(lambda s: balance(s, world.bank, world.users["volunteer"])) == 90
    assert seed(_verify) == []


def test_max_balance_leaves_the_case_verified_with_the_reason(as_user, world, seed):
    """When crediting would pass the bank's maximum balance, the case stays 已核实 and nothing is posted."""

    async def limit(session):
        bank = await bank_of(session, world.bank)
        await banks.update_rules(session, bank, banks.BankRules(max_balance=60))

    seed(limit)
    ref = _serve(as_user, world, 90)
    case = as_user("resident", lambda ctx: step(ctx, ref, "verify"))
    assert case.state == "verified"
    assert _earn_transfers(seed, ref) == 0
    assert seed(lambda s: balance(s, world.bank, world.users["volunteer"])) == 0


def test_volunteer_cannot_take_a_need_for_someone_else(as_user, world):
    """A volunteer naming another volunteer when taking a need is refused."""
    ref = as_user("resident", lambda ctx: post_need(ctx, world.bank))
    with pytest.raises(TransitionRefused):
        as_user("volunteer", lambda ctx: step(ctx, ref, "match", volunteer=world.users["volunteer2"]))


def test_non_member_cannot_take_a_need(as_user, world):
    """A volunteer who has not been approved by the bank cannot take its needs."""
    ref = as_user("resident", lambda ctx: post_need(ctx, world.bank))
    with pytest.raises(TransitionRefused) as refused:
        as_user("newbie", lambda ctx: step(ctx, ref, "match", volunteer=world.users["newbie"]))
    assert "志愿者" in refused.value.message


def test_need_with_unknown_category_is_refused(as_user, world, seed):
    """A need in a category the bank does not have is refused on the category field, and no case is made."""
    with pytest.raises(InvalidData) as invalid:
        as_user("resident", lambda ctx: post_need(ctx, world.bank, "dance"))
    assert "category" in invalid.value.errors
    assert "陪聊" in invalid.value.errors["category"]


def test_resident_cannot_post_for_someone_else(as_user, world):
    """Only the bank's staff may post a need on behalf of another person."""
    with pytest.raises(InvalidData):
        as_user("resident", lambda ctx: post_need(ctx, world.bank, served_user=world.users["resident2"]))
    ref = as_user("tb-staff", lambda ctx: post_need(ctx, world.bank, served_user=world.users["resident2"]))
    assert ref.startswith("HS-")


def test_dispute_then_reject_credits_nothing(as_user, world, seed):
    """A disputed service upheld by staff is cancelled and credits nothing."""
    ref = _serve(as_user, world)
    as_user("resident", lambda ctx: step(ctx, ref, "dispute", reason="只来了半小时"))
    with pytest.raises((TransitionRefused, Forbidden)):
        as_user("volunteer", lambda ctx: step(ctx, ref, "reject", reason="我说了算"))
    assert as_user("tb-staff", lambda ctx: step(ctx, ref, "reject", reason="核实后异议成立")).state == "cancelled"
    assert seed(lambda s: balance(s, world.bank, world.users["volunteer"])) == 0


def test_dispute_resolved_with_corrected_minutes(as_user, world, seed):
    """Staff correct a disputed service to 30 minutes; after the resident confirms, 30 minutes are credited."""
    ref = _serve(as_user, world)
    as_user("resident", lambda ctx: step(ctx, ref, "dispute", reason="只来了半小时"))
    as_user("tb-staff", lambda ctx: step(ctx, ref, "resolve", minutes=30, reason="电话核实为半小时"))
    as_user("resident", lambda ctx: step(ctx, ref, "verify"))
    assert seed(lambda s: balance(s, world.bank, world.users["volunteer"])) == 30


def test_served_on_in_the_future_is_refused(as_user, world):
    """Recording hours for a date after today is refused on the date field."""
    ref = as_user("resident", lambda ctx: post_need(ctx, world.bank))
    as_user("volunteer", lambda ctx: step(ctx, ref, "match", volunteer=world.users["volunteer"]))
    tomorrow = (datetime.now(TIMEZONE).date() + timedelta(days=2)).isoformat()
    with pytest.raises(InvalidData) as invalid:
        as_user("volunteer", lambda ctx: step(ctx, ref, "complete", served_on=tomorrow, minutes=60))
    assert "served_on" in invalid.value.errors


def test_who_sees_a_need(as_user, world):
    """The resident, the bank's volunteers (while posted) and staff see a need; other banks' staff do not."""
    ref = as_user("resident", lambda ctx: post_need(ctx, world.bank))
    for name, expected in [
        ("resident", True),
        ("volunteer2", True),
        ("tb-staff", True),
        ("tb-staff2", False),
        ("resident2", False),
        ("newbie", False),
        ("district-admin", True),
    ]:
        assert as_user(name, lambda ctx: visible(ctx, ref)) is expected, name
    as_user("volunteer", lambda ctx: step(ctx, ref, "match", volunteer=world.users["volunteer"]))
    assert as_user("volunteer", lambda ctx: visible(ctx, ref)) is True
    assert as_user("volunteer2", lambda ctx: visible(ctx, ref)) is False
