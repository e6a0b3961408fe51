"""The selection problem on plain arrays: the exact best set, opportunity costs and greedy.

This module knows nothing of ideas or files; `portfolio.py` feeds it one value, effort and
one-time cost per idea. It owns the rules of a feasible set:

- the sum of `efforts` is at most `capacity`, the sum of `costs` at most `budget` (if any);
- `requires` pairs (b, a) mean "b needs a": b only with a;
- `force_in` ideas are in, `force_out` ideas are out;
- an idea of value <= 0 (or NaN) is never selected for itself: only when it is forced in,
  or is a prerequisite (directly or through a chain) of an idea that may be selected, and
  then only when the set it enables is worth more than the loss. The rule "never pick an
  idea that loses money" applies to what a set is worth, not to a prerequisite on its own.

Two exact solvers, the same answers (tests check both against brute force):

- capacity only (no budget, no dependencies): a depth-first branch and bound over the
  ideas sorted by value per engineer-week, pruned by the LP (Dantzig) bound. Milliseconds
  for 500 ideas, which makes all the opportunity costs (one solve per idea) affordable;
  after `BB_NODE_LIMIT` nodes it hands over to the integer program;
- otherwise an integer program (scipy.optimize.milp, HiGHS) with the relative MIP gap set
  to 0, so its value is the true optimum, not a 0.01% approximation; variables that no
  optimal set can flip are fixed first by a Lagrangian bound.
"""

from __future__ import annotations

import bisect
import contextlib
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

# Slack for float sums: HiGHS accepts constraint violations up to 1e-6 (absolute); a set is
# re-checked against the limits with this relative tolerance after rounding.
REL_TOL = 1e-9
# Branch-and-bound nodes before handing a capacity-only problem to the integer program.
BB_NODE_LIMIT = 2_000_000


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
    def build(
        cls, values, efforts, costs, capacity, budget=None, requires=(), force_in=(), force_out=()
    ):
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

    def upper_bounds(
        self, force_in: Iterable[int] = (), force_out: Iterable[int] = ()
    ) -> np.ndarray:
        """1 where an idea may be selected, 0 where the rules keep it out."""
        forced = self.force_in | set(force_in)
        out = (self.force_out | set(force_out)) - forced
        positive = np.nan_to_num(self.values, nan=-1.0) > 0
        upper = np.where(positive, 1.0, 0.0)
        # A loss-making prerequisite may enable a set worth more: maximizing the total takes
        # it only then (never a loss that nothing needs).
        enabling = self.prerequisites(set(np.flatnonzero(positive)) - out)
        upper[[i for i in enabling if np.isfinite(self.values[i])]] = 1.0
        upper[list(self.prerequisites(forced))] = 1.0
        upper[list(out)] = 0.0
        upper[self.efforts > self.capacity * (1 + REL_TOL)] = 0.0
        return upper

    def feasible(self, mask: np.ndarray) -> bool:
        """Whether a 0/1 selection respects capacity, budget, dependencies and force lists."""
        mask = np.asarray(mask, dtype=bool)
        if self.efforts[mask].sum() > self.capacity * (1 + REL_TOL) + REL_TOL:
            return False
        if (
            self.budget is not None
            and self.costs[mask].sum() > self.budget * (1 + REL_TOL) + REL_TOL
        ):
            return False
        if any(mask[b] and not mask[a] for b, a in self.requires):
            return False
        return all(mask[i] for i in self.force_in) and not any(mask[i] for i in self.force_out)


