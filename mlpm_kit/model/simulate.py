"""Monte Carlo over whole portfolios: every 90% range becomes a distribution (DESIGN section 5).

`simulate(ideas, draws, seed)` samples every input of every idea, as arrays of ideas x
draws (alternatives: alternatives x ideas x draws, padded with zeros), and runs them
through `economics.evaluate`, the one place the formulas live. There is no Python loop
per draw or per idea: ideas are processed in blocks of about `CHUNK_CELLS` samples per
input (so the working set stays in cache), the blocks on threads.

Randomness: one place owns the generator. Each idea has its own stream, from the seed
and the idea's id (`SeedSequence(seed, spawn_key=(crc32(id),))`), and draws its uncertain
inputs from it in a fixed order. So an idea gets the same numbers for the same seed
whether it is simulated alone, in a folder or in a spreadsheet, whatever the other ideas,
their order, or the number of threads: a report on one idea matches `mlpm score DIR`.

Memory: a simulation keeps the samples of `npv` and `expected_value` (what the decision
needs). Any other sample (`value.users`, `annual_benefit`, ...) is recomputed on first
access by running the same blocks with the same streams again, so it is the same
number, and then kept.

Precision: float64 for small runs (up to `FLOAT32_ABOVE` ideas x draws, which covers
the CLI and the forms, so a run with no ranges equals the point score exactly); float32
above that, where the relative error (~1e-7) is far below the Monte Carlo error and the
halved memory traffic doubles the speed.

The go / no-go decision and its payoff (used by `information.py`): for one idea, going
pays the idea's `expected_value` as section 4 defines it (confidence x economic value -
(1 - confidence) x failure cost, so each draw already averages over whether the problem
is real), and not going pays 0. Draw by draw, the net benefit of going is that draw's
`expected_value`. Without more information the team goes when E[expected_value] > 0.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mlpm_kit.errors import InputError
from mlpm_kit.idea.estimates import Estimate, from_normal_scale, sample_rows, standard_normal
from mlpm_kit.idea.schema import Idea
from mlpm_kit.model.economics import OUTPUTS, evaluate
from mlpm_kit.model.information import evpi_total, evppi_table, sensitivity
from mlpm_kit.model.inputs import (
    CAPTURES,
    REPLACED_COST,
    SCALAR_PATHS,
    ModelInputs,
    portfolio_inputs,
)

MIN_DRAWS = 100
MAX_DRAWS = 1_000_000
# Above this many ideas x draws the simulation runs in float32.
FLOAT32_ABOVE = 2_000_000
# Bounds the memory a typo can ask for; 1,000 ideas x 10,000 draws is 10 million.
MAX_CELLS = 50_000_000
# Ideas are simulated in blocks of about this many samples per input.
CHUNK_CELLS = 1 << 17
PERCENTILES = (10, 50, 90)
# The decision's payoff per draw: see the module docstring.
PAYOFF = "expected_value"
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
_ALTERNATIVE_KEYS = (CAPTURES, REPLACED_COST)


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


@dataclass(frozen=True)
class _Slot:
    """One input of the model for every idea: distribution parameters and constant values."""

    path: str  # dotted path: value.users, alternatives[0].captures
    key: str  # the key of `evaluate`'s inputs it goes to
    alternative: int | None
    kind: np.ndarray
    mu: np.ndarray
    sigma: np.ndarray
    share: np.ndarray
    median: np.ndarray

    @property
    def ranged(self) -> bool:
        return bool((self.sigma > 0).any())


def _slot(path: str, key: str, alternative: int | None, estimates: list[Estimate]) -> _Slot:
    params = np.array([est.params() for est in estimates], dtype=float).reshape(-1, 3)
    share = np.array([est.share for est in estimates], dtype=bool)
    kind, mu, sigma = params[:, 0].astype(int), params[:, 1], params[:, 2]
    median = from_normal_scale(mu, kind)
    return _Slot(path, key, alternative, kind, mu, sigma, share, median)


def _slots(inputs: Sequence[ModelInputs]) -> list[_Slot]:
    """Every input of the model in a fixed order: scalars, then alternatives (missing ones are 0)."""
    slots = [
        _slot(path, path, None, [inp.scalars[path] for inp in inputs]) for path in SCALAR_PATHS
    ]
    width = max((len(inp.captures) for inp in inputs), default=0)
    for i in range(width):
        for key, attr, name in (
            (CAPTURES, "captures", "captures"),
            (REPLACED_COST, "replaced_costs", "cost_per_year"),
        ):
            zero = Estimate(0.0, 0.0, key == CAPTURES)
            ests = [
                getattr(inp, attr)[i] if i < len(getattr(inp, attr)) else zero for inp in inputs
            ]
            slots.append(_slot(f"alternatives[{i}].{name}", key, i, ests))
    return slots


def _threads() -> int:
    return max(1, min(4, os.cpu_count() or 1))


class _Engine:
    """Runs the model on samples, block by block of ideas, with one random stream per block."""

    def __init__(self, inputs: Sequence[ModelInputs], draws: int, seed: int, dtype):
        self.n, self.draws, self.dtype = len(inputs), draws, np.dtype(dtype)
        self.slots = _slots(inputs)
        self.width = sum(1 for s in self.slots if s.key == CAPTURES)
        rows = max(1, CHUNK_CELLS // draws)
        self.blocks = [slice(start, min(start + rows, self.n)) for start in range(0, self.n, rows)]
        self.seed = seed
        self.idea_keys = [zlib.crc32(inp.idea_id.encode("utf-8")) for inp in inputs]
        self.ranged_keys = {s.key for s in self.slots if s.ranged}

    def _normals(self, rows: slice) -> dict[str, np.ndarray]:
        """Standard normal draws for every ranged input of the ideas in `rows`, by path.

        Each idea draws from its own stream (seed, idea id), one row per uncertain input in
        slot order; constant inputs of an idea get zeros (their sigma is 0).
        """
        ranged = [s for s in self.slots if s.ranged]
        out = {s.path: np.zeros((rows.stop - rows.start, self.draws), self.dtype) for s in ranged}
        for j, i in enumerate(range(rows.start, rows.stop)):
            own = [s for s in ranged if s.sigma[i] > 0]
            if not own:
                continue
            stream = np.random.SeedSequence(self.seed, spawn_key=(self.idea_keys[i],))
            z = standard_normal(
                np.random.Generator(np.random.SFC64(stream)),
                np.empty((len(own), self.draws), self.dtype),
            )
            for row, slot in zip(z, own, strict=True):
                out[slot.path][j] = row
        return out

    def _constant(self, slot: _Slot, rows: slice) -> np.ndarray:
        return slot.median[rows].astype(self.dtype)[:, None]

    def run(
        self, outputs: Sequence[str], keep_inputs: bool
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Evaluate every block; return (model inputs by `evaluate` key, requested outputs), ideas x draws.

        Inputs are returned full size only with `keep_inputs`; constants as (ideas, 1).
        """
        n, draws, dtype = self.n, self.draws, self.dtype
        full: dict[str, np.ndarray] = {}
        if keep_inputs:
            for key in self.ranged_keys:
                full[key] = np.empty(
                    (self.width, n, draws) if key in _ALTERNATIVE_KEYS else (n, draws), dtype
                )
        kept = {name: np.empty((n, draws), dtype) for name in outputs}

        def block(k: int) -> None:
            rows = self.blocks[k]
            size = rows.stop - rows.start
            normals = self._normals(rows)
            x: dict[str, np.ndarray] = {}
            for key in self.ranged_keys:
                if keep_inputs:
                    x[key] = full[key][:, rows] if key in _ALTERNATIVE_KEYS else full[key][rows]
                else:
                    x[key] = np.empty(
                        (self.width, size, draws) if key in _ALTERNATIVE_KEYS else (size, draws),
                        dtype,
                    )
            for key in _ALTERNATIVE_KEYS:
                if key not in self.ranged_keys:
                    x[key] = np.empty((self.width, size, 1), dtype)
            for slot in self.slots:
                target = (
                    x[slot.key][slot.alternative]
                    if slot.alternative is not None
                    else x.get(slot.key)
                )
                if slot.ranged:
                    target[...] = normals[slot.path]
                    sample_rows(
                        target,
                        slot.kind[rows],
                        slot.mu[rows],
                        slot.sigma[rows],
                        share=slot.share[rows],
                    )
                elif target is not None:
                    target[...] = self._constant(slot, rows)
                else:
                    x[slot.key] = self._constant(slot, rows)
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                values = evaluate(x)
            for name in outputs:
                kept[name][rows] = values[name]

        with ThreadPoolExecutor(_threads()) as pool:
            list(pool.map(block, range(len(self.blocks))))
        model_x = dict(full)
        for slot in self.slots:
            if slot.alternative is None and slot.key not in model_x:
                model_x[slot.key] = self._constant(slot, slice(0, n))
        for key in _ALTERNATIVE_KEYS:
            if key not in model_x:
                model_x[key] = (
                    np.stack([self._constant(s, slice(0, n)) for s in self.slots if s.key == key])
                    if self.width
                    else np.zeros((0, n, 1), dtype)
                )
        return model_x, kept

    def input_views(self, model_x: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Samples of each input by dotted path (views into `model_x`)."""
        return {
            s.path: model_x[s.key][s.alternative] if s.alternative is not None else model_x[s.key]
            for s in self.slots
        }


class Samples(Mapping):
    """Samples by name, each ideas x draws: model outputs, and inputs by dotted path.

    `npv` and `expected_value` are kept from the simulation; the first access to anything
    else reruns the same blocks with the same random streams, keeping every input and the
    outputs of `SUMMARY_OUTPUTS` (other outputs are computed from the kept inputs when
    first asked for): the same numbers, as if they had been kept.
    """

    def __init__(self, engine: _Engine, kept: dict[str, np.ndarray]):
        self._engine, self._outputs = engine, dict(kept)
        self._inputs: dict[str, np.ndarray] | None = None
        self._x: dict[str, np.ndarray] | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self._engine.n, self._engine.draws

    def _materialize(self) -> None:
        """Rerun the blocks keeping every input, and the summary's outputs on the way."""
        if self._inputs is None:
            wanted = tuple(name for name in SUMMARY_OUTPUTS if name not in self._outputs)
            self._x, kept = self._engine.run(wanted, keep_inputs=True)
            self._outputs.update(kept)
            self._inputs = self._engine.input_views(self._x)

    def __getitem__(self, name: str) -> np.ndarray:
        if name in self._outputs:
            return self._outputs[name]
        if name not in OUTPUTS and not any(s.path == name for s in self._engine.slots):
            raise KeyError(name)
        self._materialize()
        if name in self._outputs:
            return self._outputs[name]
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
        expected_value, economic_value, annual_benefit, effort_weeks and one_time_cost."""
        if self._summary is None:
            table = pd.DataFrame({"id": self.ids})
            for name in SUMMARY_OUTPUTS:
                values = self.samples[name]
                table[f"{name}_mean"] = values.mean(axis=1, dtype=np.float64)
                for p, column in zip(
                    PERCENTILES, np.percentile(values, PERCENTILES, axis=1), strict=True
                ):
                    table[f"{name}_p{p}"] = column.astype(np.float64)
                if name == "npv":
                    table["p_loss"] = (values < 0).mean(axis=1)
            first = ["id", *HEADLINE_COLUMNS]
            self._summary = table[first + [c for c in table.columns if c not in first]]
        return self._summary.copy()

    def evpi(self) -> pd.DataFrame:
        """Value of perfect information on each uncertain input (EVPPI), ranked per idea.

        Columns: `id`, `input` (dotted path), `label`, `evppi` (money), `rank` (1 =
        validate first), `suggestion` (how to validate that kind of input).
        """
        if self._evpi is None:
            self._evpi = evppi_table(self.ideas, self.samples, self.inputs)
        return self._evpi.copy()

    def evpi_total(self) -> pd.Series:
        """Per idea (indexed by id), the value of perfectly knowing all its inputs at once."""
        return pd.Series(evpi_total(self.samples[PAYOFF]), index=self.ids, name="evpi")

    def validate_next(self, top: int = 3) -> pd.DataFrame:
        """Per idea, the `top` inputs whose validation is worth something, best first."""
        table = self.evpi()
        return table[(table["rank"] <= top) & (table["evppi"] > 0)].reset_index(drop=True)

    def sensitivity(self) -> pd.DataFrame:
        """The tornado: swing of the point expected value as each range moves low -> high."""
        return sensitivity(self.ideas)


def simulate(
    ideas: Sequence[Idea], draws: int = 10_000, seed: int = 0, dtype=None, calibration=None
) -> Simulation:
    """Sample every idea's inputs `draws` times and evaluate the economic model on them.

    `dtype` defaults to float64 for up to `FLOAT32_ABOVE` ideas x draws, float32 above.
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
    engine = _Engine(inputs, draws, int(seed), dtype)
    _, kept = engine.run(KEPT, keep_inputs=False)
    return Simulation(
        ideas=ideas, draws=draws, seed=int(seed), samples=Samples(engine, kept), inputs=inputs
    )
