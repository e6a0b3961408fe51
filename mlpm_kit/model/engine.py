"""The sampling engine: every input of every idea drawn and run through the model, block by block.

`Engine(inputs, draws, seed, dtype)` lays the model's inputs out as slots (one per input
path, with every idea's distribution parameters) and `run` evaluates `economics.evaluate`
on blocks of about `CHUNK_CELLS` samples per input (whole ideas, all their draws, so the
working set stays in cache), the blocks on threads. There is no Python loop per draw.

Randomness: each idea has its own stream, from the seed and the idea's id
(`SeedSequence(seed, spawn_key=(crc32(id),))`), and draws its uncertain inputs from it in
a fixed order, so an idea gets the same numbers whatever the other ideas, their order or
the number of threads; an engine on a subset of the ideas reproduces their samples.

What is computed per idea from its draws (summaries, regression statistics for the value
of information) is done by reducers, called on each block while it is in memory
(`Block`): a portfolio is then read once, and nothing of size ideas x draws needs to be
kept but what the caller asks for.
"""

from __future__ import annotations

import ctypes
import functools
import os
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from mlpm_kit.idea.estimates import Estimate, from_normal_scale, sample_rows, standard_normal
from mlpm_kit.model.economics import evaluate
from mlpm_kit.model.inputs import CAPTURES, REPLACED_COST, SCALAR_PATHS, ModelInputs

# Ideas are simulated in blocks of about this many samples per input.
CHUNK_CELLS = 1 << 17
# glibc's mallopt parameters (malloc.h) and the values the engine sets (see `_reuse_freed_memory`).
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
KEEP_FREED_BYTES, MMAP_ABOVE_BYTES = 256 << 20, 32 << 20
ALTERNATIVE_KEYS = (CAPTURES, REPLACED_COST)


@dataclass(frozen=True)
class Block:
    """One block of ideas while it is evaluated: all arrays are (ideas in `rows`) x draws.

    `normals`: the standard normal draws of each ranged input, by dotted path (zeros for
    an idea whose input is constant); `inputs`: each input's samples by dotted path
    (constants as one column); `outputs`: the outputs of `evaluate` the run asked for;
    `model`: the inputs as `evaluate` takes them (alternatives stacked first).
    """

    rows: slice
    normals: dict[str, np.ndarray]
    inputs: dict[str, np.ndarray]
    outputs: dict[str, np.ndarray]
    model: dict[str, np.ndarray]


Reducer = Callable[[Block], None]


@dataclass(frozen=True)
class Slot:
    """One input of the model for every idea: distribution parameters and constant values."""

    path: str  # dotted path: value.users, alternatives[0].captures
    key: str  # the key of `evaluate`'s inputs it goes to
    alternative: int | None
    kind: np.ndarray
    mu: np.ndarray
    sigma: np.ndarray
    share: np.ndarray
    median: np.ndarray
    low: np.ndarray  # the 90% range as written (equal to the median for a plain number)
    high: np.ndarray

    @property
    def ranged(self) -> bool:
        return bool((self.sigma > 0).any())


def _slot(path: str, key: str, alternative: int | None, estimates: list[Estimate]) -> Slot:
    params = np.array([est.params() for est in estimates], dtype=float).reshape(-1, 3)
    share = np.array([est.share for est in estimates], dtype=bool)
    kind, mu, sigma = params[:, 0].astype(int), params[:, 1], params[:, 2]
    median = from_normal_scale(mu, kind)
    low = np.array([est.low for est in estimates], dtype=float)
    high = np.array([est.high for est in estimates], dtype=float)
    return Slot(path, key, alternative, kind, mu, sigma, share, median, low, high)


def slots_of(inputs: Sequence[ModelInputs]) -> list[Slot]:
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


@functools.cache
def _reuse_freed_memory() -> bool:
    """Let glibc's malloc reuse the memory of one block's arrays for the next block.

    A block allocates and frees some 30 MB of arrays (draws, inputs, the model's
    intermediate results). With glibc's defaults, arrays that large are fresh `mmap`s or
    get trimmed back to the system when freed, so every block faults its memory in again:
    about 130,000 page faults and a fifth of the CPU time on 1,000 ideas x 10,000 draws.
    Raising the mmap and trim thresholds (to `MMAP_ABOVE_BYTES`, `KEEP_FREED_BYTES`) keeps
    freed blocks in the heap for reuse; the process may hold that much freed memory
    afterwards. Done once per process; nothing happens where malloc is not glibc's.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the process already uses
    except (OSError, AttributeError, TypeError):
        return False
    return bool(
        mallopt(M_MMAP_THRESHOLD, MMAP_ABOVE_BYTES) and mallopt(M_TRIM_THRESHOLD, KEEP_FREED_BYTES)
    )


def threads() -> int:
    """How many threads the model's work is spread over."""
    return max(1, min(4, os.cpu_count() or 1))


