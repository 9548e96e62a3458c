"""Resolutions and conventions (决议, 公约): text versions, publication with an objection window, then in force.

An adopted vote gives a draft resolution with the motion as its first text. Publishing
it opens the objection window (公示期, the council's ``objection_days``); residents may
object with a reason until it closes, never after. Once the window is over and every
objection is answered, the resolution is put in force (by the secretary, or by the
daily ``sanshe council digest`` run).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from core.plugin_api import NotFound, utcnow
from core.plugin_api import gettext as _
from plugins.consultation_council import notify
from plugins.consultation_council.councils import Refused, secretary_user_ids
from plugins.consultation_council.models import (
    AgendaItem,
    Council,
    Objection,
    Resolution,
    ResolutionText,
    Support,
    Topic,
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import RequestContext, Vote

__all__ = (
    "answer_objection",
    "create_from_vote",
    "create_resolution",
    "list_resolutions",
    "new_text",
    "object_to",
    "objections",
    "publish",
    "put_in_force",
    "resolution_or_404",
    "texts",
    "window_open",
)

TEXT_MAX = 20_000


async def resolution_or_404(ctx: RequestContext, resolution_id: int, *, public: bool = True) -> Resolution:
    """A resolution of the district (drafts only for those who manage the council), or 404."""
    found = await ctx.session.get(Resolution, resolution_id)
    if found is None or found.district_id != (ctx.district.id if ctx.district else None):
        raise NotFound(_("Not found."))
    if public and found.status == "draft" and not ctx.can("consultation_council", "manage"):
        raise NotFound(_("Not found."))
    return found


async def list_resolutions(
    ctx: RequestContext, *, council_id: int | None = None, include_drafts: bool = False
) -> list[Resolution]:
    """Resolutions, newest first; drafts only when asked."""
    query = select(Resolution).order_by(Resolution.created_at.desc(), Resolution.id.desc())
    if council_id is not None:
        query = query.where(Resolution.council_id == council_id)
    if not include_drafts:
        query = query.where(Resolution.status != "draft")
    return list((await ctx.session.execute(query)).scalars())


async def texts(session: AsyncSession, resolution_id: int) -> list[ResolutionText]:
    """Every text version, newest first."""
    query = select(ResolutionText).where(ResolutionText.resolution_id == resolution_id)
    return list((await session.execute(query.order_by(ResolutionText.number.desc()))).scalars())


async def create_resolution(
    ctx: RequestContext,
    council: Council,
    *,
    title: str,
    body: str,
    kind: str = "resolution",
    topic_id: int | None = None,
    vote_id: int | None = None,
) -> Resolution:
    """A draft resolution with its first text."""
    title, body = (title or "").strip(), (body or "").strip()
    if not title or len(title) > 200:
        raise Refused(_("Enter a title (at most 200 characters)."))
    if not body or len(body) > TEXT_MAX:
        raise Refused(_("Write the resolution's text."))
    if kind not in ("resolution", "convention"):
        raise Refused(_("Choose resolution or convention."))
    resolution = Resolution(
        district_id=council.district_id,
        council_id=council.id,
        topic_id=topic_id,
        vote_id=vote_id,
        kind=kind,
        title=title,
    )
    ctx.session.add(resolution)
    await ctx.session.flush()
    ctx.session.add(
        ResolutionText(
            district_id=council.district_id,
            resolution_id=resolution.id,
            number=1,
            body=body,
            note=_("Adopted text"),
            created_by_id=ctx.user.id if ctx.user else None,
        )
    )
    await ctx.session.flush()
    return resolution


async def create_from_vote(ctx: RequestContext, council: Council, item: AgendaItem, vote: Vote) -> Resolution:
    """The draft resolution of an adopted agenda item (a convention when the title says 公约)."""
    kind = "convention" if "公约" in item.title or "公约" in item.motion else "resolution"
    return await create_resolution(
        ctx,
        council,
        title=item.title,
        body=item.motion or item.title,
        kind=kind,
        topic_id=item.topic_id,
        vote_id=vote.id,
    )


async def new_text(ctx: RequestContext, resolution: Resolution, body: str, note: str = "") -> ResolutionText:
    """A new version of the text (only before it is in force)."""
    if resolution.status == "in_force":
        raise Refused(_("A resolution in force keeps its text; adopt a new one to change it."))
    body = (body or "").strip()
    if not body or len(body) > TEXT_MAX:
        raise Refused(_("Write the resolution's text."))
    latest = (await texts(ctx.session, resolution.id))[0]
    if latest.body == body:
        return latest
    row = ResolutionText(
        district_id=resolution.district_id,
        resolution_id=resolution.id,
        number=latest.number + 1,
        body=body,
        note=(note or "").strip()[:200],
        created_by_id=ctx.user.id if ctx.user else None,
    )
    ctx.session.add(row)
    await ctx.session.flush()
    return row


def window_open(resolution: Resolution) -> bool:
    """Whether residents may still object."""
    return (
        resolution.status == "published"
        and resolution.objection_until is not None
        and utcnow() < resolution.objection_until
    )


async def _audience(ctx: RequestContext, resolution: Resolution) -> list[int]:
    """Who hears about a resolution: the topic's author and supporters."""
    if resolution.topic_id is None:
        return []
    people = list(
        (await ctx.session.execute(select(Support.user_id).where(Support.topic_id == resolution.topic_id))).scalars()
    )
    from core.plugin_api import Case  # noqa: PLC0415

    author = (
        await ctx.session.execute(
            select(Case.created_by_id).join(Topic, Topic.case_id == Case.id).where(Topic.id == resolution.topic_id)
        )
    ).scalar_one_or_none()
    return [*people, *([author] if author else [])]


