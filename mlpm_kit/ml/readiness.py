"""ML readiness of an idea (DESIGN section 8): `ml_check`, open risks, the data and retraining estimates.

This module ties the `ml:` section together: the metric rule (`ml_metric`), the labels
needed (`learning_curve`), the compliance, bias, monitoring and explainability checklist
(`open_risks`), and the two numbers the economic model takes from the ML section through
`inputs.py`: the one-time data cost and the yearly retraining effort

    retraining_cost_per_year = 52 / retrain_every_weeks * retrain_weeks * team_week_cost.
"""

from __future__ import annotations

import contextlib
import math
import os
from typing import Any

from mlpm_kit.errors import InputError
from mlpm_kit.idea.estimates import Estimate
from mlpm_kit.idea.fields import WEEKS_PER_YEAR
from mlpm_kit.idea.files import load_idea
from mlpm_kit.idea.formatting import money, number, share
from mlpm_kit.idea.ml_section import MlSection, has_ml
from mlpm_kit.idea.schema import Idea
from mlpm_kit.ml.learning_curve import CurveFit, fit_learning_curve
from mlpm_kit.ml.metric import (
    baseline_error_cost,
    cost_ratio,
    min_precision,
    min_recall,
    recommend_metric,
)

SEGMENT_UNDER = 0.5  # a segment is under-sampled below half its population share


def open_risks(ml: MlSection) -> list[str]:
    """Compliance, bias, monitoring and explainability items still open, as sentences."""
    risks: list[str] = []
    comp = ml.compliance
    if comp is None:
        risks.append(
            "Compliance and bias not assessed: add ml.compliance (personal data, lawful basis, DPIA, segments)."
        )
    else:
        if comp.personal_data and comp.lawful_basis in (None, "none"):
            risks.append(
                "Personal data without a lawful basis (GDPR art. 6): agree one with your DPO and set "
                "ml.compliance.lawful_basis."
            )
        if comp.personal_data and not comp.dpia_done:
            risks.append(
                "Personal data without a DPIA: run the data protection impact assessment (ml.compliance.dpia_done)."
            )
        if comp.sensitive_attributes and not comp.fairness_check_done:
            risks.append(
                f"Sensitive attributes ({', '.join(comp.sensitive_attributes)}) without a fairness check: "
                "compare error rates across their groups (ml.compliance.fairness_check_done)."
            )
        for seg in comp.segments:
            if seg.sample_share < SEGMENT_UNDER * seg.population_share:
                risks.append(
                    f"Segment '{seg.name}' is under-sampled: {share(seg.sample_share)} of the training "
                    f"sample vs {share(seg.population_share)} of the population (under half); collect "
                    "more labels there or check its error rate separately."
                )
    mon = ml.monitoring
    if mon is None or mon.retrain_every_weeks is None:
        risks.append("No retraining plan: set ml.monitoring.retrain_every_weeks and retrain_weeks.")
    if mon is None or not mon.watch:
        risks.append(
            "No drift monitoring: list what is watched after launch in ml.monitoring.watch (e.g. input PSI)."
        )
    exp = ml.explainability
    if exp is None or not exp.inline_explanation.strip():
        risks.append(
            "No inline explanation: write what customers see next to a prediction (ml.explainability)."
        )
    if exp is None or not exp.documented_use_cases:
        risks.append(
            "Use cases not documented: say what the model is for and not for (ml.explainability.documented_use_cases)."
        )
    return risks


def retraining_cost(idea: Idea) -> Estimate | None:
    """52 / retrain_every_weeks * retrain_weeks * team_week_cost, as a range; None without a plan."""
    mon = idea.ml.monitoring
    if mon is None or mon.retrain_every_weeks is None:
        return None
    every, weeks, week_cost = mon.retrain_every_weeks, mon.retrain_weeks, idea.cost.team_week_cost
    low = WEEKS_PER_YEAR / every.high * weeks.low * week_cost.low
    high = WEEKS_PER_YEAR / every.low * weeks.high * week_cost.high
    return Estimate(low, high)


def _target_value(ml: MlSection) -> float:
    if ml.target is None:
        raise InputError(
            "no target: add ml.target {metric: ..., value: ...} to compute the labels needed.",
            field="ml.target",
        )
    if ml.target.metric == "expected_cost":
        raise InputError(
            "the target is an expected cost, which a learning curve of a metric cannot reach; give a "
            "precision, recall or f_beta target to compute the labels needed.",
            field="ml.target",
        )
    return ml.target.value


def labels_estimate(ml: MlSection, seed: int = 0) -> dict[str, Any]:
    """The curve fit and labels needed at the target: point, low, high. Raises InputError."""
    if ml.data is None or not ml.data.pilot_curve:
        raise InputError(
            "no pilot curve: measure the metric at three or more training-set sizes and add them as "
            "ml.data.pilot_curve to estimate the labels needed.",
            field="ml.data.pilot_curve",
        )
    target = _target_value(ml)
    fit: CurveFit = fit_learning_curve(ml.data.pilot_curve)
    needed = fit.labels_for(target)
    low, high = fit.labels_range(target, seed=seed)
    return {"fit": fit, "target": target, "labels_needed": needed, "low": low, "high": high}


