"""Each method counts its ballots: for/against/abstain, single choice, multiple choice with a maximum, score 0–5."""

from __future__ import annotations

from fractions import Fraction

import pytest

from core import votes
from tests.votes.conftest import cast, cast_many, close, new_vote, people

PLANS = ["方案一：划线收费", "方案二：道闸刷卡", "方案三：维持现状"]


class TestForAgainstAbstain:
    def test_counts_each_option_and_passes_on_a_majority_of_participants(self, db, world):
        """3 for, 1 against, 1 abstain of 6: for has 3/5 of participants, more than half: PASSED."""
        vote = new_vote(db, world, people(6))
        cast_many(db, vote, {"p0": "for", "p1": "for", "p2": "for", "p3": "against", "p4": "abstain"})
        res = close(db, vote)
        assert [(o.option, o.heads) for o in res.options] == [("for", 3), ("against", 1), ("abstain", 1)]
        assert (res.participating_heads, res.blank_heads, res.electorate_heads) == (5, 1, 6)
        assert res.outcome is votes.Outcome.PASSED
        assert res.decided_by == "pass" and res.winners == ("for",)
        (check,) = res.checks
        assert (check.rule, check.part, check.whole, check.threshold.fraction) == ("pass_heads", 3, 5, Fraction(1, 2))

    def test_abstentions_count_against_a_majority_of_participants(self, db, world):
        """2 for, 1 against, 1 abstain: 2/4 is not more than half of participants: FAILED on pass_heads."""
        vote = new_vote(db, world, people(4))
        cast_many(db, vote, {"p0": "for", "p1": "for", "p2": "against", "p3": "abstain"})
        res = close(db, vote)
        assert (res.outcome, res.decided_by) == (votes.Outcome.FAILED, "pass_heads")

    def test_with_the_cast_base_abstentions_are_left_out(self, db, world):
        """The same ballots under a majority of votes cast (for + against): 2/3 passes."""
        vote = new_vote(db, world, people(4), rules=votes.Rules.simple_majority(base="cast"))
        cast_many(db, vote, {"p0": "for", "p1": "for", "p2": "against", "p3": "abstain"})
        res = close(db, vote)
        assert res.outcome is votes.Outcome.PASSED
        assert (res.checks[0].part, res.checks[0].whole) == (2, 3)

    def test_anything_but_for_against_abstain_is_refused(self, db, world):
        """A choice of 'yes' is an InvalidChoice and writes nothing."""
        vote = new_vote(db, world, people(2))
        with pytest.raises(votes.InvalidChoice, match="无效的选择"):
            cast(db, vote, "p0", "yes")
        assert close(db, vote).ballots == 0


class TestSingleChoice:
    def test_the_option_with_most_votes_wins_if_it_meets_the_threshold(self, db, world):
        """3 of 5 choose 方案二: more than half: PASSED with 方案二 the winner."""
        vote = new_vote(db, world, people(5), method="single", options=PLANS)
        cast_many(db, vote, {"p0": PLANS[1], "p1": PLANS[1], "p2": PLANS[1], "p3": PLANS[0], "p4": None})
        res = close(db, vote)
        assert res.outcome is votes.Outcome.PASSED and res.winners == (PLANS[1],)
        assert [o.heads for o in res.options] == [1, 3, 0]
        assert res.blank_heads == 1

    def test_a_tie_at_the_top_fails_and_lists_the_tie(self, db, world):
        """Two options with 2 votes each under plurality: FAILED, decided by the tie, both listed."""
        vote = new_vote(db, world, people(5), method="single", options=PLANS, rules=votes.Rules.plurality())
        cast_many(db, vote, {"p0": PLANS[0], "p1": PLANS[0], "p2": PLANS[2], "p3": PLANS[2], "p4": PLANS[1]})
        res = close(db, vote)
        assert (res.outcome, res.decided_by, res.tied) == (votes.Outcome.FAILED, "tie", (PLANS[0], PLANS[2]))

    def test_plurality_elects_a_leader_without_a_majority(self, db, world):
        """2 of 5 for 方案一, the rest split: the unique leader wins under plurality."""
        vote = new_vote(db, world, people(5), method="single", options=PLANS, rules=votes.Rules.plurality())
        cast_many(db, vote, {"p0": PLANS[0], "p1": PLANS[0], "p2": PLANS[1], "p3": PLANS[2]})
        assert close(db, vote).winners == (PLANS[0],)

    def test_an_unknown_option_is_refused(self, db, world):
        """A choice that is not one of the options is an InvalidChoice."""
        vote = new_vote(db, world, people(2), method="single", options=PLANS)
        with pytest.raises(votes.InvalidChoice):
            cast(db, vote, "p0", "方案四")


