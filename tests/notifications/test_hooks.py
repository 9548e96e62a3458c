"""The two notification hooks: plugins declare kinds of notice, and channels that send them besides the inbox."""

from __future__ import annotations

import types

import pytest
from sqlalchemy import select

from core.db import for_district
from core.hookspecs import hookimpl
from core.models import District, User
from core.notifications import (
    IN_APP,
    NotificationKind,
    build_digests,
    dispatch,
    list_notices,
    load_channels,
    load_kinds,
    notify,
    set_preferences,
)
from core.plugins import Manifest, PluginHost

REMINDER = NotificationKind(
    key="pager_test.reminder",
    title_zh="走访提醒：{who}",
    title_en="Home visit reminder: {who}",
    body_zh="请在 {day} 前走访",
    body_en="Visit before {day}",
    roles=("social_worker",),
    label_zh="走访提醒",
    label_en="Home visit reminders",
)
QUIET = NotificationKind(key="pager_test.quiet", title_zh="安静的消息", default_on=False, default_mode="digest")


class RecordingChannel:
    """A channel that keeps what it was asked to send (an SMS gateway would send it)."""

    key = "recorder"
    name_zh = "记录"
    name_en = "Recorder"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []
        self.digests: list[tuple[str, str]] = []

    async def send(self, message):
        self.sent.append((message.username, message.title, message.link))
        return True

    async def send_digest(self, digest):
        self.digests.append((digest.username, digest.text))
        return True


def _plugin(kinds=(REMINDER, QUIET), channel=None) -> types.ModuleType:
    module = types.ModuleType("pager_test_hooks")
    module.__file__ = __file__

    @hookimpl
    def plugin_manifest():
        return Manifest(key="pager_test", name_zh="提醒测试", name_en="Pager test", version="1.0")

    @hookimpl
    def notification_kinds():
        return list(kinds)

    module.plugin_manifest = plugin_manifest
    module.notification_kinds = notification_kinds
    if channel is not None:

        @hookimpl
        def notification_channels():
            return [channel]

        module.notification_channels = notification_channels
    return module


async def _ids(session):
    return dict((await session.execute(select(User.username, User.id))).all())


def test_hook_notification_kinds(world, seed):
    """A plugin's kind reaches only the roles it names, reads in each reader's language, and may be off by default."""
    host = PluginHost.load(frozenset(), entry_points=False, extra_modules=(_plugin(),))
    kinds = load_kinds(host)
    assert {"core.mentioned", "core.assigned", "pager_test.reminder", "pager_test.quiet"} <= set(kinds)

    async def run(session):
        ids = await _ids(session)
        for_district(session, world["district_id"])
        params = {"who": "王阿姨", "day": "12月8日"}
        left = await notify(session, [ids["social"], ids["resident"]], "pager_test.reminder", params, "/d/haishu/")
        quiet_before = await notify(session, [ids["worker"]], "pager_test.quiet", {})
        await set_preferences(session, world["district_id"], ids["worker"], {"pager_test.quiet": (True, "digest")})
        quiet_after = await notify(session, [ids["worker"]], "pager_test.quiet", {})
        zh = await list_notices(session, ids["social"], "zh_CN")
        en = await list_notices(session, ids["social"], "en")
        resident = await list_notices(session, ids["resident"], "zh_CN")
        return left, quiet_before, quiet_after, zh[0], en[0], resident

    left, quiet_before, quiet_after, zh, en, resident = seed(run)
    assert (left, quiet_before, quiet_after) == (1, 0, 1)
    assert (zh.title, zh.body) == ("走访提醒：王阿姨", "请在 12月8日 前走访")
    assert (en.title, en.body) == ("Home visit reminder: 王阿姨", "Visit before 12月8日")
    assert resident == []


def test_hook_notification_kinds_refuses_a_key_declared_twice():
    """Two kinds with one key stop the start-up with a clear message."""
    host = PluginHost.load(frozenset(), entry_points=False, extra_modules=(_plugin(kinds=(REMINDER, REMINDER)),))
    with pytest.raises(ValueError, match="declared twice"):
        load_kinds(host)


def test_hook_notification_channels(world, seed):
    """A plugin's channel gets committed notices after the fact, never a rolled-back one, and the daily digest."""
    recorder = RecordingChannel()
    host = PluginHost.load(frozenset(), entry_points=False, extra_modules=(_plugin(channel=recorder),))
    channels = load_channels(host)
    assert [c.key for c in channels] == [IN_APP.key, "recorder"]
    load_kinds(host)

    async def leave(session, text, username="social"):
        ids = await _ids(session)
        for_district(session, world["district_id"])
        await notify(session, [ids[username]], "pager_test.reminder", {"who": text, "day": "明天"}, "/d/haishu/x")

    class Undo(Exception):
        pass

    async def leave_then_undo(session):
        await leave(session, "撤销的")
        raise Undo

    with pytest.raises(Undo):
        seed(leave_then_undo)
    seed(lambda s: leave(s, "张三"))

    async def send(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        for_district(session, district.id)
        return await dispatch(session, district, channels), await dispatch(session, district, channels)

    assert seed(send) == (1, 0)
    assert recorder.sent == [("social", "走访提醒：张三", "/d/haishu/x")]

    async def prefer_digest(session):
        ids = await _ids(session)
        for_district(session, world["district_id"])
        await set_preferences(session, world["district_id"], ids["social"], {"pager_test.reminder": (True, "digest")})

    seed(prefer_digest)
    seed(lambda s: leave(s, "李四"))

    async def digest(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        for_district(session, district.id)
        sent = await dispatch(session, district, channels)  # a digest-kind notice is not sent at once
        return sent, await build_digests(session, district, channels)

    sent, digests = seed(digest)
    assert sent == 0 and len(digests) == 1
    assert recorder.digests == [("social", "海曙区 今日消息摘要（1 条）\n· 走访提醒：李四：请在 明天 前走访")]
