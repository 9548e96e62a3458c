"""Follow-up and notices: overdue actions in the queue and the daily digest; the minutes PDF; case panels both ways."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.db import utcnow
from core.models import District
from core.testing import login
from plugins.consultation_council import actions, notify
from plugins.consultation_council.councils import today
from plugins.consultation_council.models import Digest, MinutesVersion, Resolution, ResolutionText

HOME = "/d/haishu/council"


async def _published(session, world):
    row = Resolution(
        district_id=1,
        council_id=world.council,
        title="停车公约",
        status="published",
        published_at=utcnow(),
        objection_until=utcnow() + timedelta(days=7),
    )
    session.add(row)
    await session.flush()
    session.add(ResolutionText(district_id=1, resolution_id=row.id, number=1, body="公约正文"))
    return row.id


def test_overdue_action_is_in_the_queue_and_in_the_secretarys_digest(client, world, seed, as_user):
    """An action past its due date shows as overdue on the staff page and in the secretary's daily digest, once."""
    rid = seed(lambda s: _published(s, world))

    async def add(ctx):
        resolution = await ctx.session.get(Resolution, rid)
        await actions.add_action(
            ctx, resolution, title="安装道闸", party="停车自管委员会", due_on=today() - timedelta(days=2)
        )

    as_user("secretary", add)

    async def run_daily(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        first = await actions.daily_upkeep(session, district)
        second = await actions.daily_upkeep(session, district)
        digest = (await session.execute(select(Digest).where(Digest.user_id == world.users["secretary"]))).scalar_one()
        return first.overdue_reminders, second.overdue_reminders, digest.body

    first, second, body = seed(run_daily)
    assert (first, second) == (1, 0)
    assert "逾期未完成：安装道闸" in body
    login(client, "secretary")
    admin = client.get(f"{HOME}/admin").text
    assert "逾期事项" in admin and "安装道闸" in admin
    notices = client.get(f"{HOME}/notifications").text
    assert "摘要" in notices and "逾期未完成：安装道闸" in notices


def test_progress_to_100_percent_marks_the_action_done_on_the_public_page(client, world, seed, as_user):
    """Recording 100 % shows the action done with its note on the resolution's public page."""
    rid = seed(lambda s: _published(s, world))

    async def add_and_progress(ctx):
        resolution = await ctx.session.get(Resolution, rid)
        item = await actions.add_action(ctx, resolution, title="发放停车卡", party="停车自管委员会", due_on=today())
        await actions.record_progress(ctx, item, 100, "停车卡全部发放")

    as_user("secretary", add_and_progress)
    login(client, "resident")
    page = client.get(f"{HOME}/resolutions/{rid}").text
    assert "发放停车卡" in page and "停车卡全部发放" in page and "已完成 100%" in page


def test_final_minutes_print_as_pdf_and_drafts_do_not_for_residents(client, world, seed):
    """The final version prints as a PDF for a resident; a draft alone gives them 404."""

    async def minutes(session, status):
        from plugins.consultation_council.models import Meeting

        meeting = Meeting(
            district_id=1,
            council_id=world.council,
            title="议事会",
            format="council",
            starts_at=utcnow(),
            ends_at=utcnow() + timedelta(hours=1),
            place="社区",
            status="closed",
        )
        session.add(meeting)
        await session.flush()
        session.add(
            MinutesVersion(
                district_id=1,
                meeting_id=meeting.id,
                body="一、停车公约\n表决结果：通过",
                status=status,
                locked_at=utcnow() if status == "final" else None,
            )
        )
        return meeting.id

    draft_meeting = seed(lambda s: minutes(s, "draft"))
    final_meeting = seed(lambda s: minutes(s, "final"))
    login(client, "resident")
    assert client.get(f"{HOME}/meetings/{draft_meeting}/minutes.pdf").status_code == 404
    response = client.get(f"{HOME}/meetings/{final_meeting}/minutes.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_unread_notices_count_on_the_home_page(client, world, seed):
    """A notice for the resident shows as a count next to 消息."""

    async def leave(session):
        await notify.notify(session, 1, [world.users["resident"]], "您的议题已列入议程")

    seed(leave)
    login(client, "resident")
    assert '消息 <span class="tag">1</span>' in client.get(HOME).text
