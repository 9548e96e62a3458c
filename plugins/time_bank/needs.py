"""Needs as ``time_bank_service`` cases: who may take which step, and the credit, made exactly once.

The case engine runs the workflow; the hooks call :func:`register_need` when a case is
created, :func:`refusal` before a step and :func:`after_step` after it, all inside the
transaction of the step. Verification chains the ``credit`` step at once; the ledger
transfer of ``credit`` has the idempotency key ``time_bank:earn:case:<reference>``, so
a double click, a retry or a race posts once.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.plugin_api import (
    TIMEZONE,
    InvalidData,
    TransitionRefused,
    User,
    append_event,
    deliveries,
    is_english,
    ledger,
    perform_transition,
    utcnow,
)
from core.plugin_api import gettext as _
from plugins.time_bank import banks
from plugins.time_bank.manifest import CASE_TYPE
from plugins.time_bank.models import Bank, Service

if TYPE_CHECKING:
    from collections.abc import Iterable

    from core.plugin_api import Case, CaseTypeDef, RequestContext, Transition

__all__ = (
    "DELIVERY_KIND",
    "after_step",
    "credit",
    "declare_delivery",
    "delivery_reference",
    "earn_key",
    "int_or_none",
    "refusal",
    "register_need",
    "service_of",
)

AUTO_CREDIT = "time_bank_auto_credit"
DELIVERY_KIND = "time_bank.service"


def delivery_reference(row: Service) -> str:
    """The service's reference in the core's deliveries registry (unique in the district)."""
    return f"time_bank:service:{row.id}"


def earn_key(reference: str) -> str:
    """The idempotency key of a case's credit: one transfer per case, ever."""
    return f"{banks.EARN_PREFIX}case:{reference}"


async def service_of(ctx: RequestContext, case: Case) -> Service | None:
    if case.case_type_key != CASE_TYPE:
        return None
    return (await ctx.session.execute(select(Service).where(Service.case_id == case.id))).scalar_one_or_none()


def int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


async def register_need(ctx: RequestContext, case: Case) -> Service:
    """Check a new need against its bank (category, membership) and record its service row."""
    assert ctx.user is not None
    data = case.data
    bank_id = int_or_none(data.get("bank_id"))
    bank = (await ctx.session.execute(select(Bank).where(Bank.id == bank_id))).scalar_one_or_none()
    if bank is None or not bank.active:
        raise InvalidData(_("Please correct the marked fields."), {"bank_id": _("Choose one of the time banks.")})
    cats = await banks.categories(ctx.session, bank.id)
    if data.get("category") not in cats:
        names = "、".join(c.name(ctx.locale) for c in cats.values())
        raise InvalidData(
            _("Please correct the marked fields."),
            {"category": _("Choose one of this bank's categories: %(names)s.", names=names)},
        )
    served = int_or_none(data.get("served_user")) or ctx.user.id
    staff = await banks.is_staff_of(ctx, bank.id)
    if served != ctx.user.id and not staff:
        raise InvalidData(
            _("Please correct the marked fields."),
            {"served_user": _("Only the bank's staff may post a need for someone else.")},
        )
    if await banks.member_of(ctx.session, bank.id, served) is None:
        raise InvalidData(
            _("Please correct the marked fields."),
            {"served_user": _("The person served must be an approved member of this time bank.")},
        )
    wanted = data.get("wanted_on")
    row = Service(
        district_id=bank.district_id,
        case_id=case.id,
        bank_id=bank.id,
        category=str(data["category"]),
        area_id=int_or_none(data.get("area")),
        served_user_id=served,
        wanted_on=date.fromisoformat(wanted) if isinstance(wanted, str) and wanted else None,
    )
    ctx.session.add(row)
    await ctx.session.flush()
    return row


async def _volunteer_refusal(ctx: RequestContext, row: Service, volunteer: int | None, staff: bool) -> str | None:
    assert ctx.user is not None
    if volunteer is None:
        return _("Choose the volunteer.")
    if not staff and volunteer != ctx.user.id:
        return _("A volunteer can only take a need for themselves; the bank's staff match others.")
    member = await banks.member_of(ctx.session, row.bank_id, volunteer)
    if member is None or not member.is_volunteer:
        return _("This person is not an approved volunteer of this time bank.")
    if volunteer == row.served_user_id:
        return _("A volunteer cannot serve themselves.")
    return None


