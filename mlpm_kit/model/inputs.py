"""The economic model's inputs for an idea: each as an `Estimate`, with where it came from.

This is the one place that turns an `Idea` into model inputs. Defaults documented in the
idea schema are applied by the schema; inputs that other parts of the kit can supply are
resolved here, and each such choice is recorded in `ModelInputs.sources` so the scorecard
and the report can say where a number came from:

- `evidence.confidence`: stated in the file, else suggested by the interview notes' grade,
  else 0.5;
- `cost.data_cost`: stated in the file, else the ML section's data estimate, else 0;
- `cost.run_cost_per_year`: plus the ML monitoring plan's retraining effort.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from mlpm_kit.errors import InputError
from mlpm_kit.idea.defaults import portfolio_currency
from mlpm_kit.idea.estimates import Estimate, format_number, from_normal_scale
from mlpm_kit.idea.fields import MONEY, notation_of
from mlpm_kit.idea.folders import interview_paths
from mlpm_kit.idea.schema import Idea, section_model
from mlpm_kit.interviews.notes import check_notes
from mlpm_kit.ml.readiness import data_cost_estimate, retraining_cost

# Inputs that are one number per idea, by dotted path in the idea file.
SCALAR_PATHS = (
    "value.users",
    "value.adoption",
    "value.hours_saved_per_user_week",
    "value.hourly_cost",
    "value.weeks_per_year",
    "value.money_saved_per_year",
    "value.revenue_per_year",
    "cost.team_size",
    "cost.team_week_cost",
    "cost.mvp_weeks",
    "cost.build_weeks",
    "cost.iterations",
    "cost.iteration_weeks",
    "cost.data_cost",
    "cost.run_cost_per_year",
    "timeline.horizon_years",
    "timeline.discount_rate",
    "opportunity.value_per_engineer_week",
    "evidence.confidence",
    "pain.frequency",
    "pain.severity",
    "pain.actively_seeking",
)
CAPTURES = "alternatives.captures"
REPLACED_COST = "alternatives.replaced_cost"
DEFAULT_CONFIDENCE = 0.5


@dataclass
class ModelInputs:
    """One idea's inputs: scalars by dotted path, and one entry per alternative.

    `alternatives` holds (path prefix, captures, replaced cost) per alternative; an
    alternative not replaced by the product contributes a replaced cost of 0.
    """

    idea_id: str
    scalars: dict[str, Estimate]
    captures: list[Estimate] = field(default_factory=list)
    replaced_costs: list[Estimate] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)

    def uncertain(self) -> dict[str, Estimate]:
        """Every input given as a range, by dotted path (alternatives as `alternatives[i].captures`)."""
        out = {path: est for path, est in self.scalars.items() if est.is_range}
        for i, est in enumerate(self.captures):
            if est.is_range:
                out[f"alternatives[{i}].captures"] = est
        for i, est in enumerate(self.replaced_costs):
            if est.is_range:
                out[f"alternatives[{i}].cost_per_year"] = est
        return out


_SPLIT = {path: tuple(path.split(".")) for path in SCALAR_PATHS}


def _get(idea: Idea, path: str):
    section, name = _SPLIT.get(path) or path.split(".")
    return getattr(getattr(idea, section), name)


def _constant(x: float, share: bool = False) -> Estimate:
    return Estimate(float(x), float(x), share)


# Grades of interview notes by (path, mtime, size) of each file: scoring, simulating and
# reporting an idea all ask for its confidence, and the notes are checked once per version.
_GRADES: dict[tuple, tuple[float, float, int, int]] = {}


def _notes_grade(paths: tuple[Path, ...]) -> tuple[float, float, int, int]:
    """(low, high) of the suggested confidence, the number of interviews and the grade."""
    key = tuple((str(p.resolve()), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)
    if key not in _GRADES:
        if len(_GRADES) > 256:
            _GRADES.clear()
        summary = check_notes(list(paths)).summary
        low, high = summary["suggested_confidence"]
        _GRADES[key] = (low, high, summary["interviews"], summary["grade"])
    return _GRADES[key]


@dataclass(frozen=True)
class Confidence:
    """The confidence the model uses, what the file stated, what the notes support, and why."""

    used: Estimate
    source: str
    stated: Estimate | None = None
    evidence: tuple[float, float] | None = None
    warning: str = ""


def _percent(est: Estimate) -> str:
    if not est.is_range:
        return f"{100 * est.low:.0f}%"
    return f"{100 * est.low:.0f}% to {100 * est.high:.0f}%"


def confidence_evidence(idea: Idea) -> Confidence:
    """The idea's confidence with its evidence (DESIGN section 9).

    Stated in the file wins, except that interview notes listed in `evidence.interviews`
    bound it: a stated value outside the notes' suggested range is moved to the nearest end
    (each end of a stated range separately), unless `evidence.confidence_override_reason`
    is given. Without a stated value the notes' range is used; with neither, 0.5.
    """
    stated = idea.evidence.confidence
    evidence = None
    if idea.evidence.interviews:
        low, high, n, grade = _notes_grade(tuple(interview_paths(idea)))
        evidence = (low, high)
        notes = f"{n} interview note{'s' if n != 1 else ''} (evidence grade {grade}/100)"
    if stated is None and evidence is None:
        return Confidence(
            _constant(DEFAULT_CONFIDENCE, share=True),
            "default 0.5 (no confidence or interview notes given)",
        )
    if stated is None:
        return Confidence(Estimate(*evidence, share=True), f"from {notes}", None, evidence)
    if evidence is None:
        return Confidence(stated, "stated in the idea file", stated)
    low, high = evidence
    bounded = Estimate(
        min(max(stated.low, low), high), min(max(stated.high, low), high), share=True
    )
    support = f"{notes} support {_percent(Estimate(low, high))}"
    if bounded == stated:
        return Confidence(stated, f"stated in the idea file; {support}", stated, evidence)
    reason = idea.evidence.confidence_override_reason.strip()
    if reason:
        text = f"stated {_percent(stated)}, outside what {support}; kept because: {reason}"
        return Confidence(stated, text, stated, evidence, text)
    text = f"stated {_percent(stated)}; {support}; using {_percent(bounded)}"
    return Confidence(bounded, text, stated, evidence, text)


def confidence_of(idea: Idea) -> tuple[Estimate, str]:
    """The idea's confidence and a sentence saying where it came from (see `confidence_evidence`)."""
    found = confidence_evidence(idea)
    return found.used, found.source


