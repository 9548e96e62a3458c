"""Banks, their rules, members and their ledger accounts; who is staff of which bank.

Pages, the API, the hooks and the CLI go through here. Queries use a district-bound
session (``ctx.session``): the core adds the district filter. Balances are never written
here: every account is a ``core.ledger`` account in minutes, every movement a transfer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from core.plugin_api import (
    TIMEZONE,
    Forbidden,
    LedgerPosting,
    LedgerTransfer,
    NotFound,
    User,
    is_english,
    ledger,
    utcnow,
)
from core.plugin_api import gettext as _
from plugins.time_bank.manifest import KEY
from plugins.time_bank.models import Bank, Category, Member, MemberStatus

if TYPE_CHECKING:
    from sqlalchemy import Select
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import RequestContext

__all__ = (
    "EARN_PREFIX",
    "BankRules",
    "account_of",
    "apply_to_join",
    "bank_or_404",
    "categories",
    "create_bank",
    "credit_amount",
    "decide_application",
    "earned",
    "earned_at",
    "earned_category",
    "earned_in_year",
    "earned_minutes",
    "fmt",
    "is_staff_of",
    "list_banks",
    "member_of",
    "members_with_balances",
    "memberships_of",
    "pool_account",
    "require_staff",
    "staff_bank_ids",
    "update_rules",
    "year_bounds",
)

# Every transfer that pays a member for service has a key starting with this (yearly caps count them).
EARN_PREFIX = "time_bank:earn:"


def fmt(minutes: int | None, locale: str = "zh_CN") -> str:
    """``90`` → ``1 小时 30 分钟`` (``1 h 30 min`` in English); ``None`` → ``—``."""
    if minutes is None:
        return "—"
    return ledger.format_amount(minutes, "minutes", "en" if is_english(locale) else "zh")


def pool_ref(bank_id: int) -> str:
    return f"time_bank:{bank_id}"


def member_ref(bank_id: int, user_id: int) -> str:
    return f"time_bank:{bank_id}:user:{user_id}"


@dataclass
class BankRules:
    """A bank's rules (all amounts in minutes); ``None`` means no limit."""

    min_balance: int = 0
    max_balance: int | None = None
    yearly_cap: int | None = None
    expiry_months: int | None = None
    gift_yearly_max: int | None = None
    incentives: list[dict[str, Any]] = field(default_factory=list)


async def pool_account(session: AsyncSession, bank: Bank) -> ledger.LedgerAccount:
    """The bank's own account: it issues the hours it credits (no lower limit) and takes back spent ones."""
    return await ledger.open_account(
        session,
        district_id=bank.district_id,
        owner_kind="organization",
        owner_ref=pool_ref(bank.id),
        unit="minutes",
        name=bank.name,
        min_balance=None,
    )


async def account_of(session: AsyncSession, bank: Bank, user_id: int) -> ledger.LedgerAccount:
    """A member's account in ``bank`` (opened with the bank's limits the first time)."""
    found = await ledger.get_account(
        session, district_id=bank.district_id, owner_ref=member_ref(bank.id, user_id), unit="minutes"
    )
    if found is not None:
        return found
    user = await session.get(User, user_id)
    return await ledger.open_account(
        session,
        district_id=bank.district_id,
        owner_kind="person",
        owner_ref=member_ref(bank.id, user_id),
        unit="minutes",
        name=f"{user.label if user else user_id} · {bank.name}",
        min_balance=bank.min_balance,
        max_balance=bank.max_balance,
    )


async def create_bank(
    session: AsyncSession,
    *,
    district_id: int,
    name: str,
    organization: str,
    categories: list[tuple[str, str, str, int]],
    rules: BankRules | None = None,
    org_unit_id: int | None = None,
    description: str = "",
    organization_id: int | None = None,
) -> Bank:
    """A bank with its categories ``(key, zh, en, rate_percent)`` and its pool account."""
    rules = rules or BankRules()
    bank = Bank(
        district_id=district_id,
        name=name,
        organization=organization,
        organization_id=organization_id,
        org_unit_id=org_unit_id,
        description=description,
        min_balance=rules.min_balance,
        max_balance=rules.max_balance,
        yearly_cap=rules.yearly_cap,
        expiry_months=rules.expiry_months,
        gift_yearly_max=rules.gift_yearly_max,
        incentives=list(rules.incentives),
    )
    session.add(bank)
    await session.flush()
    for key, zh, en, rate in categories:
        session.add(
            Category(district_id=district_id, bank_id=bank.id, key=key, name_zh=zh, name_en=en, rate_percent=rate)
        )
    await session.flush()
    await pool_account(session, bank)
    return bank


