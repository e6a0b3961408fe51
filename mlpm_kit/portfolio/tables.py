"""Every idea's opportunity cost at once, from prefix and suffix knapsack tables.

`knapsack.opportunity_costs` solves the selection again for each idea: exact, and fast
for a few hundred ideas, but thousands of solves when a portfolio has thousands of ideas
and a capacity that fits many of them. For a capacity-only problem (no budget, no
dependencies) this module gets all of them from two dynamic-programming tables over the
efforts on a grid of `step` engineer-weeks:

    prefix[k, c] = best value of the free ideas before the k-th within c grid steps
    suffix[k, c] = best value of the free ideas from the k-th on within c grid steps

so the best value without idea k within C steps is max over c of prefix[k, c] +
suffix[k + 1, C - c], and with idea k forced in the same at C - w_k, plus its value:
O(capacity) per idea instead of a solve. ("Free" ideas are those the rules let the
selection choose: positive value, not on a must list, no larger than the capacity.)

Exactness: when every effort and the capacity are whole multiples of the grid step
(whole, half, tenth ... engineer-weeks, as people write them) the tables are exact. Else
the efforts are rounded to the nearest step, the finest of `STEPS` that keeps each table
under `MAX_CELLS` cells (0.2 engineer-weeks, one engineer-day, for about 2,000 ideas at
2,000 engineer-weeks; 0.005 at 50): the opportunity costs are then those of the problem
with rounded efforts, and `Costs.step` says so. The best set itself is always solved
exactly (`knapsack.solve`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .knapsack import REL_TOL, Problem

# Grid steps tried, coarse to fine, in engineer-weeks.
STEPS = (1.0, 0.5, 0.25, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001)
# Cells per table (ideas x capacity steps, float64): 20 million is 160 MB.
MAX_CELLS = 20_000_000


@dataclass(frozen=True)
class Costs:
    """Opportunity costs (NaN where an idea cannot be forced in), and the grid used.

    `exact` is True when the efforts lay on the grid; otherwise they were rounded to the
    nearest `step` engineer-weeks.
    """

    values: np.ndarray
    step: float
    exact: bool


def applies(problem: Problem) -> bool:
    """Whether the tables can answer: a capacity-only problem (no budget, no dependencies)."""
    return problem.budget is None and not problem.requires


def _grid(efforts: np.ndarray, capacity: float, free: int) -> tuple[float, bool]:
    """(step, exact): the coarsest step every effort and the capacity are multiples of, if
    one fits the cell budget; else the finest step that fits, with rounding."""
    fitting = [s for s in STEPS if (free + 1) * (capacity / s + 1) <= MAX_CELLS] or [STEPS[0]]
    for step in fitting:
        scaled = np.append(efforts, capacity) / step
        if np.all(np.abs(scaled - np.round(scaled)) <= 1e-9 * np.maximum(1.0, np.abs(scaled))):
            return step, True
    return fitting[-1], False


def _table(values: np.ndarray, weights: np.ndarray, room: int) -> np.ndarray:
    """rows[k, c]: the best value of the first k items within c steps (0/1 knapsack)."""
    rows = np.zeros((len(values) + 1, room + 1))
    for k, (v, w) in enumerate(zip(values, weights, strict=True)):
        rows[k + 1] = rows[k]
        if w <= room:
            np.maximum(rows[k, : room + 1 - w] + v, rows[k + 1, w:], out=rows[k + 1, w:])
    return rows


def opportunity_costs(problem: Problem) -> Costs:
    """V*(without i) - (V*(with i forced in) - value_i) for every idea, from two tables.

    Must-include ideas are always in (their own cost asks what leaving them out would
    give: one exact solve each, as `knapsack.opportunity_costs` does); must-exclude ideas
    are priced as if forced in, like any idea outside the best set.
    """
    if not applies(problem):
        raise ValueError("the tables answer capacity-only problems (no budget, no dependencies)")
    n = problem.n
    values = np.nan_to_num(problem.values, nan=0.0)
    forced = sorted(problem.force_in)
    upper = problem.upper_bounds()
    is_free = upper > 0.5
    is_free[forced] = False
    free = np.flatnonzero(is_free)
    step, exact = _grid(problem.efforts, problem.capacity, len(free))
    weights = np.maximum(np.round(problem.efforts / step), 0).astype(np.int64)
    capacity = int(np.floor(problem.capacity / step * (1 + REL_TOL) + REL_TOL))
    room = capacity - int(weights[forced].sum())
    base = float(values[forced].sum())
    out = np.full(n, np.nan)
    if room < 0:
        return Costs(out, step, exact)
    prefix = _table(values[free], weights[free], room)
    suffix = _table(values[free][::-1], weights[free][::-1], room)[::-1]
    position = np.full(n, -1)
    position[free] = np.arange(len(free))
    best = prefix[-1, room]

    def without(k: int, cap: int) -> float:
        """Best value of the free ideas other than the k-th within `cap` steps."""
        return float(np.max(prefix[k, : cap + 1] + suffix[k + 1, cap::-1]))

    for i in range(n):
        k, w = position[i], int(weights[i])
        if i in problem.force_in:
            continue  # below: an exact solve without it
        if k >= 0:
            value_without = base + without(k, room)
            value_with = base + values[i] + without(k, room - w) if w <= room else np.nan
        else:
            value_without = base + best
            value_with = base + values[i] + prefix[-1, room - w] if w <= room else np.nan
        out[i] = value_without - (value_with - values[i])
    return Costs(out, step, exact)