# Besides the bank's staff, who may take each step (by the service's people), and what others are told.
_PEOPLE = {
    "unmatch": ("volunteer",),
    "start": ("volunteer",),
    "complete": ("volunteer",),
    "verify": ("served",),
    "dispute": ("served", "volunteer"),
    "cancel": ("served", "creator"),
    "resolve": (),
    "reject": (),
    "credit": (),
}
_WHY = {
    "volunteer": lambda: _("Only the volunteer of this service or the bank's staff may do this."),
    "verify": lambda: _("Only the person served or the bank's staff may confirm this service."),
    "dispute": lambda: _("Only the people of this service or the bank's staff may dispute it."),
    "cancel": lambda: _("Only the person served or the bank's staff may cancel this need."),
    "credit": lambda: _("Hours are credited when the service is verified; only the bank's staff may retry."),
    "staff": lambda: _("Only this time bank's staff may do this."),
}


async def refusal(ctx: RequestContext, case: Case, transition: Transition, data: dict[str, Any]) -> str | None:
    """Why the user may not take this step of a time-bank case, or ``None``."""
    row = await service_of(ctx, case)
    if row is None or ctx.user is None or transition.key not in {"match", *_PEOPLE}:
        return None
    uid = ctx.user.id
    staff = await banks.is_staff_of(ctx, row.bank_id)
    if transition.key == "match":
        return await _volunteer_refusal(ctx, row, int_or_none(data.get("volunteer")), staff)
    if transition.key == "verify" and uid == row.volunteer_user_id:
        return _("The volunteer cannot verify their own hours: the person served or the bank's staff confirm them.")
    people = {"volunteer": row.volunteer_user_id, "served": row.served_user_id, "creator": case.created_by_id}
    allowed = staff or uid in {people[p] for p in _PEOPLE[transition.key]}
    if transition.key == "credit":
        allowed = staff or bool(ctx.extra.get(AUTO_CREDIT))
    if allowed:
        return None
    reason = {"unmatch": "volunteer", "start": "volunteer", "complete": "volunteer", "resolve": "staff"}
    return str(_WHY[reason.get(transition.key, "staff" if transition.key == "reject" else transition.key)]())


def _served_at(served_on: date | None) -> datetime:
    now = utcnow()
    if served_on is None:
        return now
    return min(now, datetime.combine(served_on, time(12, 0), tzinfo=TIMEZONE))


async def credit(ctx: RequestContext, case: Case, row: Service) -> int:
    """Credit the volunteer for a verified service (rate and yearly cap of the bank); once per case."""
    if row.credited_minutes is not None or row.volunteer_user_id is None or not row.minutes:
        return row.credited_minutes or 0
    bank = await banks.bank_or_404(ctx.session, row.bank_id)
    cats = await banks.categories(ctx.session, bank.id, active_only=False)
    category = cats.get(row.category)
    when = _served_at(row.served_on)
    amount = banks.credit_amount(row.minutes, category.rate_percent if category else 0)
    note = ""
    pool = await banks.pool_account(ctx.session, bank)
    account = await banks.account_of(ctx.session, bank, row.volunteer_user_id)
    # The cap counts what was earned: read it under the lock the transfer takes, so two
    # confirmations at once cannot both see room that only one of them has.
    await ledger.lock(ctx.session, district_id=bank.district_id, account_ids=[pool.id, account.id])
    if bank.yearly_cap is not None:
        left = max(0, bank.yearly_cap - await banks.earned_in_year(ctx.session, bank, row.volunteer_user_id, when))
        if amount > left:
            note = _(
                "The yearly cap of %(cap)s is reached: %(amount)s credited instead of %(full)s.",
                cap=banks.fmt(bank.yearly_cap, ctx.locale),
                amount=banks.fmt(left, ctx.locale),
                full=banks.fmt(amount, ctx.locale),
            )
            amount = left
    if amount > 0:
        name = category.name_zh if category else row.category
        transfer = await ledger.move(
            ctx.session,
            district_id=bank.district_id,
            from_account=pool.id,
            to_account=account.id,
            amount=amount,
            reason=f"{name} · {case.title}"[:500],
            category=row.category,
            link=f"case:{case.reference}",
            idempotency_key=earn_key(case.reference),
            created_by_id=ctx.user.id if ctx.user else None,
            effective_at=when,
        )
        row.transfer_id = transfer.id
    row.credited_minutes = amount
    await ctx.session.flush()
    if note:
        await append_event(ctx.session, case, "comment", None, {"text": note, "mentions": []})
    from plugins.time_bank.accounts import apply_incentives  # noqa: PLC0415 - accounts imports this module

    await apply_incentives(ctx.session, bank, row.volunteer_user_id, when, by=ctx.user.id if ctx.user else None)
    return amount


