"""The plugin's tables (names start with ``parking_``): estates, spaces, committee, conventions, permits.

An estate (小区) is the core's ``org_units`` row of kind ``estate``; its households, floor
areas and vehicles live in the core residents registry. The plugin adds what parking
self-governance needs on top: the spaces, the committee, the conventions voted by the
owners (through ``core.votes``) and the permits (parking cards).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    func,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import Base, BigId, DistrictScoped, IdPrimaryKey, JsonB, Timestamps, utcnow

__all__ = (
    "COMMITTEE_ROLES",
    "CONVENTION_STATUSES",
    "LIVE_PERMIT",
    "PERMIT_KINDS",
    "PERMIT_STATUSES",
    "SPACE_KINDS",
    "CommitteeMember",
    "Convention",
    "ParkingEstate",
    "Permit",
    "Space",
    "TidalAgreement",
    "TidalAllocation",
    "TidalDocument",
    "TidalSlot",
)

SPACE_KINDS = ("fixed", "pool", "tidal", "visitor", "accessible")
COMMITTEE_ROLES = ("chair", "treasurer", "patroller", "member")
CONVENTION_STATUSES = ("draft", "voting", "adopted", "rejected", "superseded")
PERMIT_KINDS = ("resident", "second_car", "tidal", "visitor")
PERMIT_STATUSES = ("waiting", "applied", "approved", "issued", "suspended", "expired", "revoked", "refused")
# A permit in one of these states holds its plate (and, when it draws from the pool, a place in it).
LIVE_PERMIT = ("waiting", "applied", "approved", "issued", "suspended")
# These hold a place in the pool (a waiting permit does not).
POOL_HOLDING = ("applied", "approved", "issued", "suspended")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class ParkingEstate(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """An estate under parking self-governance: the core estate, its supervisor and its card counter."""

    __tablename__ = "parking_estate"
    __table_args__ = (UniqueConstraint("district_id", "estate_id"),)

    estate_id: Mapped[int] = mapped_column(BigId, ForeignKey("org_units.id", ondelete="RESTRICT"))
    # The community committee (社区居委会) that supervises the estate's self-governance.
    supervisor_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("org_units.id", ondelete="SET NULL"), default=None
    )
    note: Mapped[str] = mapped_column(Text, default="")
    # Last card number issued; cards are numbered per estate (P-0001, P-0002 …) under the row lock.
    last_card_no: Mapped[int] = mapped_column(Integer, default=0)


class Space(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A parking space of an estate: its code (unique in the estate) and kind."""

    __tablename__ = "parking_space"
    __table_args__ = (
        UniqueConstraint("parking_estate_id", "code"),
        CheckConstraint(_in("kind", SPACE_KINDS), name="kind"),
        CheckConstraint(_in("status", ("active", "suspended")), name="status"),
    )

    parking_estate_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("parking_estate.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(12), default="active")
    note: Mapped[str] = mapped_column(String(200), default="")


class CommitteeMember(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A member of the estate's parking self-management committee (停车自管委员会) for a term."""

    __tablename__ = "parking_committee_member"
    __table_args__ = (
        CheckConstraint(_in("role", COMMITTEE_ROLES), name="role"),
        CheckConstraint("term_to IS NULL OR term_to >= term_from", name="term_order"),
    )

    parking_estate_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("parking_estate.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(12))
    term_from: Mapped[date] = mapped_column(Date)
    term_to: Mapped[date | None] = mapped_column(Date, default=None)


class Convention(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A version of an estate's parking convention (停车公约): text, fee schedule, rules, owners' vote."""

    __tablename__ = "parking_convention"
    __table_args__ = (
        UniqueConstraint("parking_estate_id", "version"),
        CheckConstraint(_in("status", CONVENTION_STATUSES), name="status"),
    )

    parking_estate_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("parking_estate.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # {"first_car_fen": 0, "second_car_fen": 5000, "visitor_free_hours": 2}
    fees: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    # {"cards_per_household": 2, "suspend_after": 3, "violation_days": 30}
    rules: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    # A major matter (Civil Code art. 278 items 6–8, e.g. renting common land to outsiders): 3/4.
    major: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    vote_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("votes.id", ondelete="SET NULL"), default=None)
    adopted_at: Mapped[datetime | None] = mapped_column(default=None)
    created_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)


class Permit(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A parking permit (停车卡) of a household for one plate, under an adopted convention."""

    __tablename__ = "parking_permit"
    __table_args__ = (
        CheckConstraint(_in("kind", PERMIT_KINDS), name="kind"),
        CheckConstraint(_in("status", PERMIT_STATUSES), name="status"),
        CheckConstraint(_in("channel", ("online", "window")), name="channel"),
        CheckConstraint(
            "start_minute >= 0 AND start_minute < 1440 AND end_minute > 0 AND end_minute <= 1440", name="window"
        ),
        # One live permit per plate in an estate (so also per household and plate), even under races.
        Index(
            "uq_parking_permit_live_plate",
            "parking_estate_id",
            "plate",
            unique=True,
            sqlite_where=text(_in("status", LIVE_PERMIT)),
            postgresql_where=text(_in("status", LIVE_PERMIT)),
        ),
        Index("ix_parking_permit_estate_status", "parking_estate_id", "status"),
    )

    parking_estate_id: Mapped[int] = mapped_column(BigId, ForeignKey("parking_estate.id", ondelete="CASCADE"))
    convention_id: Mapped[int] = mapped_column(BigId, ForeignKey("parking_convention.id", ondelete="RESTRICT"))
    # A resident's card belongs to a household; a tidal card to a partner's employee under an agreement.
    household_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("households.id", ondelete="CASCADE"), index=True, default=None
    )
    agreement_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("parking_tidal_agreement.id", ondelete="CASCADE"), default=None
    )
    holder_name: Mapped[str] = mapped_column(String(50), default="")
    plate: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(12))
    card_no: Mapped[str | None] = mapped_column(String(20), default=None)
    space_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("parking_space.id", ondelete="SET NULL"))
    # Days of the week the card opens the gate ("1234567": Monday … Sunday) and hours [start, end) in minutes.
    days: Mapped[str] = mapped_column(String(7), default="1234567")
    start_minute: Mapped[int] = mapped_column(Integer, default=0)
    end_minute: Mapped[int] = mapped_column(Integer, default=1440)
    valid_from: Mapped[date | None] = mapped_column(Date, default=None)
    valid_to: Mapped[date | None] = mapped_column(Date, default=None)
    fee_fen: Mapped[int] = mapped_column(Integer, default=0)
    channel: Mapped[str] = mapped_column(String(8), default="online")
    applied_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    note: Mapped[str] = mapped_column(String(300), default="")


