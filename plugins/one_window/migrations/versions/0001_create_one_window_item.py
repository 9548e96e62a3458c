"""Create one_window_item (the service catalogue) and one_window_intake (intakes at the window).

Written to match ``plugins/one_window/models.py``; version table ``alembic_version_one_window``.
Constraint and index names follow ``core.db.base.NAMING_CONVENTION``.

Revision ID: one_window_0001
Revises:
Create Date: 2026-12-07 02:14:23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "one_window_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC_DATETIME = DateTimeUTC(timezone=True)
JSON_B = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _common() -> list[sa.Column[object]]:
    return [
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
    ]


def upgrade() -> None:
    """Create the one_window_item and one_window_intake tables."""
    op.create_table(
        "one_window_item",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("keywords", sa.String(length=200), nullable=False),
        sa.Column("department_id", BIG_ID, nullable=True),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("documents", JSON_B, nullable=False),
        sa.Column("time_limit_days", sa.Integer(), nullable=False),
        sa.Column("fee", sa.String(length=100), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("case_type_key", sa.String(length=64), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", BIG_ID, nullable=True),
        *_common(),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_one_window_item_created_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["org_units.id"],
            name=op.f("fk_one_window_item_department_id_org_units"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_one_window_item_district_id_districts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_one_window_item")),
        sa.UniqueConstraint("district_id", "code", name=op.f("uq_one_window_item_district_id_code")),
    )
    op.create_index(op.f("ix_one_window_item_district_id"), "one_window_item", ["district_id"], unique=False)
    op.create_index(op.f("ix_one_window_item_department_id"), "one_window_item", ["department_id"], unique=False)
    op.create_table(
        "one_window_intake",
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.Column("item_id", BIG_ID, nullable=False),
        sa.Column("case_id", BIG_ID, nullable=True),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("person_id", BIG_ID, nullable=True),
        sa.Column("applicant", sa.String(length=50), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("documents", JSON_B, nullable=False),
        sa.Column("received", JSON_B, nullable=False),
        sa.Column("time_limit_days", sa.Integer(), nullable=False),
        sa.Column("accepted_on", sa.Date(), nullable=False),
        sa.Column("paused_since", sa.Date(), nullable=True),
        sa.Column("paused_days", sa.Integer(), nullable=False),
        sa.Column("promised_on", sa.Date(), nullable=True),
        sa.Column("notice_deadline", sa.Date(), nullable=True),
        sa.Column("refusal_reason", sa.Text(), nullable=False),
        sa.Column("refusal_basis", sa.Text(), nullable=False),
        sa.Column("created_by", BIG_ID, nullable=True),
        *_common(),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_one_window_intake_case_id_cases"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_one_window_intake_created_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_one_window_intake_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["one_window_item.id"],
            name=op.f("fk_one_window_intake_item_id_one_window_item"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_one_window_intake_person_id_persons"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_one_window_intake")),
        sa.UniqueConstraint(
            "district_id", "submission_key", name=op.f("uq_one_window_intake_district_id_submission_key")
        ),
    )
    op.create_index(op.f("ix_one_window_intake_district_id"), "one_window_intake", ["district_id"], unique=False)
    op.create_index(op.f("ix_one_window_intake_item_id"), "one_window_intake", ["item_id"], unique=False)
    op.create_index(op.f("ix_one_window_intake_case_id"), "one_window_intake", ["case_id"], unique=False)


def downgrade() -> None:
    """Drop the one_window_intake and one_window_item tables."""
    op.drop_table("one_window_intake")
    op.drop_table("one_window_item")
