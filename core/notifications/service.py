"""The notification service: leave notices, read them, mark them read, preferences, digests, sending.

:func:`notify` is what services call. It only adds rows to the caller's session, so the
notices are committed (or rolled back) with the change that caused them. Preferences are
applied when the notice is written: a kind switched off leaves nothing; a kind set to the
daily digest is still in the inbox, but other channels send it with the digest.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from core.db import utcnow
from core.i18n import normalize
from core.models import District, Membership, User
from core.models.notifications import DELIVERY_MODES, Notification, NotificationPreference
from core.notifications.channels import IN_APP, DigestMessage, OutgoingMessage
from core.notifications.kinds import NotificationKind, kind_for

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from sqlalchemy.ext.asyncio import AsyncSession

    from core.notifications.channels import Channel

__all__ = (
    "LINK_MAX",
    "Notice",
    "PreferenceRow",
    "build_digests",
    "dispatch",
    "list_notices",
    "mark_all_read",
    "mark_read",
    "notice_count",
    "notify",
    "preferences",
    "render_notice",
    "set_preferences",
    "unread_count",
)

LINK_MAX = 300
TEXT_MAX = 500  # a parameter longer than this is cut (a comment's excerpt, a council text)


@dataclass(frozen=True)
class Notice:
    """A notice as its reader sees it: rendered in their language."""

    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None

    @property
    def unread(self) -> bool:
        return self.read_at is None


@dataclass(frozen=True)
class PreferenceRow:
    """One kind on a person's preferences: on or off, at once or in the daily digest."""

    kind: NotificationKind
    enabled: bool
    mode: str


def _district_id(session: AsyncSession, district_id: int | None) -> int:
    found = district_id if district_id is not None else session.info.get("district_id")
    if found is None:
        msg = "notify() needs a district: pass district_id or use a session bound to one"
        raise ValueError(msg)
    return int(found)


def _insert(session: AsyncSession) -> Any:
    """The dialect's INSERT, which knows ``ON CONFLICT``."""
    name = session.get_bind().dialect.name
    return (postgresql.insert if name == "postgresql" else sqlite.insert)(Notification)


async def notify(
    session: AsyncSession,
    recipients: Iterable[int | None],
    kind: str,
    params: dict[str, Any] | None = None,
    link: str = "",
    *,
    district_id: int | None = None,
    dedupe_key: str | None = None,
) -> int:
    """Leave a notice of ``kind`` for each recipient (once each; ``None`` skipped); return how many were left.

    Written in ``session``'s transaction: committed with the caller's change, or not at
    all. A recipient who switched the kind off, or whose roles may not receive it, gets
    nothing. With ``dedupe_key`` a recipient gets the notice at most once per key, even
    when two processes send it at the same moment.
    """
    did = _district_id(session, district_id)
    targets = sorted({int(uid) for uid in recipients if uid})
    if not targets:
        return 0
    spec = kind_for(kind)
    if spec.roles:
        allowed = await session.execute(
            select(Membership.user_id)
            .where(
                Membership.district_id == did,
                Membership.user_id.in_(targets),
                Membership.role_key.in_(spec.roles),
            )
            .distinct()
        )
        targets = sorted(set(allowed.scalars()))
    prefs = {
        p.user_id: p
        for p in (
            await session.execute(
                select(NotificationPreference).where(
                    NotificationPreference.district_id == did,
                    NotificationPreference.user_id.in_(targets or [0]),
                    NotificationPreference.kind == kind,
                )
            )
        ).scalars()
    }
    clean = {k: (v[:TEXT_MAX] if isinstance(v, str) else v) for k, v in (params or {}).items()}
    rows = []
    for uid in targets:
        pref = prefs.get(uid)
        if not (pref.enabled if pref is not None else spec.default_on):
            continue
        mode = pref.mode if pref is not None else spec.default_mode
        rows.append(
            {
                "district_id": did,
                "user_id": uid,
                "kind": kind,
                "params": clean,
                "link": link[:LINK_MAX],
                "digest": mode == "digest",
                "dedupe_key": dedupe_key,
                "created_at": utcnow(),
            }
        )
    if not rows:
        return 0
    await session.flush()  # what the caller added goes first (the notice refers to it)
    if dedupe_key is None:
        await session.execute(insert(Notification), rows)
        return len(rows)
    left = 0
    for row in rows:
        statement = (
            _insert(session)
            .values(**row)
            .on_conflict_do_nothing(index_elements=["district_id", "user_id", "dedupe_key"])
            .returning(Notification.id)
        )
        left += len((await session.execute(statement)).all())
    return left


