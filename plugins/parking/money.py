"""The estate fund on the core ledger: income, expenses (request → approve → pay), monthly statements.

Every change of an estate's money takes the fund's row lock first (``SELECT … FOR UPDATE``
on PostgreSQL; a no-op ``UPDATE`` on SQLite takes the single write lock), so parallel
approvals, payments, fees and publications of one estate happen one at a time and each
step happens once. The money moves through ``core.plugin_api.ledger`` only (fen); the
fund account's minimum balance is 0, so the ledger itself refuses a payment that would
make it negative.

Statement months: a line goes on the *open* month — the current month, or the month after
the last published statement when that one is the current month or later. So a published
month never gets another line; a correction is a reversal line in a later month.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from core.plugin_api import (
    PHOTOS_AND_PDF,
    TIMEZONE,
    NotFound,
    User,
    content_type_of,
    is_english,
    ledger,
    safe_name,
    utcnow,
)
from core.plugin_api import gettext as _
from plugins.parking import service
from plugins.parking.models import ParkingEstate, Permit, TidalAgreement
from plugins.parking.models_money import (
    EXPENSE_CATEGORIES,
    Expense,
    ExpenseApproval,
    FundLine,
    ParkingFund,
    ParkingStatement,
)
from plugins.parking.plates import mask_plate
from plugins.parking.service import Conflict, Refused

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = (
    "DEFAULT_THRESHOLD_FEN",
    "Draft",
    "approve",
    "canonical",
    "category_label",
    "check_receipt",
    "effective_at",
    "ensure_fund",
    "expenses",
    "lock_fund",
    "month_of",
    "next_month",
    "open_month",
    "pay",
    "publish",
    "record_income",
    "reject",
    "request_expense",
    "reverse_line",
    "set_threshold",
    "statement_draft",
    "statements",
)

DEFAULT_THRESHOLD_FEN = 50000
RECEIPT_MAX_BYTES = 5 * 1024 * 1024
APPROVERS = ("chair", "treasurer")


def category_label(category: str) -> str:
    """The expense category as people say it."""
    return {
        "gate": _("Gate repair"),
        "keeper": _("Keeper's pay"),
        "paint": _("Paint and markings"),
        "other": _("Other"),
    }.get(category, category)


def status_label(status: str) -> str:
    """The expense status as people say it."""
    return {
        "requested": _("Waiting for approval"),
        "approved": _("Approved, to be paid"),
        "paid": _("Paid"),
        "rejected": _("Rejected"),
    }.get(status, status)


def today() -> date:
    return utcnow().astimezone(TIMEZONE).date()


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)


def previous_month(month: date) -> date:
    return date(month.year - 1, 12, 1) if month.month == 1 else date(month.year, month.month - 1, 1)


def parse_month(raw: Any) -> date:
    """``2026-11`` → 2026-11-01, or :class:`Refused`."""
    text = str(raw or "").strip()
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except (ValueError, TypeError):
        raise Refused(_("Give the month as year-month, e.g. 2026-11.")) from None


def _amount(raw: Any, field_label: str) -> int:
    """A positive amount in yuan (up to 2 decimals) → fen."""
    text = str(raw if raw is not None else "").strip()
    try:
        yuan, _sep, cents = text.partition(".")
        if not yuan.isdigit() or (cents and (not cents.isdigit() or len(cents) > 2)):
            raise ValueError(text)
        fen = int(yuan) * 100 + int((cents or "0").ljust(2, "0"))
    except ValueError:
        raise Refused(_("%(field)s: give an amount in yuan, e.g. 120.50.", field=field_label)) from None
    if fen <= 0 or fen > 100_000_000:
        raise Refused(_("%(field)s: the amount must be above 0 and at most 1,000,000 yuan.", field=field_label))
    return fen


# ---------------------------------------------------------------- the fund


async def ensure_fund(session: AsyncSession, estate: ParkingEstate, first_month: date | None = None) -> ParkingFund:
    """The estate's fund, opening its ledger accounts the first time."""
    fund = (
        await session.execute(select(ParkingFund).where(ParkingFund.parking_estate_id == estate.id))
    ).scalar_one_or_none()
    if fund is not None:
        return fund
    prefix = f"parking:estate:{estate.id}"
    district_id = estate.district_id
    account = await ledger.open_account(
        session,
        district_id=district_id,
        owner_kind="organization",
        owner_ref=f"{prefix}:fund",
        unit="fen",
        name=f"停车自管基金 #{estate.id}",
        min_balance=0,
    )
    payers = await ledger.open_account(
        session,
        district_id=district_id,
        owner_kind="system",
        owner_ref=f"{prefix}:payers",
        unit="fen",
        name=f"停车费缴纳方 #{estate.id}",
        min_balance=None,
    )
    payees = await ledger.open_account(
        session,
        district_id=district_id,
        owner_kind="system",
        owner_ref=f"{prefix}:payees",
        unit="fen",
        name=f"停车支出收款方 #{estate.id}",
        min_balance=None,
    )
    fund = ParkingFund(
        district_id=district_id,
        parking_estate_id=estate.id,
        account_id=account.id,
        payers_account_id=payers.id,
        payees_account_id=payees.id,
        threshold_fen=DEFAULT_THRESHOLD_FEN,
        first_month=first_month or month_of(today()),
    )
    try:
        async with session.begin_nested():  # two first visits at once: one fund, the other reads it
            session.add(fund)
    except IntegrityError:
        query = select(ParkingFund).where(ParkingFund.parking_estate_id == estate.id)
        return (await session.execute(query)).scalar_one()
    return fund


