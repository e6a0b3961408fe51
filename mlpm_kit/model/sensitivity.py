"""The tornado: how far the point expected value moves as each range goes from low to high.

Sensitivity is deterministic: the point expected value with every input at its median,
except one moved to the low and then the high end of its 90% range (DESIGN section 5).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mlpm_kit.idea.schema import Idea, field_label
from mlpm_kit.model.economics import evaluate
from mlpm_kit.model.inputs import (
    CAPTURES,
    REPLACED_COST,
    SCALAR_PATHS,
    portfolio_inputs,
    stack_values,
)


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