class TestMultipleChoice:
    def test_each_option_meeting_the_threshold_wins_ranked_by_votes(self, db, world):
        """Approval with at most 2 picks: options chosen by more than half of participants win, most votes first."""
        vote = new_vote(db, world, people(4), method="multiple", options=PLANS, max_choices=2)
        cast_many(
            db,
            vote,
            {"p0": [PLANS[0], PLANS[1]], "p1": [PLANS[1], PLANS[0]], "p2": [PLANS[1]], "p3": []},
        )
        res = close(db, vote)
        assert [o.heads for o in res.options] == [2, 3, 0]
        assert res.winners == (PLANS[1],)  # 方案一 has 2/4, not more than half
        assert res.blank_heads == 1 and res.outcome is votes.Outcome.PASSED

    def test_more_picks_than_the_maximum_are_refused(self, db, world):
        """Three picks where two are allowed is an InvalidChoice; a repeated pick too."""
        vote = new_vote(db, world, people(2), method="multiple", options=PLANS, max_choices=2)
        with pytest.raises(votes.InvalidChoice, match="最多可选 2 项"):
            cast(db, vote, "p0", PLANS)
        with pytest.raises(votes.InvalidChoice):
            cast(db, vote, "p0", [PLANS[0], PLANS[0]])

    def test_no_option_meeting_the_threshold_fails(self, db, world):
        """Votes spread so that no option has more than half: FAILED."""
        vote = new_vote(db, world, people(3), method="multiple", options=PLANS, max_choices=1)
        cast_many(db, vote, {"p0": [PLANS[0]], "p1": [PLANS[1]], "p2": [PLANS[2]]})
        res = close(db, vote)
        assert (res.outcome, res.decided_by, res.winners) == (votes.Outcome.FAILED, "pass_heads", ())

    def test_a_multiple_vote_needs_a_maximum(self):
        """Creating a multiple-choice vote without max_choices is refused before touching the database."""
        from core.votes.choices import check_options

        with pytest.raises(votes.InvalidRequest):
            check_options("multiple", PLANS, None)


class TestScore:
    def test_points_means_and_the_winner(self, db, world):
        """Scores 0–5 on every option: totals, exact means, the top total wins if above half the possible points."""
        vote = new_vote(db, world, people(3), method="score", options=PLANS)
        cast_many(
            db,
            vote,
            {
                "p0": {PLANS[0]: 5, PLANS[1]: 4, PLANS[2]: 0},
                "p1": {PLANS[0]: 4, PLANS[1]: 5, PLANS[2]: 1},
                "p2": {PLANS[0]: 5, PLANS[1]: 2, PLANS[2]: 0},
            },
        )
        res = close(db, vote)
        assert [o.points for o in res.options] == [14, 11, 1]
        assert res.options[0].mean == Fraction(14, 3)
        assert res.winners == (PLANS[0],) and res.outcome is votes.Outcome.PASSED
        assert (res.checks[0].part, res.checks[0].whole) == (14, 15)

    def test_scores_outside_0_to_5_or_missing_options_are_refused(self, db, world):
        """A 6, a negative score, a float or an unscored option is an InvalidChoice."""
        vote = new_vote(db, world, people(1), method="score", options=PLANS)
        for bad in (
            {PLANS[0]: 6, PLANS[1]: 0, PLANS[2]: 0},
            {PLANS[0]: -1, PLANS[1]: 0, PLANS[2]: 0},
            {PLANS[0]: 2.5, PLANS[1]: 0, PLANS[2]: 0},
            {PLANS[0]: 3},
        ):
            with pytest.raises(votes.InvalidChoice):
                cast(db, vote, "p0", bad)

    def test_equal_top_totals_fail_as_a_tie(self, db, world):
        """Two options with the same total points: FAILED, decided by the tie."""
        vote = new_vote(db, world, people(2), method="score", options=PLANS[:2])
        cast_many(db, vote, {"p0": {PLANS[0]: 5, PLANS[1]: 3}, "p1": {PLANS[0]: 3, PLANS[1]: 5}})
        res = close(db, vote)
        assert (res.outcome, res.decided_by, res.tied) == (votes.Outcome.FAILED, "tie", tuple(PLANS[:2]))
