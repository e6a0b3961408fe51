"""Which assumption to validate next, and what that is worth: the value of information.

Value of information answers the discovery question of DESIGN section 5. The decision is
go / no-go per idea; going pays the draw's `expected_value`, not going pays 0 (see
`simulate.py`). Without more information the team goes when E[expected_value] > 0, so
the decision is worth max(0, E[payoff]).

- EVPI of an idea (all inputs known at once) = E[max(0, payoff)] - max(0, E[payoff]).
- EVPPI of one input X (only X known) = E_X[max(0, m(X))] - max(0, E_X[m(X)]) with
  m(x) = E[payoff | X = x]. m is fitted by least squares on the simulation's own draws
  (`regression.py`: exact for the inputs the payoff is linear in, bent for the others),
  for every input of every idea in the same pass as the simulation, and E_X is the mean
  over the simulation's draws of X (its exact distribution, tails included). An input
  whose m keeps one sign cannot change the decision: its EVPPI is exactly 0. Knowing
  one input is never worth more than knowing all: EVPPI is capped at the EVPI.
- Kill criterion of an input: the x inside its 90% range [low, high] where m crosses 0
  (the crossing nearest the median), with `direction` "below" when the payoff is
  negative below it, "above" otherwise. The fitted m finds the crossing; the threshold
  itself is then refined on the exact conditional mean, the mean payoff over the first
  `CONDITIONAL_DRAWS` draws with X set to x and every other input as drawn
  (`conditional_means`): at the fitted crossing's two grid points and one between them,
  in one model run; where the three lie on a line (the payoff is linear in most inputs)
  the secant's root is exact, elsewhere the secant method goes on (`refine_kills`).

Both are computed in the simulation's pass (`Information`, an engine reducer), block by
block while the draws are in memory; `evppi_table` lays the result out.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from mlpm_kit.idea.estimates import Z90
from mlpm_kit.idea.schema import Idea, field_label
from mlpm_kit.model.economics import evaluate
from mlpm_kit.model.engine import Block
from mlpm_kit.model.inputs import CAPTURES, REPLACED_COST, SCALAR_PATHS
from mlpm_kit.model.regression import PAYOFF, Fit, Moments

# Kill criteria: the most draws each exact conditional mean averages (the first ones of
# the simulation), the points over the 90% range where a crossing is looked for, and the
# most secant steps that refine it.
CONDITIONAL_DRAWS = 2000
KILL_GRID = 41
ROOT_STEPS = 8
# The secant stops where |m| is within this share of |m(a)| + |m(b)|; m counts as affine
# between a and b where m at a + STRAIGHT_AT (b - a) is that close to the line through them.
ROOT_TOLERANCE = 1e-9
STRAIGHT_AT = 0.3
# Exact conditional means are computed for groups of inputs of about this many samples.
BATCH_CELLS = 1 << 16
# How to validate each kind of input, by dotted-path prefix (longest prefix wins).
SUGGESTIONS = {
    "value.users": "Count them in real data: accounts, logs or the CRM, not a market-size guess.",
    "value.adoption": "Ask for a commitment: a pilot, a letter of intent or a pre-order, not 'would you use it?'.",
    "value.hours_saved_per_user_week": "Ask for the last time it happened and time it; watch a user do the task.",
    "value.hourly_cost": "Ask finance or HR for the loaded hourly cost of these people.",
    "value.weeks_per_year": "Check working weeks with HR (holidays, seasonality).",
    "value.money_saved_per_year": "Find the invoices, tickets or ledger lines the saving comes from.",
    "value.revenue_per_year": "Pre-sell: ask for a price and a signed commitment before building.",
    "alternatives.captures": "Watch today's workaround in use and measure how much of the job it already does.",
    "alternatives.cost_per_year": "Get the invoice or contract of today's alternative.",
    "cost.data_cost": "Get a quote for the labels or data, or label a sample of 200 yourselves and time it.",
    "cost.run_cost_per_year": "Run a load test or get an infrastructure quote at the expected volume.",
    "cost": "Run a time-boxed spike or throwaway prototype and compare it with the estimate.",
    "evidence.confidence": "Do more interviews with strangers about what they did last time, not what they would do.",
    "timeline": "Ask finance for the planning horizon and discount rate they use.",
    "opportunity": "Ask the team lead what the next-best work on the roadmap returns per engineer-week.",
    "pain": "Interview more people about the last time the problem happened.",
}
_INDEX = re.compile(r"\[\d+\]")
_ALTERNATIVE = re.compile(r"^alternatives\[(\d+)\]\.(\w+)$")


@functools.cache
def suggestion(path: str) -> str:
    """How to validate the input at dotted `path` (`alternatives[2].captures` counts as `alternatives.captures`)."""
    key = _INDEX.sub("", path)
    for prefix in sorted(SUGGESTIONS, key=len, reverse=True):
        if key == prefix or key.startswith(prefix + "."):
            return SUGGESTIONS[prefix]
    return "Find the real number in data or ask the people who know it, then narrow the range."


def value_of_knowing(positive: np.ndarray, mean: np.ndarray, magnitude: np.ndarray) -> np.ndarray:
    """E[max(0, m)] - max(0, E[m]) from `positive` = E[max(0, m)], `mean` = E[m] and
    `magnitude` = E[|m|]: what knowing m before the go / no-go decision is worth (m the
    payoff for the EVPI, its conditional mean for an EVPPI). Values within rounding of 0
    (or below) are exactly 0."""
    value = positive - np.maximum(mean, 0)
    return np.where(value > 1e-9 * magnitude, value, 0.0)


def idea_draws(
    samples: Mapping[str, np.ndarray], i: int, alternatives: int
) -> dict[str, np.ndarray]:
    """Idea i's model inputs over (at most `CONDITIONAL_DRAWS` of) its draws, keyed as
    `evaluate` wants them: shape (1, draws), alternatives (alternatives, 1, draws)."""
    draws = min(samples["expected_value"].shape[1], CONDITIONAL_DRAWS)
    x = {
        path: np.asarray(samples[path][i : i + 1, :draws], dtype=np.float64)
        for path in SCALAR_PATHS
    }
    for key, name in ((CAPTURES, "captures"), (REPLACED_COST, "cost_per_year")):
        rows = [
            np.asarray(samples[f"alternatives[{j}].{name}"][i, :draws]) for j in range(alternatives)
        ]
        x[key] = np.array(rows, dtype=np.float64).reshape(alternatives, 1, draws)
    return x


def _slot_of(path: str) -> tuple[str, int | None]:
    """The key of `evaluate`'s inputs that an input path goes to, and its alternative index."""
    if match := _ALTERNATIVE.match(path):
        return (CAPTURES if match.group(2) == "captures" else REPLACED_COST), int(match.group(1))
    return path, None


