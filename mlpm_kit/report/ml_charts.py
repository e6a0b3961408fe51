"""Charts of ML readiness: the cost of errors across precision and recall, and the learning curve.

Each function takes an idea (or its file path) and returns a matplotlib `Figure` built
without pyplot (no GUI backend, safe in servers and tests). Titles say what to conclude.
"""

from __future__ import annotations

import os

import numpy as np
from matplotlib.figure import Figure

from mlpm_kit.errors import InputError
from mlpm_kit.idea.formatting import chart_text, money, number
from mlpm_kit.idea.schema import Idea
from mlpm_kit.ml.learning_curve import fit_learning_curve
from mlpm_kit.ml.metric import (
    baseline_error_cost,
    expected_error_cost,
    min_precision,
    min_recall,
    recommend_metric,
)
from mlpm_kit.ml.readiness import _load, labels_estimate

# The colour scale of the error-cost chart spans 1/8x to 8x today's cost (log2 units).
RATIO_SPAN = 3


def _axis_range(minimum: float | None) -> tuple[float, float]:
    """Zoom on the interesting end: near 1 when the break-even level is high."""
    if minimum is not None and minimum > 0.5:
        return max(0.01, 1 - 4 * (1 - minimum)), 1.0
    return 0.01, 1.0


def error_cost_chart(idea: Idea | str | os.PathLike, resolution: int = 200) -> Figure:
    """Expected cost of errors per year over precision x recall, with the break-even line."""
    idea = _load(idea)
    ml = idea.ml
    missing = [
        name
        for name in (
            "decisions_per_year",
            "base_rate",
            "false_positive_cost",
            "false_negative_cost",
        )
        if getattr(ml, name) is None
    ]
    if missing:
        raise InputError(
            f"the cost-of-errors chart needs {', '.join('ml.' + m for m in missing)}; add them to the idea file.",
            file=str(getattr(idea, "_source", "") or "") or None,
        )
    n, pi = ml.decisions_per_year.median, ml.base_rate.median
    c_fp, c_fn = ml.false_positive_cost.median, ml.false_negative_cost.median
    p_min = min_precision(c_fp, c_fn)
    r_min = min_recall(pi, c_fp, c_fn, precision=1.0)
    p_lo, p_hi = _axis_range(p_min)
    r_lo, r_hi = _axis_range(r_min)
    if ml.target is not None and ml.target.metric == "precision":
        p_lo = max(0.01, min(p_lo, ml.target.value - 0.02))
    if ml.target is not None and ml.target.metric == "recall":
        r_lo = max(0.0, min(r_lo, ml.target.value - 0.02))
    precision = np.linspace(p_lo, p_hi, resolution)
    recall = np.linspace(r_lo, r_hi, resolution)
    pp, rr = np.meshgrid(precision, recall)
    cost = expected_error_cost(n, pi, c_fp, c_fn, pp, rr)
    baseline, name = baseline_error_cost(n, pi, c_fp, c_fn)

    fig = Figure(figsize=(7.5, 5.5), layout="constrained")
    ax = fig.add_subplot()
    # Colour by the cost relative to today's way: green where the model's errors cost less,
    # red where they cost more, on a log scale centred on break-even (x1).
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.log2(np.maximum(cost, 1e-12) / baseline) if baseline > 0 else np.zeros_like(cost)
    ratio = np.clip(np.nan_to_num(ratio, nan=0.0), -RATIO_SPAN, RATIO_SPAN)
    mesh = ax.pcolormesh(
        pp, rr, ratio, cmap="RdYlGn_r", vmin=-RATIO_SPAN, vmax=RATIO_SPAN, shading="auto"
    )
    bar = fig.colorbar(mesh, ax=ax, ticks=np.arange(-RATIO_SPAN, RATIO_SPAN + 1))
    bar.set_ticklabels(
        [f"{2.0**k:g}x" if k >= 0 else f"1/{2.0**-k:g}" for k in range(-RATIO_SPAN, RATIO_SPAN + 1)]
    )
    bar.set_label("cost of the model's errors / today's cost", fontsize=10)
    if cost.min() < baseline < cost.max():
        contour = ax.contour(pp, rr, cost, levels=[baseline], colors="black", linewidths=2.5)
        ax.clabel(
            contour, fmt={baseline: f"break-even {money(baseline, idea.currency)}/yr"}, fontsize=10
        )
    if p_lo <= p_min <= p_hi:
        ax.axvline(
            p_min,
            color="black",
            linestyle=":",
            linewidth=1.5,
            label=f"min precision {p_min:.3g}",
        )
    if ml.target is not None and ml.target.metric in ("precision", "recall"):
        axis = ax.axvline if ml.target.metric == "precision" else ax.axhline
        axis(
            ml.target.value,
            color="tab:green",
            linestyle="--",
            label=f"target {ml.target.metric} {ml.target.value:g}",
        )
    ax.set_xlabel("precision", fontsize=10.5)
    ax.set_ylabel("recall", fontsize=10.5)
    ax.legend(loc="lower left", fontsize=10)
    metric, beta = recommend_metric(c_fp, c_fn)
    what = f"f_beta (beta {beta:.2f})" if metric == "f_beta" else metric
    ax.set_title(
        f"{chart_text(idea.title, 80)}\nOptimize {what}. Green: the model's errors cost less than "
        f"{name.split(' (')[0]} ({money(baseline, idea.currency)}/yr);\nred: more. The black line is break-even.",
        fontsize=10.5,
    )
    return fig


