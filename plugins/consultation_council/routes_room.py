"""The meeting room, used live by the secretary: agenda, invitations, sign-in, votes, minute-taking, minutes.

Before the meeting it builds the agenda from accepted topics and sends invitations;
during it it signs people in, shows the quorum, opens a vote (refused without quorum),
takes a show of hands or paper ballots and closes the vote; afterwards it carries the
minutes through draft → circulated → final, and prints them.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException

from core.plugin_api import Forbidden, Form, NotFound, Refusal, RequestContext, act, flashes, is_fragment, page, votes
from core.plugin_api import gettext as _
from plugins.consultation_council import meetings, minutes, topics, voting
from plugins.consultation_council.councils import Refused
from plugins.consultation_council.manifest import KEY
from plugins.consultation_council.models import MinutesVersion
from plugins.consultation_council.pdf import minutes_pdf

__all__ = ("ROOM_ROUTES",)

ROOM = "/council/admin/meetings/{meeting_id:int}"


# Which part of the room an htmx form swaps, by the id of its target (``HX-Target``).
ROOM_BLOCKS = {"cc-room": "room", "cc-signin": "signin", "cc-agenda": "agenda", "cc-minutes": "minutes"}


async def _render(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    meeting: Any,
    council: Any,
    *,
    block: str = "content",
    notice: str = "",
    refused: bool = False,
    item_id: int = 0,
) -> Response[Any]:
    items = await meetings.agenda(ctx, meeting.id)
    results = {}
    for item, _case in items:
        if item.vote_id is not None:
            results[item.id] = (
                await votes.get_vote(ctx.session, item.vote_id),
                await votes.results(ctx.session, item.vote_id),
            )
    on_agenda = {item.topic_id for item, _c in items}
    candidates = [
        (t, c)
        for t, c in await topics.list_topics(ctx, council_id=council.id, states=meetings.AGENDA_TOPIC_STATES)
        if t.id not in on_agenda
    ]
    version = await minutes.latest(ctx, meeting.id)
    context: dict[str, Any] = {}
    if block == "item":  # one agenda item's card: the scoped block reads its loop's variables
        found = next(((n, i, c) for n, (i, c) in enumerate(items, 1) if i.id == item_id), None)
        if found is None:
            block = "agenda"
        else:
            context.update(number=found[0], item=found[1], case=found[2])
    return await page(
        request,
        ctx,
        "consultation_council/room.html",
        block=block,
        status_code=400 if refused and not is_fragment(request) else 200,
        meeting=meeting,
        council=council,
        act_url=ctx.url(f"/council/admin/meetings/{meeting.id}"),
        items=items,
        results=results,
        candidates=candidates,
        attendees=await meetings.attendees(ctx, meeting.id),
        quorum=await meetings.quorum(ctx, meeting, council),
        present=await meetings.present_members(ctx, meeting),
        minutes_version=version,
        all_versions=await minutes.versions(ctx, meeting.id),
        corrections=await minutes.corrections(ctx, version.id) if version else [],
        presets=voting.PRESETS,
        flashes=[] if block != "content" else await flashes(request, ctx),
        notice=notice,
        refused=refused,
        swapped=block if is_fragment(request) else "",
        **context,
    )


@get(ROOM, name="council:room")
async def room(request: Request[Any, Any, Any], ctx: RequestContext, meeting_id: int) -> Response[Any]:
    """The whole meeting on one page, for the secretary's laptop or tablet."""
    ctx.require(KEY, "manage")
    meeting, council = await meetings.meeting_or_404(ctx, meeting_id)
    return await _render(request, ctx, meeting, council)


def _count(raw: str | None) -> int:
    text = (raw or "").strip()
    if not text:
        return 0
    if not text.isdigit():
        raise Refused(_("Counts are whole numbers."))
    return int(text)