def render_notice(row: Notification, locale: str) -> Notice:
    """The notice in ``locale``."""
    spec = kind_for(row.kind)
    params = dict(row.params or {})
    return Notice(
        id=row.id,
        kind=row.kind,
        title=spec.title(locale, params),
        body=spec.body(locale, params),
        link=row.link,
        created_at=row.created_at,
        read_at=row.read_at,
    )


def _mine(user_id: int, unread_only: bool, kinds: Sequence[str] | None) -> list[Any]:
    where: list[Any] = [Notification.user_id == user_id]
    if unread_only:
        where.append(Notification.read_at.is_(None))
    if kinds is not None:
        where.append(Notification.kind.in_(kinds))
    return where


async def list_notices(
    session: AsyncSession,
    user_id: int,
    locale: str,
    *,
    unread_only: bool = False,
    limit: int = 30,
    offset: int = 0,
    kinds: Sequence[str] | None = None,
) -> list[Notice]:
    """The user's notices in the session's district: unread first, then newest first."""
    rows = await session.execute(
        select(Notification)
        .where(*_mine(user_id, unread_only, kinds))
        .order_by(Notification.read_at.is_(None).desc(), Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [render_notice(row, locale) for row in rows.scalars()]


async def notice_count(
    session: AsyncSession, user_id: int, *, unread_only: bool = False, kinds: Sequence[str] | None = None
) -> int:
    """How many notices the user has (unread only: how many are unread)."""
    query = select(func.count(Notification.id)).where(*_mine(user_id, unread_only, kinds))
    return int((await session.execute(query)).scalar_one())


async def unread_count(session: AsyncSession, user_id: int, *, kinds: Sequence[str] | None = None) -> int:
    """The number on the bell."""
    return await notice_count(session, user_id, unread_only=True, kinds=kinds)


async def mark_read(session: AsyncSession, user_id: int, notice_id: int) -> Notification | None:
    """Mark one of the user's notices read (``None``: not theirs, or no such notice)."""
    row = (
        await session.execute(select(Notification).where(Notification.id == notice_id, Notification.user_id == user_id))
    ).scalar_one_or_none()
    if row is not None and row.read_at is None:
        row.read_at = utcnow()
        await session.flush()
    return row


async def mark_all_read(session: AsyncSession, user_id: int) -> int:
    """Mark every unread notice of the user read; return how many."""
    result = await session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def preferences(session: AsyncSession, user_id: int, kinds: Iterable[NotificationKind]) -> list[PreferenceRow]:
    """The user's choice for each of ``kinds`` (the kind's defaults where they chose nothing)."""
    stored = {
        p.kind: p
        for p in (
            await session.execute(select(NotificationPreference).where(NotificationPreference.user_id == user_id))
        ).scalars()
    }
    out = []
    for kind in kinds:
        pref = stored.get(kind.key)
        out.append(
            PreferenceRow(
                kind=kind,
                enabled=pref.enabled if pref is not None else kind.default_on,
                mode=pref.mode if pref is not None else kind.default_mode,
            )
        )
    return out


async def set_preferences(
    session: AsyncSession, district_id: int, user_id: int, choices: dict[str, tuple[bool, str]]
) -> None:
    """Store the user's choices (kind → (on, mode)); the caller has checked kinds and modes."""
    for key, (enabled, mode) in choices.items():
        if mode not in DELIVERY_MODES:
            msg = f"mode must be one of {DELIVERY_MODES}"
            raise ValueError(msg)
        name = session.get_bind().dialect.name
        table_insert = (postgresql.insert if name == "postgresql" else sqlite.insert)(NotificationPreference)
        values = {"enabled": enabled, "mode": mode, "updated_at": utcnow()}
        await session.execute(
            table_insert.values(district_id=district_id, user_id=user_id, kind=key, **values).on_conflict_do_update(
                index_elements=["district_id", "user_id", "kind"], set_=values
            )
        )


async def _users(session: AsyncSession, ids: Iterable[int]) -> dict[int, User]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {u.id: u for u in (await session.execute(select(User).where(User.id.in_(wanted)))).scalars()}


async def dispatch(session: AsyncSession, district: District, channels: Sequence[Channel], *, limit: int = 500) -> int:
    """Send the district's committed notices not yet sent (at-once kinds) through every channel; return how many.

    Run after the notices were committed (a job, or ``sanshe notifications send``); each
    notice is marked sent in the same transaction that records the attempt. The in-app
    channel has nothing to send.
    """
    external = [c for c in channels if c.key != IN_APP.key]
    pending = list(
        (
            await session.execute(
                select(Notification)
                .where(
                    Notification.district_id == district.id,
                    Notification.sent_at.is_(None),
                    Notification.digest.is_(False),
                )
                .order_by(Notification.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).scalars()
    )
    users = await _users(session, {n.user_id for n in pending})
    now = utcnow()
    for note in pending:
        user = users.get(note.user_id)
        if user is not None and external:
            locale = normalize(user.locale)
            rendered = render_notice(note, locale)
            message = OutgoingMessage(
                user_id=user.id,
                username=user.username,
                phone=user.phone,
                email=user.email,
                locale=locale,
                district_code=district.code,
                kind=note.kind,
                title=rendered.title,
                body=rendered.body,
                link=note.link,
            )
            for channel in external:
                await channel.send(message)
        note.sent_at = now
    await session.flush()
    return len(pending)


_DIGEST_TITLE = {"zh_CN": "{district} 今日消息摘要（{count} 条）", "en": "{district}: today's notices ({count})"}


async def build_digests(
    session: AsyncSession, district: District, channels: Sequence[Channel], *, send: bool = True
) -> list[DigestMessage]:
    """Each person's digest of unread notices of digest-kinds not yet digested; sent through ``channels``.

    With ``send`` the notices are marked digested (a second run the same day finds
    nothing new). The in-app channel sends nothing: in-app users read the inbox.
    """
    pending = (
        await session.execute(
            select(Notification)
            .where(
                Notification.district_id == district.id,
                Notification.digest.is_(True),
                Notification.digested_at.is_(None),
                Notification.read_at.is_(None),
            )
            .order_by(Notification.user_id, Notification.created_at, Notification.id)
        )
    ).scalars()
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for note in pending:
        by_user[note.user_id].append(note)
    users = await _users(session, by_user)
    external = [c for c in channels if c.key != IN_APP.key]
    digests = []
    now = utcnow()
    for uid, notes in by_user.items():
        user = users.get(uid)
        if user is None:
            continue
        locale = normalize(user.locale)
        title = _DIGEST_TITLE[locale].format(district=district.name(locale), count=len(notes))
        lines = []
        for note in notes:
            rendered = render_notice(note, locale)
            lines.append(rendered.title + (f"：{rendered.body}" if rendered.body and locale != "en" else ""))
            if rendered.body and locale == "en":
                lines[-1] += f": {rendered.body}"
        digest = DigestMessage(
            user_id=uid,
            username=user.username,
            phone=user.phone,
            email=user.email,
            locale=locale,
            district_code=district.code,
            title=title,
            lines=lines,
        )
        digests.append(digest)
        if send:
            for channel in external:
                await channel.send_digest(digest)
            for note in notes:
                note.digested_at = now
    await session.flush()
    return digests
