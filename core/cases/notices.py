"""Notices about cases: @mentions in comments, assignment, and cases due soon or overdue.

Mentions never leak a case: only users of the district who may see the case (the same
rule as the queue and the case page, :func:`core.cases.access.visibility_clause`) are
told; other names are ignored. :func:`send_due_soon_notices` is the periodic job: it tells
each assignee once per case and due date (a unique key, so two servers running it at once
still send one notice).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.cases.access import visibility_clause
from core.context import context_for
from core.db import for_district, utcnow
from core.i18n import TIMEZONE
from core.models import Membership, User
from core.models.cases import Case
from core.notifications.service import notify

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.casetypes.definition import CaseTypeDef
    from core.context import RequestContext
    from core.models import District

__all__ = (
    "DUE_SOON_WINDOW",
    "MENTION",
    "DueSoonResult",
    "MentionResult",
    "case_link",
    "mentioned_names",
    "notify_assignee",
    "notify_mentions",
    "send_due_soon_notices",
)

MENTION = re.compile(r"(?<![A-Za-z0-9_.\-])@([A-Za-z0-9_.\-]{2,64})")
MENTIONS_MAX = 20  # names looked at in one comment
EXCERPT = 120
DUE_SOON_WINDOW = timedelta(hours=24)


def mentioned_names(text: str) -> list[str]:
    """The ``@username`` names in ``text``, in order, each once (a trailing full stop is not part of a name)."""
    seen: list[str] = []
    for raw in MENTION.findall(text or ""):
        name = raw.rstrip(".-")
        if len(name) >= 2 and name not in seen:
            seen.append(name)
    return seen[:MENTIONS_MAX]


def case_link(district: District, case: Case) -> str:
    """The case page's path."""
    return f"/d/{district.code}/cases/{case.reference}"


@dataclass
class MentionResult:
    """Who a comment's mentions reached, and which names found nobody (shown as a hint)."""

    mentioned: list[dict[str, object]] = field(default_factory=list)  # {"id", "username"} of members named
    notified: list[int] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # names that are no member of the district


async def may_see(ctx: RequestContext, user: User, case: Case, definition: CaseTypeDef) -> bool:
    """Whether ``user`` may see ``case`` (as the case page would decide for them)."""
    assert ctx.district is not None
    other = await context_for(ctx.session, settings=ctx.settings, host=ctx.host, user=user, district=ctx.district)
    clause = await visibility_clause(other, [definition])
    found = await ctx.session.execute(select(Case.id).where(Case.id == case.id, clause))
    return found.scalar_one_or_none() is not None


async def notify_mentions(ctx: RequestContext, case: Case, definition: CaseTypeDef, text: str) -> MentionResult:
    """Tell the district's users named with ``@`` who may see the case (never the author)."""
    assert ctx.user is not None and ctx.district is not None
    result = MentionResult()
    names = mentioned_names(text)
    if not names:
        return result
    users = list(
        (
            await ctx.session.execute(
                select(User)
                .join(Membership, Membership.user_id == User.id)
                .where(User.username.in_(names), Membership.district_id == ctx.district.id, User.is_active.is_(True))
                .distinct()
            )
        ).scalars()
    )
    by_name = {u.username: u for u in users}
    result.unknown = [n for n in names if n not in by_name]
    result.mentioned = [{"id": by_name[n].id, "username": n} for n in names if n in by_name]
    allowed = [u.id for u in users if u.id != ctx.user.id and await may_see(ctx, u, case, definition)]
    excerpt = text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"
    params = {"actor": ctx.user.label, "reference": case.reference, "title": case.title, "excerpt": excerpt}
    await notify(
        ctx.session, allowed, "core.mentioned", params, case_link(ctx.district, case), district_id=ctx.district.id
    )
    result.notified = allowed
    return result


async def notify_assignee(ctx: RequestContext, case: Case, assignee_id: int | None) -> int:
    """Tell the new assignee (not someone who assigned the case to themselves)."""
    assert ctx.user is not None and ctx.district is not None
    if assignee_id is None or assignee_id == ctx.user.id:
        return 0
    params = {"actor": ctx.user.label, "reference": case.reference, "title": case.title}
    return await notify(
        ctx.session, [assignee_id], "core.assigned", params, case_link(ctx.district, case), district_id=ctx.district.id
    )


@dataclass
class DueSoonResult:
    """What one run found and sent."""

    due_soon: int = 0
    overdue: int = 0
    already_told: int = 0


def _local(moment: datetime) -> str:
    return moment.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M")


async def send_due_soon_notices(
    session: AsyncSession, district: District, now: datetime | None = None, *, window: timedelta = DUE_SOON_WINDOW
) -> DueSoonResult:
    """Tell each assignee of an open case due within ``window`` (or overdue), once per case and due date.

    Idempotent: run it every few minutes from the scheduler; a case whose due date moves
    is told again for the new date. Runs in the caller's transaction.
    """
    now = now or utcnow()
    for_district(session, district.id)
    cases = (
        await session.execute(
            select(Case)
            .where(
                Case.is_open.is_(True),
                Case.assignee_id.is_not(None),
                Case.due_at.is_not(None),
                Case.due_at <= now + window,
            )
            .order_by(Case.due_at, Case.id)
        )
    ).scalars()
    result = DueSoonResult()
    for case in cases:
        assert case.due_at is not None
        kind = "core.overdue" if case.due_at <= now else "core.due_soon"
        params = {"reference": case.reference, "title": case.title, "due": _local(case.due_at)}
        key = f"{kind}:{case.id}:{case.due_at.astimezone(TIMEZONE).isoformat(timespec='minutes')}"
        left = await notify(
            session,
            [case.assignee_id],
            kind,
            params,
            case_link(district, case),
            district_id=district.id,
            dedupe_key=key,
        )
        if not left:
            result.already_told += 1
        elif kind == "core.overdue":
            result.overdue += 1
        else:
            result.due_soon += 1
    return result
