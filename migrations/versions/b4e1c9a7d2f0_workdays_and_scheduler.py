"""workday_overrides, districts.calendar_version, scheduled_job_leases, scheduled_job_runs

Revision ID: b4e1c9a7d2f0
Revises: 7a0b5c1d2e3f
Create Date: 2026-12-06 16:30:00.000000

A district's edits to its working-day calendar (one row per day declared working or
not, on top of the national calendar), the version that tells every process to drop its
cached calendar, and the scheduler's leases (one row per job and district: who runs it
until when, the last slot run) and run history (see ``core.workdays`` and ``core.jobs``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "b4e1c9a7d2f0"
down_revision: str | Sequence[str] | None = "09da1b0f617a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = DateTimeUTC(timezone=True)
JSON_B = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Apply this revision."""
    # Plain ALTER TABLE (both backends): a batch copy of districts would break the ledger's
    # SQLite triggers that name it.
    op.add_column("districts", sa.Column("calendar_version", sa.Integer(), server_default="1", nullable=False))
    op.create_table(
        "workday_overrides",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("working", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", BIG_ID, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_workday_overrides_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workday_overrides")),
        sa.UniqueConstraint("district_id", "day", name=op.f("uq_workday_overrides_district_id_day")),
    )
    with op.batch_alter_table("workday_overrides", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workday_overrides_district_id"), ["district_id"], unique=False)
    op.create_table(
        "scheduled_job_leases",
        sa.Column("job_key", sa.String(length=80), nullable=False),
        sa.Column("scope_id", BIG_ID, nullable=False),
        sa.Column("lease_owner", sa.String(length=80), nullable=True),
        sa.Column("lease_until", UTC_DATETIME, nullable=True),
        sa.Column("last_slot", UTC_DATETIME, nullable=True),
        sa.Column("last_status", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("job_key", "scope_id", name=op.f("pk_scheduled_job_leases")),
    )
    op.create_table(
        "scheduled_job_runs",
        sa.Column("job_key", sa.String(length=80), nullable=False),
        sa.Column("district_id", BIG_ID, nullable=True),
        sa.Column("slot", UTC_DATETIME, nullable=True),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("started_at", UTC_DATETIME, nullable=False),
        sa.Column("finished_at", UTC_DATETIME, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("message_en", sa.Text(), nullable=False),
        sa.Column("counts", JSON_B, nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.CheckConstraint("status IN ('running', 'ok', 'failed')", name=op.f("ck_scheduled_job_runs_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_job_runs")),
    )
    with op.batch_alter_table("scheduled_job_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scheduled_job_runs_district_id"), ["district_id"], unique=False)
        batch_op.create_index("ix_scheduled_job_runs_job_key_started_at", ["job_key", "started_at"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("scheduled_job_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_scheduled_job_runs_job_key_started_at")
        batch_op.drop_index(batch_op.f("ix_scheduled_job_runs_district_id"))
    op.drop_table("scheduled_job_runs")
    op.drop_table("scheduled_job_leases")
    with op.batch_alter_table("workday_overrides", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workday_overrides_district_id"))
    op.drop_table("workday_overrides")
    op.execute("ALTER TABLE districts DROP COLUMN calendar_version")  # SQLite 3.35+ drops a plain column in place
