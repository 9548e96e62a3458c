"""The council's tables, all named ``consultation_council_<noun>`` and scoped to a district.

A topic (议题) is a case of the core (type ``council_topic``); ``Topic`` holds what the
case engine does not: its council, supports and links. Votes are the core's (``votes``);
an agenda item and a resolution point at the vote that decided them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import Base, BigId, DistrictScoped, IdPrimaryKey, Timestamps, utcnow

__all__ = (
    "FORMATS",
    "PARTIES",
    "POSITIONS",
    "ActionItem",
    "AgendaItem",
    "Attendee",
    "Council",
    "Digest",
    "Meeting",
    "Member",
    "MinutesCorrection",
    "MinutesLocked",
    "MinutesVersion",
    "Notification",
    "Objection",
    "Progress",
    "Resolution",
    "ResolutionText",
    "Support",
    "Topic",
)

# 五位一体: the five parties at the table.
PARTIES = ("party_branch", "residents_committee", "social_organization", "local_unit", "resident")
POSITIONS = ("chair", "vice_chair", "secretary", "member")
FORMATS = ("talk", "council", "review", "hearing", "open_space", "quarterly")
PREFIX = "consultation_council_"
USERS = "users.id"


def _fk(table: str, ondelete: str = "CASCADE") -> ForeignKey:
    return ForeignKey(f"{PREFIX}{table}.id", ondelete=ondelete)


class Council(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A consultation council (议事会) of one community or estate."""

    __tablename__ = f"{PREFIX}council"

    org_unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    # Supports (附议) that put a topic on the agenda queue by themselves.
    support_threshold: Mapped[int] = mapped_column(Integer, default=10)
    # Members present must be MORE than quorum_num/quorum_den of the active members (过半数 by default).
    quorum_num: Mapped[int] = mapped_column(Integer, default=1)
    quorum_den: Mapped[int] = mapped_column(Integer, default=2)
    objection_days: Mapped[int] = mapped_column(Integer, default=7)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Member(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A seat at the table: a person of one of the five parties, with a position and a term."""

    __tablename__ = f"{PREFIX}member"

    council_id: Mapped[int] = mapped_column(BigId, _fk("council"), index=True)
    user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey(USERS, ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    party: Mapped[str] = mapped_column(String(32))
    organization: Mapped[str] = mapped_column(String(100), default="")
    position: Mapped[str] = mapped_column(String(16), default="member")
    term_start: Mapped[date] = mapped_column(Date)
    term_end: Mapped[date | None] = mapped_column(Date, default=None)

    def active_on(self, day: date) -> bool:
        """Whether the member's term covers ``day``."""
        return self.term_start <= day and (self.term_end is None or day <= self.term_end)


class Topic(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A topic (议题): the case of type ``council_topic`` and what the council adds to it."""

    __tablename__ = f"{PREFIX}topic"

    council_id: Mapped[int] = mapped_column(BigId, _fk("council"), index=True)
    case_id: Mapped[int] = mapped_column(BigId, ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    supports: Mapped[int] = mapped_column(Integer, default=0)
    # When the supports reached the council's threshold (the topic went on the agenda queue by itself).
    threshold_reached_at: Mapped[datetime | None] = mapped_column(default=None)
    # The linked resident request of the core when the topic went up to the street or town.
    escalated_case_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("cases.id", ondelete="SET NULL"))


class Support(IdPrimaryKey, DistrictScoped, Base):
    """One resident's support (附议) of a topic."""

    __tablename__ = f"{PREFIX}support"
    __table_args__ = (UniqueConstraint("topic_id", "user_id"),)

    topic_id: Mapped[int] = mapped_column(BigId, _fk("topic"), index=True)
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey(USERS, ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Meeting(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A meeting of a council: format, time, place or online link; planned → in progress → closed."""

    __tablename__ = f"{PREFIX}meeting"
    __table_args__ = (Index(f"ix_{PREFIX}meeting_calendar", "district_id", "starts_at"),)

    council_id: Mapped[int] = mapped_column(BigId, _fk("council"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    format: Mapped[str] = mapped_column(String(16))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(200), default="")
    online_link: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(16), default="planned")  # planned | in_progress | closed
    invitations_sent_at: Mapped[datetime | None] = mapped_column(default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class AgendaItem(IdPrimaryKey, DistrictScoped, Base):
    """An item of a meeting's agenda, in order, with its time; usually a topic, with notes and a vote."""

    __tablename__ = f"{PREFIX}agenda_item"

    meeting_id: Mapped[int] = mapped_column(BigId, _fk("meeting"), index=True)
    topic_id: Mapped[int | None] = mapped_column(BigId, _fk("topic", "SET NULL"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(Integer, default=20)  # time allotted
    notes: Mapped[str] = mapped_column(Text, default="")  # minute-taking during the meeting
    motion: Mapped[str] = mapped_column(Text, default="")  # the text put to the vote
    vote_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("votes.id", ondelete="SET NULL"))


class Attendee(IdPrimaryKey, DistrictScoped, Base):
    """Someone invited to a meeting: a member, or an invited party (交警, 城管 …); registration and sign-in."""

    __tablename__ = f"{PREFIX}attendee"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"), UniqueConstraint("meeting_id", "user_id"))

    meeting_id: Mapped[int] = mapped_column(BigId, _fk("meeting"), index=True)
    member_id: Mapped[int | None] = mapped_column(BigId, _fk("member"))
    user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey(USERS, ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(100))
    organization: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[str] = mapped_column(String(16), default="member")  # member | guest | resident
    invited_at: Mapped[datetime | None] = mapped_column(default=None)
    registered_at: Mapped[datetime | None] = mapped_column(default=None)
    signed_in_at: Mapped[datetime | None] = mapped_column(default=None)


class MinutesLocked(Exception):
    """A final version of the minutes was about to change."""


class MinutesVersion(IdPrimaryKey, DistrictScoped, Base):
    """A version of a meeting's minutes: draft → circulated for corrections → final (locked for good)."""

    __tablename__ = f"{PREFIX}minutes"
    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    meeting_id: Mapped[int] = mapped_column(BigId, _fk("meeting"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | circulated | final
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey(USERS, ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    circulated_at: Mapped[datetime | None] = mapped_column(default=None)
    locked_at: Mapped[datetime | None] = mapped_column(default=None)
    locked_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey(USERS, ondelete="SET NULL"))


@event.listens_for(MinutesVersion, "before_update")
def _refuse_changing_final_minutes(_mapper: object, _connection: object, target: MinutesVersion) -> None:
    """The last guard: whatever code path tries it, a locked version is never written again."""
    from sqlalchemy import inspect  # noqa: PLC0415

    history = inspect(target).attrs.locked_at.history
    was_locked = history.deleted[0] if history.deleted else (None if history.added else target.locked_at)
    if was_locked is not None:
        msg = "纪要定稿后不能修改 / the final minutes can't change"
        raise MinutesLocked(msg)


class MinutesCorrection(IdPrimaryKey, DistrictScoped, Base):
    """An attendee's correction to circulated minutes."""

    __tablename__ = f"{PREFIX}minutes_correction"

    minutes_id: Mapped[int] = mapped_column(BigId, _fk("minutes"), index=True)
    user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey(USERS, ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | taken | dismissed
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Resolution(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A resolution or convention (决议, 公约): draft → published (公示, objections) → in force."""

    __tablename__ = f"{PREFIX}resolution"

    council_id: Mapped[int] = mapped_column(BigId, _fk("council"), index=True)
    topic_id: Mapped[int | None] = mapped_column(BigId, _fk("topic", "SET NULL"), index=True)
    vote_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("votes.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16), default="resolution")  # resolution | convention
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | published | in_force
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    objection_until: Mapped[datetime | None] = mapped_column(default=None)
    in_force_at: Mapped[datetime | None] = mapped_column(default=None)
    review_on: Mapped[date | None] = mapped_column(Date, default=None)
    review_reminded_at: Mapped[datetime | None] = mapped_column(default=None)
    reviewed_at: Mapped[datetime | None] = mapped_column(default=None)
    review_note: Mapped[str] = mapped_column(Text, default="")


class ResolutionText(IdPrimaryKey, DistrictScoped, Base):
    """A version of a resolution's text; the newest is the one in force."""

    __tablename__ = f"{PREFIX}resolution_text"
    __table_args__ = (UniqueConstraint("resolution_id", "number"),)

    resolution_id: Mapped[int] = mapped_column(BigId, _fk("resolution"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)
    body: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey(USERS, ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Objection(IdPrimaryKey, DistrictScoped, Base):
    """A resident's objection (异议) to a published resolution, with a reason and the council's answer."""

    __tablename__ = f"{PREFIX}objection"

    resolution_id: Mapped[int] = mapped_column(BigId, _fk("resolution"), index=True)
    user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey(USERS, ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(default=None)


class ActionItem(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """An action a resolution calls for, assigned to a party, with a due date and its progress in %."""

    __tablename__ = f"{PREFIX}action"
    __table_args__ = (Index(f"ix_{PREFIX}action_due", "district_id", "done_at", "due_on"),)

    resolution_id: Mapped[int] = mapped_column(BigId, _fk("resolution"), index=True)
    council_id: Mapped[int] = mapped_column(BigId, _fk("council"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    party: Mapped[str] = mapped_column(String(100))  # who carries it out, e.g. 停车自管委员会
    assignee_id: Mapped[int | None] = mapped_column(BigId, ForeignKey(USERS, ondelete="SET NULL"))
    due_on: Mapped[date] = mapped_column(Date)
    percent: Mapped[int] = mapped_column(Integer, default=0)
    done_at: Mapped[datetime | None] = mapped_column(default=None)
    overdue_notified_on: Mapped[date | None] = mapped_column(Date, default=None)


class Progress(IdPrimaryKey, DistrictScoped, Base):
    """A dated progress note on an action (the public timeline of follow-up)."""

    __tablename__ = f"{PREFIX}progress"

    action_id: Mapped[int] = mapped_column(BigId, _fk("action"), index=True)
    percent: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey(USERS, ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(IdPrimaryKey, DistrictScoped, Base):
    """Former in-app notices (no longer written: notices are the core's, see notify.py); kept until a drop migration."""

    __tablename__ = f"{PREFIX}notification"
    __table_args__ = (Index(f"ix_{PREFIX}notification_user", "district_id", "user_id", "digest_id"),)

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey(USERS, ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(300))
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    digest_id: Mapped[int | None] = mapped_column(BigId, _fk("digest", "SET NULL"))


class Digest(IdPrimaryKey, DistrictScoped, Base):
    """One user's daily digest: the day's notices in one message, shown in-app."""

    __tablename__ = f"{PREFIX}digest"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey(USERS, ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    body: Mapped[str] = mapped_column(Text)
    count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(default=None)
