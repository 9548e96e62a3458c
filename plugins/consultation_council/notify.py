"""The council's notices, on the core notification service, and its daily digest page.

Notices are the core's (:func:`core.notifications.notify`, kind ``consultation_council.notice``
declared through the ``notification_kinds`` hook): they reach the bell and the inbox,
follow each person's preferences, and are written in the transaction of the council
change that caused them. ``sanshe council digest`` (run daily) still gathers each
person's council notices not yet digested into one ``Digest`` of that day, shown on
``/council/notifications``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.plugin_api import Notification, NotificationKind, utcnow
from core.plugin_api import notify as core_notify
from core.plugin_api import unread_count as core_unread_count
from plugins.consultation_council.models import Digest

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date

    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("KIND", "KINDS", "Note", "build_digests", "notify", "recent", "unread_count")

TEXT_MAX = 300
KIND = "consultation_council.notice"
# The council's messages are written in Chinese by its services; English readers see them as written.
KINDS = (
    NotificationKind(
        key=KIND,
        title_zh="{text}",
        label_zh="议事协商消息",
        label_en="Consultation council notices",
    ),
)


@dataclass(frozen=True)
class Note:
    """A council notice as the council's page lists it."""

    text: str
    link: str
    created_at: datetime


async def notify(
    session: AsyncSession, district_id: int, user_ids: Iterable[int | None], text: str, link: str = ""
) -> int:
    """Leave ``text`` for each user (once each, none for ``None``) in their inbox; return how many were left."""
    return await core_notify(session, user_ids, KIND, {"text": text[:TEXT_MAX]}, link, district_id=district_id)


async def recent(session: AsyncSession, user_id: int, limit: int = 30) -> tuple[list[Note], list[Digest]]:
    """The user's latest council notices and digests, newest first."""
    rows = (
        await session.execute(
            select(Notification)
            .where(Notification.user_id == user_id, Notification.kind == KIND)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    ).scalars()
    notes = [Note(text=str((n.params or {}).get("text", "")), link=n.link, created_at=n.created_at) for n in rows]
    digests = (
        await session.execute(select(Digest).where(Digest.user_id == user_id).order_by(Digest.day.desc()).limit(7))
    ).scalars()
    return notes, list(digests)


async def unread_count(session: AsyncSession, user_id: int) -> int:
    """Council notices not yet read in the inbox."""
    return await core_unread_count(session, user_id, kinds=[KIND])


async def build_digests(session: AsyncSession, district_id: int, day: date) -> int:
    """Gather every council notice not yet digested into its user's digest of ``day``; return the digests written."""
    pending = (
        await session.execute(
            select(Notification)
            .where(
                Notification.district_id == district_id,
                Notification.kind == KIND,
                Notification.digested_at.is_(None),
            )
            .order_by(Notification.user_id, Notification.created_at, Notification.id)
        )
    ).scalars()
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for note in pending:
        by_user[note.user_id].append(note)
    written = 0
    now = utcnow()
    for user_id, notes in by_user.items():
        digest = (
            await session.execute(select(Digest).where(Digest.user_id == user_id, Digest.day == day))
        ).scalar_one_or_none()
        lines = [f"· {(n.params or {}).get('text', '')}" + (f" ({n.link})" if n.link else "") for n in notes]
        if digest is None:
            digest = Digest(district_id=district_id, user_id=user_id, day=day, body="\n".join(lines), count=len(notes))
            session.add(digest)
        else:
            digest.body = "\n".join([digest.body, *lines]).strip()
            digest.count += len(notes)
            digest.read_at = None
        for note in notes:
            note.digested_at = now
        written += 1
    await session.flush()
    return written