def data_cost_estimate(idea: Idea, seed: int = 0) -> tuple[Estimate, int]:
    """One-time data cost from the pilot curve, as a range, and the labels needed (point).

    data_cost = max(labels_needed - labels_now, 0) * cost_per_label + purchase_cost.
    An unbounded end of the labels range is replaced by the point estimate (the model needs
    a finite number; `ml_check` reports the unbounded end). Raises InputError when the
    curve cannot give labels_needed.
    """
    est = labels_estimate(idea.ml, seed=seed)
    data = idea.ml.data
    point = est["labels_needed"]
    low_n = est["low"] if est["low"] is not None else point
    high_n = est["high"] if est["high"] is not None else point

    def cost(n: float, per_label: float, purchase: float) -> float:
        return max(n - data.labels_now, 0.0) * per_label + purchase

    low = cost(min(low_n, point), data.cost_per_label.low, data.purchase_cost.low)
    high = cost(max(high_n, point), data.cost_per_label.high, data.purchase_cost.high)
    return Estimate(low, high), round(point)


def _load(idea: Idea | str | os.PathLike) -> Idea:
    if isinstance(idea, Idea):
        return idea
    return load_idea(idea)


def ml_check(idea: Idea | str | os.PathLike, seed: int = 0) -> dict[str, Any]:
    """The ML readiness of one idea (DESIGN section 6 `mlpm ml-check --json`).

    Missing inputs do not raise: the affected numbers are None and `messages` says why.
    """
    idea = _load(idea)
    ml = idea.ml
    out: dict[str, Any] = {
        "id": idea.id,
        "currency": idea.currency,
        "title": idea.title,
        "has_ml": has_ml(ml),
        "task": ml.task,
        "positive_class": ml.positive_class,
        "cost_ratio": None,
        "recommended_metric": None,
        "beta": None,
        "target_metric": ml.target.metric if ml.target else None,
        "target_value": ml.target.value if ml.target else None,
        "min_precision": None,
        "min_recall": None,
        "min_recall_at_precision": None,
        "baseline": None,
        "baseline_error_cost_per_year": None,
        "labels_now": ml.data.labels_now if ml.data else None,
        "labels_needed": None,
        "labels_needed_low": None,
        "labels_needed_high": None,
        "curve": None,
        "data_cost": None,
        "data_cost_low": None,
        "data_cost_high": None,
        "retraining_cost_per_year": None,
        "open_risks": [],
        "explanation": ml.explainability.inline_explanation if ml.explainability else "",
        "documented_use_cases": bool(ml.explainability and ml.explainability.documented_use_cases),
        "messages": [],
    }
    messages: list[str] = out["messages"]
    if not out["has_ml"]:
        messages.append(
            f"{idea.id} has no ml: section, so there is no ML readiness to check; add one (metric "
            "costs, data, compliance, monitoring, explainability: DESIGN section 8)."
        )
        return out
    fp, fn = ml.false_positive_cost, ml.false_negative_cost
    if fp is None or fn is None:
        messages.append(
            "Add ml.false_positive_cost and ml.false_negative_cost to get the metric to optimize."
        )
    else:
        c_fp, c_fn = fp.median, fn.median
        metric, beta = recommend_metric(c_fp, c_fn)
        k = cost_ratio(c_fp, c_fn)
        out.update(cost_ratio=k if math.isfinite(k) else None, recommended_metric=metric, beta=beta)
        out["min_precision"] = min_precision(c_fp, c_fn)
        if ml.target and ml.target.metric not in (metric, "expected_cost"):
            messages.append(
                f"The target optimizes {ml.target.metric}, but the cost of errors points to {metric}: "
                "check the costs or the target."
            )
        if ml.base_rate is None:
            messages.append("Add ml.base_rate to get the break-even recall.")
        else:
            pi = ml.base_rate.median
            at = ml.target.value if ml.target and ml.target.metric == "precision" else 1.0
            out["min_recall"] = min_recall(pi, c_fp, c_fn, precision=at)
            out["min_recall_at_precision"] = at
            decisions = ml.decisions_per_year.median if ml.decisions_per_year else None
            cost, name = baseline_error_cost(decisions or 1.0, pi, c_fp, c_fn)
            out["baseline"] = name
            out["baseline_error_cost_per_year"] = cost if decisions else None
            if out["min_recall"] is None:
                messages.append(
                    f"At precision {at:g} no recall beats {name}: the model needs precision above "
                    f"{out['min_precision']:.3f} (min_precision)."
                )
            elif ml.target and ml.target.metric == "recall" and ml.target.value < out["min_recall"]:
                messages.append(
                    f"The recall target {ml.target.value:g} is below the break-even recall "
                    f"{out['min_recall']:.3f}: even at perfect precision the model's errors cost more "
                    f"than {name}. Raise the target, or use the model to prioritize rather than replace."
                )
    try:
        est = labels_estimate(ml, seed=seed)
        fit = est["fit"]
        out.update(
            labels_needed=round(est["labels_needed"]),
            labels_needed_low=None if est["low"] is None else round(est["low"]),
            labels_needed_high=None if est["high"] is None else round(est["high"]),
            curve={"m_max": fit.m_max, "a": fit.a, "b": fit.b},
        )
        if est["high"] is None:
            messages.append(
                "The upper end of labels_needed is unbounded: in some fits consistent with the pilot "
                "the curve saturates below the target. Measure a larger pilot point."
            )
        cost_est, _ = data_cost_estimate(idea, seed=seed)
        # The one data-cost number: the median of the range the economic model samples.
        out["data_cost"] = cost_est.median
        out["data_cost_low"] = cost_est.low
        out["data_cost_high"] = cost_est.high if est["high"] is not None else None
    except InputError as exc:
        messages.append(str(exc))
        with contextlib.suppress(InputError):
            out["curve"] = _curve_only(ml)
    if retraining_cost(idea) is not None:
        out["retraining_cost_per_year"] = _retraining_point(idea)
    out["open_risks"] = open_risks(ml)
    return out


