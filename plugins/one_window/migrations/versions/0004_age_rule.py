"""The age rule of an item's eligibility conditions: ``min_age`` and ``max_age`` (whole years, optional).

Written to match ``plugins/one_window/models.py``: both on the item and on each published version.
Existing items and versions have no age rule (NULL).

Revision ID: one_window_0004
Revises: one_window_0003
Create Date: 2026-12-07 10:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "one_window_0004"
down_revision: str | Sequence[str] | None = "one_window_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("one_window_item", "one_window_item_version")


def upgrade() -> None:
    """Add the two nullable columns to the item and its versions."""
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("min_age", sa.Integer(), nullable=True))
            batch.add_column(sa.Column("max_age", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Drop the two columns."""
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("max_age")
            batch.drop_column("min_age")