def conditional_means(x: Mapping[str, np.ndarray], path: str, values) -> np.ndarray:
    """m(v) = E[payoff | input = v] for each v: the mean payoff over the draws `x` (from
    `idea_draws`) with the input at `path` set to v and every other input as drawn."""
    values = np.asarray(values, dtype=np.float64).reshape(1, -1)
    return _conditional_means_of(x, [path], values)[0]


def pairs_of(x: Mapping[str, np.ndarray], rows) -> dict[str, np.ndarray]:
    """The rows `rows` of stacked draws (see `_conditional_means_of`)."""
    return {
        key: v[:, rows] if key in (CAPTURES, REPLACED_COST) else v[rows] for key, v in x.items()
    }


def _conditional_means_of(
    x: Mapping[str, np.ndarray], paths: Sequence[str], values: np.ndarray
) -> np.ndarray:
    """Exact conditional means for several (draws, input path) pairs in one model run.

    `x` stacks one idea's draws per pair, as `idea_draws` gives one: scalars (pairs,
    draws) or (pairs, 1) for a constant, alternatives (alternatives, pairs, draws or 1).
    Row p of the result is m of input `paths[p]` at each of `values[p]`: (pairs, points).
    """
    points = values.shape[1]
    fixed: dict[str, np.ndarray] = {}
    slots = [_slot_of(path) for path in paths]
    for key, drawn in x.items():
        index = None if key not in (CAPTURES, REPLACED_COST) else slice(None)
        drawn = drawn[..., None, :]  # a points axis: (pairs, 1, draws), alternatives first
        mine = [(p, at) for p, (k, at) in enumerate(slots) if k == key]
        if mine:
            drawn = np.repeat(drawn, points, axis=-2)
            for p, at in mine:
                target = drawn[p] if index is None else drawn[at, p]
                target[...] = values[p][:, None]
        fixed[key] = drawn
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        payoff = evaluate(fixed, ("expected_value",))["expected_value"]
    return np.asarray(payoff, dtype=np.float64).mean(axis=-1)


