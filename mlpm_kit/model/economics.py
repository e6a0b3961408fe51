"""The economic model of DESIGN section 4, written once.

`evaluate` takes the model's inputs as arrays (any shape that broadcasts: one value per
idea for the point score, ideas x draws for a simulation) and returns every derived
quantity. The point score, the simulation, the form and the report all call it; nothing
else computes these formulas.

Undefined results are NaN (shown as null in JSON): `roi` when nothing is spent,
`payback_months` when the idea never pays back (net per year <= 0), `rice` with no effort,
`cd3` with no time to launch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from mlpm_kit.idea.fields import WEEKS_PER_YEAR
from mlpm_kit.model.inputs import CAPTURES, REPLACED_COST

# RICE impact by pain severity 1..5.
IMPACT_BY_SEVERITY = np.array([np.nan, 0.25, 0.5, 1.0, 2.0, 3.0])
WEEKS_PER_MONTH = 4.345

# Outputs in the order reports and tables show them.
OUTPUTS = (
    "adopters",
    "time_value",
    "gross_benefit",
    "best_capture",
    "replaced_cost",
    "annual_benefit",
    "effort_weeks",
    "one_time_cost",
    "launch_years",
    "net_per_year",
    "annuity",
    "npv",
    "roi",
    "payback_months",
    "opportunity_cost",
    "economic_value",
    "failure_cost",
    "confidence",
    "expected_value",
    "pain_score",
    "rice",
    "cd3",
)


def _divide(num, den):
    """num / den, NaN where den is 0, without warnings."""
    num, den = np.broadcast_arrays(_floating(num), _floating(den))
    out = np.full(num.shape, np.nan, dtype=np.result_type(num, den))
    with np.errstate(over="ignore"):  # a near-zero effort gives an infinite ratio, not a warning
        np.divide(num, den, out=out, where=den != 0)
    return out


def _floating(x) -> np.ndarray:
    """x as a float array, keeping float32 (simulations) as float32."""
    x = np.asarray(x)
    return x if np.issubdtype(x.dtype, np.floating) else x.astype(float)


def annuity_years(launch_years, horizon_years, discount_rate):
    """Discounted years of benefit between launch and the horizon (continuous discounting).

    (exp(-rho*L) - exp(-rho*H)) / rho with rho = ln(1 + r); H - L when r = 0; 0 when L >= H.
    """
    rho = np.log1p(discount_rate)
    span = np.maximum(horizon_years - launch_years, 0.0)
    safe_rho = np.where(rho == 0, 1.0, rho)
    discounted = np.exp(-rho * launch_years) * -np.expm1(-rho * span) / safe_rho
    return np.where(rho == 0, span, discounted)


# Outputs no other output depends on: computed only when asked for.
RATIOS = ("roi", "payback_months", "pain_score", "rice", "cd3")


@np.errstate(over="ignore")  # extreme inputs give infinities (null in JSON), not warnings
def evaluate(
    x: Mapping[str, np.ndarray], outputs: Sequence[str] = OUTPUTS
) -> dict[str, np.ndarray]:
    """The quantities `outputs` (default: every one) of the model from inputs keyed by
    dotted path (see `inputs.SCALAR_PATHS`), each broadcast to the widest shape.

    `x["alternatives.captures"]` and `x["alternatives.replaced_cost"]` carry a leading
    axis of alternatives (length 0 when there are none).
    """
    users, adoption = x["value.users"], x["value.adoption"]
    adopters = users * adoption
    time_value = (
        adopters
        * x["value.hours_saved_per_user_week"]
        * x["value.weeks_per_year"]
        * x["value.hourly_cost"]
    )
    gross_benefit = time_value + x["value.money_saved_per_year"] + x["value.revenue_per_year"]
    captures = np.asarray(x[CAPTURES])
    best_capture = captures.max(axis=0) if captures.shape[0] else np.zeros_like(gross_benefit)
    replaced_cost = np.asarray(x[REPLACED_COST]).sum(axis=0)
    annual_benefit = gross_benefit * (1 - best_capture) + replaced_cost

    mvp, build = x["cost.mvp_weeks"], x["cost.build_weeks"]
    effort_weeks = mvp + build + x["cost.iterations"] * x["cost.iteration_weeks"]
    team_week_cost, data_cost = x["cost.team_week_cost"], x["cost.data_cost"]
    one_time_cost = effort_weeks * team_week_cost + data_cost
    launch_years = (mvp + build) / x["cost.team_size"] / WEEKS_PER_YEAR
    net_per_year = annual_benefit - x["cost.run_cost_per_year"]
    annuity = annuity_years(launch_years, x["timeline.horizon_years"], x["timeline.discount_rate"])
    npv = net_per_year * annuity - one_time_cost

    value_per_week = x["opportunity.value_per_engineer_week"]
    opportunity_cost = effort_weeks * value_per_week
    economic_value = npv - opportunity_cost
    failure_cost = mvp * (team_week_cost + value_per_week) + data_cost
    confidence = x["evidence.confidence"]
    expected_value = confidence * economic_value - (1 - confidence) * failure_cost
    values = {
        "adopters": adopters,
        "time_value": time_value,
        "gross_benefit": gross_benefit,
        "best_capture": best_capture,
        "replaced_cost": replaced_cost,
        "annual_benefit": annual_benefit,
        "effort_weeks": effort_weeks,
        "one_time_cost": one_time_cost,
        "launch_years": launch_years,
        "net_per_year": net_per_year,
        "annuity": annuity,
        "npv": npv,
        "opportunity_cost": opportunity_cost,
        "economic_value": economic_value,
        "failure_cost": failure_cost,
        "confidence": confidence,
        "expected_value": expected_value,
    }
    if any(name in RATIOS for name in outputs):
        values.update(_ratios(x, values))
    # Not every output depends on every input: broadcast all to the widest shape.
    shape = np.broadcast_shapes(*(np.shape(values[name]) for name in outputs))
    return {name: np.broadcast_to(values[name], shape) for name in outputs}


def _ratios(x: Mapping[str, np.ndarray], v: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """ROI, payback, pain score, RICE and CD3 from the inputs and the other outputs."""
    npv, one_time_cost, net_per_year = v["npv"], v["one_time_cost"], v["net_per_year"]
    launch_years, adopters, confidence = v["launch_years"], v["adopters"], v["confidence"]
    effort_weeks, annual_benefit = v["effort_weeks"], v["annual_benefit"]
    roi = _divide(npv, one_time_cost)
    paying = net_per_year > 0
    payback_months = np.where(
        paying,
        12 * (launch_years + _divide(one_time_cost, np.where(paying, net_per_year, 1))),
        np.nan,
    )
    severity = np.asarray(x["pain.severity"])
    pain_score = (
        4 * x["pain.frequency"] * severity * np.where(x["pain.actively_seeking"] > 0, 1.0, 0.5)
    )
    impact = IMPACT_BY_SEVERITY[np.clip(severity.astype(int), 0, 5)].astype(
        np.result_type(adopters, np.float32)
    )
    rice = _divide(adopters * impact * confidence, effort_weeks / WEEKS_PER_MONTH)
    cd3 = _divide(annual_benefit / WEEKS_PER_YEAR, launch_years * WEEKS_PER_YEAR)

    return {
        "roi": roi,
        "payback_months": payback_months,
        "pain_score": pain_score,
        "rice": rice,
        "cd3": cd3,
    }
