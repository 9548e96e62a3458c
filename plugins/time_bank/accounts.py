"""Spending and moving hours: redeeming, gifts to family (转赠), expiry, incentive rules.

Every movement is one ``core.ledger`` transfer with an idempotency key, so a retried
request or a re-run command never moves hours twice. A balance too low is refused by the
ledger (limits block); :class:`Refused` carries the message people see.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select

from core.plugin_api import (
    TIMEZONE,
    LedgerAccount,
    LedgerPosting,
    LedgerTransfer,
    Refusal,
    ledger,
    localized,
    use_locale,
    utcnow,
)
from core.plugin_api import gettext as _
from plugins.time_bank import banks
from plugins.time_bank.models import Badge, Bank, CatalogueItem, FamilyLink

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("Refused", "apply_incentives", "catalogue_item", "expire_unused", "gift", "record_text", "redeem")


def record_text(message: str, **variables: Any) -> str:
    """A ledger reason in Chinese, the language of record, whatever the language of the person acting.

    Statements (PDF, Excel) are Chinese documents; a gift made from the English UI must
    not print "Gift to family" on them.
    """
    with use_locale("zh_CN"):
        return _(message, **variables)


class Refused(Refusal):
    """A refused movement of hours; ``message`` is shown as it is."""

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)


async def catalogue_item(session: AsyncSession, item_id: Any) -> CatalogueItem:
    """An active catalogue service of the district by id (404 otherwise)."""
    from core.plugin_api import NotFound  # noqa: PLC0415

    wanted = int(item_id) if str(item_id or "").isdigit() else 0
    query = select(CatalogueItem).where(CatalogueItem.id == wanted, CatalogueItem.active.is_(True))
    item = (await session.execute(query)).scalar_one_or_none()
    if item is None:
        raise NotFound(_("No such service in the catalogue."))
    return item


def _too_low(exc: ledger.LimitExceeded, amount: int, locale: str) -> Refused:
    balance = exc.balance_after + amount
    return Refused(
        _(
            "Balance too low: you have %(balance)s and this needs %(amount)s. Nothing was spent.",
            balance=banks.fmt(balance, locale),
            amount=banks.fmt(amount, locale),
        )
    )


async def redeem(
    session: AsyncSession,
    bank: Bank,
    user_id: int,
    *,
    key: str,
    by: int | None,
    item: CatalogueItem | None = None,
    to_user: int | None = None,
    minutes: int = 0,
    locale: str = "zh_CN",
) -> ledger.LedgerTransfer:
    """Spend hours on a catalogue service (to the bank) or on a service from another member."""
    if await banks.member_of(session, bank.id, user_id) is None:
        raise Refused(_("Only approved members of this time bank can spend hours here."))
    account = await banks.account_of(session, bank, user_id)
    if item is not None:
        amount, target = item.price, await banks.pool_account(session, bank)
        reason, category = record_text("Redeemed: %(name)s", name=item.name), "redeem"
    else:
        if to_user is None or to_user == user_id or await banks.member_of(session, bank.id, to_user) is None:
            raise Refused(_("Choose another approved member of this time bank."))
        if minutes <= 0:
            raise Refused(_("Enter a time greater than zero."))
        amount, target = minutes, await banks.account_of(session, bank, to_user)
        reason, category = record_text("Paid for a service from another member"), "redeem"
    try:
        return await ledger.move(
            session,
            district_id=bank.district_id,
            from_account=account.id,
            to_account=target.id,
            amount=amount,
            reason=reason,
            category=category,
            link=f"time_bank:catalogue:{item.id}" if item else f"time_bank:user:{to_user}",
            idempotency_key=f"time_bank:redeem:{bank.id}:{user_id}:{key}",
            created_by_id=by,
        )
    except ledger.LimitExceeded as exc:
        if exc.account_id == account.id:
            raise _too_low(exc, amount, locale) from exc
        raise Refused(localized(exc.zh, exc.en, locale)) from exc


async def _linked(session: AsyncSession, bank_id: int, a: int, b: int) -> FamilyLink | None:
    query = select(FamilyLink).where(
        FamilyLink.bank_id == bank_id,
        or_(
            (FamilyLink.user_id == a) & (FamilyLink.relative_id == b),
            (FamilyLink.user_id == b) & (FamilyLink.relative_id == a),
        ),
    )
    return (await session.execute(query)).scalars().first()


async def _given_this_year(session: AsyncSession, account_id: int, when: datetime) -> int:
    start, end = banks.year_bounds(when)
    query = (
        select(func.coalesce(func.sum(LedgerPosting.amount), 0))
        .join(LedgerTransfer, LedgerTransfer.id == LedgerPosting.transfer_id)
        .where(
            LedgerPosting.account_id == account_id,
            LedgerPosting.amount < 0,
            LedgerPosting.effective_at >= start,
            LedgerPosting.effective_at < end,
            LedgerTransfer.idempotency_key.startswith("time_bank:gift:"),
        )
    )
    return -int((await session.execute(query)).scalar_one())


async def gift(
    session: AsyncSession,
    bank: Bank,
    user_id: int,
    to_user: int,
    minutes: int,
    *,
    key: str,
    by: int | None,
    locale: str = "zh_CN",
) -> ledger.LedgerTransfer:
    """Give hours to a linked family member (转赠), within the bank's yearly gift limit."""
    if minutes <= 0:
        raise Refused(_("Enter a time greater than zero."))
    link = await _linked(session, bank.id, user_id, to_user)
    if link is None or await banks.member_of(session, bank.id, to_user) is None:
        raise Refused(_("Hours can only be given to a family member linked by the bank's staff."))
    account = await banks.account_of(session, bank, user_id)
    target = await banks.account_of(session, bank, to_user)
    # The limit counts past gifts: read them under the lock the transfer takes (see credit()).
    await ledger.lock(session, district_id=bank.district_id, account_ids=[account.id, target.id])
    if bank.gift_yearly_max is not None:
        given = await _given_this_year(session, account.id, utcnow())
        if given + minutes > bank.gift_yearly_max:
            raise Refused(
                _(
                    "This bank allows giving at most %(max)s a year; you have given %(given)s already.",
                    max=banks.fmt(bank.gift_yearly_max, locale),
                    given=banks.fmt(given, locale),
                )
            )
    try:
        return await ledger.move(
            session,
            district_id=bank.district_id,
            from_account=account.id,
            to_account=target.id,
            amount=minutes,
            reason=record_text("Gift to family (%(relation)s)", relation=link.relation),
            category="gift",
            link=f"time_bank:family:{link.id}",
            idempotency_key=f"time_bank:gift:{bank.id}:{user_id}:{key}",
            created_by_id=by,
        )
    except ledger.LimitExceeded as exc:
        if exc.account_id == account.id:
            raise _too_low(exc, minutes, locale) from exc
        raise Refused(localized(exc.zh, exc.en, locale)) from exc


