"""Indicator scores of capacity assessments (the instrument editor: indicators with maximum scores).

Version table ``alembic_version_incubation``.

Revision ID: incubation_0002
Revises: incubation_0001
Create Date: 2026-12-07 02:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "incubation_0002"
down_revision: str | Sequence[str] | None = "incubation_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "incubation_score",
        sa.Column("assessment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("dimension", sa.String(length=30), nullable=False),
        sa.Column("indicator", sa.String(length=30), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("max_score", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["incubation_assessment.id"],
            name=op.f("fk_incubation_score_assessment_id_incubation_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_incubation_score_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incubation_score")),
        sa.UniqueConstraint(
            "assessment_id",
            "dimension",
            "indicator",
            name=op.f("uq_incubation_score_assessment_id_dimension_indicator"),
        ),
    )
    with op.batch_alter_table("incubation_score", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incubation_score_assessment_id"), ["assessment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incubation_score_district_id"), ["district_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("incubation_score", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incubation_score_district_id"))
        batch_op.drop_index(batch_op.f("ix_incubation_score_assessment_id"))
    op.drop_table("incubation_score")
