"""ledger: accounts, transfers, postings (append-only)

Revision ID: 1bf7c43be442
Revises: 27f9ac75edcf
Create Date: 2026-11-21 09:09:58.845359

Postings and transfers are append-only. Besides the code's guard (``core.ledger.guards``)
the database refuses UPDATE and DELETE on both tables with triggers, on PostgreSQL and on
SQLite. The one DELETE let through is the cascade when a whole district is deleted (the
district row is already gone when the cascade reaches the ledger rows).

Note for later revisions: SQLite's batch mode re-creates a table to alter it, which drops
its triggers; a revision that batch-alters ``ledger_postings`` or ``ledger_transfers``
must call :func:`create_append_only_triggers` again afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision: str = "1bf7c43be442"
down_revision: str | Sequence[str] | None = "27f9ac75edcf"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = DateTimeUTC(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
APPEND_ONLY_TABLES = ("ledger_postings", "ledger_transfers")
MESSAGE = "账本只能追加，不能修改或删除 / the ledger is append-only: rows are never updated or deleted"

PG_FUNCTION = """
CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM districts WHERE id = OLD.district_id) THEN
        RETURN OLD;  -- the district itself is being deleted (ON DELETE CASCADE)
    END IF;
    RAISE EXCEPTION '{MESSAGE} (% on %)', TG_OP, TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
END
$$
""".replace("{MESSAGE}", MESSAGE)


def create_append_only_triggers() -> None:
    """Refuse UPDATE and DELETE of postings and transfers in the database itself."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for table in APPEND_ONLY_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"
            )
        return
    for table in APPEND_ONLY_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "  # noqa: S608 - constants only
            "WHEN EXISTS (SELECT 1 FROM districts WHERE id = OLD.district_id) "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )


def drop_append_only_triggers() -> None:
    """Undo :func:`create_append_only_triggers`."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in APPEND_ONLY_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS ledger_append_only()")
        return
    for table in APPEND_ONLY_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "ledger_accounts",
        sa.Column("owner_kind", sa.String(length=16), nullable=False),
        sa.Column("owner_ref", sa.String(length=120), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("min_balance", sa.BigInteger(), nullable=True),
        sa.Column("max_balance", sa.BigInteger(), nullable=True),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("closed_at", UTC_DATETIME, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.CheckConstraint(
            "owner_kind IN ('person', 'organization', 'system')", name=op.f("ck_ledger_accounts_owner_kind")
        ),
        sa.CheckConstraint("unit IN ('minutes', 'fen')", name=op.f("ck_ledger_accounts_unit")),
        sa.CheckConstraint(
            "min_balance IS NULL OR max_balance IS NULL OR min_balance <= max_balance",
            name=op.f("ck_ledger_accounts_limits_ordered"),
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_ledger_accounts_district_id_districts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_accounts")),
        sa.UniqueConstraint(
            "district_id", "owner_ref", "unit", name=op.f("uq_ledger_accounts_district_id_owner_ref_unit")
        ),
    )
    with op.batch_alter_table("ledger_accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_accounts_district_id"), ["district_id"], unique=False)

    op.create_table(
        "ledger_transfers",
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("link", sa.String(length=120), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", BIG_ID, nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("effective_at", UTC_DATETIME, nullable=False),
        sa.Column("reverses_id", BIG_ID, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_ledger_transfers_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_ledger_transfers_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"], ["ledger_transfers.id"], name=op.f("fk_ledger_transfers_reverses_id_ledger_transfers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_transfers")),
        sa.UniqueConstraint(
            "district_id", "idempotency_key", name=op.f("uq_ledger_transfers_district_id_idempotency_key")
        ),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_ledger_transfers_reverses_id")),
    )
    with op.batch_alter_table("ledger_transfers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_transfers_district_id"), ["district_id"], unique=False)

    op.create_table(
        "ledger_postings",
        sa.Column("transfer_id", BIG_ID, nullable=False),
        sa.Column("account_id", BIG_ID, nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("effective_at", UTC_DATETIME, nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.CheckConstraint("amount <> 0", name=op.f("ck_ledger_postings_amount_not_zero")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["ledger_accounts.id"], name=op.f("fk_ledger_postings_account_id_ledger_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_ledger_postings_district_id_districts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"], ["ledger_transfers.id"], name=op.f("fk_ledger_postings_transfer_id_ledger_transfers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_postings")),
        sa.UniqueConstraint("transfer_id", "account_id", name=op.f("uq_ledger_postings_transfer_id_account_id")),
    )
    with op.batch_alter_table("ledger_postings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_postings_account_effective", ["account_id", "effective_at", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_ledger_postings_district_id"), ["district_id"], unique=False)

    create_append_only_triggers()


def downgrade() -> None:
    """Revert this revision."""
    drop_append_only_triggers()
    with op.batch_alter_table("ledger_postings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_postings_district_id"))
        batch_op.drop_index("ix_ledger_postings_account_effective")
    op.drop_table("ledger_postings")
    with op.batch_alter_table("ledger_transfers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_transfers_district_id"))
    op.drop_table("ledger_transfers")
    with op.batch_alter_table("ledger_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_accounts_district_id"))
    op.drop_table("ledger_accounts")