@post(ROOM, name="council:room_act", status_code=200)
async def room_act(request: Request[Any, Any, Any], ctx: RequestContext, meeting_id: int, data: Form) -> Response[Any]:
    """One action in the room, named by ``do``; the page comes back with what happened."""
    ctx.require(KEY, "manage")
    meeting, council = await meetings.meeting_or_404(ctx, meeting_id)
    do = data.get("do", "")
    item_id = int(data["item_id"]) if data.get("item_id", "").isdigit() else 0
    done = {
        "open_vote": _("The vote is open."),
        "close_vote": _("The vote is closed."),
        "invite": _("Invitations sent."),
        "start": _("The meeting has begun."),
        "close_meeting": _("The meeting is closed; the minutes' draft is ready."),
        "lock": _("The minutes are final."),
        "circulate": _("The minutes were sent to the attendees."),
    }.get(do, _("Saved."))

    async def run() -> None:
        if do == "add_topic":
            topic, case = await topics.topic_or_404(ctx, int(data.get("topic_id") or 0))
            await meetings.add_topic(ctx, meeting, topic, case, minutes=_count(data.get("minutes")) or 20)
        elif do in ("up", "down"):
            await meetings.move_item(ctx, meeting, item_id, -1 if do == "up" else 1)
        elif do == "remove":
            await meetings.remove_item(ctx, meeting, item_id)
        elif do == "guest":
            await meetings.add_guest(ctx, meeting, name=data.get("name", ""), organization=data.get("organization", ""))
        elif do == "invite":
            await meetings.send_invitations(ctx, meeting)
        elif do in ("sign_in", "sign_out"):
            await meetings.sign_in(ctx, meeting, int(data.get("attendee_id") or 0), undo=do == "sign_out")
        elif do == "start":
            await meetings.start_meeting(ctx, meeting)
        elif do == "notes":
            item = await voting.item_or_404(ctx, meeting, item_id)
            item.notes = data.get("notes", "")[:20_000]
        elif do == "open_vote":
            item = await voting.item_or_404(ctx, meeting, item_id)
            await voting.open_item_vote(
                ctx,
                meeting,
                council,
                item,
                motion=data.get("motion", ""),
                preset=data.get("preset", ""),
                secrecy=data.get("secrecy", "named"),
                quorum_rule=data.get("quorum_rule", ""),
                base=data.get("base", "present"),
            )
        elif do == "hands":
            item = await voting.item_or_404(ctx, meeting, item_id)
            counts = {k: _count(data.get(k)) for k in ("for", "against", "abstain")}
            await voting.show_of_hands(ctx, item, counts, data.get("note", ""))
        elif do == "paper":
            item = await voting.item_or_404(ctx, meeting, item_id)
            await voting.enter_ballot(ctx, item, int(data.get("member_id") or 0), data.get("choice", ""))
        elif do == "close_vote":
            await voting.close_item_vote(ctx, council, await voting.item_or_404(ctx, meeting, item_id))
        elif do == "close_meeting":
            await meetings.close_meeting(ctx, meeting)
        else:
            await _minutes_action(ctx, meeting, do, data)

    if not is_fragment(request):  # a plain form post: back to the page (303) with a notice
        return await act(request, ctx, ctx.url(f"/council/admin/meetings/{meeting.id}"), run, done)
    # htmx: swap only the part the action changed (the target's block), with what happened in it.
    target = request.headers.get("hx-target", "")
    block = ROOM_BLOCKS.get(target, "item" if target.startswith("item-") else "room")
    refused = False
    try:
        async with ctx.session.begin_nested():  # a refusal undoes only what the action wrote
            await run()
    except Refusal as exc:
        if isinstance(exc, (Forbidden, NotFound)):
            raise
        done, refused = exc.lines(ctx.locale), True
    await ctx.session.refresh(meeting)
    shown = int(target[5:]) if block == "item" and target[5:].isdigit() else 0
    return await _render(request, ctx, meeting, council, block=block, notice=done, refused=refused, item_id=shown)


async def _minutes_action(ctx: RequestContext, meeting: Any, do: str, data: dict[str, str]) -> None:
    version = await minutes.latest(ctx, meeting.id)
    if do == "draft":
        await minutes.draft_from_agenda(ctx, meeting)
        return
    if version is None:
        raise Refused(_("There are no minutes yet."))
    if do == "save_minutes":
        await minutes.save_draft(ctx, version, data.get("body", ""))
    elif do == "circulate":
        await minutes.circulate(ctx, meeting, version)
    elif do == "revise":
        await minutes.revise(ctx, meeting, version)
    elif do == "lock":
        await minutes.lock(ctx, version)
    else:
        raise Refused(_("Unknown action."))


@get("/council/meetings/{meeting_id:int}/minutes.pdf", name="council:minutes_pdf")
async def minutes_pdf_route(ctx: RequestContext, meeting_id: int, version: int | None = None) -> Response[bytes]:
    """The minutes, printable: the final version for everyone; staff may print any version."""
    ctx.require(KEY, "view")
    meeting, council = await meetings.meeting_or_404(ctx, meeting_id)
    rows = await minutes.versions(ctx, meeting.id)
    chosen: MinutesVersion | None
    if ctx.can(KEY, "manage") and version is not None:
        chosen = next((v for v in rows if v.number == version), None)
    else:
        chosen = next((v for v in reversed(rows) if v.status == "final"), None)
    if chosen is None:
        raise NotFoundException(_("Not found."))
    body = minutes_pdf(council.name, meeting.title, chosen)
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="minutes-{meeting.id}-v{chosen.number}.pdf"'},
    )


ROOM_ROUTES = [room, room_act, minutes_pdf_route]
