"""Which assumption to validate next, and what that is worth: the value of information.

Value of information answers the discovery question of DESIGN section 5. The decision is
go / no-go per idea; going pays the draw's `expected_value`, not going pays 0 (see
`simulate.py`). Without more information the team goes when E[expected_value] > 0, so
the decision is worth max(0, E[payoff]).

- EVPI of an idea (all inputs known at once) = E[max(0, payoff)] - max(0, E[payoff]).
- EVPPI of one input X (only X known) = E_X[max(0, m(X))] - max(0, E_X[m(X)]) with
  m(x) = E[payoff | X = x]. m is fitted by least squares on the simulation's own draws
  (`regression.py`: exact for the inputs the payoff is linear in, bent for the others),
  for every input of every idea in the same pass as the simulation, and E_X is taken
  over `regression.QUADRATURE` equal-probability points of X's distribution. An input
  whose m keeps one sign cannot change the decision: its EVPPI is exactly 0. Knowing
  one input is never worth more than knowing all: EVPPI is capped at the EVPI.
- Kill criterion of an input: the x inside its 90% range [low, high] where m crosses 0
  (the crossing nearest the median), with `direction` "below" when the payoff is
  negative below it, "above" otherwise. The fitted m finds the crossing; the threshold
  itself is then refined on the exact conditional mean, the mean payoff over the first
  `CONDITIONAL_DRAWS` draws with X set to x and every other input as drawn
  (`conditional_means`; the secant method, all inputs of all ideas in lockstep).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from mlpm_kit.idea.estimates import Z90
from mlpm_kit.idea.schema import Idea, field_label
from mlpm_kit.model.economics import evaluate
from mlpm_kit.model.inputs import CAPTURES, REPLACED_COST, SCALAR_PATHS, ModelInputs
from mlpm_kit.model.regression import Fit, quadrature_points

# Kill criteria: the most draws each exact conditional mean averages (the first ones of
# the simulation), the points over the 90% range where a crossing is looked for, and the
# most secant steps that refine it.
CONDITIONAL_DRAWS = 4000
KILL_GRID = 41
ROOT_STEPS = 8
# Exact conditional means are computed for groups of inputs of about this many samples.
BATCH_CELLS = 1 << 16
# Ideas whose draws are recomputed at once for the refinement.
IDEAS_PER_BATCH = 64
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


def suggestion(path: str) -> str:
    """How to validate the input at dotted `path` (`alternatives[2].captures` counts as `alternatives.captures`)."""
    key = _INDEX.sub("", path)
    for prefix in sorted(SUGGESTIONS, key=len, reverse=True):
        if key == prefix or key.startswith(prefix + "."):
            return SUGGESTIONS[prefix]
    return "Find the real number in data or ask the people who know it, then narrow the range."


def evpi_total(payoff: np.ndarray) -> np.ndarray:
    """EVPI per idea from payoff samples (ideas x draws)."""
    payoff = np.asarray(payoff, dtype=np.float64)
    mean = payoff.mean(axis=1)
    value = np.maximum(payoff, 0).mean(axis=1) - np.maximum(mean, 0)
    return _clean(value, np.abs(payoff).mean(axis=1))


def _clean(value: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Values within rounding of 0 (or below) become exactly 0."""
    return np.where(value > 1e-9 * scale, value, 0.0)


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


def draws_of(x: Mapping[str, np.ndarray], path: str) -> np.ndarray:
    """The drawn values of one input from `idea_draws`."""
    key, index = _slot_of(path)
    return (x[key][index] if index is not None else x[key]).ravel()


def conditional_means(x: Mapping[str, np.ndarray], path: str, values) -> np.ndarray:
    """m(v) = E[payoff | input = v] for each v: the mean payoff over the draws `x` (from
    `idea_draws`) with the input at `path` set to v and every other input as drawn."""
    values = np.asarray(values, dtype=np.float64).reshape(1, -1)
    return _conditional_means_of([x], [path], values)[0]


