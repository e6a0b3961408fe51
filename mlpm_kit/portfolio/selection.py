"""Portfolio comparison: the best set of ideas for a team's capacity, and what each idea costs the others.

`best_portfolio(ideas, capacity_weeks)` returns a `Selection`:

- the set that maximizes total `expected_value` (from `scoring.score`, never recomputed
  here) under the engineer-week capacity and an optional one-time budget, solved exactly
  as an integer program (see `knapsack.py` for the rules: must-include / must-exclude
  lists, dependencies, and never an idea of value <= 0 unless forced or needed by a set
  worth more);
- each idea's own decision (go / validate first / no-go, `model.decision`);
- each idea's opportunity cost as DESIGN section 6 defines it,
  V*(without i) - (V*(with i forced in) - value_i), and its value over that cost;
- the greedy-by-RICE set beside it and the value it leaves on the table;
- a capacity curve from 0 to twice the capacity, and what one more engineer-quarter
  (13 engineer-weeks) is worth;
- with `draws > 0`: P(idea in the best set) and the distribution of the best value.

An idea whose effort alone is larger than the capacity is simply never selected.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mlpm_kit.errors import InputError, ToolError
from mlpm_kit.idea.schema import Idea
from mlpm_kit.idea.sheets import SELECTION_COLUMNS as RESULT_COLUMNS
from mlpm_kit.model.decision import decisions
from mlpm_kit.model.scoring import records, score
from mlpm_kit.model.simulate import simulate

from . import knapsack, tables

# One engineer-quarter: one engineer for 13 weeks.
ENGINEER_QUARTER_WEEKS = 13.0
# Knapsacks solved under uncertainty: the first this-many draws of the simulation.
MAX_KNAPSACK_DRAWS = 200
CURVE_POINTS = 41
# Above this many ideas, opportunity costs come from knapsack tables (`tables.py`), not
# from one exact solve per idea.
TABLES_ABOVE = 200
TOTAL_KEYS = ("selected", "total_expected_value", "total_effort_weeks", "total_one_time_cost")


@dataclass
class Selection:
    """The best portfolio and everything needed to explain it.

    `table` has one row per idea: id, title, expected_value, effort_weeks, one_time_cost,
    rice, selected, greedy_selected, opportunity_cost, value_over_opportunity_cost, and
    p_selected when draws were run. Selected ideas come first, then by value over
    opportunity cost.
    """

    selected: list[str]
    table: pd.DataFrame
    total_expected_value: float
    total_effort_weeks: float
    total_one_time_cost: float
    greedy: dict
    capacity_weeks: float
    budget: float | None
    capacity_curve: pd.DataFrame
    extra_quarter_value: float
    must_include: list[str] = field(default_factory=list)
    must_exclude: list[str] = field(default_factory=list)
    requires: list[tuple[str, str]] = field(default_factory=list)
    draws_solved: int = 0
    # None: one exact solve per idea; 0.0: exact knapsack tables; else the grid (in
    # engineer-weeks) the efforts were rounded to for the opportunity costs (`tables.py`).
    opportunity_cost_step: float | None = None
    best_value_draws: np.ndarray = field(default_factory=lambda: np.zeros(0))
    chosen_value_draws: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # The currency of every amount (ideas in other currencies converted with fx), if named.
    currency: str | None = None

    @property
    def value_left_by_greedy(self) -> float:
        return self.total_expected_value - self.greedy["total_expected_value"]

    def best_value_summary(self) -> dict | None:
        """Mean and p10 / p50 / p90 over the solved draws: of each draw's best set, and of the chosen set.

        The best set of a draw is chosen knowing that draw's values, so its value is what
        perfect information would give (an upper view); `chosen_set` is the value of the
        one set chosen on the point values, draw by draw: what the plan itself is worth.
        """
        if not self.draws_solved:
            return None

        def stats(v: np.ndarray) -> dict[str, float]:
            p10, p50, p90 = np.percentile(v, [10, 50, 90])
            return {
                "mean": float(v.mean()),
                "p10": float(p10),
                "p50": float(p50),
                "p90": float(p90),
            }

        return {
            "draws": self.draws_solved,
            **stats(self.best_value_draws),
            "chosen_set": stats(self.chosen_value_draws),
        }

    def result_columns(self, with_text: bool = False) -> list[str]:
        """The per-idea result columns shown in tables and JSON, `p_selected` when simulated."""
        columns = (["id", "title"] if with_text else []) + list(RESULT_COLUMNS)
        columns += ["decision"] if "decision" in self.table else []
        return columns + (["p_selected"] if "p_selected" in self.table else [])

    def to_json(self) -> dict:
        """The object `mlpm compare --json` prints (DESIGN section 6), plus a few extras."""
        columns = self.result_columns(with_text=True)
        out = {
            "currency": self.currency,
            "capacity_weeks": self.capacity_weeks,
            "budget": self.budget,
            "must_include": list(self.must_include),
            "must_exclude": list(self.must_exclude),
            "requires": [list(pair) for pair in self.requires],
            "selected": list(self.selected),
            "total_expected_value": self.total_expected_value,
            "total_effort_weeks": self.total_effort_weeks,
            "total_one_time_cost": self.total_one_time_cost,
            "greedy": dict(self.greedy),
            "value_left_by_greedy": self.value_left_by_greedy,
            "extra_quarter_value": self.extra_quarter_value,
            "opportunity_cost_effort_rounding": self.opportunity_cost_step or 0.0,
            "ideas": records(self.table[columns]),
        }
        summary = self.best_value_summary()
        if summary:
            out["best_value_distribution"] = summary
        return _json_ready(out)


def _json_ready(value):
    """NaN and infinities become None (null), numpy scalars Python numbers, all the way down."""
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _shown(x: object) -> str:
    return f"{x:g}" if isinstance(x, numbers.Real) and not isinstance(x, bool) else repr(x)


def _check_limits(capacity_weeks: float, budget: float | None) -> None:
    if (
        isinstance(capacity_weeks, bool)
        or not isinstance(capacity_weeks, numbers.Real)
        or not math.isfinite(capacity_weeks)
        or capacity_weeks <= 0
    ):
        raise InputError(
            f"{_shown(capacity_weeks)} engineer-weeks leaves no room for any idea; give a capacity above 0, "
            "for example 4 engineers x 13 weeks = 52.",
            field="capacity_weeks",
        )
    if budget is not None and (
        isinstance(budget, bool)
        or not isinstance(budget, numbers.Real)
        or not math.isfinite(budget)
        or budget < 0
    ):
        raise InputError(
            f"{_shown(budget)} is not a budget; give 0 or more, or leave the budget out.",
            field="budget",
        )


def _index(ids: list[str], wanted: Iterable[str], what: str) -> list[int]:
    out = []
    for name in wanted:
        if name not in ids:
            close = difflib.get_close_matches(str(name), ids, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else f"known ids: {', '.join(ids)}."
            raise InputError(f"'{name}' is not an idea of this portfolio; {hint}", field=what)
        out.append(ids.index(name))
    return out


def _requires_pairs(
    ids: list[str], requires: Mapping[str, str | Sequence[str]]
) -> list[tuple[int, int]]:
    pairs = []
    for needer, needed in requires.items():
        needed = [needed] if isinstance(needed, str) else list(needed)
        (b,) = _index(ids, [needer], "requires")
        pairs.extend((b, a) for a in _index(ids, needed, "requires") if a != b)
    return pairs


def _opportunity_costs(problem: knapsack.Problem, best_value: float, mask: np.ndarray):
    """(opportunity costs, effort step): one exact solve per idea for up to `TABLES_ABOVE`
    ideas or with a budget or dependencies (step None); else from knapsack tables
    (`tables.py`), with the grid step the efforts were rounded to (0.0 when exact)."""
    if problem.n <= TABLES_ABOVE or not tables.applies(problem):
        return knapsack.opportunity_costs(problem, best_value, mask), None
    found = tables.opportunity_costs(problem)
    costs = found.values.copy()
    forced = sorted(problem.force_in)
    costs[forced] = knapsack.opportunity_costs(problem, best_value, mask, forced)[forced]
    return costs, 0.0 if found.exact else found.step


def best_portfolio(
    ideas: Sequence[Idea],
    capacity_weeks: float,
    budget: float | None = None,
    draws: int = 0,
    seed: int = 0,
    must_include: Iterable[str] = (),
    must_exclude: Iterable[str] = (),
    requires: Mapping[str, str | Sequence[str]] | None = None,
    simulation=None,
) -> Selection:
    """The set of ideas with the largest total expected value that fits the capacity (and budget).

    `requires` maps an id to the id(s) it needs ("B needs A": {"B": "A"}). `simulation`
    reuses a finished `simulate(ideas, ...)` result instead of running one when draws > 0.

    Under uncertainty (draws > 0): the ideas are simulated (`simulate(ideas, draws, seed)`),
    and for each of the first min(draws, 200) draws the exact best set is solved again with
    that draw's `expected_value` of every idea, while efforts, one-time costs, the
    capacity, budget, must lists and dependencies stay as planned (the point values).
    `p_selected` is the share of those draws in which the idea is in that draw's best set;
    `best_value_draws` holds the best set's value in each of those draws (chosen knowing the
    draw: an upper view), and `chosen_value_draws` the value of the set chosen on the point
    values in each draw (what the plan is worth).

    >>> from mlpm_kit.idea.folders import load_portfolio
    >>> sel = best_portfolio(load_portfolio("examples/ideas"), capacity_weeks=60)
    >>> sel.selected, round(sel.total_expected_value, -3)
    (['invoice-extraction', 'spam-filter'], 730000.0)
    """
    _check_limits(capacity_weeks, budget)
    ideas = list(ideas)
    if not ideas:
        raise InputError(
            "there are no ideas to compare; give a folder of idea files, a .csv or an .xlsx."
        )
    if int(draws) < 0:
        raise InputError(f"{draws!r} draws: give 0 (point values only) or more.", field="draws")
    points = score(ideas)
    # score() ranks its rows; put them back in the order of `ideas`.
    points = points.set_index("id").loc[[i.id for i in ideas]].reset_index()
    ids = list(points["id"])
    include = _index(ids, must_include, "must_include")
    exclude = _index(ids, must_exclude, "must_exclude")
    both = set(include) & set(exclude)
    if both:
        raise InputError(
            f"'{ids[min(both)]}' is on both the must-include and the must-exclude list; keep it on one."
        )
    pairs = _requires_pairs(ids, requires or {})
    problem = knapsack.Problem.build(
        points["expected_value"],
        points["effort_weeks"],
        points["one_time_cost"],
        capacity_weeks,
        budget,
        pairs,
        include,
        exclude,
    )
    found = knapsack.solve(problem)
    if found is None:
        need = problem.efforts[include].sum()
        raise InputError(
            f"the must-include ideas ({', '.join(ids[i] for i in include)}) and what they need do not fit: "
            f"{need:g} engineer-weeks against a capacity of {capacity_weeks:g}"
            + (f" and a budget of {budget:g}" if budget is not None else "")
            + "; raise the capacity or shorten the must-include list.",
            field="must_include",
        )
    best_value, mask = found
    costs, costs_step = _opportunity_costs(problem, best_value, mask)
    greedy_mask = knapsack.greedy(problem, points["rice"].to_numpy())

    table = points[
        ["id", "title", "expected_value", "effort_weeks", "one_time_cost", "rice"]
    ].copy()
    table["selected"] = mask
    table["greedy_selected"] = greedy_mask
    table["opportunity_cost"] = costs
    table["value_over_opportunity_cost"] = table["expected_value"] - costs
    # Each idea's own decision (DESIGN section 9), beside whether the best set takes it.
    _, decided = decisions(ideas, seed=seed, percentiles_of=())
    table["decision"] = [d.decision for d in decided]

    draws_solved, value_draws, chosen_draws = 0, np.zeros(0), np.zeros(0)
    if int(draws) > 0 or simulation is not None:
        sim = simulation if simulation is not None else simulate(ideas, draws=int(draws), seed=seed)
        samples = np.asarray(sim.samples["expected_value"], dtype=float)
        if samples.ndim != 2 or samples.shape[0] != len(ideas):
            raise ToolError(
                f"the simulation returned expected values of shape {samples.shape}, not ideas x draws."
            )
        samples = samples[:, :MAX_KNAPSACK_DRAWS]
        hits = np.zeros(len(ideas))
        value_draws = np.empty(samples.shape[1])
        for d in range(samples.shape[1]):
            drawn = knapsack.Problem(**{**problem.__dict__, "values": samples[:, d]})
            value_draws[d], in_best = knapsack.solve(drawn)  # feasible: the point problem was
            hits += in_best
        draws_solved = samples.shape[1]
        chosen_draws = samples[mask].sum(axis=0)
        table["p_selected"] = hits / max(draws_solved, 1)

    table = table.sort_values(
        ["selected", "value_over_opportunity_cost"],
        ascending=[False, False],
        kind="stable",
        na_position="last",
    ).reset_index(drop=True)

    caps = np.unique(
        np.concatenate(
            [
                np.linspace(0, 2 * capacity_weeks, CURVE_POINTS),
                [capacity_weeks, capacity_weeks + ENGINEER_QUARTER_WEEKS],
            ]
        )
    )
    curve_values = knapsack.capacity_curve(problem, caps)
    curve = pd.DataFrame({"capacity_weeks": caps, "best_value": curve_values})
    at = dict(zip(caps, curve_values, strict=True))

    def totals(m: np.ndarray) -> dict:
        return {
            "selected": [ids[i] for i in np.flatnonzero(m)],
            "total_expected_value": float(problem.values[m].sum()),
            "total_effort_weeks": float(problem.efforts[m].sum()),
            "total_one_time_cost": float(problem.costs[m].sum()),
        }

    best = totals(mask)
    return Selection(
        selected=best["selected"],
        table=table,
        total_expected_value=best["total_expected_value"],
        total_effort_weeks=best["total_effort_weeks"],
        total_one_time_cost=best["total_one_time_cost"],
        greedy=totals(greedy_mask),
        capacity_weeks=float(capacity_weeks),
        budget=None if budget is None else float(budget),
        capacity_curve=curve,
        extra_quarter_value=float(at[capacity_weeks + ENGINEER_QUARTER_WEEKS] - at[capacity_weeks]),
        must_include=[ids[i] for i in include],
        must_exclude=[ids[i] for i in exclude],
        requires=[(ids[b], ids[a]) for b, a in pairs],
        draws_solved=draws_solved,
        opportunity_cost_step=costs_step,
        best_value_draws=value_draws,
        chosen_value_draws=chosen_draws,
        currency=points["currency"].iloc[0],
    )
