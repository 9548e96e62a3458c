"""Create notices_notice.

Written to match ``plugins/notices/models.py``; version table ``alembic_version_notices``.
Constraint and index names follow ``core.db.base.NAMING_CONVENTION``.

Revision ID: notices_0001
Revises:
Create Date: 2026-11-21 09:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision: str = "notices_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC_DATETIME = DateTimeUTC(timezone=True)


def upgrade() -> None:
    """Create the notices table."""
    op.create_table(
        "notices_notice",
        sa.Column("org_unit_id", BIG_ID, nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("published_at", UTC_DATETIME, nullable=False),
        sa.Column("created_by", BIG_ID, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_notices_notice_created_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_notices_notice_district_id_districts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_units.id"], name=op.f("fk_notices_notice_org_unit_id_org_units"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices_notice")),
    )
    op.create_index(op.f("ix_notices_notice_district_id"), "notices_notice", ["district_id"], unique=False)
    op.create_index(op.f("ix_notices_notice_org_unit_id"), "notices_notice", ["org_unit_id"], unique=False)
    op.create_index(
        "ix_notices_notice_listing", "notices_notice", ["district_id", "pinned", "published_at"], unique=False
    )


def downgrade() -> None:
    """Drop the notices table."""
    op.drop_index("ix_notices_notice_listing", table_name="notices_notice")
    op.drop_index(op.f("ix_notices_notice_org_unit_id"), table_name="notices_notice")
    op.drop_index(op.f("ix_notices_notice_district_id"), table_name="notices_notice")
    op.drop_table("notices_notice")
