"""The double-entry ledger: accounts, transfers and their postings (see :mod:`core.ledger`).

Amounts are signed integers in the account's unit (``minutes`` or ``fen``). Postings and
transfers are append-only: the code refuses to update or delete them
(:mod:`core.ledger.guards`) and so does the database (triggers added by the migration).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, BigId, DistrictScoped, IdPrimaryKey, utcnow

__all__ = ("LedgerAccount", "LedgerPosting", "LedgerTransfer")

UNITS = ("minutes", "fen")
OWNER_KINDS = ("person", "organization", "system")


class LedgerAccount(IdPrimaryKey, DistrictScoped, Base):
    """An account of a person, an organization or the system, in one unit, with optional limits.

    ``balance`` is a cache of the sum of the account's postings, updated in the same
    transaction as the postings while the row is locked.
    """

    __tablename__ = "ledger_accounts"
    __table_args__ = (
        UniqueConstraint("district_id", "owner_ref", "unit"),
        CheckConstraint("unit IN ('minutes', 'fen')", name="unit"),
        CheckConstraint("owner_kind IN ('person', 'organization', 'system')", name="owner_kind"),
        CheckConstraint(
            "min_balance IS NULL OR max_balance IS NULL OR min_balance <= max_balance", name="limits_ordered"
        ),
    )

    owner_kind: Mapped[str] = mapped_column(String(16))
    owner_ref: Mapped[str] = mapped_column(String(120))  # e.g. "user:42", "org:7", "bank:3:pool"
    unit: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    min_balance: Mapped[int | None] = mapped_column(BigInteger)  # None: no lower limit (open_account: 0)
    max_balance: Mapped[int | None] = mapped_column(BigInteger)  # None: no upper limit
    balance: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class LedgerTransfer(IdPrimaryKey, DistrictScoped, Base):
    """One movement of value: two or more postings that sum to zero, written at once."""

    __tablename__ = "ledger_transfers"
    __table_args__ = (UniqueConstraint("district_id", "idempotency_key"), UniqueConstraint("reverses_id"))

    reason: Mapped[str] = mapped_column(String(500))
    category: Mapped[str] = mapped_column(String(64), default="")
    link: Mapped[str] = mapped_column(String(120), default="")  # e.g. "case:HS-2026-000123"
    idempotency_key: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    effective_at: Mapped[datetime] = mapped_column(default=utcnow)  # earlier than created_at when back-dated
    reverses_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("ledger_transfers.id"), default=None)


class LedgerPosting(IdPrimaryKey, DistrictScoped, Base):
    """One leg of a transfer: a signed, non-zero amount on one account. Never updated or deleted."""

    __tablename__ = "ledger_postings"
    __table_args__ = (
        UniqueConstraint("transfer_id", "account_id"),  # no account twice in one transfer
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        Index("ix_ledger_postings_account_effective", "account_id", "effective_at", "id"),
    )

    transfer_id: Mapped[int] = mapped_column(BigId, ForeignKey("ledger_transfers.id"))
    account_id: Mapped[int] = mapped_column(BigId, ForeignKey("ledger_accounts.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    effective_at: Mapped[datetime] = mapped_column()