async def publish(ctx: RequestContext, resolution: Resolution, *, days: int | None = None) -> None:
    """Publish a draft (公示): the objection window opens for the council's number of days."""
    if resolution.status != "draft":
        raise Refused(_("Only a draft is published."))
    council = await ctx.session.get(Council, resolution.council_id)
    assert council is not None
    now = utcnow()
    resolution.status, resolution.published_at = "published", now
    resolution.objection_until = now + timedelta(days=days if days is not None else council.objection_days)
    await ctx.session.flush()
    await notify.notify(
        ctx.session,
        resolution.district_id,
        await _audience(ctx, resolution),
        _("Published for objections: %(title)s", title=resolution.title),
        ctx.url(f"/council/resolutions/{resolution.id}"),
    )


async def objections(session: AsyncSession, resolution_id: int) -> list[Objection]:
    """Objections to a resolution, oldest first."""
    query = select(Objection).where(Objection.resolution_id == resolution_id).order_by(Objection.id)
    return list((await session.execute(query)).scalars())


async def object_to(ctx: RequestContext, resolution: Resolution, reason: str) -> Objection:
    """A resident's objection with a reason — only while the window is open."""
    assert ctx.user is not None
    if not window_open(resolution):
        raise Refused(_("The objection period of this resolution is over."))
    reason = (reason or "").strip()
    if len(reason) < 2 or len(reason) > 2000:
        raise Refused(_("Give the reason for your objection."))
    row = Objection(district_id=resolution.district_id, resolution_id=resolution.id, user_id=ctx.user.id, reason=reason)
    ctx.session.add(row)
    await ctx.session.flush()
    await notify.notify(
        ctx.session,
        resolution.district_id,
        await secretary_user_ids(ctx.session, resolution.council_id),
        _("An objection to %(title)s", title=resolution.title),
        ctx.url(f"/council/resolutions/{resolution.id}"),
    )
    return row


async def answer_objection(ctx: RequestContext, objection: Objection, answer: str) -> None:
    """The council's answer to an objection (shown with it)."""
    answer = (answer or "").strip()
    if not answer:
        raise Refused(_("Write the answer."))
    objection.answer, objection.answered_at = answer[:2000], utcnow()
    await ctx.session.flush()
    await notify.notify(
        ctx.session,
        objection.district_id,
        [objection.user_id],
        _("The council answered your objection."),
        ctx.url(f"/council/resolutions/{objection.resolution_id}"),
    )


async def put_in_force(ctx: RequestContext, resolution: Resolution) -> None:
    """In force once the window is over and every objection is answered."""
    if resolution.status != "published":
        raise Refused(_("Only a published resolution is put in force."))
    if window_open(resolution):
        raise Refused(_("The objection period is not over yet."))
    unanswered = select(func.count(Objection.id)).where(
        Objection.resolution_id == resolution.id, Objection.answered_at.is_(None)
    )
    if (await ctx.session.execute(unanswered)).scalar_one():
        raise Refused(_("Answer every objection first."))
    resolution.status, resolution.in_force_at = "in_force", utcnow()
    await ctx.session.flush()


async def set_review(ctx: RequestContext, resolution: Resolution, review_on: date | None) -> None:
    """The day the council reviews what came of the resolution (the secretary is reminded then)."""
    resolution.review_on, resolution.review_reminded_at = review_on, None
    await ctx.session.flush()
