"""Period evaluations (the scheduled job), grade self-assessment evidence files, withdrawal of a grade application.

Version table ``alembic_version_rating``; names follow ``core.db.base.NAMING_CONVENTION``.

Revision ID: rating_0004
Revises: rating_0003
Create Date: 2026-12-07 05:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "rating_0004"
down_revision: str | Sequence[str] | None = "rating_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
OLD_STATES = "status IN ('self_assessment', 'expert_scoring', 'publicity', 'review', 'confirmed', 'not_graded')"
NEW_STATES = (
    "status IN ('self_assessment', 'expert_scoring', 'publicity', 'review', 'confirmed', 'not_graded', 'withdrawn')"
)


def _stamps() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("id", BIG, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG, nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "rating_period_evaluation",
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("evaluated_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("by_id", BIG, nullable=True),
        sa.Column("steps", sa.Integer(), nullable=False),
        *_stamps(),
        sa.CheckConstraint("source IN ('job', 'staff')", name=op.f("ck_rating_period_evaluation_source")),
        sa.ForeignKeyConstraint(
            ["by_id"], ["users.id"], name=op.f("fk_rating_period_evaluation_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_rating_period_evaluation_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_period_evaluation")),
        sa.UniqueConstraint("district_id", "period", name=op.f("uq_rating_period_evaluation_district_id_period")),
    )
    with op.batch_alter_table("rating_period_evaluation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rating_period_evaluation_district_id"), ["district_id"], unique=False)

    op.create_table(
        "rating_grade_evidence",
        sa.Column("evaluation_id", BIG, nullable=False),
        sa.Column("indicator_id", BIG, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("uploaded_by_id", BIG, nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_rating_grade_evidence_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["rating_grade_evaluation.id"],
            name=op.f("fk_rating_grade_evidence_evaluation_id_rating_grade_evaluation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["rating_grade_indicator.id"],
            name=op.f("fk_rating_grade_evidence_indicator_id_rating_grade_indicator"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_rating_grade_evidence_uploaded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_grade_evidence")),
    )
    with op.batch_alter_table("rating_grade_evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rating_grade_evidence_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rating_grade_evidence_evaluation_id"), ["evaluation_id"], unique=False)

    with op.batch_alter_table("rating_grade_evaluation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("withdrawn_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("withdraw_reason", sa.Text(), nullable=False, server_default=""))
        batch_op.drop_constraint(batch_op.f("ck_rating_grade_evaluation_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_rating_grade_evaluation_status"), NEW_STATES)


def downgrade() -> None:
    """Revert this revision."""
    op.execute("UPDATE rating_grade_evaluation SET status = 'not_graded' WHERE status = 'withdrawn'")
    with op.batch_alter_table("rating_grade_evaluation", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_rating_grade_evaluation_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_rating_grade_evaluation_status"), OLD_STATES)
        batch_op.drop_column("withdraw_reason")
        batch_op.drop_column("withdrawn_at")
    with op.batch_alter_table("rating_grade_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_grade_evidence_evaluation_id"))
        batch_op.drop_index(batch_op.f("ix_rating_grade_evidence_district_id"))
    op.drop_table("rating_grade_evidence")
    with op.batch_alter_table("rating_period_evaluation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_period_evaluation_district_id"))
    op.drop_table("rating_period_evaluation")
