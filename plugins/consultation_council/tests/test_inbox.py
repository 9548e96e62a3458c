"""The council's notices arrive in the core inbox: the bell counts them, the inbox lists them, preferences apply."""

from __future__ import annotations

from sqlalchemy import select

from core.models import User
from core.models.cases import Case
from core.models.notifications import Notification
from core.notifications import set_preferences
from core.testing.web import login
from plugins.consultation_council import notify, topics
from plugins.consultation_council.tests.support import raise_parking_topic

INBOX = "/d/haishu/notifications"
HTMX = {"HX-Request": "true"}


def _support(as_user, name, ref):
    async def run(ctx):
        case = (await ctx.session.execute(select(Case).where(Case.reference == ref))).scalar_one()
        topic = await topics.topic_by_case(ctx, case.id)
        return await topics.support(ctx, topic, case)

    return as_user(name, run)


def test_a_topic_reaching_its_threshold_tells_the_secretary_in_the_inbox(client, world, as_user):
    """The third support puts the topic on the agenda; the secretary's bell shows it and the inbox lists it."""
    ref = as_user("resident", lambda ctx: raise_parking_topic(ctx, world))
    for name in ("resident", "resident2", "resident3"):
        _support(as_user, name, ref)
    login(client, "secretary")
    bell = client.get(f"{INBOX}/bell", headers=HTMX).text
    assert '<span class="bell-count">' in bell
    inbox = client.get(INBOX).text
    assert "偃月小区停车难" in inbox
    preferences = client.get(f"{INBOX}/preferences").text
    assert "议事协商消息" in preferences


def test_a_council_notice_is_in_the_inbox_and_the_council_page(client, world, seed):
    """A notice left by the council's notify() shows in the core inbox and on /council/notifications alike."""

    async def leave(session):
        return await notify.notify(session, 1, [world.users["resident"]], "您的议题已列入议程", "/d/haishu/council")

    assert seed(leave) == 1
    login(client, "resident")
    assert "您的议题已列入议程" in client.get(INBOX).text
    assert "您的议题已列入议程" in client.get("/d/haishu/council/notifications").text


def test_a_resident_who_turned_council_notices_off_gets_none(client, world, seed):
    """Preferences apply to the council's kind like to the core's."""

    async def switch_off_then_leave(session):
        uid = (await session.execute(select(User.id).where(User.username == "resident"))).scalar_one()
        await set_preferences(session, 1, uid, {notify.KIND: (False, "instant")})
        left = await notify.notify(session, 1, [uid], "不会送达")
        rows = (await session.execute(select(Notification).where(Notification.user_id == uid))).scalars()
        return left, list(rows)

    assert seed(switch_off_then_leave) == (0, [])
