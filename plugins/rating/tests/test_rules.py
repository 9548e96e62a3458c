"""The star rating's rules (invariants 15–19, scenarios R1–R4), through the service as each user."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.models import District, Notification
from core.organizations import standing_of
from core.organizations.service import get_organization
from core.refusal import Forbidden, NotFound, Refusal
from core.workdays.service import set_override
from plugins.rating import service
from plugins.rating.models import FollowUp, Rating, StandingStep
from plugins.rating.tests.support import delivered


def _refusal(coro_fn):
    """Run ``coro_fn`` and return the Chinese message of its refusal (None when it passed)."""

    async def run(ctx):
        try:
            await coro_fn(ctx)
        except Refusal as exc:
            return exc.zh
        return None

    return run


class TestWhoMayRate:
    def test_resident_rates_once_second_is_refused(self, world, as_user):
        """R1: the person served rates a verified service; a second rating of it is refused (一次一评)."""

        async def run(ctx):
            d = await delivered(ctx, world.youth, world.wang)
            first = await service.submit_rating(ctx, d, stars=5, channel="paper", comment="很好")
            with pytest.raises(Refusal) as second:
                await service.submit_rating(ctx, d, stars=1, channel="paper")
            count = (await ctx.session.execute(select(func.count()).select_from(Rating))).scalar_one()
            return first.stars, first.entered_by_id == ctx.user.id, second.value.zh, count

        stars, entered_by_staff, message, count = as_user("worker", run)
        assert (stars, entered_by_staff, count) == (5, True, 1)
        assert message == "这次服务已经评价过了（一次一评）"

    def test_own_page_only_for_the_person_served(self, world, as_user):
        """The resident rates their own service from their page; another resident cannot rate it."""
        did = as_user("worker", lambda ctx: _id(delivered(ctx, world.youth, world.wang)))

        async def other(ctx):
            with pytest.raises(Forbidden):
                await service.submit_rating(ctx, await _get(ctx, did), stars=4, channel="own_page")
            return True

        assert as_user("other", other)

        async def mine(ctx):
            rating = await service.submit_rating(ctx, await _get(ctx, did), stars=4, channel="own_page")
            return rating.rater_name, rating.rater_user_id == ctx.user.id

        assert as_user("resident", mine) == ("王阿姨", True)

    def test_unverified_and_cancelled_deliveries_are_refused(self, world, as_user):
        """A delivery not verified, or cancelled, cannot be rated."""

        async def run(ctx):
            plain = await delivered(ctx, world.youth, world.li, verified=False)
            gone = await delivered(ctx, world.youth, world.li, reference="test:gone")
            await service.deliveries.cancel(ctx.session, "test:gone")
            a = await _refusal(lambda c: service.submit_rating(c, plain, stars=5, channel="link"))(ctx)
            b = await _refusal(lambda c: service.submit_rating(c, gone, stars=5, channel="link"))(ctx)
            return a, b

        assert as_user("worker", run) == ("这次服务尚未核实，暂不能评价", "这次服务已取消，不能评价")

    def test_staff_and_members_of_the_organization_cannot_rate_it(self, world, as_user):
        """Staff of the rated organization may not rate (link) nor enter; a served member may not either."""
        did = as_user("worker", lambda ctx: _id(delivered(ctx, world.elderly, world.li)))
        member_did = as_user("worker", lambda ctx: _id(delivered(ctx, world.elderly, world.member_person)))

        async def by_link(ctx):
            return await _refusal(lambda c: _rate(c, did, "link"))(ctx)

        assert as_user("orgstaff", by_link) == "不能评价本组织提供的服务"
        assert as_user("member", by_link) == "不能评价本组织提供的服务"

        async def member_served(ctx):
            return await _refusal(lambda c: _rate(c, member_did, "paper"))(ctx)

        assert as_user("worker", member_served) == "不能评价本组织提供的服务"

    def test_window_after_the_service(self, world, as_user):
        """A rating 15 days after the service is refused (default window 14 days); at 13 days it is accepted."""

        async def run(ctx):
            late = await delivered(ctx, world.youth, world.li, ago=timedelta(days=15))
            fine = await delivered(ctx, world.youth, world.li, ago=timedelta(days=13))
            message = await _refusal(lambda c: service.submit_rating(c, late, stars=4, channel="paper"))(ctx)
            ok = await service.submit_rating(ctx, fine, stars=4, channel="paper")
            return message, ok.stars

        assert as_user("worker", run) == ("已超过评价期限（服务后 14 天内）", 4)

    def test_bad_input_is_refused(self, world, as_user):
        """Stars outside 1–5, a family rating without a name, an unknown channel: refused, nothing written."""

        async def run(ctx):
            d = await delivered(ctx, world.youth, world.li)
            out = []
            for kwargs in (
                {"stars": 6, "channel": "paper"},
                {"stars": "", "channel": "paper"},
                {"stars": 3, "channel": "paper", "rater_relation": "family"},
                {"stars": 3, "channel": "fax"},
                {"stars": 3, "channel": "paper", "dimensions": {"服务态度": 9}},
            ):
                out.append(await _refusal(lambda c, kw=kwargs: service.submit_rating(c, d, **kw))(ctx))
            count = (await ctx.session.execute(select(func.count()).select_from(Rating))).scalar_one()
            return out, count

        messages, count = as_user("worker", run)
        assert messages == [
            "星级只能是 1 到 5",
            "请选择 1 到 5 颗星",
            "家属代评请填写家属姓名",
            "评价渠道无效",
            "星级只能是 1 到 5",
        ]
        assert count == 0


class TestToken:
    def test_token_rates_its_delivery_only_and_once(self, world, as_user):
        """A token names its delivery; changed to another id it is refused; used twice, the second is refused."""

        async def run(ctx):
            a = await delivered(ctx, world.youth, world.li, reference="test:a")
            b = await delivered(ctx, world.youth, world.li, reference="test:b")
            token = service.token_for(ctx, a.id)
            forged = f"{b.id}-{token.split('-', 1)[1]}"
            with pytest.raises(NotFound):
                await service.delivery_for_token(ctx, forged)
            found = await service.delivery_for_token(ctx, token)
            await service.submit_rating(ctx, found, stars=2, channel="link")
            again = await _refusal(lambda c: service.submit_rating(c, found, stars=5, channel="link"))(ctx)
            return found.id == a.id, again

        assert as_user("worker", run) == (True, "这次服务已经评价过了（一次一评）")

    def test_token_of_another_district_is_refused(self, world, as_user):
        """A token made in 海曙区 is not valid in 鄞州区 (the signature covers the district)."""
        token = as_user("worker", lambda ctx: _token(ctx, world))

        async def look(ctx):
            with pytest.raises(NotFound):
                await service.delivery_for_token(ctx, token)
            return True

        assert as_user("yz-worker", look, code="yinzhou")


class TestFollowUp:
    def test_bad_rating_opens_follow_up_across_holiday_and_adjusted_working_day(self, world, as_user, seed):
        """R4: a 1-star rating on Monday 2026-11-02 is due 15 working days later: 11-23; with Wednesday 11-04 a
        holiday it is 11-24; with Saturday 11-07 also an adjusted working day it is 11-23 again."""
        when = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # 10:00 in Ningbo

        def due_with(overrides):
            async def prepare(session):
                district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
                for day, working in overrides:
                    await set_override(session, district, day, working=working)

            seed(prepare)

            async def rate(ctx):
                d = await delivered(ctx, world.youth, world.li, when=when, reference=f"test:fu:{overrides}")
                r = await service.submit_rating(ctx, d, stars=1, channel="paper", now=when + timedelta(hours=1))
                fu = (await ctx.session.execute(select(FollowUp).where(FollowUp.rating_id == r.id))).scalar_one()
                return fu.due_on

            return as_user("worker", rate)

        assert due_with([]) == date(2026, 11, 23)
        assert due_with([(date(2026, 11, 4), False)]) == date(2026, 11, 24)
        assert due_with([(date(2026, 11, 7), True)]) == date(2026, 11, 23)

    def test_follow_up_is_notified_answered_and_overdue(self, world, as_user, seed):
        """The organization's leader and its hub's staff are notified; the leader answers; open ones past due
        are in the overdue queue; a 3-star rating opens none."""

        async def rate(ctx):
            d1 = await delivered(ctx, world.elderly, world.li, reference="t:1")
            d2 = await delivered(ctx, world.elderly, world.li, reference="t:2")
            bad = await service.submit_rating(ctx, d1, stars=2, channel="paper")
            await service.submit_rating(ctx, d2, stars=3, channel="paper")
            fus = await service.follow_ups(ctx.session)
            return [f.rating_id for f in fus] == [bad.id], fus[0].id, fus[0].due_on

        only_bad, fu_id, due = as_user("worker", rate)
        assert only_bad

        async def notices(session):
            rows = await session.execute(select(Notification.user_id).where(Notification.kind == "rating.follow_up"))
            return sorted(rows.scalars())

        assert seed(notices) == sorted([world.users["orgstaff"], world.users["social"]])

        async def overdue(ctx):
            return [f.id for f in await service.follow_ups(ctx.session, overdue_on=due + timedelta(days=1))]

        assert as_user("worker", overdue) == [fu_id]

        async def outsider(ctx):
            with pytest.raises(Forbidden):
                await service.answer_follow_up(
                    ctx,
                    await service.get_follow_up(ctx.session, fu_id),
                    contact_note="x",
                    action_taken="x",
                    resident_response="x",
                )
            return True

        assert as_user("other", outsider)

        async def answer(ctx):
            fu = await service.get_follow_up(ctx.session, fu_id)
            await service.answer_follow_up(
                ctx, fu, contact_note="电话联系", action_taken="重新上门", resident_response="满意"
            )
            return fu.status, await service.follow_ups(ctx.session, overdue_on=due + timedelta(days=1))

        assert as_user("orgstaff", answer) == ("answered", [])


class TestAppeal:
    def test_upheld_appeal_voids_the_rating_and_scores_change(self, world, as_user):
        """R4: the organization appeals a 1-star rating as malicious; staff uphold it; it is kept, voided with
        the reason, and out of the ranking's count and mean."""

        async def rate(ctx):
            ids = []
            for n, stars in enumerate((5, 5, 1)):
                d = await delivered(ctx, world.elderly, world.li, reference=f"ap:{n}")
                ids.append((await service.submit_rating(ctx, d, stars=stars, channel="paper")).id)
            return ids

        ids = as_user("worker", rate)

        async def ranked(ctx):
            row = next(r for r in await service.ranking_for(ctx, service.Period.of(service.local_today())))
            return row.count, row.mean

        assert as_user("worker", ranked) == (3, 3.67)

        async def appeal(ctx):
            rating = await service.get_rating(ctx.session, ids[2])
            return (await service.file_appeal(ctx, rating, grounds="malicious", reason="与事实不符")).id

        appeal_id = as_user("orgstaff", appeal)

        async def member_decides(ctx):
            with pytest.raises(Forbidden):
                await service.decide_appeal(
                    ctx, await service.get_appeal(ctx.session, appeal_id), uphold=True, reason="x"
                )
            return True

        assert as_user("orgstaff", member_decides)

        async def decide(ctx):
            a = await service.decide_appeal(
                ctx, await service.get_appeal(ctx.session, appeal_id), uphold=True, reason="核实为恶意差评"
            )
            rating = await service.get_rating(ctx.session, ids[2])
            return a.status, rating.status, rating.void_reason

        assert as_user("worker", decide) == ("upheld", "voided", "核实为恶意差评")
        assert as_user("worker", ranked) == (2, 5.0)


