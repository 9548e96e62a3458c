"""Follow-up (accountability): a resolution's actions, assigned to parties with due dates, progress in %.

Overdue actions show in the council's queue; the daily run reminds the secretary of them
and of review dates, and puts in force resolutions whose objection window is over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from core.plugin_api import Case, NotFound, utcnow
from core.plugin_api import gettext as _
from plugins.consultation_council import notify
from plugins.consultation_council.councils import Refused, secretary_user_ids, today
from plugins.consultation_council.models import ActionItem, Objection, Progress, Resolution, Topic

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District, RequestContext

__all__ = (
    "Upkeep",
    "action_or_404",
    "actions_of",
    "add_action",
    "daily_upkeep",
    "history",
    "overall",
    "overdue",
    "record_progress",
)


async def actions_of(session: AsyncSession, resolution_id: int) -> list[ActionItem]:
    """A resolution's actions by due date."""
    query = select(ActionItem).where(ActionItem.resolution_id == resolution_id)
    return list((await session.execute(query.order_by(ActionItem.due_on, ActionItem.id))).scalars())


def overall(items: list[ActionItem]) -> int:
    """The resolution's progress: the mean of its actions' percentages (0 without actions)."""
    return sum(i.percent for i in items) // len(items) if items else 0


async def action_or_404(ctx: RequestContext, action_id: int) -> ActionItem:
    """An action of the district, or 404."""
    found = await ctx.session.get(ActionItem, action_id)
    if found is None or ctx.district is None or found.district_id != ctx.district.id:
        raise NotFound(_("Not found."))
    return found


async def _topic_case(session: AsyncSession, resolution: Resolution) -> Case | None:
    if resolution.topic_id is None:
        return None
    query = select(Case).join(Topic, Topic.case_id == Case.id).where(Topic.id == resolution.topic_id)
    return (await session.execute(query)).scalar_one_or_none()


async def add_action(
    ctx: RequestContext,
    resolution: Resolution,
    *,
    title: str,
    party: str,
    due_on: date,
    assignee_id: int | None = None,
) -> ActionItem:
    """An action the resolution calls for; the topic moves to "actions in progress" with the first one."""
    from plugins.consultation_council.topics import step  # noqa: PLC0415

    title, party = (title or "").strip(), (party or "").strip()
    if not title or len(title) > 200:
        raise Refused(_("Enter what is to be done."))
    if not party or len(party) > 100:
        raise Refused(_("Say which party carries it out."))
    if resolution.status == "draft":
        raise Refused(_("Publish the resolution before assigning its actions."))
    item = ActionItem(
        district_id=resolution.district_id,
        resolution_id=resolution.id,
        council_id=resolution.council_id,
        title=title,
        party=party,
        due_on=due_on,
        assignee_id=assignee_id,
    )
    ctx.session.add(item)
    await ctx.session.flush()
    case = await _topic_case(ctx.session, resolution)
    if case is not None and case.state == "adopted":
        await step(ctx, case, "start_actions")
    await notify.notify(
        ctx.session,
        resolution.district_id,
        [assignee_id],
        _("Action for you: %(title)s (due %(due)s)", title=title, due=due_on.isoformat()),
        ctx.url(f"/council/resolutions/{resolution.id}"),
    )
    return item


async def record_progress(ctx: RequestContext, item: ActionItem, percent: int, note: str = "") -> Progress:
    """A dated progress note; 100 % marks the action done."""
    if not 0 <= percent <= 100:
        raise Refused(_("Progress is between 0 and 100 %."))
    if item.done_at is not None:
        raise Refused(_("This action is already done."))
    row = Progress(
        district_id=item.district_id,
        action_id=item.id,
        percent=percent,
        note=(note or "").strip()[:2000],
        user_id=ctx.user.id if ctx.user else None,
    )
    ctx.session.add(row)
    item.percent = percent
    if percent == 100:
        item.done_at = utcnow()
        left = select(func.count(ActionItem.id)).where(
            ActionItem.resolution_id == item.resolution_id, ActionItem.done_at.is_(None), ActionItem.id != item.id
        )
        if not (await ctx.session.execute(left)).scalar_one():
            await notify.notify(
                ctx.session,
                item.district_id,
                await secretary_user_ids(ctx.session, item.council_id),
                _("Every action of the resolution is done: %(title)s", title=item.title),
                ctx.url(f"/council/resolutions/{item.resolution_id}"),
            )
    await ctx.session.flush()
    return row


async def history(session: AsyncSession, action_ids: list[int]) -> dict[int, list[Progress]]:
    """Progress notes per action, newest first."""
    out: dict[int, list[Progress]] = {i: [] for i in action_ids}
    if action_ids:
        query = select(Progress).where(Progress.action_id.in_(action_ids)).order_by(Progress.created_at.desc())
        for row in (await session.execute(query)).scalars():
            out[row.action_id].append(row)
    return out


async def overdue(session: AsyncSession, *, council_id: int | None = None, on: date | None = None) -> list[ActionItem]:
    """Actions not done whose due date has passed."""
    query = select(ActionItem).where(ActionItem.done_at.is_(None), ActionItem.due_on < (on or today()))
    if council_id is not None:
        query = query.where(ActionItem.council_id == council_id)
    return list((await session.execute(query.order_by(ActionItem.due_on))).scalars())


@dataclass
class Upkeep:
    """What one daily run did."""

    in_force: int = 0
    overdue_reminders: int = 0
    review_reminders: int = 0
    digests: int = 0


async def daily_upkeep(session: AsyncSession, district: District, day: date | None = None) -> Upkeep:
    """The daily run: in-force resolutions, reminders of overdue actions and review dates, then digests."""
    day = day or today()
    done = Upkeep()
    base = f"/d/{district.code}/council"
    now = utcnow()
    published = select(Resolution).where(Resolution.status == "published", Resolution.objection_until <= now)
    for resolution in (await session.execute(published)).scalars():
        open_objections = select(func.count(Objection.id)).where(
            Objection.resolution_id == resolution.id, Objection.answered_at.is_(None)
        )
        if not (await session.execute(open_objections)).scalar_one():
            resolution.status, resolution.in_force_at = "in_force", now
            done.in_force += 1
    for item in await overdue(session, on=day):
        if item.overdue_notified_on == day:
            continue
        item.overdue_notified_on = day
        done.overdue_reminders += await notify.notify(
            session,
            district.id,
            [*await secretary_user_ids(session, item.council_id), item.assignee_id],
            f"逾期未完成：{item.title}（{item.party}，应于 {item.due_on.isoformat()} 完成）",
            f"{base}/resolutions/{item.resolution_id}",
        )
    due = select(Resolution).where(
        Resolution.review_on <= day, Resolution.reviewed_at.is_(None), Resolution.review_reminded_at.is_(None)
    )
    for resolution in (await session.execute(due)).scalars():
        resolution.review_reminded_at = now
        done.review_reminders += await notify.notify(
            session,
            district.id,
            await secretary_user_ids(session, resolution.council_id),
            f"评议提醒：{resolution.title} 到了评议日期（{resolution.review_on}）",
            f"{base}/resolutions/{resolution.id}",
        )
    await session.flush()
    done.digests = await notify.build_digests(session, district.id, day)
    return done
