"""case_reads: every read of a case whose type audits reads (casework)

Revision ID: 8c4d2e6f1a3b
Revises: 5a7e3c91d04b
Create Date: 2026-12-07 09:20:00.000000

A case type with ``audit_reads: true`` (the shipped 个案工作) has every read of a case
written here: who, when, which case, how (page, fragment, api, file, export, service).
See ``core.cases.reads`` and docs/casework.md.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision: str = "8c4d2e6f1a3b"
down_revision: str | Sequence[str] | None = "5a7e3c91d04b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = DateTimeUTC(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "case_reads",
        sa.Column("case_id", BIG_ID, nullable=False),
        sa.Column("user_id", BIG_ID, nullable=True),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_reads_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_case_reads_district_id_districts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_case_reads_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_reads")),
    )
    with op.batch_alter_table("case_reads", schema=None) as batch_op:
        batch_op.create_index("ix_case_reads_case_id_at", ["case_id", "at"], unique=False)
        for column in ("at", "district_id", "user_id"):
            batch_op.create_index(batch_op.f(f"ix_case_reads_{column}"), [column], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("case_reads", schema=None) as batch_op:
        for column in ("at", "district_id", "user_id"):
            batch_op.drop_index(batch_op.f(f"ix_case_reads_{column}"))
        batch_op.drop_index("ix_case_reads_case_id_at")
    op.drop_table("case_reads")
