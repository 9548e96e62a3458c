"""Checking a notice's input and reading and writing notices.

Pages, the API, the dashboard widget and the CLI all go through here, so a notice is
validated in one place. Queries take a district-bound session (``ctx.session``): the
core adds the district filter, nothing here filters by district by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from core.plugin_api import TIMEZONE, District, OrgUnit, OrgUnitKind, plugin_settings, utcnow
from core.plugin_api import gettext as _
from plugins.notices.manifest import KEY
from plugins.notices.models import Notice

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import PluginHost

__all__ = (
    "BODY_MAX",
    "FIELDS",
    "TITLE_MAX",
    "NoticeData",
    "communities",
    "create_notice",
    "get_notice",
    "list_notices",
    "update_notice",
    "validate",
    "values_of",
)

TITLE_MAX = 200
BODY_MAX = 10_000
FIELDS = ("title", "body", "org_unit_id", "pinned", "published_at", "is_public")
_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"", "0", "false", "off", "no"}


@dataclass(frozen=True)
class NoticeData:
    """A notice's fields after validation."""

    title: str
    body: str
    org_unit_id: int | None
    pinned: bool
    published_at: datetime
    is_public: bool = False


def values_of(notice: Notice) -> dict[str, Any]:
    """A notice's fields as the form and the API's PATCH start from."""
    return {
        "title": notice.title,
        "body": notice.body,
        "org_unit_id": notice.org_unit_id,
        "pinned": notice.pinned,
        "published_at": notice.published_at,
        "is_public": notice.is_public,
    }


def _text(raw: Any, *, required: str, limit: int, errors: dict[str, str], field: str) -> str:
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        errors[field] = _("Must be text.")
        return ""
    value = raw.strip()
    if not value:
        errors[field] = required
    elif len(value) > limit:
        errors[field] = _("At most %(limit)s characters (now %(length)s).", limit=limit, length=len(value))
    return value


def _flag(raw: Any, errors: dict[str, str], field: str = "pinned") -> bool:
    if isinstance(raw, bool):
        return raw
    text = "" if raw is None else str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text not in _FALSE:
        errors[field] = _("Choose yes or no.")
    return False


def _when(raw: Any, errors: dict[str, str]) -> datetime:
    if isinstance(raw, datetime):
        value = raw
    elif raw is None or (isinstance(raw, str) and not raw.strip()):
        return utcnow()
    else:
        try:
            value = datetime.fromisoformat(str(raw).strip())
        except ValueError:
            errors["published_at"] = _("Enter a date and time such as 2026-05-01 09:00.")
            return utcnow()
    # A time without an offset is the district's local time (what a datetime-local input sends).
    return value if value.tzinfo is not None else value.replace(tzinfo=TIMEZONE)


async def _org_unit(session: AsyncSession, raw: Any, errors: dict[str, str]) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        unit_id = int(raw)
    except (TypeError, ValueError):
        unit_id = 0
    unit = None
    if unit_id > 0:
        query = select(OrgUnit).where(OrgUnit.id == unit_id, OrgUnit.kind == OrgUnitKind.COMMUNITY)
        unit = (await session.execute(query)).scalar_one_or_none()
    if unit is None:
        errors["org_unit_id"] = _("Choose one of the district's communities, or the whole district.")
        return None
    return unit.id


async def validate(
    session: AsyncSession,
    district: District,
    host: PluginHost,
    raw: Mapping[str, Any],
    *,
    notice: Notice | None = None,
) -> tuple[NoticeData | None, dict[str, str]]:
    """Check ``raw`` (form strings or JSON values); return the clean data, or the errors by field."""
    errors: dict[str, str] = {}
    title = _text(raw.get("title"), required=_("Enter a title."), limit=TITLE_MAX, errors=errors, field="title")
    body = _text(raw.get("body"), required=_("Enter the notice's text."), limit=BODY_MAX, errors=errors, field="body")
    org_unit_id = await _org_unit(session, raw.get("org_unit_id"), errors)
    pinned = _flag(raw.get("pinned"), errors)
    published_at = _when(raw.get("published_at"), errors)
    is_public = _flag(raw.get("is_public"), errors, "is_public")
    if pinned and "pinned" not in errors and not (notice is not None and notice.pinned):
        limit = int((await plugin_settings(session, district, host, KEY))["max_pinned"])
        # Counted under the district's row lock, so two notices pinned at once can't both
        # take the last place (the caller's transaction writes the notice under it).
        await session.execute(select(District.id).where(District.id == district.id).with_for_update())
        pinned_now = select(func.count(Notice.id)).where(Notice.pinned.is_(True))
        already = (await session.execute(pinned_now)).scalar_one()
        if already >= limit:
            errors["pinned"] = _("At most %(limit)s notices can be pinned; unpin another one first.", limit=limit)
    if errors:
        return None, errors
    return NoticeData(title, body, org_unit_id, pinned, published_at, is_public), {}


async def list_notices(
    session: AsyncSession, *, include_scheduled: bool = False, limit: int | None = None
) -> list[Notice]:
    """Notices of the session's district: pinned first, then newest first."""
    query = select(Notice).order_by(Notice.pinned.desc(), Notice.published_at.desc(), Notice.id.desc())
    if not include_scheduled:
        query = query.where(Notice.published_at <= utcnow())
    if limit is not None:
        query = query.limit(limit)
    return list((await session.execute(query)).scalars())


async def public_notices(session: AsyncSession, limit: int = 50) -> list[Notice]:
    """The district's published notices marked public, pinned first, newest first."""
    query = (
        select(Notice)
        .where(Notice.is_public.is_(True), Notice.published_at <= utcnow())
        .order_by(Notice.pinned.desc(), Notice.published_at.desc(), Notice.id.desc())
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


async def get_notice(session: AsyncSession, notice_id: int) -> Notice | None:
    """One notice of the session's district, or ``None`` (also for another district's id)."""
    return (await session.execute(select(Notice).where(Notice.id == notice_id))).scalar_one_or_none()


async def communities(session: AsyncSession) -> list[OrgUnit]:
    """The district's communities, for the "for whom" choice."""
    query = select(OrgUnit).where(OrgUnit.kind == OrgUnitKind.COMMUNITY).order_by(OrgUnit.code)
    return list((await session.execute(query)).scalars())


async def create_notice(session: AsyncSession, data: NoticeData, *, created_by: int | None) -> Notice:
    """Add a notice to the session's district."""
    notice = Notice(created_by=created_by)
    update_notice(notice, data)
    session.add(notice)
    await session.flush()
    return notice


def update_notice(notice: Notice, data: NoticeData) -> None:
    """Copy validated fields onto ``notice``."""
    notice.title = data.title
    notice.body = data.body
    notice.org_unit_id = data.org_unit_id
    notice.pinned = data.pinned
    notice.published_at = data.published_at
    notice.is_public = data.is_public
