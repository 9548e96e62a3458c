"""tidal documents: a partner employee's identity document and employer's letter

Revision ID: parking_0006_tidal_documents
Revises: parking_0005_tidal_slots
Create Date: 2026-12-07 09:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "parking_0006_tidal_documents"
down_revision: str | Sequence[str] | None = "parking_0005_tidal_slots"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    big = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "parking_tidal_document",
        sa.Column("permit_id", big, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("storage_key", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", big, nullable=True),
        sa.Column("id", big, autoincrement=True, nullable=False),
        sa.Column("district_id", big, nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('identity', 'employer_letter')", name=op.f("ck_parking_tidal_document_kind")),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_parking_tidal_document_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["permit_id"],
            ["parking_permit.id"],
            name=op.f("fk_parking_tidal_document_permit_id_parking_permit"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"],
            ["users.id"],
            name=op.f("fk_parking_tidal_document_uploaded_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parking_tidal_document")),
        sa.UniqueConstraint("permit_id", "kind", name=op.f("uq_parking_tidal_document_permit_id_kind")),
    )
    with op.batch_alter_table("parking_tidal_document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parking_tidal_document_district_id"), ["district_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("parking_tidal_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parking_tidal_document_district_id"))
    op.drop_table("parking_tidal_document")
