"""The eligibility conditions checked against the register: ``checks`` on the item and its versions, and the
result of the check kept on each intake (``eligibility``, ``acknowledged``).

Written to match ``plugins/one_window/models.py``. Existing items and versions get no checked
condition (``{}``) besides their age rule (kept in ``min_age``/``max_age``); existing intakes no
recorded result (``[]``, not acknowledged).

Revision ID: one_window_0005
Revises: one_window_0004
Create Date: 2026-12-07 12:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "one_window_0005"
down_revision: str | Sequence[str] | None = "one_window_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_B = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TABLES = ("one_window_item", "one_window_item_version")


def upgrade() -> None:
    """Add ``checks`` to the item and its versions, ``eligibility`` and ``acknowledged`` to the intake."""
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("checks", JSON_B, nullable=False, server_default="{}"))
    with op.batch_alter_table("one_window_intake") as batch:
        batch.add_column(sa.Column("eligibility", JSON_B, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("acknowledged", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    """Drop the columns (the checked conditions and the recorded results are lost; the age rule stays)."""
    with op.batch_alter_table("one_window_intake") as batch:
        batch.drop_column("acknowledged")
        batch.drop_column("eligibility")
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("checks")