@np.errstate(all="ignore")
def evppi_values(fit: Fit, basis: np.ndarray) -> np.ndarray:
    """EVPPI of every (idea, input) of a fit over the draws of its block (`basis`, see
    `regression.Moments`): (ideas, inputs); exactly 0 where m keeps one sign.

    Only the inputs whose m could change sign somewhere in the draws (its bounds over the
    drawn u and q straddle 0) are looked at draw by draw: the others are worth 0.
    """
    out = np.zeros(fit.coef.shape[:2])
    low, high = fit.bounds(_largest_q(basis.dtype))
    at, inputs = np.nonzero(~((low >= 0) | (high <= 0)))
    if not len(at):
        return out
    m = fit.means_on(basis, at, inputs)
    mean = m.mean(axis=-1, dtype=np.float64)
    np.maximum(m, 0, out=m)
    positive = m.mean(axis=-1, dtype=np.float64)
    # E|m| = 2 E[max(0, m)] - E[m]
    out[at, inputs] = value_of_knowing(positive, mean, 2 * positive - mean)
    return out


def _largest_q(dtype) -> float:
    """The largest q = z^2 - 1 a draw can have: Box-Muller's normals reach sqrt(-2 ln u) for
    the smallest uniform u of the precision (5.8 sigma in float32, 8.6 in float64)."""
    tiny = np.finfo(dtype).eps / 2
    return -2 * float(np.log(tiny)) - 1


def kill_brackets(fit: Fit, x: np.ndarray | None = None) -> np.ndarray:
    """Per idea and input, the two values (on its 90% range grid) between which the fitted
    m crosses 0 nearest the median: (ideas, inputs, 2), NaN where it keeps one sign.

    `x`: the inputs' values on the grid, `fit.values_at(kill_grid())`, when already at hand.
    """
    z = kill_grid()
    x = fit.values_at(z) if x is None else x
    m = fit.means_at(z, x)
    flips = (m[..., :-1] > 0) != (m[..., 1:] > 0)
    # The crossing nearest the median (z = 0): the flip whose interval's centre is nearest.
    distance = np.where(flips, np.abs(z[:-1] + z[1:]), np.inf)
    k = distance.argmin(axis=-1)[..., None]
    out = np.concatenate(
        [np.take_along_axis(x, k, axis=-1), np.take_along_axis(x, k + 1, axis=-1)], axis=-1
    )
    out[~flips.any(axis=-1)] = np.nan
    return out


def kill_grid() -> np.ndarray:
    """The normal scores where kill criteria are looked for: `KILL_GRID` points from the low
    end of the 90% range (-Z90) to its high end (+Z90)."""
    return np.linspace(-Z90, Z90, KILL_GRID)