async def declare_delivery(ctx: RequestContext, case: Case, row: Service) -> deliveries.ServiceDelivery | None:
    """Tell the core's deliveries registry that the bank's organization served the resident (so it can be rated).

    The bank's operating organization is a row of the district's registry
    (``Bank.organization_id``); the verified service is recorded for it, once (the
    reference is the service's). A bank run by an organization outside the registry records
    nothing: a volunteer's service then has nobody to rate.
    """
    bank = await banks.bank_or_404(ctx.session, row.bank_id)
    org_id = bank.organization_id
    if org_id is None:
        return None
    category = (await banks.categories(ctx.session, bank.id, active_only=False)).get(row.category)
    name = category.name_zh if category else row.category
    return await deliveries.record(
        ctx,
        organization_id=org_id,
        user_id=row.served_user_id,
        kind=DELIVERY_KIND,
        reference=delivery_reference(row),
        delivered_at=_served_at(row.served_on),
        verified_by=ctx.user.id if ctx.user else None,
        title=f"{bank.name} · {name} · {case.title}",
        source="time_bank",
    )


async def _auto_credit(ctx: RequestContext, case: Case, case_type: CaseTypeDef) -> None:
    """Right after verification: the ``credit`` step, in a savepoint so a ledger refusal leaves it verified."""
    ctx.extra[AUTO_CREDIT] = True
    try:
        async with ctx.session.begin_nested():
            await perform_transition(ctx, case, case_type, "credit", source="api")
    except TransitionRefused as exc:
        await ctx.session.refresh(case)
        text = _("Verified, but the hours could not be credited yet: %(why)s", why=exc.message)
        await append_event(ctx.session, case, "comment", None, {"text": text, "mentions": []})
    finally:
        ctx.extra.pop(AUTO_CREDIT, None)


async def after_step(ctx: RequestContext, case: Case, case_type: CaseTypeDef, transition: Transition) -> None:
    """Keep the service row in step with the case, and credit the hours when verified."""
    row = await service_of(ctx, case)
    if row is None:
        return
    key = transition.key
    if key == "match":
        row.volunteer_user_id = int_or_none(case.data.get("volunteer"))
    elif key == "unmatch":
        row.volunteer_user_id = None
    elif key in {"complete", "resolve"}:
        row.minutes = int_or_none(case.data.get("minutes"))
        served = case.data.get("served_on")
        row.served_on = date.fromisoformat(served) if isinstance(served, str) and served else None
    await ctx.session.flush()
    if key == "verify":
        await declare_delivery(ctx, case, row)
        await _auto_credit(ctx, case, case_type)
    elif key == "credit":
        try:
            await credit(ctx, case, row)
        except ledger.LedgerError as exc:
            raise TransitionRefused(exc.zh if not is_english(ctx.locale) else exc.en) from exc


async def user_names(ctx: RequestContext, ids: Iterable[int | None]) -> dict[int, str]:
    """Display names of users by id."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    rows = await ctx.session.execute(select(User.id, User.display_name, User.username).where(User.id.in_(wanted)))
    return {uid: display or username for uid, display, username in rows}
