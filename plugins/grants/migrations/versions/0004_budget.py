"""The agreement's budget lines (grants_budget_line) and the call's overspend rule (grants_call.overspend_pct).

Version table ``alembic_version_grants``.

Revision ID: grants_0004_budget
Revises: grants_0003_extra
Create Date: 2026-12-07 09:06:34.110469
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "grants_0004_budget"
down_revision: str | Sequence[str] | None = "grants_0003_extra"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("grants_call", schema=None) as batch_op:
        batch_op.add_column(sa.Column("overspend_pct", sa.Integer(), server_default="10", nullable=False))
    op.create_table(
        "grants_budget_line",
        sa.Column("application_id", BIG_ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("line", sa.String(length=100), nullable=False),
        sa.Column("planned_fen", BIG_ID, nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["grants_application.id"],
            name=op.f("fk_grants_budget_line_application_id_grants_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_grants_budget_line_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grants_budget_line")),
        sa.UniqueConstraint("application_id", "line", name=op.f("uq_grants_budget_line_application_id_line")),
    )
    with op.batch_alter_table("grants_budget_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grants_budget_line_application_id"), ["application_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_grants_budget_line_district_id"), ["district_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("grants_budget_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grants_budget_line_district_id"))
        batch_op.drop_index(batch_op.f("ix_grants_budget_line_application_id"))
    op.drop_table("grants_budget_line")
    with op.batch_alter_table("grants_call", schema=None) as batch_op:
        batch_op.drop_column("overspend_pct")