def data_cost_of(idea: Idea) -> tuple[Estimate, str]:
    """The one-time data cost and where it came from.

    Stated in the file, else estimated from the ML pilot curve (labels still needed x cost
    per label + purchase cost), else 0.
    """
    if idea.cost.data_cost is not None:
        return idea.cost.data_cost, "stated in the idea file"
    if idea.ml.data is not None and idea.ml.data.pilot_curve:
        try:
            estimate, needed = data_cost_estimate(idea)
        except InputError as exc:
            return _constant(
                0.0
            ), f"0 (not given, and the ML pilot curve gives no estimate: {exc.reason})"
        data = idea.ml.data
        more = max(needed - data.labels_now, 0)
        text = (
            f"estimated from the ML pilot curve: {format_number(estimate.low)} to "
            f"{format_number(estimate.high)}, median {format_number(round(estimate.median))} "
            f"(about {more:,} labels still needed x {data.cost_per_label} per label"
        )
        if data.purchase_cost.high > 0:
            text += f" + {data.purchase_cost} purchase"
        return estimate, text + ")"
    return _constant(0.0), "0 (not given)"


def run_cost_of(idea: Idea) -> tuple[Estimate, str]:
    """The yearly running cost and where it came from: plus the ML retraining effort if planned."""
    stated = idea.cost.run_cost_per_year
    retrain = retraining_cost(idea)
    if retrain is None:
        return stated, "stated in the idea file"
    total = Estimate(stated.low + retrain.low, stated.high + retrain.high)
    return total, (
        f"stated in the idea file ({stated}) + ML retraining {retrain} a year "
        "(52 / retrain_every_weeks x retrain_weeks x team_week_cost)"
    )


