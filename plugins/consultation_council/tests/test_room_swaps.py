"""The meeting room swaps only the part an action changed (htmx), still works as plain posts, and says the result.

Also: a member already signed in is not offered 我要参加, and a refused second ballot names the
member (never the voting service's key ``member:3``).
"""

from __future__ import annotations

from typing import Any

from core.testing import csrf_of, login
from plugins.consultation_council import meetings
from plugins.consultation_council.tests.support import raise_parking_topic
from plugins.consultation_council.tests.test_meeting_flow import _prepare, _sign_in

HOME = "/d/haishu/council"
FIVE = ("m-party", "secretary", "m-org", "m-unit", "m-resident")


def _post(client: Any, path: str, data: dict[str, str], target: str | None = None) -> Any:
    token = csrf_of(client, HOME)
    headers = {"HX-Request": "true", "HX-Target": target} if target else {}
    return client.post(path, data={**data, "_csrf_token": token}, headers=headers, follow_redirects=False)


def _attendee_of(as_user: Any, meeting_id: int, member_id: int) -> int:
    async def find(ctx: Any) -> int:
        return next(a.id for a in await meetings.attendees(ctx, meeting_id) if a.member_id == member_id)

    return as_user("secretary", find)


def test_room_actions_swap_only_their_part_and_the_result_line_has_the_figures(client, world, as_user):
    """Sign-in answers the sign-in section, a vote action answers its item's card; the close says 通过 with figures."""
    meeting_id, item_id, _ref = _prepare(world, as_user)
    room = f"{HOME}/admin/meetings/{meeting_id}"
    login(client, "secretary")
    full = client.get(room).text
    assert 'id="cc-signin"' in full and f'id="item-{item_id}"' in full and f'hx-post="{room}"' in full

    attendee = _attendee_of(as_user, meeting_id, world.members["m-party"])
    swapped = _post(client, room, {"do": "sign_in", "attendee_id": str(attendee)}, target="cc-signin")
    assert swapped.status_code == 200
    body = swapped.text
    assert body.lstrip().startswith('<section id="cc-signin"'), body[:300]
    assert "<html" not in body and 'id="cc-agenda"' not in body and 'id="cc-minutes"' not in body
    assert "已签到 ✓" in body and "已保存。" in body

    _sign_in(as_user, world, meeting_id, FIVE[1:])
    item = f"item-{item_id}"
    refused = _post(client, room, {"do": "hands", "item_id": str(item_id), "for": "5"}, target=item)
    assert refused.status_code == 200 and 'role="alert"' in refused.text  # no vote open yet: said in the card
    vote = {"do": "open_vote", "item_id": str(item_id), "motion": "通过停车公约", "preset": "simple_majority"}
    opened = _post(client, room, vote, target=item)
    assert opened.text.lstrip().startswith(f'<article class="cc-card" id="{item}"'), opened.text[:300]
    assert "表决进行中" in opened.text, opened.text[:600]
    _post(client, room, {"do": "hands", "item_id": str(item_id), "for": "4", "abstain": "1"}, target=item)
    closed = _post(client, room, {"do": "close_vote", "item_id": str(item_id)}, target=item).text
    assert "<html" not in closed and 'id="cc-signin"' not in closed
    assert "通过：同意 4，反对 0，弃权 1；出席 5 人；要求 同意票 &gt; 1/2" in closed, closed
    assert "「for」" not in closed

    # Without JavaScript the same post answers a redirect back to the whole room.
    plain = _post(client, room, {"do": "notes", "item_id": str(item_id), "notes": "交警同意夜间巡查"})
    assert plain.status_code == 303 and plain.headers["location"] == room
    assert "交警同意夜间巡查" in client.get(room).text


def test_a_signed_in_member_is_not_offered_i_will_come(client, world, as_user):
    """吴老师 signs in on the meeting page (htmx: only the member's part comes back): it says when, and offers
    neither 我要参加 nor 签到; a plain reload says the same."""
    meeting_id, _item_id, _ref = _prepare(world, as_user)
    page_url = f"{HOME}/meetings/{meeting_id}"
    login(client, "m-org")
    before = client.get(page_url).text
    assert "我要参加" in before or "已报名" in before
    swapped = _post(client, f"{page_url}/sign-in", {}, target="cc-member")
    assert swapped.status_code == 200
    assert swapped.text.lstrip().startswith('<div id="cc-member"') and "<html" not in swapped.text
    assert "我要参加" not in swapped.text and "已签到" in swapped.text
    page = client.get(page_url).text
    assert "我要参加" not in page and "已签到" in page


def test_a_second_paper_ballot_names_the_member_not_the_voting_key(client, world, as_user):
    """Entering 吴老师's paper ballot twice is refused with 吴老师's name in the message."""
    meeting_id, item_id, _ref = _prepare(world, as_user)
    _sign_in(as_user, world, meeting_id, FIVE)
    room = f"{HOME}/admin/meetings/{meeting_id}"
    login(client, "secretary")
    _post(client, room, {"do": "open_vote", "item_id": str(item_id), "motion": "通过停车公约", "preset": "two_thirds"})
    member = str(world.members["m-org"])
    ballot = {"do": "paper", "item_id": str(item_id), "member_id": member, "choice": "for"}
    assert "已保存。" in _post(client, room, ballot, target=f"item-{item_id}").text
    again = _post(client, room, ballot, target=f"item-{item_id}").text
    assert "社会组织 吴老师" in again and "member:" not in again, again


def test_the_queue_never_offers_or_takes_an_automatic_step(client, world, as_user):
    """附议达到门槛 is the system's step: not in the bulk bar or the row menu,
    and a bulk request for it changes nothing."""
    ref = as_user("resident", lambda ctx: raise_parking_topic(ctx, world, title="偃月小区充电桩"))
    login(client, "secretary")
    steps = client.get(f"/d/haishu/queues/bulk-steps?ref={ref}", headers={"HX-Request": "true"}).text
    assert "列入议程" in steps and "transition:supported" not in steps and "自动列入议程" not in steps
    menu = client.get(f"/d/haishu/queues/menu?ref={ref}", headers={"HX-Request": "true"}).text
    assert "列入议程" in menu and "自动列入议程" not in menu
    token = csrf_of(client, "/d/haishu/cases")
    refused = client.post(
        "/d/haishu/queues/bulk",
        data={"ref": ref, "action": "transition:supported", "_csrf_token": token},
        headers={"HX-Request": "true", "HX-Target": "queue-bulk-result"},
    ).text
    assert "这一步由系统自动执行" in refused and "没有做任何更改" in refused
    assert "已提交" in client.get(f"{HOME}/topics/{ref}").text
