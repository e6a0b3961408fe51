"""Charts of a simulation for people who have never read a histogram (matplotlib, no pyplot).

Each function returns a `matplotlib.figure.Figure` drawn with the Agg canvas (no global
pyplot state, safe in servers and tests) whose title says what to conclude, with money
on the axes formatted by `formatting.money`:

- `npv_chart`: the distribution of npv, the loss side shaded, p10 / p50 / p90 marked;
- `tornado_chart`: how far expected value moves as each input crosses its 90% range;
- `voi_chart`: what perfectly knowing each input is worth before the go / no-go decision.

`figure_png(fig)` renders a figure to PNG bytes (for reports and web pages). Text uses a
font list with CJK fallbacks so Chinese idea titles render when such a font is installed
(Debian: fonts-noto-cjk).
"""

from __future__ import annotations

import io
from functools import lru_cache

import numpy as np
import pandas as pd
from matplotlib import font_manager, rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from mlpm_kit.idea.defaults import portfolio_currency
from mlpm_kit.idea.formatting import chart_text, money, share, shorten
from mlpm_kit.model.simulate import Simulation

# Preferred first for Latin text, then CJK fallbacks; only installed ones are used.
FONT_FAMILIES = (
    "DejaVu Sans",
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "WenQuanYi Zen Hei",
    "Arial Unicode MS",
)
LOSS_COLOR, GAIN_COLOR, INK = "#c0392b", "#2e86c1", "#333333"
MONEY = FuncFormatter(lambda x, _pos: money(x))


@lru_cache(maxsize=1)
def font_families() -> list[str]:
    """The installed fonts of `FONT_FAMILIES`, in order (matplotlib falls back glyph by glyph)."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return [name for name in FONT_FAMILIES if name in installed] or ["sans-serif"]


def _figure(width: float = 7.5, height: float = 4.2) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _style():
    # Sizes for a figure about 7.5 inches wide printed across an A4 page: 10 pt stays 9 pt.
    return rc_context(
        {
            "font.family": font_families(),
            "font.size": 10.5,
            "xtick.labelsize": 10,
            "ytick.labelsize": 10,
            "axes.labelsize": 10.5,
            "legend.fontsize": 10,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )


def _index(sim: Simulation, idea_id: str | None) -> int:
    ids = sim.ids
    if idea_id is None:
        return 0
    if idea_id not in ids:
        raise KeyError(f"no idea with id {idea_id!r} in this simulation; ids: {', '.join(ids)}")
    return ids.index(idea_id)


def npv_chart(sim: Simulation, idea_id: str | None = None, bins: int = 60) -> Figure:
    """Histogram of the idea's simulated npv: losses shaded red, p10 / p50 / p90 marked."""
    i = _index(sim, idea_id)
    cur = sim_currency(sim)
    npv = np.asarray(sim.samples["npv"][i], dtype=float)
    p10, p50, p90 = np.percentile(npv, [10, 50, 90])
    p_loss = float((npv < 0).mean())
    with _style():
        fig = _figure()
        ax = fig.add_subplot()
        counts, edges = np.histogram(npv, bins=bins)
        shares = counts / len(npv)
        colors = [LOSS_COLOR if right <= 0 else GAIN_COLOR for right in edges[1:]]
        ax.bar(
            edges[:-1],
            shares,
            width=np.diff(edges),
            align="edge",
            color=colors,
            alpha=0.85,
            linewidth=0,
        )
        if npv.min() < 0:
            ax.axvspan(
                min(edges[0], 0),
                0,
                color=LOSS_COLOR,
                alpha=0.08,
                label=f"loss: {share(p_loss)} of outcomes",
            )
        top = shares.max() if len(shares) else 1
        for value, name, height, align in (
            (p10, "p10", 1.02, "right"),
            (p50, "median", 1.1, "center"),
            (p90, "p90", 1.02, "left"),
        ):
            ax.axvline(value, color=INK, linestyle="--" if name != "median" else "-", linewidth=1)
            ax.text(
                value,
                top * height,
                f" {name} {money(value, cur)} ",
                ha=align,
                va="bottom",
                fontsize=9,
                color=INK,
            )
        ax.set_ylim(0, top * 1.2)
        ax.xaxis.set_major_formatter(MONEY)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlabel(f"net present value ({cur or 'money'})")
        ax.set_ylabel("share of simulated outcomes")
        _titles(
            fig,
            ax,
            f"{loss_text(p_loss)}; median NPV {money(p50, cur)}",
            f"{sim.ideas[i].title}: 80% of outcomes lie between {money(p10, cur)} and {money(p90, cur)}",
        )
        if npv.min() < 0:
            ax.legend(loc="upper right", frameon=False)
    return fig


