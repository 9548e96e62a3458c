"""votes: votes, electors, participations, ballots, hand counts

Revision ID: c3ddd0f1286f
Revises: 1bf7c43be442
Create Date: 2026-11-21 09:35:47.226855

The voting service (``core.votes``). ``vote_ballots`` has random text ids and, on SQLite,
no rowid (``WITHOUT ROWID``: rows kept in id order, not insertion order), so the order of
anonymous ballots says nothing about who cast them; anonymous ballots carry no elector,
channel, clerk or time. ``vote_participations`` is the "has voted" register; its primary
key (vote, elector) refuses a second first ballot.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c3ddd0f1286f"
down_revision: str | Sequence[str] | None = "1bf7c43be442"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = DateTimeUTC(timezone=True)
JSON_B = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "votes",
        sa.Column("subject_ref", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("method", sa.String(length=24), nullable=False),
        sa.Column("max_choices", sa.Integer(), nullable=True),
        sa.Column("options", JSON_B, nullable=False),
        sa.Column("secrecy", sa.String(length=24), nullable=False),
        sa.Column("preset", sa.String(length=40), nullable=False),
        sa.Column("base", sa.String(length=16), nullable=False),
        sa.Column("quorum_heads_num", sa.Integer(), nullable=True),
        sa.Column("quorum_heads_den", sa.Integer(), nullable=True),
        sa.Column("quorum_heads_inclusive", sa.Boolean(), nullable=True),
        sa.Column("quorum_weight_num", sa.Integer(), nullable=True),
        sa.Column("quorum_weight_den", sa.Integer(), nullable=True),
        sa.Column("quorum_weight_inclusive", sa.Boolean(), nullable=True),
        sa.Column("pass_heads_num", sa.Integer(), nullable=True),
        sa.Column("pass_heads_den", sa.Integer(), nullable=True),
        sa.Column("pass_heads_inclusive", sa.Boolean(), nullable=True),
        sa.Column("pass_weight_num", sa.Integer(), nullable=True),
        sa.Column("pass_weight_den", sa.Integer(), nullable=True),
        sa.Column("pass_weight_inclusive", sa.Boolean(), nullable=True),
        sa.Column("allow_change", sa.Boolean(), nullable=False),
        sa.Column("opens_at", UTC_DATETIME, nullable=False),
        sa.Column("closes_at", UTC_DATETIME, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("electorate_size", sa.Integer(), nullable=True),
        sa.Column("electorate_weight", sa.String(length=40), nullable=True),
        sa.Column("hands_total", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("created_by_id", BIG_ID, nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("opened_at", UTC_DATETIME, nullable=True),
        sa.Column("closed_at", UTC_DATETIME, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.CheckConstraint("base IN ('participating', 'cast', 'electorate')", name=op.f("ck_votes_base")),
        sa.CheckConstraint(
            "method IN ('for_against_abstain', 'single', 'multiple', 'score')", name=op.f("ck_votes_method")
        ),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('passed', 'failed', 'no_quorum')", name=op.f("ck_votes_outcome")
        ),
        sa.CheckConstraint("secrecy IN ('named', 'hidden_until_close', 'anonymous')", name=op.f("ck_votes_secrecy")),
        sa.CheckConstraint("status IN ('draft', 'open', 'closed')", name=op.f("ck_votes_status")),
        sa.CheckConstraint(
            "(pass_heads_num IS NULL AND pass_heads_den IS NULL AND pass_heads_inclusive IS NULL) OR (pass_heads_den > 0 AND pass_heads_num >= 0 AND pass_heads_num <= pass_heads_den AND pass_heads_inclusive IS NOT NULL)",
            name=op.f("ck_votes_pass_heads_fraction"),
        ),
        sa.CheckConstraint(
            "(pass_weight_num IS NULL AND pass_weight_den IS NULL AND pass_weight_inclusive IS NULL) OR (pass_weight_den > 0 AND pass_weight_num >= 0 AND pass_weight_num <= pass_weight_den AND pass_weight_inclusive IS NOT NULL)",
            name=op.f("ck_votes_pass_weight_fraction"),
        ),
        sa.CheckConstraint(
            "(quorum_heads_num IS NULL AND quorum_heads_den IS NULL AND quorum_heads_inclusive IS NULL) OR (quorum_heads_den > 0 AND quorum_heads_num >= 0 AND quorum_heads_num <= quorum_heads_den AND quorum_heads_inclusive IS NOT NULL)",
            name=op.f("ck_votes_quorum_heads_fraction"),
        ),
        sa.CheckConstraint(
            "(quorum_weight_num IS NULL AND quorum_weight_den IS NULL AND quorum_weight_inclusive IS NULL) OR (quorum_weight_den > 0 AND quorum_weight_num >= 0 AND quorum_weight_num <= quorum_weight_den AND quorum_weight_inclusive IS NOT NULL)",
            name=op.f("ck_votes_quorum_weight_fraction"),
        ),
        sa.CheckConstraint("closes_at > opens_at", name=op.f("ck_votes_window")),
        sa.CheckConstraint("pass_heads_num IS NOT NULL", name=op.f("ck_votes_pass_heads_required")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_votes_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_votes_district_id_districts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_votes")),
    )
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_votes_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_votes_subject_ref"), ["subject_ref"], unique=False)

    op.create_table(
        "vote_electors",
        sa.Column("vote_id", BIG_ID, nullable=False),
        sa.Column("voter_ref", sa.String(length=120), nullable=False),
        sa.Column("user_id", BIG_ID, nullable=True),
        sa.Column("weight", sa.String(length=40), nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_vote_electors_district_id_districts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_vote_electors_user_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["vote_id"], ["votes.id"], name=op.f("fk_vote_electors_vote_id_votes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vote_electors")),
        sa.UniqueConstraint("vote_id", "voter_ref", name=op.f("uq_vote_electors_vote_id_voter_ref")),
    )
    with op.batch_alter_table("vote_electors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vote_electors_district_id"), ["district_id"], unique=False)

    op.create_table(
        "vote_hand_counts",
        sa.Column("vote_id", BIG_ID, nullable=False),
        sa.Column("counts", JSON_B, nullable=False),
        sa.Column("heads", sa.Integer(), nullable=False),
        sa.Column("attested_by_id", BIG_ID, nullable=False),
        sa.Column("entered_by_id", BIG_ID, nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("recorded_at", UTC_DATETIME, nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.CheckConstraint("heads > 0", name=op.f("ck_vote_hand_counts_heads_positive")),
        sa.ForeignKeyConstraint(
            ["attested_by_id"], ["users.id"], name=op.f("fk_vote_hand_counts_attested_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_vote_hand_counts_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["users.id"], name=op.f("fk_vote_hand_counts_entered_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["vote_id"], ["votes.id"], name=op.f("fk_vote_hand_counts_vote_id_votes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vote_hand_counts")),
    )
    with op.batch_alter_table("vote_hand_counts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vote_hand_counts_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_vote_hand_counts_vote_id"), ["vote_id"], unique=False)

    op.create_table(
        "vote_ballots",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("vote_id", BIG_ID, nullable=False),
        sa.Column("elector_id", BIG_ID, nullable=True),
        sa.Column("choice", JSON_B, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("entered_by_id", BIG_ID, nullable=True),
        sa.Column("cast_at", UTC_DATETIME, nullable=True),
        sa.Column("replaced_at", UTC_DATETIME, nullable=True),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.CheckConstraint(
            "channel IS NULL OR channel IN ('online', 'paper', 'hands', 'door_to_door')",
            name=op.f("ck_vote_ballots_channel"),
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_vote_ballots_district_id_districts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["elector_id"],
            ["vote_electors.id"],
            name=op.f("fk_vote_ballots_elector_id_vote_electors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["users.id"], name=op.f("fk_vote_ballots_entered_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["vote_id"], ["votes.id"], name=op.f("fk_vote_ballots_vote_id_votes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vote_ballots")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("vote_ballots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vote_ballots_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_vote_ballots_elector_id"), ["elector_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_vote_ballots_vote_id"), ["vote_id"], unique=False)

    op.create_table(
        "vote_participations",
        sa.Column("vote_id", BIG_ID, nullable=False),
        sa.Column("elector_id", BIG_ID, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("entered_by_id", BIG_ID, nullable=True),
        sa.Column("voted_at", UTC_DATETIME, nullable=False),
        sa.Column("district_id", BIG_ID, nullable=False),
        sa.CheckConstraint(
            "channel IN ('online', 'paper', 'hands', 'door_to_door')", name=op.f("ck_vote_participations_channel")
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_vote_participations_district_id_districts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["elector_id"],
            ["vote_electors.id"],
            name=op.f("fk_vote_participations_elector_id_vote_electors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"],
            ["users.id"],
            name=op.f("fk_vote_participations_entered_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["vote_id"], ["votes.id"], name=op.f("fk_vote_participations_vote_id_votes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("vote_id", "elector_id", name=op.f("pk_vote_participations")),
    )
    with op.batch_alter_table("vote_participations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vote_participations_district_id"), ["district_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("vote_participations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vote_participations_district_id"))

    op.drop_table("vote_participations")
    with op.batch_alter_table("vote_ballots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vote_ballots_vote_id"))
        batch_op.drop_index(batch_op.f("ix_vote_ballots_elector_id"))
        batch_op.drop_index(batch_op.f("ix_vote_ballots_district_id"))

    op.drop_table("vote_ballots")
    with op.batch_alter_table("vote_hand_counts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vote_hand_counts_vote_id"))
        batch_op.drop_index(batch_op.f("ix_vote_hand_counts_district_id"))

    op.drop_table("vote_hand_counts")
    with op.batch_alter_table("vote_electors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vote_electors_district_id"))

    op.drop_table("vote_electors")
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_votes_subject_ref"))
        batch_op.drop_index(batch_op.f("ix_votes_district_id"))

    op.drop_table("votes")
