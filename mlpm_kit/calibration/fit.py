"""The statistics of a calibration: hit rate, spread factor and bias, each with a 90% interval.

The model behind them, per actual i of field f, on the range's normal scale (see
`history`): y_i = mu_i + beta_f + k * sigma_i * e_i with e_i standard normal, where
mu_i and sigma_i come from the stated 90% range, beta_f is the field's bias and k the
spread factor (k = 1: the ranges were right; k = 2: they should have been twice as wide
on that scale).

- `hit_rate`: share of actuals inside their stated ranges; 90% Clopper-Pearson interval.
- `bias` of a field: the median of actual / estimated median, with the distribution-free
  90% interval of a median (order statistics): 1.3 = actuals ran 30% over the estimates.
- `spread_factor`: the maximum-likelihood k given the bias-corrected residuals
  r_i = (y_i - center_i) / sigma_i: k^2 = sum(r^2) / (n - p), p the number of field biases
  fitted (the restricted likelihood, which does not shrink k for the biases it estimated);
  sum(r^2) / k^2 is chi-square with n - p degrees of freedom, which gives the 90% interval.
  The biases removed are those of every field with `MIN_HISTORY` actuals; a calibration
  applies to new estimates only the ones whose interval excludes 1 (`record`).
"""

from __future__ import annotations

import numpy as np

LEVEL = 0.90
# A field's own bias and spread are applied from this many actuals; the overall spread too.
MIN_HISTORY = 5
# Below this many launched ideas the record is thin: the output says so.
FIRM_HISTORY = 20
_TAIL = (1 - LEVEL) / 2


def hit_rate(hits: int, n: int) -> tuple[float, float, float]:
    """(rate, low, high): the share of hits with its 90% Clopper-Pearson interval.

    >>> [round(x, 3) for x in hit_rate(9, 10)]
    [0.9, 0.606, 0.995]
    """
    from scipy import stats  # lazy: scipy.stats takes a second to import

    if n == 0:
        return (np.nan, np.nan, np.nan)
    low = stats.beta.ppf(_TAIL, hits, n - hits + 1) if hits > 0 else 0.0
    high = stats.beta.ppf(1 - _TAIL, hits + 1, n - hits) if hits < n else 1.0
    return hits / n, float(low), float(high)


def spread_factor(residuals: np.ndarray, fitted: int = 0) -> tuple[float, float, float]:
    """(k, low, high): how much the ranges must widen, with its 90% interval.

    `residuals` are the bias-corrected standardized errors; `fitted` the number of biases
    estimated from them (degrees of freedom used).

    >>> [round(x, 3) for x in spread_factor(np.array([2.0, -2.0, 2.0, -2.0]))]
    [2.0, 1.299, 4.745]
    """
    from scipy import stats  # lazy: scipy.stats takes a second to import

    residuals = np.asarray(residuals, dtype=float)
    df = residuals.size - fitted
    if df < 1:
        return (np.nan, np.nan, np.nan)
    squares = float(np.sum(residuals**2))
    k = np.sqrt(squares / df)
    low = np.sqrt(squares / stats.chi2.ppf(1 - _TAIL, df))
    high = np.sqrt(squares / stats.chi2.ppf(_TAIL, df))
    return float(k), float(low), float(high)


def median_interval(values: np.ndarray) -> tuple[float, float, float]:
    """(median, low, high): the median with its distribution-free 90% interval.

    The interval runs between order statistics r and n + 1 - r, r the largest with
    P(Binomial(n, 1/2) < r) <= 5%; with fewer than 5 values no such r exists (nan).

    >>> [float(x) for x in median_interval(np.arange(1.0, 11.0))]
    [5.5, 2.0, 9.0]
    """
    from scipy import stats  # lazy: scipy.stats takes a second to import

    values = np.sort(np.asarray(values, dtype=float)[np.isfinite(values)])
    n = values.size
    if n == 0:
        return (np.nan, np.nan, np.nan)
    median = float(np.median(values))
    # r - 1 = the largest j with P(B <= j) <= 5%
    j = int(stats.binom.ppf(_TAIL, n, 0.5))
    while j >= 0 and stats.binom.cdf(j, n, 0.5) > _TAIL:
        j -= 1
    if j < 0:
        return (median, np.nan, np.nan)
    return median, float(values[j]), float(values[n - 1 - j])
