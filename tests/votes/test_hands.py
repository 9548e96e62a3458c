"""Shows of hands: counts with an attestation, toward participation and quorum, never beyond the electorate."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core import votes
from core.models.votes import VoteHandCount
from tests.votes.conftest import cast, close, households, new_vote, people, result

PLANS = ["方案一", "方案二"]


def hands(db, world, vote_id, counts, **kw):
    """Record a show of hands attested by the secretary and entered by the clerk."""
    kw.setdefault("attested_by_id", world["secretary"])
    kw.setdefault("entered_by_id", world["clerk"])
    kw.setdefault("note", "议事会现场举手表决")
    return db(lambda s: votes.record_show_of_hands(s, vote_id, counts=counts, **kw))


class TestCounting:
    def test_hands_count_toward_options_and_participation_with_the_attestation_kept(self, db, world):
        """7 for, 2 against, 1 abstain by hands plus one online for: 8 for of 11 participants, PASSED."""
        vote = new_vote(db, world, people(15))
        cast(db, vote, "p0", "for")
        hands(db, world, vote, {"for": 7, "against": 2, "abstain": 1})
        res = close(db, vote)
        assert [(o.option, o.heads) for o in res.options] == [("for", 8), ("against", 2), ("abstain", 1)]
        assert (res.ballots, res.hands, res.participating_heads, res.blank_heads) == (1, 10, 11, 1)
        assert res.outcome is votes.Outcome.PASSED

        async def stored(session):
            row = (await session.execute(select(VoteHandCount))).scalar_one()
            return row.counts, row.heads, row.attested_by_id, row.entered_by_id, row.note

        assert db(stored) == (
            {"for": 7, "against": 2, "abstain": 1},
            10,
            world["secretary"],
            world["clerk"],
            "议事会现场举手表决",
        )

    def test_hands_make_the_quorum_by_headcount(self, db, world):
        """A quorum of half of 10: 4 ballots are short; 1 more raised hand makes it."""
        rules = votes.Rules.simple_majority().with_quorum(votes.Threshold.at_least(1, 2))
        vote = new_vote(db, world, people(10), rules=rules)
        for n in range(4):
            cast(db, vote, f"p{n}", "for")
        assert result(db, vote).outcome is votes.Outcome.NO_QUORUM
        hands(db, world, vote, {"for": 1})
        res = close(db, vote)
        assert (res.outcome, res.participating_heads) == (votes.Outcome.PASSED, 5)

    def test_single_choice_hands_with_abstentions(self, db, world):
        """Hands for a single-choice vote: per option, 'abstain' counted as blank."""
        vote = new_vote(db, world, people(9), method="single", options=PLANS)
        hands(db, world, vote, {PLANS[0]: 5, PLANS[1]: 2, "abstain": 2})
        res = close(db, vote)
        assert ([o.heads for o in res.options], res.blank_heads, res.winners) == ([5, 2], 2, (PLANS[0],))

    def test_a_named_vote_with_hands_shows_no_weight(self, db, world):
        """Raised hands carry no floor area, so the result's participating weight is None."""
        vote = new_vote(db, world, people(3))
        hands(db, world, vote, {"for": 2})
        assert close(db, vote).participating_weight is None


class TestLimits:
    def test_ballots_and_hands_never_exceed_the_electorate(self, db, world):
        """5 electors: 2 ballots + 3 hands fill it; a 4th hand and any further ballot are ElectorateExhausted."""
        vote = new_vote(db, world, people(5))
        cast(db, vote, "p0", "for")
        cast(db, vote, "p1", "against")
        with pytest.raises(votes.ElectorateExhausted):
            hands(db, world, vote, {"for": 4})
        hands(db, world, vote, {"for": 3})
        with pytest.raises(votes.ElectorateExhausted, match="已全部计入"):
            cast(db, vote, "p2", "for")
        assert result(db, vote).participating_heads == 5

    @pytest.mark.parametrize(
        ("kind", "message"),
        [("weighted", "举手无法计面积"), ("anonymous", "不记名"), ("multiple", "只用于"), ("score", "只用于")],
    )
    def test_refused_where_hands_cannot_be_counted(self, db, world, kind, message):
        """Weighted rules, anonymous votes, multiple choice and score refuse a show of hands."""
        if kind == "weighted":
            vote = new_vote(db, world, households("90", "80"), rules=votes.Rules.owners_ordinary())
        elif kind == "anonymous":
            vote = new_vote(db, world, people(2), secrecy="anonymous")
        elif kind == "multiple":
            vote = new_vote(db, world, people(2), method="multiple", options=PLANS, max_choices=1)
        else:
            vote = new_vote(db, world, people(2), method="score", options=PLANS)
        with pytest.raises(votes.ShowOfHandsRefused, match=message):
            hands(db, world, vote, {"for": 1} if kind in ("weighted", "anonymous") else {PLANS[0]: 1})

    @pytest.mark.parametrize("counts", [{}, {"for": 0}, {"yes": 2}, {"for": -1}, {"for": 1.5}])
    def test_bad_counts_are_refused(self, db, world, counts):
        """Empty, all-zero, unknown option, negative or fractional counts are InvalidChoice."""
        vote = new_vote(db, world, people(5))
        with pytest.raises(votes.InvalidChoice):
            hands(db, world, vote, counts)

    def test_an_attestation_is_required(self, db, world):
        """Without attested_by_id the show of hands is refused."""
        vote = new_vote(db, world, people(5))
        with pytest.raises(votes.InvalidRequest, match="监票人"):
            hands(db, world, vote, {"for": 1}, attested_by_id=None)

    def test_no_hands_after_closing(self, db, world):
        """A closed vote refuses a show of hands (VoteNotOpen)."""
        vote = new_vote(db, world, people(5))
        close(db, vote)
        with pytest.raises(votes.VoteNotOpen):
            hands(db, world, vote, {"for": 1})