def _months_back(when: datetime, months: int) -> datetime:
    local = when.astimezone(TIMEZONE)
    index = local.year * 12 + local.month - 1 - months
    year, month = divmod(index, 12)
    return datetime(year, month + 1, 1, tzinfo=TIMEZONE)


async def expire_unused(session: AsyncSession, bank: Bank, *, as_of: datetime | None = None, by: int | None) -> int:
    """Send hours older than the bank's expiry back to the bank, as transfers (never a deletion).

    Hours are spent oldest first, so what a member holds beyond the hours received since
    the cut-off is old. Runs once per account and month (idempotency key); returns the
    number of transfers made.
    """
    if not bank.expiry_months:
        return 0
    now = as_of or utcnow()
    cutoff = _months_back(now, bank.expiry_months)
    period = now.astimezone(TIMEZONE).strftime("%Y-%m")
    pool = await banks.pool_account(session, bank)
    prefix = f"time_bank:{bank.id}:user:"
    accounts = (
        await session.execute(
            select(LedgerAccount).where(
                LedgerAccount.owner_ref.startswith(prefix, autoescape=True), LedgerAccount.balance > 0
            )
        )
    ).scalars()
    made = 0
    for account in list(accounts):
        key = f"time_bank:expire:{bank.id}:{account.id}:{period}"
        if (await session.execute(select(LedgerTransfer.id).where(LedgerTransfer.idempotency_key == key))).first():
            continue
        recent = select(func.coalesce(func.sum(LedgerPosting.amount), 0)).where(
            LedgerPosting.account_id == account.id, LedgerPosting.amount > 0, LedgerPosting.effective_at >= cutoff
        )
        old = account.balance - int((await session.execute(recent)).scalar_one())
        if old <= 0:
            continue
        await ledger.move(
            session,
            district_id=bank.district_id,
            from_account=account.id,
            to_account=pool.id,
            amount=old,
            reason=record_text("Unused hours expired after %(months)s months", months=bank.expiry_months),
            category="expiry",
            link=f"time_bank:expiry:{period}",
            idempotency_key=key,
            created_by_id=by,
        )
        made += 1
    return made


async def apply_incentives(session: AsyncSession, bank: Bank, user_id: int, when: datetime, *, by: int | None) -> int:
    """Award each incentive rule the member now meets: a badge and a bonus, once per rule and period."""
    awarded = 0
    for rule in bank.incentives or []:
        yearly = rule.get("period", "year") == "year"
        period = str(when.astimezone(TIMEZONE).year) if yearly else "ever"
        exists = select(Badge.id).where(
            Badge.bank_id == bank.id, Badge.user_id == user_id, Badge.rule_key == rule["key"], Badge.period == period
        )
        if (await session.execute(exists)).first():
            continue
        if yearly:
            earned = await banks.earned_in_year(session, bank, user_id, when)
        else:
            earned = await banks.earned_minutes(session, bank, user_id)
        if earned < int(rule["threshold"]):
            continue
        badge = Badge(
            district_id=bank.district_id,
            bank_id=bank.id,
            user_id=user_id,
            rule_key=rule["key"],
            name=str(rule.get("name", rule["key"])),
            period=period,
        )
        bonus = int(rule.get("bonus", 0))
        if bonus > 0:
            pool = await banks.pool_account(session, bank)
            account = await banks.account_of(session, bank, user_id)
            try:
                async with session.begin_nested():
                    transfer = await ledger.move(
                        session,
                        district_id=bank.district_id,
                        from_account=pool.id,
                        to_account=account.id,
                        amount=bonus,
                        reason=record_text("Incentive: %(name)s (%(period)s)", name=badge.name, period=period),
                        category="incentive",
                        link=f"time_bank:incentive:{rule['key']}",
                        idempotency_key=f"time_bank:incentive:{bank.id}:{rule['key']}:{period}:{user_id}",
                        created_by_id=by,
                        effective_at=min(when, utcnow()),
                    )
                badge.transfer_id = transfer.id
            except ledger.LimitExceeded:
                pass  # the badge still counts; the bonus would pass the member's maximum balance
        session.add(badge)
        await session.flush()
        awarded += 1
    return awarded
