"""Minutes (会议纪要): drafted live from the agenda, circulated to the attendees for corrections, then locked.

Versions: the secretary edits the newest version while it is a draft; circulating it
asks the attendees for corrections; a revision copies it into the next draft; locking
makes it the final version. A final version never changes again: the service refuses,
and the model's ``before_update`` guard refuses whatever path tries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select

from core.plugin_api import TIMEZONE, utcnow, votes
from core.plugin_api import gettext as _
from plugins.consultation_council import notify
from plugins.consultation_council.councils import Refused, format_label
from plugins.consultation_council.meetings import agenda, attendees
from plugins.consultation_council.models import Council, Meeting, MinutesCorrection, MinutesVersion

if TYPE_CHECKING:
    from core.plugin_api import RequestContext

__all__ = (
    "BODY_MAX",
    "add_correction",
    "circulate",
    "corrections",
    "draft_from_agenda",
    "latest",
    "lock",
    "revise",
    "save_draft",
    "versions",
)

BODY_MAX = 50_000
CHOICE_ZH = {"for": "同意", "against": "反对", "abstain": "弃权"}
NUMERALS = "一二三四五六七八九十"


def _local(value: object) -> str:
    return value.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M") if value else ""  # type: ignore[attr-defined]


async def versions(ctx: RequestContext, meeting_id: int) -> list[MinutesVersion]:
    """Every version of a meeting's minutes, oldest first."""
    query = select(MinutesVersion).where(MinutesVersion.meeting_id == meeting_id).order_by(MinutesVersion.number)
    return list((await ctx.session.execute(query)).scalars())


async def latest(ctx: RequestContext, meeting_id: int) -> MinutesVersion | None:
    """The newest version, if any."""
    found = await versions(ctx, meeting_id)
    return found[-1] if found else None


async def corrections(ctx: RequestContext, minutes_id: int) -> list[MinutesCorrection]:
    """Corrections sent on a version."""
    query = select(MinutesCorrection).where(MinutesCorrection.minutes_id == minutes_id).order_by(MinutesCorrection.id)
    return list((await ctx.session.execute(query)).scalars())


VERDICT_ZH = {"passed": "通过", "failed": "未通过", "no_quorum": "未通过（未达到法定人数）"}


def result_line(result: votes.VoteResult, figures: str) -> str:
    """表决结果：通过 / 未通过, with the votes for, against and abstaining, who voted, and the thresholds."""
    if result.sealed or not figures:
        return "表决结果：未公开"
    if result.outcome is None:
        return f"表决结果：表决进行中（{figures}）"
    thresholds = "；".join(check.describe()[0] for check in result.checks)
    return (
        f"表决结果：{VERDICT_ZH.get(str(result.outcome), str(result.outcome))}"
        f"（{figures}；参加表决 {result.participating_heads} 人，应到 {result.electorate_heads} 人"
        + (f"；{thresholds}" if thresholds else "")
        + "）"
    )


async def compose(ctx: RequestContext, meeting: Meeting) -> str:
    """The minutes as the agenda, the sign-in sheet, the notes and the votes give them."""
    council = await ctx.session.get(Council, meeting.council_id)
    assert council is not None
    people = await attendees(ctx, meeting.id)
    present = [a for a in people if a.signed_in_at and a.kind == "member"]
    guests = [a for a in people if a.signed_in_at and a.kind != "member"]
    start = meeting.started_at or meeting.starts_at
    # The planned end is shown only while it is after the start (a meeting begun late has no end yet).
    end = meeting.closed_at or (meeting.ends_at if meeting.ends_at and (not start or meeting.ends_at > start) else None)
    lines = [
        f"{council.name} · {format_label(meeting.format)}",
        f"会议：{meeting.title}",
        f"时间：{_local(start)} 至 {_local(end) if end else '（会议进行中）'}",
        f"地点：{meeting.place or meeting.online_link}",
        f"出席成员（{len(present)}人）：" + "、".join(a.name for a in present),
    ]
    if guests:
        lines.append(
            "列席：" + "、".join(f"{a.name}（{a.organization}）" if a.organization else a.name for a in guests)
        )
    lines.append("")
    for n, (item, case) in enumerate(await agenda(ctx, meeting.id)):
        numeral = NUMERALS[n] if n < len(NUMERALS) else str(n + 1)
        ref = f"（{case.reference}）" if case is not None else ""
        lines.append(f"{numeral}、{item.title}{ref}，{item.minutes} 分钟")
        if item.notes.strip():
            lines.append(f"讨论情况：{item.notes.strip()}")
        if item.vote_id is not None:
            result = await votes.results(ctx.session, item.vote_id)
            figures = "，".join(f"{CHOICE_ZH.get(t.option, t.option)} {t.heads}" for t in result.options)
            lines.append(f"表决事项：{item.motion}")
            lines.append(result_line(result, figures))
        lines.append("")
    return "\n".join(lines).strip() + "\n"