class TidalAgreement(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A tidal sharing agreement (潮汐式停车协议) with a partner: spaces offered in weekly windows, price, term.

    ``draft`` → ``signed`` (by the estate's committee and the partner; supervised by the
    community committee) → ``terminated``. Permits for the partner's employees only once signed.
    """

    __tablename__ = "parking_tidal_agreement"
    __table_args__ = (
        CheckConstraint(_in("status", ("draft", "signed", "terminated")), name="status"),
        CheckConstraint("space_count > 0", name="space_count"),
        CheckConstraint("term_to >= term_from", name="term_order"),
    )

    parking_estate_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("parking_estate.id", ondelete="CASCADE"), index=True
    )
    partner: Mapped[str] = mapped_column(String(100))
    space_count: Mapped[int] = mapped_column(Integer)
    days: Mapped[str] = mapped_column(String(7), default="12345")
    start_minute: Mapped[int] = mapped_column(Integer, default=510)
    end_minute: Mapped[int] = mapped_column(Integer, default=1020)
    price_fen: Mapped[int] = mapped_column(Integer, default=0)  # per space and month
    term_from: Mapped[date] = mapped_column(Date)
    term_to: Mapped[date] = mapped_column(Date)
    signatories: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(12), default="draft")
    signed_at: Mapped[datetime | None] = mapped_column(default=None)


class TidalAllocation(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A space given to someone in weekly windows between two dates; no two active ones of a space overlap.

    ``end_minute`` ≤ ``start_minute`` means the window crosses midnight (17:00–08:30 the
    next morning). Windows are half-open: one ending at 08:30 and one starting at 08:30 do
    not overlap (the hand-over).
    """

    __tablename__ = "parking_tidal_allocation"
    __table_args__ = (
        CheckConstraint(_in("status", ("active", "released")), name="status"),
        CheckConstraint(
            "start_minute >= 0 AND start_minute < 1440 AND end_minute >= 0 AND end_minute <= 1440", name="window"
        ),
        Index("ix_parking_tidal_allocation_space", "space_id", "status"),
    )

    parking_estate_id: Mapped[int] = mapped_column(BigId, ForeignKey("parking_estate.id", ondelete="CASCADE"))
    space_id: Mapped[int] = mapped_column(BigId, ForeignKey("parking_space.id", ondelete="CASCADE"))
    agreement_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("parking_tidal_agreement.id", ondelete="CASCADE"), default=None
    )
    holder: Mapped[str] = mapped_column(String(100))
    days: Mapped[str] = mapped_column(String(7))
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="active")


