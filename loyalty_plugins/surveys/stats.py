"""The figures' arithmetic, apart from the database: NPS and the SERVQUAL gap with its
confidence interval. Pure functions of the answers' numbers."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

PROMOTER_MIN, DETRACTOR_MAX = 9, 6
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Nps:
    promoters: int = 0  # scores 9 and 10
    passives: int = 0  # 7 and 8
    detractors: int = 0  # 0 to 6

    @property
    def answers(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def score(self) -> float | None:
        """% promoters − % detractors, from −100 to 100; None without answers."""
        if not self.answers:
            return None
        return 100 * (self.promoters - self.detractors) / self.answers

    def share(self, group: str) -> float:
        return getattr(self, group) / self.answers if self.answers else 0.0


def group_of(score: int) -> str:
    if score >= PROMOTER_MIN:
        return "promoters"
    return "detractors" if score <= DETRACTOR_MAX else "passives"


def nps(scores: Iterable[int]) -> Nps:
    counts = {"promoters": 0, "passives": 0, "detractors": 0}
    for score in scores:
        counts[group_of(score)] += 1
    return Nps(**counts)


@dataclass(frozen=True)
class Gap:
    """One SERVQUAL dimension over ``answers`` answers: the mean perception minus the mean
    expectation, which is the mean of each answer's difference (perception − expectation),
    and the 95% confidence interval of that mean (t distribution, n − 1 degrees of
    freedom); no interval with fewer than two answers."""

    dimension: str
    answers: int
    expectation: float
    perception: float
    low: float | None
    high: float | None

    @property
    def gap(self) -> float:
        return self.perception - self.expectation


def gap(dimension: str, answers: int, sum_expectation: float, sum_perception: float,
        sum_squared_difference: float) -> Gap:
    """The gap from sums the database adds up: Σe, Σp and Σ(p − e)² over ``answers``."""
    if not answers:
        return Gap(dimension, 0, 0.0, 0.0, None, None)
    mean_e, mean_p = sum_expectation / answers, sum_perception / answers
    mean = mean_p - mean_e
    if answers < 2:
        return Gap(dimension, answers, mean_e, mean_p, None, None)
    from scipy.stats import t  # on the first page with figures, not at start-up

    variance = max(0.0, (sum_squared_difference - answers * mean * mean) / (answers - 1))
    half = float(t.ppf((1 + CONFIDENCE) / 2, answers - 1)) * math.sqrt(variance / answers)
    return Gap(dimension, answers, mean_e, mean_p, mean - half, mean + half)


def gap_of_pairs(dimension: str, pairs: list[tuple[int, int]]) -> Gap:
    """The same from (expectation, perception) pairs."""
    return gap(dimension, len(pairs), sum(e for e, _ in pairs), sum(p for _, p in pairs),
               sum((p - e) ** 2 for e, p in pairs))
