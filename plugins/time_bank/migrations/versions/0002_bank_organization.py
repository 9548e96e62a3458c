"""A bank's operating organization is a row of the core's organizations registry (time_bank_bank.organization_id).

Banks written before name their organization only as text; each is linked to the
registry's organization of that exact name in its district, where there is one. Version
table ``alembic_version_time_bank``.

Revision ID: time_bank_0002_bank_organization
Revises: time_bank_0001
Create Date: 2026-12-07 09:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "time_bank_0002_bank_organization"
down_revision: str | Sequence[str] | None = "time_bank_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Add the link and fill it from the names the banks were given."""
    with op.batch_alter_table("time_bank_bank", schema=None) as batch:
        batch.add_column(sa.Column("organization_id", BIG_ID, nullable=True))
        batch.create_index(batch.f("ix_time_bank_bank_organization_id"), ["organization_id"], unique=False)
        batch.create_foreign_key(
            batch.f("fk_time_bank_bank_organization_id_organizations"),
            "organizations",
            ["organization_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.execute(
        "UPDATE time_bank_bank SET organization_id = (SELECT o.id FROM organizations o"
        " WHERE o.district_id = time_bank_bank.district_id AND o.name = TRIM(time_bank_bank.organization))"
    )


def downgrade() -> None:
    """Drop the link (the name stays)."""
    with op.batch_alter_table("time_bank_bank", schema=None) as batch:
        batch.drop_constraint(batch.f("fk_time_bank_bank_organization_id_organizations"), type_="foreignkey")
        batch.drop_index(batch.f("ix_time_bank_bank_organization_id"))
        batch.drop_column("organization_id")