def _constraints(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """All constraints as rows A x <= b: effort, budget, then one row x_b - x_a <= 0 per dependency."""
    rows, limits = [problem.efforts], [problem.capacity]
    if problem.budget is not None:
        rows.append(problem.costs)
        limits.append(problem.budget)
    for b, a in problem.requires:
        row = np.zeros(problem.n)
        row[b] += 1.0
        row[a] -= 1.0
        rows.append(row)
        limits.append(0.0)
    return np.array(rows), np.array(limits)


def _lower_bound_set(problem: Problem, values, lower, upper, order) -> np.ndarray | None:
    """A feasible set inside [lower, upper], built greedily in `order`; None if the forced part does not fit."""
    mask = np.zeros(problem.n, dtype=bool)
    mask[list(problem.prerequisites(np.flatnonzero(lower > 0.5)))] = True
    if np.any(mask & (upper < 0.5)) or not problem.feasible(mask):
        return None
    eligible = (upper >= 0.5) & (np.asarray(values) > 0)
    return _fill(problem, mask, order, eligible)


def _fill(
    problem: Problem, mask: np.ndarray, order, eligible: np.ndarray, tol: float = 0.0
) -> np.ndarray:
    """Add to `mask`, in `order`, each eligible idea that still fits the capacity and budget
    (within a relative `tol`) and whose prerequisites are already in; skip the others."""
    used, spent = problem.efforts[mask].sum(), problem.costs[mask].sum()
    for j in order:
        if mask[j] or not eligible[j]:
            continue
        if used + problem.efforts[j] > problem.capacity * (1 + tol):
            continue
        if problem.budget is not None and spent + problem.costs[j] > problem.budget * (1 + tol):
            continue
        if any(b == j and not mask[a] for b, a in problem.requires):
            continue
        mask[j] = True
        used += problem.efforts[j]
        spent += problem.costs[j]
    return mask


def _fix_by_reduced_costs(problem: Problem, values, lower, upper, A, b):
    """Tighten [lower, upper] with variables no optimal set can flip; None if the LP is infeasible.

    Lagrangian bound: for duals mu >= 0 of A x <= b and d = values - mu A, every feasible x has
    values.x <= U - sum(|d_j| for the free j that x sets against the sign of d_j), where
    U = mu.b + sum(max(d_j x_j) over the box). A greedy feasible set gives a lower bound LB on
    the optimum, so a free variable with |d_j| > U - LB keeps its preferred value in every
    optimal set. The bound holds for any mu >= 0, so LP accuracy cannot make this wrong; a
    good mu (the LP's) only makes it fix more. It shrinks the integer program to a small core.
    """
    from scipy.optimize import linprog  # a second to import: only the integer program pays it

    lp = linprog(-values, A_ub=A, b_ub=b, bounds=np.column_stack([lower, upper]), method="highs")
    if lp.status == 2:
        return None
    if lp.status != 0:
        return lower, upper
    mu = np.maximum(-lp.ineqlin.marginals, 0.0)
    d = values - mu @ A
    bound = mu @ b + np.where(d > 0, d * upper, d * lower).sum()
    candidate = _lower_bound_set(problem, values, lower, upper, np.argsort(-lp.x, kind="stable"))
    if candidate is None:
        return lower, upper
    gap = bound - values[candidate].sum()
    free = lower < upper
    sure = free & (np.abs(d) > gap + 1e-9 * max(1.0, abs(bound)) + 1e-6)
    lower, upper = lower.copy(), upper.copy()
    lower[sure & (d > 0)] = 1.0
    upper[sure & (d < 0)] = 0.0
    return lower, upper


def solve(
    problem: Problem,
    force_in: Iterable[int] = (),
    force_out: Iterable[int] = (),
    method: str = "auto",
):
    """The best feasible set: (total value, boolean mask), or None when no set is feasible.

    `force_in` / `force_out` add to the problem's own lists for this one solve. `method`:
    "auto" (branch and bound when there is no budget and no dependency, else the integer
    program) or "milp" (always the integer program). For the integer program, variables
    that no optimal set can flip are fixed first (`_fix_by_reduced_costs`), then the rest is
    solved exactly by `milp` with the relative MIP gap at 0.
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
    values = np.nan_to_num(problem.values, nan=0.0)
    if method == "auto" and problem.budget is None and not problem.requires:
        found = _branch_and_bound(values, problem.efforts, problem.capacity, lower, upper)
        if found is None:
            return None
        if found is not False:
            return float(values[found].sum()), found
    from scipy.optimize import Bounds, LinearConstraint, milp

    A, b = _constraints(problem)
    fixed = _fix_by_reduced_costs(problem, values, lower, upper, A, b)
    if fixed is None:
        return None
    lower, upper = fixed
    with _quiet_stdout():
        result = milp(
            -values,
            integrality=np.ones(n),
            bounds=Bounds(lower, upper),
            constraints=[LinearConstraint(A, -np.inf, b)],
            options={"mip_rel_gap": 0.0},
        )
    if result.x is None:
        return None
    mask = result.x > 0.5
    if (
        not problem.feasible(mask)
        or not all(mask[i] for i in force_in)
        or any(mask[i] for i in force_out)
    ):
        return None
    return float(values[mask].sum()), mask


def _branch_and_bound(values, efforts, capacity, lower, upper):
    """Exact 0/1 knapsack with one capacity constraint: a mask, None if infeasible, False past the node limit.

    Forced ideas (lower = 1) are taken first; the free ones (upper = 1, all of positive value
    by the rules above) are sorted by value per week. Each node fills greedily from its
    first undecided idea (a feasible set: a candidate best), bounds the rest with the LP
    relaxation (greedy plus a fraction of the first idea that does not fit), prunes when
    that bound cannot beat the best set found, and otherwise branches on taking that idea.
    """
    tol = REL_TOL * max(1.0, abs(capacity))
    mask = lower > 0.5
    room = capacity - efforts[mask].sum()
    if room < -tol:
        return None
    free = np.flatnonzero((lower < 0.5) & (upper > 0.5) & (efforts <= room + tol))
    mask[free[efforts[free] <= 0]] = True  # positive value for no effort: always in
    items = free[efforts[free] > 0]
    items = items[np.argsort(-(values[items] / efforts[items]), kind="stable")]
    v, w = values[items].tolist(), efforts[items].tolist()
    m = len(items)
    cum_w = np.concatenate([[0.0], np.cumsum(w)]).tolist()
    cum_v = np.concatenate([[0.0], np.cumsum(v)]).tolist()
    eps = 1e-12 * max(1.0, cum_v[-1])
    best_value, best_take = -1.0, ()
    stack = [(0, room + tol, 0.0, ())]
    nodes = 0
    while stack:
        nodes += 1
        if nodes > BB_NODE_LIMIT:
            return False
        k, left, value, taken = stack.pop()
        j = min(bisect.bisect_right(cum_w, cum_w[k] + left, lo=k) - 1, m)  # k..j-1 fit, j does not
        filled = value + cum_v[j] - cum_v[k]
        if filled > best_value + eps:
            best_value, best_take = filled, taken + tuple(range(k, j))
        if j >= m or filled + v[j] * (left - (cum_w[j] - cum_w[k])) / w[j] <= best_value + eps:
            continue
        stack.append((k + 1, left, value, taken))
        if w[k] <= left:
            stack.append((k + 1, left - w[k], value + v[k], (*taken, k)))
    mask[items[list(best_take)]] = True
    return mask


@contextlib.contextmanager
def _quiet_stdout():
    """Silence HiGHS: scipy 1.17's MIP solver prints debug lines straight to file descriptor 1."""
    try:
        fd = sys.stdout.fileno()
    except (
        AttributeError,
        OSError,
        ValueError,
    ):  # no real stdout (captured, notebook): nothing to hide
        fd = 1
    sys.stdout.flush()
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


def opportunity_costs(
    problem: Problem,
    best_value: float,
    best_mask: np.ndarray,
    ideas: Iterable[int] | None = None,
) -> np.ndarray:
    """Opportunity cost of each idea, as DESIGN section 6 defines it.

    cost_i = V*(without i) - (V*(with i forced in) - value_i).

    For an idea in the best set, V*(with i) is the best value itself, so one solve (without
    i) per idea; for an idea outside it, V*(without i) is the best value, so one solve (with
    i forced in). n integer programs in all. NaN where the idea cannot be forced in (its
    effort or cost alone breaks the limits, or a must-include idea needs it out) or left out
    (a must-include idea, or one that a must-include idea needs). `ideas`: only these
    (the others are NaN).
    """
    values = np.nan_to_num(problem.values, nan=0.0)
    out = np.full(problem.n, np.nan)
    for i in range(problem.n) if ideas is None else ideas:
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
    eligible = np.ones(problem.n, dtype=bool)
    eligible[list(problem.force_out)] = False
    key = np.nan_to_num(np.asarray(ranking, dtype=float), nan=-np.inf)
    return _fill(problem, mask, np.argsort(-key, kind="stable"), eligible, tol=REL_TOL)


def capacity_curve(problem: Problem, capacities: Sequence[float]) -> np.ndarray:
    """Best total value at each capacity (NaN where no set is feasible, e.g. must-includes)."""
    out = []
    for cap in capacities:
        found = solve(Problem(**{**problem.__dict__, "capacity": float(cap)}))
        out.append(np.nan if found is None else found[0])
    return np.array(out)