async def lock_fund(session: AsyncSession, estate: ParkingEstate) -> ParkingFund:
    """The fund, locked for the transaction (created first if the estate has none)."""
    if session.get_bind().dialect.name == "sqlite":
        taken = await session.execute(
            update(ParkingFund)
            .where(ParkingFund.parking_estate_id == estate.id)
            .values(threshold_fen=ParkingFund.threshold_fen),
            execution_options={"synchronize_session": False},
        )
        if not getattr(taken, "rowcount", 0):
            await ensure_fund(session, estate)  # written under the database's write lock, taken just above
    query = (
        select(ParkingFund)
        .where(ParkingFund.parking_estate_id == estate.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    fund = (await session.execute(query)).scalar_one_or_none()
    if fund is None:  # PostgreSQL: the first money action of the estate opens the fund, then locks it
        await ensure_fund(session, estate)
        fund = (await session.execute(query)).scalar_one()
    return fund


async def balance(session: AsyncSession, fund: ParkingFund) -> int:
    account = await session.get(ledger.LedgerAccount, fund.account_id)
    assert account is not None
    await session.refresh(account, ["balance"])
    return account.balance


async def last_published(session: AsyncSession, estate_id: int) -> date | None:
    query = select(func.max(ParkingStatement.month)).where(ParkingStatement.parking_estate_id == estate_id)
    return (await session.execute(query)).scalar_one_or_none()


async def open_month(session: AsyncSession, estate_id: int, day: date | None = None) -> date:
    """The month new lines go on: this month, unless it is already published (then the month after)."""
    current = month_of(day or today())
    last = await last_published(session, estate_id)
    return max(current, next_month(last)) if last is not None else current


async def _role(
    session: AsyncSession, estate: ParkingEstate, user_id: int | None, day: date | None = None
) -> str | None:
    return await service.committee_role(session, estate.id, user_id, day or today())


def effective_at(on: date | None) -> datetime | None:
    """The ledger's effective time of something done on a past day (noon, Beijing time); ``None``: now."""
    if on is None or on >= today():
        return None
    return datetime(on.year, on.month, on.day, 12, tzinfo=TIMEZONE)


async def _name(session: AsyncSession, user_id: int) -> str:
    user = await session.get(User, user_id)
    return user.display_name if user is not None else ""


async def _add_line(
    session: AsyncSession,
    estate: ParkingEstate,
    *,
    ref: str,
    source: str,
    amount: int,
    description: str,
    transfer: ledger.LedgerTransfer,
    by: int | None,
    day: date | None = None,
    **links: Any,
) -> FundLine:
    line = FundLine(
        district_id=estate.district_id,
        parking_estate_id=estate.id,
        month=await open_month(session, estate.id, day),
        ref=ref,
        source=source,
        amount_fen=amount,
        description=description[:300],
        transfer_id=transfer.id,
        booked_on=transfer.effective_at.astimezone(TIMEZONE).date(),
        created_by=by,
        **links,
    )
    session.add(line)
    await session.flush()
    return line


async def _line_by_ref(session: AsyncSession, estate_id: int, ref: str) -> FundLine | None:
    query = select(FundLine).where(FundLine.parking_estate_id == estate_id, FundLine.ref == ref)
    return (await session.execute(query)).scalar_one_or_none()


async def set_threshold(
    session: AsyncSession, estate: ParkingEstate, raw: Any, *, by: int | None, staff: bool = False
) -> ParkingFund:
    """The chair (or staff) sets the amount above which an expense needs two approvers."""
    if not staff and await _role(session, estate, by) != "chair":
        raise Refused(_("Only the committee's chair may set the two-approver amount."))
    fen = _amount(raw, _("Two approvers above"))
    fund = await lock_fund(session, estate)
    fund.threshold_fen = fen
    await session.flush()
    return fund


# ---------------------------------------------------------------- income


async def record_income(
    session: AsyncSession,
    estate: ParkingEstate,
    data: dict[str, Any],
    *,
    by: int | None,
    staff: bool = False,
    on: date | None = None,
) -> FundLine:
    """A permit fee or a month's tidal rent collected: ledger payers → fund, one line per permit/agreement and period.

    ``data``: ``source`` (``permit`` or ``tidal``), ``permit_id`` or ``agreement_id``,
    ``period`` (``2026-12``, the month paid for; default this month), ``amount_yuan``
    (default: the permit's fee, or the agreement's price × spaces). Recording the same
    permit/agreement and period again returns the line already there (a double click).
    """
    if not staff and await _role(session, estate, by, on) != "treasurer":
        raise Refused(_("Only the committee's treasurer records the money collected."))
    source = str(data.get("source") or "")
    period_month = parse_month(data.get("period")) if data.get("period") else month_of(on or today())
    period = period_month.strftime("%Y-%m")
    links: dict[str, Any]
    if source == "permit":
        permit = await session.get(Permit, _int(data.get("permit_id")))
        if permit is None or permit.parking_estate_id != estate.id:
            raise Refused(_("Choose a parking card of this estate."))
        if permit.status not in ("approved", "issued"):
            raise Conflict(_("A fee is collected only for an approved or issued card."))
        default, links = permit.fee_fen, {"permit_id": permit.id}
        what = _(
            "Parking card %(card)s (%(plate)s), fee for %(period)s",
            card=permit.card_no or "—",
            plate=mask_plate(permit.plate),
            period=period,
        )
        ref = f"permit:{permit.id}:{period}"
    elif source == "tidal":
        agreement = await session.get(TidalAgreement, _int(data.get("agreement_id")))
        if agreement is None or agreement.parking_estate_id != estate.id:
            raise Refused(_("Choose a tidal agreement of this estate."))
        if agreement.status != "signed":
            raise Conflict(_("Rent is collected only under a signed agreement."))
        default, links = agreement.price_fen * agreement.space_count, {"agreement_id": agreement.id}
        what = _("Tidal rent from %(partner)s for %(period)s", partner=agreement.partner, period=period)
        ref = f"tidal:{agreement.id}:{period}"
    else:
        raise Refused(_("Say what was collected: a parking card's fee or a tidal agreement's rent."))
    raw_amount = data.get("amount_yuan")
    amount = _amount(raw_amount, _("Amount")) if str(raw_amount or "").strip() else default
    if amount <= 0:
        raise Refused(_("This card or agreement has no fee: give the amount collected."))
    fund = await lock_fund(session, estate)
    if (existing := await _line_by_ref(session, estate.id, ref)) is not None:
        return existing
    transfer = await ledger.move(
        session,
        district_id=estate.district_id,
        from_account=fund.payers_account_id,
        to_account=fund.account_id,
        amount=amount,
        reason=what,
        category="parking_income",
        link=f"/parking/estates/{estate.id}/money",
        idempotency_key=f"parking:{estate.id}:{ref}",
        created_by_id=by,
        effective_at=effective_at(on),
    )
    return await _add_line(
        session,
        estate,
        ref=ref,
        source=source,
        amount=amount,
        description=what,
        transfer=transfer,
        by=by,
        day=on,
        period=period,
        **links,
    )


def _int(raw: Any) -> int:
    try:
        return int(str(raw))
    except (TypeError, ValueError):
        return 0


# ---------------------------------------------------------------- expenses


def check_receipt(filename: str, data: bytes) -> tuple[str, str]:
    """(safe name, content type) of a receipt: a photo (JPEG, PNG) or a PDF of at most 5 MB, else :class:`Refused`."""
    name = safe_name(filename, "receipt")
    if not data:
        raise Refused(_("Attach the receipt (a photo or a PDF)."))
    if len(data) > RECEIPT_MAX_BYTES:
        raise Refused(_("The receipt is too large: at most 5 MB."))
    content_type = content_type_of(name, data, PHOTOS_AND_PDF)
    if content_type is None:
        raise Refused(_("The receipt must be a JPEG or PNG photo or a PDF."))
    return name, content_type


async def request_expense(
    session: AsyncSession,
    estate: ParkingEstate,
    data: dict[str, Any],
    receipt: tuple[str, bytes],
    store: Callable[[bytes], Awaitable[Any]],
    *,
    by: int | None,
    on: date | None = None,
) -> Expense:
    """A committee member asks for an expense with its receipt ``(filename, bytes)``.

    Everything is checked first; only then are the receipt's bytes kept, through ``store``
    (the core's file storage, ``storage_for(ctx).save``), which answers the stored file.
    """
    if await _role(session, estate, by, on) is None:
        raise Refused(_("Only a member of the estate's parking committee may request an expense."))
    title = str(data.get("title") or "").strip()
    if not title or len(title) > 100:
        raise Refused(_("Say what the expense is for (at most 100 characters)."))
    category = str(data.get("category") or "")
    if category not in EXPENSE_CATEGORIES:
        raise Refused(_("Choose the kind of expense."))
    amount = _amount(data.get("amount_yuan"), _("Amount"))
    name, content_type = check_receipt(receipt[0], receipt[1])
    fund = await lock_fund(session, estate)
    stored = await store(receipt[1])
    expense = Expense(
        district_id=estate.district_id,
        parking_estate_id=estate.id,
        title=title,
        category=category,
        amount_fen=amount,
        approvals_needed=2 if amount > fund.threshold_fen else 1,
        requested_by=by,
        receipt_key=stored.key,
        receipt_name=name,
        receipt_type=content_type,
        receipt_sha256=stored.sha256,
        note=str(data.get("note") or "").strip()[:300],
    )
    if (when := effective_at(on)) is not None:
        expense.requested_at = when
    session.add(expense)
    await session.flush()
    return expense


async def expense_or_404(session: AsyncSession, expense_id: int) -> tuple[Expense, ParkingEstate]:
    expense = await session.get(Expense, expense_id)
    if expense is None or expense.district_id != session.info.get("district_id", expense.district_id):
        raise NotFound(_("Not found."))
    return expense, await service.estate_or_404(session, expense.parking_estate_id)


async def _locked_expense(session: AsyncSession, estate: ParkingEstate, expense: Expense) -> Expense:
    await lock_fund(session, estate)
    await session.refresh(expense)
    return expense


async def approvals(session: AsyncSession, expense_ids: list[int]) -> dict[int, list[ExpenseApproval]]:
    if not expense_ids:
        return {}
    query = select(ExpenseApproval).where(ExpenseApproval.expense_id.in_(expense_ids)).order_by(ExpenseApproval.id)
    found: dict[int, list[ExpenseApproval]] = {i: [] for i in expense_ids}
    for row in (await session.execute(query)).scalars():
        found[row.expense_id].append(row)
    return found


async def approve(
    session: AsyncSession, expense: Expense, estate: ParkingEstate, *, by: int, on: date | None = None
) -> Expense:
    """The chair or the treasurer approves; above the threshold two different ones must. Never the requester."""
    role = await _role(session, estate, by, on)
    if role not in APPROVERS:
        raise Refused(_("Only the committee's chair or treasurer may approve an expense."))
    expense = await _locked_expense(session, estate, expense)
    if expense.requested_by == by:
        raise Refused(_("You requested this expense: someone else on the committee must approve it."))
    if expense.status != "requested":
        raise Conflict(
            _("This expense is no longer waiting for approval (%(status)s).", status=status_label(expense.status))
        )
    done = (await approvals(session, [expense.id]))[expense.id]
    if any(a.user_id == by for a in done):
        raise Conflict(_("You have already approved this expense; a second approver must be someone else."))
    session.add(
        ExpenseApproval(
            district_id=estate.district_id,
            expense_id=expense.id,
            user_id=by,
            name=await _name(session, by),
            role=role or "",
        )
    )
    if len(done) + 1 >= expense.approvals_needed:
        expense.status = "approved"
        expense.decided_by = by
    await session.flush()
    return expense


async def reject(session: AsyncSession, expense: Expense, estate: ParkingEstate, *, by: int, note: str) -> Expense:
    """The chair or the treasurer turns down an expense not paid yet (with a reason)."""
    if await _role(session, estate, by) not in APPROVERS:
        raise Refused(_("Only the committee's chair or treasurer may reject an expense."))
    note = (note or "").strip()
    if not note:
        raise Refused(_("Say why the expense is rejected."))
    expense = await _locked_expense(session, estate, expense)
    if expense.status not in ("requested", "approved"):
        raise Conflict(_("This expense can no longer be rejected (%(status)s).", status=status_label(expense.status)))
    expense.status = "rejected"
    expense.decided_by = by
    expense.note = note[:300]
    await session.flush()
    return expense


async def pay(
    session: AsyncSession,
    expense: Expense,
    estate: ParkingEstate,
    *,
    by: int | None,
    on: date | None = None,
    locale: str = "zh",
) -> FundLine:
    """The treasurer pays an approved expense out of the fund: once, and never below zero."""
    if await _role(session, estate, by, on) != "treasurer":
        raise Refused(_("Only the committee's treasurer pays expenses."))
    fund = await lock_fund(session, estate)
    await session.refresh(expense)
    if expense.status == "paid":
        raise Conflict(_("This expense has already been paid."))
    if expense.status != "approved":
        raise Conflict(_("Only an approved expense can be paid (%(status)s).", status=status_label(expense.status)))
    what = _("Expense: %(title)s (%(kind)s)", title=expense.title, kind=category_label(expense.category))
    try:
        transfer = await ledger.move(
            session,
            district_id=estate.district_id,
            from_account=fund.account_id,
            to_account=fund.payees_account_id,
            amount=expense.amount_fen,
            reason=what,
            category="parking_expense",
            link=f"/parking/estates/{estate.id}/money",
            idempotency_key=f"parking:{estate.id}:expense:{expense.id}",
            created_by_id=by,
            effective_at=effective_at(on),
        )
    except ledger.LimitExceeded:
        have = await balance(session, fund)
        raise Conflict(
            _(
                "The fund holds %(have)s: paying %(amount)s would make it negative.",
                have=_fmt(have, locale),
                amount=_fmt(expense.amount_fen, locale),
            )
        ) from None
    expense.status = "paid"
    expense.paid_by = by
    expense.paid_at = transfer.effective_at
    return await _add_line(
        session,
        estate,
        ref=f"expense:{expense.id}",
        source="expense",
        amount=-expense.amount_fen,
        description=what,
        transfer=transfer,
        by=by,
        day=on,
        expense_id=expense.id,
    )


def _fmt(fen: int, locale: str) -> str:
    return ledger.format_amount(fen, "fen", "en" if is_english(locale) else "zh")


async def reverse_line(
    session: AsyncSession, line: FundLine, estate: ParkingEstate, *, reason: str, by: int | None
) -> FundLine:
    """Undo a line with its mirror image on the open month (the treasurer; each line at most once)."""
    if await _role(session, estate, by) != "treasurer":
        raise Refused(_("Only the committee's treasurer corrects the fund."))
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("Say why the line is corrected."))
    if line.source == "reversal":
        raise Conflict(_("A correction cannot itself be corrected; record the right amount instead."))
    await lock_fund(session, estate)
    if await _line_by_ref(session, estate.id, f"reversal:{line.id}") is not None:
        raise Conflict(_("This line has already been corrected."))
    what = _(
        "Correction of “%(line)s” (%(month)s): %(reason)s",
        line=line.description,
        month=line.month.strftime("%Y-%m"),
        reason=reason,
    )[:300]  # the line's description holds 300 characters (the ledger's reason 500)
    try:
        transfer = await ledger.reverse(
            session,
            district_id=estate.district_id,
            transfer_id=line.transfer_id,
            reason=what,
            created_by_id=by,
            idempotency_key=f"parking:{estate.id}:reversal:{line.id}",
        )
    except ledger.LimitExceeded:
        raise Conflict(_("The fund does not hold enough to undo this income.")) from None
    if line.expense_id is not None:
        expense = await session.get(Expense, line.expense_id)
        if expense is not None:
            expense.note = (f"{expense.note} · {what}" if expense.note else what)[:300]
    return await _add_line(
        session,
        estate,
        ref=f"reversal:{line.id}",
        source="reversal",
        amount=-line.amount_fen,
        description=what,
        transfer=transfer,
        by=by,
        reverses_line_id=line.id,
        permit_id=line.permit_id,
        agreement_id=line.agreement_id,
        expense_id=line.expense_id,
    )


async def expenses(session: AsyncSession, estate_id: int, statuses: tuple[str, ...] | None = None) -> list[Expense]:
    query = select(Expense).where(Expense.parking_estate_id == estate_id).order_by(Expense.id.desc())
    if statuses:
        query = query.where(Expense.status.in_(statuses))
    return list((await session.execute(query)).scalars())


# ---------------------------------------------------------------- statements


@dataclass(frozen=True)
class Draft:
    """A month's statement as computed from the lines (published or not)."""

    month: date
    opening: int
    income: int
    expenses: int
    closing: int
    lines: list[dict[str, Any]]
    published: ParkingStatement | None

    @property
    def label(self) -> str:
        return self.month.strftime("%Y-%m")


def _line_dict(line: FundLine, receipt_url: str | None) -> dict[str, Any]:
    return {
        "no": line.id,
        "date": line.booked_on.isoformat(),
        "source": line.source,
        "amount_fen": line.amount_fen,
        "description": line.description,
        "period": line.period,
        "permit_id": line.permit_id,
        "agreement_id": line.agreement_id,
        "expense_id": line.expense_id,
        "reverses_line": line.reverses_line_id,
        "ledger_transfer": line.transfer_id,
        "receipt": receipt_url,
    }


def receipt_path(estate_id: int, expense_id: int) -> str:
    """The receipt's address under the district's public pages (shown once the month is published)."""
    return f"/public/parking/estates/{estate_id}/receipts/{expense_id}"


async def statement_draft(session: AsyncSession, estate: ParkingEstate, month: date) -> Draft:
    """Opening (every line before the month), the month's lines, closing; with its publication if any."""
    before = select(func.coalesce(func.sum(FundLine.amount_fen), 0)).where(
        FundLine.parking_estate_id == estate.id, FundLine.month < month
    )
    opening = int((await session.execute(before)).scalar_one())
    query = (
        select(FundLine).where(FundLine.parking_estate_id == estate.id, FundLine.month == month).order_by(FundLine.id)
    )
    rows = list((await session.execute(query)).scalars())
    lines = [_line_dict(r, receipt_path(estate.id, r.expense_id) if r.expense_id else None) for r in rows]
    income = sum(r.amount_fen for r in rows if r.amount_fen > 0)
    out = -sum(r.amount_fen for r in rows if r.amount_fen < 0)
    published = (
        await session.execute(
            select(ParkingStatement).where(
                ParkingStatement.parking_estate_id == estate.id, ParkingStatement.month == month
            )
        )
    ).scalar_one_or_none()
    return Draft(month, opening, income, out, opening + income - out, lines, published)


def canonical(estate_name: str, estate_id: int, draft: Draft) -> str:
    """The statement's canonical text (sorted keys, no spaces, UTF-8): what the SHA-256 is taken of."""
    body = {
        "estate": estate_name,
        "estate_id": estate_id,
        "month": draft.label,
        "opening_fen": draft.opening,
        "income_fen": draft.income,
        "expenses_fen": draft.expenses,
        "closing_fen": draft.closing,
        "lines": draft.lines,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def publish(
    session: AsyncSession,
    estate: ParkingEstate,
    month: date,
    *,
    by: int | None,
    estate_name: str,
    on: date | None = None,
) -> ParkingStatement:
    """The treasurer publishes a month: in order, not in the future, once (409 the second time)."""
    if await _role(session, estate, by, on) != "treasurer":
        raise Refused(_("Only the committee's treasurer publishes statements."))
    fund = await lock_fund(session, estate)
    label = month.strftime("%Y-%m")
    if await session.scalar(
        select(ParkingStatement.id).where(
            ParkingStatement.parking_estate_id == estate.id, ParkingStatement.month == month
        )
    ):
        raise Conflict(_("The statement of %(month)s is already published; it cannot change.", month=label))
    if month > month_of(on or today()):
        raise Conflict(_("%(month)s has not begun: it cannot be published yet.", month=label))
    if month < fund.first_month:
        raise Conflict(_("The fund has no statement before %(month)s.", month=fund.first_month.strftime("%Y-%m")))
    last = await last_published(session, estate.id)
    expected = next_month(last) if last is not None else fund.first_month
    if month != expected:
        raise Conflict(
            _("Statements are published month by month: publish %(month)s first.", month=expected.strftime("%Y-%m"))
        )
    draft = await statement_draft(session, estate, month)
    if last is not None:
        previous = await session.scalar(
            select(ParkingStatement.closing).where(
                ParkingStatement.parking_estate_id == estate.id, ParkingStatement.month == last
            )
        )
        if previous != draft.opening:  # lines are never edited, so this cannot happen; refuse rather than publish
            raise Conflict(_("The opening balance does not equal last month's closing balance; nothing was published."))
    text = canonical(estate_name, estate.id, draft)
    row = ParkingStatement(
        district_id=estate.district_id,
        parking_estate_id=estate.id,
        month=month,
        opening=draft.opening,
        income=draft.income,
        expenses=draft.expenses,
        closing=draft.closing,
        content=text,
        sha256=sha256(text),
        published_by=by,
        published_at=effective_at(on) or utcnow(),
    )
    session.add(row)
    await session.flush()
    return row


async def statements(session: AsyncSession, estate_id: int) -> list[ParkingStatement]:
    """The published statements, newest first."""
    query = (
        select(ParkingStatement)
        .where(ParkingStatement.parking_estate_id == estate_id)
        .order_by(ParkingStatement.month.desc())
    )
    return list((await session.execute(query)).scalars())


async def published(session: AsyncSession, estate_id: int, month: date) -> ParkingStatement | None:
    query = select(ParkingStatement).where(
        ParkingStatement.parking_estate_id == estate_id, ParkingStatement.month == month
    )
    return (await session.execute(query)).scalar_one_or_none()


def statement_lines(statement: ParkingStatement) -> list[dict[str, Any]]:
    """The lines as published (from the stored canonical content)."""
    return list(json.loads(statement.content)["lines"])


async def receipt_public(session: AsyncSession, estate_id: int, expense_id: int) -> Expense | None:
    """The expense whose receipt may be shown without login: paid and on a published statement."""
    expense = await session.get(Expense, expense_id)
    if expense is None or expense.parking_estate_id != estate_id or expense.status != "paid":
        return None
    line = await _line_by_ref(session, estate_id, f"expense:{expense.id}")
    if line is None or await published(session, estate_id, line.month) is None:
        return None
    return expense
