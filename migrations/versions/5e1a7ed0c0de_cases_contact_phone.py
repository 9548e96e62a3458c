"""cases: contact_phone, indexed with the district, for the case page's related cases

Revision ID: 5e1a7ed0c0de
Revises: c3ddd0f1286f
Create Date: 2026-11-21 11:55:00.000000

``cases.contact_phone`` is the value of the first phone-type field of the case's form
that has one (``core.cases.writes.contact_phone``); the case page's "related cases" are
the cases with the same one in the district, found by ``ix_cases_contact_phone``
instead of a scan of ``data``. The upgrade fills it for the existing cases: for each
stored case-type version, its definition's phone fields in form order, each only where
an earlier one left it empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "5e1a7ed0c0de"
down_revision: str | Sequence[str] | None = "c3ddd0f1286f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_B = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
PHONE_LENGTH = 32


def phone_keys(definition: Any) -> list[str]:
    """The keys of the top-level phone fields of a stored definition, in form order."""
    form = definition.get("form") if isinstance(definition, dict) else None
    fields = form.get("fields") if isinstance(form, dict) else None
    return [
        str(f["key"])
        for f in fields or []
        if isinstance(f, dict) and f.get("type") == "phone" and isinstance(f.get("key"), str)
    ]


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_phone", sa.String(length=PHONE_LENGTH), nullable=True))
        batch_op.create_index("ix_cases_contact_phone", ["district_id", "contact_phone"], unique=False)

    versions = sa.table("case_type_versions", sa.column("id", BIG_ID), sa.column("definition", JSON_B))
    cases = sa.table(
        "cases",
        sa.column("case_type_version_id", BIG_ID),
        sa.column("data", JSON_B),
        sa.column("contact_phone", sa.String(PHONE_LENGTH)),
    )
    bind = op.get_bind()
    for version_id, definition in bind.execute(sa.select(versions.c.id, versions.c.definition)).all():
        for key in phone_keys(definition):
            value = cases.c.data[key].as_string()
            bind.execute(
                sa.update(cases)
                .where(
                    cases.c.case_type_version_id == version_id,
                    cases.c.contact_phone.is_(None),
                    value.is_not(None),
                    value != "",
                )
                .values(contact_phone=sa.func.substr(value, 1, PHONE_LENGTH))
            )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_contact_phone")
        batch_op.drop_column("contact_phone")
