"""Create the consultation council's tables (councils, members, topics, supports, meetings, agenda, attendees,
minutes, resolutions, objections, actions, progress, notifications, digests).

Version table ``alembic_version_consultation_council``. Constraint and index names follow
``core.db.base.NAMING_CONVENTION``.

Revision ID: consultation_council_0001
Revises:
Create Date: 2026-11-21 09:48:13.440753
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision: str = "consultation_council_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC_DATETIME = DateTimeUTC(timezone=True)


def upgrade() -> None:  # noqa: PLR0915 - one statement per table and index
    """Create the tables."""
    op.create_table(
        "consultation_council_digest",
        sa.Column("user_id", BIG_ID, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("read_at", UTC_DATETIME, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_consultation_council_digest_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_consultation_council_digest_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_council_digest")),
        sa.UniqueConstraint("user_id", "day", name=op.f("uq_consultation_council_digest_user_id_day")),
    )
    with op.batch_alter_table("consultation_council_digest", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultation_council_digest_district_id"), ["district_id"], unique=False)

    op.create_table(
        "consultation_council_council",
        sa.Column("org_unit_id", BIG_ID, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("support_threshold", sa.Integer(), nullable=False),
        sa.Column("quorum_num", sa.Integer(), nullable=False),
        sa.Column("quorum_den", sa.Integer(), nullable=False),
        sa.Column("objection_days", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_consultation_council_council_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"],
            ["org_units.id"],
            name=op.f("fk_consultation_council_council_org_unit_id_org_units"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_council_council")),
    )
    with op.batch_alter_table("consultation_council_council", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultation_council_council_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_consultation_council_council_org_unit_id"), ["org_unit_id"], unique=False)

    op.create_table(
        "consultation_council_notification",
        sa.Column("user_id", BIG_ID, nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("digest_id", BIG_ID, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["digest_id"],
            ["consultation_council_digest.id"],
            name=op.f("fk_consultation_council_notification_digest_id_consultation_council_digest"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_consultation_council_notification_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_consultation_council_notification_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_council_notification")),
    )
    with op.batch_alter_table("consultation_council_notification", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_council_notification_district_id"), ["district_id"], unique=False
        )
        batch_op.create_index(
            "ix_consultation_council_notification_user", ["district_id", "user_id", "digest_id"], unique=False
        )

    op.create_table(
        "consultation_council_meeting",
        sa.Column("council_id", BIG_ID, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("starts_at", UTC_DATETIME, nullable=False),
        sa.Column("ends_at", UTC_DATETIME, nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("online_link", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("invitations_sent_at", UTC_DATETIME, nullable=True),
        sa.Column("started_at", UTC_DATETIME, nullable=True),
        sa.Column("closed_at", UTC_DATETIME, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["consultation_council_council.id"],
            name=op.f("fk_consultation_council_meeting_council_id_consultation_council_council"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_consultation_council_meeting_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_council_meeting")),
    )
    with op.batch_alter_table("consultation_council_meeting", schema=None) as batch_op:
        batch_op.create_index("ix_consultation_council_meeting_calendar", ["district_id", "starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_consultation_council_meeting_council_id"), ["council_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_consultation_council_meeting_district_id"), ["district_id"], unique=False)

    op.create_table(
        "consultation_council_member",
        sa.Column("council_id", BIG_ID, nullable=False),
        sa.Column("user_id", BIG_ID, nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("party", sa.String(length=32), nullable=False),
        sa.Column("organization", sa.String(length=100), nullable=False),
        sa.Column("position", sa.String(length=16), nullable=False),
        sa.Column("term_start", sa.Date(), nullable=False),
        sa.Column("term_end", sa.Date(), nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["consultation_council_council.id"],
            name=op.f("fk_consultation_council_member_council_id_consultation_council_council"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_consultation_council_member_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_consultation_council_member_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_council_member")),
    )
    with op.batch_alter_table("consultation_council_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultation_council_member_council_id"), ["council_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_consultation_council_member_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_consultation_council_member_user_id"), ["user_id"], unique=False)

    op.create_table(
        "consultation_council_topic",
        sa.Column("council_id", BIG_ID, nullable=False),
        sa.Column("case_id", BIG_ID, nullable=False),
        sa.Column("supports", sa.Integer(), nullable=False),
        sa.Column("threshold_reached_at", UTC_DATETIME, nullable=True),
        sa.Column("escalated_case_id", BIG_ID, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_consultation_council_topic_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["consultation_council_council.id"],
            name=op.f("fk_consultation_council_topic_council_id_consultation_council_council"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_consultation_council_topic_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["escalated_case_id"],
            ["cases.id"],
            name=op.f("fk_consultation_council_topic_escalated_case_id_cases"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_council_topic")),
        sa.UniqueConstraint("case_id", name=op.f("uq_consultation_council_topic_case_id")),
    )
    with op.batch_alter_table("consultation_council_topic", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultation_council_topic_council_id"), ["council_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_consultation_council_topic_district_id"), ["district_id"], unique=False)

    op.create_table(
        "consultation_council_agenda_item",
        sa.Column("meeting_id", BIG_ID, nullable=False),
        sa.Column("topic_id", BIG_ID, nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("motion", sa.Text(), nullable=False),
        sa.Column("vote_id", BIG_ID, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_consultation_council_agenda_item_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["consultation_council_meeting.id"],
            name=op.f("fk_consultation_council_agenda_item_meeting_id_consultation_council_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["consultation_council_topic.id"],
            name=op.f("fk_consultation_council_agenda_item_topic_id_consultation_council_topic"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["vote_id"],
            ["votes.id"],
            name=op.f("fk_consultation_council_agenda_item_vote_id_votes"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_council_agenda_item")),
    )
    with op.batch_alter_table("consultation_council_agenda_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_council_agenda_item_district_id"), ["district_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_consultation_council_agenda_item_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_consultation_council_agenda_item_topic_id"), ["topic_id"], unique=False)

    op.create_table(
        "consultation_council_attendee",
        sa.Column("meeting_id", BIG_ID, nullable=False),
        sa.Column("member_id", BIG_ID, nullable=True),
        sa.Column("user_id", BIG_ID, nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("organization", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("invited_at", UTC_DATETIME, nullable=True),
        sa.Column("registered_at", UTC_DATETIME, nullable=True),
        sa.Column("signed_in_at", UTC_DATETIME, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_consultation_council_attendee_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["consultation_council_meeting.id"],
            name=op.f("fk_consultation_council_attendee_meeting_id_consultation_council_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["consultation_council_member.id"],
            name=op.f("fk_consultation_council_attendee_member_id_consultation_council_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_consultation_council_attendee_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_council_attendee")),
        sa.UniqueConstraint(
            "meeting_id", "member_id", name=op.f("uq_consultation_council_attendee_meeting_id_member_id")
        ),
        sa.UniqueConstraint("meeting_id", "user_id", name=op.f("uq_consultation_council_attendee_meeting_id_user_id")),
    )
    with op.batch_alter_table("consultation_council_attendee", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultation_council_attendee_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_consultation_council_attendee_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "consultation_council_minutes",
        sa.Column("meeting_id", BIG_ID, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", BIG_ID, nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("circulated_at", UTC_DATETIME, nullable=True),
        sa.Column("locked_at", UTC_DATETIME, nullable=True),
        sa.Column("locked_by_id", BIG_ID, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_consultation_council_minutes_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_consultation_council_minutes_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["locked_by_id"],
            ["users.id"],
            name=op.f("fk_consultation_council_minutes_locked_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["consultation_council_meeting.id"],
            name=op.f("fk_consultation_council_minutes_meeting_id_consultation_council_meeting"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_council_minutes")),
        sa.UniqueConstraint("meeting_id", "number", name=op.f("uq_consultation_council_minutes_meeting_id_number")),
    )
    with op.batch_alter_table("consultation_council_minutes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultation_council_minutes_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_consultation_council_minutes_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "consultation_council_resolution",
        sa.Column("council_id", BIG_ID, nullable=False),
        sa.Column("topic_id", BIG_ID, nullable=True),
        sa.Column("vote_id", BIG_ID, nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("published_at", UTC_DATETIME, nullable=True),
        sa.Column("objection_until", UTC_DATETIME, nullable=True),
        sa.Column("in_force_at", UTC_DATETIME, nullable=True),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("review_reminded_at", UTC_DATETIME, nullable=True),
        sa.Column("reviewed_at", UTC_DATETIME, nullable=True),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["consultation_council_council.id"],
            name=op.f("fk_consultation_council_resolution_council_id_consultation_council_council"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_consultation_council_resolution_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["consultation_council_topic.id"],
            name=op.f("fk_consultation_council_resolution_topic_id_consultation_council_topic"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["vote_id"],
            ["votes.id"],
            name=op.f("fk_consultation_council_resolution_vote_id_votes"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_council_resolution")),
    )
    with op.batch_alter_table("consultation_council_resolution", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultation_council_resolution_council_id"), ["council_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_consultation_council_resolution_district_id"), ["district_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_consultation_council_resolution_topic_id"), ["topic_id"], unique=False)

    op.create_table(
        "consultation_council_support",
        sa.Column("topic_id", BIG_ID, nullable=False),
        sa.Column("user_id", BIG_ID, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_consultation_council_support_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["consultation_council_topic.id"],
            name=op.f("fk_consultation_council_support_topic_id_consultation_council_topic"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_consultation_council_support_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_council_support")),
        sa.UniqueConstraint("topic_id", "user_id", name=op.f("uq_consultation_council_support_topic_id_user_id")),
    )
    with op.batch_alter_table("consultation_council_support", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultation_council_support_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_consultation_council_support_topic_id"), ["topic_id"], unique=False)

    op.create_table(
        "consultation_council_action",
        sa.Column("resolution_id", BIG_ID, nullable=False),
        sa.Column("council_id", BIG_ID, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("party", sa.String(length=100), nullable=False),
        sa.Column("assignee_id", BIG_ID, nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("done_at", UTC_DATETIME, nullable=True),
        sa.Column("overdue_notified_on", sa.Date(), nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["users.id"],
            name=op.f("fk_consultation_council_action_assignee_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["consultation_council_council.id"],
            name=op.f("fk_consultation_council_action_council_id_consultation_council_council"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_consultation_council_action_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resolution_id"],
            ["consultation_council_resolution.id"],
            name=op.f("fk_consultation_council_action_resolution_id_consultation_council_resolution"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_council_action")),
    )
    with op.batch_alter_table("consultation_council_action", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultation_council_action_council_id"), ["council_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_consultation_council_action_district_id"), ["district_id"], unique=False)
        batch_op.create_index("ix_consultation_council_action_due", ["district_id", "done_at", "due_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_consultation_council_action_resolution_id"), ["resolution_id"], unique=False
        )

    op.create_table(
        "consultation_council_minutes_correction",
        sa.Column("minutes_id", BIG_ID, nullable=False),
        sa.Column("user_id", BIG_ID, nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_consultation_council_minutes_correction_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["minutes_id"],
            ["consultation_council_minutes.id"],
            name=op.f("fk_consultation_council_minutes_correction_minutes_id_consultation_council_minutes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_consultation_council_minutes_correction_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_council_minutes_correction")),
    )
    with op.batch_alter_table("consultation_council_minutes_correction", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_council_minutes_correction_district_id"), ["district_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_consultation_council_minutes_correction_minutes_id"), ["minutes_id"], unique=False
        )

    op.create_table(
        "consultation_council_objection",
        sa.Column("resolution_id", BIG_ID, nullable=False),
        sa.Column("user_id", BIG_ID, nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("answered_at", UTC_DATETIME, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_consultation_council_objection_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resolution_id"],
            ["consultation_council_resolution.id"],
            name=op.f("fk_consultation_council_objection_resolution_id_consultation_council_resolution"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_consultation_council_objection_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_council_objection")),
    )
    with op.batch_alter_table("consultation_council_objection", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_council_objection_district_id"), ["district_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_consultation_council_objection_resolution_id"), ["resolution_id"], unique=False
        )

    op.create_table(
        "consultation_council_resolution_text",
        sa.Column("resolution_id", BIG_ID, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", BIG_ID, nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_consultation_council_resolution_text_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_consultation_council_resolution_text_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resolution_id"],
            ["consultation_council_resolution.id"],
            name=op.f("fk_consultation_council_resolution_text_resolution_id_consultation_council_resolution"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_council_resolution_text")),
        sa.UniqueConstraint(
            "resolution_id", "number", name=op.f("uq_consultation_council_resolution_text_resolution_id_number")
        ),
    )
    with op.batch_alter_table("consultation_council_resolution_text", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_council_resolution_text_district_id"), ["district_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_consultation_council_resolution_text_resolution_id"), ["resolution_id"], unique=False
        )

    op.create_table(
        "consultation_council_progress",
        sa.Column("action_id", BIG_ID, nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("user_id", BIG_ID, nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["consultation_council_action.id"],
            name=op.f("fk_consultation_council_progress_action_id_consultation_council_action"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_consultation_council_progress_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_consultation_council_progress_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_council_progress")),
    )
    with op.batch_alter_table("consultation_council_progress", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultation_council_progress_action_id"), ["action_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_consultation_council_progress_district_id"), ["district_id"], unique=False)


def downgrade() -> None:  # noqa: PLR0915 - one statement per table and index
    """Drop the tables."""
    with op.batch_alter_table("consultation_council_progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_council_progress_district_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_council_progress_action_id"))

    op.drop_table("consultation_council_progress")
    with op.batch_alter_table("consultation_council_resolution_text", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_council_resolution_text_resolution_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_council_resolution_text_district_id"))

    op.drop_table("consultation_council_resolution_text")
    with op.batch_alter_table("consultation_council_objection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_council_objection_resolution_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_council_objection_district_id"))

    op.drop_table("consultation_council_objection")
    with op.batch_alter_table("consultation_council_minutes_correction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_council_minutes_correction_minutes_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_council_minutes_correction_district_id"))

    op.drop_table("consultation_council_minutes_correction")
    with op.batch_alter_table("consultation_council_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_council_action_resolution_id"))
        batch_op.drop_index("ix_consultation_council_action_due")
        batch_op.drop_index(batch_op.f("ix_consultation_council_action_district_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_council_action_council_id"))

    op.drop_table("consultation_council_action")
    with op.batch_alter_table("consultation_council_support", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_council_support_topic_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_council_support_district_id"))

    op.drop_table("consultation_council_support")
    with op.batch_alter_table("consultation_council_resolution", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_council_resolution_topic_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_council_resolution_district_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_council_resolution_council_id"))

    op.drop_table("consultation_council_resolution")
    with op.batch_alter_table("consultation_council_minutes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_council_minutes_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_council_minutes_district_id"))

    op.drop_table("consultation_council_minutes")
    with op.batch_alter_table("consultation_council_attendee", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_council_attendee_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_council_attendee_district_id"))

    op.drop_table("consultation_council_attendee")
    with op.batch_alter_table("consultation_council_agenda_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_council_agenda_item_topic_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_council_agenda_item_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_council_agenda_item_district_id"))

    op.drop_table("consultation_council_agenda_item")
    with op.batch_alter_table("consultation_council_topic", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_council_topic_district_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_council_topic_council_id"))

    op.drop_table("consultation_council_topic")
    with op.batch_alter_table("consultation_council_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_council_member_user_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_council_member_district_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_council_member_council_id"))

    op.drop_table("consultation_council_member")
    with op.batch_alter_table("consultation_council_meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_council_meeting_district_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_council_meeting_council_id"))
        batch_op.drop_index("ix_consultation_council_meeting_calendar")

    op.drop_table("consultation_council_meeting")
    with op.batch_alter_table("consultation_council_notification", schema=None) as batch_op:
        batch_op.drop_index("ix_consultation_council_notification_user")
        batch_op.drop_index(batch_op.f("ix_consultation_council_notification_district_id"))

    op.drop_table("consultation_council_notification")
    with op.batch_alter_table("consultation_council_council", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_council_council_org_unit_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_council_council_district_id"))

    op.drop_table("consultation_council_council")
    with op.batch_alter_table("consultation_council_digest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_council_digest_district_id"))

    op.drop_table("consultation_council_digest")
