"""The selection rules on plain arrays: brute force agrees with the integer program; hand cases."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlpm_kit.portfolio.knapsack import Problem, capacity_curve, greedy, opportunity_costs, solve


def brute_force(p: Problem, force_in=(), force_out=()):
    """Every subset checked against the rules of knapsack.py; (value, mask) or None."""
    n = p.n
    forced_in = set(p.force_in) | set(force_in)
    forced_out = (set(p.force_out) | set(force_out)) - forced_in
    positive = {i for i in range(n) if p.values[i] > 0}
    allowed = positive | p.prerequisites(positive - forced_out) | p.prerequisites(forced_in)
    masks = np.array(list(itertools.product([False, True], repeat=n)), dtype=bool).reshape(-1, n)
    ok = masks @ p.efforts <= p.capacity + 1e-9
    if p.budget is not None:
        ok &= masks @ p.costs <= p.budget + 1e-9
    for b, a in p.requires:
        ok &= ~masks[:, b] | masks[:, a]
    for i in range(n):
        if i in forced_in:
            ok &= masks[:, i]
        if i in forced_out or i not in allowed:
            ok &= ~masks[:, i]
    if not ok.any():
        return None
    totals = np.where(ok, masks @ p.values, -np.inf)
    k = int(np.argmax(totals))
    return float(totals[k]), masks[k]


def brute_opportunity_cost(p: Problem, i: int) -> float:
    without = brute_force(Problem(**{**p.__dict__, "force_in": p.force_in - {i}}), force_out={i})
    with_i = brute_force(Problem(**{**p.__dict__, "force_out": p.force_out - {i}}), force_in={i})
    if without is None or with_i is None:
        return float("nan")
    return without[0] - (with_i[0] - p.values[i])


@st.composite
def problems(draw, max_n=15):
    n = draw(st.integers(1, max_n))
    values = draw(
        st.lists(st.integers(-40, 100).map(lambda v: v * 1000.0 + 0.5), min_size=n, max_size=n)
    )
    efforts = draw(st.lists(st.integers(0, 40).map(lambda e: e / 2), min_size=n, max_size=n))
    costs = draw(st.lists(st.integers(0, 50).map(float), min_size=n, max_size=n))
    capacity = draw(st.integers(1, 60).map(float))
    budget = draw(st.none() | st.integers(0, 150).map(float))
    pairs = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda t: t[0] != t[1])
    requires = draw(st.lists(pairs, max_size=3)) if n > 1 else []
    force_in = draw(st.sets(st.integers(0, n - 1), max_size=1))
    force_out = draw(st.sets(st.integers(0, n - 1), max_size=1)) - force_in
    return Problem.build(values, efforts, costs, capacity, budget, requires, force_in, force_out)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_exact_selection_matches_brute_force(p):
    found, expected = solve(p), brute_force(p)
    assert (found is None) == (expected is None)
    if found is None:
        return
    value, mask = found
    assert value == pytest.approx(expected[0], rel=1e-12, abs=1e-6)
    assert p.efforts[mask].sum() <= p.capacity + 1e-9
    if p.budget is not None:
        assert p.costs[mask].sum() <= p.budget + 1e-9
    negatives = mask & (p.values <= 0)
    # A loss is in only as a prerequisite of something chosen or forced.
    assert set(np.flatnonzero(negatives)) <= p.prerequisites(
        set(np.flatnonzero(mask & (p.values > 0))) | p.force_in
    )
    for b, a in p.requires:
        assert not mask[b] or mask[a]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_n=15))
def test_opportunity_costs_match_the_definition(p):
    found = solve(p)
    if found is None:
        return
    costs = opportunity_costs(p, *found)
    expected = [brute_opportunity_cost(p, i) for i in range(p.n)]
    np.testing.assert_allclose(costs, expected, rtol=1e-12, atol=1e-6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_n=12), st.lists(st.floats(0, 100), min_size=12, max_size=12))
def test_greedy_is_feasible_and_never_beats_the_best_set(p, rice):
    p = Problem(**{**p.__dict__, "requires": (), "force_in": frozenset(), "force_out": frozenset()})
    mask = greedy(p, rice[: p.n])
    assert p.feasible(mask)
    value, _ = solve(p)
    # The best set beats greedy's set even after dropping greedy's losses.
    assert p.values[mask & (p.values > 0)].sum() <= value + 1e-6


# Hand-computed case: capacity 10 engineer-weeks.
#   A: value 10, effort 6     B: value 7, effort 5     C: value 6, effort 5     D: value -3, effort 1
# Sets that fit: {A}=10, {B,C}=13, {A,D}... D is a loss and never chosen. Best: {B,C} = 13.
HAND = Problem.build([10.0, 7.0, 6.0, -3.0], [6.0, 5.0, 5.0, 1.0], [0.0, 0.0, 0.0, 0.0], 10.0)


def test_hand_case_selection():
    value, mask = solve(HAND)
    assert value == 13.0
    assert list(mask) == [False, True, True, False]


def test_hand_case_opportunity_costs():
    # A (outside): forced in, the best is A alone: 10 -> 13 - (10 - 10) = 13.
    # B (inside): without B, best is A = 10 -> 10 - (13 - 7) = 4. C: 10 - (13 - 6) = 3.
    # D (outside, a loss): forced in, best is {A, D} = 7 -> 13 - (7 - (-3)) = 3.
    costs = opportunity_costs(HAND, *solve(HAND))
    assert list(costs) == [13.0, 4.0, 3.0, 3.0]
    # Value over opportunity cost: A 10 - 13 = -3 (forcing A in loses 3), B 7 - 4 = 3, C 3.


def test_hand_case_greedy():
    # RICE ranks A first: A (6 wk), B does not fit (5 > 4 left), C neither, D fits (1 wk).
    mask = greedy(HAND, [9.0, 5.0, 4.0, 1.0])
    assert list(mask) == [True, False, False, True]
    assert HAND.values[mask].sum() == 7.0  # 6 less than the best set's 13


def test_budget_binds():
    p = Problem.build([10.0, 7.0, 6.0], [6.0, 5.0, 5.0], [1.0, 50.0, 50.0], 10.0, budget=60.0)
    value, mask = solve(p)
    assert value == 10.0 and list(mask) == [True, False, False]


def test_dependency_and_must_lists():
    # B needs A: {B, C} is no longer allowed without A.
    p = Problem.build([10.0, 7.0, 6.0], [6.0, 5.0, 5.0], [0.0] * 3, 11.0, requires=[(1, 0)])
    value, mask = solve(p)
    assert value == 17.0 and list(mask) == [True, True, False]
    excluded = Problem(**{**p.__dict__, "force_out": frozenset({0})})
    assert solve(excluded)[0] == 6.0  # without A, B cannot go either: C alone
    included = Problem(**{**p.__dict__, "force_in": frozenset({2})})
    assert solve(included)[0] == 16.0  # C forced in: A + C (11 weeks)


def test_a_loss_is_taken_only_as_the_prerequisite_of_a_set_worth_more():
    # B (20) needs A (-5): the set {A, B} is worth 15, so both are chosen.
    p = Problem.build([-5.0, 20.0], [1.0, 1.0], [0.0, 0.0], 5.0, requires=[(1, 0)])
    value, mask = solve(p)
    assert value == 15.0 and list(mask) == [True, True]
    # B (3) needs A (-5): together they lose 2, so neither is chosen unless forced.
    worse = Problem.build([-5.0, 3.0], [1.0, 1.0], [0.0, 0.0], 5.0, requires=[(1, 0)])
    assert solve(worse)[0] == 0.0
    forced = Problem(**{**worse.__dict__, "force_in": frozenset({1})})
    value, mask = solve(forced)
    assert value == -2.0 and list(mask) == [True, True]
    # A loss that nothing needs stays out.
    alone = Problem.build([-5.0, 3.0], [1.0, 1.0], [0.0, 0.0], 5.0)
    assert list(solve(alone)[1]) == [False, True]


def test_too_big_idea_is_never_selected_and_has_no_opportunity_cost():
    p = Problem.build([100.0, 1.0], [20.0, 1.0], [0.0, 0.0], 10.0)
    value, mask = solve(p)
    assert value == 1.0 and list(mask) == [False, True]
    costs = opportunity_costs(p, value, mask)
    assert np.isnan(costs[0]) and costs[1] == 0.0


def test_capacity_curve_is_monotone():
    curve = capacity_curve(HAND, [0, 5, 6, 10, 11, 16, 20])
    assert list(curve) == [0.0, 7.0, 10.0, 13.0, 17.0, 23.0, 23.0]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_branch_and_bound_and_integer_program_agree(p):
    plain = Problem(**{**p.__dict__, "budget": None, "requires": ()})
    a, b = solve(plain), solve(plain, method="milp")
    assert (a is None) == (b is None)
    if a is not None:
        assert a[0] == pytest.approx(b[0], rel=1e-12, abs=1e-6)
        assert plain.feasible(a[1])


def test_branch_and_bound_hands_over_past_its_node_limit(monkeypatch):
    monkeypatch.setattr("mlpm_kit.portfolio.knapsack.BB_NODE_LIMIT", 1)
    value, mask = solve(HAND)
    assert value == 13.0 and list(mask) == [False, True, True, False]