def tornado_chart(sim: Simulation, idea_id: str | None = None, top: int = 8) -> Figure:
    """Bars from expected value with an input at the low end of its range to the high end."""
    idea, table = _rows_of(sim, sim.sensitivity(), idea_id, top)
    cur = sim_currency(sim)
    with _style():
        fig, ax = _bars_figure(len(table))
        if table.empty:
            _titles(fig, ax, "Every input is a plain number: nothing to swing", idea.title)
            ax.set_axis_off()
            return fig
        base = float(table["base"].iloc[0])
        y = np.arange(len(table))[::-1]
        low_ev, high_ev = (
            table["expected_value_low"].to_numpy(),
            table["expected_value_high"].to_numpy(),
        )
        ax.barh(
            y,
            low_ev - base,
            left=base,
            color=LOSS_COLOR,
            alpha=0.8,
            label="input at the low end of its range",
        )
        ax.barh(
            y, high_ev - base, left=base, color=GAIN_COLOR, alpha=0.8, label="input at the high end"
        )
        ax.axvline(base, color=INK, linewidth=1)
        ax.axvline(0, color=INK, linewidth=0.6, linestyle=":")
        ax.set_yticks(
            y,
            [
                f"{chart_text(label, 28)}  ({_num(lo)} to {_num(hi)})"
                for label, lo, hi in zip(table["label"], table["low"], table["high"], strict=True)
            ],
        )
        ax.xaxis.set_major_formatter(MONEY)
        ax.set_xlabel(
            f"expected value ({cur or 'money'}), other inputs at their medians (centre line: {money(base, cur)})"
        )
        first = table.iloc[0]
        _titles(
            fig,
            ax,
            f"{shorten(first['label'], 40)} moves expected value most: "
            f"{money(first['expected_value_low'], cur)} to {money(first['expected_value_high'], cur)}",
            idea.title,
        )
        fig.legend(loc="outside lower center", ncols=2, frameon=False)
    return fig


def voi_chart(sim: Simulation, idea_id: str | None = None, top: int = 8) -> Figure:
    """Bars of what perfectly knowing each input is worth (EVPPI), most valuable first; inputs
    worth nothing are left out (the first row stays, so an all-zero chart says so)."""
    idea, table = _rows_of(sim, sim.evpi(), idea_id, top)
    table = table[(table["evppi"] > 0) | (np.arange(len(table)) == 0)]
    cur = sim_currency(sim)
    with _style():
        fig, ax = _bars_figure(len(table))
        y = np.arange(len(table))[::-1]
        ax.barh(y, table["evppi"].to_numpy(), color=GAIN_COLOR, alpha=0.85)
        ax.set_yticks(y, [chart_text(label, 36) for label in table["label"]])
        ax.xaxis.set_major_formatter(MONEY)
        ax.set_xlabel(f"value of knowing it before deciding go / no-go ({cur or 'money'})")
        if len(table) and table["evppi"].iloc[0] > 0:
            first = table.iloc[0]
            title = f"Validate {shorten(first['label'], 40)} first: knowing it is worth up to {money(first['evppi'], cur)}"
        else:
            title = (
                "No single input can change the go / no-go decision: no validation pays for itself"
            )
        _titles(fig, ax, title, idea.title)
        if len(table) and table["evppi"].iloc[0] <= 0:
            ax.set_xlim(0, 1)
    return fig


def sim_currency(sim: Simulation) -> str | None:
    """The currency of a simulation's amounts (the portfolio's one currency)."""
    return portfolio_currency(sim.ideas)[0]


def _rows_of(sim: Simulation, table: pd.DataFrame, idea_id: str | None, top: int):
    """The idea (the first one by default) and its first `top` rows of a per-idea table."""
    idea = sim.ideas[_index(sim, idea_id)]
    return idea, table[table["id"] == idea.id].head(top)


def _bars_figure(rows: int):
    """A page-wide figure with one axis, tall enough for `rows` horizontal bars."""
    fig = _figure(7.5, 1.7 + 0.34 * max(rows, 1))
    return fig, fig.add_subplot()


def _titles(fig: Figure, ax, conclusion: str, context: str) -> None:
    """The conclusion as the figure's title (bold), what it is about under it."""
    # Long idea titles are cut: a chart's text must never squeeze the plot away.
    fig.suptitle(chart_text(conclusion, 110), x=0.01, ha="left", fontweight="bold", fontsize=12)
    ax.set_title(chart_text(context, 120), loc="left", fontsize=9, color=INK)


def title_of(fig: Figure) -> str:
    """The conclusion a chart states (its figure title), as text (without chart_text's escapes)."""
    return fig.get_suptitle().replace(r"\$", "$")


def loss_text(p_loss: float) -> str:
    """'23% chance of losing money', with the extremes said plainly."""
    if p_loss == 0:
        return "No simulated outcome loses money"
    if p_loss == 1:
        return "Every simulated outcome loses money"
    shown = "<1%" if p_loss < 0.005 else ">99%" if p_loss > 0.995 else share(p_loss)
    return f"{shown} chance of losing money"


def _num(x: float) -> str:
    return money(x) if abs(x) >= 1000 else f"{x:.3g}"


def figure_png(fig: Figure, dpi: int = 110) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
