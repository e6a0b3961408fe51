"""Which assumption to validate next, and what that is worth: value of information and sensitivity.

Value of information answers the discovery question of DESIGN section 5. The decision is
go / no-go per idea; going pays the draw's `expected_value`, not going pays 0 (see
`simulate.py`). Without more information the team goes when E[expected_value] > 0, so
the decision is worth max(0, E[payoff]).

- EVPI of an idea (all inputs known at once) = E[max(0, payoff)] - max(0, E[payoff]).
- EVPPI of one input X (only X known) = E_X[max(0, E[payoff | X])] - max(0, E[payoff]).
  The inputs are drawn independently, so the conditional mean m(x) = E[payoff | X = x] is
  the mean payoff over the simulation's draws with X set to x and every other input as
  drawn (`conditional_means`; at most `CONDITIONAL_DRAWS` draws), computed at
  `CONDITIONAL_GRID` quantiles of X and interpolated at every draw of X. Each m(x) averages thousands of draws
  (binning draws by X averaged a few dozen, whose noise biased small values upwards), and
  an input that cannot change the decision (every m(x) on one side of 0) has an EVPPI of
  exactly 0. What remains is the Monte Carlo error of m itself: about
  std(payoff) / sqrt(draws) where m is near 0 (see the README).

Sensitivity (the tornado) is deterministic: the point expected value with every input at
its median, except one moved to the low and then the high end of its 90% range.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from mlpm_kit.idea.estimates import Estimate
from mlpm_kit.idea.schema import Idea, field_label
from mlpm_kit.model.economics import evaluate
from mlpm_kit.model.inputs import (
    CAPTURES,
    REPLACED_COST,
    SCALAR_PATHS,
    ModelInputs,
    portfolio_inputs,
    stack_values,
)

# EVPPI: quantiles of an input at which its conditional mean is computed, and the most
# draws each conditional mean averages (the first ones of the simulation).
CONDITIONAL_GRID = 40
CONDITIONAL_DRAWS = 4000
# Regula falsi steps that refine a kill criterion between two points of the grid.
ROOT_STEPS = 8
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
    """m(v) = E[payoff | input = v] for each v: the mean payoff over the draws `x` with the
    input at `path` set to v and every other input as drawn (the inputs are independent)."""
    values = np.asarray(values, dtype=np.float64).reshape(-1, 1)
    key, index = _slot_of(path)
    fixed = dict(x)
    if index is not None:
        table = np.repeat(x[key], len(values), axis=1)
        table[index] = values
        fixed[key] = table
    else:
        fixed[key] = np.broadcast_to(values, (len(values), x[key].shape[-1]))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        payoff = evaluate(fixed)["expected_value"]
    return np.asarray(payoff, dtype=np.float64).mean(axis=-1)


def input_information(
    x: Mapping[str, np.ndarray],
    path: str,
    drawn: np.ndarray,
    est: Estimate,
    grid: int = CONDITIONAL_GRID,
) -> tuple[float, float, str]:
    """(EVPPI, kill threshold, direction) of one input, from one run of the model.

    EVPPI: m is computed at `grid` quantiles of the input's `drawn` values (all draws of the
    simulation; smallest and largest included), interpolated linearly at every draw X_d;
    EVPPI = mean(max(0, m(X_d))) - max(0, mean(m(X_d))), exactly 0 when m keeps one sign.
    Kill criterion: where m crosses 0 inside the 90% range [low, high] (the crossing nearest
    the median, refined by regula falsi), with `direction` "below" when the payoff is
    negative below it, "above" otherwise; (nan, "") when m keeps one sign in the range.
    """
    drawn = np.asarray(drawn, dtype=np.float64)
    points = np.unique(np.quantile(drawn, np.linspace(0, 1, grid)))
    span = np.linspace(est.low, est.high, grid + 1)
    m_all = conditional_means(x, path, np.concatenate([points, span]))
    m = np.interp(drawn, points, m_all[: len(points)])
    value = np.maximum(m, 0).mean() - max(m.mean(), 0)
    value = float(_clean(np.array([value]), np.array([np.abs(m).mean()]))[0])
    m_span = m_all[len(points) :]
    flips = np.nonzero((m_span[:-1] > 0) != (m_span[1:] > 0))[0]
    if not len(flips):
        return value, float("nan"), ""
    k = flips[np.argmin(np.abs(span[flips] - est.median))]
    threshold = _root(x, path, span[k], span[k + 1], m_span[k], m_span[k + 1])
    return value, threshold, "below" if m_span[k + 1] > 0 else "above"


def _root(x, path: str, a: float, b: float, fa: float, fb: float) -> float:
    """Where m crosses 0 between a and b (signs of fa and fb differ): Illinois regula falsi."""
    for _ in range(ROOT_STEPS):
        c = b - fb * (b - a) / (fb - fa) if fb != fa else (a + b) / 2
        fc = conditional_means(x, path, [c])[0]
        if fc == 0 or abs(b - a) <= 1e-9 * max(abs(a), abs(b), 1.0):
            return float(c)
        if (fc > 0) == (fb > 0):
            b, fb, fa = c, fc, fa / 2
        else:
            a, fa, b, fb = b, fb, c, fc
    return float(b - fb * (b - a) / (fb - fa)) if fb != fa else float((a + b) / 2)


def evppi_table(
    ideas: Sequence[Idea], samples: Mapping[str, np.ndarray], inputs: Sequence[ModelInputs]
) -> pd.DataFrame:
    """One row per (idea, uncertain input), ranked by EVPPI within each idea (ideas in input order),
    with the input's kill criterion (`kill_threshold`, NaN when none; `kill_direction`).

    `samples` maps `expected_value` and each input's dotted path to ideas x draws arrays;
    `inputs` are the ideas' model inputs (which of them are ranges).
    """
    rows = []
    for i, (idea, inp) in enumerate(zip(ideas, inputs, strict=True)):
        uncertain = inp.uncertain()
        if not uncertain:
            continue
        x = idea_draws(samples, i, len(inp.captures))
        # Knowing one input is never worth more than knowing all (Jensen): clip the interpolation's error.
        total = evpi_total(samples["expected_value"][i : i + 1])[0]
        for path in sorted(uncertain, key=_path_order):
            value, threshold, direction = input_information(
                x, path, samples[path][i], uncertain[path]
            )
            rows.append(
                (
                    i,
                    idea.id,
                    path,
                    field_label(path, idea),
                    min(value, float(total)),
                    suggestion(path),
                    threshold,
                    direction,
                )
            )
    columns = ["order", "id", "input", "label", "evppi", "suggestion"]
    table = pd.DataFrame(rows, columns=[*columns, "kill_threshold", "kill_direction"])
    table = table.sort_values(["order", "evppi"], ascending=[True, False], kind="stable")
    table.insert(4, "rank", table.groupby("order").cumcount() + 1)
    return table.drop(columns="order").reset_index(drop=True)


def _path_order(path: str) -> tuple[int, str]:
    return (SCALAR_PATHS.index(path), "") if path in SCALAR_PATHS else (len(SCALAR_PATHS), path)


def sensitivity(ideas: Sequence[Idea]) -> pd.DataFrame:
    """The tornado: for each idea and each input given as a range, the point expected value
    with that input at its low and at its high end, the others at their medians.

    Columns: `id`, `input`, `label`, `low`, `high`, `expected_value_low`,
    `expected_value_high`, `swing` (|high - low| of expected value), `base` (all at
    medians). Sorted by swing within each idea, ideas in input order. One `evaluate`
    call for all ideas and inputs: arrays of ideas x inputs x (low, high).
    """
    ideas = list(ideas)
    inputs = portfolio_inputs(ideas)
    columns = [
        "id",
        "input",
        "label",
        "low",
        "high",
        "expected_value_low",
        "expected_value_high",
        "swing",
        "base",
    ]
    if not ideas:
        return pd.DataFrame(columns=columns)
    median = stack_values(inputs, lambda e: e.median)
    low = stack_values(inputs, lambda e: e.low)
    high = stack_values(inputs, lambda e: e.high)
    width = median[CAPTURES].shape[0]
    # Every input slot: (dotted path, key in evaluate's inputs, alternative index).
    slots = [(p, p, None) for p in SCALAR_PATHS]
    for i in range(width):
        slots += [
            (f"alternatives[{i}].captures", CAPTURES, i),
            (f"alternatives[{i}].cost_per_year", REPLACED_COST, i),
        ]
    k = len(slots)
    x = {}
    for key, values in median.items():
        # Scalars: (ideas, slots, 2); alternatives: (alternatives, ideas, slots, 2).
        x[key] = np.repeat(np.repeat(values[..., None, None], k, axis=-2), 2, axis=-1)
    for j, (_, key, alt) in enumerate(slots):
        if alt is None:
            x[key][:, j, 0], x[key][:, j, 1] = low[key], high[key]
        else:
            x[key][alt, :, j, 0], x[key][alt, :, j, 1] = low[key][alt], high[key][alt]
    ev = evaluate(x)["expected_value"]
    base = evaluate(median)["expected_value"]
    rows = []
    for i, (idea, inp) in enumerate(zip(ideas, inputs, strict=True)):
        uncertain = inp.uncertain()
        for j, (path, _key, _alt) in enumerate(slots):
            if path not in uncertain:
                continue
            est = uncertain[path]
            lo, hi = float(ev[i, j, 0]), float(ev[i, j, 1])
            rows.append(
                (
                    i,
                    idea.id,
                    path,
                    field_label(path, idea),
                    est.low,
                    est.high,
                    lo,
                    hi,
                    abs(hi - lo),
                    float(base[i]),
                )
            )
    table = pd.DataFrame(rows, columns=["order", *columns])
    table = table.sort_values(["order", "swing"], ascending=[True, False], kind="stable")
    return table.drop(columns="order").reset_index(drop=True)
