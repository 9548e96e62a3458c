"""Account changes made by someone else: an administrator resets a user's password.

The admin users page (and anything else that needs it) calls :func:`reset_password`;
it checks that the actor may manage the target, checks the new password's strength,
stores its argon2 hash and ends every session of the target.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from core.auth.passwords import check_password_strength, hash_password
from core.auth.sessions import destroy_user_sessions
from core.db import utcnow
from core.i18n import gettext
from core.models import District, Membership, User
from core.rbac import authorize, ensure_loaded

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.context import RequestContext

__all__ = ("NotAllowedError", "WeakPasswordError", "can_manage_user", "reset_password", "set_password")


class WeakPasswordError(ValueError):
    """The new password fails the strength check; ``message`` is translated, for the form."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowedError(PermissionError):
    """The actor may not manage this user; ``message`` is translated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _actor_of(actor: RequestContext | User) -> tuple[User | None, int | None]:
    """The acting user and, for an API token, the one district it is limited to."""
    if isinstance(actor, User):
        return actor, None
    return actor.user, actor.token_district_id


async def can_manage_user(session: AsyncSession, actor: RequestContext | User, target: User) -> bool:
    """Whether ``actor`` may reset ``target``'s password.

    A platform admin may manage anyone (not through an API token). Anyone else needs
    ``users:manage`` in a district where the target is a member, and may never manage
    a platform admin.
    """
    user, token_district_id = _actor_of(actor)
    if user is None or not user.is_active:
        return False
    if user.is_platform_admin and token_district_id is None:
        return True
    if target.is_platform_admin:
        return False
    statement = (
        select(District)
        .join(Membership, Membership.district_id == District.id)
        .where(Membership.user_id == target.id)
        .distinct()
    )
    if token_district_id is not None:
        statement = statement.where(District.id == token_district_id)
    for district in (await session.execute(statement)).scalars():
        await ensure_loaded(session, district)
        if authorize(user, district, "users", "manage"):
            return True
    return False


async def set_password(session: AsyncSession, user: User, new_password: str, *, keep_session: str | None = None) -> int:
    """Store ``new_password`` (checked, hashed) and end the user's sessions except ``keep_session``.

    Raises :class:`WeakPasswordError`; returns how many sessions were ended.
    """
    problem = check_password_strength(new_password, user.username)
    if problem is not None:
        raise WeakPasswordError(gettext(problem))
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    await session.flush()
    return await destroy_user_sessions(session, user.id, keep=keep_session)


async def reset_password(
    session: AsyncSession, actor_ctx_or_user: RequestContext | User, target_user: User, new_password: str
) -> int:
    """An administrator sets ``target_user``'s password; all the target's sessions end.

    ``actor_ctx_or_user`` is the request context (or the acting :class:`User`).
    Raises :class:`NotAllowedError` when the actor may not manage the target and
    :class:`WeakPasswordError` when the password is too weak; nothing changes then.
    Returns how many sessions were ended. The caller commits.
    """
    if not await can_manage_user(session, actor_ctx_or_user, target_user):
        raise NotAllowedError(gettext("You do not have permission to do this."))
    return await set_password(session, target_user, new_password)
