"""Request and response bodies of the case API (msgspec Structs, documented in /schema).

Dates and times are ISO 8601 (times with their UTC offset). Form data travels as the
type's JSON Schema says: money in integer fen, dates as ``YYYY-MM-DD`` strings, choices
as their values.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from msgspec import UNSET, UnsetType

from core.api.text import Code, LongText, Text, Title

__all__ = (
    "AssignIn",
    "AttachmentOut",
    "CaseIn",
    "CaseList",
    "CaseOut",
    "CasePatch",
    "CaseTypeOut",
    "CommentIn",
    "CommentOut",
    "EventOut",
    "PendingFileOut",
    "StateOut",
    "TransitionIn",
    "TransitionOut",
    "UserRef",
)


class UserRef(msgspec.Struct):
    """A user as other people see them."""

    id: int
    username: str
    display_name: str


class StateOut(msgspec.Struct):
    """A workflow state: ``kind`` is open, waiting (the SLA clock pauses) or closed."""

    key: str
    label: str
    label_zh: str
    label_en: str
    kind: str
    sla: dict[str, int] | None = None


class TransitionOut(msgspec.Struct):
    """A step of the workflow: from which states, to which, who may take it and what it needs."""

    key: str
    label: str
    sources: list[str]
    target: str
    required: list[str]
    reason_required: bool
    confirm: str | None = None
    roles: list[str] = msgspec.field(default_factory=list)


class CaseTypeOut(msgspec.Struct):
    """A case type as the caller may use it, with the JSON Schema of its form data."""

    key: str
    name: str
    name_zh: str
    name_en: str
    description: str
    version: int
    visibility: str
    channels: list[str]
    can_create: bool
    audit_reads: bool  # every read of a case of this type is logged (docs/casework.md)
    supervisors: list[str]  # roles that see the type's cases of their org units
    initial_state: str
    states: list[StateOut]
    transitions: list[TransitionOut]
    json_schema: dict[str, Any]


class CaseOut(msgspec.Struct):
    """A case. ``lock_version`` goes back with every change (optimistic locking)."""

    reference: str
    type: str
    type_version: int
    title: str
    state: str
    state_label: str
    is_open: bool
    data: dict[str, Any]
    channel: str
    priority: int
    team_id: int | None
    assignee: UserRef | None
    due_at: datetime | None
    lock_version: int
    created_at: datetime
    created_by: UserRef | None
    updated_at: datetime
    updated_by: UserRef | None
    closed_at: datetime | None = None


class CaseList(msgspec.Struct):
    """One page of cases; pass ``next_cursor`` back as ``cursor`` for the next (``null`` on the last)."""

    items: list[CaseOut]
    next_cursor: str | None


class CaseIn(msgspec.Struct):
    """A new case of ``type`` (staff may set its team and assignee)."""

    type: Code
    title: Title
    data: dict[str, Any] = msgspec.field(default_factory=dict)
    channel: Code = "web"
    priority: int = 1
    team_id: int | None = None
    assignee_id: int | None = None


class CasePatch(msgspec.Struct):
    """Changes to a case: only the fields sent change; ``lock_version`` is the version you loaded."""

    lock_version: int
    data: dict[str, Any] = msgspec.field(default_factory=dict)
    title: Title | UnsetType = UNSET
    priority: int | UnsetType = UNSET


class TransitionIn(msgspec.Struct):
    """Take a step; ``data`` fills fields the step needs, ``reason`` where one is required.

    A ``file`` field takes ``[{"id": …, "token": …}]`` of files uploaded first to
    ``POST /case-types/{type}/attachments`` (and ``{"id": …}`` of files it already holds).
    """

    transition: Code
    lock_version: int | None = None
    reason: Text = ""
    data: dict[str, Any] = msgspec.field(default_factory=dict)


class CommentIn(msgspec.Struct):
    """A comment; ``@username`` mentions users of the district."""

    text: LongText


class CommentOut(msgspec.Struct):
    """A comment on the case's timeline."""

    seq: int
    author: UserRef | None
    at: datetime
    text: str
    mentions: list[str]


class AssignIn(msgspec.Struct):
    """Give the case to a member of the district (by id or username); both empty: unassign."""

    assignee_id: int | None = None
    username: Code | None = None
    lock_version: int | None = None


class AttachmentOut(msgspec.Struct):
    """A file on the case; download it from ``url``."""

    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: UserRef | None
    created_at: datetime
    url: str


class PendingFileOut(msgspec.Struct):
    """A file uploaded for a case not filed yet.

    Put ``{"id": …, "token": …}`` in the ``file`` field's list when creating the case; only
    the uploader can claim it, once, within a day (unclaimed files are then deleted).
    """

    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    token: str
    expires_at: datetime


class EventOut(msgspec.Struct):
    """One timeline entry, with the hash that chains it to the one before."""

    seq: int
    kind: str
    actor: UserRef | None
    at: datetime
    payload: dict[str, Any]
    hash: str
    prev_hash: str
