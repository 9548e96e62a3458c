"""Rule presets and both thresholds (headcount and floor area) at their exact boundaries."""

from __future__ import annotations

from fractions import Fraction

import pytest

from core import votes
from tests.votes.conftest import cast_many, close, households, new_vote, people

Outcome = votes.Outcome


def ballots(**by_choice: list[str]) -> dict[str, str]:
    """``ballots(for_=["h0"], against=["h1"])`` → ``{"h0": "for", "h1": "against"}``."""
    return {ref: choice.rstrip("_") for choice, refs in by_choice.items() for ref in refs}


def refs(*numbers: int, prefix: str = "h") -> list[str]:
    return [f"{prefix}{n}" for n in numbers]


class TestThreshold:
    def test_at_least_counts_the_bound_itself_and_more_than_does_not(self):
        """以上 includes the number (Civil Code art. 1259); 过半数 needs more than half."""
        assert votes.Threshold.at_least(2, 3).met(2, 3)
        assert not votes.Threshold.more_than(1, 2).met(1, 2)
        assert votes.Threshold.more_than(1, 2).met(3, 5)

    def test_a_zero_whole_never_meets_a_threshold(self):
        """With nobody in the base, even 'at least 0' is not met."""
        assert not votes.Threshold.at_least(0, 1).met(0, 0)

    def test_floats_and_fractions_outside_0_1_are_refused(self):
        """A float threshold, or 3/2, is an InvalidRequest."""
        with pytest.raises(votes.InvalidRequest, match="精确分数"):
            votes.Threshold(0.5)  # type: ignore[arg-type]
        with pytest.raises(votes.InvalidRequest):
            votes.Threshold(Fraction(3, 2))

    def test_rules_are_stored_as_numerator_and_denominator_and_read_back_equal(self, db, world):
        """Every preset survives the round trip through the vote row unchanged."""
        for name, preset in votes.PRESETS.items():
            vote = new_vote(db, world, people(1), rules=preset().with_quorum(votes.Threshold.at_least(1, 3)))

            async def read(session, vote=vote):
                return votes.rules_of(await votes.get_vote(session, vote))

            assert db(read) == preset().with_quorum(votes.Threshold.at_least(1, 3)), name


class TestSimpleMajority:
    def test_exactly_half_for_is_a_tie_and_fails(self, db, world):
        """2 for, 2 against: FAILED, decided by the tie rule."""
        vote = new_vote(db, world, people(4))
        cast_many(db, vote, ballots(for_=refs(0, 1, prefix="p"), against=refs(2, 3, prefix="p")))
        res = close(db, vote)
        assert (res.outcome, res.decided_by, res.tied) == (Outcome.FAILED, "tie", ("for", "against"))

    def test_one_more_than_half_passes(self, db, world):
        """3 for, 2 against: PASSED."""
        vote = new_vote(db, world, people(5))
        cast_many(db, vote, ballots(for_=refs(0, 1, 2, prefix="p"), against=refs(3, 4, prefix="p")))
        assert close(db, vote).outcome is Outcome.PASSED

    def test_an_absolute_majority_counts_the_whole_electorate(self, db, world):
        """Base electorate: 5 for of 10 electors is not more than half; 6 is."""
        rules = votes.Rules.simple_majority(base="electorate")
        five = new_vote(db, world, people(10), rules=rules)
        cast_many(db, five, ballots(for_=refs(0, 1, 2, 3, 4, prefix="p")))
        res = close(db, five)
        assert (res.outcome, res.checks[-1].part, res.checks[-1].whole) == (Outcome.FAILED, 5, 10)
        six = new_vote(db, world, people(10), rules=rules)
        cast_many(db, six, ballots(for_=refs(0, 1, 2, 3, 4, 5, prefix="p")))
        assert close(db, six).outcome is Outcome.PASSED

    def test_a_quorum_by_headcount_not_reached_is_no_quorum(self, db, world):
        """Half of 10 must take part: 4 unanimous ballots are NO_QUORUM, decided by quorum_heads."""
        rules = votes.Rules.simple_majority().with_quorum(votes.Threshold.at_least(1, 2))
        vote = new_vote(db, world, people(10), rules=rules)
        cast_many(db, vote, ballots(for_=refs(0, 1, 2, 3, prefix="p")))
        res = close(db, vote)
        assert (res.outcome, res.decided_by) == (Outcome.NO_QUORUM, "quorum_heads")
        assert "参与表决人数 4/10" in res.reason_zh

    def test_nobody_voting_fails(self, db, world):
        """A vote closed without ballots and without a quorum rule is FAILED, not PASSED."""
        vote = new_vote(db, world, people(3))
        assert close(db, vote).outcome is Outcome.FAILED


