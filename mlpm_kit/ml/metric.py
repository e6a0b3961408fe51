"""Which metric to optimize, from the cost of errors (DESIGN section 8), and the cost of errors itself.

With `k = false_negative_cost / false_positive_cost`:

- k <= 0.2: a false positive hurts at least 5 times more than a miss -> `precision`
  (the spam filter: hiding a real email is far worse than letting a spam through);
- k >= 5: a miss hurts at least 5 times more -> `recall` (the cancer screen);
- otherwise `f_beta` with beta = sqrt(k), the F-score that weighs recall beta times as
  much as precision.

Break-even points, per decision with base rate pi, costs c_FP and c_FN, and a model at
precision p and recall r. The model flags pi*r/p of the cases; the expected cost of errors
per decision is

    cost(p, r) = pi * (1 - r) * c_FN  +  pi * r * (1 - p) / p * c_FP.

- Acting on one positive prediction saves c_FN with probability p and costs c_FP with
  probability 1 - p, so it pays off when p > c_FP / (c_FP + c_FN) = `min_precision`.
- Without a model there are two ways to work: act on no case (cost pi * c_FN: every
  positive is missed) or act on every case (cost (1 - pi) * c_FP: every negative is
  handled, e.g. a manual review of every slide). Today's alternative is the cheaper one.
  `min_recall(p)` is the recall at which cost(p, r) equals it:

      r_min = (pi * c_FN - baseline) / (pi * (c_FN - c_FP * (1 - p) / p)).

  When doing nothing is the cheaper way, r_min is 0 (any recall helps once p is above
  `min_precision`); when acting on everything is, r_min can be close to 1: a model that
  replaces a full review must miss almost nothing. No recall suffices (None) when p is at
  or below `min_precision` or r_min would exceed 1.
"""

from __future__ import annotations

import math

import numpy as np

PRECISION_MAX_K = 0.2
RECALL_MIN_K = 5.0


def cost_ratio(false_positive_cost: float, false_negative_cost: float) -> float:
    """k = false_negative_cost / false_positive_cost (inf when a false positive costs nothing)."""
    if false_positive_cost < 0 or false_negative_cost < 0:
        raise ValueError("error costs must be 0 or more")
    if false_positive_cost == 0 and false_negative_cost == 0:
        return math.nan
    if false_positive_cost == 0:
        return math.inf
    return false_negative_cost / false_positive_cost


def recommend_metric(
    false_positive_cost: float, false_negative_cost: float
) -> tuple[str, float | None]:
    """(metric, beta): `precision`, `recall`, or `f_beta` with beta = sqrt(k); beta is None otherwise.

    Both costs 0 gives (`expected_cost`, None): nothing distinguishes the errors.

    >>> recommend_metric(50, 1)
    ('precision', None)
    >>> recommend_metric(1, 4)
    ('f_beta', 2.0)
    """
    k = cost_ratio(false_positive_cost, false_negative_cost)
    if math.isnan(k):
        return "expected_cost", None
    if k <= PRECISION_MAX_K:
        return "precision", None
    if k >= RECALL_MIN_K:
        return "recall", None
    return "f_beta", math.sqrt(k)


def min_precision(false_positive_cost: float, false_negative_cost: float) -> float:
    """c_FP / (c_FP + c_FN): below it, acting on a prediction costs more than it saves."""
    total = false_positive_cost + false_negative_cost
    if total <= 0:
        return math.nan
    return false_positive_cost / total


def expected_error_cost(
    decisions, base_rate, false_positive_cost, false_negative_cost, precision, recall
):
    """Expected cost of errors per year at a precision and recall (arrays broadcast).

    decisions * base_rate positives a year; (1 - recall) of them are missed, and
    recall * (1 - precision) / precision false positives are flagged per positive.
    """
    p = np.asarray(precision, dtype=float)
    r = np.asarray(recall, dtype=float)
    positives = np.asarray(decisions, dtype=float) * np.asarray(base_rate, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        false_positives = np.where(p > 0, positives * r * (1 - p) / np.where(p > 0, p, 1), np.inf)
    out = positives * (1 - r) * false_negative_cost + false_positives * false_positive_cost
    return float(out) if np.ndim(out) == 0 else out


def baseline_error_cost(
    decisions, base_rate, false_positive_cost, false_negative_cost
) -> tuple[float, str]:
    """Yearly cost of errors without a model, and which way of working it is (the cheaper one)."""
    act_on_none = decisions * base_rate * false_negative_cost
    act_on_all = decisions * (1 - base_rate) * false_positive_cost
    if act_on_none <= act_on_all:
        return float(act_on_none), "doing nothing (every positive is missed)"
    return float(act_on_all), "acting on every case (every negative is handled)"


def min_recall(
    base_rate: float, false_positive_cost: float, false_negative_cost: float, precision: float = 1.0
):
    """The recall at which the model's cost of errors equals today's way of working, at `precision`.

    None when no recall reaches it at this precision.
    """
    baseline, _ = baseline_error_cost(1.0, base_rate, false_positive_cost, false_negative_cost)
    if not 0 < precision <= 1:
        return None
    gain_per_recall = base_rate * (
        false_negative_cost - false_positive_cost * (1 - precision) / precision
    )
    needed = base_rate * false_negative_cost - baseline
    if needed <= 0:
        return 0.0 if gain_per_recall > 0 else None
    if gain_per_recall <= 0:
        return None
    r = needed / gain_per_recall
    return float(r) if r <= 1 else None