def _batches(count: int, cells_each: int) -> list[slice]:
    size = max(1, BATCH_CELLS // max(cells_each, 1))
    return [slice(start, min(start + size, count)) for start in range(0, count, size)]


def refine_kills(
    x: Mapping[str, np.ndarray],
    paths: Sequence[str],
    low: np.ndarray,
    high: np.ndarray,
    start: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Kill criteria on the exact conditional mean, one per row of the stacked draws `x`
    (see `_conditional_means_of`): input `paths[p]`, 90% range [low, high], and `start`
    (pairs, 2): the two values a, b between which the fitted m crossed 0.

    Returns (threshold, rising): NaN where the exact m does not cross 0 inside the range;
    `rising` where m is negative below the threshold. The exact m is computed at a, b and
    a third point between them (`STRAIGHT_AT`), in one model run: where the three lie on
    one line (within `ROOT_TOLERANCE` of |m(a)| + |m(b)|), m is affine there (the payoff is
    linear in most inputs) and the secant's root is the threshold; elsewhere the secant
    method goes on from a and b. Rows are taken in groups of about `BATCH_CELLS` samples;
    list the rows of one input together: a model run then repeats only that input's work
    per point.
    """
    threshold = np.full(len(paths), np.nan)
    rising = np.zeros(len(paths), dtype=bool)
    draws = max(v.shape[-1] for v in x.values())
    for rows in _batches(len(paths), draws * 3):
        mine, names = pairs_of(x, rows), list(paths[rows])
        a, b = start[rows, 0].astype(np.float64), start[rows, 1].astype(np.float64)
        f = _conditional_means_of(mine, names, np.stack([a, b, a + STRAIGHT_AT * (b - a)], axis=1))
        fa, fb = f[:, 0], f[:, 1]
        with np.errstate(all="ignore"):
            root = b - fb * (b - a) / np.where(fb == fa, np.nan, fb - fa)
        scale = np.abs(fa) + np.abs(fb)
        straight = np.abs(f[:, 2] - (fa + STRAIGHT_AT * (fb - fa))) <= ROOT_TOLERANCE * scale
        up = (fb - fa) * (b - a) > 0
        bent = np.nonzero(~straight)[0]
        if len(bent):
            root[bent], up[bent] = _secant(
                pairs_of(mine, bent),
                [names[p] for p in bent],
                a[bent],
                b[bent],
                fa[bent],
                fb[bent],
                (high[rows] - low[rows])[bent],
            )
        inside = np.isfinite(root) & (root >= low[rows]) & (root <= high[rows])
        threshold[rows] = np.where(inside, root, np.nan)
        rising[rows] = up
    return threshold, rising


def _secant(x, paths, x0, x1, f0, f1, width: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each exact m crosses 0 (NaN where the steps find no crossing), and whether m
    rises there (the payoff is negative below the root)."""
    scale = np.abs(f0) + np.abs(f1)
    active = np.ones(len(x0), dtype=bool)
    converged = np.zeros(len(x0), dtype=bool)
    for _ in range(ROOT_STEPS):
        flat = f1 == f0
        x2 = np.where(flat, np.nan, x1 - f1 * (x1 - x0) / np.where(flat, 1, f1 - f0))
        active &= np.isfinite(x2)
        idx = np.nonzero(active)[0]
        if not len(idx):
            break
        f2 = _conditional_means_of(pairs_of(x, idx), [paths[p] for p in idx], x2[idx, None])
        x0[idx], f0[idx], x1[idx], f1[idx] = x1[idx], f1[idx], x2[idx], f2[:, 0]
        done = (np.abs(f1) <= ROOT_TOLERANCE * scale) | (np.abs(x1 - x0) <= 1e-7 * width)
        converged |= active & done
        active &= ~done
    rising = (f1 - f0) * (x1 - x0) > 0
    return np.where(converged, x1, np.nan), rising


class Information:
    """Engine reducer (after `regression.Moments`): while each block of ideas is in memory,
    the EVPPI of each of their inputs and the kill criteria, refined on the block's own
    first `CONDITIONAL_DRAWS` draws. Arrays are ideas x inputs (`moments.paths`)."""

    def __init__(self, moments: Moments, ideas: int):
        self.moments = moments
        shape = (ideas, len(moments.paths))
        self.evppi = np.zeros(shape)
        self.threshold = np.full(shape, np.nan)
        self.rising = np.zeros(shape, dtype=bool)

    def __call__(self, block: Block) -> None:
        if not self.moments.paths:
            return
        rows = block.rows
        fit = self.moments.fit(rows)
        self.evppi[rows] = evppi_values(fit, self.moments.take_basis(rows))
        grid = fit.values_at(kill_grid())
        start = kill_brackets(fit, grid)
        at, inputs = np.nonzero(~np.isnan(start[..., 0]))  # (idea in block, input) pairs
        if not len(at):
            return
        at, inputs = at[np.argsort(inputs, kind="stable")], np.sort(inputs)  # by input
        low, high = grid[at, inputs, 0], grid[at, inputs, -1]  # the 90% range
        a, b = start[at, inputs, 0], start[at, inputs, 1]
        used = min(block.outputs[PAYOFF].shape[-1], CONDITIONAL_DRAWS)
        x = {
            key: np.asarray(
                v[:, at, :used] if key in (CAPTURES, REPLACED_COST) else v[at, :used],
                dtype=np.float64,
            )
            for key, v in block.model.items()
        }
        found, rising = refine_kills(
            x, [fit.paths[j] for j in inputs], low, high, np.column_stack([a, b])
        )
        threshold, up = self.threshold[rows], self.rising[rows]
        threshold[at, inputs], up[at, inputs] = found, rising


def evppi_table(ideas: Sequence[Idea], info: Information, totals: np.ndarray) -> pd.DataFrame:
    """One row per (idea, uncertain input), ranked by EVPPI within each idea (ideas in input
    order), with the input's kill criterion (`kill_threshold`, NaN when none; `kill_direction`).

    `info` holds what the simulation's pass found (`Information`), `totals` each idea's EVPI.
    """
    slots, n = info.moments.slots, len(ideas)
    order = sorted(range(len(slots)), key=lambda j: _path_order(slots[j].path))
    ranged = np.array([slots[j].sigma > 0 for j in order], dtype=bool).reshape(len(slots), n)
    at, k = np.nonzero(ranged.T)  # (idea, input) pairs: ideas in order, inputs in path order
    j = np.array(order, dtype=np.intp)[k]
    low = np.array([s.low for s in slots], dtype=float).reshape(len(slots), n)[j, at]
    high = np.array([s.high for s in slots], dtype=float).reshape(len(slots), n)[j, at]
    threshold = info.threshold[at, j]
    direction = np.where(np.isnan(threshold), "", np.where(info.rising[at, j], "below", "above"))
    paths = [slots[c].path for c in j]
    table = pd.DataFrame(
        {
            "order": at,
            "id": [ideas[i].id for i in at],
            "input": paths,
            "label": [field_label(p, ideas[i]) for p, i in zip(paths, at, strict=True)],
            # Knowing one input is never worth more than knowing all of them.
            "evppi": np.minimum(info.evppi[at, j], np.asarray(totals, dtype=float)[at]),
            "suggestion": [suggestion(p) for p in paths],
            "kill_threshold": np.clip(threshold, low, high),
            "kill_direction": direction.astype(object),
        }
    )
    table = table.sort_values(["order", "evppi"], ascending=[True, False], kind="stable")
    table.insert(4, "rank", table.groupby("order").cumcount() + 1)
    return table.drop(columns="order").reset_index(drop=True)


def _path_order(path: str) -> tuple[int, str]:
    return (SCALAR_PATHS.index(path), "") if path in SCALAR_PATHS else (len(SCALAR_PATHS), path)
