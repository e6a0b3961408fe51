"""Opportunity costs from knapsack tables: equal to one exact solve per idea on a grid; rounding said."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlpm_kit.portfolio import tables
from mlpm_kit.portfolio.knapsack import Problem, opportunity_costs, solve


@settings(max_examples=80, deadline=None)
@given(
    values=st.lists(st.integers(-50, 200), min_size=1, max_size=9),
    halves=st.lists(st.integers(1, 40), min_size=9, max_size=9),
    capacity=st.integers(1, 120),
    forced=st.sampled_from([(), (0,), (1,)]),
    excluded=st.sampled_from([(), (2,)]),
)
def test_tables_equal_one_exact_solve_per_idea_on_a_half_week_grid(
    values, halves, capacity, forced, excluded
):
    n = len(values)
    efforts = np.array(halves[:n]) * 0.5  # efforts and capacity in half weeks: exact
    forced = tuple(i for i in forced if i < n)
    excluded = tuple(i for i in excluded if i < n and i not in forced)
    p = Problem.build(values, efforts, efforts, capacity * 0.5, force_in=forced, force_out=excluded)
    best = solve(p)
    if best is None:
        return
    exact = opportunity_costs(p, *best)
    found = tables.opportunity_costs(p)
    assert found.exact
    free = [i for i in range(n) if i not in forced]  # must-includes: one solve each, elsewhere
    assert np.allclose(found.values[free], exact[free], equal_nan=True)


def test_a_hand_case():
    # Capacity 10: A (6 wk, 60) + B (4 wk, 30) = 90 beats C (5 wk, 40) + B = 70.
    # Cost of A = V*(without A) - (V*(with A) - 60) = 70 - (90 - 60) = 40;
    # of B: 60 (A alone) - (90 - 30) = 0; of C: 90 - (70 - 40) = 60.
    p = Problem.build([60, 30, 40], [6, 4, 5], [0, 0, 0], 10)
    found = tables.opportunity_costs(p)
    assert found.values.tolist() == [40.0, 0.0, 60.0] and found.exact and found.step == 1.0


def test_efforts_off_the_grid_are_rounded_and_say_so():
    p = Problem.build([60, 30, 40], [6.0004, 4, 5], [0, 0, 0], 10)
    found = tables.opportunity_costs(p)
    assert not found.exact and found.step == tables.STEPS[-1]
    assert found.values.tolist() == [40.0, 0.0, 60.0]


def test_an_idea_larger_than_the_capacity_cannot_be_forced_in():
    p = Problem.build([60, 30], [6, 40], [0, 0], 10)
    assert np.isnan(tables.opportunity_costs(p).values[1])


def test_budget_or_dependencies_are_not_for_tables():
    with pytest.raises(ValueError, match="capacity-only"):
        tables.opportunity_costs(Problem.build([1, 2], [1, 1], [1, 1], 2, budget=1))
