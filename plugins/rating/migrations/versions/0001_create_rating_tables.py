"""Create the star rating tables: ratings, follow-ups, appeals, standing steps.

Version table ``alembic_version_rating``; names follow ``core.db.base.NAMING_CONVENTION``.

Revision ID: rating_0001
Revises:
Create Date: 2026-12-06 19:40:29.884107
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "rating_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "rating_standing",
        sa.Column("organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("appeal_status", sa.String(length=20), nullable=False),
        sa.Column("appeal_reason", sa.Text(), nullable=False),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint(
            "appeal_status IN ('none', 'pending', 'upheld', 'rejected')", name=op.f("ck_rating_standing_appeal_status")
        ),
        sa.CheckConstraint("status IN ('probation', 'removed', 'honoured')", name=op.f("ck_rating_standing_status")),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_rating_standing_decided_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_rating_standing_district_id_districts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_rating_standing_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_standing")),
        sa.UniqueConstraint(
            "district_id",
            "organization_id",
            "period",
            "status",
            name=op.f("uq_rating_standing_district_id_organization_id_period_status"),
        ),
    )
    with op.batch_alter_table("rating_standing", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rating_standing_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rating_standing_organization_id"), ["organization_id"], unique=False)

    op.create_table(
        "rating_rating",
        sa.Column("delivery_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column(
            "dimensions",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("rater_name", sa.String(length=50), nullable=False),
        sa.Column("rater_relation", sa.String(length=20), nullable=False),
        sa.Column("rater_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("entered_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("submitted_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("void_reason", sa.Text(), nullable=False),
        sa.Column("voided_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("voided_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('valid', 'voided')", name=op.f("ck_rating_rating_status")),
        sa.CheckConstraint("stars BETWEEN 1 AND 5", name=op.f("ck_rating_rating_stars")),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["service_deliveries.id"],
            name=op.f("fk_rating_rating_delivery_id_service_deliveries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_rating_rating_district_id_districts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["users.id"], name=op.f("fk_rating_rating_entered_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_rating_rating_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rater_user_id"], ["users.id"], name=op.f("fk_rating_rating_rater_user_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["voided_by_id"], ["users.id"], name=op.f("fk_rating_rating_voided_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_rating")),
        sa.UniqueConstraint("district_id", "delivery_id", name=op.f("uq_rating_rating_district_id_delivery_id")),
    )
    with op.batch_alter_table("rating_rating", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rating_rating_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rating_rating_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(
            "ix_rating_rating_ranking", ["district_id", "status", "submitted_at", "organization_id"], unique=False
        )

    op.create_table(
        "rating_appeal",
        sa.Column("rating_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("grounds", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("filed_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("decided_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('pending', 'upheld', 'rejected')", name=op.f("ck_rating_appeal_status")),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_rating_appeal_decided_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_rating_appeal_district_id_districts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["filed_by_id"], ["users.id"], name=op.f("fk_rating_appeal_filed_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_rating_appeal_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rating_id"],
            ["rating_rating.id"],
            name=op.f("fk_rating_appeal_rating_id_rating_rating"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_appeal")),
        sa.UniqueConstraint("district_id", "rating_id", name=op.f("uq_rating_appeal_district_id_rating_id")),
    )
    with op.batch_alter_table("rating_appeal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rating_appeal_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rating_appeal_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rating_appeal_status"), ["status"], unique=False)

    op.create_table(
        "rating_follow_up",
        sa.Column("rating_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("contact_note", sa.Text(), nullable=False),
        sa.Column("action_taken", sa.Text(), nullable=False),
        sa.Column("resident_response", sa.Text(), nullable=False),
        sa.Column("answered_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("answered_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("closed_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('open', 'answered', 'closed')", name=op.f("ck_rating_follow_up_status")),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["users.id"], name=op.f("fk_rating_follow_up_answered_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["users.id"], name=op.f("fk_rating_follow_up_closed_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_rating_follow_up_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_rating_follow_up_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rating_id"],
            ["rating_rating.id"],
            name=op.f("fk_rating_follow_up_rating_id_rating_rating"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_follow_up")),
        sa.UniqueConstraint("district_id", "rating_id", name=op.f("uq_rating_follow_up_district_id_rating_id")),
    )
    with op.batch_alter_table("rating_follow_up", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rating_follow_up_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rating_follow_up_due_on"), ["due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_rating_follow_up_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rating_follow_up_status"), ["status"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("rating_follow_up", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_follow_up_status"))
        batch_op.drop_index(batch_op.f("ix_rating_follow_up_organization_id"))
        batch_op.drop_index(batch_op.f("ix_rating_follow_up_due_on"))
        batch_op.drop_index(batch_op.f("ix_rating_follow_up_district_id"))

    op.drop_table("rating_follow_up")
    with op.batch_alter_table("rating_appeal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_appeal_status"))
        batch_op.drop_index(batch_op.f("ix_rating_appeal_organization_id"))
        batch_op.drop_index(batch_op.f("ix_rating_appeal_district_id"))

    op.drop_table("rating_appeal")
    with op.batch_alter_table("rating_rating", schema=None) as batch_op:
        batch_op.drop_index("ix_rating_rating_ranking")
        batch_op.drop_index(batch_op.f("ix_rating_rating_organization_id"))
        batch_op.drop_index(batch_op.f("ix_rating_rating_district_id"))

    op.drop_table("rating_rating")
    with op.batch_alter_table("rating_standing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_standing_organization_id"))
        batch_op.drop_index(batch_op.f("ix_rating_standing_district_id"))

    op.drop_table("rating_standing")
