"""Monte Carlo over whole portfolios: every 90% range becomes a distribution (DESIGN section 5).

`simulate(ideas, draws, seed)` samples every input of every idea, as arrays of ideas x
draws (alternatives: alternatives x ideas x draws, padded with zeros), and runs them
through `economics.evaluate`, the one place the formulas live (`engine.py`: blocks of
whole ideas on threads, one random stream per idea, so an idea gets the same numbers for
the same seed whatever the other ideas: a report on one idea matches `mlpm score DIR`).

One pass: while each block is in memory, the per-idea summaries (means, percentiles by
selection, P(loss)) and the value of information with its kill criteria
(`regression.Moments`, `information.Information`) are taken from it, so a portfolio is
drawn once and nothing of size ideas x draws is kept but the samples of `npv` and
`expected_value`. Any other sample (`value.users`, `annual_benefit`, ...) is recomputed on
first access by running the same blocks with the same streams again, so it is the same
number, and then kept.

Precision: float64 for small runs (up to `FLOAT32_ABOVE` ideas x draws, which covers
the CLI and the forms, so a run with no ranges equals the point score exactly); float32
above that, where the relative error (~1e-7) is far below the Monte Carlo error and the
halved memory traffic doubles the speed. Summaries are always float64.

The go / no-go decision and its payoff (used by `information.py`): for one idea, going
pays the idea's `expected_value` as section 4 defines it (confidence x economic value -
(1 - confidence) x failure cost, so each draw already averages over whether the problem
is real), and not going pays 0. Draw by draw, the net benefit of going is that draw's
`expected_value`. Without more information the team goes when E[expected_value] > 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mlpm_kit.errors import InputError
from mlpm_kit.idea.estimates import Estimate
from mlpm_kit.idea.schema import Idea
from mlpm_kit.model.economics import OUTPUTS, evaluate
from mlpm_kit.model.engine import Block, Engine
from mlpm_kit.model.information import Information, evppi_table, value_of_knowing
from mlpm_kit.model.inputs import (
    ModelInputs,
    portfolio_inputs,
)
from mlpm_kit.model.regression import PAYOFF, Moments
from mlpm_kit.model.sensitivity import sensitivity
from mlpm_kit.model.statistics import row_percentiles

MIN_DRAWS = 100
MAX_DRAWS = 1_000_000
# Above this many ideas x draws the simulation runs in float32.
FLOAT32_ABOVE = 2_000_000
# Bounds the memory a typo can ask for; 1,000 ideas x 10,000 draws is 10 million.
MAX_CELLS = 50_000_000
PERCENTILES = (10, 50, 90)
# Samples every simulation keeps; the others are recomputed when asked for.
KEPT = ("npv", PAYOFF)
# Outputs the summary reports with mean / p10 / p50 / p90.
SUMMARY_OUTPUTS = (
    "npv",
    "expected_value",
    "economic_value",
    "annual_benefit",
    "effort_weeks",
    "one_time_cost",
)


def check_draws(draws: object) -> int:
    """The number of draws as an int, or an `InputError` saying what is allowed."""
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer):
        raise InputError(
            f"draws must be a whole number from {MIN_DRAWS} to {MAX_DRAWS:,}, got {draws!r}."
        )
    if not MIN_DRAWS <= draws <= MAX_DRAWS:
        raise InputError(
            f"draws must be from {MIN_DRAWS} to {MAX_DRAWS:,}, got {draws:,}; "
            "10,000 gives percentiles good to about 1%."
        )
    return int(draws)


class Summaries:
    """Engine reducer: per idea, the summary statistics of its draws (all float64).

    `columns` maps `npv_mean`, `npv_p10`, ... `p_loss` to one value per idea: the mean of
    every output of `SUMMARY_OUTPUTS`, and p10 / p50 / p90 of those in `percentiles_of`
    (selecting percentiles is most of the summaries' cost). `positive` is E[max(0,
    payoff)], `magnitude` E[|payoff|] (for the EVPI) and `below_next_best` P(economic
    value < 0).
    """

    def __init__(self, ideas: int, percentiles_of: Sequence[str] = SUMMARY_OUTPUTS):
        unknown = set(percentiles_of) - set(SUMMARY_OUTPUTS)
        if unknown:
            raise ValueError(f"percentiles_of: {sorted(unknown)} are not among {SUMMARY_OUTPUTS}")
        self.percentiles_of = tuple(name for name in SUMMARY_OUTPUTS if name in percentiles_of)
        self.columns: dict[str, np.ndarray] = {}
        for name in SUMMARY_OUTPUTS:
            stats = (
                ("mean", *(f"p{p}" for p in PERCENTILES))
                if name in self.percentiles_of
                else ("mean",)
            )
            for stat in stats:
                self.columns[f"{name}_{stat}"] = np.zeros(ideas)
        self.columns["p_loss"] = np.zeros(ideas)
        self.positive, self.magnitude = np.zeros(ideas), np.zeros(ideas)
        self.below_next_best = np.zeros(ideas)

    def __call__(self, block: Block) -> None:
        rows, shape = block.rows, block.outputs[PAYOFF].shape
        for name in SUMMARY_OUTPUTS:
            values = np.asarray(block.outputs[name])
            if values.strides[-1] == 0:  # constant over the draws (broadcast)
                values = np.ascontiguousarray(np.broadcast_to(values[..., :1], (shape[0], 1)))
            self.columns[f"{name}_mean"][rows] = values.mean(axis=1, dtype=np.float64)
            if name in self.percentiles_of:
                chosen = row_percentiles(values, PERCENTILES)
                for p, column in zip(PERCENTILES, chosen, strict=True):
                    self.columns[f"{name}_p{p}"][rows] = column
            if name == "npv":
                self.columns["p_loss"][rows] = (values < 0).mean(axis=1)
        payoff = np.asarray(block.outputs[PAYOFF])
        self.positive[rows] = np.maximum(payoff, 0).mean(axis=1, dtype=np.float64)
        self.magnitude[rows] = np.abs(payoff).mean(axis=1, dtype=np.float64)
        economic = np.asarray(block.outputs["economic_value"])
        self.below_next_best[rows] = (economic < 0).mean(axis=1)

    def evpi_total(self) -> np.ndarray:
        """E[max(0, payoff)] - max(0, E[payoff]) per idea, exactly 0 within rounding."""
        return value_of_knowing(self.positive, self.columns[f"{PAYOFF}_mean"], self.magnitude)


class Samples(Mapping):
    """Samples by name, each ideas x draws: model outputs, and inputs by dotted path.

    `npv` and `expected_value` are kept from the simulation; the first access to anything
    else reruns the same blocks with the same random streams, keeping every input (other
    outputs are computed from the kept inputs when first asked for): the same numbers,
    as if they had been kept.
    """

    def __init__(self, engine: Engine, kept: dict[str, np.ndarray]):
        self._engine, self._outputs = engine, dict(kept)
        self._inputs: dict[str, np.ndarray] | None = None
        self._x: dict[str, np.ndarray] | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self._engine.n, self._engine.draws

    def _materialize(self) -> None:
        """Rerun the blocks keeping every input."""
        if self._inputs is None:
            self._x, _ = self._engine.run((), keep_inputs=True)
            self._inputs = self._engine.inputs_of(self._x)

    def __getitem__(self, name: str) -> np.ndarray:
        if name in self._outputs:
            return self._outputs[name]
        if name not in OUTPUTS and not any(s.path == name for s in self._engine.slots):
            raise KeyError(name)
        self._materialize()
        if name in OUTPUTS:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                computed = evaluate(self._x)
            for key, values in computed.items():
                self._outputs.setdefault(key, np.broadcast_to(values, self.shape))
            return self._outputs[name]
        return np.broadcast_to(self._inputs[name], self.shape)

    def __iter__(self):
        yield from OUTPUTS
        yield from (s.path for s in self._engine.slots)

    def __len__(self) -> int:
        return len(OUTPUTS) + len(self._engine.slots)


# The summary's first columns: the fields `mlpm score --draws` adds (DESIGN section 6).
HEADLINE_COLUMNS = ("npv_mean", "npv_p10", "npv_p50", "npv_p90", "p_loss", "expected_value_mean")


@dataclass
class Simulation:
    """The result of `simulate`: samples of every input and output, and their summaries.

    `samples` maps each output of `economics.OUTPUTS` and each input's dotted path
    (`value.users`, `alternatives[0].captures`) to an array of ideas x draws.
    """

    ideas: list[Idea]
    draws: int
    seed: int
    samples: Samples = field(repr=False)
    inputs: list[ModelInputs] = field(repr=False)
    stats: Summaries = field(repr=False)
    information: Information | None = field(repr=False)
    _summary: pd.DataFrame | None = field(default=None, repr=False)
    _evpi: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def ids(self) -> list[str]:
        return [idea.id or "" for idea in self.ideas]

    def uncertain(self) -> list[dict[str, Estimate]]:
        """Per idea, its inputs given as ranges, by dotted path."""
        return [inp.uncertain() for inp in self.inputs]

    def summary(self) -> pd.DataFrame:
        """One row per idea (in input order): `id`, `npv_mean`, `npv_p10`, `npv_p50`, `npv_p90`,
        `p_loss` = P(npv < 0), `expected_value_mean`, then mean / p10 / p50 / p90 of
        expected_value, economic_value, annual_benefit, effort_weeks and one_time_cost
        (percentiles only of the outputs `simulate(percentiles_of=...)` named)."""
        if self._summary is None:
            table = pd.DataFrame({"id": self.ids, **self.stats.columns})
            first = ["id", *(c for c in HEADLINE_COLUMNS if c in table)]
            self._summary = table[first + [c for c in table.columns if c not in first]]
        return self._summary.copy()

    def evpi(self) -> pd.DataFrame:
        """Value of perfect information on each uncertain input (EVPPI), ranked per idea.

        Columns: `id`, `input` (dotted path), `label`, `evppi` (money), `rank` (1 =
        validate first), `suggestion` (how to validate that kind of input),
        `kill_threshold` and `kill_direction` (see `information.py`).
        """
        if self._evpi is None:
            if self.information is None:  # not gathered in the first pass: the same blocks again
                engine = self.samples._engine
                self.information = _information(engine)
                reducers = (self.information.moments, self.information)
                engine.run((), keep_inputs=False, reducers=reducers, evaluated=(PAYOFF,))
            self._evpi = evppi_table(self.ideas, self.information, self.stats.evpi_total())
        return self._evpi.copy()

    def evpi_total(self) -> pd.Series:
        """Per idea (indexed by id), the value of perfectly knowing all its inputs at once."""
        return pd.Series(self.stats.evpi_total(), index=self.ids, name="evpi")

    def validate_next(self, top: int = 3) -> pd.DataFrame:
        """Per idea, the `top` inputs whose validation is worth something, best first."""
        table = self.evpi()
        return table[(table["rank"] <= top) & (table["evppi"] > 0)].reset_index(drop=True)

    def sensitivity(self) -> pd.DataFrame:
        """The tornado: swing of the point expected value as each range moves low -> high."""
        return sensitivity(self.ideas)


def _information(engine: Engine) -> Information:
    return Information(Moments(engine.slots, engine.n), engine.n)


def simulate(
    ideas: Sequence[Idea],
    draws: int = 10_000,
    seed: int = 0,
    dtype=None,
    calibration=None,
    information: bool = True,
    percentiles_of: Sequence[str] = SUMMARY_OUTPUTS,
) -> Simulation:
    """Sample every idea's inputs `draws` times and evaluate the economic model on them.

    `dtype` defaults to float64 for up to `FLOAT32_ABOVE` ideas x draws, float32 above.
    `information`: gather the value of information (`Simulation.evpi`) in the same pass;
    without it, `evpi()` runs the blocks again when first asked (the same numbers).
    `percentiles_of`: the outputs whose p10 / p50 / p90 the summary gives (default all of
    `SUMMARY_OUTPUTS`; every one's mean is always given): a caller that shows only npv's
    and expected value's percentiles (`mlpm score --draws`) saves selecting the others'.
    `calibration` (a `Calibration` from `mlpm_kit.calibrate`, which sits above the model)
    corrects the estimates first: the simulation's ideas are then the corrected copies,
    each listing its corrections (`calibration.apply.corrections_of`).

    >>> from mlpm_kit.idea.files import load_idea
    >>> sim = simulate([load_idea("examples/ideas/ticket-triage.yaml")], draws=10_000, seed=1)
    >>> row = sim.summary().iloc[0]
    >>> [round(float(row[k]), -3) for k in ("npv_p10", "npv_p50", "npv_p90", "p_loss")]
    [304000.0, 576000.0, 1042000.0, 0.0]
    """
    draws = check_draws(draws)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(f"seed must be a whole number of 0 or more, got {seed!r}.")
    ideas = list(ideas) if calibration is None else calibration.apply_all(ideas)
    if len(ideas) * draws > MAX_CELLS:
        raise InputError(
            f"{len(ideas):,} ideas x {draws:,} draws is over {MAX_CELLS:,} samples per input; "
            "use fewer draws (10,000 is plenty) or simulate the portfolio in parts."
        )
    if dtype is None:
        dtype = np.float32 if len(ideas) * draws > FLOAT32_ABOVE else np.float64
    inputs = portfolio_inputs(ideas)
    engine = Engine(inputs, draws, int(seed), dtype)
    stats = Summaries(len(ideas), percentiles_of)
    info = _information(engine) if information else None
    _, kept = engine.run(
        KEPT,
        keep_inputs=False,
        reducers=(stats,) if info is None else (stats, info.moments, info),
        evaluated=SUMMARY_OUTPUTS,
    )
    return Simulation(
        ideas=ideas,
        draws=draws,
        seed=int(seed),
        samples=Samples(engine, kept),
        inputs=inputs,
        stats=stats,
        information=info,
    )
