"""Create the parking tables: estates, spaces, committee, conventions, permits, tidal agreements and allocations.

Revision ID: parking_0001
Revises:
Create Date: 2026-12-06 20:15:15.443980
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "parking_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


JSONB = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "parking_estate",
        sa.Column("estate_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("supervisor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("last_card_no", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_parking_estate_district_id_districts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["estate_id"], ["org_units.id"], name=op.f("fk_parking_estate_estate_id_org_units"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["supervisor_id"],
            ["org_units.id"],
            name=op.f("fk_parking_estate_supervisor_id_org_units"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parking_estate")),
        sa.UniqueConstraint("district_id", "estate_id", name=op.f("uq_parking_estate_district_id_estate_id")),
    )
    with op.batch_alter_table("parking_estate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parking_estate_district_id"), ["district_id"], unique=False)

    op.create_table(
        "parking_committee_member",
        sa.Column("parking_estate_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("term_from", sa.Date(), nullable=False),
        sa.Column("term_to", sa.Date(), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('chair', 'treasurer', 'patroller', 'member')", name=op.f("ck_parking_committee_member_role")
        ),
        sa.CheckConstraint(
            "term_to IS NULL OR term_to >= term_from", name=op.f("ck_parking_committee_member_term_order")
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_parking_committee_member_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parking_estate_id"],
            ["parking_estate.id"],
            name=op.f("fk_parking_committee_member_parking_estate_id_parking_estate"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_parking_committee_member_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parking_committee_member")),
    )
    with op.batch_alter_table("parking_committee_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parking_committee_member_district_id"), ["district_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_parking_committee_member_parking_estate_id"), ["parking_estate_id"], unique=False
        )

    op.create_table(
        "parking_convention",
        sa.Column("parking_estate_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("fees", JSONB, nullable=False),
        sa.Column("rules", JSONB, nullable=False),
        sa.Column("major", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("vote_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("adopted_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'voting', 'adopted', 'rejected', 'superseded')",
            name=op.f("ck_parking_convention_status"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_parking_convention_created_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_parking_convention_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parking_estate_id"],
            ["parking_estate.id"],
            name=op.f("fk_parking_convention_parking_estate_id_parking_estate"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vote_id"], ["votes.id"], name=op.f("fk_parking_convention_vote_id_votes"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parking_convention")),
        sa.UniqueConstraint(
            "parking_estate_id", "version", name=op.f("uq_parking_convention_parking_estate_id_version")
        ),
    )
    with op.batch_alter_table("parking_convention", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parking_convention_district_id"), ["district_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_parking_convention_parking_estate_id"), ["parking_estate_id"], unique=False
        )

    op.create_table(
        "parking_space",
        sa.Column("parking_estate_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('fixed', 'pool', 'tidal', 'visitor', 'accessible')", name=op.f("ck_parking_space_kind")
        ),
        sa.CheckConstraint("status IN ('active', 'suspended')", name=op.f("ck_parking_space_status")),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_parking_space_district_id_districts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["parking_estate_id"],
            ["parking_estate.id"],
            name=op.f("fk_parking_space_parking_estate_id_parking_estate"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parking_space")),
        sa.UniqueConstraint("parking_estate_id", "code", name=op.f("uq_parking_space_parking_estate_id_code")),
    )
    with op.batch_alter_table("parking_space", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parking_space_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_parking_space_parking_estate_id"), ["parking_estate_id"], unique=False)

    op.create_table(
        "parking_tidal_agreement",
        sa.Column("parking_estate_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("partner", sa.String(length=100), nullable=False),
        sa.Column("space_count", sa.Integer(), nullable=False),
        sa.Column("days", sa.String(length=7), nullable=False),
        sa.Column("start_minute", sa.Integer(), nullable=False),
        sa.Column("end_minute", sa.Integer(), nullable=False),
        sa.Column("price_fen", sa.Integer(), nullable=False),
        sa.Column("term_from", sa.Date(), nullable=False),
        sa.Column("term_to", sa.Date(), nullable=False),
        sa.Column("signatories", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("signed_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'signed', 'terminated')", name=op.f("ck_parking_tidal_agreement_status")
        ),
        sa.CheckConstraint("space_count > 0", name=op.f("ck_parking_tidal_agreement_space_count")),
        sa.CheckConstraint("term_to >= term_from", name=op.f("ck_parking_tidal_agreement_term_order")),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_parking_tidal_agreement_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parking_estate_id"],
            ["parking_estate.id"],
            name=op.f("fk_parking_tidal_agreement_parking_estate_id_parking_estate"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parking_tidal_agreement")),
    )
    with op.batch_alter_table("parking_tidal_agreement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parking_tidal_agreement_district_id"), ["district_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_parking_tidal_agreement_parking_estate_id"), ["parking_estate_id"], unique=False
        )

    op.create_table(
        "parking_permit",
        sa.Column("parking_estate_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("convention_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("household_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("agreement_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("holder_name", sa.String(length=50), nullable=False),
        sa.Column("plate", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("card_no", sa.String(length=20), nullable=True),
        sa.Column("space_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("days", sa.String(length=7), nullable=False),
        sa.Column("start_minute", sa.Integer(), nullable=False),
        sa.Column("end_minute", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("fee_fen", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("applied_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("applied_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("decided_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("decided_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("channel IN ('online', 'window')", name=op.f("ck_parking_permit_channel")),
        sa.CheckConstraint(
            "kind IN ('resident', 'second_car', 'tidal', 'visitor')", name=op.f("ck_parking_permit_kind")
        ),
        sa.CheckConstraint(
            "status IN ('waiting', 'applied', 'approved', 'issued', 'suspended', 'expired', 'revoked', 'refused')",
            name=op.f("ck_parking_permit_status"),
        ),
        sa.CheckConstraint(
            "start_minute >= 0 AND start_minute < 1440 AND end_minute > 0 AND end_minute <= 1440",
            name=op.f("ck_parking_permit_window"),
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["parking_tidal_agreement.id"],
            name=op.f("fk_parking_permit_agreement_id_parking_tidal_agreement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["applied_by"], ["users.id"], name=op.f("fk_parking_permit_applied_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["convention_id"],
            ["parking_convention.id"],
            name=op.f("fk_parking_permit_convention_id_parking_convention"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_parking_permit_decided_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_parking_permit_district_id_districts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_parking_permit_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parking_estate_id"],
            ["parking_estate.id"],
            name=op.f("fk_parking_permit_parking_estate_id_parking_estate"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["space_id"],
            ["parking_space.id"],
            name=op.f("fk_parking_permit_space_id_parking_space"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parking_permit")),
    )
    with op.batch_alter_table("parking_permit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parking_permit_district_id"), ["district_id"], unique=False)
        batch_op.create_index("ix_parking_permit_estate_status", ["parking_estate_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_parking_permit_household_id"), ["household_id"], unique=False)
        batch_op.create_index(
            "uq_parking_permit_live_plate",
            ["parking_estate_id", "plate"],
            unique=True,
            sqlite_where=sa.text("status IN ('waiting', 'applied', 'approved', 'issued', 'suspended')"),
            postgresql_where=sa.text("status IN ('waiting', 'applied', 'approved', 'issued', 'suspended')"),
        )

    op.create_table(
        "parking_tidal_allocation",
        sa.Column("parking_estate_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("space_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("agreement_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("holder", sa.String(length=100), nullable=False),
        sa.Column("days", sa.String(length=7), nullable=False),
        sa.Column("start_minute", sa.Integer(), nullable=False),
        sa.Column("end_minute", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("district_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('active', 'released')", name=op.f("ck_parking_tidal_allocation_status")),
        sa.CheckConstraint(
            "start_minute >= 0 AND start_minute < 1440 AND end_minute >= 0 AND end_minute <= 1440",
            name=op.f("ck_parking_tidal_allocation_window"),
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["parking_tidal_agreement.id"],
            name=op.f("fk_parking_tidal_allocation_agreement_id_parking_tidal_agreement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_parking_tidal_allocation_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parking_estate_id"],
            ["parking_estate.id"],
            name=op.f("fk_parking_tidal_allocation_parking_estate_id_parking_estate"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["space_id"],
            ["parking_space.id"],
            name=op.f("fk_parking_tidal_allocation_space_id_parking_space"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parking_tidal_allocation")),
    )
    with op.batch_alter_table("parking_tidal_allocation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parking_tidal_allocation_district_id"), ["district_id"], unique=False)
        batch_op.create_index("ix_parking_tidal_allocation_space", ["space_id", "status"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("parking_tidal_allocation", schema=None) as batch_op:
        batch_op.drop_index("ix_parking_tidal_allocation_space")
        batch_op.drop_index(batch_op.f("ix_parking_tidal_allocation_district_id"))

    op.drop_table("parking_tidal_allocation")
    with op.batch_alter_table("parking_permit", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_parking_permit_live_plate",
            sqlite_where=sa.text("status IN ('waiting', 'applied', 'approved', 'issued', 'suspended')"),
            postgresql_where=sa.text("status IN ('waiting', 'applied', 'approved', 'issued', 'suspended')"),
        )
        batch_op.drop_index(batch_op.f("ix_parking_permit_household_id"))
        batch_op.drop_index("ix_parking_permit_estate_status")
        batch_op.drop_index(batch_op.f("ix_parking_permit_district_id"))

    op.drop_table("parking_permit")
    with op.batch_alter_table("parking_tidal_agreement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parking_tidal_agreement_parking_estate_id"))
        batch_op.drop_index(batch_op.f("ix_parking_tidal_agreement_district_id"))

    op.drop_table("parking_tidal_agreement")
    with op.batch_alter_table("parking_space", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parking_space_parking_estate_id"))
        batch_op.drop_index(batch_op.f("ix_parking_space_district_id"))

    op.drop_table("parking_space")
    with op.batch_alter_table("parking_convention", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parking_convention_parking_estate_id"))
        batch_op.drop_index(batch_op.f("ix_parking_convention_district_id"))

    op.drop_table("parking_convention")
    with op.batch_alter_table("parking_committee_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parking_committee_member_parking_estate_id"))
        batch_op.drop_index(batch_op.f("ix_parking_committee_member_district_id"))

    op.drop_table("parking_committee_member")
    with op.batch_alter_table("parking_estate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parking_estate_district_id"))

    op.drop_table("parking_estate")
