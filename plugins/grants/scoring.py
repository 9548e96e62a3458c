"""Scores: one review's weighted mean (n/a left out) and the call's normalised score. Pure functions.

Every review's score is on a 0–100 scale: each criterion's score is taken as the share
of its range (``(score - min) / (max - min)``), weighted, averaged over the criteria the
reviewer did not mark n/a, times 100. So criteria of different ranges mix fairly.

**Raw score** of an application: the mean of its submitted reviews' scores.

**Normalised score** (reviewer calibration): each reviewer's scores are standardised
against that reviewer's own mean and spread over the call, ``z = (x - μ_r) / σ_r``
(population standard deviation; a reviewer with one review or no spread gives ``z = 0``);
an application's z is the mean of its reviews' z; it is mapped back to the scale with the
call's mean ``M`` and spread ``S`` over all reviews: ``M + S · z`` (kept within 0–100).
A harsh reviewer's 60 and a lenient reviewer's 70 then weigh what they mean, not what
they say. See docs/plugins/grants.md for a worked example (the golden test uses it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from math import sqrt
from typing import Any, Protocol

__all__ = ("Scored", "normalised_scores", "raw_scores", "review_score")


class CriterionLike(Protocol):
    id: int
    weight: int
    min_score: int
    max_score: int


def review_score(criteria: Sequence[CriterionLike], scores: Mapping[str, Any]) -> float | None:
    """A review's weighted mean on 0–100, criteria scored n/a (``None``) left out; ``None`` if all are n/a."""
    total = weights = 0.0
    for criterion in criteria:
        value = scores.get(str(criterion.id))
        if value is None:
            continue
        span = criterion.max_score - criterion.min_score
        total += criterion.weight * (float(value) - criterion.min_score) / span
        weights += criterion.weight
    return None if weights == 0 else round(100 * total / weights, 4)


@dataclass(frozen=True)
class Scored:
    """One submitted review's score: which application, which reviewer, the 0–100 score."""

    application_id: int
    reviewer_id: int
    score: float


def _mean(values: Iterable[float]) -> float:
    items = list(values)
    return sum(items) / len(items) if items else 0.0


def _spread(values: Sequence[float]) -> float:
    if len(values) < 2:
        return 0.0
    mean = _mean(values)
    return sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def raw_scores(reviews: Sequence[Scored]) -> dict[int, float]:
    """Application id → the mean of its reviews' scores."""
    by_app: dict[int, list[float]] = defaultdict(list)
    for review in reviews:
        by_app[review.application_id].append(review.score)
    return {app: round(_mean(values), 2) for app, values in by_app.items()}


def normalised_scores(reviews: Sequence[Scored]) -> dict[int, float]:
    """Application id → its normalised score (see the module's docstring), on 0–100."""
    by_reviewer: dict[int, list[float]] = defaultdict(list)
    for review in reviews:
        by_reviewer[review.reviewer_id].append(review.score)
    stats = {r: (_mean(v), _spread(v)) for r, v in by_reviewer.items()}
    everyone = [r.score for r in reviews]
    centre, spread = _mean(everyone), _spread(everyone)
    z_by_app: dict[int, list[float]] = defaultdict(list)
    for review in reviews:
        mean, sd = stats[review.reviewer_id]
        z_by_app[review.application_id].append((review.score - mean) / sd if sd > 0 else 0.0)
    return {app: round(min(100.0, max(0.0, centre + spread * _mean(zs))), 2) for app, zs in z_by_app.items()}
