"""The value of one input by least squares on the draws (`model/regression.py`), checked
against closed forms for a normal input X = 10 + 2 z."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest

from mlpm_kit.idea.estimates import KIND_LOGNORMAL, KIND_NORMAL
from mlpm_kit.model.engine import Block, Slot
from mlpm_kit.model.information import evppi_values, kill_brackets
from mlpm_kit.model.regression import PAYOFF, Moments

N = NormalDist()


def _fit(payoff_of, kind=KIND_NORMAL, mu=10.0, sigma=2.0, draws=200_000, seed=0):
    """Fit m on one idea whose only input X is drawn from z (X = 10 + 2 z by default)."""
    z = np.random.default_rng(seed).standard_normal((1, draws))
    x = mu + sigma * z if kind == KIND_NORMAL else np.exp(mu + sigma * z)
    median = mu if kind == KIND_NORMAL else math.exp(mu)
    arr = np.array
    slot = Slot(
        "value.users",
        "value.users",
        None,
        arr([kind]),
        arr([mu]),
        arr([sigma]),
        arr([False]),
        arr([median]),
        arr([np.nan]),  # the 90% range is not used by the fit
        arr([np.nan]),
    )
    moments = Moments([slot], 1)
    moments(
        Block(slice(0, 1), {"value.users": z}, {"value.users": x}, {PAYOFF: payoff_of(x, z)}, {})
    )
    return moments.fit(), moments.take_basis(slice(0, 1))


def test_payoff_linear_in_the_input():
    # payoff = X - 10 = 2 z: EVPPI = E[max(0, 2 z)] - max(0, 0) = 2 phi(0) = 0.798
    fit = _fit(lambda x, z: x - 10)
    assert evppi_values(*fit)[0, 0] == pytest.approx(2 * N.pdf(0), rel=2e-3)
    # The fitted m crosses 0 at X = 10: the bracket holds it.
    low, high = kill_brackets(fit[0])[0, 0]
    assert low <= 10 <= high and high - low < 4 * 1.645 / 40 + 1e-9


def test_payoff_linear_plus_noise_from_other_inputs():
    # Other inputs add noise that X does not explain: the same EVPPI, within Monte Carlo error.
    noise = np.random.default_rng(1).normal(0, 3, (1, 200_000))
    fit = _fit(lambda x, z: x - 10 + noise)
    assert evppi_values(*fit)[0, 0] == pytest.approx(2 * N.pdf(0), rel=0.03)


def test_payoff_that_bends():
    # payoff = (X - 10)^2 - 3 = 4 z^2 - 3, mean 1: EVPPI = E[(3 - 4 z^2)+]
    #   = 3 (2 Phi(c) - 1) - 4 ((2 Phi(c) - 1) - 2 c phi(c)), c = sqrt(3) / 2: 1.286
    c = math.sqrt(3) / 2
    inside = 2 * N.cdf(c) - 1
    expected = 3 * inside - 4 * (inside - 2 * c * N.pdf(c))
    assert expected == pytest.approx(1.286, abs=1e-3)
    fit = _fit(lambda x, z: (x - 10) ** 2 - 3)
    assert evppi_values(*fit)[0, 0] == pytest.approx(expected, rel=5e-3)


def test_an_input_that_cannot_flip_the_decision_is_worth_exactly_zero():
    fit = _fit(lambda x, z: x + 100)  # always positive
    assert evppi_values(*fit)[0, 0] == 0
    assert np.isnan(kill_brackets(fit[0])[0, 0]).all()


def test_lognormal_input_linear_payoff():
    # X = exp(z), payoff = X - 1. E[max(0, X - 1)] = e^(1/2) Phi(1) - Phi(0) (lognormal call).
    fit = _fit(lambda x, z: x - 1, kind=KIND_LOGNORMAL, mu=0.0, sigma=1.0, draws=400_000)
    # EVPPI = that - max(0, E[X] - 1), E[X] = e^(1/2):
    #   1.64872 x 0.84134 - 0.5 - 0.64872 = 0.2384
    expected = math.exp(0.5) * N.cdf(1) - N.cdf(0) - (math.exp(0.5) - 1)
    assert expected == pytest.approx(0.2384, abs=1e-3)
    # The mean over the draws of a heavy tail: within 1%.
    assert evppi_values(*fit)[0, 0] == pytest.approx(expected, rel=0.01)
