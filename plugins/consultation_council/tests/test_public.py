"""The district's public pages without login: the index lists each plugin's public pages; the council's shows
resolutions in their objection window and the meeting calendar, and nothing of another district."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from core.db import utcnow
from plugins.consultation_council import resolutions
from plugins.consultation_council.models import Resolution
from plugins.consultation_council.tests.test_meeting_flow import _full_vote, _prepare


def test_hook_public_pages(client, world):
    """Anyone (no login) opens 海曙区's public index and finds the council's public page listed;
    an unknown district is 404."""
    client.cookies.clear()
    index = client.get("/d/haishu/public/")
    assert index.status_code == 200 and index.headers["content-type"].startswith("text/html")
    assert 'href="/d/haishu/public/council"' in index.text and "议事会决议公示与会议日程" in index.text
    assert 'href="/register?district=haishu"' in index.text
    assert client.get("/d/nowhere/public/").status_code == 404


def test_hook_register_public_routes(client, world, as_user, seed):
    """A resolution published for objections and the coming meeting show to anyone; once the window closes the
    resolution is gone, and 鄞州区's public page shows none of 海曙区's meetings."""
    _prepare(world, as_user)  # a second meeting, still to come
    _full_vote(world, as_user)

    async def publish(ctx):
        resolution = (await ctx.session.execute(select(Resolution))).scalar_one()
        await resolutions.publish(ctx, resolution)
        return resolution.id, resolution.title

    rid, title = as_user("secretary", publish)
    client.cookies.clear()
    page = client.get("/d/haishu/public/council")
    assert page.status_code == 200 and "<html" in page.text
    assert title in page.text and "公示至" in page.text and "通过《偃月小区停车公约》" in page.text
    assert "偃月小区停车开放空间讨论（二）" in page.text
    assert "偃月小区停车开放空间讨论" not in client.get("/d/yinzhou/public/council").text

    async def end_window(session):
        past = utcnow() - timedelta(minutes=1)
        await session.execute(update(Resolution).where(Resolution.id == rid).values(objection_until=past))

    seed(end_window)
    assert "目前没有公示中的决议。" in client.get("/d/haishu/public/council").text


def test_a_resident_not_yet_confirmed_cannot_support_a_topic(client, world, as_user, seed):
    """A self-registered resident whose registration is pending is refused 附议 with the reason, and nothing counts."""
    from core.testing import csrf_of, login
    from core.testing.factories import make_user
    from plugins.consultation_council.tests.support import raise_parking_topic

    ref = as_user("resident", lambda ctx: raise_parking_topic(ctx, world, title="偃月小区充电桩"))

    async def pending(session):
        from core.models import District

        haishu = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        await make_user(session, "newcomer", district=haishu, roles=("resident_pending",))

    seed(pending)
    login(client, "newcomer")
    token = csrf_of(client, "/d/haishu/")
    refused = client.post(f"/d/haishu/council/topics/{ref}/support", data={"_csrf_token": token})
    assert refused.status_code == 403 and "确认前不能提交诉求、附议议题或参与表决" in refused.text

    async def supports_by_newcomer(session):
        from core.models import User
        from plugins.consultation_council.models import Support

        query = select(Support.id).join(User, User.id == Support.user_id).where(User.username == "newcomer")
        return list((await session.execute(query)).scalars())

    assert seed(supports_by_newcomer) == []
