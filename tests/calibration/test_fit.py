"""The statistics: hand-computed cases, and recovery of a known truth across seeds."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlpm_kit.calibration.fit import hit_rate, median_interval, spread_factor
from mlpm_kit.calibration.record import calibrate
from tests.calibration.histories import history

SEEDS = range(20)


def test_hit_rate_interval_by_hand():
    # Clopper-Pearson, 0 hits of 10: low 0, high = 1 - 0.05 ** (1/10) = 0.2589
    rate, low, high = hit_rate(0, 10)
    assert (rate, low) == (0.0, 0.0) and high == pytest.approx(1 - 0.05**0.1)
    # 10 of 10: low = 0.05 ** (1/10) = 0.7411
    rate, low, high = hit_rate(10, 10)
    assert (rate, high) == (1.0, 1.0) and low == pytest.approx(0.05**0.1)
    assert all(math.isnan(x) for x in hit_rate(0, 0))


def test_spread_factor_by_hand():
    # residuals +-2: sum of squares 16 over 4 degrees of freedom -> k = 2
    k, low, high = spread_factor(np.array([2.0, -2.0, 2.0, -2.0]))
    assert k == 2.0 and low < 2 < high
    # one bias fitted: 3 degrees of freedom -> k = sqrt(16 / 3)
    assert spread_factor(np.array([2.0, -2.0, 2.0, -2.0]), fitted=1)[0] == pytest.approx(
        math.sqrt(16 / 3)
    )
    assert math.isnan(spread_factor(np.array([1.0]), fitted=1)[0])


def test_median_interval_by_hand():
    # n = 10: P(Bin(10, 1/2) <= 1) = 11/1024 <= 5% < P(<= 2) = 56/1024 -> 2nd and 9th values
    assert median_interval(np.arange(1.0, 11.0)) == (5.5, 2.0, 9.0)
    # n = 4: even the extremes cover the median with only 1 - 2/16 = 87.5%: no interval
    median, low, high = median_interval(np.array([1.0, 2.0, 3.0, 4.0]))
    assert median == 2.5 and math.isnan(low) and math.isnan(high)


def covered(stats: dict, key: str, truth: float) -> bool:
    return stats[f"{key}_low"] <= truth <= stats[f"{key}_high"]


def test_ranges_too_narrow_and_effort_bias_are_recovered_within_their_intervals():
    # Truth: every range is 2x too narrow on its scale; MVP effort runs 1.5x over the
    # estimates; adoption comes in at 0.75x the estimated median.
    truth_k, truth_bias = 2.0, 1.5
    biases = {"cost.mvp_weeks": truth_bias, "value.adoption": 0.75}
    runs = [calibrate(history(40, spread=truth_k, bias=biases, seed=s)) for s in SEEDS]
    # 90% intervals: each covers the truth in about 18 of 20 runs; 15 or fewer would happen
    # by chance with probability ~4%, so a miss that often means a wrong interval.
    assert sum(covered(r.overall, "spread_factor", truth_k) for r in runs) >= 16
    mvp = [r.fields["cost.mvp_weeks"] for r in runs]
    assert sum(covered(f, "bias", truth_bias) for f in mvp) >= 16
    assert sum(covered(f, "spread_factor", truth_k) for f in mvp) >= 16
    adoption = [r.fields["value.adoption"] for r in runs]
    assert sum(covered(f, "bias", 0.75) for f in adoption) >= 16
    assert sum(covered(f, "spread_factor", truth_k) for f in adoption) >= 16
    users = [r.fields["value.users"] for r in runs]
    assert sum(covered(f, "bias", 1.0) for f in users) >= 16
    # The point estimates are close to the truth on average.
    assert np.median([r.overall["spread_factor"] for r in runs]) == pytest.approx(truth_k, rel=0.08)
    assert np.median([f["bias"] for f in mvp]) == pytest.approx(truth_bias, rel=0.08)
    # Unbiased ranges 2x too narrow hit far less than 90%: P(|N(0, 4)| < 1.645) = 2 Phi(0.82) - 1
    # = 59%; the biased fields hit less still.
    unbiased = ("value.users", "value.hours_saved_per_user_week", "cost.build_weeks")
    hits = [r.fields[f]["hit_rate"] for r in runs for f in unbiased]
    assert np.mean(hits) == pytest.approx(0.59, abs=0.03)
    assert np.mean([r.fields["cost.mvp_weeks"]["hit_rate"] for r in runs]) < 0.55


def test_a_calibrated_history_gives_factor_one_and_ninety_percent_hits():
    runs = [calibrate(history(40, seed=s)) for s in range(5)]
    for record in runs:
        assert covered(record.overall, "hit_rate", 0.9) or record.overall["hit_rate"] > 0.8
        assert 0.85 < record.overall["spread_factor"] < 1.15
    assert np.mean([r.overall["hit_rate"] for r in runs]) == pytest.approx(0.90, abs=0.03)
    assert np.mean([r.overall["spread_factor"] for r in runs]) == pytest.approx(1.0, abs=0.05)
    # Nothing to correct: no clear bias, no clear spread, in most fields.
    changed = [p for r in runs for p, c in r.corrections().items() if (c.bias, c.spread) != (1, 1)]
    assert len(changed) <= 0.15 * 5 * 14


def test_three_ideas_give_a_wide_interval_and_a_warning_not_a_correction():
    record = calibrate(history(3, spread=2.0, seed=1))
    assert not record.confident and record.corrections() == {}
    assert [w["code"] for w in record.warnings] == ["too_few_actuals"]
    assert "no correction is made" in record.warnings[0]["message"]
    assert all(math.isnan(f["bias_low"]) for f in record.fields.values())  # 3 per field
    # Per field, 3 actuals: the hit rate's interval spans most of [0, 1].
    assert all(f["hit_rate_high"] - f["hit_rate_low"] > 0.5 for f in record.fields.values())


def test_twelve_ideas_warn_that_the_interval_is_wide():
    record = calibrate(history(12, spread=2.0, seed=1))
    assert record.confident and [w["code"] for w in record.warnings] == ["wide_interval"]