class TestTwoThirdsAndUnanimity:
    def test_exactly_two_thirds_passes(self, db, world):
        """4 for, 2 against: 4/6 is exactly two-thirds: PASSED."""
        vote = new_vote(db, world, people(6), rules=votes.Rules.two_thirds())
        cast_many(db, vote, ballots(for_=refs(0, 1, 2, 3, prefix="p"), against=refs(4, 5, prefix="p")))
        assert close(db, vote).outcome is Outcome.PASSED

    def test_one_short_of_two_thirds_fails(self, db, world):
        """4 for, 2 against, 1 abstain: 4/7 is short of two-thirds: FAILED on pass_heads."""
        vote = new_vote(db, world, people(7), rules=votes.Rules.two_thirds())
        cast_many(db, vote, ballots(for_=refs(0, 1, 2, 3, prefix="p"), against=refs(4, 5, prefix="p"), abstain=["p6"]))
        res = close(db, vote)
        assert (res.outcome, res.decided_by) == (Outcome.FAILED, "pass_heads")

    def test_unanimity_passes_only_when_every_participant_is_for(self, db, world):
        """All for: PASSED; one abstention breaks it; with the cast base the abstention is left out."""
        all_for = new_vote(db, world, people(3), rules=votes.Rules.unanimity())
        cast_many(db, all_for, ballots(for_=refs(0, 1, 2, prefix="p")))
        assert close(db, all_for).outcome is Outcome.PASSED
        one_abstains = new_vote(db, world, people(3), rules=votes.Rules.unanimity())
        cast_many(db, one_abstains, ballots(for_=refs(0, 1, prefix="p"), abstain=["p2"]))
        assert close(db, one_abstains).outcome is Outcome.FAILED
        cast_base = new_vote(db, world, people(3), rules=votes.Rules.unanimity(base="cast"))
        cast_many(db, cast_base, ballots(for_=refs(0, 1, prefix="p"), abstain=["p2"]))
        assert close(db, cast_base).outcome is Outcome.PASSED


# Civil Code art. 278: 12 households. Participation needs >= 2/3 of heads (8 of 12) and of area.
EVEN = ["100"] * 12


class TestOwnersParticipation:
    def test_exactly_two_thirds_of_owners_and_of_area_is_a_quorum(self, db, world):
        """8 of 12 households holding 800 of 1,200 m² take part: quorum met on both, the vote is decided."""
        vote = new_vote(db, world, households(*EVEN), rules=votes.Rules.owners_ordinary())
        cast_many(db, vote, ballots(for_=refs(0, 1, 2, 3, 4, 5, 6, 7)))
        res = close(db, vote)
        assert res.outcome is Outcome.PASSED
        quorum = {c.rule: (c.part, c.whole, c.met) for c in res.checks if c.rule.startswith("quorum")}
        assert quorum == {"quorum_heads": (8, 12, True), "quorum_weight": (800, 1200, True)}

    def test_one_owner_short_is_no_quorum(self, db, world):
        """7 of 12 households (even with 7/11 of the area) is NO_QUORUM, decided by headcount."""
        areas = ["100"] * 7 + ["40"] * 5  # 700 of 900 m² take part: the area alone would do
        vote = new_vote(db, world, households(*areas), rules=votes.Rules.owners_ordinary())
        cast_many(db, vote, ballots(for_=refs(0, 1, 2, 3, 4, 5, 6)))
        res = close(db, vote)
        assert (res.outcome, res.decided_by) == (Outcome.NO_QUORUM, "quorum_heads")

    def test_one_hundredth_of_a_square_metre_short_is_no_quorum(self, db, world):
        """8 of 12 take part holding 799.99 of 1,199.99 m² (just under 2/3): NO_QUORUM by area."""
        areas = ["99.99"] + ["100"] * 11
        vote = new_vote(db, world, households(*areas), rules=votes.Rules.owners_ordinary())
        cast_many(db, vote, ballots(for_=refs(0, 1, 2, 3, 4, 5, 6, 7)))
        res = close(db, vote)
        assert (res.outcome, res.decided_by) == (Outcome.NO_QUORUM, "quorum_weight")
        weight = next(c for c in res.checks if c.rule == "quorum_weight")
        assert (str(weight.part), str(weight.whole)) == ("799.99", "1199.99")


