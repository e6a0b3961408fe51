"""Charts of a `Selection`: value against effort, opportunity costs, the capacity curve.

Each function returns a matplotlib `Figure` built without pyplot (so no window and no global
state; `fig.savefig` renders with Agg) whose title says what to conclude; money axes use
`formatting.money`.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from mlpm_kit.idea.formatting import chart_text, money, number
from mlpm_kit.portfolio.selection import ENGINEER_QUARTER_WEEKS, Selection

CHOSEN, OTHER, GREEDY = "#2e7d32", "#9e9e9e", "#ef6c00"
MONEY_AXIS = FuncFormatter(lambda v, _pos: money(v))
# Font sizes in points at the figure's own size; a figure 7.5 inches wide prints at about 0.9x.
TITLE_SIZE, LABEL_SIZE, TICK_SIZE = 12, 11, 10


def pareto_front(effort: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Indices of the ideas no other idea beats on both counts (less effort and more value), by effort."""
    order = np.lexsort((-value, effort))
    front, best = [], -np.inf
    for i in order:
        if value[i] > best:
            front.append(i)
            best = value[i]
    return np.array(front, dtype=int)


def value_effort_chart(selection: Selection) -> Figure:
    """Each idea's expected value against its effort; the Pareto frontier and the chosen set marked."""
    t = selection.table
    effort, value = t["effort_weeks"].to_numpy(float), t["expected_value"].to_numpy(float)
    chosen = t["selected"].to_numpy(bool)
    fig = Figure(figsize=(7.5, 4.8))
    ax = fig.subplots()
    front = pareto_front(effort, value)
    ax.plot(
        effort[front],
        value[front],
        "--",
        color="#607d8b",
        lw=1,
        label="Pareto frontier (no idea does better on both)",
    )
    ax.scatter(
        effort[~chosen],
        value[~chosen],
        s=60,
        facecolors="white",
        edgecolors=OTHER,
        label="left out",
    )
    ax.scatter(effort[chosen], value[chosen], s=70, color=CHOSEN, label="chosen (best set)")
    greedy = t["greedy_selected"].to_numpy(bool)
    ax.scatter(
        effort[greedy],
        value[greedy],
        s=160,
        facecolors="none",
        edgecolors=GREEDY,
        lw=1.5,
        label="greedy by RICE",
    )
    ax.axhline(0, color="black", lw=0.6)
    ax.margins(x=0.15, y=0.12)  # room for the labels of the outermost ideas inside the axes
    ax.yaxis.set_major_formatter(MONEY_AXIS)
    ax.set_xlabel("effort (engineer-weeks)", fontsize=LABEL_SIZE)
    ax.set_ylabel("expected value", fontsize=LABEL_SIZE)
    ax.tick_params(labelsize=TICK_SIZE)
    ax.set_title(
        f"The best set: {len(selection.selected)} ideas worth {money(selection.total_expected_value, selection.currency)} "
        f"in {number(selection.total_effort_weeks)} of {number(selection.capacity_weeks)} engineer-weeks",
        fontsize=TITLE_SIZE,
    )
    # The legend goes under the axes, where it cannot cover an idea.
    ax.legend(
        fontsize=TICK_SIZE, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False
    )
    fig.tight_layout()
    label_points(ax, effort, value, [chart_text(i) for i in t["id"]])
    return fig


def label_points(ax, x: np.ndarray, y: np.ndarray, names: list[str]) -> None:
    """Name every point, moving labels apart so none overlaps another or a point, all inside the axes."""
    from adjustText import adjust_text  # only charts need it

    texts = [
        ax.text(xi, yi, name, fontsize=TICK_SIZE, clip_on=True)
        for xi, yi, name in zip(x, y, names, strict=True)
    ]
    adjust_text(
        texts,
        x=x,
        y=y,
        ax=ax,
        ensure_inside_axes=True,
        expand=(1.15, 1.4),
        arrowprops={"arrowstyle": "-", "color": "#9e9e9e", "lw": 0.6},
    )


def opportunity_cost_chart(selection: Selection) -> Figure:
    """Expected value beside opportunity cost, per idea: ideas worth more than their cost belong in."""
    t = selection.table.iloc[::-1]
    y = np.arange(len(t))
    fig = Figure(figsize=(7.5, 0.3 * len(t) + 1.6))
    ax = fig.subplots()
    colors = [CHOSEN if s else OTHER for s in t["selected"]]
    ax.barh(y, t["opportunity_cost"].fillna(0), color=colors, alpha=0.85, label="opportunity cost")
    ax.scatter(
        t["expected_value"], y, color="black", marker="|", s=200, zorder=3, label="expected value"
    )
    ax.set_yticks(
        y,
        [
            f"{chart_text(i)}{'  (cannot fit)' if c != c else ''}"
            for i, c in zip(t["id"], t["opportunity_cost"], strict=True)
        ],
        fontsize=TICK_SIZE,
    )
    ax.tick_params(axis="x", labelsize=TICK_SIZE)
    ax.xaxis.set_major_formatter(MONEY_AXIS)
    ax.axvline(0, color="black", lw=0.6)
    ax.set_xlabel(
        f"{selection.currency or 'money'} (green bars: chosen ideas)", fontsize=LABEL_SIZE
    )
    ax.set_title(
        "Chosen (green) are worth more than what they displace;\nthe others would cost more than they add",
        fontsize=TITLE_SIZE,
    )
    # Under the axes: a legend inside would cover a bar.
    height = 0.3 * len(t) + 1.6
    fig.legend(fontsize=TICK_SIZE, loc="lower center", ncol=2, frameon=False)
    fig.tight_layout(rect=(0, 0.35 / height, 1, 1))
    return fig


def capacity_curve_chart(selection: Selection) -> Figure:
    """Best total value as capacity grows, with today's capacity and one more engineer-quarter marked."""
    curve = selection.capacity_curve
    fig = Figure(figsize=(7.5, 3.6))
    ax = fig.subplots()
    ax.step(curve["capacity_weeks"], curve["best_value"], where="post", color=CHOSEN)
    cap = selection.capacity_weeks
    ax.axvline(cap, color="black", lw=0.8, ls="--")
    ax.axvline(cap + ENGINEER_QUARTER_WEEKS, color=GREEDY, lw=0.8, ls=":")
    ax.annotate("today", (cap, 0), textcoords="offset points", xytext=(3, 5), fontsize=TICK_SIZE)
    ax.annotate(
        "+1 engineer-quarter",
        (cap + ENGINEER_QUARTER_WEEKS, 0),
        textcoords="offset points",
        xytext=(3, 20),
        fontsize=TICK_SIZE,
    )
    ax.yaxis.set_major_formatter(MONEY_AXIS)
    ax.tick_params(labelsize=TICK_SIZE)
    ax.set_xlabel("capacity (engineer-weeks)", fontsize=LABEL_SIZE)
    ax.set_ylabel("best total expected value", fontsize=LABEL_SIZE)
    ax.set_title(
        f"One more engineer-quarter ({number(ENGINEER_QUARTER_WEEKS)} weeks) adds {money(selection.extra_quarter_value, selection.currency)} "
        f"to the best set's {money(selection.total_expected_value, selection.currency)}",
        fontsize=TITLE_SIZE,
    )
    fig.tight_layout()
    return fig
