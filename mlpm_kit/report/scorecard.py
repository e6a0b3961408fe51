"""The idea scorecard: what notebook 01 shows, and what a leadership report prints.

The static scorecard is a short decision memo in this order: the decision summary (with the rule
that gave the recommendation), the problem and the evidence, the alternatives, the value and
cost breakdown, the charts, what to validate next, RICE and cost of delay, ML readiness.

`scorecard_sections(...)` returns that memo as HTML sections. Every string that comes from
an idea file is escaped here: idea text is untrusted and must print as literal text.
The numbers come from `scorecard_data.build_scorecard`; this module only lays them out.
"""

from __future__ import annotations

import base64
import math
import os
from html import escape
from typing import Any

from mlpm_kit.idea.formatting import money, number, share
from mlpm_kit.idea.schema import Idea
from mlpm_kit.report.scorecard_data import (
    RECOMMENDATIONS,
    RULE,
    Scorecard,
    build_scorecard,
    cash,
    flag_text,
    input_label,
    recommendation,
    top_risks,
)

__all__ = [
    "RULE",
    "Scorecard",
    "build_scorecard",
    "recommendation",
    "scorecard_sections",
]

# --- HTML ---------------------------------------------------------------------------------


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def html_table(headers: list[str], rows: list[list[Any]], cls: str = "") -> str:
    """A table with every cell escaped."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    head = f"<thead><tr>{head}</tr></thead>" if any(headers) else ""
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{_e(cls)}">{head}<tbody>{body}</tbody></table>'


def _section(key: str, title: str, body: str) -> str:
    return f'<section class="mlpm-section mlpm-{key}"><h2>{_e(title)}</h2>{body}</section>'


def _missing(card: Scorecard, key: str) -> str:
    return f'<p class="mlpm-missing">Not available: {_e(card.missing[key])}.</p>'


def _months(x: float | None) -> str:
    return (
        "never"
        if x is None or (isinstance(x, float) and math.isnan(x))
        else f"{number(round(x))} months"
    )


def summary_html(card: Scorecard) -> str:
    idea, p, sim = card.idea, card.point, card.simulation
    key, reason = recommendation(card)
    meta = " · ".join(
        _e(x)
        for x in (
            f"id {idea.id}",
            f"owner {idea.owner}" if idea.owner else "",
            f"status {idea.status}",
            f"{card.draws:,} draws, seed {card.seed}" if sim else "",
        )
        if x
    )
    if sim:
        # The currency once, so the range fits its table cell on one line.
        npv_range = (
            f"{cash(card, sim['npv_p10'])} to {money(sim['npv_p90'])} (p50 {money(sim['npv_p50'])})"
        )
        p_loss = share(sim["p_loss"])
    else:
        npv_range = p_loss = "not available (no simulation)"
    rows = [
        [
            "Expected value",
            cash(card, p["expected_value"]),
            "confidence x (npv - opportunity cost) - (1 - confidence) x failure cost",
        ],
        ["npv, p10 to p90", npv_range, f"at the medians: {cash(card, p['npv'])}"],
        ["Chance of losing money", p_loss, "share of draws with npv below 0"],
        [
            "Effort",
            f"{number(p['effort_weeks'])} engineer-weeks",
            f"one-time cost {cash(card, p['one_time_cost'])}, launch in {number(round(12 * p['launch_years'], 1))} months",
        ],
        ["Confidence", share(p["confidence"]), card.sources.get("evidence.confidence", "")],
        [
            "Payback",
            _months(p["payback_months"]),
            f"ROI {share(p['roi']) if p['roi'] is not None else 'n/a'}",
        ],
    ]
    risks = "".join(f"<li>{_e(r)}</li>" for r in top_risks(card))
    return (
        f'<header class="mlpm-memo-head"><h1 class="mlpm-title">{_e(idea.title)}</h1>'
        f'<p class="mlpm-meta">{meta}</p></header>'
        + _section(
            "summary",
            "Decision summary",
            f'<p class="mlpm-decision mlpm-{key}"><span class="mlpm-badge">{_e(RECOMMENDATIONS[key])}</span> '
            f"{_e(reason)}</p>"
            f'<p class="mlpm-rule">Rule: {_e(RULE)}</p>'
            + html_table(["", "value", "how"], rows, "mlpm-keyfigures")
            + f'<h3>Top risks</h3><ul class="mlpm-risks">{risks}</ul>',
        )
    )


def problem_html(card: Scorecard) -> str:
    idea, p = card.idea, card.point
    rows = [
        ["What", idea.problem.what or "(not stated)"],
        ["Why it matters", idea.problem.why or "(not stated)"],
        ["Who", idea.problem.who or "(not stated)"],
        [
            "Pain",
            f"frequency {idea.pain.frequency}/5, severity {idea.pain.severity}/5, "
            f"{'actively seeking a fix' if idea.pain.actively_seeking else 'not actively seeking a fix'}: "
            f"pain score {number(p['pain_score'])}/100 (4 x frequency x severity x {'1' if idea.pain.actively_seeking else '0.5'})",
        ],
        ["Confidence", f"{share(p['confidence'])}: {card.sources.get('evidence.confidence', '')}"],
    ]
    body = html_table(["", ""], rows, "mlpm-facts")
    if card.notes:
        n = card.notes
        low_high = n.get("suggested_confidence") or []
        suggested = f"{share(low_high[0])} to {share(low_high[1])}" if len(low_high) == 2 else "n/a"
        flags = "".join(f"<li>{_e(flag_text(f))}</li>" for f in n.get("flags") or [])
        raise_grade = "".join(f"<li>{_e(t)}</li>" for t in list(n.get("to_raise") or [])[:3])
        body += (
            f"<p>Interview evidence: {_e(n.get('interviews'))} interview(s) graded "
            f"<strong>{_e(n.get('grade'))}/100</strong> by the confirmation-bias check; suggested confidence {_e(suggested)}.</p>"
            + (f"<h3>Warnings about the interviews</h3><ul>{flags}</ul>" if flags else "")
            + (f"<h3>How to raise the grade</h3><ul>{raise_grade}</ul>" if raise_grade else "")
        )
    elif "interviews" in card.missing and idea.evidence.interviews:
        body += _missing(card, "interviews")
    elif not idea.evidence.interviews:
        body += "<p>No interview notes are linked to this idea.</p>"
    return _section("problem", "The problem and the evidence", body)


def alternatives_html(card: Scorecard) -> str:
    alts = card.idea.alternatives
    if not alts:
        return _section(
            "alternatives",
            "Alternatives",
            "<p>No alternatives listed: customers have nothing today.</p>",
        )
    rows = [
        [a.name, a.kind, str(a.captures), str(a.cost_per_year), "yes" if a.replaced else "no"]
        for a in alts
    ]
    note = (
        f"<p>The best alternative already captures {share(card.point['best_capture'])} "
        "of the benefit (at the median); the idea is credited only with the rest.</p>"
    )
    return _section(
        "alternatives",
        "Alternatives customers use today",
        html_table(
            ["alternative", "kind", "benefit already captured", "cost per year", "replaced by us"],
            rows,
        )
        + note,
    )


def breakdown_html(card: Scorecard) -> str:
    rows = [[r["quantity"], r["formula"], r["with_numbers"], r["value"]] for r in card.breakdown]
    return _section(
        "breakdown",
        "Value and cost, step by step",
        "<p>Each number at the median of its estimate; check any line by hand.</p>"
        + html_table(
            ["quantity", "formula", "with this idea's numbers", "value"], rows, "mlpm-breakdown"
        ),
    )


def charts_html(card: Scorecard) -> str:
    if not card.charts:
        key = "simulation" if "simulation" in card.missing else "charts"
        body = (
            _missing(card, key) if key in card.missing else "<p>No charts (no draws requested).</p>"
        )
        return _section("charts", "Charts", body)
    return _section("charts", "Charts", figures_html(card.charts))


def figures_html(figures: list[tuple[str, bytes]]) -> str:
    return "".join(
        f'<figure><img alt="{_e(caption)}" src="data:image/png;base64,{base64.b64encode(png).decode()}"/>'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
        for caption, png in figures
    )


def validate_next_html(card: Scorecard) -> str:
    if "simulation" in card.missing:
        return _section("voi", "What to validate next", _missing(card, "simulation"))
    if not card.evpi:
        return _section(
            "voi",
            "What to validate next",
            "<p>Every input is a plain number: nothing uncertain to validate.</p>",
        )
    rows = [
        [
            r.get("label") or input_label(r["input"], card.idea),
            r["input"],
            cash(card, r.get("evppi")),
            r.get("suggestion", ""),
        ]
        for r in card.evpi[:6]
        if (r.get("evppi") or 0) > 0
    ]
    if not rows:
        return _section(
            "voi",
            "What to validate next",
            "<p>No single uncertain input can change the go / no-go decision within its range: "
            "perfectly knowing any one of them is worth 0 (EVPPI from the simulation). "
            "The tornado chart shows which inputs move the expected value most.</p>",
        )
    return _section(
        "voi",
        "What to validate next",
        "<p>Value of information: how much the decision would gain from knowing each input "
        "exactly before deciding (EVPPI, from the simulation). Validate the top line first.</p>"
        + html_table(["assumption", "field", "worth knowing", "how to validate"], rows),
    )


def rice_html(card: Scorecard) -> str:
    p = card.point
    rows = [
        [
            "RICE",
            number(p["rice"]),
            "adopters x impact (by severity) x confidence / (effort weeks / 4.345)",
        ],
        [
            "Cost of delay per week / weeks to launch (CD3)",
            cash(card, p["cd3"]),
            "(annual benefit / 52) / (launch years x 52)",
        ],
    ]
    return _section(
        "rice",
        "RICE and cost of delay",
        "<p>For readers used to these scores; the ranking above uses the expected value.</p>"
        + html_table(["score", "value", "formula"], rows),
    )


def ml_html(card: Scorecard) -> str:
    ml = card.ml
    metric = ml.get("recommended_metric")
    if metric == "f_beta" and ml.get("beta") is not None:
        metric = f"F-beta with beta = {number(ml['beta'])}"
    labels = None
    if ml.get("labels_needed") is not None:
        low, high = ml.get("labels_needed_low"), ml.get("labels_needed_high")
        labels = f"{number(ml['labels_needed'])} ({number(low)} to {'unbounded' if high is None else number(high)})"
        if ml.get("labels_now") is not None:
            labels += f"; {number(ml['labels_now'])} labeled today"
    data_cost = None
    if ml.get("data_cost") is not None:
        high = ml.get("data_cost_high")
        data_cost = f"{cash(card, ml['data_cost'])} ({cash(card, ml.get('data_cost_low'))} to {'unbounded' if high is None else cash(card, high)})"
    rows = [
        ["Task", ml.get("task")],
        ["Metric to optimize", metric],
        [
            "Cost of a missed case / a false alarm",
            None if ml.get("cost_ratio") is None else f"{number(ml['cost_ratio'])} x",
        ],
        [
            "Minimum precision to beat today's way",
            None
            if ml.get("min_precision") is None
            else share(ml["min_precision"])
            if ml["min_precision"] >= 0.01
            else number(ml["min_precision"]),
        ],
        [
            "Minimum recall to beat today's way",
            None
            if ml.get("min_recall") is None
            else f"{share(ml['min_recall'])} at precision {number(ml.get('min_recall_at_precision'))}",
        ],
        ["Today's way (baseline)", ml.get("baseline")],
        ["Labels needed (90% range)", labels],
        ["Data cost (90% range)", data_cost],
        [
            "Retraining cost per year",
            None
            if ml.get("retraining_cost_per_year") is None
            else cash(card, ml["retraining_cost_per_year"]),
        ],
        ["What customers see next to a prediction", ml.get("explanation") or None],
    ]
    body = html_table(["", ""], [r for r in rows if r[1] not in (None, "")], "mlpm-facts")
    notes = "".join(f"<li>{_e(m)}</li>" for m in ml.get("messages") or [])
    if notes:
        body += f"<h3>Notes</h3><ul>{notes}</ul>"
    risks = (
        "".join(f"<li>{_e(r)}</li>" for r in ml.get("open_risks") or []) or "<li>None open.</li>"
    )
    body += f"<h3>Open risks</h3><ul>{risks}</ul>"
    body += figures_html(card.ml_charts)
    return _section("ml", "ML readiness", body)


def scorecard_sections(
    idea: Idea | str | os.PathLike, draws: int = 10_000, seed: int = 0
) -> list[str]:
    """The memo as HTML sections, in report order."""
    card = build_scorecard(idea, draws=draws, seed=seed)
    sections = [
        summary_html(card),
        problem_html(card),
        alternatives_html(card),
        breakdown_html(card),
        charts_html(card),
        validate_next_html(card),
        rice_html(card),
    ]
    if card.ml is not None:
        sections.append(ml_html(card))
    return sections
