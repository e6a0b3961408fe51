"""The metric rule and break-even points of DESIGN section 8, checked by hand."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlpm_kit.ml.metric import (
    baseline_error_cost,
    cost_ratio,
    expected_error_cost,
    min_precision,
    min_recall,
    recommend_metric,
)


def test_spam_filter_optimizes_precision():
    # A real email hidden costs 50, a spam in the inbox 1: k = 1/50 = 0.02 <= 0.2.
    assert recommend_metric(50, 1) == ("precision", None)


def test_cancer_screen_optimizes_recall():
    # A missed abnormal slide costs 20000, a needless review 8: k = 2500 >= 5.
    assert recommend_metric(8, 20000) == ("recall", None)


def test_equal_costs_give_f1():
    assert recommend_metric(10, 10) == ("f_beta", 1.0)


def test_f_beta_beta_is_sqrt_k():
    metric, beta = recommend_metric(1, 4)
    assert metric == "f_beta" and beta == pytest.approx(2.0)


def test_thresholds_are_inclusive():
    assert recommend_metric(5, 1)[0] == "precision"  # k = 0.2
    assert recommend_metric(1, 5)[0] == "recall"  # k = 5


def test_zero_costs():
    assert math.isinf(cost_ratio(0, 3))
    assert recommend_metric(0, 3) == ("recall", None)
    assert recommend_metric(0, 0) == ("expected_cost", None)


def test_min_precision_by_hand():
    assert min_precision(50, 1) == pytest.approx(50 / 51)
    assert min_precision(5, 0.05) == pytest.approx(0.990099, abs=1e-6)
    assert min_precision(1, 1) == 0.5


def test_expected_error_cost_by_hand():
    # 1000 decisions, 10% positive: 100 positives. Recall 0.8 misses 20 (x 10 = 200);
    # precision 0.5 flags 80 true + 80 false positives (x 1 = 80).
    assert expected_error_cost(1000, 0.1, 1.0, 10.0, 0.5, 0.8) == pytest.approx(280.0)


def test_expected_error_cost_broadcasts():
    grid = expected_error_cost(
        1000, 0.1, 1.0, 10.0, np.array([[0.5, 1.0]]), np.array([[0.8], [1.0]])
    )
    assert grid.shape == (2, 2)
    assert grid[1, 1] == 0.0  # perfect model


def test_baseline_is_the_cheaper_way():
    # Spam: doing nothing costs 0.45 x 0.05 = 0.0225 per email; flagging all 0.55 x 5.
    cost, name = baseline_error_cost(1, 0.45, 5, 0.05)
    assert cost == pytest.approx(0.0225) and name.startswith("doing nothing")
    cost, name = baseline_error_cost(150000, 0.06, 8, 20000)
    assert cost == pytest.approx(150000 * 0.94 * 8) and name.startswith("acting on every case")


def test_min_recall_against_doing_nothing_is_zero():
    assert min_recall(0.45, 5, 0.05, precision=0.995) == 0.0
    assert min_recall(0.45, 5, 0.05, precision=0.98) is None  # below min_precision 0.990


def test_min_recall_against_reviewing_everything_by_hand():
    # r = (pi c_FN - (1 - pi) c_FP) / (pi c_FN) at perfect precision = 1 - 7.52 / 1200.
    assert min_recall(0.06, 8, 20000) == pytest.approx(1 - 7.52 / 1200)


def test_min_recall_is_break_even():
    r = min_recall(0.3, 4, 6, precision=0.9)
    model = expected_error_cost(1, 0.3, 4, 6, 0.9, r)
    assert model == pytest.approx(baseline_error_cost(1, 0.3, 4, 6)[0])


@given(
    fp=st.floats(0.01, 1e4),
    fn=st.floats(0.01, 1e4),
    pi=st.floats(0.01, 0.99),
)
def test_acting_beats_nothing_exactly_above_min_precision(fp, fn, pi):
    p0 = min_precision(fp, fn)
    do_nothing = pi * fn
    for p in (p0 * 0.99, min(1.0, p0 + (1 - p0) * 0.01 + 1e-9)):
        if not 0 < p <= 1:
            continue
        cost = expected_error_cost(1, pi, fp, fn, p, 0.5)
        assert (cost < do_nothing) == (p > p0) or math.isclose(cost, do_nothing, rel_tol=1e-9)