def _curve_only(ml: MlSection) -> dict | None:
    if ml.data is None or not ml.data.pilot_curve:
        return None
    fit = fit_learning_curve(ml.data.pilot_curve)
    return {"m_max": fit.m_max, "a": fit.a, "b": fit.b}


def _retraining_point(idea: Idea) -> float:
    """The retraining cost per year at the inputs' medians."""
    mon = idea.ml.monitoring
    return (
        WEEKS_PER_YEAR
        / mon.retrain_every_weeks.median
        * mon.retrain_weeks.median
        * idea.cost.team_week_cost.median
    )


def ml_check_text(result: dict[str, Any]) -> str:
    """The readable summary `mlpm ml-check` prints."""
    lines = [f"ML readiness: {result['title']} ({result['id']})", ""]

    def cash(x: float | None) -> str:
        return money(x, result.get("currency"))

    if not result["has_ml"]:
        return "\n".join(lines + result["messages"])
    metric = result["recommended_metric"]
    if metric:
        extra = f" with beta = {result['beta']:.2f}" if result["beta"] else ""
        ratio = (
            f"{number(result['cost_ratio'])}x"
            if result["cost_ratio"] is not None
            else "far more than"
        )
        lines.append(
            f"Metric to optimize   {metric}{extra}  (a false negative costs {ratio} a false positive)"
        )
        lines.append(
            f"Min precision        {result['min_precision']:.3g}  (below it, acting on a prediction loses money)"
        )
    if result["min_recall"] == 0:
        lines.append(
            f"Min recall           0  (any recall beats {result['baseline']} once precision is above the minimum)"
        )
    elif result["min_recall"] is not None:
        lines.append(
            f"Min recall           {result['min_recall']:.3f}  at precision {result['min_recall_at_precision']:g}, "
            f"to beat {result['baseline']}"
        )
    if result["target_metric"]:
        lines.append(f"Target               {result['target_metric']} {result['target_value']:g}")
    if result["labels_needed"] is not None:
        low, high = result["labels_needed_low"], result["labels_needed_high"]
        rng = f"{number(low) if low is not None else '?'} to {number(high) if high is not None else 'unbounded'}"
        lines.append(
            f"Labels needed        {number(result['labels_needed'])} (90% range {rng}); {number(result['labels_now'])} today"
        )
        cost_range = ""
        if result["data_cost_low"] != result["data_cost_high"]:
            high = result["data_cost_high"]
            cost_range = f" (range {cash(result['data_cost_low'])} to {cash(high) if high is not None else 'unbounded'})"
        lines.append(f"Data cost            {cash(result['data_cost'])}{cost_range}")
    if result["curve"]:
        lines.append(f"Curve saturates at   {result['curve']['m_max']:.3f}")
    if result["retraining_cost_per_year"] is not None:
        lines.append(
            f"Retraining per year  {cash(result['retraining_cost_per_year'])} (added to the running cost)"
        )
    lines.append(f"Explanation shown    {result['explanation'] or '(none)'}")
    lines.append(f"Use cases documented {'yes' if result['documented_use_cases'] else 'no'}")
    lines.append("")
    risks = result["open_risks"]
    lines.append(f"Open risks ({len(risks)}):" if risks else "Open risks: none.")
    lines += [f"  - {r}" for r in risks]
    if result["messages"]:
        lines += ["", "Notes:"] + [f"  - {m}" for m in result["messages"]]
    return "\n".join(lines)
