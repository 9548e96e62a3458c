"""A resolution's page: the text in force, the vote behind it, 公示 and objections, actions and their progress.

Residents read it and object while the window is open; the council's staff change the
text (a new version), publish it, answer objections, put it in force, assign actions,
record progress and the review.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from sqlalchemy import select

from core.plugin_api import Case, Form, RequestContext, User, act, flashes, page, votes
from core.plugin_api import gettext as _
from plugins.consultation_council import actions, resolutions, topics
from plugins.consultation_council.councils import Refused, members, today
from plugins.consultation_council.manifest import KEY
from plugins.consultation_council.models import Council, Objection, Topic
from plugins.consultation_council.web import parse_date

__all__ = ("RESOLUTION_ROUTES",)

BASE = "/council/resolutions/{resolution_id:int}"


def _back(ctx: RequestContext, resolution_id: int) -> str:
    return ctx.url(f"/council/resolutions/{resolution_id}")


@get(BASE, name="council:resolution")
async def resolution_page(request: Request[Any, Any, Any], ctx: RequestContext, resolution_id: int) -> Response[Any]:
    """The public page of a resolution or convention, with staff controls for those who manage the council."""
    ctx.require(KEY, "view")
    resolution = await resolutions.resolution_or_404(ctx, resolution_id)
    council = await ctx.session.get(Council, resolution.council_id)
    items = await actions.actions_of(ctx.session, resolution.id)
    result = None
    if resolution.vote_id is not None:
        result = await votes.results(ctx.session, resolution.vote_id)
    case = None
    if resolution.topic_id is not None:
        query = select(Case).join(Topic, Topic.case_id == Case.id).where(Topic.id == resolution.topic_id)
        case = (await ctx.session.execute(query)).scalar_one_or_none()
    can_manage = ctx.can(KEY, "manage")
    seats = await members(ctx.session, resolution.council_id) if can_manage else []
    names = {}
    assignees = {i.assignee_id for i in items if i.assignee_id}
    if assignees:
        users = (await ctx.session.execute(select(User).where(User.id.in_(assignees)))).scalars()
        names = {u.id: u.label for u in users}
    return await page(
        request,
        ctx,
        "consultation_council/resolution.html",
        resolution=resolution,
        council=council,
        texts=await resolutions.texts(ctx.session, resolution.id),
        result=result,
        case=case,
        objections=await resolutions.objections(ctx.session, resolution.id),
        window_open=resolutions.window_open(resolution),
        items=items,
        overall=actions.overall(items),
        history=await actions.history(ctx.session, [i.id for i in items]),
        names=names,
        seats=seats,
        can_manage=can_manage,
        can_object=ctx.can(KEY, "participate"),
        today=today(),
        flashes=await flashes(request, ctx),
    )


@post(f"{BASE}/objections", name="council:object", status_code=200)
async def object_to(
    request: Request[Any, Any, Any], ctx: RequestContext, resolution_id: int, data: Form
) -> Response[Any]:
    """A resident's objection with a reason (only while 公示 lasts)."""
    ctx.require(KEY, "participate")
    resolution = await resolutions.resolution_or_404(ctx, resolution_id)
    reason = data.get("reason", "")
    back = _back(ctx, resolution_id)
    return await act(
        request, ctx, back, lambda: resolutions.object_to(ctx, resolution, reason), _("Your objection was received.")
    )


@post(f"{BASE}/manage", name="council:resolution_manage", status_code=200)
async def manage(request: Request[Any, Any, Any], ctx: RequestContext, resolution_id: int, data: Form) -> Response[Any]:
    """One staff action on the resolution, named by ``do``."""
    ctx.require(KEY, "manage")
    resolution = await resolutions.resolution_or_404(ctx, resolution_id)
    do = data.get("do", "")

    async def run() -> None:
        if do == "text":
            await resolutions.new_text(ctx, resolution, data.get("body", ""), data.get("note", ""))
        elif do == "publish":
            await resolutions.publish(ctx, resolution)
        elif do == "in_force":
            await resolutions.put_in_force(ctx, resolution)
        elif do == "answer":
            objection = await ctx.session.get(Objection, int(data.get("objection_id") or 0))
            if objection is None or objection.resolution_id != resolution.id:
                raise NotFoundException(_("Not found."))
            await resolutions.answer_objection(ctx, objection, data.get("answer", ""))
        elif do == "action":
            due = parse_date(data.get("due_on"))
            if due is None:
                raise Refused(_("Give a due date."))
            assignee = int(data["assignee_id"]) if data.get("assignee_id", "").isdigit() else None
            await actions.add_action(
                ctx,
                resolution,
                title=data.get("title", ""),
                party=data.get("party", ""),
                due_on=due,
                assignee_id=assignee,
            )
        elif do == "review_on":
            await resolutions.set_review(ctx, resolution, parse_date(data.get("review_on")))
        elif do in ("complete", "review"):
            await _topic_step(ctx, resolution.topic_id, do, data.get("note", ""))
            if do == "review":
                from core.plugin_api import utcnow  # noqa: PLC0415

                resolution.reviewed_at, resolution.review_note = utcnow(), data.get("note", "")[:2000]
        else:
            raise Refused(_("Unknown action."))

    return await act(request, ctx, _back(ctx, resolution_id), run, _("Saved."))


async def _topic_step(ctx: RequestContext, topic_id: int | None, key: str, note: str) -> None:
    if topic_id is None:
        raise Refused(_("This resolution has no topic."))
    _topic, case = await topics.topic_or_404(ctx, topic_id)
    await topics.step(ctx, case, key, reason=note)


@post("/council/actions/{action_id:int}/progress", name="council:progress", status_code=200)
async def progress(request: Request[Any, Any, Any], ctx: RequestContext, action_id: int, data: Form) -> Response[Any]:
    """Progress on an action (%, a note): by the council's staff or the person it is assigned to."""
    ctx.require(KEY, "view")
    item = await actions.action_or_404(ctx, action_id)
    if not ctx.can(KEY, "manage") and (ctx.user is None or item.assignee_id != ctx.user.id):
        ctx.require(KEY, "manage")
    raw = data.get("percent", "")
    percent = int(raw) if raw.strip().isdigit() else -1
    back = _back(ctx, item.resolution_id)
    return await act(
        request, ctx, back, lambda: actions.record_progress(ctx, item, percent, data.get("note", "")), _("Saved.")
    )


RESOLUTION_ROUTES = [resolution_page, object_to, manage, progress]
