"""Confidence intervals of MQM figures: a Student-t interval around the mean of per-segment values."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

MIN_WORDS_FOR_VERDICT = 1000  # below this, one error moves an MQM2 score by more than 0.1 points


@dataclass(frozen=True)
class ConfidenceInterval:
    """Mean of per-segment values with a Student-t interval; ``inconclusive`` when too little was rated."""

    mean: float
    low: float | None
    high: float | None
    n: int
    confidence: float
    inconclusive: bool

    @property
    def half_width(self) -> float | None:
        """Distance from the mean to either bound, or None without an interval."""
        return None if self.high is None else self.high - self.mean

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"mean": self.mean, "low": self.low, "high": self.high, "n": self.n,
                "confidence": self.confidence, "inconclusive": self.inconclusive}


def confidence_interval(values: Iterable[float], confidence: float = 0.95, *, words: int | None = None,
                        min_words: int = MIN_WORDS_FOR_VERDICT,
                        bounds: tuple[float | None, float | None] = (None, None)) -> ConfidenceInterval:
    """Return the mean of per-segment values with a two-sided Student-t confidence interval.

    The result is ``inconclusive`` when fewer than two values are given (no interval: low and high
    are None) or when ``words`` (evaluated words behind the values) is below ``min_words``. The interval
    is clamped to ``bounds``, the range the score can take (an MQM 2.0 linear score never exceeds 100):
    on a small sample the t interval reaches past it, which would claim scores that cannot occur.
    """
    values = [float(v) for v in values]
    if not values:
        raise ValueError("confidence_interval needs at least one value")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    n, mean = len(values), statistics.fmean(values)
    too_few_words = words is not None and words < min_words
    if n < 2:
        return ConfidenceInterval(mean, None, None, n, confidence, inconclusive=True)
    half = student_t_quantile(0.5 + confidence / 2, n - 1) * statistics.stdev(values) / math.sqrt(n)
    low, high = mean - half, mean + half
    floor, ceiling = bounds
    if floor is not None:
        low, high = max(low, floor), max(high, floor)
    if ceiling is not None:
        low, high = min(low, ceiling), min(high, ceiling)
    return ConfidenceInterval(mean, low, high, n, confidence, inconclusive=too_few_words)


def _betacf(a: float, b: float, x: float) -> float:
    # Continued fraction of the incomplete beta function (modified Lentz), as in Numerical Recipes.
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-14:
            break
    return h


def _regularized_beta(a: float, b: float, x: float) -> float:
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def student_t_cdf(t: float, df: float) -> float:
    """Return P(T <= t) for Student's t distribution with ``df`` degrees of freedom."""
    tail = 0.5 * _regularized_beta(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


def student_t_quantile(p: float, df: float) -> float:
    """Return t such that P(T <= t) = p (bisection on the CDF; no SciPy needed)."""
    if not 0 < p < 1:
        raise ValueError(f"p must be between 0 and 1, got {p!r}")
    if p < 0.5:
        return -student_t_quantile(1 - p, df)
    low, high = 0.0, 1.0
    while student_t_cdf(high, df) < p:
        high *= 2
    for _ in range(200):
        mid = (low + high) / 2
        if student_t_cdf(mid, df) < p:
            low = mid
        else:
            high = mid
        if high - low < 1e-12:
            break
    return (low + high) / 2
