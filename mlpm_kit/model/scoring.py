"""The point score: the economic model at each estimate's median, as a ranked table.

`score(ideas)` is the table behind `mlpm score`; `breakdown(idea)` shows how each headline
number follows from the inputs, so a reader can check it by hand.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from mlpm_kit.idea.defaults import portfolio_currency
from mlpm_kit.idea.formatting import money, number, share
from mlpm_kit.idea.schema import Idea
from mlpm_kit.model.economics import OUTPUTS, evaluate
from mlpm_kit.model.inputs import ModelInputs, model_inputs, portfolio_inputs, stack_medians

# The columns of `mlpm score --json` (DESIGN section 6), in order.
SCORE_COLUMNS = (
    "id",
    "title",
    "adopters",
    "annual_benefit",
    "effort_weeks",
    "one_time_cost",
    "launch_years",
    "npv",
    "roi",
    "payback_months",
    "opportunity_cost",
    "economic_value",
    "confidence",
    "expected_value",
    "pain_score",
    "rice",
    "cd3",
)


def point_values(
    ideas: Sequence[Idea], inputs: list[ModelInputs] | None = None
) -> dict[str, np.ndarray]:
    """Every model output at the medians, one value per idea, from one `evaluate` call for
    all of them (`inputs`: the ideas' `portfolio_inputs`, if already gathered)."""
    return evaluate(stack_medians(portfolio_inputs(ideas) if inputs is None else inputs))


def score(ideas: Sequence[Idea]) -> pd.DataFrame:
    """One row per idea with the columns of `mlpm score --json`, ranked by expected value.

    >>> from mlpm_kit.idea.files import load_idea
    >>> table = score([load_idea("examples/ideas/ticket-triage.yaml")])
    >>> round(table.loc[0, "expected_value"])
    231224
    """
    ideas = list(ideas)
    inputs = portfolio_inputs(ideas)  # each idea's inputs gathered once
    values = point_values(ideas, inputs) if ideas else {name: np.array([]) for name in OUTPUTS}
    table = pd.DataFrame({"id": [i.id for i in ideas], "title": [i.title for i in ideas]})
    for name in OUTPUTS:
        table[name] = np.asarray(values[name], dtype=float)
    table["confidence_source"] = [inp.sources["evidence.confidence"] for inp in inputs]
    # Amounts are in the portfolio's one currency (converted with fx when ideas mix them).
    table["currency"] = portfolio_currency(ideas)[0] if ideas else None
    extra = [c for c in table.columns if c not in SCORE_COLUMNS]
    table = table[list(SCORE_COLUMNS) + extra]
    table = table.sort_values("expected_value", ascending=False, kind="stable").reset_index(
        drop=True
    )
    table.insert(0, "rank", range(1, len(table) + 1))
    return table


def records(table: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts: NaN becomes None, numpy scalars become Python numbers."""
    out = []
    for row in table.to_dict(orient="records"):
        clean = {}
        for key, value in row.items():
            if isinstance(value, np.generic):
                value = value.item()
            if isinstance(value, float) and not math.isfinite(value):
                value = None
            clean[key] = value
        out.append(clean)
    return out


def breakdown(idea: Idea) -> list[dict[str, str]]:
    """How each number of the point score follows from the inputs, with the numbers filled in.

    Each row: `quantity`, `formula`, `with_numbers`, `value` (all text, ready for a table).
    """
    inputs = model_inputs(idea)
    x = {path: est.median for path, est in inputs.scalars.items()}
    v = {name: float(np.asarray(val).item()) for name, val in point_values([idea]).items()}
    n = number

    def m(x: float) -> str:
        return money(x, idea.currency)

    caps = ", ".join(share(c.median) for c in inputs.captures) or "none"
    repl = " + ".join(m(c.median) for c in inputs.replaced_costs if c.median) or "0"
    rows = [
        (
            "adopters",
            "users x adoption",
            f"{n(x['value.users'])} x {share(x['value.adoption'])}",
            n(v["adopters"]),
        ),
        (
            "time_value",
            "adopters x hours saved per week x weeks per year x hourly cost",
            f"{n(v['adopters'])} x {n(x['value.hours_saved_per_user_week'])} x {n(x['value.weeks_per_year'])} x {m(x['value.hourly_cost'])}",
            m(v["time_value"]),
        ),
        (
            "gross_benefit",
            "time value + money saved + revenue",
            f"{m(v['time_value'])} + {m(x['value.money_saved_per_year'])} + {m(x['value.revenue_per_year'])}",
            m(v["gross_benefit"]),
        ),
        (
            "best_capture",
            "largest share the alternatives already capture",
            caps,
            share(v["best_capture"]),
        ),
        (
            "replaced_cost",
            "yearly cost of the alternatives we replace",
            repl,
            m(v["replaced_cost"]),
        ),
        (
            "annual_benefit",
            "gross benefit x (1 - best capture) + replaced cost",
            f"{m(v['gross_benefit'])} x (1 - {share(v['best_capture'])}) + {m(v['replaced_cost'])}",
            m(v["annual_benefit"]),
        ),
        (
            "effort_weeks",
            "MVP + build + iterations x iteration weeks",
            f"{n(x['cost.mvp_weeks'])} + {n(x['cost.build_weeks'])} + {n(x['cost.iterations'])} x {n(x['cost.iteration_weeks'])}",
            n(v["effort_weeks"]),
        ),
        (
            "one_time_cost",
            "effort weeks x engineer-week cost + data cost",
            f"{n(v['effort_weeks'])} x {m(x['cost.team_week_cost'])} + {m(x['cost.data_cost'])}",
            m(v["one_time_cost"]),
        ),
        (
            "launch_years",
            "(MVP + build weeks) / team size / 52",
            f"({n(x['cost.mvp_weeks'])} + {n(x['cost.build_weeks'])}) / {n(x['cost.team_size'])} / 52",
            f"{v['launch_years']:.2f}",
        ),
        (
            "net_per_year",
            "annual benefit - running cost per year",
            f"{m(v['annual_benefit'])} - {m(x['cost.run_cost_per_year'])}",
            m(v["net_per_year"]),
        ),
        (
            "annuity",
            "discounted years between launch and horizon",
            f"launch {v['launch_years']:.2f} y, horizon {n(x['timeline.horizon_years'])} y, rate {share(x['timeline.discount_rate'])}",
            f"{v['annuity']:.3f}",
        ),
        (
            "npv",
            "net per year x annuity - one-time cost",
            f"{m(v['net_per_year'])} x {v['annuity']:.3f} - {m(v['one_time_cost'])}",
            m(v["npv"]),
        ),
        (
            "opportunity_cost",
            "effort weeks x value of the next-best work per week",
            f"{n(v['effort_weeks'])} x {m(x['opportunity.value_per_engineer_week'])}",
            m(v["opportunity_cost"]),
        ),
        (
            "economic_value",
            "npv - opportunity cost",
            f"{m(v['npv'])} - {m(v['opportunity_cost'])}",
            m(v["economic_value"]),
        ),
        (
            "failure_cost",
            "MVP weeks x (week cost + next-best value) + data cost",
            f"{n(x['cost.mvp_weeks'])} x ({m(x['cost.team_week_cost'])} + {m(x['opportunity.value_per_engineer_week'])}) + {m(x['cost.data_cost'])}",
            m(v["failure_cost"]),
        ),
        (
            "expected_value",
            "confidence x economic value - (1 - confidence) x failure cost",
            f"{share(v['confidence'])} x {m(v['economic_value'])} - {share(1 - v['confidence'])} x {m(v['failure_cost'])}",
            m(v["expected_value"]),
        ),
    ]
    return [
        dict(zip(("quantity", "formula", "with_numbers", "value"), row, strict=True))
        for row in rows
    ]
