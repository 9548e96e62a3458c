"""case_tasks: linked tasks of a case; casework's referrals move from the case data to tasks

Revision ID: 3f6b8d2a9c14
Revises: 8c4d2e6f1a3b
Create Date: 2026-12-07 12:40:00.000000

A task belongs to one case (``core.tasks``): its kind, title, the partner outside it goes
to, the staff member who follows it up, a due date, a status with its outcome, and a
version for concurrent changes. The shipped casework type's ``referrals`` list field is
dropped: the upgrade turns each referral stored in a casework case's data into a task of
kind ``referral`` (agency → partner, reason → title, 转介类别 → partner_kind, sent_on →
created_at, closed_on → closed_at, the case's assignee as follower) and removes the list
from the data; the downgrade puts them back into the data and drops the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "3f6b8d2a9c14"
down_revision: str | Sequence[str] | None = "8c4d2e6f1a3b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = DateTimeUTC(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON_B = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
CHINA = timezone(timedelta(hours=8))  # the districts' local time (core.i18n.TIMEZONE, no DST)
STATUSES = {"sent", "accepted", "completed", "declined"}

CASES = sa.table(
    "cases",
    sa.column("id", BIG_ID),
    sa.column("district_id", BIG_ID),
    sa.column("case_type_key", sa.String(64)),
    sa.column("assignee_id", BIG_ID),
    sa.column("created_at", UTC_DATETIME),
    sa.column("data", JSON_B),
)
TASKS = sa.table(
    "case_tasks",
    sa.column("id", BIG_ID),
    sa.column("district_id", BIG_ID),
    sa.column("case_id", BIG_ID),
    sa.column("kind", sa.String(32)),
    sa.column("title", sa.String(200)),
    sa.column("partner", sa.String(100)),
    sa.column("partner_contact", sa.String(100)),
    sa.column("partner_kind", sa.String(32)),
    sa.column("follower_id", BIG_ID),
    sa.column("due_on", sa.Date()),
    sa.column("status", sa.String(16)),
    sa.column("outcome", sa.Text()),
    sa.column("version", sa.Integer()),
    sa.column("created_by_id", BIG_ID),
    sa.column("created_at", UTC_DATETIME),
    sa.column("updated_by_id", BIG_ID),
    sa.column("updated_at", UTC_DATETIME),
    sa.column("closed_at", UTC_DATETIME),
)


def _instant(raw: Any) -> datetime | None:
    """A stored ``YYYY-MM-DD`` as the UTC instant of that local day's start (None if it is not a date)."""
    try:
        day = date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None
    return datetime.combine(day, time(0), CHINA).astimezone(UTC) if day else None


def _local_day(moment: Any) -> str:
    if not isinstance(moment, datetime):
        return ""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA).date().isoformat()


def referral_rows(case: Any) -> list[dict[str, Any]]:
    """The task rows of one casework case's stored referrals (malformed entries are kept as well as they read)."""
    rows = []
    for item in (case.data or {}).get("referrals") or []:
        if not isinstance(item, dict):
            continue
        sent = _instant(item.get("sent_on")) or case.created_at
        status = str(item.get("status") or "sent")
        status = status if status in STATUSES else "sent"
        closed = _instant(item.get("closed_on")) if status in {"completed", "declined"} else None
        rows.append(
            {
                "district_id": case.district_id,
                "case_id": case.id,
                "kind": "referral",
                "title": str(item.get("reason") or item.get("agency") or "转介")[:200],
                "partner": str(item.get("agency") or "")[:100],
                "partner_contact": "",
                "partner_kind": str(item.get("to") or "")[:32],
                "follower_id": case.assignee_id,
                "due_on": None,
                "status": status,
                "outcome": str(item.get("outcome") or ""),
                "version": 1,
                "created_by_id": case.assignee_id,
                "created_at": sent,
                "updated_by_id": case.assignee_id,
                "updated_at": closed or sent,
                "closed_at": closed if status in {"completed", "declined"} else None,
            }
        )
    return rows


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "case_tasks",
        sa.Column("case_id", BIG_ID, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("partner", sa.String(length=100), nullable=False),
        sa.Column("partner_contact", sa.String(length=100), nullable=False),
        sa.Column("partner_kind", sa.String(length=32), nullable=False),
        sa.Column("follower_id", BIG_ID, nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_id", BIG_ID, nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_by_id", BIG_ID, nullable=True),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.Column("closed_at", UTC_DATETIME, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_tasks_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_case_tasks_district_id_districts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["follower_id"], ["users.id"], name=op.f("fk_case_tasks_follower_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_case_tasks_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_case_tasks_updated_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_tasks")),
    )
    with op.batch_alter_table("case_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_tasks_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_tasks_district_id"), ["district_id"], unique=False)
        batch_op.create_index(
            "ix_case_tasks_follower", ["district_id", "follower_id", "status", "due_on"], unique=False
        )
        batch_op.create_index("ix_case_tasks_due", ["district_id", "status", "due_on"], unique=False)

    bind = op.get_bind()
    found = bind.execute(
        sa.select(CASES.c.id, CASES.c.district_id, CASES.c.assignee_id, CASES.c.created_at, CASES.c.data)
        .where(CASES.c.case_type_key == "casework")
        .order_by(CASES.c.id)
    ).all()
    for case in found:
        if not isinstance(case.data, dict) or "referrals" not in case.data:
            continue
        rows = referral_rows(case)
        if rows:
            bind.execute(sa.insert(TASKS), rows)
        data = {k: v for k, v in case.data.items() if k != "referrals"}
        bind.execute(sa.update(CASES).where(CASES.c.id == case.id).values(data=data))


def downgrade() -> None:
    """Revert this revision: referral tasks of casework cases go back into the cases' data."""
    bind = op.get_bind()
    tasks = bind.execute(
        sa.select(TASKS, CASES.c.data)
        .join(CASES, CASES.c.id == TASKS.c.case_id)
        .where(CASES.c.case_type_key == "casework", TASKS.c.kind == "referral")
        .order_by(TASKS.c.case_id, TASKS.c.id)
    ).all()
    by_case: dict[int, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    for task in tasks:
        data, referrals = by_case.setdefault(task.case_id, (dict(task.data or {}), []))
        status = task.status if task.status in STATUSES else ("declined" if task.status == "cancelled" else "sent")
        item = {
            "to": task.partner_kind or "other",
            "agency": task.partner,
            "reason": task.title,
            "sent_on": _local_day(task.created_at),
            "status": status,
        }
        if task.outcome:
            item["outcome"] = task.outcome
        if task.closed_at is not None:
            item["closed_on"] = _local_day(task.closed_at)
        referrals.append(item)
    for case_id, (data, referrals) in by_case.items():
        bind.execute(sa.update(CASES).where(CASES.c.id == case_id).values(data={**data, "referrals": referrals}))
    with op.batch_alter_table("case_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_case_tasks_due")
        batch_op.drop_index("ix_case_tasks_follower")
        batch_op.drop_index(batch_op.f("ix_case_tasks_district_id"))
        batch_op.drop_index(batch_op.f("ix_case_tasks_case_id"))
    op.drop_table("case_tasks")