class TestOwnersOrdinary:
    def test_exactly_half_of_participants_agreeing_fails(self, db, world):
        """4 for, 4 against of 8 participants: not more than half: FAILED."""
        vote = new_vote(db, world, households(*EVEN), rules=votes.Rules.owners_ordinary())
        cast_many(db, vote, ballots(for_=refs(0, 1, 2, 3), against=refs(4, 5, 6, 7)))
        assert close(db, vote).outcome is Outcome.FAILED

    def test_a_majority_of_owners_with_less_than_half_the_area_fails(self, db, world):
        """5 small flats for, 3 large flats against: more than half the owners, not of the area: FAILED by area."""
        areas = ["60"] * 5 + ["120"] * 3 + ["50"] * 4  # participating: 300 m² for, 360 m² against
        vote = new_vote(db, world, households(*areas), rules=votes.Rules.owners_ordinary())
        cast_many(db, vote, ballots(for_=refs(0, 1, 2, 3, 4), against=refs(5, 6, 7)))
        res = close(db, vote)
        assert (res.outcome, res.decided_by) == (Outcome.FAILED, "pass_weight")
        assert next(c for c in res.checks if c.rule == "pass_heads").met

    def test_more_than_half_of_owners_and_area_passes(self, db, world):
        """5 for, 3 against with even flats: 5/8 of owners and of area: PASSED."""
        vote = new_vote(db, world, households(*EVEN), rules=votes.Rules.owners_ordinary())
        cast_many(db, vote, ballots(for_=refs(0, 1, 2, 3, 4), against=refs(5, 6, 7)))
        assert close(db, vote).outcome is Outcome.PASSED

    def test_equal_area_for_and_against_is_a_tie(self, db, world):
        """3 for (3 × 100 m²) and 1 against (300 m²) in the quorum: equal area, a tie: FAILED."""
        areas = ["100"] * 3 + ["300", "100", "100"]
        vote = new_vote(db, world, households(*areas), rules=votes.Rules.owners_ordinary())
        cast_many(db, vote, ballots(for_=refs(0, 1, 2), against=["h3"]))
        res = close(db, vote)
        assert (res.outcome, res.decided_by) == (Outcome.FAILED, "tie")


class TestOwnersMajor:
    def test_exactly_three_quarters_of_participating_owners_and_area_passes(self, db, world):
        """6 for, 2 against of 8 participants with even flats: exactly 3/4 on both: PASSED."""
        vote = new_vote(db, world, households(*EVEN), rules=votes.Rules.owners_major())
        cast_many(db, vote, ballots(for_=refs(0, 1, 2, 3, 4, 5), against=refs(6, 7)))
        res = close(db, vote)
        assert res.outcome is Outcome.PASSED
        passing = {c.rule: (c.part, c.whole) for c in res.checks if c.rule.startswith("pass")}
        assert passing == {"pass_heads": (6, 8), "pass_weight": (600, 800)}

    def test_one_owner_short_of_three_quarters_fails(self, db, world):
        """5 for, 2 against, 1 abstain: 5/8 of participants: FAILED by headcount (abstaining counts as taking part)."""
        vote = new_vote(db, world, households(*EVEN), rules=votes.Rules.owners_major())
        cast_many(db, vote, ballots(for_=refs(0, 1, 2, 3, 4), against=refs(5, 6), abstain=["h7"]))
        res = close(db, vote)
        assert (res.outcome, res.decided_by) == (Outcome.FAILED, "pass_heads")

    def test_one_hundredth_of_a_square_metre_short_of_three_quarters_fails(self, db, world):
        """6 of 8 owners for, holding 599.99 of 799.99 m²: short of 3/4 by area: FAILED by pass_weight."""
        areas = ["99.99"] + ["100"] * 7 + ["50"] * 4
        vote = new_vote(db, world, households(*areas), rules=votes.Rules.owners_major())
        cast_many(db, vote, ballots(for_=refs(0, 1, 2, 3, 4, 5), against=refs(6, 7)))
        res = close(db, vote)
        assert (res.outcome, res.decided_by) == (Outcome.FAILED, "pass_weight")
        assert "599.99/799.99" in res.reason_zh

    def test_areas_that_floats_would_get_wrong_are_exact(self, db, world):
        """Areas 0.1 + 0.2 against 0.3 (equal exactly, unlike floats) make a tie, not a pass."""
        areas = ["0.1", "0.2", "0.3"]
        vote = new_vote(db, world, households(*areas), rules=votes.Rules.owners_ordinary())
        cast_many(db, vote, ballots(for_=refs(0, 1), against=["h2"]))
        res = close(db, vote)
        assert (res.outcome, res.decided_by) == (Outcome.FAILED, "tie")
        assert str(res.participating_weight) == "0.6"
