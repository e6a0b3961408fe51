"""The numbers of an idea's decision memo, gathered once, and the recommendation rule.

`build_scorecard(idea)` collects the point score and its breakdown, the simulation (npv
range, chance of loss, value of information and charts), the interview evidence and the ML
readiness into a `Scorecard`; `recommendation` applies the stated `RULE`; `top_risks`
picks what is most likely to make the idea a bad bet. All numbers come from the kit's own
functions (score, breakdown, simulate, check_notes, ml_check): nothing is computed twice.
`scorecard.py` lays them out.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from mlpm_kit.errors import MlpmError
from mlpm_kit.idea.files import load_idea
from mlpm_kit.idea.formatting import money, share
from mlpm_kit.idea.ml_section import has_ml
from mlpm_kit.idea.schema import Idea, section_model
from mlpm_kit.interviews.notes import check_notes
from mlpm_kit.ml.readiness import ml_check
from mlpm_kit.model.inputs import interview_paths, model_inputs
from mlpm_kit.model.scoring import breakdown, records, score
from mlpm_kit.model.simulate import simulate
from mlpm_kit.report.charts import figure_png, font_families, npv_chart, tornado_chart, voi_chart
from mlpm_kit.report.ml_charts import error_cost_chart, learning_curve_chart

# The recommendation rule, stated in the report next to the recommendation.
GO_MAX_P_LOSS = 0.20
GO_MIN_CONFIDENCE = 0.70
RULE = (
    "No-go when the expected value is zero or less. Go when it is positive, the chance of "
    f"losing money (npv below 0) is at most {share(GO_MAX_P_LOSS)} and confidence is at least "
    f"{share(GO_MIN_CONFIDENCE)}. Otherwise validate first."
)
RECOMMENDATIONS = {
    "go": "Go",
    "validate": "Validate first",
    "no-go": "No-go",
}
MAX_RISKS = 5


@dataclass
class Scorecard:
    """Everything the memo shows for one idea, gathered once."""

    idea: Idea
    point: dict[str, Any]
    breakdown: list[dict[str, str]]
    sources: dict[str, str]
    draws: int
    seed: int
    simulation: dict[str, Any] | None = None
    evpi: list[dict[str, Any]] = field(default_factory=list)
    charts: list[tuple[str, bytes]] = field(default_factory=list)
    notes: dict[str, Any] | None = None
    ml: dict[str, Any] | None = None
    ml_charts: list[tuple[str, bytes]] = field(default_factory=list)
    missing: dict[str, str] = field(default_factory=dict)

    @property
    def p_loss(self) -> float | None:
        return None if self.simulation is None else self.simulation.get("p_loss")


def _first_row(table, idea_id: str) -> dict[str, Any]:
    rows = records(table)
    for row in rows:
        if row.get("id") == idea_id:
            return row
    return rows[0]


def _simulate(card: Scorecard) -> None:
    sim = simulate([card.idea], draws=card.draws, seed=card.seed)
    card.simulation = _first_row(sim.summary(), card.idea.id)
    card.evpi = sorted(
        (r for r in records(sim.evpi()) if r["id"] == card.idea.id),
        key=lambda r: -(r["evppi"] or 0.0),
    )
    charts = [
        (
            npv_chart,
            "Distribution of the npv over the simulation's draws; the loss side is shaded.",
        ),
        (
            tornado_chart,
            "What moves the expected value most: each uncertain input across its 90% range.",
        ),
    ]
    if any((r["evppi"] or 0.0) > 0 for r in card.evpi):
        # With every value of information at 0 the bars would be empty; the text says so instead.
        charts.append(
            (voi_chart, "Value of information: what knowing each input before deciding is worth.")
        )
    card.charts = [(caption, figure_png(make(sim, card.idea.id))) for make, caption in charts]


def _notes(card: Scorecard) -> None:
    if not card.idea.evidence.interviews:
        return
    try:
        card.notes = dict(check_notes(interview_paths(card.idea)).summary)
    except MlpmError as exc:
        card.missing["interviews"] = f"the interview notes could not be checked: {exc}"


def build_scorecard(
    idea: Idea | str | os.PathLike, draws: int = 10_000, seed: int = 0
) -> Scorecard:
    """Gather the numbers of the memo for one idea (a loaded `Idea` or a path to its file)."""
    if not isinstance(idea, Idea):
        idea = load_idea(idea)
    import matplotlib

    matplotlib.rcParams["font.family"] = font_families()  # CJK fallback for the ML charts' titles
    card = Scorecard(
        idea=idea,
        point=_first_row(score([idea]), idea.id),
        breakdown=breakdown(idea),
        sources=model_inputs(idea).sources,
        draws=int(draws),
        seed=int(seed),
    )
    if draws > 0:
        _simulate(card)
    else:
        card.missing["simulation"] = "no simulation was asked for (draws = 0)"
    _notes(card)
    if has_ml(idea.ml):
        card.ml = ml_check(idea, seed=seed)
        card.ml_charts = ml_chart_pngs(idea, seed)
    return card


def ml_chart_pngs(idea: Idea, seed: int) -> list[tuple[str, bytes]]:
    """The ML section's charts that the idea has the inputs for (the section says what is missing)."""
    import matplotlib.pyplot as plt

    out = []
    for make, caption in (
        (
            error_cost_chart,
            "Expected cost of the model's errors per year over precision and recall; "
            "the line is where it costs as much as today's way of working.",
        ),
        (
            lambda i: learning_curve_chart(i, seed=seed),
            "Labels needed: pilot points, fitted learning curve and target.",
        ),
    ):
        try:
            fig = make(idea)
        except MlpmError:
            continue
        try:
            out.append((caption, figure_png(fig)))
        finally:
            plt.close(fig)
    return out


