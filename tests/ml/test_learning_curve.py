"""The saturating learning curve: the fit recovers known parameters; bad pilots get clear errors."""

import numpy as np
import pytest

from mlpm_kit.errors import InputError
from mlpm_kit.ml.learning_curve import curve, fit_learning_curve, labels_needed

M_MAX, A, B = 0.95, 2.0, 0.5
SIZES = np.array([500, 1000, 2000, 4000, 8000], dtype=float)


def known_points(sizes=SIZES):
    return list(zip(sizes, curve(sizes, M_MAX, A, B), strict=True))


def test_fit_recovers_known_parameters():
    fit = fit_learning_curve(known_points())
    assert fit.m_max == pytest.approx(M_MAX, abs=1e-4)
    assert fit.a == pytest.approx(A, rel=1e-3)
    assert fit.b == pytest.approx(B, rel=1e-3)


def test_fit_recovers_parameters_from_noisy_points():
    rng = np.random.default_rng(3)
    sizes = np.geomspace(300, 30000, 8)
    y = curve(sizes, M_MAX, A, B) + rng.normal(0, 0.002, len(sizes))
    fit = fit_learning_curve(zip(sizes, y, strict=True))
    assert fit.m_max == pytest.approx(M_MAX, abs=0.01)
    assert fit.b == pytest.approx(B, abs=0.1)


def test_labels_needed_by_hand():
    # 0.95 - 2 n^-0.5 = 0.90  <=>  n^0.5 = 2 / 0.05 = 40  <=>  n = 1600.
    assert labels_needed(M_MAX, A, B, 0.90) == pytest.approx(1600)
    fit = fit_learning_curve(known_points())
    assert fit.labels_for(0.90) == pytest.approx(1600, rel=1e-3)


def test_labels_range_brackets_the_point_and_is_seeded():
    fit = fit_learning_curve(known_points())
    low, high = fit.labels_range(0.90, seed=1)
    assert low < 1600 < high
    assert (low, high) == fit.labels_range(0.90, seed=1)


def test_target_above_saturation_says_where_it_saturates():
    fit = fit_learning_curve(known_points())
    with pytest.raises(InputError, match=r"saturates at 0\.950"):
        fit.labels_for(0.97)


def test_labels_needed_is_infinite_beyond_saturation():
    assert np.isinf(labels_needed(0.9, 1.0, 0.5, 0.95))


def test_two_points_are_not_enough():
    with pytest.raises(
        InputError, match="has 2 points; a learning curve needs at least three"
    ) as info:
        fit_learning_curve([(500, 0.8), (1000, 0.85)])
    assert info.value.field == "ml.data.pilot_curve"


def test_a_metric_that_does_not_rise_is_rejected():
    with pytest.raises(InputError, match="does not rise with more labels"):
        fit_learning_curve([(500, 0.9), (1000, 0.88), (2000, 0.87)])


def test_three_points_fit_exactly():
    fit = fit_learning_curve(known_points(SIZES[:3]))
    assert fit.labels_for(0.90) == pytest.approx(1600, rel=1e-2)
