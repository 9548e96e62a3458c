"""The back office: the item's route, the intake's stage and result, the departments' steps, the documents
missing at intake, and the progress lookup's counter.

Written to match ``plugins/one_window/models.py`` and ``models_backoffice.py``.

Revision ID: one_window_0002
Revises: one_window_0001
Create Date: 2026-12-07 05:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "one_window_0002"
down_revision: str | Sequence[str] | None = "one_window_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC_DATETIME = DateTimeUTC(timezone=True)
JSON_B = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _common(table: str) -> list[sa.SchemaItem]:
    return [
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f(f"fk_{table}_district_id_districts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    """Add the route, the intake's back-office columns and the three tables."""
    with op.batch_alter_table("one_window_item") as batch:
        batch.add_column(sa.Column("route", JSON_B, nullable=False, server_default="[]"))
    with op.batch_alter_table("one_window_intake") as batch:
        batch.add_column(sa.Column("stage", sa.Integer(), nullable=False, server_default="-1"))
        batch.add_column(sa.Column("result", sa.String(length=20), nullable=False, server_default=""))
        batch.add_column(sa.Column("result_text", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("finished_on", sa.Date(), nullable=True))
    op.create_table(
        "one_window_step",
        sa.Column("intake_id", BIG_ID, nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("department_id", BIG_ID, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("opinion", sa.Text(), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("answered_by", BIG_ID, nullable=True),
        *_common("one_window_step"),
        sa.ForeignKeyConstraint(
            ["intake_id"],
            ["one_window_intake.id"],
            name=op.f("fk_one_window_step_intake_id_one_window_intake"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["org_units.id"],
            name=op.f("fk_one_window_step_department_id_org_units"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["answered_by"], ["users.id"], name=op.f("fk_one_window_step_answered_by_users"), ondelete="SET NULL"
        ),
        sa.UniqueConstraint(
            "intake_id", "stage", "department_id", name=op.f("uq_one_window_step_intake_id_stage_department_id")
        ),
    )
    op.create_index(op.f("ix_one_window_step_district_id"), "one_window_step", ["district_id"], unique=False)
    op.create_index(op.f("ix_one_window_step_intake_id"), "one_window_step", ["intake_id"], unique=False)
    op.create_index(op.f("ix_one_window_step_department_id"), "one_window_step", ["department_id"], unique=False)
    op.create_table(
        "one_window_missing",
        sa.Column("intake_id", BIG_ID, nullable=False),
        sa.Column("item_id", BIG_ID, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        *_common("one_window_missing"),
        sa.ForeignKeyConstraint(
            ["intake_id"],
            ["one_window_intake.id"],
            name=op.f("fk_one_window_missing_intake_id_one_window_intake"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["one_window_item.id"],
            name=op.f("fk_one_window_missing_item_id_one_window_item"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("intake_id", "name", name=op.f("uq_one_window_missing_intake_id_name")),
    )
    op.create_index(op.f("ix_one_window_missing_district_id"), "one_window_missing", ["district_id"], unique=False)
    op.create_index(op.f("ix_one_window_missing_intake_id"), "one_window_missing", ["intake_id"], unique=False)
    op.create_index(op.f("ix_one_window_missing_item_id"), "one_window_missing", ["item_id"], unique=False)
    op.create_table(
        "one_window_lookup",
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        *_common("one_window_lookup"),
        sa.UniqueConstraint(
            "district_id", "client", "bucket", name=op.f("uq_one_window_lookup_district_id_client_bucket")
        ),
    )
    op.create_index(op.f("ix_one_window_lookup_district_id"), "one_window_lookup", ["district_id"], unique=False)


def downgrade() -> None:
    """Drop the three tables and the added columns."""
    op.drop_table("one_window_lookup")
    op.drop_table("one_window_missing")
    op.drop_table("one_window_step")
    with op.batch_alter_table("one_window_intake") as batch:
        batch.drop_column("finished_on")
        batch.drop_column("result_text")
        batch.drop_column("result")
        batch.drop_column("stage")
    with op.batch_alter_table("one_window_item") as batch:
        batch.drop_column("route")
