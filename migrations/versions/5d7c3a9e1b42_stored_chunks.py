"""stored_chunks: attachment bytes kept in the database (SANSHE_STORAGE=database)

Revision ID: 5d7c3a9e1b42
Revises: 5d7a42194773
Create Date: 2026-12-06 19:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5d7c3a9e1b42"
down_revision: str | Sequence[str] | None = "5d7a42194773"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "stored_chunks",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("key", "seq", name=op.f("pk_stored_chunks")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("stored_chunks")
