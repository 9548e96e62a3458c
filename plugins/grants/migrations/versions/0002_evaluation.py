"""Reports, evaluations, outcomes and sustainability follow-ups of funded projects (grants_report,
grants_eval_form, grants_evaluation, grants_outcome, grants_follow_up).

Written by ``sanshe db revision --plugin grants``; version table ``alembic_version_grants``.

Revision ID: grants_0002_evaluation
Revises: grants_0001
Create Date: 2026-12-07 02:07:24.874427
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "grants_0002_evaluation"
down_revision: str | Sequence[str] | None = "grants_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC_DATETIME = DateTimeUTC(timezone=True)
JSON_B = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "grants_eval_form",
        sa.Column("call_id", BIG_ID, nullable=False),
        sa.Column("criteria", JSON_B, nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["grants_call.id"], name=op.f("fk_grants_eval_form_call_id_grants_call"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_grants_eval_form_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grants_eval_form")),
        sa.UniqueConstraint("call_id", name=op.f("uq_grants_eval_form_call_id")),
    )
    with op.batch_alter_table("grants_eval_form", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grants_eval_form_district_id"), ["district_id"], unique=False)

    op.create_table(
        "grants_evaluation",
        sa.Column("application_id", BIG_ID, nullable=False),
        sa.Column("stage", sa.String(length=10), nullable=False),
        sa.Column("evaluator_id", BIG_ID, nullable=True),
        sa.Column("agency", sa.String(length=100), nullable=False),
        sa.Column("criteria", JSON_B, nullable=False),
        sa.Column("scores", JSON_B, nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("score_x100", sa.Integer(), nullable=True),
        sa.Column("submitted_at", UTC_DATETIME, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["grants_application.id"],
            name=op.f("fk_grants_evaluation_application_id_grants_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_grants_evaluation_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["evaluator_id"], ["users.id"], name=op.f("fk_grants_evaluation_evaluator_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grants_evaluation")),
        sa.UniqueConstraint("application_id", "stage", name=op.f("uq_grants_evaluation_application_id_stage")),
    )
    with op.batch_alter_table("grants_evaluation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grants_evaluation_application_id"), ["application_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_grants_evaluation_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_grants_evaluation_evaluator_id"), ["evaluator_id"], unique=False)

    op.create_table(
        "grants_follow_up",
        sa.Column("application_id", BIG_ID, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("running", sa.Boolean(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("answered_at", UTC_DATETIME, nullable=True),
        sa.Column("answered_by", BIG_ID, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["answered_by"], ["users.id"], name=op.f("fk_grants_follow_up_answered_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["grants_application.id"],
            name=op.f("fk_grants_follow_up_application_id_grants_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_grants_follow_up_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grants_follow_up")),
        sa.UniqueConstraint("application_id", "year", name=op.f("uq_grants_follow_up_application_id_year")),
    )
    with op.batch_alter_table("grants_follow_up", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grants_follow_up_application_id"), ["application_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_grants_follow_up_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_grants_follow_up_due_on"), ["due_on"], unique=False)

    op.create_table(
        "grants_outcome",
        sa.Column("application_id", BIG_ID, nullable=False),
        sa.Column("grade", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("closed_by", BIG_ID, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["grants_application.id"],
            name=op.f("fk_grants_outcome_application_id_grants_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["closed_by"], ["users.id"], name=op.f("fk_grants_outcome_closed_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_grants_outcome_district_id_districts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grants_outcome")),
        sa.UniqueConstraint("application_id", name=op.f("uq_grants_outcome_application_id")),
    )
    with op.batch_alter_table("grants_outcome", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grants_outcome_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_grants_outcome_grade"), ["grade"], unique=False)

    op.create_table(
        "grants_report",
        sa.Column("application_id", BIG_ID, nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("indicators", sa.Text(), nullable=False),
        sa.Column("activities", sa.Text(), nullable=False),
        sa.Column("beneficiaries", sa.Integer(), nullable=False),
        sa.Column("spending", JSON_B, nullable=False),
        sa.Column("files", JSON_B, nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=False),
        sa.Column("first_submitted_at", UTC_DATETIME, nullable=False),
        sa.Column("submitted_at", UTC_DATETIME, nullable=False),
        sa.Column("submitted_by", BIG_ID, nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("decided_at", UTC_DATETIME, nullable=True),
        sa.Column("decided_by", BIG_ID, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["grants_application.id"],
            name=op.f("fk_grants_report_application_id_grants_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_grants_report_decided_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_grants_report_district_id_districts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by"], ["users.id"], name=op.f("fk_grants_report_submitted_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grants_report")),
        sa.UniqueConstraint("application_id", "kind", name=op.f("uq_grants_report_application_id_kind")),
    )
    with op.batch_alter_table("grants_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grants_report_application_id"), ["application_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_grants_report_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_grants_report_status"), ["status"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("grants_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grants_report_status"))
        batch_op.drop_index(batch_op.f("ix_grants_report_district_id"))
        batch_op.drop_index(batch_op.f("ix_grants_report_application_id"))

    op.drop_table("grants_report")
    with op.batch_alter_table("grants_outcome", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grants_outcome_grade"))
        batch_op.drop_index(batch_op.f("ix_grants_outcome_district_id"))

    op.drop_table("grants_outcome")
    with op.batch_alter_table("grants_follow_up", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grants_follow_up_due_on"))
        batch_op.drop_index(batch_op.f("ix_grants_follow_up_district_id"))
        batch_op.drop_index(batch_op.f("ix_grants_follow_up_application_id"))

    op.drop_table("grants_follow_up")
    with op.batch_alter_table("grants_evaluation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grants_evaluation_evaluator_id"))
        batch_op.drop_index(batch_op.f("ix_grants_evaluation_district_id"))
        batch_op.drop_index(batch_op.f("ix_grants_evaluation_application_id"))

    op.drop_table("grants_evaluation")
    with op.batch_alter_table("grants_eval_form", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grants_eval_form_district_id"))

    op.drop_table("grants_eval_form")
