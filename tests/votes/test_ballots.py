"""Ballots: one per voter, changing where allowed, the window, the frozen electorate, staff-entered channels."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from core import votes
from core.db.base import utcnow
from core.models.votes import VoteBallot, VoteParticipation
from tests.votes.conftest import cast, close, new_vote, people, result, shift_window


class TestOneBallotPerVoter:
    def test_a_second_ballot_is_refused_and_the_first_stands(self, db, world):
        """Voting twice where changing is not allowed raises AlreadyVoted; the count stays one for."""
        vote = new_vote(db, world, people(3))
        cast(db, vote, "p0", "for")
        with pytest.raises(votes.AlreadyVoted, match="已经投过票"):
            cast(db, vote, "p0", "against")
        res = close(db, vote)
        assert [(o.option, o.heads) for o in res.options][:2] == [("for", 1), ("against", 0)]

    def test_a_second_ballot_replaces_the_first_while_open_when_allowed(self, db, world):
        """With changing allowed the later ballot counts, the earlier one is kept and marked replaced."""
        vote = new_vote(db, world, people(3), rules=votes.Rules.simple_majority().changeable())
        first = cast(db, vote, "p0", "for")
        second = cast(db, vote, "p0", "against", channel="paper", entered_by_id=world["clerk"])
        assert (first.replaced, second.replaced) == (False, True)
        res = close(db, vote)
        assert (res.options[0].heads, res.options[1].heads, res.ballots) == (0, 1, 1)
        history = db(lambda s: votes.named_ballots(s, vote, include_replaced=True))
        assert [(b.choice, b.channel, b.replaced_at is not None) for b in history] == [
            ("for", "online", True),
            ("against", "paper", False),
        ]

    def test_no_change_after_closing(self, db, world):
        """Once closed, even a vote that allows changing refuses ballots (VoteNotOpen)."""
        vote = new_vote(db, world, people(2), rules=votes.Rules.simple_majority().changeable())
        cast(db, vote, "p0", "for")
        close(db, vote)
        with pytest.raises(votes.VoteNotOpen, match="已结束"):
            cast(db, vote, "p0", "against")


class TestWindow:
    def test_a_ballot_before_the_opening_time_is_refused(self, db, world):
        """An opened vote whose window starts in an hour refuses ballots until then."""
        vote = new_vote(db, world, people(2))
        shift_window(db, vote, timedelta(hours=1), timedelta(hours=2))
        with pytest.raises(votes.VoteNotOpen, match="尚未到开始时间"):
            cast(db, vote, "p0", "for")

    def test_a_ballot_after_the_closing_time_is_refused(self, db, world):
        """A vote past its closing time refuses ballots even before close_vote is called."""
        vote = new_vote(db, world, people(2))
        shift_window(db, vote, timedelta(hours=-2), timedelta(seconds=-1))
        with pytest.raises(votes.VoteNotOpen, match="已过截止时间"):
            cast(db, vote, "p0", "for")

    def test_a_draft_takes_no_ballot_and_has_no_result(self, db, world):
        """Before open_vote there is no electorate: ballots are VoteNotOpen, results WrongStatus."""
        vote = new_vote(db, world, people(2), open_=False)
        with pytest.raises(votes.VoteNotOpen, match="尚未开启"):
            cast(db, vote, "p0", "for")
        with pytest.raises(votes.WrongStatus):
            result(db, vote)

    def test_a_window_that_ends_before_it_starts_is_refused(self, db, world):
        """create_vote refuses closes_at before opens_at, and naive datetimes."""
        now = utcnow()

        async def create(session, opens, closes):
            return await votes.create_vote(
                session,
                district_id=world["haishu"],
                subject_ref="case:HS-2026-000123",
                title="t",
                method="for_against_abstain",
                options=None,
                rules=votes.Rules.simple_majority(),
                secrecy="named",
                opens_at=opens,
                closes_at=closes,
                created_by_id=None,
            )

        with pytest.raises(votes.InvalidRequest, match="截止时间必须晚于开始时间"):
            db(lambda s: create(s, now, now - timedelta(hours=1)))
        with pytest.raises(votes.InvalidRequest, match="带时区"):
            db(lambda s: create(s, now.replace(tzinfo=None), now.replace(tzinfo=None) + timedelta(hours=1)))


class TestElectorate:
    def test_a_voter_outside_the_frozen_electorate_is_refused(self, db, world):
        """voter_ref not copied at opening: NotInElectorate."""
        vote = new_vote(db, world, people(2))
        with pytest.raises(votes.NotInElectorate, match="不在表决"):
            cast(db, vote, "p9", "for")

    def test_the_electorate_is_frozen_at_opening(self, db, world):
        """Opening twice is refused; the electorate reads back as given, weights exact."""
        electorate = [votes.Voter("h1", None, Decimal("89.37")), votes.Voter("h2", world["clerk"], 120)]
        vote = new_vote(db, world, electorate)
        with pytest.raises(votes.WrongStatus):
            db(lambda s: votes.open_vote(s, vote, people(5)))
        assert db(lambda s: votes.electorate(s, vote)) == electorate
        res = result(db, vote)
        assert (res.electorate_heads, res.electorate_weight) == (2, Decimal("209.37"))

    @pytest.mark.parametrize(
        ("electorate", "message"),
        [
            ([], "选民名单不能为空"),
            ([votes.Voter("a"), votes.Voter("a")], "出现两次"),
            ([votes.Voter("a", None, 89.5)], "不能是 float"),
            ([votes.Voter("a", None, 0)], "必须为正数"),
            ([votes.Voter("a", None, Decimal("NaN"))], "必须为正数"),
            ([votes.Voter("a", 999_999)], "不存在的用户"),
        ],
    )
    def test_a_bad_electorate_is_refused(self, db, world, electorate, message):
        """Empty, repeated, float, zero or NaN weights: InvalidElectorate, and the vote stays a draft."""
        vote = new_vote(db, world, [], open_=False)
        with pytest.raises(votes.InvalidElectorate, match=message):
            db(lambda s: votes.open_vote(s, vote, electorate))
        assert db(lambda s: votes.get_vote(s, vote)).status == "draft"


class TestStaffEnteredBallots:
    @pytest.mark.parametrize("channel", ["paper", "hands", "door_to_door"])
    def test_channel_and_clerk_are_recorded(self, db, world, channel):
        """A paper, hand or door-to-door ballot records its channel and the staff member who entered it."""
        vote = new_vote(db, world, people(2))
        receipt = cast(db, vote, "p0", "for", channel=channel, entered_by_id=world["clerk"])
        assert (receipt.channel, receipt.entered_by_id) == (channel, world["clerk"])
        (ballot,) = db(lambda s: votes.named_ballots(s, vote))
        assert (ballot.voter_ref, ballot.channel, ballot.entered_by_id) == ("p0", channel, world["clerk"])

        async def participation(session):
            row = (await session.execute(select(VoteParticipation))).scalar_one()
            return row.channel, row.entered_by_id

        assert db(participation) == (channel, world["clerk"])

    def test_a_staff_channel_without_a_clerk_is_refused(self, db, world):
        """Paper without entered_by_id, or online with one, is an InvalidRequest; an unknown channel too."""
        vote = new_vote(db, world, people(2))
        with pytest.raises(votes.InvalidRequest, match="须记录录入的工作人员"):
            cast(db, vote, "p0", "for", channel="paper")
        with pytest.raises(votes.InvalidRequest, match="本人投出"):
            cast(db, vote, "p0", "for", entered_by_id=world["clerk"])
        with pytest.raises(votes.InvalidRequest, match="未知的投票渠道"):
            cast(db, vote, "p0", "for", channel="wechat", entered_by_id=world["clerk"])

    def test_a_stack_of_door_to_door_ballots_is_entered_at_once(self, db, world):
        """enter_ballots records each ballot with its channel and clerk and counts them like single ballots."""
        vote = new_vote(db, world, people(4))
        stack = [("p0", "for"), ("p1", "for"), ("p2", "against")]
        clerk = world["clerk"]
        entered = db(lambda s: votes.enter_ballots(s, vote, stack, channel="door_to_door", entered_by_id=clerk))
        assert entered == 3
        ballots = db(lambda s: votes.named_ballots(s, vote))
        assert sorted((b.voter_ref, b.choice, b.channel, b.entered_by_id) for b in ballots) == [
            ("p0", "for", "door_to_door", world["clerk"]),
            ("p1", "for", "door_to_door", world["clerk"]),
            ("p2", "against", "door_to_door", world["clerk"]),
        ]
        res = close(db, vote)
        assert (res.participating_heads, res.options[0].heads, res.options[1].heads) == (3, 2, 1)

    def test_a_stack_with_one_bad_ballot_is_refused_whole(self, db, world):
        """A voter who already voted, one outside the electorate, or one twice: nothing of the stack is entered."""
        vote = new_vote(db, world, people(4))
        cast(db, vote, "p0", "for")
        clerk = world["clerk"]
        for stack, error in (
            ([("p1", "for"), ("p0", "against")], votes.AlreadyVoted),
            ([("p1", "for"), ("x9", "for")], votes.NotInElectorate),
            ([("p1", "for"), ("p1", "against")], votes.InvalidRequest),
            ([("p1", "for"), ("p2", "maybe")], votes.InvalidChoice),
        ):
            with pytest.raises(error):
                db(lambda s, stack=stack: votes.enter_ballots(s, vote, stack, channel="paper", entered_by_id=clerk))
        with pytest.raises(votes.InvalidRequest, match="批量录入只用于"):
            db(lambda s: votes.enter_ballots(s, vote, [("p1", "for")], channel="online", entered_by_id=clerk))
        assert result(db, vote).participating_heads == 1

    def test_online_ballots_record_the_time_and_no_clerk(self, db, world):
        """An online ballot of a named vote stores its time and no entered_by."""
        vote = new_vote(db, world, people(1))
        cast(db, vote, "p0", "for")
        ballot = db(lambda s: _one(s, VoteBallot))
        assert (ballot.channel, ballot.entered_by_id, ballot.cast_at is not None) == ("online", None, True)


class TestDistricts:
    def test_a_vote_of_another_district_is_unknown_in_a_district_session(self, db, world):
        """A session bound to 鄞州区 can't see or vote in 海曙's vote; creating for 海曙 there is CrossDistrict."""
        from core.db.tenancy import for_district

        vote = new_vote(db, world, people(1))

        async def vote_from_yinzhou(session):
            for_district(session, world["yinzhou"])
            return await votes.cast_ballot(session, vote, voter_ref="p0", choice="for")

        with pytest.raises(votes.UnknownVote):
            db(vote_from_yinzhou)

        async def create_from_yinzhou(session):
            for_district(session, world["yinzhou"])
            now = utcnow()
            return await votes.create_vote(
                session,
                district_id=world["haishu"],
                subject_ref="x:1",
                title="t",
                method="for_against_abstain",
                options=None,
                rules=votes.Rules.simple_majority(),
                secrecy="named",
                opens_at=now,
                closes_at=now + timedelta(hours=1),
                created_by_id=None,
            )

        with pytest.raises(votes.CrossDistrict):
            db(create_from_yinzhou)


async def _one(session, model):
    return (await session.execute(select(model))).scalar_one()
