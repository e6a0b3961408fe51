"""Sampling a 90% range: percentiles land on low / high, bounds hold, constants stay constant."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from mlpm_kit.idea.estimates import (
    KIND_LOGITNORMAL,
    KIND_LOGNORMAL,
    KIND_NORMAL,
    Estimate,
    from_normal_scale,
    sample,
    sample_rows,
    standard_normal,
)

DRAWS = 200_000


@pytest.mark.parametrize(
    ("estimate", "kind"),
    [
        (Estimate(200, 400), KIND_LOGNORMAL),
        (Estimate(0.5, 3.0), KIND_LOGNORMAL),
        (Estimate(0, 300), KIND_NORMAL),
        (Estimate(0.2, 0.4, share=True), KIND_LOGITNORMAL),
        (Estimate(0.85, 0.95, share=True), KIND_LOGITNORMAL),
    ],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_5th_and_95th_percentiles_are_low_and_high(estimate, kind, dtype):
    assert estimate.kind == kind
    values = sample(estimate, DRAWS, np.random.default_rng(11), dtype=dtype)
    assert values.dtype == dtype and values.shape == (DRAWS,)
    p5, p50, p95 = np.percentile(values, [5, 50, 95])
    if kind == KIND_NORMAL:
        # low = 0: the 5% below it is clipped to 0, the field's bound.
        assert (values == 0).mean() == pytest.approx(0.05, abs=0.003)
        assert p5 == pytest.approx(0, abs=0.01 * estimate.high)
    else:
        assert p5 == pytest.approx(estimate.low, rel=0.01)
    assert p95 == pytest.approx(estimate.high, rel=0.01)
    assert p50 == pytest.approx(estimate.median, rel=0.01)


@pytest.mark.parametrize(
    "estimate",
    [Estimate(0.0, 0.3, share=True), Estimate(0.9, 1.0, share=True), Estimate(0, 1, share=True)],
)
def test_share_ranges_touching_0_or_1_stay_in_0_1(estimate):
    assert estimate.kind == KIND_NORMAL  # as the README says: a normal clipped to [0, 1]
    values = sample(estimate, DRAWS, np.random.default_rng(3))
    assert values.min() >= 0 and values.max() <= 1
    # The clip only moves the tail beyond the bound: the other percentile still lands.
    if estimate.low == 0 and estimate.high < 1:
        assert np.percentile(values, 95) == pytest.approx(estimate.high, abs=0.01)
        assert (values == 0).mean() == pytest.approx(0.05, abs=0.003)


def test_amounts_never_go_below_zero():
    values = sample(Estimate(0, 100), DRAWS, np.random.default_rng(5))
    assert values.min() == 0
    assert (values == 0).mean() == pytest.approx(0.05, abs=0.003)
    assert np.percentile(values, 95) == pytest.approx(100, rel=0.01)


def test_constant_estimate_repeats_its_value_exactly():
    values = sample(Estimate(45.5, 45.5), 1000, np.random.default_rng(0))
    assert (values == 45.5).all()


def test_rows_follow_their_own_distribution():
    z = standard_normal(np.random.default_rng(1), np.empty((3, 100_000)))
    estimates = [Estimate(10, 20), Estimate(7, 7), Estimate(0.1, 0.3, share=True)]
    params = np.array([e.params() for e in estimates])
    out = sample_rows(
        z,
        params[:, 0].astype(int),
        params[:, 1],
        params[:, 2],
        share=np.array([False, False, True]),
    )
    assert np.percentile(out[0], 95) == pytest.approx(20, rel=0.01)
    assert (out[1] == 7).all()
    assert np.percentile(out[2], 5) == pytest.approx(0.1, rel=0.01)


@pytest.mark.parametrize("size", [1, 2, 7, 10_001])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_standard_normal_fills_every_cell(size, dtype):
    out = np.full(size, np.nan, dtype=dtype)
    standard_normal(np.random.default_rng(0), out)
    assert np.isfinite(out).all()


def test_standard_normal_moments_and_tails():
    z = standard_normal(np.random.default_rng(2), np.empty(DRAWS))
    assert abs(z.mean()) < 0.01
    assert z.std() == pytest.approx(1, abs=0.01)
    assert np.percentile(z, 95) == pytest.approx(1.6449, abs=0.02)
    assert np.percentile(z, 2.5) == pytest.approx(-1.96, abs=0.03)


def test_standard_normal_rejects_non_contiguous_output():
    with pytest.raises(ValueError, match="contiguous"):
        standard_normal(np.random.default_rng(0), np.empty((4, 4))[:, ::2])


def test_from_normal_scale_scalar_and_elementwise_kinds_agree():
    y = np.linspace(-5, 5, 11)
    for kind in (KIND_NORMAL, KIND_LOGNORMAL, KIND_LOGITNORMAL):
        np.testing.assert_array_equal(
            from_normal_scale(y, kind), from_normal_scale(y, np.full(11, kind))
        )


def test_from_normal_scale_does_not_overflow_in_float32():
    y = np.array([-200, 0, 200], dtype=np.float32)
    with np.errstate(over="raise", invalid="raise"):
        assert np.isfinite(from_normal_scale(y, KIND_LOGNORMAL)).all()
        np.testing.assert_allclose(
            from_normal_scale(y, KIND_LOGITNORMAL), [0.0, 0.5, 1.0], atol=1e-30
        )


positive = st.floats(min_value=1e-3, max_value=1e9, allow_nan=False, allow_infinity=False)
fraction = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(a=positive, b=positive, seed=st.integers(0, 2**32 - 1))
def test_amount_samples_are_finite_nonnegative_and_straddle_the_median(a, b, seed):
    low, high = min(a, b), max(a, b)
    estimate = Estimate(low, high)
    values = sample(estimate, 4000, np.random.default_rng(seed))
    assert np.isfinite(values).all() and values.min() >= 0
    if estimate.is_range:
        assert values.min() <= estimate.median <= values.max()
    else:
        assert (values == low).all()


@settings(max_examples=60, deadline=None)
@given(
    a=fraction,
    b=fraction,
    seed=st.integers(0, 2**32 - 1),
    dtype=st.sampled_from([np.float32, np.float64]),
)
def test_share_samples_never_leave_0_1(a, b, seed, dtype):
    estimate = Estimate(min(a, b), max(a, b), share=True)
    values = sample(estimate, 4000, np.random.default_rng(seed), dtype=dtype)
    assert values.min() >= 0 and values.max() <= 1


@settings(max_examples=40, deadline=None)
@given(a=st.floats(-1e6, 1e6), b=st.floats(-1e6, 1e6), seed=st.integers(0, 2**32 - 1))
def test_same_generator_state_gives_same_samples(a, b, seed):
    estimate = Estimate(min(a, b), max(a, b))
    first = sample(estimate, 500, np.random.default_rng(seed))
    second = sample(estimate, 500, np.random.default_rng(seed))
    np.testing.assert_array_equal(first, second)


def test_a_share_range_ending_at_1_is_a_normal_centred_on_its_midpoint():
    # 0.3 to 1: median (0.3 + 1) / 2 = 0.65 (a lognormal would give sqrt(0.3) = 0.548);
    # the 5% above 1 is clipped to 1, so the 5th percentile still lands on 0.3.
    estimate = Estimate(0.3, 1.0, share=True)
    assert estimate.median == pytest.approx(0.65)
    values = sample(estimate, DRAWS, np.random.default_rng(5))
    assert np.percentile(values, 5) == pytest.approx(0.3, abs=0.005)
    assert (values == 1).mean() == pytest.approx(0.05, abs=0.003)
    assert np.median(values) == pytest.approx(0.65, abs=0.005)


def test_float32_normals_from_64_bit_draws_pass_a_normality_test():
    # float32 pairs come from one 64-bit draw each (24-bit uniforms): the same law as float64.
    z = standard_normal(np.random.Generator(np.random.SFC64(3)), np.empty(400_001, np.float32))
    assert z.dtype == np.float32 and np.isfinite(z).all()
    assert stats.kstest(z.astype(np.float64), "norm").pvalue > 1e-3
    # The radius uniform is in (0, 1]: the largest |z| is sqrt(-2 ln 2**-24) = 5.77 at most.
    assert np.abs(z).max() <= math.sqrt(-2 * math.log(2**-24)) + 1e-5
    # Different streams give different draws; the same stream the same draws.
    again = standard_normal(np.random.Generator(np.random.SFC64(3)), np.empty(400_001, np.float32))
    other = standard_normal(np.random.Generator(np.random.SFC64(4)), np.empty(400_001, np.float32))
    assert np.array_equal(z, again) and not np.array_equal(z, other)
