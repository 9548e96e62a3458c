"""Grade evaluation process (社会组织等级评估): indicator trees, evaluations, self-assessment, expert panel
scores, objections.

Version table ``alembic_version_rating``; names follow ``core.db.base.NAMING_CONVENTION``.

Revision ID: rating_0003
Revises: rating_0002
Create Date: 2026-12-07 02:08:11.870428
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "rating_0003"
down_revision: str | Sequence[str] | None = "rating_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "rating_grade_indicator",
        sa.Column("org_type", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("max_points", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint(
            "section IN ('basic', 'governance', 'performance', 'social', 'bonus')",
            name=op.f("ck_rating_grade_indicator_section"),
        ),
        sa.CheckConstraint("max_points BETWEEN 1 AND 500", name=op.f("ck_rating_grade_indicator_max_points")),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_rating_grade_indicator_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_grade_indicator")),
        sa.UniqueConstraint(
            "district_id",
            "org_type",
            "version",
            "code",
            name=op.f("uq_rating_grade_indicator_district_id_org_type_version_code"),
        ),
    )
    with op.batch_alter_table("rating_grade_indicator", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rating_grade_indicator_district_id"), ["district_id"], unique=False)

    op.create_table(
        "rating_grade_evaluation",
        sa.Column("organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("org_type", sa.String(length=20), nullable=False),
        sa.Column("tree_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("annual_report_filed", sa.Boolean(), nullable=False),
        sa.Column("applied_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("applied_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("self_submitted_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("scoring_closed_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("grade", sa.String(length=4), nullable=True),
        sa.Column("grade_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.Column("reviewed_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("confirmed_on", sa.Date(), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('self_assessment', 'expert_scoring', 'publicity', 'review', 'confirmed', 'not_graded')",
            name=op.f("ck_rating_grade_evaluation_status"),
        ),
        sa.ForeignKeyConstraint(
            ["applied_by_id"],
            ["users.id"],
            name=op.f("fk_rating_grade_evaluation_applied_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_rating_grade_evaluation_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["grade_id"],
            ["rating_grade.id"],
            name=op.f("fk_rating_grade_evaluation_grade_id_rating_grade"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_rating_grade_evaluation_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["users.id"],
            name=op.f("fk_rating_grade_evaluation_reviewed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_grade_evaluation")),
        sa.UniqueConstraint(
            "district_id",
            "organization_id",
            "year",
            name=op.f("uq_rating_grade_evaluation_district_id_organization_id_year"),
        ),
    )
    with op.batch_alter_table("rating_grade_evaluation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rating_grade_evaluation_district_id"), ["district_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_rating_grade_evaluation_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index("ix_rating_grade_evaluation_queue", ["district_id", "status", "created_at"], unique=False)

    op.create_table(
        "rating_grade_objection",
        sa.Column("grade_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("answered_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["answered_by_id"],
            ["users.id"],
            name=op.f("fk_rating_grade_objection_answered_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_rating_grade_objection_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["grade_id"],
            ["rating_grade.id"],
            name=op.f("fk_rating_grade_objection_grade_id_rating_grade"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_rating_grade_objection_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_grade_objection")),
    )
    with op.batch_alter_table("rating_grade_objection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rating_grade_objection_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rating_grade_objection_grade_id"), ["grade_id"], unique=False)

    op.create_table(
        "rating_grade_expert_score",
        sa.Column("evaluation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("expert_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("indicator_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("tenths", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_rating_grade_expert_score_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["rating_grade_evaluation.id"],
            name=op.f("fk_rating_grade_expert_score_evaluation_id_rating_grade_evaluation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"], ["users.id"], name=op.f("fk_rating_grade_expert_score_expert_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["rating_grade_indicator.id"],
            name=op.f("fk_rating_grade_expert_score_indicator_id_rating_grade_indicator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_grade_expert_score")),
        sa.UniqueConstraint(
            "evaluation_id",
            "expert_id",
            "indicator_id",
            name=op.f("uq_rating_grade_expert_score_evaluation_id_expert_id_indicator_id"),
        ),
    )
    with op.batch_alter_table("rating_grade_expert_score", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rating_grade_expert_score_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rating_grade_expert_score_evaluation_id"), ["evaluation_id"], unique=False)

    op.create_table(
        "rating_grade_panel",
        sa.Column("evaluation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("assigned_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("submitted_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"],
            ["users.id"],
            name=op.f("fk_rating_grade_panel_assigned_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_rating_grade_panel_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["rating_grade_evaluation.id"],
            name=op.f("fk_rating_grade_panel_evaluation_id_rating_grade_evaluation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_rating_grade_panel_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_grade_panel")),
        sa.UniqueConstraint("evaluation_id", "user_id", name=op.f("uq_rating_grade_panel_evaluation_id_user_id")),
    )
    with op.batch_alter_table("rating_grade_panel", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rating_grade_panel_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rating_grade_panel_evaluation_id"), ["evaluation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rating_grade_panel_user_id"), ["user_id"], unique=False)

    op.create_table(
        "rating_grade_self_score",
        sa.Column("evaluation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("indicator_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("tenths", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_rating_grade_self_score_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["rating_grade_evaluation.id"],
            name=op.f("fk_rating_grade_self_score_evaluation_id_rating_grade_evaluation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["rating_grade_indicator.id"],
            name=op.f("fk_rating_grade_self_score_indicator_id_rating_grade_indicator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_grade_self_score")),
        sa.UniqueConstraint(
            "evaluation_id", "indicator_id", name=op.f("uq_rating_grade_self_score_evaluation_id_indicator_id")
        ),
    )
    with op.batch_alter_table("rating_grade_self_score", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rating_grade_self_score_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rating_grade_self_score_evaluation_id"), ["evaluation_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("rating_grade_self_score", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_grade_self_score_evaluation_id"))
        batch_op.drop_index(batch_op.f("ix_rating_grade_self_score_district_id"))

    op.drop_table("rating_grade_self_score")
    with op.batch_alter_table("rating_grade_panel", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_grade_panel_user_id"))
        batch_op.drop_index(batch_op.f("ix_rating_grade_panel_evaluation_id"))
        batch_op.drop_index(batch_op.f("ix_rating_grade_panel_district_id"))

    op.drop_table("rating_grade_panel")
    with op.batch_alter_table("rating_grade_expert_score", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_grade_expert_score_evaluation_id"))
        batch_op.drop_index(batch_op.f("ix_rating_grade_expert_score_district_id"))

    op.drop_table("rating_grade_expert_score")
    with op.batch_alter_table("rating_grade_objection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_grade_objection_grade_id"))
        batch_op.drop_index(batch_op.f("ix_rating_grade_objection_district_id"))

    op.drop_table("rating_grade_objection")
    with op.batch_alter_table("rating_grade_evaluation", schema=None) as batch_op:
        batch_op.drop_index("ix_rating_grade_evaluation_queue")
        batch_op.drop_index(batch_op.f("ix_rating_grade_evaluation_organization_id"))
        batch_op.drop_index(batch_op.f("ix_rating_grade_evaluation_district_id"))

    op.drop_table("rating_grade_evaluation")
    with op.batch_alter_table("rating_grade_indicator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_grade_indicator_district_id"))

    op.drop_table("rating_grade_indicator")