async def draft_from_agenda(ctx: RequestContext, meeting: Meeting) -> MinutesVersion:
    """Write (or rewrite) the newest draft from the agenda, keeping a final version as it is."""
    current = await latest(ctx, meeting.id)
    body = await compose(ctx, meeting)
    if current is not None and current.status == "draft":
        current.body = body
        await ctx.session.flush()
        return current
    if current is not None:
        raise Refused(_("The minutes were already circulated; make a revision instead."))
    assert ctx.user is not None
    version = MinutesVersion(
        district_id=meeting.district_id, meeting_id=meeting.id, number=1, body=body, created_by_id=ctx.user.id
    )
    ctx.session.add(version)
    await ctx.session.flush()
    return version


async def save_draft(ctx: RequestContext, version: MinutesVersion, body: str) -> None:
    """Change a draft's text (refused once circulated or final)."""
    if version.status != "draft":
        raise Refused(_("Only a draft can be edited; the final minutes never change."))
    if len(body) > BODY_MAX:
        raise Refused(_("The minutes are too long."))
    version.body = body
    await ctx.session.flush()


async def circulate(ctx: RequestContext, meeting: Meeting, version: MinutesVersion) -> int:
    """Send a draft to the attendees for corrections; return how many were asked."""
    if version.status != "draft":
        raise Refused(_("Only a draft can be circulated."))
    version.status, version.circulated_at = "circulated", utcnow()
    await ctx.session.flush()
    people = [a.user_id for a in await attendees(ctx, meeting.id) if a.signed_in_at]
    return await notify.notify(
        ctx.session,
        meeting.district_id,
        people,
        _("Please check the minutes of %(title)s and send corrections.", title=meeting.title),
        ctx.url(f"/council/meetings/{meeting.id}"),
    )


async def add_correction(
    ctx: RequestContext, meeting: Meeting, version: MinutesVersion, text: str
) -> MinutesCorrection:
    """An attendee's correction to circulated minutes."""
    assert ctx.user is not None
    if version.status != "circulated":
        raise Refused(_("Corrections are taken while the minutes are circulated."))
    signed = {a.user_id for a in await attendees(ctx, meeting.id) if a.signed_in_at}
    if ctx.user.id not in signed and not ctx.can("consultation_council", "manage"):
        raise Refused(_("Only the meeting's attendees correct its minutes."))
    text = (text or "").strip()
    if not text or len(text) > 2000:
        raise Refused(_("Write the correction (at most 2,000 characters)."))
    row = MinutesCorrection(district_id=version.district_id, minutes_id=version.id, user_id=ctx.user.id, text=text)
    ctx.session.add(row)
    await ctx.session.flush()
    return row


async def revise(ctx: RequestContext, meeting: Meeting, version: MinutesVersion) -> MinutesVersion:
    """Take the corrections in: a new draft version starting from the circulated text."""
    assert ctx.user is not None
    if version.status != "circulated":
        raise Refused(_("Only circulated minutes are revised."))
    number = (
        await ctx.session.execute(
            select(func.max(MinutesVersion.number)).where(MinutesVersion.meeting_id == meeting.id)
        )
    ).scalar_one()
    new = MinutesVersion(
        district_id=meeting.district_id,
        meeting_id=meeting.id,
        number=int(number or 0) + 1,
        body=version.body,
        created_by_id=ctx.user.id,
    )
    ctx.session.add(new)
    for row in await corrections(ctx, version.id):
        row.status = "taken" if row.status == "open" else row.status
    await ctx.session.flush()
    return new


async def lock(ctx: RequestContext, version: MinutesVersion) -> None:
    """Make the version final: from now on it can't change."""
    assert ctx.user is not None
    if version.status == "final":
        raise Refused(_("These minutes are already final."))
    if version.status != "circulated":
        raise Refused(_("Circulate the minutes to the attendees before making them final."))
    version.status, version.locked_at, version.locked_by_id = "final", utcnow(), ctx.user.id
    await ctx.session.flush()
