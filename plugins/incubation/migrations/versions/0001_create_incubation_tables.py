"""Create the incubation tables (incubators, spaces, cohorts, mentors, cases, criteria, desks, sessions,
trainings, instruments, assessments, hub evaluations).

Version table ``alembic_version_incubation``.

Revision ID: incubation_0001
Revises:
Create Date: 2026-12-06 19:31:40.416073
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "incubation_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:  # noqa: PLR0915 - one table after another
    """Apply this revision."""

    op.create_table(
        "incubation_instrument",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "dimensions",
            sa.JSON()
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
            .with_variant(advanced_alchemy.types.json.ORA_JSONB(), "oracle")
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_incubation_instrument_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incubation_instrument")),
        sa.UniqueConstraint("district_id", "version", name=op.f("uq_incubation_instrument_district_id_version")),
    )
    with op.batch_alter_table("incubation_instrument", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incubation_instrument_district_id"), ["district_id"], unique=False)

    op.create_table(
        "incubation_hub_evaluation",
        sa.Column("hub_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(length=20), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_incubation_hub_evaluation_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_incubation_hub_evaluation_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["hub_id"],
            ["organizations.id"],
            name=op.f("fk_incubation_hub_evaluation_hub_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["organizations.id"],
            name=op.f("fk_incubation_hub_evaluation_member_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incubation_hub_evaluation")),
        sa.UniqueConstraint(
            "hub_id", "member_id", "year", name=op.f("uq_incubation_hub_evaluation_hub_id_member_id_year")
        ),
    )
    with op.batch_alter_table("incubation_hub_evaluation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incubation_hub_evaluation_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incubation_hub_evaluation_hub_id"), ["hub_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incubation_hub_evaluation_member_id"), ["member_id"], unique=False)

    op.create_table(
        "incubation_incubator",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("org_unit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_incubation_incubator_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"],
            ["org_units.id"],
            name=op.f("fk_incubation_incubator_org_unit_id_org_units"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incubation_incubator")),
        sa.UniqueConstraint("district_id", "name", name=op.f("uq_incubation_incubator_district_id_name")),
    )
    with op.batch_alter_table("incubation_incubator", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incubation_incubator_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incubation_incubator_org_unit_id"), ["org_unit_id"], unique=False)

    op.create_table(
        "incubation_mentor",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_incubation_mentor_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_incubation_mentor_organization_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_incubation_mentor_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incubation_mentor")),
    )
    with op.batch_alter_table("incubation_mentor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incubation_mentor_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incubation_mentor_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incubation_mentor_user_id"), ["user_id"], unique=False)

    op.create_table(
        "incubation_cohort",
        sa.Column("incubator_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("intake_on", sa.Date(), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_incubation_cohort_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["incubator_id"],
            ["incubation_incubator.id"],
            name=op.f("fk_incubation_cohort_incubator_id_incubation_incubator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incubation_cohort")),
        sa.UniqueConstraint("incubator_id", "name", name=op.f("uq_incubation_cohort_incubator_id_name")),
    )
    with op.batch_alter_table("incubation_cohort", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incubation_cohort_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incubation_cohort_incubator_id"), ["incubator_id"], unique=False)

    op.create_table(
        "incubation_space",
        sa.Column("incubator_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_incubation_space_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["incubator_id"],
            ["incubation_incubator.id"],
            name=op.f("fk_incubation_space_incubator_id_incubation_incubator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incubation_space")),
        sa.UniqueConstraint("incubator_id", "code", name=op.f("uq_incubation_space_incubator_id_code")),
    )
    with op.batch_alter_table("incubation_space", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incubation_space_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incubation_space_incubator_id"), ["incubator_id"], unique=False)

    op.create_table(
        "incubation_training",
        sa.Column("incubator_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_incubation_training_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["incubator_id"],
            ["incubation_incubator.id"],
            name=op.f("fk_incubation_training_incubator_id_incubation_incubator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incubation_training")),
    )
    with op.batch_alter_table("incubation_training", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incubation_training_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incubation_training_incubator_id"), ["incubator_id"], unique=False)

    op.create_table(
        "incubation_attendance",
        sa.Column("training_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("attended", sa.Boolean(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_incubation_attendance_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_incubation_attendance_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["training_id"],
            ["incubation_training.id"],
            name=op.f("fk_incubation_attendance_training_id_incubation_training"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incubation_attendance")),
        sa.UniqueConstraint(
            "training_id", "organization_id", name=op.f("uq_incubation_attendance_training_id_organization_id")
        ),
    )
    with op.batch_alter_table("incubation_attendance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incubation_attendance_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incubation_attendance_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incubation_attendance_training_id"), ["training_id"], unique=False)

    op.create_table(
        "incubation_case",
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("incubator_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("cohort_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("mentor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=True),
        sa.Column("planned_end_on", sa.Date(), nullable=True),
        sa.Column("resident_on", sa.Date(), nullable=True),
        sa.Column("registered_on", sa.Date(), nullable=True),
        sa.Column("graduated_on", sa.Date(), nullable=True),
        sa.Column("exited_on", sa.Date(), nullable=True),
        sa.Column("exit_reason", sa.String(length=500), nullable=False),
        sa.Column("renewals", sa.Integer(), nullable=False),
        sa.Column("renewal_reminded_for", sa.Date(), nullable=True),
        sa.Column("screening_notes", sa.Text(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_incubation_case_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["incubation_cohort.id"],
            name=op.f("fk_incubation_case_cohort_id_incubation_cohort"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_incubation_case_district_id_districts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["incubator_id"],
            ["incubation_incubator.id"],
            name=op.f("fk_incubation_case_incubator_id_incubation_incubator"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"],
            ["incubation_mentor.id"],
            name=op.f("fk_incubation_case_mentor_id_incubation_mentor"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_incubation_case_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incubation_case")),
        sa.UniqueConstraint("case_id", name=op.f("uq_incubation_case_case_id")),
    )
    with op.batch_alter_table("incubation_case", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incubation_case_cohort_id"), ["cohort_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incubation_case_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incubation_case_incubator_id"), ["incubator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incubation_case_mentor_id"), ["mentor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incubation_case_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incubation_case_stage"), ["stage"], unique=False)
        batch_op.create_index(
            "uq_incubation_case_one_active",
            ["organization_id", "incubator_id"],
            unique=True,
            sqlite_where=sa.text("active"),
            postgresql_where=sa.text("active"),
        )

    op.create_table(
        "incubation_allocation",
        sa.Column("space_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("incubation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("release_due_on", sa.Date(), nullable=True),
        sa.Column("release_reminded", sa.Boolean(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_incubation_allocation_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["incubation_id"],
            ["incubation_case.id"],
            name=op.f("fk_incubation_allocation_incubation_id_incubation_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["space_id"],
            ["incubation_space.id"],
            name=op.f("fk_incubation_allocation_space_id_incubation_space"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incubation_allocation")),
    )
    with op.batch_alter_table("incubation_allocation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incubation_allocation_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incubation_allocation_incubation_id"), ["incubation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incubation_allocation_space_id"), ["space_id"], unique=False)

    op.create_table(
        "incubation_assessment",
        sa.Column("incubation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("instrument_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("phase", sa.String(length=10), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("assessor", sa.String(length=50), nullable=False),
        sa.Column(
            "scores",
            sa.JSON()
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
            .with_variant(advanced_alchemy.types.json.ORA_JSONB(), "oracle")
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_incubation_assessment_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["incubation_id"],
            ["incubation_case.id"],
            name=op.f("fk_incubation_assessment_incubation_id_incubation_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["incubation_instrument.id"],
            name=op.f("fk_incubation_assessment_instrument_id_incubation_instrument"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incubation_assessment")),
    )
    with op.batch_alter_table("incubation_assessment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incubation_assessment_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incubation_assessment_incubation_id"), ["incubation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incubation_assessment_instrument_id"), ["instrument_id"], unique=False)

    op.create_table(
        "incubation_criterion",
        sa.Column("incubation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("evidence", sa.String(length=500), nullable=False),
        sa.Column("approver", sa.String(length=50), nullable=False),
        sa.Column("decided_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_incubation_criterion_decided_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_incubation_criterion_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["incubation_id"],
            ["incubation_case.id"],
            name=op.f("fk_incubation_criterion_incubation_id_incubation_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incubation_criterion")),
    )
    with op.batch_alter_table("incubation_criterion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incubation_criterion_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incubation_criterion_incubation_id"), ["incubation_id"], unique=False)

    op.create_table(
        "incubation_session",
        sa.Column("incubation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("mentor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_incubation_session_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["incubation_id"],
            ["incubation_case.id"],
            name=op.f("fk_incubation_session_incubation_id_incubation_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"],
            ["incubation_mentor.id"],
            name=op.f("fk_incubation_session_mentor_id_incubation_mentor"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incubation_session")),
    )
    with op.batch_alter_table("incubation_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incubation_session_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incubation_session_incubation_id"), ["incubation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incubation_session_mentor_id"), ["mentor_id"], unique=False)

    op.create_table(
        "incubation_action_item",
        sa.Column("session_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_incubation_action_item_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["incubation_session.id"],
            name=op.f("fk_incubation_action_item_session_id_incubation_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incubation_action_item")),
    )
    with op.batch_alter_table("incubation_action_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incubation_action_item_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incubation_action_item_session_id"), ["session_id"], unique=False)


def downgrade() -> None:  # noqa: PLR0915 - one table after another
    """Revert this revision."""

    with op.batch_alter_table("incubation_action_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incubation_action_item_session_id"))
        batch_op.drop_index(batch_op.f("ix_incubation_action_item_district_id"))

    op.drop_table("incubation_action_item")
    with op.batch_alter_table("incubation_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incubation_session_mentor_id"))
        batch_op.drop_index(batch_op.f("ix_incubation_session_incubation_id"))
        batch_op.drop_index(batch_op.f("ix_incubation_session_district_id"))

    op.drop_table("incubation_session")
    with op.batch_alter_table("incubation_criterion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incubation_criterion_incubation_id"))
        batch_op.drop_index(batch_op.f("ix_incubation_criterion_district_id"))

    op.drop_table("incubation_criterion")
    with op.batch_alter_table("incubation_assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incubation_assessment_instrument_id"))
        batch_op.drop_index(batch_op.f("ix_incubation_assessment_incubation_id"))
        batch_op.drop_index(batch_op.f("ix_incubation_assessment_district_id"))

    op.drop_table("incubation_assessment")
    with op.batch_alter_table("incubation_allocation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incubation_allocation_space_id"))
        batch_op.drop_index(batch_op.f("ix_incubation_allocation_incubation_id"))
        batch_op.drop_index(batch_op.f("ix_incubation_allocation_district_id"))

    op.drop_table("incubation_allocation")
    with op.batch_alter_table("incubation_case", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_incubation_case_one_active", sqlite_where=sa.text("active"), postgresql_where=sa.text("active")
        )
        batch_op.drop_index(batch_op.f("ix_incubation_case_stage"))
        batch_op.drop_index(batch_op.f("ix_incubation_case_organization_id"))
        batch_op.drop_index(batch_op.f("ix_incubation_case_mentor_id"))
        batch_op.drop_index(batch_op.f("ix_incubation_case_incubator_id"))
        batch_op.drop_index(batch_op.f("ix_incubation_case_district_id"))
        batch_op.drop_index(batch_op.f("ix_incubation_case_cohort_id"))

    op.drop_table("incubation_case")
    with op.batch_alter_table("incubation_attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incubation_attendance_training_id"))
        batch_op.drop_index(batch_op.f("ix_incubation_attendance_organization_id"))
        batch_op.drop_index(batch_op.f("ix_incubation_attendance_district_id"))

    op.drop_table("incubation_attendance")
    with op.batch_alter_table("incubation_training", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incubation_training_incubator_id"))
        batch_op.drop_index(batch_op.f("ix_incubation_training_district_id"))

    op.drop_table("incubation_training")
    with op.batch_alter_table("incubation_space", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incubation_space_incubator_id"))
        batch_op.drop_index(batch_op.f("ix_incubation_space_district_id"))

    op.drop_table("incubation_space")
    with op.batch_alter_table("incubation_cohort", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incubation_cohort_incubator_id"))
        batch_op.drop_index(batch_op.f("ix_incubation_cohort_district_id"))

    op.drop_table("incubation_cohort")
    with op.batch_alter_table("incubation_mentor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incubation_mentor_user_id"))
        batch_op.drop_index(batch_op.f("ix_incubation_mentor_organization_id"))
        batch_op.drop_index(batch_op.f("ix_incubation_mentor_district_id"))

    op.drop_table("incubation_mentor")
    with op.batch_alter_table("incubation_incubator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incubation_incubator_org_unit_id"))
        batch_op.drop_index(batch_op.f("ix_incubation_incubator_district_id"))

    op.drop_table("incubation_incubator")
    with op.batch_alter_table("incubation_hub_evaluation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incubation_hub_evaluation_member_id"))
        batch_op.drop_index(batch_op.f("ix_incubation_hub_evaluation_hub_id"))
        batch_op.drop_index(batch_op.f("ix_incubation_hub_evaluation_district_id"))

    op.drop_table("incubation_hub_evaluation")
    with op.batch_alter_table("incubation_instrument", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incubation_instrument_district_id"))

    op.drop_table("incubation_instrument")
