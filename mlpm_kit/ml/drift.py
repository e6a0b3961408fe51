"""Drift between a reference sample (training time) and a current one (production): PSI and KS.

Samples are arrays, pandas Series, or a CSV path with a `column`.

- PSI, the population stability index: bin both samples on the reference's quantiles
  (deciles by default, or explicit bin edges), then sum (c - r) * ln(c / r) over the
  bins' shares r (reference) and c (current). Empty bins get a share of `PSI_FLOOR` so the
  log stays finite. Usual reading: PSI < 0.1 stable; 0.1 to 0.25 moderate shift, watch
  it; > 0.25 significant shift, investigate and retrain.
- KS, the two-sample Kolmogorov-Smirnov statistic: the largest gap between the two
  empirical distribution functions (scipy's `ks_2samp`), with its p-value. With large
  samples even a harmless shift gets a tiny p-value, so read the statistic too: below
  about 0.1 is usually a small shift.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from mlpm_kit.errors import InputError

PSI_STABLE = 0.1
PSI_SIGNIFICANT = 0.25
PSI_FLOOR = 1e-4
KS_SMALL = 0.1


class KsResult(NamedTuple):
    statistic: float
    pvalue: float


def _sample(data, column: str | None, which: str) -> np.ndarray:
    """A 1-D float array from an array, a Series or a CSV path + column; NaNs dropped."""
    if isinstance(data, str | os.PathLike):
        path = Path(data)
        if column is None:
            raise InputError(
                f"give the column to read from the CSV file {path} (column=...).", field=which
            )
        if not path.is_file():
            raise InputError("no such CSV file; check the path.", file=str(path), field=which)
        try:
            frame = pd.read_csv(path, usecols=[column])
        except ValueError:
            columns = ", ".join(pd.read_csv(path, nrows=0).columns)
            raise InputError(
                f"has no column {column!r}; its columns are: {columns}.",
                file=str(path),
                field=which,
            ) from None
        data = frame[column]
    try:
        values = np.asarray(data, dtype=float).ravel()
    except (TypeError, ValueError):
        raise InputError(
            f"the {which} sample is not numeric; PSI and KS compare numbers (encode categories first).",
            field=which,
        ) from None
    values = values[~np.isnan(values)]
    if values.size == 0:
        raise InputError(f"the {which} sample is empty; give at least one value.", field=which)
    if not np.isfinite(values).all():
        raise InputError(f"the {which} sample has infinite values; remove them.", field=which)
    return values


def _edges(reference: np.ndarray, bins) -> np.ndarray:
    """Interior bin edges: the reference's quantiles, or the given edges."""
    if np.ndim(bins) == 0:
        if int(bins) < 2:
            raise InputError(f"bins={bins!r}; use at least 2 bins (10 is usual).", field="bins")
        quantiles = np.quantile(reference, np.linspace(0, 1, int(bins) + 1)[1:-1])
        return np.unique(quantiles)
    edges = np.asarray(bins, dtype=float)
    if edges.ndim != 1 or len(edges) < 2 or np.any(np.diff(edges) <= 0):
        raise InputError(
            "bin edges must be an increasing list of at least 2 numbers.", field="bins"
        )
    return edges[1:-1]


def bin_shares(sample: np.ndarray, interior_edges: np.ndarray) -> np.ndarray:
    """Share of the sample in each bin; the outer bins are open-ended."""
    idx = np.searchsorted(interior_edges, sample, side="right")
    counts = np.bincount(idx, minlength=len(interior_edges) + 1)
    return counts / counts.sum()


def psi(reference, current, bins=10, column: str | None = None) -> float:
    """Population stability index of `current` against `reference`.

    `bins` is a number of quantile bins of the reference, or a list of bin edges (the
    lowest and highest edges are treated as open).

    >>> round(psi([1, 1, 2, 2], [1, 2, 2, 2], bins=[0, 1.5, 3]), 4)
    0.2747
    """
    ref = _sample(reference, column, "reference")
    cur = _sample(current, column, "current")
    edges = _edges(ref, bins)
    r = np.maximum(bin_shares(ref, edges), PSI_FLOOR)
    c = np.maximum(bin_shares(cur, edges), PSI_FLOOR)
    return float(np.sum((c - r) * np.log(c / r)))


def ks(reference, current, column: str | None = None) -> KsResult:
    """Two-sample Kolmogorov-Smirnov statistic and p-value (scipy.stats.ks_2samp)."""
    from scipy import stats  # imported when used: scipy.stats costs half a second at start-up

    result = stats.ks_2samp(
        _sample(reference, column, "reference"), _sample(current, column, "current")
    )
    return KsResult(float(result.statistic), float(result.pvalue))


def psi_status(value: float) -> str:
    """'stable' (< 0.1), 'moderate' (0.1 to 0.25) or 'significant' (> 0.25)."""
    if value < PSI_STABLE:
        return "stable"
    if value <= PSI_SIGNIFICANT:
        return "moderate"
    return "significant"


def drift_status(reference, current, bins=10, column: str | None = None) -> dict:
    """PSI, KS and a verdict with what to do, for one feature or score."""
    value = psi(reference, current, bins=bins, column=column)
    test = ks(reference, current, column=column)
    status = psi_status(value)
    advice = {
        "stable": "no action needed.",
        "moderate": "a moderate shift: watch it and check the model's metric on recent labels.",
        "significant": "a significant shift: investigate the inputs and plan a retraining.",
    }[status]
    return {
        "psi": value,
        "ks": test.statistic,
        "ks_pvalue": test.pvalue,
        "status": status,
        "message": f"PSI {value:.3f} ({status}), KS {test.statistic:.3f}: {advice}",
    }
