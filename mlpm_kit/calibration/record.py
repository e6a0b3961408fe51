"""`calibrate(ideas)`: how well a team's 90% ranges held up, and the correction they call for.

The statistics (`fit`) are computed overall, per field and per estimator (`outcome.
estimated_by`, default the owner), on the pairs `history` collects; `Calibration.apply`
corrects new ideas with them (`apply`). JSON as DESIGN section 11.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
import pandas as pd

from mlpm_kit.calibration.apply import Correction, apply_corrections
from mlpm_kit.calibration.fit import (
    FIRM_HISTORY,
    LEVEL,
    MIN_HISTORY,
    hit_rate,
    median_interval,
    spread_factor,
)
from mlpm_kit.calibration.history import (
    history_table,
    load_history,
    point_estimates,
    shifted_center,
)
from mlpm_kit.idea.formatting import share
from mlpm_kit.idea.schema import ACTUAL_FIELDS, Idea

# Stated confidences of the reliability chart: central ranges of these probabilities.
RELIABILITY_LEVELS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
STAT_KEYS = (
    "n",
    "hit_rate",
    "hit_rate_low",
    "hit_rate_high",
    "spread_factor",
    "spread_factor_low",
    "spread_factor_high",
)
BIAS_KEYS = ("bias", "bias_low", "bias_high")
# A hit-rate interval wider than this (20 percentage points) is called wide.
WIDE = 0.20


def _stats(rows: pd.DataFrame, fitted: int) -> dict:
    rate = hit_rate(int(rows["hit"].sum()), len(rows))
    spread = spread_factor(rows["residual"].to_numpy(), fitted)
    return dict(zip(STAT_KEYS, (len(rows), *rate, *spread), strict=True))


def _residuals(table: pd.DataFrame, biases: dict[str, float]) -> np.ndarray:
    """Standardized errors around each range's bias-corrected center (fields with a bias)."""
    out = table["z"].to_numpy(dtype=float).copy()
    for i, row in enumerate(table.itertuples()):
        if row.field in biases:
            center = shifted_center(row.kind, row.median, biases[row.field], row.share)
            out[i] = (row.y - center) / row.sigma
    return out


@dataclass
class Calibration:
    """A team's record: `overall`, `fields` and `estimators` statistics, the pairs, warnings.

    Each statistics dict has the keys of DESIGN section 11 (`n`, `hit_rate`,
    `hit_rate_low`, `hit_rate_high`, `spread_factor`, and `bias` under fields) plus the
    spread factor's and the bias's 90% interval (`spread_factor_low`, ..., `bias_high`).
    """

    pairs: pd.DataFrame = field(repr=False)
    overall: dict
    fields: dict[str, dict]
    estimators: dict[str, dict]
    ideas: int
    point_estimates: int = 0
    source: str = ""
    warnings: list[dict] = field(default_factory=list)

    @property
    def confident(self) -> bool:
        """Whether the record can correct anything: `MIN_HISTORY` launched ideas and actuals.

        Actuals of one idea share its circumstances, so a few ideas are a thin record
        however many fields each measured.
        """
        return self.overall["n"] >= MIN_HISTORY and self.ideas >= MIN_HISTORY

    def corrections(self) -> dict[str, Correction]:
        """Per correctable field: its own bias and spread with enough history, else the overall spread."""
        if not self.confident:
            return {}
        out = {}
        n_all = self.overall["n"]
        for path in ACTUAL_FIELDS:
            own = self.fields.get(path)
            if own is not None and own["n"] >= MIN_HISTORY:
                bias = own["bias"] if _clear(own, "bias") else 1.0
                spread = own["spread_factor"] if _clear(own, "spread_factor") else 1.0
                out[path] = Correction(bias, spread, f"its own {own['n']} actuals")
            else:
                spread = (
                    self.overall["spread_factor"] if _clear(self.overall, "spread_factor") else 1.0
                )
                out[path] = Correction(1.0, spread, f"all {n_all} actuals")
        return out

    def apply(self, idea: Idea) -> Idea:
        """A copy of `idea` with its estimates corrected by this record (`corrections_of` lists them)."""
        return apply_corrections(idea, self.corrections())

    def apply_all(self, ideas: Sequence[Idea]) -> list[Idea]:
        corrections = self.corrections()
        return [apply_corrections(idea, corrections) for idea in ideas]

    def largest_misses(self, top: int = 5) -> pd.DataFrame:
        """The actuals furthest outside their ranges (in stated range-widths), worst first."""
        misses = self.pairs.assign(distance=self.pairs["z"].abs())
        misses = misses[~misses["hit"]].sort_values("distance", ascending=False, kind="stable")
        return misses.head(top)[
            ["id", "estimator", "field", "low", "high", "share", "actual", "ratio", "z"]
        ].reset_index(drop=True)

    def reliability(self) -> pd.DataFrame:
        """Stated confidence against the share that hit, per field and overall ('all').

        A stated 90% range becomes a central range of probability c on the same
        distribution; an actual hits it when |z| <= the normal quantile of (1 + c) / 2.
        """
        rows = []
        groups = [("all", self.pairs), *self.pairs.groupby("field", sort=True)]
        for name, part in groups:
            z = part["z"].abs().to_numpy()
            for c in RELIABILITY_LEVELS:
                # an actual on the range's end (often, for rounded measurements) is inside it
                bound = NormalDist().inv_cdf((1 + c) / 2) * (1 + 1e-9)
                rows.append((name, c, float(np.mean(z <= bound)) if len(z) else np.nan, len(z)))
        return pd.DataFrame(rows, columns=["field", "stated", "hit_share", "n"])

    def to_json(self) -> dict:
        """`{"overall": {...}, "fields": {...}, "estimators": {...}}` (DESIGN section 11), plus warnings."""
        clean = _json_clean
        return {
            "overall": clean(self.overall),
            "fields": {k: clean(v) for k, v in self.fields.items()},
            "estimators": {k: clean(v) for k, v in self.estimators.items()},
            "ideas": self.ideas,
            "point_estimates": self.point_estimates,
            "largest_misses": [clean(r) for r in self.largest_misses().to_dict(orient="records")],
            "warnings": self.warnings,
        }