class TestRanking:
    def test_formula_golden_values(self):
        """R2: m = 10, C = 4.2: two 5.0 ratings → 4.33; forty 4.6 ratings → 4.52. Wilson: 0/0 → 0, 2/2 below
        100/101, monotone in positives."""
        assert round(service.bayesian(2, 5.0, 10, 4.2), 2) == 4.33
        assert round(service.bayesian(40, 4.6, 10, 4.2), 2) == 4.52
        assert service.wilson_lower_bound(0, 0) == 0
        assert service.wilson_lower_bound(2, 2) < service.wilson_lower_bound(100, 101)
        assert round(service.wilson_lower_bound(2, 2), 3) == 0.342
        assert service.wilson_lower_bound(5, 10) < service.wilson_lower_bound(6, 10)

    def test_sql_ranking_matches_the_golden_values(self, world, as_user):
        """In SQL: A with two 5-star ratings scores 4.33, B with forty ratings of mean 4.6 scores 4.52 and is
        ranked above; with a minimum of 5, A is "insufficient ratings" (unranked) — also when C is the
        period's own mean."""

        async def run(ctx):
            for n in range(2):
                d = await delivered(ctx, world.elderly, world.li, reference=f"A:{n}")
                await service.submit_rating(ctx, d, stars=5, channel="paper")
            for n in range(40):
                d = await delivered(ctx, world.youth, world.li, reference=f"B:{n}")
                await service.submit_rating(ctx, d, stars=5 if n < 24 else 4, channel="paper")
            period = service.Period.of(service.local_today())
            fixed = await service.ranking(ctx.session, period, prior_weight=10, prior_mean=4.2, min_ratings=1)
            own = await service.ranking(ctx.session, period, prior_weight=10, min_ratings=5)
            return (
                [(r.organization_id, r.count, r.mean, r.bayesian, r.rank) for r in fixed],
                [(r.organization_id, r.rank, r.insufficient) for r in own],
                await service.prior_mean_of(ctx.session, period),
            )

        fixed, own, c = as_user("worker", run)
        assert fixed == [(world.youth, 40, 4.6, 4.52, 1), (world.elderly, 2, 5.0, 4.33, 2)]
        assert own == [(world.youth, 1, False), (world.elderly, None, True)]
        assert round(c, 4) == round(194 / 42, 4)

        async def elsewhere(ctx):
            return await service.ranking(
                ctx.session, service.Period.of(service.local_today()), prior_weight=10, min_ratings=1
            )

        assert as_user("yz-worker", elsewhere, "yinzhou") == []  # 鄞州 sees none of 海曙's ratings


