"""Which assumption to validate next, and what that is worth: value of information and sensitivity.

Value of information answers the discovery question of DESIGN section 5. The decision is
go / no-go per idea; going pays the draw's `expected_value`, not going pays 0 (see
`simulate.py`). Without more information the team goes when E[expected_value] > 0, so
the decision is worth max(0, E[payoff]).

- EVPI of an idea (all inputs known at once) = E[max(0, payoff)] - max(0, E[payoff]).
- EVPPI of one input X (only X known) = E_X[max(0, E[payoff | X])] - max(0, E[payoff]).
  E[payoff | X] is estimated from the samples: the draws are sorted by X and cut into
  `bins` quantile bins; the mean payoff of each bin is the conditional mean. An input
  that cannot change the decision (every conditional mean on the same side of 0) has an
  EVPPI of exactly 0; estimates within rounding of 0 are set to 0. With few draws per bin
  the estimate has a small upward bias when the decision is close; 10,000 draws and 50
  bins keep it well under the value of the inputs that matter.

Sensitivity (the tornado) is deterministic: the point expected value with every input at
its median, except one moved to the low and then the high end of its 90% range.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from mlpm_kit.idea.schema import Alternative, Idea
from mlpm_kit.model.economics import evaluate
from mlpm_kit.model.inputs import (
    CAPTURES,
    REPLACED_COST,
    SCALAR_PATHS,
    portfolio_inputs,
    stack_values,
)

DEFAULT_BINS = 50
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


def input_label(path: str, idea: Idea | None = None) -> str:
    """A person's name for an input, from the idea schema's field titles: 'Users', 'Benefit already captured (Manual routing)'."""
    if match := _ALTERNATIVE.match(path):
        index, name = int(match.group(1)), match.group(2)
        title = Alternative.model_fields[name].title or name
        alt = (
            idea.alternatives[index].name
            if idea is not None and index < len(idea.alternatives)
            else f"alternative {index + 1}"
        )
        return f"{title} ({alt})"
    section, _, name = path.partition(".")
    model = Idea.model_fields[section].annotation if section in Idea.model_fields else None
    fields = getattr(model, "model_fields", {})
    return (fields[name].title if name in fields else None) or path


def evpi_total(payoff: np.ndarray) -> np.ndarray:
    """EVPI per idea from payoff samples (ideas x draws)."""
    payoff = np.asarray(payoff, dtype=np.float64)
    mean = payoff.mean(axis=1)
    value = np.maximum(payoff, 0).mean(axis=1) - np.maximum(mean, 0)
    return _clean(value, np.abs(payoff).mean(axis=1))


def _clean(value: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Values within rounding of 0 (or below) become exactly 0."""
    return np.where(value > 1e-9 * scale, value, 0.0)


def evppi(inputs: np.ndarray, payoff: np.ndarray, bins: int = DEFAULT_BINS) -> np.ndarray:
    """EVPPI of one input for each row (idea): `inputs` and `payoff` are ideas x draws samples."""
    inputs, payoff = np.asarray(inputs), np.asarray(payoff)
    draws = payoff.shape[1]
    bins = max(1, min(bins, draws))
    order = np.argsort(inputs, axis=1)  # ties (clipped values) may split across bins: harmless
    ranked = np.take_along_axis(payoff, order, axis=1).astype(np.float64)
    starts = (np.arange(bins) * draws + bins - 1) // bins
    counts = np.diff(np.append(starts, draws))
    conditional = np.add.reduceat(ranked, starts, axis=1) / counts
    mean = ranked.mean(axis=1)
    value = (np.maximum(conditional, 0) * counts).sum(axis=1) / draws - np.maximum(mean, 0)
    return _clean(value, np.abs(ranked).mean(axis=1))


def evppi_table(
    ideas: Sequence[Idea],
    samples: Mapping[str, np.ndarray],
    uncertain: Sequence[Mapping[str, object]],
    bins: int | None = None,
) -> pd.DataFrame:
    """One row per (idea, uncertain input), ranked by EVPPI within each idea (ideas in input order).

    `samples` maps `expected_value` and each input's dotted path to ideas x draws arrays;
    `uncertain` lists, per idea, the dotted paths of its inputs given as ranges.
    """
    bins = bins or DEFAULT_BINS
    payoff = samples["expected_value"]
    paths = sorted({path for per_idea in uncertain for path in per_idea}, key=_path_order)
    rows = []
    for path in paths:
        idx = np.array([i for i, per_idea in enumerate(uncertain) if path in per_idea])
        values = evppi(samples[path][idx], payoff[idx], bins)
        for i, value in zip(idx, values, strict=True):
            rows.append(
                (
                    i,
                    ideas[i].id,
                    path,
                    input_label(path, ideas[i]),
                    float(value),
                    suggestion(path),
                )
            )
    table = pd.DataFrame(rows, columns=["order", "id", "input", "label", "evppi", "suggestion"])
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
                    input_label(path, idea),
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
