"""Votes on agenda items, through the core's voting service (``core.votes``): never counted here.

Before a vote opens the quorum of members present is checked. The electorate is frozen
as the members signed in (``member:<id>``); members vote on their phones, staff enter
paper ballots, or the secretary enters a show of hands, which the service counts.
Closing the vote takes the topic's ``record_vote`` step, then ``adopt`` or ``reject`` as
the service decided, and an adopted topic gets a draft resolution with the motion's text.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.plugin_api import Case, NotFound, utcnow, votes
from core.plugin_api import gettext as _
from plugins.consultation_council.councils import Refused, member_of_user, members
from plugins.consultation_council.meetings import present_members, quorum
from plugins.consultation_council.models import AgendaItem, Council, Meeting, Member, Topic

if TYPE_CHECKING:
    from core.plugin_api import RequestContext

__all__ = (
    "BASES",
    "PRESETS",
    "QUORUMS",
    "SECRECIES",
    "ballot",
    "close_item_vote",
    "enter_ballot",
    "item_or_404",
    "open_item_vote",
    "open_votes",
    "show_of_hands",
)

PRESETS = ("simple_majority", "two_thirds", "unanimity", "owners_ordinary", "owners_major")
# Quorum of the vote itself: none beyond the meeting's, or two-thirds (三分之二以上) of the electorate taking part.
QUORUMS = ("", "two_thirds")
# Whom the thresholds count: the members present (default), or all active members of the council
# (absent members are in the electorate: "two-thirds of all members" must agree / take part).
BASES = ("present", "all_members")
SECRECIES = ("named", "anonymous")
VOTE_HOURS = 12  # a meeting vote's window; the secretary closes it in the room well before


_VOTER_REF = re.compile(r"member:(\d+)")


async def _refused(ctx: RequestContext, exc: votes.VoteError) -> Refused:
    """The voting service's refusal in both languages, with each voter key (``member:3``) as the member's name."""
    ids = {int(n) for n in _VOTER_REF.findall(f"{exc.zh} {exc.en}")}
    names: dict[int, str] = {}
    if ids:
        rows = await ctx.session.execute(select(Member.id, Member.name).where(Member.id.in_(ids)))
        names = {row.id: row.name for row in rows}

    def named(text: str) -> str:
        return _VOTER_REF.sub(lambda m: names.get(int(m.group(1)), _("a member")), text)

    return Refused(named(exc.zh), en=named(exc.en))


async def item_or_404(ctx: RequestContext, meeting: Meeting, item_id: int) -> AgendaItem:
    """An agenda item of this meeting, or 404."""
    item = await ctx.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id or item.district_id != meeting.district_id:
        raise NotFound(_("Not found."))
    return item


async def _topic_case(ctx: RequestContext, item: AgendaItem) -> Case | None:
    if item.topic_id is None:
        return None
    query = select(Case).join(Topic, Topic.case_id == Case.id).where(Topic.id == item.topic_id)
    return (await ctx.session.execute(query)).scalar_one_or_none()


async def open_votes(ctx: RequestContext, meeting: Meeting) -> list[AgendaItem]:
    """Items of the meeting whose vote is open."""
    query = (
        select(AgendaItem)
        .join(votes.Vote, votes.Vote.id == AgendaItem.vote_id)
        .where(AgendaItem.meeting_id == meeting.id, votes.Vote.status == "open")
    )
    return list((await ctx.session.execute(query)).scalars())


async def open_item_vote(
    ctx: RequestContext,
    meeting: Meeting,
    council: Council,
    item: AgendaItem,
    *,
    motion: str,
    preset: str = "simple_majority",
    secrecy: str = "named",
    quorum_rule: str = "",
    base: str = "present",
) -> votes.Vote:
    """Open a vote on ``item`` among the members signed in — only when they make the quorum."""
    from plugins.consultation_council.topics import step  # noqa: PLC0415

    assert ctx.user is not None
    if meeting.status != "in_progress":
        raise Refused(_("Votes are taken while the meeting is in progress."))
    if item.vote_id is not None:
        raise Refused(_("This item has already been put to the vote."))
    if preset not in PRESETS or secrecy not in SECRECIES or quorum_rule not in QUORUMS or base not in BASES:
        raise Refused(_("Choose the rule and the kind of vote."))
    motion = (motion or "").strip()
    if not motion:
        raise Refused(_("Write the motion that is put to the vote."))
    present = await quorum(ctx, meeting, council)
    if not present.met:
        raise Refused(_("No quorum: %(figures)s.", figures=present.text()))
    case = await _topic_case(ctx, item)
    if case is not None and case.state == "accepted":
        await step(ctx, case, "deliberate")
    if case is not None and case.state not in ("deliberation", "rejected"):
        raise Refused(_("The topic is not in deliberation."))
    if case is not None and case.state == "rejected":
        await step(ctx, case, "revisit", reason=_("Put to the vote again at %(title)s", title=meeting.title))
    now = utcnow()
    try:
        vote = await votes.create_vote(
            ctx.session,
            district_id=meeting.district_id,
            subject_ref=f"council_agenda_item:{item.id}",
            title=item.title[:300],
            method="for_against_abstain",
            options=None,
            rules=_rules(preset, quorum_rule, base),
            secrecy=secrecy,
            opens_at=now,
            closes_at=now + timedelta(hours=VOTE_HOURS),
            created_by_id=ctx.user.id,
        )
        all_members = base == "all_members"
        voters = await members(ctx.session, council.id) if all_members else await present_members(ctx, meeting)
        electorate = [votes.Voter(f"member:{m.id}", m.user_id) for m in voters]
        await votes.open_vote(ctx.session, vote.id, electorate)
    except votes.VoteError as exc:
        raise await _refused(ctx, exc) from exc
    item.vote_id, item.motion = vote.id, motion
    await ctx.session.flush()
    return vote


def _rules(preset: str, quorum_rule: str, base: str) -> votes.Rules:
    """The core rules for the room's choices: the preset, a two-thirds quorum, counted of all members or present."""
    rules = votes.PRESETS[preset]()
    if quorum_rule == "two_thirds":
        rules = rules.with_quorum(heads=votes.Threshold.at_least(2, 3), weight=rules.quorum_weight)
    if base == "all_members" and preset not in ("owners_ordinary", "owners_major"):
        # Of all members, not only of those who voted: e.g. 全体成员三分之二以上同意.
        rules = votes.Rules(
            rules.preset,
            rules.pass_heads,
            base="electorate",
            pass_weight=rules.pass_weight,
            quorum_heads=rules.quorum_heads,
            quorum_weight=rules.quorum_weight,
            allow_change=rules.allow_change,
        )
    return rules