class TestStanding:
    def test_probation_then_removal_with_appeal_window_and_insufficient_never_eliminated(self, world, as_user, seed):
        """R3: bottom two periods running with enough ratings → probation, in force only after the appeal
        window; bottom again while on probation → removed (blocks); an organization with too few (bad)
        ratings is never put on probation; the top one is honoured."""
        q2, q3, q4 = service.Period.parse("2026Q2"), service.Period.parse("2026Q3"), service.Period.parse("2026Q4")

        async def rate_period(ctx, period, tag):
            day = datetime.combine(period.start + timedelta(days=10), datetime.min.time(), tzinfo=UTC)
            for org, stars, count in ((world.elderly, 2, 5), (world.youth, 5, 5), (world.hub, 1, 2)):
                for n in range(count):
                    d = await delivered(ctx, org, world.li, when=day, reference=f"{tag}:{org}:{n}")
                    await service.submit_rating(ctx, d, stars=stars, channel="paper", now=day + timedelta(hours=1))

        for period in (q2, q3, q4):
            as_user("worker", lambda ctx, p=period: rate_period(ctx, p, p.key))

        async def evaluate(ctx, period, today):
            made = await service.evaluate_period(ctx, period, today=today)
            return sorted((s.organization_id, s.status, s.effective_on) for s in made)

        q3_end = date(2026, 10, 8)
        made = as_user("worker", lambda ctx: evaluate(ctx, q3, q3_end))
        assert made == [(world.elderly, "probation", date(2026, 10, 18)), (world.youth, "honoured", q3_end)]

        async def standing(ctx, today):
            step = await service.standing_for(ctx, world.elderly, today=today)
            return step.status if step else None

        assert as_user("worker", lambda ctx: standing(ctx, date(2026, 10, 17))) is None  # still in the window
        assert as_user("worker", lambda ctx: standing(ctx, date(2026, 10, 18))) == "probation"
        assert all(step[0] != world.hub for step in made)  # two 1-star ratings: insufficient, never eliminated

        made = as_user("worker", lambda ctx: evaluate(ctx, q4, date(2027, 1, 5)))
        assert (world.elderly, "removed", date(2027, 1, 15)) in made
        assert as_user("worker", lambda ctx: evaluate(ctx, q4, date(2027, 1, 5))) == []  # idempotent

        async def appeal_and_look(ctx):
            step = next(
                s for s in await service.steps(ctx.session, organization_id=world.elderly) if s.status == "removed"
            )
            await service.file_standing_appeal(ctx, step, reason="已整改", today=date(2027, 1, 6))
            return step.id

        step_id = as_user("orgstaff", appeal_and_look)
        # A pending appeal holds the removal back: the earlier probation is what is in force.
        assert as_user("worker", lambda ctx: standing(ctx, date(2027, 1, 20))) == "probation"

        async def reject(ctx):
            await service.decide_standing_appeal(
                ctx, await service.get_step(ctx.session, step_id), uphold=False, reason="整改不足"
            )

        as_user("worker", reject)
        assert as_user("worker", lambda ctx: standing(ctx, date(2027, 1, 20))) == "removed"


