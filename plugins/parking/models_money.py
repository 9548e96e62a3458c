"""The money tables of parking self-governance: the estate fund, its lines, expenses and monthly statements.

The money itself lives on the core ledger (fen): each estate has a fund account and two
outside accounts (what was paid in, what was paid out). The plugin's tables say *why*
money moved — each fund line points at the ledger transfer and at its permit, tidal
agreement or expense — and which statement month it belongs to. Lines are never edited:
a correction is a reversal line in a later month. A published statement is immutable
(its canonical text and SHA-256 are stored; an update of the row is refused).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import Base, BigId, DistrictScoped, IdPrimaryKey, Timestamps, utcnow

__all__ = (
    "EXPENSE_CATEGORIES",
    "EXPENSE_STATUSES",
    "Expense",
    "ExpenseApproval",
    "FundLine",
    "ParkingFund",
    "ParkingStatement",
)

EXPENSE_CATEGORIES = ("gate", "keeper", "paint", "other")
EXPENSE_STATUSES = ("requested", "approved", "paid", "rejected")
LINE_SOURCES = ("permit", "tidal", "expense", "reversal", "dividend")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class ParkingFund(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """An estate's parking fund: its ledger accounts, the two-approver threshold, its first statement month."""

    __tablename__ = "parking_fund"
    __table_args__ = (
        UniqueConstraint("parking_estate_id"),
        CheckConstraint("threshold_fen >= 0", name="threshold"),
    )

    parking_estate_id: Mapped[int] = mapped_column(BigId, ForeignKey("parking_estate.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(BigId, ForeignKey("ledger_accounts.id", ondelete="RESTRICT"))
    payers_account_id: Mapped[int] = mapped_column(BigId, ForeignKey("ledger_accounts.id", ondelete="RESTRICT"))
    payees_account_id: Mapped[int] = mapped_column(BigId, ForeignKey("ledger_accounts.id", ondelete="RESTRICT"))
    # An expense above this amount needs two different approvers (default 500 yuan).
    threshold_fen: Mapped[int] = mapped_column(Integer, default=50000)
    first_month: Mapped[date] = mapped_column(Date)


class Expense(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """An expense of the fund: requested with a receipt → approved (once or twice) → paid by the treasurer."""

    __tablename__ = "parking_expense"
    __table_args__ = (
        CheckConstraint(_in("category", EXPENSE_CATEGORIES), name="category"),
        CheckConstraint(_in("status", EXPENSE_STATUSES), name="status"),
        CheckConstraint("amount_fen > 0", name="amount"),
    )

    parking_estate_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("parking_estate.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(12))
    amount_fen: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="requested")
    approvals_needed: Mapped[int] = mapped_column(Integer, default=1)
    requested_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    receipt_key: Mapped[str] = mapped_column(String(300))
    receipt_name: Mapped[str] = mapped_column(String(200))
    receipt_type: Mapped[str] = mapped_column(String(100))
    receipt_sha256: Mapped[str] = mapped_column(String(64))
    decided_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    paid_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    paid_at: Mapped[datetime | None] = mapped_column(default=None)
    note: Mapped[str] = mapped_column(String(300), default="")


class ExpenseApproval(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """One committee member's approval of an expense (at most one per member)."""

    __tablename__ = "parking_expense_approval"
    __table_args__ = (UniqueConstraint("expense_id", "user_id"),)

    expense_id: Mapped[int] = mapped_column(BigId, ForeignKey("parking_expense.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(12))


class FundLine(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A line of the fund: one ledger transfer, why it happened, and the statement month it is on."""

    __tablename__ = "parking_fund_line"
    __table_args__ = (
        # One line per fee period, per expense, per reversal: a double click never records twice.
        UniqueConstraint("parking_estate_id", "ref"),
        UniqueConstraint("transfer_id"),
        CheckConstraint(_in("source", LINE_SOURCES), name="source"),
        CheckConstraint("amount_fen <> 0", name="amount"),
    )

    parking_estate_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("parking_estate.id", ondelete="CASCADE"), index=True
    )
    month: Mapped[date] = mapped_column(Date, index=True)
    ref: Mapped[str] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(String(12))
    amount_fen: Mapped[int] = mapped_column(Integer)  # + into the fund, − out of it
    description: Mapped[str] = mapped_column(String(300))
    transfer_id: Mapped[int] = mapped_column(BigId, ForeignKey("ledger_transfers.id", ondelete="RESTRICT"))
    permit_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("parking_permit.id", ondelete="SET NULL"), default=None
    )
    agreement_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("parking_tidal_agreement.id", ondelete="SET NULL"), default=None
    )
    expense_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("parking_expense.id", ondelete="SET NULL"), default=None
    )
    reverses_line_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("parking_fund_line.id", ondelete="SET NULL"), default=None, unique=True
    )
    period: Mapped[str] = mapped_column(String(7), default="")  # the month a fee pays for ("2026-12")
    booked_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)


class ParkingStatement(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A published monthly statement: its figures, canonical content and SHA-256. Never updated."""

    __tablename__ = "parking_statement"
    __table_args__ = (
        UniqueConstraint("parking_estate_id", "month"),
        CheckConstraint("opening + income - expenses = closing", name="reconciles"),
    )

    parking_estate_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("parking_estate.id", ondelete="CASCADE"), index=True
    )
    month: Mapped[date] = mapped_column(Date)
    opening: Mapped[int] = mapped_column(Integer)
    income: Mapped[int] = mapped_column(Integer)
    expenses: Mapped[int] = mapped_column(Integer)
    closing: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    published_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)


class StatementImmutable(RuntimeError):
    """A published statement was about to be changed (a programming error: corrections are reversals)."""


@event.listens_for(ParkingStatement, "before_update")
def _refuse_update(*_: object) -> None:
    raise StatementImmutable("a published parking statement is never changed; post a reversal in a later month")