async def update_rules(session: AsyncSession, bank: Bank, rules: BankRules) -> None:
    """Change a bank's rules; members' accounts get the new limits (a balance already past one stays)."""
    bank.min_balance = rules.min_balance
    bank.max_balance = rules.max_balance
    bank.yearly_cap = rules.yearly_cap
    bank.expiry_months = rules.expiry_months
    bank.gift_yearly_max = rules.gift_yearly_max
    bank.incentives = list(rules.incentives)
    prefix = f"time_bank:{bank.id}:user:"
    accounts = await session.execute(
        select(ledger.LedgerAccount.id).where(ledger.LedgerAccount.owner_ref.startswith(prefix, autoescape=True))
    )
    for (account_id,) in accounts:
        await ledger.set_limits(
            session,
            district_id=bank.district_id,
            account_id=account_id,
            min_balance=rules.min_balance,
            max_balance=rules.max_balance,
        )
    await session.flush()


async def list_banks(session: AsyncSession, *, active_only: bool = True) -> list[Bank]:
    query = select(Bank).order_by(Bank.id)
    if active_only:
        query = query.where(Bank.active.is_(True))
    return list((await session.execute(query)).scalars())


async def bank_or_404(session: AsyncSession, bank_id: int) -> Bank:
    bank = (await session.execute(select(Bank).where(Bank.id == bank_id))).scalar_one_or_none()
    if bank is None:
        raise NotFound(_("No such time bank."))
    return bank


async def categories(session: AsyncSession, bank_id: int, *, active_only: bool = True) -> dict[str, Category]:
    """The bank's categories by key, in id order."""
    query = select(Category).where(Category.bank_id == bank_id).order_by(Category.id)
    if active_only:
        query = query.where(Category.active.is_(True))
    return {c.key: c for c in (await session.execute(query)).scalars()}


async def member_of(session: AsyncSession, bank_id: int, user_id: int, *, approved: bool = True) -> Member | None:
    """The user's membership of the bank (only an approved one unless ``approved=False``)."""
    query = select(Member).where(Member.bank_id == bank_id, Member.user_id == user_id)
    if approved:
        query = query.where(Member.status == MemberStatus.APPROVED)
    return (await session.execute(query)).scalar_one_or_none()


async def members_with_balances(
    session: AsyncSession, bank: Bank, status: str = MemberStatus.APPROVED
) -> list[tuple[Member, str, int | None]]:
    """The bank's members (or applications) by name, with each one's balance in minutes (None: no account yet)."""
    query = (
        select(Member, User.label)
        .join(User, User.id == Member.user_id)
        .where(Member.bank_id == bank.id, Member.status == status)
        .order_by(User.display_name, User.id)
    )
    rows = [(m, str(label)) for m, label in (await session.execute(query)).all()]
    refs = [member_ref(bank.id, m.user_id) for m, _label in rows]
    balances: dict[str, int] = {}
    if refs:
        found = await session.execute(
            select(ledger.LedgerAccount.owner_ref, ledger.LedgerAccount.balance).where(
                ledger.LedgerAccount.owner_ref.in_(refs)
            )
        )
        balances = dict(found.tuples().all())
    return [(m, label, balances.get(member_ref(bank.id, m.user_id))) for m, label in rows]


async def memberships_of(session: AsyncSession, user_id: int) -> list[tuple[Member, Bank]]:
    """Every membership of the user in the session's district, with its bank."""
    query = (
        select(Member, Bank).join(Bank, Bank.id == Member.bank_id).where(Member.user_id == user_id).order_by(Bank.id)
    )
    return [(m, b) for m, b in (await session.execute(query)).all()]


async def staff_bank_ids(ctx: RequestContext) -> set[int]:
    """The banks whose staff the user is (every bank for holders of ``time_bank:admin``)."""
    cached = ctx.extra.get("time_bank_staff_banks")
    if cached is not None:
        return set(cached)
    found: set[int] = set()
    if ctx.user is not None and ctx.district is not None:
        if ctx.can(KEY, "admin"):
            found = {b.id for b in await list_banks(ctx.session, active_only=False)}
        elif ctx.can(KEY, "staff"):
            query = select(Member.bank_id).where(
                Member.user_id == ctx.user.id, Member.is_staff.is_(True), Member.status == MemberStatus.APPROVED
            )
            found = set((await ctx.session.execute(query)).scalars())
    ctx.extra["time_bank_staff_banks"] = frozenset(found)
    return found


