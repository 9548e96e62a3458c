"""A notice may be public: anyone reads it on the district's public pages, without logging in.

Revision ID: notices_0002
Revises: notices_0001
Create Date: 2026-12-06 20:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "notices_0002"
down_revision: str | Sequence[str] | None = "notices_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``is_public`` (false for every notice already written)."""
    with op.batch_alter_table("notices_notice") as batch:
        batch.add_column(sa.Column("is_public", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    """Drop ``is_public``."""
    with op.batch_alter_table("notices_notice") as batch:
        batch.drop_column("is_public")
