"""Hypothesis: counting and deciding for/against/abstain agree with a plain model of the rules, with exact weights."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from core import votes
from core.votes.decide import decide
from core.votes.tally import Ballot, count

FAA = list(votes.FOR_AGAINST)
weights = st.integers(1, 30_000).map(lambda cents: Decimal(cents) / 100)  # 0.01 .. 300.00 m²
thresholds = st.builds(
    lambda n, d, inclusive: votes.Threshold(Fraction(min(n, d), d), inclusive),
    st.integers(0, 4),
    st.integers(1, 4),
    st.booleans(),
)
rules_st = st.builds(
    votes.Rules,
    preset=st.just("custom"),
    pass_heads=thresholds,
    base=st.sampled_from(["participating", "cast", "electorate"]),
    pass_weight=st.none() | thresholds,
    quorum_heads=st.none() | thresholds,
    quorum_weight=st.none() | thresholds,
)
electorates = st.lists(
    st.tuples(weights, st.sampled_from([None, "for", "against", "abstain"])), min_size=1, max_size=15
)


def meets(threshold, part, whole):
    if whole == 0:
        return False
    left, right = Fraction(part) * threshold.fraction.denominator, threshold.fraction.numerator * Fraction(whole)
    return left >= right if threshold.inclusive else left > right


def model(rules, electors):
    """The outcome and deciding rule, worked out directly from the voters."""
    voted = [(w, c) for w, c in electors if c is not None]
    n, total = len(electors), sum((w for w, _ in electors), Decimal(0))
    heads_p, weight_p = len(voted), sum((w for w, _ in voted), Decimal(0))
    for rule, threshold, part, whole in (
        ("quorum_heads", rules.quorum_heads, heads_p, n),
        ("quorum_weight", rules.quorum_weight, weight_p, total),
    ):
        if threshold is not None and not meets(threshold, part, whole):
            return votes.Outcome.NO_QUORUM, rule
    yes = [w for w, c in voted if c == "for"]
    no = [w for w, c in voted if c == "against"]
    if yes and len(yes) == len(no):
        return votes.Outcome.FAILED, "tie"
    if rules.pass_weight is not None and yes and sum(yes) == sum(no):
        return votes.Outcome.FAILED, "tie"
    abstaining = [w for w, c in voted if c == "abstain"]
    base = {
        "participating": (heads_p, weight_p),
        "cast": (heads_p - len(abstaining), weight_p - sum(abstaining, Decimal(0))),
        "electorate": (n, total),
    }[rules.base]
    if not meets(rules.pass_heads, len(yes), base[0]):
        return votes.Outcome.FAILED, "pass_heads"
    if rules.pass_weight is not None and not meets(rules.pass_weight, sum(yes, Decimal(0)), base[1]):
        return votes.Outcome.FAILED, "pass_weight"
    return votes.Outcome.PASSED, "pass"


@settings(max_examples=400, deadline=None)
@given(rules=rules_st, electors=electorates)
def test_decisions_match_a_plain_model(rules, electors):
    """For any rules and ballots, the outcome and the deciding rule are the model's; heads add up."""
    ballots = [Ballot(choice, weight) for weight, choice in electors if choice is not None]
    tally = count("for_against_abstain", FAA, ballots, [])
    electorate = (len(electors), sum((w for w, _ in electors), Decimal(0)))
    decision = decide("for_against_abstain", rules, tally, electorate)
    assert (decision.outcome, decision.decided_by) == model(rules, electors)
    assert sum(o.heads for o in tally.options) == tally.participating_heads == len(ballots)
    assert sum(o.weight for o in tally.options) == tally.participating_weight


@settings(max_examples=200, deadline=None)
@given(
    choices=st.lists(st.sampled_from(["A", "B", "C", None]), max_size=20),
    hands=st.lists(st.fixed_dictionaries({"A": st.integers(0, 5), "abstain": st.integers(0, 3)}), max_size=3),
)
def test_single_choice_winner_is_the_unique_leader(choices, hands):
    """Under plurality the winner is the unique option with most votes (ballots and hands), else a tie fails."""
    tally = count("single", ["A", "B", "C"], [Ballot(c) for c in choices], hands)
    decision = decide("single", votes.Rules.plurality(), tally, (len(choices) + 30, Decimal(len(choices) + 30)))
    heads = {o.option: o.heads for o in tally.options}
    top = max(heads.values())
    leaders = [k for k, v in heads.items() if v == top]
    if top == 0:
        assert decision.outcome is votes.Outcome.FAILED
    elif len(leaders) > 1:
        assert (decision.decided_by, decision.tied) == ("tie", tuple(leaders))
    else:
        assert decision.winners == (leaders[0],)
    assert tally.participating_heads == len(choices) + sum(sum(h.values()) for h in hands)
