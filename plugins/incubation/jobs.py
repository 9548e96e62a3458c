"""Scheduled reminders: renewal (续驻) before the planned end, and desks to hand back after exit.

Both run daily at 08:30 China time on working days of the district's calendar, and
remember what they sent (``renewal_reminded_for``, ``release_reminded``) so a second run
sends nothing twice.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.plugin_api import (
    TIMEZONE,
    DistrictPlugin,
    JobResult,
    JobSpec,
    Membership,
    NotificationKind,
    daily_at,
    notify,
    workdays,
)
from plugins.incubation.manifest import KEY, MANIFEST, STAFF_ROLE
from plugins.incubation.models import Allocation, Incubation, Mentor, Space

if TYPE_CHECKING:
    from core.plugin_api import JobContext

__all__ = ("JOBS", "KINDS", "remind")

RELEASE_WARNING_DAYS = 2
KINDS = (
    NotificationKind(
        key="incubation.renewal_due",
        title_zh="{organization} 孵化期将于 {date} 届满",
        title_en="{organization}: incubation ends on {date}",
        body_zh="请与该组织商定续驻或出壳/退出。",
        body_en="Agree a renewal, graduation or exit with the organization.",
        label_zh="孵化期届满提醒",
        label_en="Incubation period ending",
    ),
    NotificationKind(
        key="incubation.release_due",
        title_zh="工位 {space} 应于 {date} 前归还",
        title_en="Space {space} is to be handed back by {date}",
        body_zh="{organization} 已结束孵化，请收回工位。",
        body_en="{organization} has left the incubator; take the space back.",
        label_zh="工位归还提醒",
        label_en="Space hand-back reminder",
    ),
)


async def _staff_ids(job: JobContext) -> list[int]:
    assert job.district is not None
    query = select(Membership.user_id).where(
        Membership.district_id == job.district.id, Membership.role_key.in_((STAFF_ROLE, "district_admin"))
    )
    return sorted(set((await job.session.execute(query)).scalars()))


async def _settings(job: JobContext) -> dict[str, object]:
    """The district's settings of the plugin, defaults from the manifest's schema filled in."""
    props = MANIFEST.settings_schema.get("properties", {})
    values = {k: v.get("default") for k, v in props.items()}
    row = (
        await job.session.execute(select(DistrictPlugin.settings).where(DistrictPlugin.plugin_key == KEY))
    ).scalar_one_or_none()
    values.update(row or {})
    return values


async def remind(job: JobContext) -> JobResult:
    """Send the renewal and release reminders due today (working days only)."""
    assert job.district is not None
    today = job.now.astimezone(TIMEZONE).date()
    cal = await workdays.calendar_for(job.session, job.district)
    if not cal.is_working_day(today):
        return JobResult("今天不是工作日", {"renewals": 0, "releases": 0}, message_en="Not a working day")
    settings = await _settings(job)
    staff = await _staff_ids(job)
    horizon = today + timedelta(days=int(str(settings["renewal_notice_days"])))
    from plugins.incubation.hooks import org_names  # noqa: PLC0415 - avoid an import cycle

    due = list(
        (
            await job.session.execute(
                select(Incubation).where(
                    Incubation.active.is_(True),
                    Incubation.planned_end_on.is_not(None),
                    Incubation.planned_end_on <= horizon,
                )
            )
        ).scalars()
    )
    names = await org_names(job.session, {i.organization_id for i in due})
    renewals = 0
    for incubation in due:
        if incubation.renewal_reminded_for == incubation.planned_end_on:
            continue
        mentor_user = None
        if incubation.mentor_id:
            mentor_user = (
                await job.session.execute(select(Mentor.user_id).where(Mentor.id == incubation.mentor_id))
            ).scalar_one_or_none()
        params = {"organization": names.get(incubation.organization_id, ""), "date": str(incubation.planned_end_on)}
        await notify(
            job.session,
            [*staff, mentor_user],
            "incubation.renewal_due",
            params,
            f"/d/{job.district.code}/incubation/cases/{incubation.id}",
            district_id=job.district.id,
            dedupe_key=f"incubation.renewal.{incubation.id}.{incubation.planned_end_on}",
        )
        incubation.renewal_reminded_for = incubation.planned_end_on
        renewals += 1
    releases = 0
    rows = (
        await job.session.execute(
            select(Allocation, Space, Incubation)
            .join(Space, Space.id == Allocation.space_id)
            .join(Incubation, Incubation.id == Allocation.incubation_id)
            .where(
                Allocation.ends_on.is_(None),
                Allocation.release_due_on.is_not(None),
                Allocation.release_reminded.is_(False),
            )
        )
    ).all()
    names.update(await org_names(job.session, {i.organization_id for _a, _s, i in rows}))
    for allocation, space, incubation in rows:
        assert allocation.release_due_on is not None
        if cal.working_days_between(today, allocation.release_due_on) > RELEASE_WARNING_DAYS:
            continue
        params = {
            "space": space.code,
            "date": str(allocation.release_due_on),
            "organization": names.get(incubation.organization_id, ""),
        }
        await notify(
            job.session,
            staff,
            "incubation.release_due",
            params,
            f"/d/{job.district.code}/incubation/queues",
            district_id=job.district.id,
            dedupe_key=f"incubation.release.{allocation.id}",
        )
        allocation.release_reminded = True
        releases += 1
    counts = {"renewals": renewals, "releases": releases}
    return JobResult(
        f"续驻提醒 {renewals} 条，工位归还提醒 {releases} 条",
        counts,
        message_en=f"{renewals} renewal, {releases} release reminders",
    )


JOBS = (
    JobSpec(
        "incubation.reminders",
        "孵化期届满与工位归还提醒",
        "Incubation renewal and hand-back reminders",
        daily_at("08:30"),
        remind,
    ),
)
