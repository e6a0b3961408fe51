"""Correcting new estimates by a team's record: the bias and spread its history measured.

Per field with at least `MIN_HISTORY` actuals of its own: that field's spread factor (the
range widens on its scale) and, when its 90% interval excludes 1, its bias (the median moves). Other fields given as ranges:
the overall spread factor, no bias. With fewer than `MIN_HISTORY` actuals in all, nothing
is corrected. A corrected idea is a copy; it remembers each stated range beside its
correction, so every output can show both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlpm_kit.calibration.history import estimate_at, shifted_center
from mlpm_kit.idea.estimates import (
    KIND_CONSTANT,
    KIND_NORMAL,
    Z90,
    Estimate,
    from_normal_scale,
)
from mlpm_kit.idea.schema import Idea


@dataclass(frozen=True)
class Correction:
    """What to do to one field's estimates: multiply the median by `bias`, widen by `spread`."""

    bias: float
    spread: float
    source: str  # e.g. "its own 8 actuals", "all 34 actuals"


def corrected_estimate(est: Estimate, bias: float, spread: float) -> Estimate:
    """`est` with its median multiplied by `bias` and its width (on its scale) by `spread`.

    A plain number is only multiplied by the bias. Results stay within the field's bounds
    (never below 0; shares within [0, 1]).

    >>> str(corrected_estimate(Estimate(10, 40), 1.0, 2.0))
    '5 to 80'
    """
    kind, _, sigma = est.params()
    if kind == KIND_CONSTANT:
        value = est.low * bias
        value = min(value, 1.0) if est.share else value
        return Estimate(value, value, est.share)
    center = shifted_center(kind, est.median, bias, est.share)
    half = Z90 * sigma * spread
    ends = np.array([center - half, center + half])
    if kind == KIND_NORMAL:
        low, high = ends
    else:
        low, high = from_normal_scale(ends, kind)
    low = max(float(low), 0.0)
    high = max(float(high), low)
    if est.share:
        low, high = min(low, 1.0), min(high, 1.0)
    return Estimate(low, high, est.share)


def apply_corrections(idea: Idea, corrections: dict[str, Correction]) -> Idea:
    """A copy of `idea` with each corrected field replaced; `corrections_of` lists them."""
    out = idea.model_copy(deep=True)
    record = {}
    for path, correction in corrections.items():
        if correction.bias == 1 and correction.spread == 1:
            continue
        stated = estimate_at(idea, path)
        section, name = path.split(".")
        if stated is None or name not in getattr(idea, section).model_fields_set:
            continue
        new = corrected_estimate(stated, correction.bias, correction.spread)
        if new == stated:
            continue
        setattr(getattr(out, section), name, new)
        record[path] = {"stated": stated, "corrected": new, "source": correction.source}
    out._source = getattr(idea, "_source", None)
    out._calibration = record
    return out


def corrections_of(idea: Idea) -> dict[str, dict]:
    """The fields a calibration corrected: path -> {stated, corrected, source} (empty if none)."""
    return dict(getattr(idea, "_calibration", None) or {})
