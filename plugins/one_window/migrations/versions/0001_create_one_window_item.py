"""Create one_window_item.

Written to match ``plugins.one_window/models.py``; version table ``alembic_version_one_window``.
Constraint and index names follow ``core.db.base.NAMING_CONVENTION``.

Revision ID: one_window_0001
Revises:
Create Date: 2026-12-07 02:14:23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision: str = "one_window_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC_DATETIME = DateTimeUTC(timezone=True)


def upgrade() -> None:
    """Create the one_window_item table."""
    op.create_table(
        "one_window_item",
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", BIG_ID, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_one_window_item_created_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_one_window_item_district_id_districts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_one_window_item")),
    )
    op.create_index(op.f("ix_one_window_item_district_id"), "one_window_item", ["district_id"], unique=False)


def downgrade() -> None:
    """Drop the one_window_item table."""
    op.drop_index(op.f("ix_one_window_item_district_id"), table_name="one_window_item")
    op.drop_table("one_window_item")
