"""Scores: a review's weighted mean leaves n/a out; the normalised score against a worked example."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from plugins.grants.scoring import Scored, normalised_scores, raw_scores, review_score


@dataclass
class C:
    id: int
    weight: int
    min_score: int = 0
    max_score: int = 10


def test_weighted_mean_leaves_out_n_a():
    """Weights 2, 1, 1 and scores 8, n/a, 4 (all 0–10): (2·0.8 + 1·0.4) / 3 = 66.67 of 100 — n/a weighs nothing."""
    criteria = [C(1, 2), C(2, 1), C(3, 1)]
    assert review_score(criteria, {"1": 8, "2": None, "3": 4}) == pytest.approx(66.6667, abs=1e-3)
    assert review_score(criteria, {"1": 8, "2": 0, "3": 4}) == pytest.approx(50.0)
    assert review_score(criteria, {"1": None, "2": None, "3": None}) is None


def test_criteria_of_different_ranges_count_as_shares_of_their_range():
    """A 3 on 1–5 is half the range, like a 5 on 0–10: equal weights give 50."""
    assert review_score([C(1, 1, 1, 5), C(2, 1, 0, 10)], {"1": 3, "2": 5}) == pytest.approx(50.0)


def test_normalised_score_worked_example():
    """The worked example of docs/plugins/grants.md.

    Harsh reviewer A scores applications 1, 2, 3 with 40, 50, 60; lenient reviewer B scores
    4, 5, 6 with 70, 80, 90. Each reviewer: mean 50 (A) / 80 (B), spread √(200/3) = 8.165, so
    the z are −1.2247, 0, +1.2247 for both. Over all six reviews M = 65, S = √(1750/6) = 17.078.
    Normalised = 65 + 17.078·z: 44.08, 65.00, 85.92 — A's best equals B's best, where the raw
    means ranked A's best (60) below B's worst (70).
    """
    reviews = [
        Scored(1, 100, 40),
        Scored(2, 100, 50),
        Scored(3, 100, 60),
        Scored(4, 200, 70),
        Scored(5, 200, 80),
        Scored(6, 200, 90),
    ]
    assert raw_scores(reviews) == {1: 40, 2: 50, 3: 60, 4: 70, 5: 80, 6: 90}
    assert normalised_scores(reviews) == {1: 44.08, 2: 65.0, 3: 85.92, 4: 44.08, 5: 65.0, 6: 85.92}


def test_normalised_score_averages_the_z_of_each_review():
    """Two reviewers on one application: its z is the mean of theirs; a one-review reviewer counts z = 0."""
    reviews = [Scored(1, 100, 40), Scored(2, 100, 60), Scored(1, 200, 80), Scored(2, 200, 100), Scored(3, 300, 55)]
    scores = normalised_scores(reviews)
    assert scores[1] < scores[3] < scores[2]
    mean = (40 + 60 + 80 + 100 + 55) / 5
    assert scores[3] == pytest.approx(mean, abs=0.01)