def _json_clean(values: dict) -> dict:
    out = {}
    for key, value in values.items():
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        out[key] = value
    return out


def _clear(stats: dict, key: str) -> bool:
    """Whether a group's bias or spread factor is clearly not 1: enough actuals, and its
    90% interval excludes 1. Only clear factors correct new estimates."""
    low, high = stats.get(f"{key}_low"), stats.get(f"{key}_high")
    if stats.get("n", 0) < MIN_HISTORY or low is None or not (low == low and high == high):
        return False
    return not low <= 1 <= high


def _warnings(overall: dict, ideas: int) -> list[dict]:
    n = overall["n"]
    if n == 0:
        return [
            {
                "code": "no_actuals",
                "message": "No actual was measured against a range, so there is nothing to "
                "calibrate; record outcome.actual for fields estimated as ranges.",
            }
        ]
    interval = f"{share(overall['hit_rate_low'])} to {share(overall['hit_rate_high'])}"
    if n < MIN_HISTORY or ideas < MIN_HISTORY:
        return [
            {
                "code": "too_few_actuals",
                "message": f"Only {ideas} launched idea{'s' if ideas != 1 else ''} with "
                f"{n} actual{'s' if n != 1 else ''} measured against a range: the "
                f"hit rate's {LEVEL:.0%} interval ({interval}) is too wide to say how well "
                f"these ranges are calibrated, so no correction is made (it takes "
                f"{MIN_HISTORY} launched ideas at least). Record the outcomes of more launched ideas.",
            }
        ]
    if ideas < FIRM_HISTORY or overall["hit_rate_high"] - overall["hit_rate_low"] > WIDE:
        return [
            {
                "code": "wide_interval",
                "message": f"{ideas} launched ideas with {n} actuals give a wide {LEVEL:.0%} "
                f"interval for the hit rate "
                f"({interval}): read it as a rough signal, and fields with fewer than "
                f"{MIN_HISTORY} actuals of their own get only the overall spread.",
            }
        ]
    return []


def calibrate(ideas: Sequence[Idea] | str | os.PathLike) -> Calibration:
    """Compare every actual with the 90% range estimated for it (DESIGN section 11).

    `ideas` are ideas (those without `outcome.actual` are ignored) or a folder of them.

    >>> record = calibrate("examples/history")
    >>> record.overall["n"] > 20 and record.fields["cost.mvp_weeks"]["bias"] > 1
    True
    """
    source = ""
    if isinstance(ideas, str | os.PathLike):
        source, ideas = str(ideas), load_history(ideas)
    ideas = [idea for idea in ideas if idea.outcome.actual]
    table = history_table(ideas)
    bias_stats = {
        path: dict(zip(BIAS_KEYS, median_interval(part["ratio"].to_numpy()), strict=True))
        for path, part in table.groupby("field", sort=True)
    }
    counts = table["field"].value_counts()
    # The spread is fitted around every bias a field has the history to estimate, so that it
    # measures the ranges' width alone (the model of `fit`), whether or not the bias is clear.
    fitted = {f: s["bias"] for f, s in bias_stats.items() if counts[f] >= MIN_HISTORY}
    table["residual"] = _residuals(table, fitted)
    overall = _stats(table, fitted=len(fitted))
    fields = {
        path: {**_stats(part, fitted=int(path in fitted)), **bias_stats[path]}
        for path, part in table.groupby("field", sort=True)
    }
    estimators = {
        name: _stats(part, fitted=0) for name, part in table.groupby("estimator", sort=True)
    }
    return Calibration(
        pairs=table,
        overall=overall,
        fields=fields,
        estimators=estimators,
        ideas=len(ideas),
        point_estimates=point_estimates(ideas),
        source=source,
        warnings=_warnings(overall, len(ideas)),
    )
