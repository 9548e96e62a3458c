"""The notification service: notices travel with their cause, mentions never leak, assignment and due-soon notices."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from core.cases import service
from core.cases.notices import mentioned_names, send_due_soon_notices
from core.db import for_district, utcnow
from core.models import District, OrgUnit, User
from core.models.cases import Case
from core.models.notifications import Notification
from core.notifications import build_digests, list_notices, notify, set_preferences, unread_count
from core.notifications.channels import IN_APP
from tests.cases.conftest import RESIDENT_REQUEST
from tests.cases.test_concurrency import run_parallel
from tests.factories import make_user
from tests.notifications.support import act, new_casework, new_request, notices_of


class Boom(Exception):
    """Raised after the comment, so its transaction is rolled back."""


def test_a_notice_is_rolled_back_with_the_comment_that_caused_it(world, as_user, seed):
    """A mention whose comment is rolled back leaves no notice; the same comment committed leaves one."""
    reference = new_request(as_user)

    async def comment_then_fail(ctx, case, definition):
        await service.comment(ctx, case, definition, "请 @social 跟进")
        raise Boom

    with pytest.raises(Boom):
        act(as_user, "worker", reference, comment_then_fail)
    assert notices_of(seed, "social") == []

    act(as_user, "worker", reference, lambda ctx, case, d: service.comment(ctx, case, d, "请 @social 跟进"))
    (notice,) = notices_of(seed, "social")
    assert notice.kind == "core.mentioned" and notice.link == f"/d/haishu/cases/{reference}"


def test_mentions_reach_only_members_who_may_see_the_case(world, as_user, seed):
    """On 平桥's casework (read by its social worker and 平桥's casework supervisor only) @colleague, the
    supervisor, is told; @social2 (牡丹), @dadmin (an administrator, not on the case), @resident get nothing."""

    async def colleague(session):
        district = await session.get(District, world["district_id"])
        unit = await session.get(OrgUnit, world["pingqiao"])
        await make_user(session, "colleague", district=district, roles=("casework_supervisor",), org_unit=unit)

    seed(colleague)
    reference = new_casework(as_user, world["pingqiao"])
    text = "请 @colleague 、@dadmin 、@social2 、@resident 和 @nobody 看看；@social 自己不用提醒。"
    event = act(as_user, "social", reference, lambda ctx, case, d: service.comment(ctx, case, d, text))

    named = ["colleague", "dadmin", "social2", "resident", "social"]
    assert [m["username"] for m in event.payload["mentions"]] == named
    (notice,) = notices_of(seed, "colleague")
    assert notice.params["excerpt"] == text
    assert notices_of(seed, "dadmin") == []
    assert notices_of(seed, "social2") == []
    assert notices_of(seed, "resident") == []
    assert notices_of(seed, "social") == []  # the author is not told about their own comment


def test_mention_names_stop_at_punctuation():
    """``@worker.`` at the end of a sentence names worker; an e-mail address names nobody."""
    assert mentioned_names("谢谢 @worker. 另见 a@b.cn，@social") == ["worker", "social"]


def test_a_mention_reads_in_the_readers_language(world, as_user, seed):
    """The same notice is Chinese for a Chinese reader and English for an English one."""
    reference = new_request(as_user)
    act(as_user, "worker", reference, lambda ctx, case, d: service.comment(ctx, case, d, "@social 请上门"))

    async def read(session, locale):
        uid = (await session.execute(select(User.id).where(User.username == "social"))).scalar_one()
        for_district(session, world["district_id"])
        return (await list_notices(session, uid, locale))[0]

    zh, en = seed(lambda s: read(s, "zh_CN")), seed(lambda s: read(s, "en"))
    assert zh.title == f"worker 在案件 {reference} 中提到了你" and zh.body == "@social 请上门"
    assert en.title == f"worker mentioned you on case {reference}"


def test_assignment_tells_the_assignee_but_a_claim_tells_nobody(world, as_user, seed):
    """Assigning a case to social leaves them a notice; social2 claiming another case leaves none."""
    reference = new_request(as_user)

    async def give_to_social(ctx, case, definition):
        social = (await ctx.session.execute(select(User.id).where(User.username == "social"))).scalar_one()
        await service.assign(ctx, case, definition, social)

    act(as_user, "worker", reference, give_to_social)
    (notice,) = notices_of(seed, "social")
    assert notice.kind == "core.assigned"
    assert notice.params["actor"] == "worker" and notice.params["reference"] == reference

    other = new_request(as_user)
    act(as_user, "social2", other, service.claim)
    assert notices_of(seed, "social2") == []


def _due(seed, reference, delta):
    async def set_due(session):
        await session.execute(update(Case).where(Case.reference == reference).values(due_at=utcnow() + delta))

    seed(set_due)


def _run_due_soon(seed, **kwargs):
    async def run(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        return await send_due_soon_notices(session, district, **kwargs)

    return seed(run)


def _assign_to_social(as_user, reference):
    async def give(ctx, case, definition):
        social = (await ctx.session.execute(select(User.id).where(User.username == "social"))).scalar_one()
        await service.assign(ctx, case, definition, social)

    act(as_user, "worker", reference, give)


def test_due_soon_is_sent_once_per_case_and_due_date(world, as_user, seed):
    """A case due in 10 h is announced once however often the job runs; a new due date is announced again."""
    reference = new_request(as_user)
    _assign_to_social(as_user, reference)
    late = new_request(as_user)
    _assign_to_social(as_user, late)
    far = new_request(as_user)
    _assign_to_social(as_user, far)
    _due(seed, reference, timedelta(hours=10))
    _due(seed, late, -timedelta(hours=2))
    _due(seed, far, timedelta(days=5))

    first = _run_due_soon(seed)
    second = _run_due_soon(seed)
    assert (first.due_soon, first.overdue) == (1, 1)
    assert (second.due_soon, second.overdue, second.already_told) == (0, 0, 2)
    kinds = sorted(n.kind for n in notices_of(seed, "social") if n.kind != "core.assigned")
    assert kinds == ["core.due_soon", "core.overdue"]

    _due(seed, reference, timedelta(hours=20))  # the due date moved: told again
    assert _run_due_soon(seed).due_soon == 1
    assert _run_due_soon(seed, window=timedelta(days=6)).due_soon == 1  # a wider window reaches the far case


def test_due_soon_run_in_parallel_sends_one_notice(world, as_user, seed, database_url, settings, host):
    """Six servers running the job at the same moment still leave one notice for the case."""
    reference = new_request(as_user)
    _assign_to_social(as_user, reference)
    _due(seed, reference, timedelta(hours=3))

    async def job(ctx):
        return await send_due_soon_notices(ctx.session, ctx.district)

    results = run_parallel(database_url, settings, host, [("worker", job)] * 6)
    sent = [r.due_soon for r in results if not isinstance(r, Exception)]
    assert sum(sent) == 1, results
    assert [n.kind for n in notices_of(seed, "social")].count("core.due_soon") == 1


def test_a_kind_switched_off_leaves_nothing_and_digest_kinds_go_to_the_digest(world, as_user, seed):
    """social turns mentions off and gets none; worker wants assignments in the digest: inbox now, digest later."""

    async def prefer(session):
        users = dict((await session.execute(select(User.username, User.id))).all())
        for_district(session, world["district_id"])
        await set_preferences(session, world["district_id"], users["social"], {"core.mentioned": (False, "instant")})
        await set_preferences(session, world["district_id"], users["worker"], {"core.assigned": (True, "digest")})

    seed(prefer)
    reference = new_request(as_user, who="social")
    act(as_user, "worker", reference, lambda ctx, case, d: service.comment(ctx, case, d, "@social 看一下"))
    assert notices_of(seed, "social") == []

    async def give_to_worker(ctx, case, definition):
        worker = (await ctx.session.execute(select(User.id).where(User.username == "worker"))).scalar_one()
        await service.assign(ctx, case, definition, worker)

    act(as_user, "social", reference, give_to_worker)
    (notice,) = notices_of(seed, "worker")
    assert notice.digest is True and notice.read_at is None

    async def digest(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        for_district(session, district.id)
        return await build_digests(session, district, [IN_APP]), await build_digests(session, district, [IN_APP])

    first, second = seed(digest)
    assert len(first) == 1 and first[0].username == "worker"
    assert first[0].lines == [f"social 把案件 {reference} 分配给了你：楼道垃圾"]
    assert "今日消息摘要（1 条）" in first[0].title
    assert second == []  # each notice is in one digest only


def test_notify_needs_a_district_and_skips_nobody(seed, world):
    """``notify`` refuses a session bound to no district, and ignores ``None`` and repeated recipients."""

    async def run(session):
        with pytest.raises(ValueError, match="district"):
            await notify(session, [1], "core.assigned", {})
        uid = (await session.execute(select(User.id).where(User.username == "worker"))).scalar_one()
        left = await notify(
            session, [uid, uid, None], "core.assigned", {"reference": "X"}, district_id=world["district_id"]
        )
        for_district(session, world["district_id"])
        return left, await unread_count(session, uid)

    assert seed(run) == (1, 1)


def test_notices_of_another_district_stay_there(world, as_user, seed):
    """A notice is district-scoped: a session bound to another district does not count it."""
    reference = new_request(as_user)
    act(as_user, "worker", reference, lambda ctx, case, d: service.comment(ctx, case, d, "@social 看一下"))

    async def count(session):
        uid = (await session.execute(select(User.id).where(User.username == "social"))).scalar_one()
        for_district(session, world["district_id"] + 1000)
        elsewhere = await unread_count(session, uid)
        for_district(session, world["district_id"])
        return elsewhere, await unread_count(session, uid), await session.scalar(select(Notification.kind))

    assert seed(count) == (0, 1, "core.mentioned")


def test_a_case_opened_for_someone_else_tells_them(world, as_user, seed):
    """Filing a case already assigned to social tells social; filing one for oneself tells nobody."""

    async def create_for(ctx, username):
        uid = (await ctx.session.execute(select(User.id).where(User.username == username))).scalar_one()
        case = await service.create_case(
            ctx, "resident_request", title="独居老人探访", data=dict(RESIDENT_REQUEST), channel="phone", assignee_id=uid
        )
        return case.reference

    reference = as_user("worker", lambda ctx: create_for(ctx, "social"))
    as_user("worker", lambda ctx: create_for(ctx, "worker"))
    assert [(n.kind, n.params["reference"]) for n in notices_of(seed, "social")] == [("core.assigned", reference)]
    assert notices_of(seed, "worker") == []


def test_the_scheduler_sends_due_soon_notices(world, as_user, seed, database_url):
    """The core's job notifications.due_soon (every 15 minutes, per district) tells the assignee, once."""
    import asyncio

    from core.db import create_engine, session_factory
    from core.plugins import PluginHost
    from core.scheduler import run_job_now

    reference = new_request(as_user)
    _assign_to_social(as_user, reference)
    _due(seed, reference, timedelta(hours=5))

    async def run_twice():
        engine = create_engine(database_url)
        try:
            factory = session_factory(engine)
            host = PluginHost.load(frozenset())
            first = await run_job_now(factory, host, "notifications.due_soon", district_code="haishu")
            second = await run_job_now(factory, host, "notifications.due_soon", district_code="haishu")
            return first, second
        finally:
            await engine.dispose()

    first, second = asyncio.run(run_twice())
    assert [o.status for o in first] == ["ok"] and [o.status for o in second] == ["ok"]
    assert [n.kind for n in notices_of(seed, "social")].count("core.due_soon") == 1