class Engine:
    """Runs the model on samples, block by block of ideas, with one random stream per block."""

    def __init__(self, inputs: Sequence[ModelInputs], draws: int, seed: int, dtype):
        self.n, self.draws, self.dtype = len(inputs), draws, np.dtype(dtype)
        self.slots = slots_of(inputs)
        self.width = sum(1 for s in self.slots if s.key == CAPTURES)
        rows = max(1, CHUNK_CELLS // draws)
        self.blocks = [slice(start, min(start + rows, self.n)) for start in range(0, self.n, rows)]
        self.seed = seed
        self.idea_keys = [zlib.crc32(inp.idea_id.encode("utf-8")) for inp in inputs]
        self.ranged_keys = {s.key for s in self.slots if s.ranged}

    def _normals(self, rows: slice) -> dict[str, np.ndarray]:
        """Standard normal draws for every ranged input of the ideas in `rows`, by path
        (views into one array: block ideas x ranged inputs x draws).

        Each idea draws from its own stream (seed, idea id), one row per uncertain input in
        slot order; constant inputs of an idea get zeros (their sigma is 0). An idea whose
        every ranged input is uncertain (the usual case) draws straight into its rows.
        """
        ranged = [s for s in self.slots if s.ranged]
        z = np.empty((rows.stop - rows.start, len(ranged), self.draws), self.dtype)
        for j, i in enumerate(range(rows.start, rows.stop)):
            own = [k for k, s in enumerate(ranged) if s.sigma[i] > 0]
            rng = np.random.Generator(
                np.random.SFC64(np.random.SeedSequence(self.seed, spawn_key=(self.idea_keys[i],)))
            )
            if len(own) == len(ranged):
                standard_normal(rng, z[j])
                continue
            z[j] = 0
            if own:
                z[j, own] = standard_normal(rng, np.empty((len(own), self.draws), self.dtype))
        return {s.path: z[:, k] for k, s in enumerate(ranged)}

    def _constant(self, slot: Slot, rows: slice) -> np.ndarray:
        return slot.median[rows].astype(self.dtype)[:, None]

    def run(
        self,
        outputs: Sequence[str],
        keep_inputs: bool,
        reducers: Sequence[Reducer] = (),
        evaluated: Sequence[str] = (),
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Evaluate every block; return (model inputs by `evaluate` key, requested outputs), ideas x draws.

        Inputs are returned full size only with `keep_inputs`; constants as (ideas, 1).
        The block's outputs are `outputs` and `evaluated` (what the reducers read).
        Each of `reducers` is called once per block, as `reducer(block)`, while the block's
        normals, inputs and outputs are at hand (it writes only the block's rows).
        """
        _reuse_freed_memory()
        n, draws, dtype = self.n, self.draws, self.dtype
        full: dict[str, np.ndarray] = {}
        if keep_inputs:
            for key in self.ranged_keys:
                full[key] = np.empty(
                    (self.width, n, draws) if key in ALTERNATIVE_KEYS else (n, draws), dtype
                )
        kept = {name: np.empty((n, draws), dtype) for name in outputs}
        needed = tuple(dict.fromkeys((*outputs, *evaluated)))

        def block(k: int) -> None:
            rows = self.blocks[k]
            size = rows.stop - rows.start
            normals = self._normals(rows)
            x: dict[str, np.ndarray] = {}
            for key in self.ranged_keys:
                if keep_inputs:
                    x[key] = full[key][:, rows] if key in ALTERNATIVE_KEYS else full[key][rows]
                else:
                    x[key] = np.empty(
                        (self.width, size, draws) if key in ALTERNATIVE_KEYS else (size, draws),
                        dtype,
                    )
            for key in ALTERNATIVE_KEYS:
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
                values = evaluate(x, needed)
            for name in outputs:
                kept[name][rows] = values[name]
            if reducers:
                seen = Block(rows, normals, self.inputs_of(x), values, x)
                for reducer in reducers:
                    reducer(seen)

        with ThreadPoolExecutor(threads()) as pool:
            list(pool.map(block, range(len(self.blocks))))
        model_x = dict(full)
        for slot in self.slots:
            if slot.alternative is None and slot.key not in model_x:
                model_x[slot.key] = self._constant(slot, slice(0, n))
        for key in ALTERNATIVE_KEYS:
            if key not in model_x:
                model_x[key] = (
                    np.stack([self._constant(s, slice(0, n)) for s in self.slots if s.key == key])
                    if self.width
                    else np.zeros((0, n, 1), dtype)
                )
        return model_x, kept

    def inputs_of(self, model_x: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Samples of each input by dotted path (views into `model_x`)."""
        return {
            s.path: model_x[s.key][s.alternative] if s.alternative is not None else model_x[s.key]
            for s in self.slots
        }