async def is_staff_of(ctx: RequestContext, bank_id: int) -> bool:
    return bank_id in await staff_bank_ids(ctx)


async def require_staff(ctx: RequestContext, bank_id: int) -> Bank:
    """The bank, if the user is its staff; 404 for a bank of another district, 403 otherwise."""
    bank = await bank_or_404(ctx.session, bank_id)
    if not await is_staff_of(ctx, bank_id):
        raise Forbidden(_("Only this time bank's staff may do this."))
    return bank


async def apply_to_join(
    session: AsyncSession,
    bank: Bank,
    user_id: int,
    *,
    volunteer: bool,
    resident: bool,
    skills: list[str],
    areas: list[int],
    availability: list[str],
    phone: str = "",
) -> Member:
    """Apply to join (or update a pending application). Staff decide; nothing is credited before."""
    member = await member_of(session, bank.id, user_id, approved=False)
    if member is None:
        member = Member(district_id=bank.district_id, bank_id=bank.id, user_id=user_id)
        session.add(member)
    if member.status in (MemberStatus.REJECTED, MemberStatus.LEFT):
        member.status = MemberStatus.APPLIED
    member.is_volunteer = volunteer
    member.is_resident = resident
    member.skills = skills
    member.areas = areas
    member.availability = availability
    member.phone = phone
    await session.flush()
    return member


async def decide_application(session: AsyncSession, bank: Bank, member: Member, *, approve: bool, by: int) -> None:
    """Approve (opening the member's account) or reject an application."""
    member.status = MemberStatus.APPROVED if approve else MemberStatus.REJECTED
    member.decided_at = utcnow()
    member.decided_by_id = by
    if approve:
        await account_of(session, bank, member.user_id)
    await session.flush()


def credit_amount(minutes: int, rate_percent: int) -> int:
    """Minutes credited for ``minutes`` served at ``rate_percent`` (150 = 1.5 hours per hour), rounded down."""
    return max(0, minutes * rate_percent // 100)


def year_bounds(when: datetime) -> tuple[datetime, datetime]:
    """The calendar year (China time) containing ``when``."""
    local = when.astimezone(TIMEZONE)
    start = datetime(local.year, 1, 1, tzinfo=TIMEZONE)
    return start, datetime(local.year + 1, 1, 1, tzinfo=TIMEZONE)


# The credit a reversal undoes, and when the earning counts: a reversal counts in the
# period of the credit it undoes, so a reversed credit is as if never earned (caps,
# incentives, the dashboard), however much later it is reversed.
_ORIGINAL = aliased(LedgerTransfer, name="earned_original")
earned_at = func.coalesce(_ORIGINAL.effective_at, LedgerTransfer.effective_at)
earned_category = func.coalesce(_ORIGINAL.category, LedgerTransfer.category)


def earned(query: Select[Any]) -> Select[Any]:
    """``query`` over ledger postings, narrowed to earned service: credits for service and their reversals.

    Bonuses and gifts are not earnings. ``earned_at`` is when each line counts.
    """
    return (
        query.join(LedgerTransfer, LedgerTransfer.id == LedgerPosting.transfer_id)
        .outerjoin(_ORIGINAL, _ORIGINAL.id == LedgerTransfer.reverses_id)
        .where(
            or_(
                LedgerTransfer.idempotency_key.startswith(EARN_PREFIX),
                _ORIGINAL.idempotency_key.startswith(EARN_PREFIX),
            )
        )
    )


async def earned_minutes(
    session: AsyncSession, bank: Bank, user_id: int, period: tuple[datetime, datetime] | None = None
) -> int:
    """Minutes the member earned for service (not bonuses, not gifts), net of reversals, in ``period`` or ever."""
    account = await ledger.get_account(
        session, district_id=bank.district_id, owner_ref=member_ref(bank.id, user_id), unit="minutes"
    )
    if account is None:
        return 0
    query = earned(select(func.coalesce(func.sum(LedgerPosting.amount), 0))).where(
        LedgerPosting.account_id == account.id
    )
    if period is not None:
        query = query.where(earned_at >= period[0], earned_at < period[1])
    return int((await session.execute(query)).scalar_one())


async def earned_in_year(session: AsyncSession, bank: Bank, user_id: int, when: datetime) -> int:
    """Minutes the member earned for service in the calendar year of ``when`` (what the yearly cap counts)."""
    return await earned_minutes(session, bank, user_id, year_bounds(when))