def test_hook_organization_standing_reports_probation_today(world, as_user):
    """organization_standing: a probation past its window is reported to other modules (blocks only when removed)."""

    async def run(ctx):
        today = service.local_today()
        ctx.session.add(
            StandingStep(
                district_id=ctx.district.id,
                organization_id=world.elderly,
                period="2026Q3",
                status="probation",
                decided_on=today - timedelta(days=20),
                effective_on=today - timedelta(days=10),
            )
        )
        await ctx.session.flush()
        org = await get_organization(ctx.session, ctx.district, world.elderly)
        other = await get_organization(ctx.session, ctx.district, world.youth)
        found = await standing_of(ctx, org)
        return [(s.status, s.source, s.blocks) for s in found], await standing_of(ctx, other)

    assert as_user("worker", run) == ([("probation", "rating", False)], [])


def test_hook_service_delivered_invites_the_resident(world, as_user, seed):
    """A verified delivery to a resident with a login leaves them an invitation whose link opens the phone page."""

    async def run(ctx):
        d = await delivered(ctx, world.youth, world.wang)
        return service.token_for(ctx, d.id)

    token = as_user("worker", run)

    async def links(session):
        rows = await session.execute(
            select(Notification.user_id, Notification.link).where(Notification.kind == "rating.invite")
        )
        return list(rows.tuples())

    assert seed(links) == [(world.users["resident"], f"/d/haishu/rating/r/{token}")]


# -- helpers ------------------------------------------------------------------------------------


async def _id(coro):
    return (await coro).id


async def _get(ctx, delivery_id):
    return await service.deliveries.get_delivery(ctx.session, delivery_id)


async def _rate(ctx, delivery_id, channel):
    return await service.submit_rating(ctx, await _get(ctx, delivery_id), stars=1, channel=channel)


async def _token(ctx, world):
    d = await delivered(ctx, world.youth, world.li)
    return service.token_for(ctx, d.id)
