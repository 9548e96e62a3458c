"""Catalogue versions (each item's published versions, the version an intake was received under) and scans of
the documents received at the window.

Written to match ``plugins/one_window/models.py``. Every existing item gets its version 1 (a
copy of its columns today) and every existing intake is on version 1.

Revision ID: one_window_0003
Revises: one_window_0002
Create Date: 2026-12-07 09:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "one_window_0003"
down_revision: str | Sequence[str] | None = "one_window_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC_DATETIME = DateTimeUTC(timezone=True)
JSON_B = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
COPIED = (
    "code, title, keywords, department_id, conditions, documents, time_limit_days, fee, legal_basis, "
    "case_type_key, route, is_active"
)


def _common(table: str) -> list[sa.SchemaItem]:
    return [
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f(f"fk_{table}_district_id_districts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f(f"fk_{table}_created_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    """The version columns, the two tables, and version 1 of every item."""
    with op.batch_alter_table("one_window_item") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("one_window_intake") as batch:
        batch.add_column(sa.Column("item_version", sa.Integer(), nullable=False, server_default="1"))
    op.create_table(
        "one_window_item_version",
        sa.Column("item_id", BIG_ID, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
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
        sa.Column("route", JSON_B, nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_by", BIG_ID, nullable=True),
        *_common("one_window_item_version"),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["one_window_item.id"],
            name=op.f("fk_one_window_item_version_item_id_one_window_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["org_units.id"],
            name=op.f("fk_one_window_item_version_department_id_org_units"),
            ondelete="SET NULL",
        ),
        sa.UniqueConstraint("item_id", "version", name=op.f("uq_one_window_item_version_item_id_version")),
    )
    op.create_index(
        op.f("ix_one_window_item_version_district_id"), "one_window_item_version", ["district_id"], unique=False
    )
    op.create_index(op.f("ix_one_window_item_version_item_id"), "one_window_item_version", ["item_id"], unique=False)
    op.execute(
        f"INSERT INTO one_window_item_version (district_id, item_id, version, {COPIED}, created_by, "  # noqa: S608
        f"created_at, updated_at) SELECT district_id, id, 1, {COPIED}, created_by, created_at, updated_at "
        "FROM one_window_item"
    )
    op.create_table(
        "one_window_scan",
        sa.Column("intake_id", BIG_ID, nullable=False),
        sa.Column("document", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("created_by", BIG_ID, nullable=True),
        *_common("one_window_scan"),
        sa.ForeignKeyConstraint(
            ["intake_id"],
            ["one_window_intake.id"],
            name=op.f("fk_one_window_scan_intake_id_one_window_intake"),
            ondelete="CASCADE",
        ),
    )
    op.create_index(op.f("ix_one_window_scan_district_id"), "one_window_scan", ["district_id"], unique=False)
    op.create_index(op.f("ix_one_window_scan_intake_id"), "one_window_scan", ["intake_id"], unique=False)


def downgrade() -> None:
    """Drop the two tables and the version columns."""
    op.drop_table("one_window_scan")
    op.drop_table("one_window_item_version")
    with op.batch_alter_table("one_window_intake") as batch:
        batch.drop_column("item_version")
    with op.batch_alter_table("one_window_item") as batch:
        batch.drop_column("version")
