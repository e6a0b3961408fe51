"""A team's record: each actual measured after launch, beside the 90% range estimated for it.

`history_table(ideas)` reads every idea with `outcome.actual` and returns one row per
(idea, field) pair: the range as written in the idea file (not as the model adjusts it),
what was measured, whether it fell inside, and its standardized error on the range's
own normal scale (log for positive ranges, logit for shares inside (0, 1), linear
otherwise: the same scale `Estimate` samples on). A calibrated estimator's standardized
errors are standard normal: 90% of them within +-1.645.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from mlpm_kit.errors import InputError
from mlpm_kit.idea.estimates import KIND_LOGITNORMAL, KIND_LOGNORMAL, Estimate
from mlpm_kit.idea.folders import load_portfolio
from mlpm_kit.idea.schema import Idea

# Measured values at 0 (or shares at 0 / 1) have no log or logit; they are moved this far
# inside the range of the scale, which counts them as the large misses they are.
_EDGE = 1e-6
COLUMNS = (
    "id",
    "estimator",
    "field",
    "low",
    "high",
    "median",
    "actual",
    "ratio",
    "hit",
    "kind",
    "share",
    "mu",
    "sigma",
    "y",
    "z",
)


def estimate_at(idea: Idea, path: str) -> Estimate | None:
    """The estimate the idea file wrote at a dotted path such as 'value.users'."""
    section, name = path.split(".")
    return getattr(getattr(idea, section), name)


def to_normal_scale(kind: int, x: np.ndarray | float) -> np.ndarray:
    """Values on the scale where an estimate of `kind` is normal (inverse of `from_normal_scale`)."""
    x = np.asarray(x, dtype=float)
    if kind == KIND_LOGNORMAL:
        return np.log(np.maximum(x, _EDGE))
    if kind == KIND_LOGITNORMAL:
        p = np.clip(x, _EDGE, 1 - _EDGE)
        return np.log(p) - np.log1p(-p)
    return x


def shifted_center(kind: int, median: float, bias: float, share: bool) -> float:
    """Where an estimate's median moves to, on its normal scale, once multiplied by `bias`."""
    moved = median * bias
    if share:
        moved = min(max(moved, 0.0), 1.0)
    return float(to_normal_scale(kind, moved))


def history_table(ideas: Sequence[Idea]) -> pd.DataFrame:
    """One row per actual measured against a range (columns `COLUMNS`).

    Actuals whose estimate was a plain number have no range to hit or miss; they are left
    out (`point_estimates(ideas)` counts them).
    """
    rows = []
    for idea in ideas:
        for path, actual in idea.outcome.actual.items():
            est = estimate_at(idea, path)
            if est is None or not est.is_range:
                continue
            kind, mu, sigma = est.params()
            y = float(to_normal_scale(kind, actual))
            median = est.median
            rows.append(
                (
                    idea.id,
                    idea.estimated_by,
                    path,
                    est.low,
                    est.high,
                    median,
                    float(actual),
                    actual / median if median > 0 else np.nan,
                    bool(est.low <= actual <= est.high),
                    kind,
                    est.share,
                    mu,
                    sigma,
                    y,
                    (y - mu) / sigma,
                )
            )
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    return table.astype({"hit": bool, "share": bool, "kind": int})


def point_estimates(ideas: Sequence[Idea]) -> int:
    """How many actuals were measured against a plain number (no range): not compared."""
    return sum(
        1
        for idea in ideas
        for path in idea.outcome.actual
        if (est := estimate_at(idea, path)) is not None and not est.is_range
    )


def load_history(path: str | os.PathLike) -> list[Idea]:
    """The launched ideas with `outcome.actual` in a folder (or spreadsheet) of ideas.

    Every file must load (a bad one would silently change the record); ideas without
    actuals are skipped; none at all is an `InputError`.
    """
    ideas = [idea for idea in load_portfolio(Path(path)) if idea.outcome.actual]
    if not ideas:
        raise InputError(
            "no idea here records outcome.actual; add an outcome: section with what was "
            "measured after launch (DESIGN section 11) to the ideas that launched.",
            file=str(path),
        )
    return ideas