def _conditional_means_of(
    xs: Sequence[Mapping[str, np.ndarray]], paths: Sequence[str], values: np.ndarray
) -> np.ndarray:
    """Exact conditional means for several (idea draws, input path) pairs in one model run:
    row p is m at `values[p]` of input `paths[p]` over the draws `xs[p]`; (pairs, points)."""
    pairs, points = values.shape
    draws = max(np.shape(x[key])[-1] for x in xs for key in SCALAR_PATHS)
    fixed: dict[str, np.ndarray] = {}
    for key in SCALAR_PATHS:
        # An input constant for every pair stays one value per pair: (pairs, 1, 1).
        wide = draws if any(np.shape(x[key])[-1] > 1 for x in xs) else 1
        stacked = np.empty((pairs, 1, wide))
        for p, x in enumerate(xs):
            stacked[p, 0] = np.broadcast_to(np.asarray(x[key]).reshape(-1), (wide,))
        mine = np.array([path == key for path in paths])
        if mine.any():
            stacked = np.repeat(stacked, points, axis=1)
            stacked[mine] = values[mine][..., None]
        fixed[key] = stacked
    width = max(np.shape(x[CAPTURES])[0] for x in xs)
    for key in (CAPTURES, REPLACED_COST):
        table = np.zeros((width, pairs, 1, draws))
        for p, x in enumerate(xs):
            own = np.asarray(x[key])
            table[: own.shape[0], p, 0] = own[:, 0, :draws]
        mine = [(p, at) for p, (k, at) in enumerate(map(_slot_of, paths)) if k == key]
        if mine:
            table = np.repeat(table, points, axis=2)
            for p, index in mine:
                table[index, p] = values[p][:, None]
        fixed[key] = table
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        payoff = evaluate(fixed, ("expected_value",))["expected_value"]
    return np.asarray(payoff, dtype=np.float64).mean(axis=-1)


def evppi_values(fit: Fit) -> np.ndarray:
    """EVPPI of every (idea, input) of a fit: (ideas, inputs); 0 where m keeps one sign."""
    z = quadrature_points()
    out = np.zeros(fit.coef.shape[:2])
    for j in range(out.shape[1]):
        m = fit.means_at(j, z)
        value = np.maximum(m, 0).mean(axis=1) - np.maximum(m.mean(axis=1), 0)
        out[:, j] = _clean(value, np.abs(m).mean(axis=1))
    return out


def kill_brackets(fit: Fit, j: int) -> np.ndarray:
    """Per idea, the two values of input j (on its 90% range grid) between which the fitted
    m crosses 0 nearest the median: (ideas, 2), NaN where it keeps one sign in the range."""
    z = np.linspace(-Z90, Z90, KILL_GRID)
    m = fit.means_at(j, z)
    x = fit.values_at(j, z)
    flips = (m[:, :-1] > 0) != (m[:, 1:] > 0)
    # The crossing nearest the median (z = 0): the flip whose interval's centre is nearest.
    distance = np.where(flips, np.abs(z[:-1] + z[1:]), np.inf)
    k = distance.argmin(axis=1)
    rows = np.arange(len(k))
    out = np.stack([x[rows, k], x[rows, k + 1]], axis=1)
    out[~flips.any(axis=1)] = np.nan
    return out