def learning_curve_chart(idea: Idea | str | os.PathLike, seed: int = 0) -> Figure:
    """Pilot points, the fitted saturating curve, the target and the labels needed (with range)."""
    idea = _load(idea)
    ml = idea.ml
    if ml.data is None or not ml.data.pilot_curve:
        raise InputError(
            "the learning-curve chart needs ml.data.pilot_curve; add three or more pilot points."
        )
    fit = fit_learning_curve(ml.data.pilot_curve)
    n_pts = np.array([p[0] for p in fit.points])
    y_pts = np.array([p[1] for p in fit.points])
    target = ml.target.value if ml.target and ml.target.metric != "expected_cost" else None
    metric_name = ml.target.metric if target is not None else "metric"
    est, reason = None, ""
    if target is not None:
        try:
            est = labels_estimate(ml, seed=seed)
        except InputError as exc:
            reason = exc.reason
    right = n_pts.max() * 4
    if est is not None:
        right = max(right, est["labels_needed"] * 2, (est["high"] or 0) * 1.2)
    n = np.geomspace(n_pts.min() / 2, right, 300)

    fig = Figure(figsize=(7.5, 5), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(
        n,
        fit.metric_at(n),
        color="tab:blue",
        label=f"fit: {fit.m_max:.3f} - {fit.a:.3g} n^-{fit.b:.2f}",
    )
    ax.scatter(n_pts, y_pts, color="black", zorder=3, label="pilot points")
    ax.axhline(fit.m_max, color="tab:blue", linestyle=":", label=f"saturates at {fit.m_max:.3f}")
    if target is not None:
        ax.axhline(
            target, color="tab:green", linestyle="--", label=f"target {metric_name} {target:g}"
        )
    if ml.data.labels_now:
        ax.axvline(
            ml.data.labels_now,
            color="gray",
            linestyle="-.",
            label=f"labels now {number(ml.data.labels_now)}",
        )
    if est is not None:
        ax.axvline(
            est["labels_needed"],
            color="tab:red",
            label=f"labels needed {number(round(est['labels_needed']))}",
        )
        low, high = est["low"] or est["labels_needed"], est["high"] or right
        ax.axvspan(low, high, color="tab:red", alpha=0.12, label="90% range")
        high_text = number(round(est["high"])) if est["high"] else "unbounded"
        title = (
            f"Reaching {metric_name} {target:g} takes about {number(round(est['labels_needed']))} labels "
            f"({number(round(low))} to {high_text})"
        )
    elif target is not None:
        title = f"The target {metric_name} {target:g} is out of reach: the curve saturates at {fit.m_max:.3f}"
    else:
        title = (
            f"The pilot curve saturates at {fit.m_max:.3f}; set ml.target to see the labels needed"
        )
    ax.set_xscale("log")
    ax.set_xlabel("labeled examples (log scale)")
    ax.set_ylabel(metric_name)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(
        f"{chart_text(idea.title, 90)}\n{title}"
        + (f"\n{reason[:90]}" if reason and est is None and target is None else ""),
        fontsize=10,
    )
    return fig
