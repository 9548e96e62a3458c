"""Tables for the surplus dividend, card renewals and residents' reports of wrongly parked cars.

- ``parking_dividend``: a surplus dividend (结余分红) put to the owners' vote (``core.votes``);
  once adopted the treasurer pays it: one fund line (ledger transfer) and one
  ``parking_dividend_share`` per household of the vote's frozen electorate, summing exactly to it.
- ``parking_renewal``: a resident asks to renew an issued card; the committee approves or refuses.
- ``parking_car_report``: a resident reports a wrongly parked car with a photo; the patrollers
  see it in their list and record it as a violation or dismiss it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import Base, BigId, DistrictScoped, IdPrimaryKey, Timestamps, utcnow

__all__ = (
    "DIVIDEND_METHODS",
    "DIVIDEND_STATUSES",
    "CarReport",
    "Dividend",
    "DividendShare",
    "Renewal",
)

DIVIDEND_METHODS = ("area", "equal")
DIVIDEND_STATUSES = ("voting", "adopted", "rejected", "paid")
RENEWAL_STATUSES = ("requested", "approved", "refused")
REPORT_STATUSES = ("open", "recorded", "dismissed")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Dividend(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A surplus dividend to the estate's households: amount, how it is split, its owners' vote, its payment."""

    __tablename__ = "parking_dividend"
    __table_args__ = (
        CheckConstraint(_in("method", DIVIDEND_METHODS), name="method"),
        CheckConstraint(_in("status", DIVIDEND_STATUSES), name="status"),
        CheckConstraint("amount_fen > 0", name="amount"),
    )

    parking_estate_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("parking_estate.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    amount_fen: Mapped[int] = mapped_column(Integer)
    # ``area``: in proportion to floor area (largest remainder); ``equal``: the same for every household.
    method: Mapped[str] = mapped_column(String(8), default="area")
    status: Mapped[str] = mapped_column(String(12), default="voting")
    vote_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("votes.id", ondelete="SET NULL"), default=None)
    created_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    fund_line_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("parking_fund_line.id", ondelete="RESTRICT"), default=None, unique=True
    )
    paid_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    paid_at: Mapped[datetime | None] = mapped_column(default=None)


class DividendShare(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """One household's share of a paid dividend (the shares of a dividend sum to its ledger entry)."""

    __tablename__ = "parking_dividend_share"
    __table_args__ = (
        UniqueConstraint("dividend_id", "household_id"),
        CheckConstraint("amount_fen >= 0", name="amount"),
    )

    dividend_id: Mapped[int] = mapped_column(BigId, ForeignKey("parking_dividend.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("households.id", ondelete="SET NULL"), default=None
    )
    voter_ref: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(200), default="")
    area: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    amount_fen: Mapped[int] = mapped_column(Integer)


class Renewal(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A resident's request to renew an issued card for another term; the committee decides."""

    __tablename__ = "parking_renewal"
    __table_args__ = (
        CheckConstraint(_in("status", RENEWAL_STATUSES), name="status"),
        # At most one request waiting per card, even under a double click.
        Index(
            "uq_parking_renewal_waiting",
            "permit_id",
            unique=True,
            sqlite_where=text("status = 'requested'"),
            postgresql_where=text("status = 'requested'"),
        ),
    )

    parking_estate_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("parking_estate.id", ondelete="CASCADE"), index=True
    )
    permit_id: Mapped[int] = mapped_column(BigId, ForeignKey("parking_permit.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="requested")
    requested_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    valid_to_before: Mapped[date | None] = mapped_column(Date, default=None)
    valid_to_after: Mapped[date | None] = mapped_column(Date, default=None)
    decided_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    note: Mapped[str] = mapped_column(String(300), default="")


class CarReport(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A resident's report of a wrongly parked car, with a photo: open → recorded (a violation) or dismissed."""

    __tablename__ = "parking_car_report"
    __table_args__ = (CheckConstraint(_in("status", REPORT_STATUSES), name="status"),)

    parking_estate_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("parking_estate.id", ondelete="CASCADE"), index=True
    )
    plate: Mapped[str] = mapped_column(String(10))
    place: Mapped[str] = mapped_column(String(50))
    observed_at: Mapped[datetime] = mapped_column()
    description: Mapped[str] = mapped_column(String(300), default="")
    photo_key: Mapped[str] = mapped_column(String(200))
    photo_name: Mapped[str] = mapped_column(String(200), default="")
    photo_type: Mapped[str] = mapped_column(String(50), default="")
    photo_sha256: Mapped[str] = mapped_column(String(64), default="")
    reported_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default="open")
    handled_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    handled_at: Mapped[datetime | None] = mapped_column(default=None)
    violation_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("parking_violation.id", ondelete="SET NULL"), default=None
    )
    note: Mapped[str] = mapped_column(String(300), default="")
