"""case_migration_jobs: persisted migrations of open cases onto a newer case-type version

Revision ID: 7a0b5c1d2e3f
Revises: 5e1a7ed0c0de
Create Date: 2026-11-21 12:10:00.000000

The builder's "migrate the open cases" is a background job: the plan (key, target
version, state mapping, who started it, when) and its progress are a row here; workers
claim it with a lease (``lease_owner`` / ``lease_until``) so two processes never move the
same case, and a crash leaves the plan to be resumed (see ``core.builder.jobs``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "7a0b5c1d2e3f"
down_revision: str | Sequence[str] | None = "5e1a7ed0c0de"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = DateTimeUTC(timezone=True)
JSON_B = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "case_migration_jobs",
        sa.Column("case_type_key", sa.String(length=64), nullable=False),
        sa.Column("target_version_id", BIG_ID, nullable=False),
        sa.Column("target_version", sa.Integer(), nullable=False),
        sa.Column("mapping", JSON_B, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("moved", sa.Integer(), nullable=False),
        sa.Column("started_by_id", BIG_ID, nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("finished_at", UTC_DATETIME, nullable=True),
        sa.Column("lease_owner", sa.String(length=80), nullable=True),
        sa.Column("lease_until", UTC_DATETIME, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'running', 'done', 'failed')", name=op.f("ck_case_migration_jobs_status")
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_case_migration_jobs_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"],
            ["users.id"],
            name=op.f("fk_case_migration_jobs_started_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["target_version_id"],
            ["case_type_versions.id"],
            name=op.f("fk_case_migration_jobs_target_version_id_case_type_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_migration_jobs")),
    )
    with op.batch_alter_table("case_migration_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_migration_jobs_district_id"), ["district_id"], unique=False)
        batch_op.create_index("ix_case_migration_jobs_status_lease_until", ["status", "lease_until"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("case_migration_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_case_migration_jobs_status_lease_until")
        batch_op.drop_index(batch_op.f("ix_case_migration_jobs_district_id"))
    op.drop_table("case_migration_jobs")
