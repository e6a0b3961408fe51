"""The selection problem on plain arrays: the exact best set, opportunity costs and greedy.

This module knows nothing of ideas or files; `portfolio.py` feeds it one value, effort and
one-time cost per idea. It owns the rules of a feasible set:

- the sum of `efforts` is at most `capacity`, the sum of `costs` at most `budget` (if any);
- `requires` pairs (b, a) mean "b needs a": b only with a;
- `force_in` ideas are in, `force_out` ideas are out;
- an idea of value <= 0 (or NaN) is never selected, unless it is forced in or is a
  prerequisite (directly or through a chain) of an idea forced in. So a valuable idea that
  needs a negative-value one is only chosen when the user puts one of them on the
  must-include list: the kit never quietly spends people on a loss.

The exact solver is an integer program (scipy.optimize.milp, HiGHS) with the relative MIP
gap set to 0, so its value is the true optimum, not a 0.01% approximation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

# Slack for float sums: HiGHS accepts constraint violations up to 1e-6 (absolute); a set is
# re-checked against the limits with this relative tolerance after rounding.
REL_TOL = 1e-9


@dataclass(frozen=True)
class Problem:
    """One selection problem: arrays of length n and the rules that tie them."""

    values: np.ndarray
    efforts: np.ndarray
    costs: np.ndarray
    capacity: float
    budget: float | None = None
    requires: tuple[tuple[int, int], ...] = ()
    force_in: frozenset[int] = frozenset()
    force_out: frozenset[int] = frozenset()

    @classmethod
    def build(cls, values, efforts, costs, capacity, budget=None, requires=(), force_in=(), force_out=()):
        return cls(
            np.asarray(values, dtype=float),
            np.asarray(efforts, dtype=float),
            np.asarray(costs, dtype=float),
            float(capacity),
            None if budget is None else float(budget),
            tuple((int(b), int(a)) for b, a in requires),
            frozenset(int(i) for i in force_in),
            frozenset(int(i) for i in force_out),
        )

    @property
    def n(self) -> int:
        return len(self.values)

    def prerequisites(self, ideas: Iterable[int]) -> set[int]:
        """`ideas` and everything they need, directly or through a chain."""
        out, todo = set(), list(ideas)
        while todo:
            i = todo.pop()
            if i in out:
                continue
            out.add(i)
            todo.extend(a for b, a in self.requires if b == i)
        return out

    def upper_bounds(self, force_in: Iterable[int] = (), force_out: Iterable[int] = ()) -> np.ndarray:
        """1 where an idea may be selected, 0 where the rules keep it out."""
        forced = self.force_in | set(force_in)
        out = (self.force_out | set(force_out)) - forced
        upper = np.where(np.nan_to_num(self.values, nan=-1.0) > 0, 1.0, 0.0)
        upper[list(self.prerequisites(forced))] = 1.0
        upper[list(out)] = 0.0
        upper[self.efforts > self.capacity * (1 + REL_TOL)] = 0.0
        return upper

    def feasible(self, mask: np.ndarray) -> bool:
        """Whether a 0/1 selection respects capacity, budget, dependencies and force lists."""
        mask = np.asarray(mask, dtype=bool)
        if self.efforts[mask].sum() > self.capacity * (1 + REL_TOL) + REL_TOL:
            return False
        if self.budget is not None and self.costs[mask].sum() > self.budget * (1 + REL_TOL) + REL_TOL:
            return False
        if any(mask[b] and not mask[a] for b, a in self.requires):
            return False
        return all(mask[i] for i in self.force_in) and not any(mask[i] for i in self.force_out)


def solve(problem: Problem, force_in: Iterable[int] = (), force_out: Iterable[int] = ()):
    """The best feasible set: (total value, boolean mask), or None when no set is feasible.

    `force_in` / `force_out` add to the problem's own lists for this one solve.
    """
    n = problem.n
    force_in = set(force_in)
    if n == 0:
        return 0.0, np.zeros(0, dtype=bool)
    upper = problem.upper_bounds(force_in, force_out)
    lower = np.zeros(n)
    lower[list(problem.force_in | force_in)] = 1.0
    if np.any(lower > upper):
        return None
    rows, limits = [problem.efforts], [problem.capacity]
    if problem.budget is not None:
        rows.append(problem.costs)
        limits.append(problem.budget)
    constraints = [LinearConstraint(np.array(rows), -np.inf, np.array(limits))]
    if problem.requires:
        deps = np.zeros((len(problem.requires), n))
        for k, (b, a) in enumerate(problem.requires):
            deps[k, b] += 1.0
            deps[k, a] -= 1.0
        constraints.append(LinearConstraint(deps, -np.inf, 0.0))
    objective = -np.nan_to_num(problem.values, nan=0.0)
    result = milp(
        objective,
        integrality=np.ones(n),
        bounds=Bounds(lower, upper),
        constraints=constraints,
        options={"mip_rel_gap": 0.0},
    )
    if result.x is None:
        return None
    mask = result.x > 0.5
    if not problem.feasible(mask) or not all(mask[i] for i in force_in) or any(mask[i] for i in force_out):
        return None
    return float(np.nan_to_num(problem.values, nan=0.0)[mask].sum()), mask


def opportunity_costs(problem: Problem, best_value: float, best_mask: np.ndarray) -> np.ndarray:
    """Opportunity cost of each idea, as DESIGN section 6 defines it.

    cost_i = V*(without i) - (V*(with i forced in) - value_i).

    For an idea in the best set, V*(with i) is the best value itself, so one solve (without
    i) per idea; for an idea outside it, V*(without i) is the best value, so one solve (with
    i forced in). n integer programs in all. NaN where the idea cannot be forced in (its
    effort or cost alone breaks the limits, or a must-include idea needs it out) or left out
    (a must-include idea, or one that a must-include idea needs).
    """
    values = np.nan_to_num(problem.values, nan=0.0)
    out = np.full(problem.n, np.nan)
    for i in range(problem.n):
        if best_mask[i]:
            # Leaving a must-include idea out lifts its own must-include entry only.
            relaxed = Problem(**{**problem.__dict__, "force_in": problem.force_in - {i}})
            found = solve(relaxed, force_out={i})
            if found is not None:
                out[i] = found[0] - (best_value - values[i])
        else:
            # Forcing an idea in lifts its own must-exclude entry: what would including it cost?
            relaxed = Problem(**{**problem.__dict__, "force_out": problem.force_out - {i}})
            found = solve(relaxed, force_in={i})
            if found is not None:
                out[i] = best_value - (found[0] - values[i])
    return out


def greedy(problem: Problem, ranking: Sequence[float]) -> np.ndarray:
    """The set a score-ranked roadmap picks: a boolean mask.

    Must-include ideas first; then down `ranking` (highest first, NaN last, ties in input
    order), taking each idea that still fits the remaining capacity and budget and whose
    prerequisites are already taken, skipping the others and going on down the list. It
    never looks at value, as a RICE-ranked roadmap does not: it can pick a loss.
    """
    mask = np.zeros(problem.n, dtype=bool)
    mask[list(problem.force_in)] = True
    used = problem.efforts[mask].sum()
    spent = problem.costs[mask].sum()
    key = np.nan_to_num(np.asarray(ranking, dtype=float), nan=-np.inf)
    for i in np.argsort(-key, kind="stable"):
        if mask[i] or i in problem.force_out:
            continue
        if used + problem.efforts[i] > problem.capacity * (1 + REL_TOL):
            continue
        if problem.budget is not None and spent + problem.costs[i] > problem.budget * (1 + REL_TOL):
            continue
        if any(b == i and not mask[a] for b, a in problem.requires):
            continue
        mask[i] = True
        used += problem.efforts[i]
        spent += problem.costs[i]
    return mask


def capacity_curve(problem: Problem, capacities: Sequence[float]) -> np.ndarray:
    """Best total value at each capacity (NaN where no set is feasible, e.g. must-includes)."""
    out = []
    for cap in capacities:
        found = solve(Problem(**{**problem.__dict__, "capacity": float(cap)}))
        out.append(np.nan if found is None else found[0])
    return np.array(out)
