"""In-app notices and the daily digest (one message a day per person, not one per event).

Notices are rows of this plugin, shown on ``/council/notifications``; ``sanshe council
digest`` (run daily by cron) gathers each person's notices not yet digested into one
``Digest`` of that day. No mail server is involved: the digest is read in the app.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from plugins.consultation_council.models import Digest, Notification

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date

    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("build_digests", "notify", "recent", "unread_count")

TEXT_MAX = 300


async def notify(
    session: AsyncSession, district_id: int, user_ids: Iterable[int | None], text: str, link: str = ""
) -> int:
    """Leave ``text`` for each user (once each, none for ``None``); return how many were left."""
    targets = sorted({uid for uid in user_ids if uid})
    for uid in targets:
        session.add(Notification(district_id=district_id, user_id=uid, text=text[:TEXT_MAX], link=link[:300]))
    if targets:
        await session.flush()
    return len(targets)


async def recent(session: AsyncSession, user_id: int, limit: int = 30) -> tuple[list[Notification], list[Digest]]:
    """The user's latest notices and digests, newest first."""
    notes = (
        await session.execute(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    ).scalars()
    digests = (
        await session.execute(select(Digest).where(Digest.user_id == user_id).order_by(Digest.day.desc()).limit(7))
    ).scalars()
    return list(notes), list(digests)


async def unread_count(session: AsyncSession, user_id: int) -> int:
    """Notices not yet gathered into a digest."""
    query = select(func.count(Notification.id)).where(Notification.user_id == user_id, Notification.digest_id.is_(None))
    return int((await session.execute(query)).scalar_one())


async def build_digests(session: AsyncSession, district_id: int, day: date) -> int:
    """Gather every notice not yet digested into its user's digest of ``day``; return the digests written."""
    pending = (
        await session.execute(
            select(Notification)
            .where(Notification.district_id == district_id, Notification.digest_id.is_(None))
            .order_by(Notification.user_id, Notification.created_at, Notification.id)
        )
    ).scalars()
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for note in pending:
        by_user[note.user_id].append(note)
    written = 0
    for user_id, notes in by_user.items():
        digest = (
            await session.execute(select(Digest).where(Digest.user_id == user_id, Digest.day == day))
        ).scalar_one_or_none()
        lines = [f"· {n.text}" + (f" ({n.link})" if n.link else "") for n in notes]
        if digest is None:
            digest = Digest(district_id=district_id, user_id=user_id, day=day, body="\n".join(lines), count=len(notes))
            session.add(digest)
        else:
            digest.body = "\n".join([digest.body, *lines]).strip()
            digest.count += len(notes)
            digest.read_at = None
        await session.flush()
        for note in notes:
            note.digest_id = digest.id
        written += 1
    await session.flush()
    return written
