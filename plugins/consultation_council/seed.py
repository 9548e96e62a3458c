"""Demo data for ``sanshe demo``: 平桥社区议事会 and the 偃月小区 parking story (DOMAIN.md), plus shared bins.

偃月小区 has 461 households, 60 spaces and 120 cars. Two open-space meetings (70
residents; then the traffic police, city management and the street's property section)
led to a parking convention adopted unanimously (全票通过); its actions — a barrier gate
(道闸), parking cards (停车卡), a patrol rota — were followed up to done. Overflowing bins
shared by restaurants and homes are a newer topic, planned for the next 恳谈会.

Everything goes through the same services as the pages (the case engine, ``core.votes``),
as the demo users would do it. Idempotent: nothing is added once the council exists.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from core.plugin_api import (
    TIMEZONE,
    Membership,
    OrgUnit,
    RequestContext,
    Settings,
    User,
    bump_policy_version,
    context_for,
    utcnow,
)
from plugins.consultation_council import actions, meetings, minutes, resolutions, topics, voting
from plugins.consultation_council.councils import add_member, today
from plugins.consultation_council.models import Council, Meeting, Resolution

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District

__all__ = ("COUNCIL_USERS", "seed_council")

COUNCIL_NAME = "平桥社区议事会"
# (username, display name, roles, party, position, organization)
COUNCIL_USERS = (
    ("council-party", "党支部书记 周建国", ("council_member",), "party_branch", "chair", "平桥社区党委"),
    (
        "secretary",
        "议事会秘书 孙丽",
        ("council_secretary", "council_member"),
        "residents_committee",
        "secretary",
        "平桥社区居委会",
    ),
    (
        "council-org",
        "社会组织 吴晓燕",
        ("council_member", "org_staff"),
        "social_organization",
        "member",
        "海曙区社区服务中心",
    ),
    ("council-unit", "驻区单位 郑国强", ("council_member",), "local_unit", "member", "平桥小学"),
    ("council-resident", "居民代表 冯秀英", ("council_member", "resident"), "resident", "member", "偃月小区 5 幢"),
)
PARKING = {
    "title": "偃月小区停车难：461 户、60 个车位、120 辆车",
    "category": "parking",
    "description": "偃月小区是老小区，没有物业公司，共 461 户，只有 60 个车位，却有 120 辆车。夜里车停满消防通道和"
    "楼道口，老人出门、救护车进出都困难，邻里常为停车吵架。",
    "proposal": "成立停车自管委员会，征求居民意见制定停车公约；安装道闸，发放停车卡，外来车辆不得过夜；"
    "组织志愿者巡查。",
}
CONVENTION = (
    "偃月小区停车公约\n一、本小区车辆凭停车卡进出，外来车辆登记后临时停放不超过两小时，不得过夜。\n"
    "二、消防通道、楼道口、绿地禁止停车。\n三、停车自管委员会负责道闸、停车卡和巡查，收支每月公开。\n"
    "四、违规停车先劝导，屡次违规的暂停停车卡。"
)
BINS = {
    "title": "餐馆与居民共用垃圾桶满溢",
    "category": "environment",
    "description": "巡查发现平桥路三家餐馆与 8 幢居民共用两个垃圾桶，每天傍晚厨余垃圾满溢，气味大，招老鼠。",
    "proposal": "餐馆自备厨余桶并签订清运协议，居民桶与餐馆桶分开，晚上增加一次清运。",
    "source": "patrol",
}


def _at(days_ago: int, hour: int) -> datetime:
    day = datetime.now(TIMEZONE).date() - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, hour, tzinfo=TIMEZONE)


async def _users(session: AsyncSession, district: District, pingqiao: OrgUnit) -> dict[str, User]:
    from core.plugin_api import demo_password_hash  # noqa: PLC0415

    found: dict[str, User] = {}
    for username, display, roles, *_rest in COUNCIL_USERS:
        user = (await session.execute(select(User).where(User.username == username))).scalar_one_or_none()
        if user is None:
            user = User(username=username, display_name=display, password_hash=demo_password_hash())
            session.add(user)
            await session.flush()
        have = set(
            (
                await session.execute(
                    select(Membership.role_key).where(
                        Membership.user_id == user.id, Membership.district_id == district.id
                    )
                )
            ).scalars()
        )
        for role in roles:
            if role not in have:
                session.add(
                    Membership(user_id=user.id, district_id=district.id, role_key=role, org_unit_id=pingqiao.id)
                )
        found[username] = user
    await session.flush()
    await bump_policy_version(session, district)
    return found


class _Actors:
    """Request contexts for demo users, as if each used the pages."""

    def __init__(self, session: AsyncSession, district: District) -> None:
        from core.plugin_api import PluginHost  # noqa: PLC0415

        self.session, self.district = session, district
        self.host = PluginHost.load(None)
        # Only the case service reads the context here; it needs no database URL or secret.
        self.settings = Settings(database_url="", secret_key="unused", var_dir=Path("var"))  # noqa: S106

    async def __call__(self, username: str) -> RequestContext:
        user = (await self.session.execute(select(User).where(User.username == username))).scalar_one()
        return await context_for(
            self.session, settings=self.settings, host=self.host, user=user, district=self.district, locale="zh_CN"
        )


async def seed_council(session: AsyncSession, district: District) -> None:
    """Add the demo council and its story to ``district`` unless it is there already."""
    if (await session.execute(select(Council.id).where(Council.name == COUNCIL_NAME))).first():
        return
    units = {u.code: u for u in (await session.execute(select(OrgUnit))).scalars()}
    pingqiao = units.get("pingqiao")
    if pingqiao is None:
        return
    users = await _users(session, district, pingqiao)
    council = Council(
        district_id=district.id,
        org_unit_id=pingqiao.id,
        name=COUNCIL_NAME,
        phone="13805740001",
        support_threshold=5,
        description="五位一体：社区党组织、居委会、社会组织、驻区单位、居民代表共同议事。",
    )
    session.add(council)
    await session.flush()
    term = today() - timedelta(days=400)
    for username, display, _roles, party, position, organization in COUNCIL_USERS:
        await add_member(
            session,
            council,
            name=display.split(" ")[-1],
            party=party,
            position=position,
            organization=organization,
            user_id=users[username].id,
            term_start=term,
        )
    worker = (await session.execute(select(User).where(User.username == "worker"))).scalar_one_or_none()
    if worker is not None:
        await add_member(
            session,
            council,
            name=worker.label.split(" ")[-1],
            party="residents_committee",
            organization="平桥社区居委会",
            user_id=worker.id,
            term_start=term,
        )
    actor = _Actors(session, district)
    await _parking(actor, council)
    await _bins(actor, council)


async def _run_meeting(actor: _Actors, council: Council, meeting: Meeting, notes: str, guests: int = 0) -> None:
    ctx = await actor("secretary")
    await meetings.send_invitations(ctx, meeting)
    await meetings.start_meeting(ctx, meeting)
    for attendee in await meetings.attendees(ctx, meeting.id):
        if attendee.kind == "member" or guests:
            await meetings.sign_in(ctx, meeting, attendee.id)
    for item, _case in await meetings.agenda(ctx, meeting.id):
        item.notes = notes


async def _finish_minutes(actor: _Actors, meeting: Meeting) -> None:
    ctx = await actor("secretary")
    await meetings.close_meeting(ctx, meeting)
    draft = await minutes.latest(ctx, meeting.id)
    assert draft is not None
    await minutes.circulate(ctx, meeting, draft)
    await minutes.add_correction(await actor("council-resident"), meeting, draft, "请写明 70 位居民参加。")
    revised = await minutes.revise(ctx, meeting, draft)
    await minutes.save_draft(ctx, revised, revised.body + "\n（参加讨论的居民约 70 人。）\n")
    await minutes.circulate(ctx, meeting, revised)
    await minutes.lock(ctx, revised)


async def _parking(actor: _Actors, council: Council) -> None:
    resident = await actor("resident")
    case, topic = await topics.raise_topic(
        resident,
        council,
        title=PARKING["title"],
        data={k: v for k, v in PARKING.items() if k != "title"},
        channel="mobile",
    )
    for name in ("resident", "volunteer", "council-resident", "council-org", "council-unit"):
        await topics.support(await actor(name), topic, case)
    ctx = await actor("secretary")
    first = await meetings.create_meeting(
        ctx,
        council,
        title="偃月小区停车问题开放空间讨论（一）",
        fmt="open_space",
        starts_at=_at(75, 19),
        ends_at=_at(75, 21),
        place="平桥社区党群服务中心二楼",
    )
    await meetings.add_topic(ctx, first, topic, case, minutes=90)
    await _run_meeting(
        actor, council, first, "70 位居民分组讨论：车多位少、外来车辆过夜、消防通道被占。提出成立停车自管委员会。"
    )
    await _finish_minutes(actor, first)

    second = await meetings.create_meeting(
        ctx,
        council,
        title="偃月小区停车问题开放空间讨论（二）",
        fmt="open_space",
        starts_at=_at(60, 19),
        ends_at=_at(60, 21),
        place="平桥社区党群服务中心二楼",
    )
    for name, organization in (("王警官", "鼓楼交警中队"), ("陈队长", "鼓楼城管中队"), ("赵科长", "鼓楼街道物业科")):
        await meetings.add_guest(ctx, second, name=name, organization=organization)
    item = await meetings.add_topic(ctx, second, topic, case, minutes=90)
    await _run_meeting(
        actor, council, second, "交警、城管、街道物业科到会。居民代表宣读停车公约草案，逐条讨论修改。", guests=1
    )
    council_ctx = await actor("secretary")
    await voting.open_item_vote(council_ctx, second, council, item, motion=CONVENTION, preset="unanimity")
    present = len(await meetings.present_members(council_ctx, second))
    await voting.show_of_hands(council_ctx, item, {"for": present}, note="全票通过")
    await voting.close_item_vote(council_ctx, council, item)
    await _finish_minutes(actor, second)

    resolution = (
        await council_ctx.session.execute(select(Resolution).where(Resolution.topic_id == topic.id))
    ).scalar_one()
    resolution.title = "偃月小区停车公约"
    await resolutions.publish(council_ctx, resolution)
    await council_ctx.session.execute(
        update(Resolution)
        .where(Resolution.id == resolution.id)
        .values(published_at=utcnow() - timedelta(days=58), objection_until=utcnow() - timedelta(days=51))
    )
    await council_ctx.session.refresh(resolution)
    await resolutions.put_in_force(council_ctx, resolution)
    committee = "停车自管委员会"
    for title, party, days, notes in (
        ("安装道闸", committee, 30, ("选定供应商，居民集资", "道闸安装完成并试运行")),
        ("发放停车卡", committee, 40, ("登记 118 辆业主车辆", "停车卡全部发放")),
        ("组织巡查轮值", "志愿者巡查队", 45, ("排出每晚两人的巡查表", "巡查纠正乱停车辆，运行正常")),
    ):
        action = await actions.add_action(
            council_ctx,
            resolution,
            title=title,
            party=party,
            due_on=today() - timedelta(days=60 - days),
            assignee_id=(await actor("council-resident")).user.id if party == committee else None,  # type: ignore[union-attr]
        )
        await actions.record_progress(council_ctx, action, 50, notes[0])
        await actions.record_progress(council_ctx, action, 100, notes[1])
    await topics.step(council_ctx, case, "complete")
    await resolutions.set_review(council_ctx, resolution, today() + timedelta(days=14))


async def _bins(actor: _Actors, council: Council) -> None:
    volunteer = await actor("volunteer")
    case, topic = await topics.raise_topic(
        volunteer,
        council,
        title=BINS["title"],
        data={k: v for k, v in BINS.items() if k != "title"},
        channel="mobile",
    )
    for name in ("volunteer", "council-resident"):
        await topics.support(await actor(name), topic, case)
    ctx = await actor("secretary")
    await topics.step(ctx, case, "accept")
    start = datetime.now(TIMEZONE).replace(hour=19, minute=0, second=0, microsecond=0) + timedelta(days=7)
    meeting = await meetings.create_meeting(
        ctx,
        council,
        title="平桥路垃圾分类恳谈会",
        fmt="talk",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="平桥社区党群服务中心一楼",
    )
    await meetings.add_guest(ctx, meeting, name="餐馆代表", organization="平桥路三家餐馆")
    await meetings.add_topic(ctx, meeting, topic, case, minutes=45)
    await meetings.send_invitations(ctx, meeting)
