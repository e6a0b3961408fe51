"""The numbers of an idea's decision memo, gathered once.

`build_scorecard(idea)` collects the point score and its breakdown, the simulation (npv
range, chance of loss, value of information and charts), the interview evidence and the ML
readiness into a `Scorecard`, with the idea's decision (`model.decision`, the one place that
decides); `top_risks` picks what is most likely to make the idea a bad bet, including
numbers the idea states twice that disagree. All numbers come from the kit's own
functions (score, breakdown, simulate, check_notes, ml_check): nothing is computed twice.
`scorecard.py` lays them out.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from mlpm_kit.calibration.record import Calibration, calibrate
from mlpm_kit.errors import MlpmError
from mlpm_kit.idea.files import load_idea
from mlpm_kit.idea.formatting import money, number, share
from mlpm_kit.idea.ml_section import has_ml
from mlpm_kit.idea.schema import Idea
from mlpm_kit.interviews.notes import check_notes
from mlpm_kit.ml.readiness import ml_check
from mlpm_kit.model.decision import DECISION_DRAWS, Decision, decisions
from mlpm_kit.model.inputs import interview_paths, model_inputs
from mlpm_kit.model.scoring import breakdown, records, score
from mlpm_kit.report.charts import figure_png, font_families, npv_chart, tornado_chart, voi_chart
from mlpm_kit.report.ml_charts import error_cost_chart, learning_curve_chart

MAX_RISKS = 5
# Two statements of one number that differ by more than this factor are a top risk.
DISAGREE_RATIO = 2.0
# A chance of losing money worth a line among the top risks.
NOTABLE_CHANCE = 0.10


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
    calibration: Calibration | None = None  # the record that corrected the estimates, if any
    decision: Decision | None = None

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
    sim, (card.decision,) = decisions([card.idea], draws=card.draws, seed=card.seed)
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
        paths = interview_paths(card.idea)
        card.notes = dict(check_notes(paths).summary)
    except MlpmError as exc:
        card.missing["interviews"] = f"the interview notes could not be checked: {exc}"
        return
    # A report names notes files as the idea file lists them, never by a local absolute path.
    written = dict(zip(map(str, paths), card.idea.evidence.interviews, strict=True))
    card.notes["flags"] = [
        {**flag, "message": _replace_all(str(flag.get("message", "")), written)}
        if isinstance(flag, dict)
        else _replace_all(str(flag), written)
        for flag in card.notes.get("flags") or []
    ]


def _replace_all(text: str, replacements: dict[str, str]) -> str:
    for old, new in replacements.items():
        text = text.replace(old, new)
    return text


def build_scorecard(
    idea: Idea | str | os.PathLike,
    draws: int = DECISION_DRAWS,
    seed: int = 0,
    history: str | os.PathLike | None = None,
) -> Scorecard:
    """Gather the numbers of the memo for one idea (a loaded `Idea` or a path to its file).

    With `history` (a folder of launched ideas), the estimates are corrected by its record
    first, and every number of the memo uses the corrected ranges.
    """
    if not isinstance(idea, Idea):
        idea = load_idea(idea)
    record = None
    if history is not None:
        record = calibrate(history)
        idea = record.apply(idea)
    import matplotlib

    matplotlib.rcParams["font.family"] = font_families()  # CJK fallback for the ML charts' titles
    card = Scorecard(
        idea=idea,
        point=_first_row(score([idea]), idea.id),
        breakdown=breakdown(idea),
        sources=model_inputs(idea).sources,
        draws=int(draws),
        seed=int(seed),
        calibration=record,
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
            "Cost of the model's errors per year against today's way, over precision and recall; "
            "green is cheaper than today, red dearer; the black line is break-even.",
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


def flag_text(flag: Any) -> str:
    """An interview-set flag ({code, message} from the notes check) as a sentence."""
    return str(flag.get("message") or flag.get("code")) if isinstance(flag, dict) else str(flag)


def stated_twice(card: Scorecard) -> list[str]:
    """Numbers the idea states twice that disagree by more than `DISAGREE_RATIO` (DESIGN section 9)."""
    out = []
    ml, stated = card.ml or {}, card.idea.cost.data_cost
    if stated is not None and ml.get("data_cost"):
        ratio = _ratio(stated.median, ml["data_cost"])
        if ratio > DISAGREE_RATIO:
            out.append(
                f"Two data costs disagree by more than {number(DISAGREE_RATIO)}x: the file's data cost is "
                f"{money(stated.median)} (cost.data_cost), the ML learning curve's labels cost "
                f"{money(ml['data_cost'])}; the model uses the file's."
            )
    errors = ml.get("baseline_error_cost_per_year")
    benefit = card.point.get("annual_benefit")
    if errors and benefit and _ratio(benefit, errors) > DISAGREE_RATIO:
        today = f"today's yearly cost of errors from the ML section ({money(errors)}, {ml.get('baseline')})"
        out.append(
            f"The yearly benefit claimed ({money(benefit)}) is more than {number(DISAGREE_RATIO)}x "
            f"{today}: a model cannot save more than the errors cost; check both."
            if benefit > errors
            else f"The yearly benefit claimed ({money(benefit)}) is less than 1/{number(DISAGREE_RATIO)} "
            f"of {today}: the benefit may be understated, or the error costs overstated; check both."
        )
    return out


def _ratio(a: float, b: float) -> float:
    a, b = abs(float(a)), abs(float(b))
    return float("inf") if min(a, b) == 0 else max(a, b) / min(a, b)


def top_risks(card: Scorecard) -> list[str]:
    """The few things most likely to make this idea a bad bet, most important first."""
    p, d, risks = card.point, card.decision, []
    risks.extend(stated_twice(card))
    if d is not None:
        risks.extend(w["message"][:1].upper() + w["message"][1:] + "." for w in d.warnings)
        if d.validate is not None:
            risks.append(
                f"The biggest open assumption is {d.validate['label'][:1].lower()}"
                f"{d.validate['label'][1:]}: knowing it before deciding is worth "
                f"{money(d.validate['evppi'])}."
            )
        if d.p_loss >= NOTABLE_CHANCE:
            risks.append(
                f"{share(d.p_loss)} chance of losing money (npv below 0; p10 "
                f"{money(card.simulation.get('npv_p10'))})."
            )
    if p["confidence"] < 0.5:
        risks.append(
            f"It is more likely than not that the problem is not real as stated: confidence "
            f"{share(p['confidence'])} ({card.sources.get('evidence.confidence', 'source unknown')})."
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
