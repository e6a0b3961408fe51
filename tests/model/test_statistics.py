"""Row percentiles by selection: the same numbers as numpy's full sort."""

from __future__ import annotations

import numpy as np
import pytest

from mlpm_kit.model.statistics import row_percentiles


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("draws", [100, 101, 2000, 10_000])
def test_row_percentiles_equal_numpy_bit_for_bit(dtype, draws):
    rng = np.random.default_rng(draws)
    values = (rng.lognormal(0, 1, (7, draws)) * 1e5).astype(dtype)
    values[0, :10] = 0  # ties
    expected = np.percentile(values, [10, 50, 90], axis=1).astype(np.float64)
    assert np.array_equal(row_percentiles(values, (10, 50, 90)), expected)


def test_row_percentiles_by_hand():
    # 0..100: p10 = 10, p50 = 50, p90 = 90; 0..9: p10 at index 0.9 = 0.9, p50 at 4.5 = 4.5.
    assert row_percentiles(np.arange(101.0)[None], (10, 50, 90))[:, 0].tolist() == [10, 50, 90]


@pytest.mark.parametrize(
    "percentiles",
    [(5, 25, 50, 75, 95), (1, 99), (0, 50, 100), (49, 50, 51), (10,), (0, 1, 2, 3), (30, 90)],
)
@pytest.mark.parametrize("draws", [100, 1001])
def test_any_increasing_percentiles_equal_numpy_bit_for_bit(percentiles, draws):
    # The middle percentile is selected first, then each side's: any number of them, close
    # ones and the ends (which fall back to numpy) give numpy's numbers.
    rng = np.random.default_rng(len(percentiles) + draws)
    values = rng.normal(0, 1, (5, draws)).astype(np.float32)
    values[1] = 3.0  # a constant row
    expected = np.percentile(values, percentiles, axis=1).astype(np.float64)
    assert np.array_equal(row_percentiles(values, percentiles), expected)
