"""Comments with @mentions, assignment and claiming."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from core.cases.errors import InvalidData, TransitionRefused
from core.cases.notices import notify_assignee, notify_mentions
from core.cases.timeline import append_event
from core.db import utcnow
from core.i18n import gettext
from core.models import User
from core.models.cases import Case, CaseEvent

if TYPE_CHECKING:
    from core.casetypes.definition import CaseTypeDef
    from core.context import RequestContext

from core.cases.writes import require_permission, write_if_current

__all__ = ("assign", "claim", "comment")


async def comment(ctx: RequestContext, case: Case, definition: CaseTypeDef, text: str) -> CaseEvent:
    """Add a comment; ``@username`` mentions of users of the district are recorded."""
    assert ctx.user is not None and ctx.district is not None
    require_permission(ctx, definition, "comment")
    text = (text or "").strip()
    if not text:
        raise InvalidData(gettext("Write something first."), {"text": gettext("This field is required.")})
    if len(text) > 5000:
        raise InvalidData(
            gettext("Please correct the marked fields."), {"text": gettext("Enter at most %(n)s characters.", n=5000)}
        )
    # Mentioned members who may see the case are told, in this transaction; others get nothing.
    found = await notify_mentions(ctx, case, definition, text)
    ctx.extra["mentions_unknown"] = found.unknown
    mentioned: list[dict[str, Any]] = list(found.mentioned)
    return await append_event(ctx.session, case, "comment", ctx.user.id, {"text": text, "mentions": mentioned})


async def assign(
    ctx: RequestContext,
    case: Case,
    definition: CaseTypeDef,
    assignee_id: int | None,
    *,
    lock_version: int | None = None,
) -> Case:
    """Give the case to someone (``None``: unassign). The assignee must be a member of the district."""
    assert ctx.user is not None and ctx.district is not None
    require_permission(ctx, definition, "edit")
    if assignee_id is not None:
        from core.models import Membership  # noqa: PLC0415

        member = (
            await ctx.session.execute(
                select(Membership.id)
                .where(Membership.user_id == assignee_id, Membership.district_id == ctx.district.id)
                .limit(1)
            )
        ).scalar_one_or_none()
        if member is None:
            raise InvalidData(
                gettext("Please correct the marked fields."), {"assignee": gettext("Choose someone from the list.")}
            )
    if assignee_id == case.assignee_id:
        return case
    before = case.assignee_id
    await write_if_current(
        ctx, case, case.lock_version if lock_version is None else lock_version, {"assignee_id": assignee_id}
    )
    await append_event(
        ctx.session,
        case,
        "assigned",
        ctx.user.id,
        {"from": before, "to": assignee_id, "lock_version": case.lock_version},
    )
    await notify_assignee(ctx, case, assignee_id)
    return case


async def claim(ctx: RequestContext, case: Case, definition: CaseTypeDef) -> Case:
    """Take an unassigned case; if someone claimed it first, refuse (409) and say who."""
    assert ctx.user is not None
    require_permission(ctx, definition, "edit")
    result = await ctx.session.execute(
        update(Case)
        .where(Case.id == case.id, Case.assignee_id.is_(None))
        .values(
            assignee_id=ctx.user.id, lock_version=Case.lock_version + 1, updated_at=utcnow(), updated_by_id=ctx.user.id
        )
        .execution_options(synchronize_session=False)
    )
    await ctx.session.refresh(case)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        holder = await ctx.session.get(User, case.assignee_id) if case.assignee_id else None
        raise TransitionRefused(gettext("%(name)s has already taken this case.", name=holder.label if holder else "?"))
    await append_event(
        ctx.session,
        case,
        "assigned",
        ctx.user.id,
        {"from": None, "to": ctx.user.id, "claimed": True, "lock_version": case.lock_version},
    )
    return case
