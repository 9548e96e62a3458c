"""Who may see what: staff (manage), the applicant organization's leader and staff, assigned reviewers.

Blind review: a reviewer never learns the applicant's name (pages and API alike) — only staff do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from core.plugin_api import NotFound, organizations
from plugins.grants.models import Application, Assignment, Call
from plugins.grants.service import get_application, get_call

if TYPE_CHECKING:
    from core.plugin_api import RequestContext

__all__ = ("Viewer", "call_or_404", "shown_organization", "viewer_of")

Viewer = str  # "manager" | "applicant" | "reviewer"


async def call_or_404(ctx: RequestContext, call_id: int) -> Call:
    """The call, or 404 (also for another district's id)."""
    call = await get_call(ctx.session, call_id)
    if call is None:
        raise NotFound("未找到。", "Not found.")
    return call


async def viewer_of(ctx: RequestContext, application_id: int) -> tuple[Application, Viewer]:
    """The application and how the user sees it; 404 for anyone else."""
    ctx.require("grants", "view")
    application = await get_application(ctx.session, application_id)
    if application is None or ctx.user is None or ctx.district is None:
        raise NotFound("未找到。", "Not found.")
    if ctx.can("grants", "manage"):
        return application, "manager"
    if await organizations.is_staff_of(ctx.session, ctx.district, application.organization_id, ctx.user.id):
        return application, "applicant"
    if ctx.can("grants", "review"):
        query = select(Assignment.id).where(
            Assignment.application_id == application.id,
            Assignment.reviewer_id == ctx.user.id,
            Assignment.conflict == "",
        )
        if (await ctx.session.execute(query)).first() is not None:
            return application, "reviewer"
    raise NotFound("未找到。", "Not found.")


def shown_organization(call: Call, viewer: Viewer, name: str) -> str | None:
    """The applicant's name as this viewer may see it (``None``: hidden by blind review)."""
    return None if call.blind and viewer == "reviewer" else name