def _batches(count: int, cells_each: int) -> list[slice]:
    size = max(1, BATCH_CELLS // max(cells_each, 1))
    return [slice(start, min(start + size, count)) for start in range(0, count, size)]


def refine_kills(
    requests: Sequence[tuple[Mapping[str, np.ndarray], str, float, float, float, float]],
) -> list[tuple[float, str]]:
    """Kill criteria on the exact conditional mean, for (idea draws, input path, low, high,
    a, b) requests where the fitted m crossed 0 between a and b: (threshold, direction) each,
    (nan, "") where the exact m does not cross 0 inside [low, high].

    The secant method on the exact m, started from a and b: one step is exact where the
    payoff is linear in the input (most inputs), a few more where it bends; all requests
    in lockstep, in groups of about `BATCH_CELLS` samples.
    """
    out: list[tuple[float, str]] = [(float("nan"), "")] * len(requests)
    if not requests:
        return out
    draws = max(np.shape(r[0][SCALAR_PATHS[0]])[-1] for r in requests)
    for part in _batches(len(requests), draws * 2):
        chunk = requests[part]
        xs, paths = [r[0] for r in chunk], [r[1] for r in chunk]
        low, high, a, b = (np.array([r[k] for r in chunk], dtype=np.float64) for k in (2, 3, 4, 5))
        f = _conditional_means_of(xs, paths, np.stack([a, b], axis=1))
        root, rising = _secant(xs, paths, a, b, f[:, 0], f[:, 1], high - low)
        inside = np.isfinite(root) & (root >= low) & (root <= high)
        for p in np.nonzero(inside)[0]:
            out[part.start + p] = (float(root[p]), "below" if rising[p] else "above")
    return out


def _secant(xs, paths, x0, x1, f0, f1, width: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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
        f2 = _conditional_means_of([xs[p] for p in idx], [paths[p] for p in idx], x2[idx, None])
        x0[idx], f0[idx], x1[idx], f1[idx] = x1[idx], f1[idx], x2[idx], f2[:, 0]
        done = (np.abs(f1) <= 1e-9 * scale) | (np.abs(x1 - x0) <= 1e-7 * width)
        converged |= active & done
        active &= ~done
    rising = (f1 - f0) * (x1 - x0) > 0
    return np.where(converged, x1, np.nan), rising


def evppi_table(
    ideas: Sequence[Idea],
    inputs: Sequence[ModelInputs],
    fit: Fit,
    totals: np.ndarray,
    draws_of_ideas: Callable[[Sequence[int]], Mapping[int, Mapping[str, np.ndarray]]],
) -> pd.DataFrame:
    """One row per (idea, uncertain input), ranked by EVPPI within each idea (ideas in input
    order), with the input's kill criterion (`kill_threshold`, NaN when none; `kill_direction`).

    `fit` holds the conditional means of every input (`regression.Moments.fit`), `totals`
    each idea's EVPI, and `draws_of_ideas(indices)` gives the ideas' model inputs over
    their first draws (`idea_draws`) for the exact refinement of kill criteria.
    """
    values = evppi_values(fit)
    column = {path: j for j, path in enumerate(fit.paths)}
    brackets = {j: kill_brackets(fit, j) for j in range(len(fit.paths))}
    rows, requests = [], []
    for i, (idea, inp) in enumerate(zip(ideas, inputs, strict=True)):
        uncertain = inp.uncertain()
        for path in sorted(uncertain, key=_path_order):
            j = column[path]
            value = min(float(values[i, j]), float(totals[i]))
            rows.append([i, idea.id, path, field_label(path, idea), value, suggestion(path)])
            if not np.isnan(brackets[j][i, 0]):
                requests.append((len(rows) - 1, i, path, uncertain[path], brackets[j][i]))
    kills = [(float("nan"), "")] * len(rows)
    needed = sorted({r[1] for r in requests})
    for start in range(0, len(needed), IDEAS_PER_BATCH):
        group = needed[start : start + IDEAS_PER_BATCH]
        chunk = [r for r in requests if group[0] <= r[1] <= group[-1]]
        draws = draws_of_ideas(group)
        found = refine_kills(
            [(draws[i], path, est.low, est.high, *ab) for _, i, path, est, ab in chunk]
        )
        for (row, *_), kill in zip(chunk, found, strict=True):
            kills[row] = kill
    columns = ["order", "id", "input", "label", "evppi", "suggestion"]
    table = pd.DataFrame(
        [[*row, *kill] for row, kill in zip(rows, kills, strict=True)],
        columns=[*columns, "kill_threshold", "kill_direction"],
    )
    table = table.sort_values(["order", "evppi"], ascending=[True, False], kind="stable")
    table.insert(4, "rank", table.groupby("order").cumcount() + 1)
    return table.drop(columns="order").reset_index(drop=True)


def _path_order(path: str) -> tuple[int, str]:
    return (SCALAR_PATHS.index(path), "") if path in SCALAR_PATHS else (len(SCALAR_PATHS), path)
