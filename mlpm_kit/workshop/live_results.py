"""The workshop's live results: headline numbers, their p10-p90, p_loss, what to validate next.

`compute_results(idea, draws, seed)` runs the fast simulation (`mlpm_kit.model.simulate`) when it
is available and falls back to the point score otherwise; the inputs to validate next come
from the simulation's value of information, or else from a one-at-a-time swing: each
uncertain input moved to the ends of its 90% range, the others at their medians, through
`economics.evaluate` (the one place the formulas live). `results_html` draws the panel;
it escapes everything the user typed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from mlpm_kit.idea.formatting import html_text, in_currency, money, months, number, share, shorten
from mlpm_kit.idea.schema import Idea
from mlpm_kit.model.decision import Decision, decisions
from mlpm_kit.model.inputs import (
    model_inputs,
)
from mlpm_kit.model.scoring import score
from mlpm_kit.model.sensitivity import sensitivity

TOP_INPUTS = 3
# Interview grades by the notes files' (path, mtime, size): grading notes takes ~30 ms and
# every model call below would repeat it; the notes rarely change during a workshop.


def _weeks(x: float) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{number(round(x, 1))} eng-weeks"


# (output, label, how it is shown)
HEADLINES = (
    ("expected_value", "Expected value", money),
    ("npv", "NPV", money),
    ("effort_weeks", "Effort", _weeks),
    ("payback_months", "Payback", months),
    ("confidence", "Confidence", share),
)


@dataclass
class Headline:
    key: str
    label: str
    value: str
    low: str = ""
    high: str = ""


@dataclass
class TopInput:
    path: str
    label: str
    impact: str
    suggestion: str


@dataclass
class Results:
    """Everything the results panel shows, as text ready to display."""

    title: str
    method: str
    headlines: list[Headline]
    confidence_source: str
    p_loss: float | None = None
    p_below_next_best: float | None = None
    decision: Decision | None = None
    top_inputs: list[TopInput] = field(default_factory=list)
    top_basis: str = "largest swing of the expected value across the input's range"
    swings: list[tuple[str, str, float, float, float]] = field(default_factory=list)
    note: str = ""
    point_expected_value: float | None = None
    currency: str | None = None  # of every amount shown


def swings(idea: Idea) -> list[tuple[str, str, float, float, float]]:
    """(input path, label, expected value at the range's low end, at its high end, |difference|), largest first."""
    table = sensitivity([idea])
    return [
        (
            r.input,
            r.label,
            float(r.expected_value_low),
            float(r.expected_value_high),
            float(r.swing),
        )
        for r in table.itertuples()
    ]


def compute_results(idea: Idea, draws: int = 2000, seed: int = 0) -> Results:
    """The panel's numbers for one valid idea."""
    row = score([idea]).iloc[0]
    cur = idea.currency
    heads = [
        Headline(key, in_currency(label, cur) if fmt is money else label, fmt(float(row[key])))
        for key, label, fmt in HEADLINES
    ]
    result = Results(
        currency=cur,
        title=idea.title,
        method="point score (medians of the ranges)",
        headlines=heads,
        confidence_source=str(row["confidence_source"]),
        swings=swings(idea),
        point_expected_value=float(row["expected_value"]),
    )
    if draws > 0:
        try:
            _add_simulation(result, idea, draws, seed)
        except Exception as exc:  # the point score still stands; say why the ranges are missing
            result.note = f"The simulation failed ({exc}); showing the point score."
    if not result.top_inputs:
        if result.p_loss is not None:
            result.top_basis = (
                "largest swing of the expected value (no input's value of information is above 0: "
                "no single answer would change the decision)"
            )
        uncertain = model_inputs(idea).uncertain()
        for path, label, low, high, size in result.swings[:TOP_INPUTS]:
            result.top_inputs.append(
                TopInput(
                    path,
                    label,
                    f"moves expected value by {money(size, cur)}",
                    f"Narrow {uncertain[path]} (expected value {money(low, cur)} to {money(high, cur)} across it).",
                )
            )
    return result


def _add_simulation(result: Results, idea: Idea, draws: int, seed: int) -> None:
    sim, (decision,) = decisions([idea], draws=draws, seed=seed)
    summary = sim.summary().iloc[0]
    result.decision = decision
    result.method = f"simulation of {draws:,} draws (seed {seed})"
    for head in result.headlines:
        fmt = dict((k, f) for k, _, f in HEADLINES)[head.key]
        lo, hi = summary.get(f"{head.key}_p10"), summary.get(f"{head.key}_p90")
        if lo is not None and hi is not None:
            head.low, head.high = fmt(float(lo)), fmt(float(hi))
    result.headlines[0].value = money(decision.expected_value_mean)
    result.p_loss, result.p_below_next_best = decision.p_loss, decision.p_below_next_best
    result.top_basis = "value of information (EVPPI) from the simulation"
    evpi = sim.evpi()
    for rec in evpi[evpi["evppi"] > 0].head(TOP_INPUTS).itertuples():
        result.top_inputs.append(
            TopInput(
                str(rec.input),
                str(rec.label),
                f"worth {money(float(rec.evppi), idea.currency)} to know",
                str(rec.suggestion),
            )
        )


def swing_chart_svg(result: Results, width: int = 440, bar_height: int = 18) -> str:
    """A small tornado chart: expected value across each input's range, largest swing on top."""
    rows = result.swings[:5]
    if not rows:
        return "<p><i>No input is given as a range: nothing to chart.</i></p>"
    values = [v for _, _, lo, hi, _ in rows for v in (lo, hi)]
    vmin, vmax = min(values + [0.0]), max(values + [0.0])
    span = (vmax - vmin) or 1.0
    label_w, pad = 200, 6

    def x(v: float) -> float:
        return label_w + (width - label_w - pad) * (v - vmin) / span

    height = len(rows) * (bar_height + pad) + 20
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">'
    ]
    for i, (_, name, lo, hi, _) in enumerate(rows):
        y = i * (bar_height + pad)
        left, right = sorted((x(lo), x(hi)))
        label = html_text(shorten(name, 32))
        parts.append(f'<text x="0" y="{y + bar_height - 5}" font-size="11">{label}</text>')
        parts.append(
            f'<rect x="{left:.1f}" y="{y}" width="{max(right - left, 1):.1f}" height="{bar_height}" fill="#4c78a8">'
            f"<title>{label}: {money(lo, result.currency)} to {money(hi, result.currency)}</title></rect>"
        )
    zero = x(0.0)
    parts.append(f'<line x1="{zero:.1f}" y1="0" x2="{zero:.1f}" y2="{height - 18}" stroke="#333"/>')
    parts.append(
        f'<text x="{label_w}" y="{height - 4}" font-size="10">{money(vmin, result.currency)}</text>'
    )
    parts.append(
        f'<text x="{width - pad}" y="{height - 4}" font-size="10" text-anchor="end">{money(vmax, result.currency)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def losing_text(result: Results) -> str:
    """Both chances of losing, in a director's words."""
    return (
        f"Chance of losing money (npv below 0): {share(result.p_loss)}. "
        f"Chance of doing worse than the team's next-best work: {share(result.p_below_next_best)}."
    )


def decision_html(decision: Decision) -> str:
    """The decision, its reason, kill criteria and warnings: the same words as the memo's first line."""
    esc = html_text
    kills = "".join(f"<li>{esc(t)}</li>" for t in decision.kill_texts())
    warnings = "".join(
        f'<p class="mlpm-warning" style="color:#a60">{esc(w["message"])}</p>'
        for w in decision.warnings
    )
    return (
        f'<p class="mlpm-decision mlpm-{decision.decision}" data-slot="decision" data-decision="{decision.decision}">'
        f"<b>{esc(decision.label)}</b>. {esc(decision.decision_reason)}</p>"
        + (f"<p>Kill criteria:</p><ul>{kills}</ul>" if kills else "")
        + warnings
    )


def results_html(result: Results) -> str:
    """The results panel as HTML; every user-written string is escaped."""
    esc = html_text
    rows = []
    for h in result.headlines:
        band = f"{esc(h.low)} to {esc(h.high)}" if h.low else ""
        rows.append(
            f'<tr class="mlpm-head-{h.key}"><td>{esc(h.label)}</td><td><b>{esc(h.value)}</b></td>'
            f'<td style="color:#666">{band}</td></tr>'
        )
    p_loss = "" if result.p_loss is None else f"<p>{esc(losing_text(result))}</p>"
    decision = "" if result.decision is None else decision_html(result.decision)
    tops = (
        "".join(
            f"<li><b>{esc(t.label)}</b>: {esc(t.impact)}. {esc(t.suggestion)}</li>"
            for t in result.top_inputs
        )
        or "<li>Every input is a single number: give ranges where you are unsure.</li>"
    )
    note = f'<p style="color:#a60">{esc(result.note)}</p>' if result.note else ""
    return (
        f'<div class="mlpm-results">{decision}<h3>{esc(result.title)}</h3>'
        f'<table><tr><th></th><th>value</th><th style="color:#666">p10 to p90</th></tr>{"".join(rows)}</table>'
        f"<p>Confidence source: {esc(result.confidence_source)}</p>{p_loss}"
        f'<h4>Validate next</h4><p style="color:#666;font-size:smaller">Ranked by {esc(result.top_basis)}.</p><ol>{tops}</ol>'
        f"<h4>Expected value across each input's range</h4>{swing_chart_svg(result)}"
        f'<p style="color:#666;font-size:smaller">Method: {esc(result.method)}.</p>{note}</div>'
    )