def model_inputs(idea: Idea) -> ModelInputs:
    """Gather every input of the economic model for one idea."""
    scalars: dict[str, Estimate] = {}
    sources: dict[str, str] = {}
    for path in SCALAR_PATHS:
        if path == "evidence.confidence":
            scalars[path], sources[path] = confidence_of(idea)
        elif path == "cost.data_cost":
            scalars[path], sources[path] = data_cost_of(idea)
        elif path == "cost.run_cost_per_year":
            scalars[path], sources[path] = run_cost_of(idea)
        else:
            value = _get(idea, path)
            scalars[path] = value if isinstance(value, Estimate) else _constant(float(value))
    captures = [alt.captures for alt in idea.alternatives]
    replaced = [alt.cost_per_year if alt.replaced else _constant(0.0) for alt in idea.alternatives]
    return ModelInputs(idea.id or "", scalars, captures, replaced, sources)


def _money_paths() -> tuple[str, ...]:
    """The scalar inputs that are amounts of money (their schema type is `Money`)."""
    out = []
    for path in SCALAR_PATHS:
        section, name = path.split(".")
        model = section_model((section,))
        if model is not None and notation_of(model.model_fields[name]) is MONEY:
            out.append(path)
    return tuple(out)


MONEY_PATHS = _money_paths()


def _scaled(est: Estimate, rate: float) -> Estimate:
    return est if rate == 1.0 else Estimate(est.low * rate, est.high * rate, est.share)


def converted(inputs: ModelInputs, rate: float) -> ModelInputs:
    """The inputs with every amount of money times `rate` (into the portfolio's currency)."""
    if rate == 1.0:
        return inputs
    scalars = {
        path: _scaled(est, rate) if path in MONEY_PATHS else est
        for path, est in inputs.scalars.items()
    }
    replaced = [_scaled(est, rate) for est in inputs.replaced_costs]
    return replace(inputs, scalars=scalars, replaced_costs=replaced)


def portfolio_inputs(ideas: Sequence[Idea]) -> list[ModelInputs]:
    """Every idea's inputs, with amounts in the portfolio's one currency (see `portfolio_currency`)."""
    ideas = list(ideas)
    _, rates = portfolio_currency(ideas)
    return [converted(model_inputs(idea), rate) for idea, rate in zip(ideas, rates, strict=True)]


def medians(estimates: Sequence[Estimate]) -> np.ndarray:
    """`Estimate.median` of many estimates at once: one inverse transform for all of them,
    the same numbers as one by one."""
    if not estimates:
        return np.zeros(0)
    kinds, mus = zip(*(est.params()[:2] for est in estimates), strict=True)
    return np.asarray(from_normal_scale(np.array(mus, dtype=float), np.array(kinds)), dtype=float)


def stack_medians(inputs: list[ModelInputs]) -> dict[str, np.ndarray]:
    """Model inputs of many ideas at their medians: arrays of shape (ideas,).

    Alternatives are padded with zeros to the largest count: shape (alternatives, ideas).
    """
    return _stack(inputs, medians)


def stack_values(
    inputs: list[ModelInputs], pick: Callable[[Estimate], float]
) -> dict[str, np.ndarray]:
    """Like `stack_medians`, with `pick(estimate)` (its median, low or high) for every input."""
    return _stack(inputs, lambda ests: np.array([pick(est) for est in ests], dtype=float))


def _stack(
    inputs: list[ModelInputs], column: Callable[[list[Estimate]], np.ndarray]
) -> dict[str, np.ndarray]:
    """Each input of every idea through `column` (estimates -> one number each), stacked."""
    out = {path: column([inp.scalars[path] for inp in inputs]) for path in SCALAR_PATHS}
    width = max((len(inp.captures) for inp in inputs), default=0)
    for key, attr in ((CAPTURES, "captures"), (REPLACED_COST, "replaced_costs")):
        table = np.zeros((width, len(inputs)))
        cells = [
            (i, j, est) for j, inp in enumerate(inputs) for i, est in enumerate(getattr(inp, attr))
        ]
        if cells:
            rows, cols, ests = zip(*cells, strict=True)
            table[list(rows), list(cols)] = column(list(ests))
        out[key] = table
    return out
