"""notifications: in-app notices (the outbox of other channels) and per-user preferences

Revision ID: 09da1b0f617a
Revises: 7a0b5c1d2e3f
Create Date: 2026-12-06 16:30:00.000000

A notice is written in the same transaction as the change that caused it; the row is
the in-app delivery and the outbox of other channels (``sent_at``, ``digested_at``).
``dedupe_key`` makes "once per case and due date" a constraint, not a hope.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "09da1b0f617a"
down_revision: str | Sequence[str] | None = "7a0b5c1d2e3f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = DateTimeUTC(timezone=True)
JSON_B = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "notifications",
        sa.Column("user_id", BIG_ID, nullable=False),
        sa.Column("kind", sa.String(length=80), nullable=False),
        sa.Column("params", JSON_B, nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=160), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("read_at", UTC_DATETIME, nullable=True),
        sa.Column("sent_at", UTC_DATETIME, nullable=True),
        sa.Column("digested_at", UTC_DATETIME, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_notifications_district_id_districts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint(
            "district_id", "user_id", "dedupe_key", name=op.f("uq_notifications_district_id_user_id_dedupe_key")
        ),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notifications_district_id"), ["district_id"], unique=False)
        batch_op.create_index("ix_notifications_user_read", ["user_id", "read_at", "created_at"], unique=False)
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", BIG_ID, nullable=False),
        sa.Column("kind", sa.String(length=80), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.CheckConstraint("mode IN ('instant', 'digest')", name=op.f("ck_notification_preferences_mode")),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_notification_preferences_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notification_preferences_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_preferences")),
        sa.UniqueConstraint(
            "district_id", "user_id", "kind", name=op.f("uq_notification_preferences_district_id_user_id_kind")
        ),
    )
    with op.batch_alter_table("notification_preferences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_preferences_district_id"), ["district_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("notification_preferences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_preferences_district_id"))
    op.drop_table("notification_preferences")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user_read")
        batch_op.drop_index(batch_op.f("ix_notifications_district_id"))
    op.drop_table("notifications")