WEEK_MINUTES = 7 * 1440


class TidalSlot(Base):
    """One half-open minute-of-week interval ``[begin, end)`` of an active allocation (Monday 00:00 is 0).

    An allocation's weekly window is stored as its intervals (Mon–Fri 08:30–17:00: five;
    every night 17:00–08:30: eight, Sunday night split at the end of the week), so "no two
    allocations of a space overlap" is a condition on rows: on PostgreSQL an exclusion
    constraint (btree_gist) over the space, the minutes and the dates refuses an overlapping
    row even from two transactions at once; SQLite runs one writer at a time. A released
    allocation's slots are deleted.
    """

    __tablename__ = "parking_tidal_slot"
    __table_args__ = (
        PrimaryKeyConstraint("allocation_id", "begin_minute"),
        CheckConstraint(
            f"begin_minute >= 0 AND begin_minute < end_minute AND end_minute <= {WEEK_MINUTES}", name="span"
        ),
        Index("ix_parking_tidal_slot_space", "space_id", "valid_to"),
        ExcludeConstraint(
            (literal_column("space_id"), "="),
            (func.int4range(literal_column("begin_minute"), literal_column("end_minute")), "&&"),
            (func.daterange(literal_column("valid_from"), literal_column("valid_to"), text("'[]'")), "&&"),
            name="parking_tidal_slot_no_overlap",
            using="gist",
        ).ddl_if(dialect="postgresql"),
    )

    allocation_id: Mapped[int] = mapped_column(BigId, ForeignKey("parking_tidal_allocation.id", ondelete="CASCADE"))
    space_id: Mapped[int] = mapped_column(BigId, ForeignKey("parking_space.id", ondelete="CASCADE"))
    begin_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)


TIDAL_DOCUMENTS = ("identity", "employer_letter")


class TidalDocument(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A document of a partner employee's tidal card application (scenario P2): an identity document or the
    employer's letter, a photo or a PDF kept in the core's file storage."""

    __tablename__ = "parking_tidal_document"
    __table_args__ = (
        UniqueConstraint("permit_id", "kind"),
        CheckConstraint(_in("kind", TIDAL_DOCUMENTS), name="kind"),
    )

    permit_id: Mapped[int] = mapped_column(BigId, ForeignKey("parking_permit.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    storage_key: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)


from plugins.parking import models_money  # noqa: E402, F401  (registers the money tables)
from plugins.parking.models_dividend import CarReport, Dividend, DividendShare, Renewal  # noqa: E402,F401
from plugins.parking.models_patrols import PatrolRound, PlateCheck, Violation  # noqa: E402,F401  (patrols' tables)
from plugins.parking.models_rota import PatrolShift, ShiftAssignment  # noqa: E402,F401  (the rota's tables)
