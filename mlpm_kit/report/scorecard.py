"""The idea scorecard: what notebook 01 shows, and what a leadership report prints.

The static scorecard is a short decision memo in this order: the decision (DESIGN section 9:
its reason, kill criteria, the ask, what it is worth, top risks), the problem and the evidence, the alternatives, the value and
cost breakdown, the charts, what to validate next, RICE and cost of delay, ML readiness.

`scorecard_sections(...)` returns that memo as HTML sections. Every string that comes from
an idea file is escaped here: idea text is untrusted and must print as literal text.
The numbers come from `scorecard_data.build_scorecard`; this module only lays them out.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

from mlpm_kit.calibration.apply import corrections_of
from mlpm_kit.idea.formatting import estimate_text, html_text, money, months, number, share
from mlpm_kit.idea.schema import Idea, field_label
from mlpm_kit.model.decision import DECISION_DRAWS, amount_text
from mlpm_kit.model.inputs import model_inputs
from mlpm_kit.report.notes_view import NOTHING_DISCONFIRMS, quote_line, sources_sentence
from mlpm_kit.report.scorecard_data import (
    Scorecard,
    build_scorecard,
    cash,
    flag_text,
    top_risks,
)

__all__ = [
    "Scorecard",
    "build_scorecard",
    "scorecard_sections",
]

# --- HTML ---------------------------------------------------------------------------------


def _e(value: Any) -> str:
    return html_text(value)


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


def _range(est, show=number) -> str:
    return f" ({show(est.low)} to {show(est.high)})" if est.is_range else ""


def ask_rows(card: Scorecard, amount) -> list[list[str]]:
    """The ask: people, engineer-weeks, money and dates (medians; ranges where given)."""
    cost, p = card.idea.cost, card.point
    team = cost.team_size.median
    mvp, build = cost.mvp_weeks.median, cost.build_weeks.median
    run = model_inputs(card.idea).scalars["cost.run_cost_per_year"]
    per_team = f"/ {number(team)} engineers"
    return [
        [
            "Team",
            f"{number(team)} engineers",
            f"{amount(cost.team_week_cost.median)} per engineer-week",
        ],
        [
            "Effort",
            f"{number(round(p['effort_weeks'], 1))} engineer-weeks",
            "to MVP, to launch, and the improvement rounds",
        ],
        ["One-time cost", amount(p["one_time_cost"]), "effort x engineer-week cost + data cost"],
        [
            "Weeks to MVP",
            f"{number(round(mvp / team, 1))} weeks",
            f"{number(mvp)} engineer-weeks{_range(cost.mvp_weeks)} {per_team}",
        ],
        [
            "Weeks to launch",
            f"{number(round((mvp + build) / team, 1))} weeks",
            f"{number(mvp + build)} engineer-weeks {per_team}",
        ],
        ["Yearly run cost", amount(run.median), f"once launched{_range(run, amount)}"],
    ]


def summary_html(card: Scorecard) -> str:
    idea, p, sim, d = card.idea, card.point, card.simulation, card.decision
    amount = amount_text(getattr(idea, "currency", None))
    meta = " · ".join(
        _e(x)
        for x in (
            f"id {idea.id}",
            f"owner {idea.owner}" if idea.owner else "",
            f"status {idea.status}",
            f"{card.draws:,} draws, seed {card.seed}" if sim else "",
            "calibrated estimates" if corrections_of(idea) else "",
            f"amounts in {idea.currency}" if getattr(idea, "currency", None) else "",
        )
        if x
    )
    if d is not None:
        decision = (
            f'<p class="mlpm-decision mlpm-{d.decision}" data-decision="{d.decision}">'
            f'<span class="mlpm-badge">{_e(d.label)}</span> {_e(d.decision_reason)}</p>'
        )
        if d.override_reason:
            decision += (
                f'<p class="mlpm-override">The stated confidence overrides the interview notes '
                f"because: {_e(d.override_reason)}</p>"
            )
        kills = "".join(f"<li>{_e(t[:1].upper() + t[1:])}.</li>" for t in d.kill_texts())
        rule = (
            f"Validate first when knowing an input before deciding is worth more than one "
            f"validation step ({amount(d.validation_cost)}); otherwise go when the expected "
            "value is above 0, no-go when it is not."
        )
        ev = [
            "Expected value",
            amount(d.expected_value_mean),
            f"p10 {amount(sim['expected_value_p10'])} to p90 {amount(sim['expected_value_p90'])}; "
            f"mean of {card.draws:,} draws",
        ]
        losing = [
            [
                "Chance of losing money",
                share(d.p_loss),
                "it does not pay back its cost (npv below 0)",
            ],
            [
                "Chance of doing worse than the team's next-best work",
                share(d.p_below_next_best),
                "the team's other work would return more",
            ],
        ]
    else:
        decision = (
            f'<p class="mlpm-missing">No decision: {_e(card.missing.get("simulation", ""))}.</p>'
        )
        ev = ["Expected value", amount(p["expected_value"]), "at the medians (no simulation)"]
        losing = []
    npv_range = (
        f"{amount(sim['npv_p10'])} to {amount(sim['npv_p90'])}"
        if sim
        else "not available (no simulation)"
    )
    confidence = card.sources.get("evidence.confidence", "")
    rows = [
        ev,
        ["npv, p10 to p90", npv_range, f"{amount(p['npv'])} at the medians"],
        *losing,
        ["Confidence", share(p["confidence"]), confidence],
        [
            "Payback",
            months(p["payback_months"]),
            f"ROI {share(p['roi']) if p['roi'] is not None else 'n/a'}",
        ],
    ]
    risks = "".join(f"<li>{_e(r)}</li>" for r in top_risks(card))
    if d is not None:
        decision += f'<p class="mlpm-rule">{_e(rule)}</p>' + (
            f'<h3>Kill criteria</h3><ul class="mlpm-kill">{kills}</ul>'
            if kills
            else '<p class="mlpm-kill">Kill criteria: none; no input can flip the decision '
            "within its 90% range.</p>"
        )
    return (
        f'<header class="mlpm-memo-head"><h1 class="mlpm-title">{_e(idea.title)}</h1>'
        f'<p class="mlpm-meta">{meta}</p></header>'
        + _section(
            "summary",
            "Decision",
            decision
            + "<h3>The ask</h3>"
            + html_table(["", "", ""], ask_rows(card, amount), "mlpm-keyfigures mlpm-compact")
            + "<h3>What it is worth</h3>"
            + html_table(["", "", ""], rows, "mlpm-keyfigures mlpm-compact")
            + f'<h3>Top risks</h3><ul class="mlpm-risks">{risks}</ul>',
        )
    )


def problem_html(card: Scorecard) -> str:
    idea, p = card.idea, card.point
    rows = [
        [field_label("problem.what"), idea.problem.what or "(not stated)"],
        [field_label("problem.why"), idea.problem.why or "(not stated)"],
        [field_label("problem.who"), idea.problem.who or "(not stated)"],
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
            + (f"<p>{_e(sources_sentence(n['sources']))}</p>" if n.get("sources") else "")
            + "<h3>What would prove us wrong, and what we heard</h3>"
            + (
                f"<ul>{''.join(f'<li>{_e(quote_line(d))}</li>' for d in n['disconfirming'])}</ul>"
                if n.get("disconfirming")
                else f"<p>{_e(NOTHING_DISCONFIRMS)}</p>"
            )
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
    noise = card.decision.evppi_noise if card.decision is not None else 0.0
    rows = [
        [
            r.get("label") or field_label(r["input"], card.idea),
            r["input"],
            cash(card, r.get("evppi")) + (" (within noise)" if r["evppi"] < noise else ""),
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
        "exactly before deciding (EVPPI, from the simulation), against one validation step "
        f"({money(card.decision.validation_cost) if card.decision else 'n/a'}). Values below "
        f"{money(noise)} (the standard error of the simulation's value of information) are "
        "within its noise.</p>"
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


def calibrated_html(card: Scorecard) -> str:
    """With a calibration: which estimates it corrected, the stated range beside the corrected one."""
    record = card.calibration
    name = Path(record.source).name if record.source else "the history"
    o = record.overall
    lead = (
        f"Calibrated with the record of {record.ideas} launched ideas ({name}): their 90% "
        f"ranges held {share(o['hit_rate'])} of the time. Every number in this memo uses "
        "the corrected ranges below."
    )
    rows = [
        [
            field_label(path, card.idea),
            estimate_text(c["stated"]),
            estimate_text(c["corrected"]),
            c["source"],
        ]
        for path, c in corrections_of(card.idea).items()
    ]
    if not rows:
        warning = record.warnings[0]["message"] if record.warnings else ""
        return _section(
            "calibration",
            "Calibration",
            f"<p>{_e(f'No estimate of this idea was corrected. {warning}'.strip())}</p>",
        )
    table = html_table(["input", "stated", "corrected", "from"], rows, "mlpm-calibration")
    return _section("calibration", "Calibrated estimates", f"<p>{_e(lead)}</p>{table}")


def scorecard_sections(
    idea: Idea | str | os.PathLike,
    draws: int = DECISION_DRAWS,
    seed: int = 0,
    history: str | os.PathLike | None = None,
) -> list[str]:
    """The memo as HTML sections, in report order (with `history`: calibrated, and says so)."""
    card = build_scorecard(idea, draws=draws, seed=seed, history=history)
    sections = [
        summary_html(card),
        *([calibrated_html(card)] if card.calibration is not None else []),
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
