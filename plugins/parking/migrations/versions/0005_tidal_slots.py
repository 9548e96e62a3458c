"""tidal slots: an allocation's weekly window as minute-of-week rows, no overlap enforced by the database

Revision ID: parking_0005_tidal_slots
Revises: parking_0004_dividend
Create Date: 2026-12-07 09:20:00

Each active allocation gets one ``parking_tidal_slot`` row per half-open minute-of-week
interval of its window. On PostgreSQL an exclusion constraint (``btree_gist``, a trusted
extension since PostgreSQL 13: the database's owner may create it) refuses two slots of a
space that share a minute and a day, even from two transactions at once. The active
allocations already there get their slots here (they cannot overlap: the application
checked them).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "parking_0005_tidal_slots"
down_revision: str | Sequence[str] | None = "parking_0004_dividend"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _intervals(days: str, start: int, end: int) -> list[tuple[int, int]]:
    """A weekly window's half-open minute-of-week intervals (as ``plugins.parking.tidal.intervals`` at this revision).

    An end not after the start crosses midnight; Sunday night is split at the end of the week.
    """
    length = (end - start) if end > start else (1440 - start + end)
    out: list[tuple[int, int]] = []
    for day in days:
        begin = (int(day) - 1) * 1440 + start
        stop = begin + length
        out += [(begin, stop)] if stop <= 10080 else [(begin, 10080), (0, stop - 10080)]
    return out


def upgrade() -> None:
    """Apply this revision."""
    big = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "parking_tidal_slot",
        sa.Column("allocation_id", big, nullable=False),
        sa.Column("space_id", big, nullable=False),
        sa.Column("begin_minute", sa.Integer(), nullable=False),
        sa.Column("end_minute", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "begin_minute >= 0 AND begin_minute < end_minute AND end_minute <= 10080",
            name=op.f("ck_parking_tidal_slot_span"),
        ),
        sa.ForeignKeyConstraint(
            ["allocation_id"],
            ["parking_tidal_allocation.id"],
            name=op.f("fk_parking_tidal_slot_allocation_id_parking_tidal_allocation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["space_id"],
            ["parking_space.id"],
            name=op.f("fk_parking_tidal_slot_space_id_parking_space"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("allocation_id", "begin_minute", name=op.f("pk_parking_tidal_slot")),
    )
    with op.batch_alter_table("parking_tidal_slot", schema=None) as batch_op:
        batch_op.create_index("ix_parking_tidal_slot_space", ["space_id", "valid_to"], unique=False)

    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT id, space_id, days, start_minute, end_minute, valid_from, valid_to"
            " FROM parking_tidal_allocation WHERE status = 'active'"
        )
    ).all()
    slot = sa.table(
        "parking_tidal_slot",
        sa.column("allocation_id"),
        sa.column("space_id"),
        sa.column("begin_minute"),
        sa.column("end_minute"),
        sa.column("valid_from", sa.Date()),
        sa.column("valid_to", sa.Date()),
    )
    slots = [
        {
            "allocation_id": r.id,
            "space_id": r.space_id,
            "begin_minute": begin,
            "end_minute": end,
            "valid_from": r.valid_from,
            "valid_to": r.valid_to,
        }
        for r in rows
        for begin, end in _intervals(r.days, r.start_minute, r.end_minute)
    ]
    if slots:
        op.bulk_insert(slot, slots)
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE parking_tidal_slot ADD CONSTRAINT parking_tidal_slot_no_overlap EXCLUDE USING gist"
            " (space_id WITH =, int4range(begin_minute, end_minute) WITH &&,"
            " daterange(valid_from, valid_to, '[]') WITH &&)"
        )


def downgrade() -> None:
    """Revert this revision (the btree_gist extension stays: other tables may use it)."""
    with op.batch_alter_table("parking_tidal_slot", schema=None) as batch_op:
        batch_op.drop_index("ix_parking_tidal_slot_space")
    op.drop_table("parking_tidal_slot")
