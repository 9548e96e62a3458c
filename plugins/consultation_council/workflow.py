"""What the plugin checks and does around a topic's workflow steps (the ``before/after_transition`` hooks).

Steps that depend on the council's records are refused unless those records agree: the
automatic step onto the agenda needs the supports, adopting needs a vote the voting
service passed, "all actions done" needs every action at 100 %.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select

from core.plugin_api import gettext as _
from core.plugin_api import votes
from plugins.consultation_council import notify
from plugins.consultation_council.models import ActionItem, AgendaItem, Council, Resolution, Support
from plugins.consultation_council.topics import escalate, topic_by_case

if TYPE_CHECKING:
    from core.plugin_api import Case, RequestContext, Transition

__all__ = ("after_step", "refusal")


async def _last_vote(ctx: RequestContext, topic_id: int) -> votes.Vote | None:
    query = (
        select(votes.Vote)
        .join(AgendaItem, AgendaItem.vote_id == votes.Vote.id)
        .where(AgendaItem.topic_id == topic_id)
        .order_by(votes.Vote.id.desc())
        .limit(1)
    )
    return (await ctx.session.execute(query)).scalar_one_or_none()


async def refusal(ctx: RequestContext, case: Case, transition: Transition) -> str | None:
    """Why the council's records forbid this step of a topic, or ``None``."""
    topic = await topic_by_case(ctx, case.id)
    if topic is None:
        return None
    key = transition.key
    if key == "supported":
        council = await ctx.session.get(Council, topic.council_id)
        assert council is not None
        if topic.supports < council.support_threshold:
            return _(
                "%(n)s of the %(needed)s supports needed so far.", n=topic.supports, needed=council.support_threshold
            )
    elif key in ("record_vote", "adopt", "reject"):
        vote = await _last_vote(ctx, topic.id)
        if vote is None or vote.status != "closed":
            return _("The council has not closed a vote on this topic.")
        if key == "adopt" and vote.outcome != "passed":
            return _("The vote did not pass: the topic can't be adopted.")
        if key == "reject" and vote.outcome == "passed":
            return _("The vote passed: the topic can't be rejected.")
    elif key == "complete":
        query = (
            select(func.count(ActionItem.id), func.count(ActionItem.done_at))
            .join(Resolution, Resolution.id == ActionItem.resolution_id)
            .where(Resolution.topic_id == topic.id)
        )
        total, done = (await ctx.session.execute(query)).one()
        if not total or done < total:
            return _("%(done)s of %(total)s actions are done.", done=done, total=total)
    return None


async def after_step(ctx: RequestContext, case: Case, transition: Transition) -> None:
    """Escalate to the street/town; tell the author and supporters what became of their topic."""
    topic = await topic_by_case(ctx, case.id)
    if topic is None:
        return
    if transition.key == "escalate":
        await escalate(ctx, case)
    messages = {
        "accept": _("%(title)s is on the council's agenda.", title=case.title),
        "supported": None,
        "decline": _("%(title)s was declined: %(reply)s", title=case.title, reply=case.data.get("public_reply", "")),
        "adopt": _("The council adopted a resolution on %(title)s.", title=case.title),
        "reject": _("The council's vote on %(title)s did not pass.", title=case.title),
        "escalate": _("%(title)s went to the street office.", title=case.title),
        "complete": _("Every action on %(title)s is done.", title=case.title),
    }
    text = messages.get(transition.key)
    if text:
        people = list(
            (await ctx.session.execute(select(Support.user_id).where(Support.topic_id == topic.id))).scalars()
        )
        await notify.notify(
            ctx.session,
            case.district_id,
            [case.created_by_id, *people],
            text,
            ctx.url(f"/council/topics/{case.reference}"),
        )
