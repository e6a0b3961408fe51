"""The decision of DESIGN section 9, computed once: go, no-go or validate first.

Every place that shows an idea (`mlpm score`, the workshop panel, the memo, the portfolio
report) calls `decide` on a simulation and shows what it returns; nothing else decides.

- Going pays the draw's `expected_value`; not going pays 0 (see `simulate.py`).
- `evpi_total` = E[max(0, payoff)] - max(0, E[payoff]): what knowing every input is worth.
- The EVPPI of one input X and its kill criterion both come from the conditional mean
  m(x) = E[payoff | X = x]: fitted by least squares on the simulation's draws, the kill
  criterion refined on the exact conditional mean (see `information.py`).
- Decision: `validate_first` when `evpi_total` exceeds the validation cost
  (`evidence.validation_cost`, default one engineer-week); it names the input with the
  largest EVPPI, or "all of them together" when no single input is worth the cost.
  Otherwise `go` when E[payoff] > 0, else `no_go`.
- Kill criterion of an input: the x inside its 90% range where m(x) crosses 0; `direction`
  says on which side of it the idea should be stopped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mlpm_kit.idea.formatting import money, number, share
from mlpm_kit.idea.schema import Idea, field_label, field_unit
from mlpm_kit.model.information import suggestion
from mlpm_kit.model.inputs import confidence_evidence
from mlpm_kit.model.simulate import SUMMARY_OUTPUTS, Simulation, simulate

DECISION_DRAWS = 2000
DECISION_SEED = 0
LABELS = {"go": "Go", "validate_first": "Validate first", "no_go": "No-go"}
ALL_INPUTS = "all"
# The keys `mlpm score --json` adds for the decision (DESIGN section 9), in order.
DECISION_COLUMNS = (
    "decision",
    "decision_reason",
    "validate",
    "kill_criteria",
    "evpi_total",
    "p_loss",
    "p_below_next_best",
    "validation_cost",
    "evppi_noise",
    "confidence_stated",
    "confidence_evidence",
    "currency",
    "warnings",
)


@dataclass
class Decision:
    """One idea's decision and everything said about it (the keys of DESIGN section 9)."""

    id: str
    decision: str
    decision_reason: str
    validate: dict[str, Any] | None
    kill_criteria: list[dict[str, Any]]
    evpi_total: float
    evppi: dict[str, float]
    expected_value_mean: float
    p_loss: float
    p_below_next_best: float
    validation_cost: float
    evppi_noise: float
    confidence_stated: float | list[float] | None
    confidence_evidence: list[float] | None
    confidence_source: str
    override_reason: str
    currency: str | None
    warnings: list[dict[str, str]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def label(self) -> str:
        return LABELS[self.decision]

    def json(self) -> dict[str, Any]:
        """The keys `mlpm score --json` adds for the decision."""
        return {key: getattr(self, key) for key in DECISION_COLUMNS}

    def kill_texts(self) -> list[str]:
        """Each kill criterion as a sentence: 'stop if Users turns out below 180'."""
        return [kill_text(k, self.labels.get(k["input"], k["input"])) for k in self.kill_criteria]


def input_value(path: str, value: float) -> str:
    """A value of the input at `path` as people read it: a share, an amount of money or a number."""
    unit = field_unit(path)
    if unit.startswith("share") or path == "evidence.confidence":
        return share(value)
    if unit.startswith("money"):
        return money(value)
    return number(float(f"{value:.3g}"))


def kill_text(kill: dict[str, Any], label: str) -> str:
    shown = input_value(kill["input"], kill["threshold"])
    return f"stop if {label[:1].lower() + label[1:]} turns out {kill['direction']} {shown}"


def validation_cost(idea: Idea) -> float:
    """One validation step: `evidence.validation_cost`, default one engineer-week."""
    stated = idea.evidence.validation_cost
    return float((stated if stated is not None else idea.cost.team_week_cost).median)


def decide(sim: Simulation) -> list[Decision]:
    """The decision for each idea of a simulation, in its order."""
    table = sim.evpi()
    totals = sim.stats.evpi_total()
    # The table lists each idea's rows together, in the ideas' order (ids may repeat).
    order = np.repeat(np.arange(len(sim.ideas)), [len(u) for u in sim.uncertain()])
    columns = ("input", "evppi", "kill_threshold", "kill_direction")
    rows: dict[int, list[tuple]] = {i: [] for i in range(len(sim.ideas))}
    for i, *row in zip(order.tolist(), *(table[c].tolist() for c in columns), strict=True):
        rows[i].append(row)
    noises = evpi_noise(sim)
    out = []
    for i, idea in enumerate(sim.ideas):
        evppi = {path: float(value) for path, value, _, _ in rows[i]}
        # Kill criteria of the decisive inputs, most valuable to know first (the table's order).
        kills = [
            {"input": path, "threshold": float(threshold), "direction": direction}
            for path, _, threshold, direction in rows[i]
            if direction
        ]
        out.append(_decision(sim, i, idea, float(totals[i]), evppi, kills, float(noises[i])))
    return out


# Rows of draws whose regret is worked out at once in `evpi_noise` (bounds its memory).
NOISE_ROWS = 256


def evpi_noise(sim: Simulation) -> np.ndarray:
    """Per idea, the Monte Carlo standard error of its EVPI (the mean regret of deciding
    now) over the draws: a value of information smaller than this is within noise."""
    payoff = sim.samples["expected_value"]
    means = np.asarray(sim.stats.columns["expected_value_mean"], dtype=np.float64)
    out = np.zeros(len(means))
    for start in range(0, len(means), NOISE_ROWS):
        rows = slice(start, start + NOISE_ROWS)
        drawn = np.asarray(payoff[rows], dtype=np.float64)
        regret = np.maximum(np.where(means[rows, None] > 0, -drawn, drawn), 0)
        out[rows] = regret.std(axis=1) / np.sqrt(drawn.shape[1])
    return out


def _decision(sim, i, idea, total, evppi, kills, noise: float) -> Decision:
    cost = validation_cost(idea)
    conf = confidence_evidence(idea)
    labels = {path: field_label(path, idea) for path in evppi}
    mean = float(sim.stats.columns["expected_value_mean"][i])
    currency = getattr(idea, "currency", None)
    stated = conf.stated
    warnings = [{"code": "confidence_bounded", "message": conf.warning}] if conf.warning else []
    if conf.warning and idea.evidence.confidence_override_reason.strip():
        warnings[0]["code"] = "confidence_override"
    decision = Decision(
        id=idea.id or "",
        decision="go" if mean > 0 else "no_go",
        decision_reason="",
        validate=None,
        kill_criteria=kills,
        evpi_total=total,
        evppi=evppi,
        expected_value_mean=mean,
        p_loss=float(sim.stats.columns["p_loss"][i]),
        p_below_next_best=float(sim.stats.below_next_best[i]),
        validation_cost=cost,
        evppi_noise=noise,
        confidence_stated=None
        if stated is None
        else (stated.low if not stated.is_range else [stated.low, stated.high]),
        confidence_evidence=None if conf.evidence is None else list(conf.evidence),
        confidence_source=conf.source,
        override_reason=idea.evidence.confidence_override_reason.strip(),
        currency=currency,
        warnings=warnings,
        labels=labels,
    )
    if total > cost:
        decision.decision = "validate_first"
        top, value = next(iter(evppi.items()), (None, 0.0))
        if top is not None and value > cost:
            kill = next((k for k in kills if k["input"] == top), None)
            decision.validate = {
                "input": top,
                "label": labels[top],
                "evppi": value,
                "how": suggestion(top),
                "cost": cost,
                "kill_criterion": kill,
            }
        else:
            decision.validate = {
                "input": ALL_INPUTS,
                "label": "all of them together",
                "evppi": total,
                "how": "No single input carries the decision; narrow these together: "
                + " ".join(
                    f"{labels[p]}: {suggestion(p)}" for p, v in list(evppi.items())[:3] if v > 0
                ),
                "cost": cost,
                "kill_criterion": None,
            }
    decision.decision_reason = reason(decision)
    return decision


def reason(d: Decision) -> str:
    """The decision's reason in one sentence, with the numbers behind it (shown after its label)."""
    amount = amount_text(d.currency)
    if d.decision == "validate_first":
        v = d.validate
        what = v["label"][:1].lower() + v["label"][1:]
        what = "every input" if v["input"] == ALL_INPUTS else what
        text = (
            f"Knowing {what} before deciding is worth {amount(v['evppi'])}, more than the "
            f"{amount(v['cost'])} one validation costs: validate it first "
            f"({v['how'].rstrip('.')})"
        )
        if v.get("kill_criterion"):
            text += f"; {kill_text(v['kill_criterion'], v['label'])}"
        return text + "."
    return (
        f"The expected value averages {amount(d.expected_value_mean)} over the "
        "simulation, and no validation "
        f"is worth its cost (knowing every input before deciding is worth "
        f"{amount(d.evpi_total)}, not more than the {amount(d.validation_cost)} of one validation)."
    )


def amount_text(currency: str | None):
    """How amounts are shown: `money` with the idea's currency code, when it has one."""
    return lambda x: money(x, currency)


def decisions(
    ideas: Sequence[Idea],
    draws: int | None = None,
    seed: int | None = None,
    percentiles_of: Sequence[str] = SUMMARY_OUTPUTS,
) -> tuple[Simulation, list[Decision]]:
    """Simulate the ideas (default `DECISION_DRAWS` draws, seed `DECISION_SEED`) and decide.

    `percentiles_of`: the outputs whose percentiles the simulation's summary needs (see
    `simulate`); the decisions themselves need none.
    """
    sim = simulate(
        list(ideas),
        draws=DECISION_DRAWS if draws is None else draws,
        seed=DECISION_SEED if seed is None else seed,
        percentiles_of=percentiles_of,
    )
    return sim, decide(sim)
