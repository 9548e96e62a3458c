"""service_deliveries: the registry of services organizations delivered to residents

Revision ID: 5a7e3c91d04b
Revises: 5d7c3a9e1b42
Create Date: 2026-12-06 19:40:00.000000

One row per service an organization delivered to a resident, declared by the module
that knows it (``core.deliveries.record``); the star rating rates only these.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision: str = "5a7e3c91d04b"
down_revision: str | Sequence[str] | None = "5d7c3a9e1b42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = DateTimeUTC(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "service_deliveries",
        sa.Column("organization_id", BIG_ID, nullable=False),
        sa.Column("person_id", BIG_ID, nullable=True),
        sa.Column("user_id", BIG_ID, nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("reference", sa.String(length=120), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("delivered_at", UTC_DATETIME, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("verified_by_id", BIG_ID, nullable=True),
        sa.Column("verified_at", UTC_DATETIME, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint("status IN ('completed', 'cancelled')", name=op.f("ck_service_deliveries_status")),
        sa.CheckConstraint(
            "person_id IS NOT NULL OR user_id IS NOT NULL", name=op.f("ck_service_deliveries_has_resident")
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_service_deliveries_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_service_deliveries_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_service_deliveries_person_id_persons"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_service_deliveries_user_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["verified_by_id"],
            ["users.id"],
            name=op.f("fk_service_deliveries_verified_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_deliveries")),
        sa.UniqueConstraint("district_id", "reference", name=op.f("uq_service_deliveries_district_id_reference")),
    )
    with op.batch_alter_table("service_deliveries", schema=None) as batch_op:
        for column in ("district_id", "organization_id", "person_id", "user_id", "status"):
            batch_op.create_index(batch_op.f(f"ix_service_deliveries_{column}"), [column], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("service_deliveries", schema=None) as batch_op:
        for column in ("status", "user_id", "person_id", "organization_id", "district_id"):
            batch_op.drop_index(batch_op.f(f"ix_service_deliveries_{column}"))
    op.drop_table("service_deliveries")