def cash(card: Scorecard, x: float | None) -> str:
    """An amount of the idea's, with the idea's currency."""
    return money(x, card.idea.currency)


def recommendation(card: Scorecard) -> tuple[str, str]:
    """(key in RECOMMENDATIONS, the reason in one or two sentences) by the stated RULE."""
    ev = card.point["expected_value"]
    confidence = card.point["confidence"]
    p_loss = card.p_loss
    if ev is None or ev <= 0:
        return (
            "no-go",
            f"The expected value is {cash(card, ev)}: even counting the chance it works, it does not pay.",
        )
    if p_loss is None:
        risky = (card.point["npv"] or 0) < 0
        loss_text = f"the npv at the medians is {cash(card, card.point['npv'])} (chance of loss not simulated)"
    else:
        risky = p_loss > GO_MAX_P_LOSS
        loss_text = f"the chance of losing money is {share(p_loss)}"
    conf_text = f"confidence is {share(confidence)}"
    unsure = confidence < GO_MIN_CONFIDENCE
    if not risky and not unsure:
        return "go", f"The expected value is {cash(card, ev)}, {loss_text} and {conf_text}."
    failing = [t for t, bad in ((loss_text, risky), (conf_text, unsure)) if bad]
    passing = [t for t, bad in ((loss_text, risky), (conf_text, unsure)) if not bad]
    reason = f"The expected value is {cash(card, ev)}" + "".join(f" and {t}" for t in passing)
    reason += ", but " + " and ".join(failing) + "."
    worth = [r for r in card.evpi if (r.get("evppi") or 0) > 0]
    if worth:
        label = worth[0].get("label") or input_label(worth[0]["input"], card.idea)
        label = label[:1].lower() + label[1:]
        reason += f" Validate {label} first: knowing it is worth {cash(card, worth[0]['evppi'])}."
    return "validate", reason


def input_label(path: str, idea: Idea) -> str:
    """A person's name for a dotted input path, from the schema's field labels."""
    if path.startswith("alternatives["):
        index = int(path[len("alternatives[") : path.index("]")])
        name = idea.alternatives[index].name if index < len(idea.alternatives) else f"#{index + 1}"
        what = "benefit already captured" if path.endswith("captures") else "cost per year"
        return f"{name}: {what}"
    section, _, name = path.partition(".")
    model = section_model((section,))
    info = model.model_fields.get(name) if model is not None else None
    return info.title if info is not None and info.title else path


def flag_text(flag: Any) -> str:
    """An interview-set flag ({code, message} from the notes check) as a sentence."""
    return str(flag.get("message") or flag.get("code")) if isinstance(flag, dict) else str(flag)


def top_risks(card: Scorecard) -> list[str]:
    """The few things most likely to make this idea a bad bet, most important first."""
    p, risks = card.point, []
    if card.p_loss is not None and card.p_loss > GO_MAX_P_LOSS:
        risks.append(
            f"{share(card.p_loss)} chance the npv is negative (p10 {cash(card, card.simulation.get('npv_p10'))})."
        )
    if p["confidence"] < GO_MIN_CONFIDENCE:
        risks.append(
            f"Confidence that the problem is real is {share(p['confidence'])} "
            f"({card.sources.get('evidence.confidence', 'source unknown')})."
        )
    if card.evpi and (card.evpi[0].get("evppi") or 0) > 0:
        top = card.evpi[0]
        risks.append(
            f"The biggest open assumption is {input_label(top['input'], card.idea)}: "
            f"knowing it before deciding is worth {cash(card, top['evppi'])}."
        )
    if p["payback_months"] is None:
        risks.append("It never pays back: the running cost is at least the annual benefit.")
    captured = max(((a.captures.median, a.name) for a in card.idea.alternatives), default=(0.0, ""))
    if captured[0] >= 0.3:
        risks.append(
            f"Customers already get {share(captured[0])} of the benefit from “{captured[1]}”."
        )
    if card.ml:
        risks.extend(f"ML: {r}" for r in list(card.ml.get("open_risks") or [])[:2])
    if card.notes:
        risks.extend(f"Interviews: {flag_text(f)}" for f in list(card.notes.get("flags") or [])[:1])
    return risks[:MAX_RISKS] or ["No major risk flagged by the model."]
