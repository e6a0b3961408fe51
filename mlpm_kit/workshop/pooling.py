"""Pooling a group's 90% ranges: the mixture of their distributions, and who is far from the others.

Each range's distribution is the one `mlpm_kit.idea.estimates` gives it (its 5th percentile
at `low`, its 95th at `high`; logit-normal for a share, lognormal for a positive count), so
pooling and the simulation agree on what a range means. The pooled range is the 5th and 95th
percentile of the equal-weight mixture ("each participant's distribution averaged").
"""

from __future__ import annotations

import math
from statistics import NormalDist

from mlpm_kit.idea.estimates import KIND_CONSTANT, KIND_LOGITNORMAL, KIND_LOGNORMAL, Estimate

_NORMAL = NormalDist()


def cdf(estimate: Estimate, x: float) -> float:
    """P(value <= x) under the estimate's distribution (the one `estimates` samples from)."""
    kind, mu, sigma = estimate.params()
    if kind == KIND_CONSTANT:
        return 1.0 if x >= estimate.low else 0.0
    if kind == KIND_LOGNORMAL:
        if x <= 0:
            return 0.0
        y = math.log(x)
    elif kind == KIND_LOGITNORMAL:
        if x <= 0 or x >= 1:
            return 0.0 if x <= 0 else 1.0
        y = math.log(x) - math.log1p(-x)
    else:
        y = x
    return _NORMAL.cdf((y - mu) / sigma)


def mixture_quantile(estimates: list[Estimate], q: float) -> float:
    """The q-quantile of the equal-weight mixture, by bisection.

    Each distribution has its 5th percentile at its `low` and its 95th at its `high`, so the
    mixture's 5th percentile lies between the smallest and the largest `low` (and the 95th
    between the smallest and largest `high`): those bracket the search.
    """
    if q <= 0.05:
        lo, hi = min(e.low for e in estimates), max(e.low for e in estimates)
    else:
        lo, hi = min(e.high for e in estimates), max(e.high for e in estimates)
    lo, hi = min(lo, hi), max(lo, hi)
    for _ in range(200):
        mid = (lo + hi) / 2
        if sum(cdf(e, mid) for e in estimates) / len(estimates) < q:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-12 * max(1.0, abs(hi)):
            break
    return (lo + hi) / 2


def pooled_range(estimates: list[Estimate]) -> tuple[float, float]:
    """(5th, 95th percentile) of the participants' distributions averaged."""
    if not estimates:
        raise ValueError("no ranges to pool")
    return mixture_quantile(estimates, 0.05), mixture_quantile(estimates, 0.95)


def far_from_the_others(estimates: list[Estimate]) -> list[int]:
    """Indices of the ranges whose median lies outside the pooled range of all the others."""
    if len(estimates) < 3:
        return []
    far = []
    for i, e in enumerate(estimates):
        low, high = pooled_range(estimates[:i] + estimates[i + 1 :])
        if not low <= e.median <= high:
            far.append(i)
    return far


def rounded(x: float, digits: int = 3) -> float | int:
    """A pooled bound as a person would write it: 3 significant digits."""
    if x == 0 or not math.isfinite(x):
        return x
    value = float(f"{x:.{digits}g}")
    return int(value) if value.is_integer() else value
