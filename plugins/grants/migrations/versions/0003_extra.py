"""Application attachments, the builder form of a call and the answers (grants_call_form, grants_answers,
grants_app_file), reviewer pools (grants_pool_member), co-funder payments (grants_co_payment).

Written by ``sanshe db revision --plugin grants``; version table ``alembic_version_grants``.

Revision ID: grants_0003_extra
Revises: grants_0002_evaluation
Create Date: 2026-12-07 05:09:32.214100
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "grants_0003_extra"
down_revision: str | Sequence[str] | None = "grants_0002_evaluation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC_DATETIME = DateTimeUTC(timezone=True)
JSON_B = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "grants_pool_member",
        sa.Column("user_id", BIG_ID, nullable=False),
        sa.Column("pool", sa.String(length=20), nullable=False),
        sa.Column("categories", JSON_B, nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_grants_pool_member_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_grants_pool_member_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grants_pool_member")),
        sa.UniqueConstraint(
            "district_id", "user_id", "pool", name=op.f("uq_grants_pool_member_district_id_user_id_pool")
        ),
    )
    with op.batch_alter_table("grants_pool_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grants_pool_member_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_grants_pool_member_user_id"), ["user_id"], unique=False)

    op.create_table(
        "grants_call_form",
        sa.Column("call_id", BIG_ID, nullable=False),
        sa.Column("case_type_key", sa.String(length=100), nullable=False),
        sa.Column("pool_quota", JSON_B, nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["grants_call.id"], name=op.f("fk_grants_call_form_call_id_grants_call"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_grants_call_form_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grants_call_form")),
        sa.UniqueConstraint("call_id", name=op.f("uq_grants_call_form_call_id")),
    )
    with op.batch_alter_table("grants_call_form", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grants_call_form_district_id"), ["district_id"], unique=False)

    op.create_table(
        "grants_answers",
        sa.Column("application_id", BIG_ID, nullable=False),
        sa.Column("case_type_key", sa.String(length=100), nullable=False),
        sa.Column("answers", JSON_B, nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["grants_application.id"],
            name=op.f("fk_grants_answers_application_id_grants_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_grants_answers_district_id_districts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grants_answers")),
        sa.UniqueConstraint("application_id", name=op.f("uq_grants_answers_application_id")),
    )
    with op.batch_alter_table("grants_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grants_answers_district_id"), ["district_id"], unique=False)

    op.create_table(
        "grants_app_file",
        sa.Column("application_id", BIG_ID, nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", BIG_ID, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["grants_application.id"],
            name=op.f("fk_grants_app_file_application_id_grants_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_grants_app_file_district_id_districts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["users.id"], name=op.f("fk_grants_app_file_uploaded_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grants_app_file")),
    )
    with op.batch_alter_table("grants_app_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grants_app_file_application_id"), ["application_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_grants_app_file_district_id"), ["district_id"], unique=False)

    op.create_table(
        "grants_co_payment",
        sa.Column("funder_id", BIG_ID, nullable=False),
        sa.Column("amount_fen", BIG_ID, nullable=False),
        sa.Column("transfer_id", BIG_ID, nullable=False),
        sa.Column("paid_at", UTC_DATETIME, nullable=False),
        sa.Column("paid_by", BIG_ID, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_grants_co_payment_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["funder_id"],
            ["grants_funder.id"],
            name=op.f("fk_grants_co_payment_funder_id_grants_funder"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["paid_by"], ["users.id"], name=op.f("fk_grants_co_payment_paid_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grants_co_payment")),
        sa.UniqueConstraint("funder_id", name=op.f("uq_grants_co_payment_funder_id")),
    )
    with op.batch_alter_table("grants_co_payment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grants_co_payment_district_id"), ["district_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("grants_co_payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grants_co_payment_district_id"))

    op.drop_table("grants_co_payment")
    with op.batch_alter_table("grants_app_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grants_app_file_district_id"))
        batch_op.drop_index(batch_op.f("ix_grants_app_file_application_id"))

    op.drop_table("grants_app_file")
    with op.batch_alter_table("grants_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grants_answers_district_id"))

    op.drop_table("grants_answers")
    with op.batch_alter_table("grants_call_form", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grants_call_form_district_id"))

    op.drop_table("grants_call_form")
    with op.batch_alter_table("grants_pool_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grants_pool_member_user_id"))
        batch_op.drop_index(batch_op.f("ix_grants_pool_member_district_id"))

    op.drop_table("grants_pool_member")
