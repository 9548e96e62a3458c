"""Grade evaluation results (社会组织等级评估): rating_grade.

Revision ID: rating_0002
Revises: rating_0001
Create Date: 2026-12-06 20:07:38.021646
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "rating_0002"
down_revision: str | Sequence[str] | None = "rating_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "rating_grade",
        sa.Column("organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(length=4), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("publicity_until", sa.Date(), nullable=False),
        sa.Column("objections", sa.Text(), nullable=False),
        sa.Column("announced_on", sa.Date(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("recorded_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('publicity', 'confirmed', 'withdrawn')", name=op.f("ck_rating_grade_status")),
        sa.CheckConstraint("total BETWEEN 0 AND 1200", name=op.f("ck_rating_grade_total")),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_rating_grade_district_id_districts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_rating_grade_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_rating_grade_recorded_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_grade")),
        sa.UniqueConstraint(
            "district_id", "organization_id", "year", name=op.f("uq_rating_grade_district_id_organization_id_year")
        ),
    )
    with op.batch_alter_table("rating_grade", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rating_grade_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rating_grade_organization_id"), ["organization_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("rating_grade", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_grade_organization_id"))
        batch_op.drop_index(batch_op.f("ix_rating_grade_district_id"))

    op.drop_table("rating_grade")