async def _open_vote_of(ctx: RequestContext, item: AgendaItem) -> votes.Vote:
    if item.vote_id is None:
        raise Refused(_("No vote has been opened on this item."))
    vote = await votes.get_vote(ctx.session, item.vote_id)
    if vote.status != "open":
        raise Refused(_("The vote is closed."))
    return vote


async def ballot(ctx: RequestContext, council: Council, item: AgendaItem, choice: str) -> None:
    """A member's own ballot, cast on their phone in the room (for, against or abstain)."""
    assert ctx.user is not None
    vote = await _open_vote_of(ctx, item)
    member = await member_of_user(ctx.session, council.id, ctx.user.id)
    if member is None:
        raise Refused(_("Only council members vote."))
    try:
        await votes.cast_ballot(ctx.session, vote.id, voter_ref=f"member:{member.id}", choice=choice)
    except votes.VoteError as exc:
        raise await _refused(ctx, exc) from exc


async def enter_ballot(
    ctx: RequestContext, item: AgendaItem, member_id: int, choice: str, channel: str = "paper"
) -> None:
    """Staff enter a member's paper ballot (or a named raised hand) with their own name as the clerk."""
    assert ctx.user is not None
    vote = await _open_vote_of(ctx, item)
    try:
        await votes.cast_ballot(
            ctx.session,
            vote.id,
            voter_ref=f"member:{member_id}",
            choice=choice,
            channel=channel,
            entered_by_id=ctx.user.id,
        )
    except votes.VoteError as exc:
        raise await _refused(ctx, exc) from exc


async def show_of_hands(ctx: RequestContext, item: AgendaItem, counts: dict[str, int], note: str = "") -> None:
    """The secretary enters the raised hands counted in the room, and attests them."""
    assert ctx.user is not None
    vote = await _open_vote_of(ctx, item)
    if any(n < 0 for n in counts.values()) or not any(counts.values()):
        raise Refused(_("Enter how many hands were raised."))
    try:
        await votes.record_show_of_hands(
            ctx.session,
            vote.id,
            counts={k: v for k, v in counts.items() if v},
            attested_by_id=ctx.user.id,
            note=note[:200],
        )
    except votes.VoteError as exc:
        raise await _refused(ctx, exc) from exc


async def close_item_vote(ctx: RequestContext, council: Council, item: AgendaItem) -> votes.VoteResult:
    """Close the vote; the topic records it and is adopted or rejected as the voting service decided."""
    from plugins.consultation_council.resolutions import create_from_vote  # noqa: PLC0415
    from plugins.consultation_council.topics import step  # noqa: PLC0415

    vote = await _open_vote_of(ctx, item)
    try:
        result = await votes.close_vote(ctx.session, vote.id)
    except votes.VoteError as exc:
        raise await _refused(ctx, exc) from exc
    case = await _topic_case(ctx, item)
    if case is not None and case.state == "deliberation":
        await step(ctx, case, "record_vote")
        await step(ctx, case, "adopt" if result.passed else "reject", reason=result.reason_zh)
    if result.passed:
        await create_from_vote(ctx, council, item, vote)
    return result
