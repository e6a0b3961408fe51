"""The conditional mean of the payoff given one input, for every input of every idea, in one pass.

The value of one input X is E_X[max(0, m(X))] - max(0, E[payoff]) with
m(x) = E[payoff | X = x] (see `information.py`). Estimating m by re-running the model with
X fixed costs a model evaluation per input per point; at portfolio scale (1,000 ideas x
15 inputs) that is hours. Instead m is estimated by least squares on the simulation's own
draws (the regression method of Strong, Oakley and Brennan, 2014):

    m(X) ~ a + b u + c q,   u = (X - median) / largest |X - median|,   q = z^2 - 1

where z is the standard normal draw X came from (read back from X where a normal's
draws are clipped at a bound, so that q, like m, is a function of X). `u` makes the fit exact for every input
the payoff is linear in given the others (users, adoption, hours, costs, confidence, ... :
most of the model); `q` bends it for the few it is not (the weeks to launch, the team
size, the horizon and the discount rate act through discounting; several alternatives
through their maximum). The inputs are drawn independently, so the fit needs only each
input's own draws and the payoff.

`Moments` is an engine reducer (`engine.Block`): while each block of ideas is in memory
it adds, per idea and ranged input, the sums of u, q and their products with each other
and with the centred payoff: a few batched matrix products per block, no sort, nothing
kept of size ideas x draws. `Moments.fit(rows)` solves the 2 x 2 normal equations of
every (idea, input) at once; `Fit.means_on(basis)` gives m at each of the block's draws
(for the value: E_X over X's own draws), `Fit.means_at(z, x)` at normal scores z (for a
kill criterion: a grid over the 90% range, with its values from `Fit.values_at(z)`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlpm_kit.idea.estimates import KIND_NORMAL, sample_rows
from mlpm_kit.model.engine import Block, Slot

# The payoff whose conditional mean is fitted (see `simulate.py`).
PAYOFF = "expected_value"


def _bend(z, x, kind: np.ndarray, mu: np.ndarray, sigma: np.ndarray, out) -> np.ndarray:
    """q = z^2 - 1 written into `out` (rows x points), with z read back from the value x
    for normal inputs (one kind, mu and sigma per row), whose draws are clipped at 0 (or
    1): q must be a function of the value, as m is."""
    np.square(z, out=out)
    out -= 1
    normal = (kind == KIND_NORMAL) & (sigma > 0)
    if normal.any():
        out[normal] = np.square((x[normal] - mu[normal, None]) / sigma[normal, None]) - 1
    return out


class Moments:
    """Engine reducer: per idea and ranged input, the sums the least-squares fit needs."""

    def __init__(self, slots: list[Slot], ideas: int):
        self.slots = [s for s in slots if s.ranged]
        self.paths = [s.path for s in self.slots]
        k = len(self.slots)
        self.center = np.array([s.median for s in self.slots], dtype=float).T.reshape(ideas, k)
        self.spread = np.ones((ideas, k))  # what u is divided by (set per block)
        self.u_range = np.zeros((ideas, k, 2))  # the smallest and largest u drawn
        self.gram = np.zeros((ideas, k, 2, 2))  # sums of [u, q] x [u, q]
        self.cross = np.zeros((ideas, k, 2))  # sums of [u, q] x (payoff - its mean)
        self.sums = np.zeros((ideas, k, 2))  # sums of u and q
        self.payoff_mean = np.zeros(ideas)
        self.residual = np.zeros(ideas)  # mean of the centred payoff (rounding)
        self.draws = 0
        self.basis: dict[int, np.ndarray] = {}  # each block's [u, q], until `take_basis`

    @np.errstate(all="ignore")  # extreme inputs give infinite payoffs: no fit, not a warning
    def __call__(self, block: Block) -> None:
        if not self.slots:
            return
        rows = block.rows
        payoff = np.asarray(block.outputs[PAYOFF])
        size, draws = payoff.shape
        self.draws = draws
        mean = payoff.mean(axis=1, dtype=np.float64)
        centred = payoff - mean.astype(payoff.dtype)[:, None]
        basis = np.empty((size, len(self.slots), 2, draws), payoff.dtype)
        center = self.center[rows].astype(payoff.dtype)
        for j, path in enumerate(self.paths):
            u = basis[:, j, 0]
            np.subtract(block.inputs[path], center[:, j, None], out=u)
            # Scaled to [-1, 1] by its own largest deviation, so no square overflows.
            low, high = u.min(axis=1), u.max(axis=1)
            spread = np.maximum(high, -low)
            spread = np.where(np.isfinite(spread) & (spread > 0), spread, 1)
            u /= spread[:, None]
            self.spread[rows, j] = spread
            self.u_range[rows, j, 0], self.u_range[rows, j, 1] = low / spread, high / spread
            slot = self.slots[j]
            _bend(
                block.normals[path],
                block.inputs[path],
                slot.kind[rows],
                slot.mu[rows],
                slot.sigma[rows],
                basis[:, j, 1],
            )
        self.gram[rows] = np.einsum("rsid,rsjd->rsij", basis, basis)
        self.cross[rows] = np.matmul(basis, centred[:, None, :, None])[..., 0]
        self.sums[rows] = np.matmul(basis, np.ones((draws, 1), basis.dtype))[..., 0]
        self.payoff_mean[rows] = mean
        self.residual[rows] = centred.mean(axis=1, dtype=np.float64)
        self.basis[rows.start] = basis

    def take_basis(self, rows: slice) -> np.ndarray:
        """The block's basis [u, q] (block ideas x inputs x 2 x draws), handed over once."""
        return self.basis.pop(rows.start)

    @np.errstate(all="ignore")
    def fit(self, rows: slice = slice(None)) -> Fit:
        """The least-squares coefficients of every input of the ideas in `rows`, from the sums."""
        n = max(self.draws, 1)
        means = self.sums[rows] / n
        cov = self.gram[rows] / n - means[..., :, None] * means[..., None, :]
        cross = self.cross[rows] / n - means * self.residual[rows, None, None]
        # An input that is constant for an idea has no fit (its coefficients are 0); a tiny
        # ridge keeps nearly collinear u and q solvable.
        ranged = np.array([s.sigma[rows] > 0 for s in self.slots], dtype=bool)
        ranged = ranged.T.reshape(cov.shape[:2])
        cov[~ranged] = np.eye(2)
        cross[~ranged] = 0
        ridge = 1e-12 * np.trace(cov, axis1=-2, axis2=-1)
        cov += ridge[..., None, None] * np.eye(2)
        coef = np.linalg.solve(cov, cross[..., None])[..., 0]
        return Fit(
            self.slots,
            rows,
            self.center[rows],
            self.spread[rows],
            means,
            coef,
            self.payoff_mean[rows],
            self.u_range[rows],
        )


@dataclass
class Fit:
    """m(z) = payoff mean + b (u(z) - mean u) + c (q(z) - mean q) for every (idea, input)
    of the ideas in `rows` (arrays are indexed by those ideas, in order)."""

    slots: list[Slot]
    rows: slice
    center: np.ndarray
    spread: np.ndarray
    means: np.ndarray  # (ideas, inputs, 2): mean u, mean q over the draws
    coef: np.ndarray  # (ideas, inputs, 2): b, c
    payoff_mean: np.ndarray  # (ideas,)
    u_range: np.ndarray  # (ideas, inputs, 2): the smallest and largest u drawn

    @property
    def paths(self) -> list[str]:
        return [s.path for s in self.slots]

    def _params(self, name: str) -> np.ndarray:
        """A distribution parameter of every input of these ideas: (ideas, inputs)."""
        return np.stack([getattr(slot, name)[self.rows] for slot in self.slots], axis=1)

    def values_at(self, z: np.ndarray) -> np.ndarray:
        """Every input's values at normal scores z, as the simulation draws them: (ideas,
        inputs, points)."""
        ideas, inputs, points = len(self.center), len(self.slots), np.shape(z)[-1]
        grid = np.array(np.broadcast_to(z, (ideas * inputs, points)), dtype=np.float64)
        flat = [self._params(name).reshape(-1) for name in ("kind", "mu", "sigma", "share")]
        values = sample_rows(grid, *flat[:3], share=flat[3])
        return values.reshape(ideas, inputs, points)

    @property
    def constant(self) -> np.ndarray:
        """m = constant + b u + c q: (ideas, inputs)."""
        b, c = self.coef[..., 0], self.coef[..., 1]
        return self.payoff_mean[:, None] - b * self.means[..., 0] - c * self.means[..., 1]

    @np.errstate(all="ignore")
    def bounds(self, q_max: float) -> tuple[np.ndarray, np.ndarray]:
        """The least and the most m can be at any draw (given q <= q_max): (ideas, inputs) each."""
        b, c = self.coef[..., 0], self.coef[..., 1]
        bu = b[..., None] * self.u_range
        cq = np.stack([-c, c * q_max], axis=-1)
        constant = self.constant
        return constant + bu.min(axis=-1) + cq.min(axis=-1), constant + bu.max(axis=-1) + cq.max(
            axis=-1
        )

    @np.errstate(all="ignore")
    def means_on(self, basis: np.ndarray, at: np.ndarray, inputs: np.ndarray) -> np.ndarray:
        """m at each draw of the block whose basis is `basis`, for the (idea, input) pairs
        `at`, `inputs`: (pairs, draws)."""
        coef = self.coef[at, inputs].astype(basis.dtype)
        m = np.einsum("pk,pkd->pd", coef, basis[at, inputs])
        m += self.constant[at, inputs].astype(basis.dtype)[:, None]
        return m

    @np.errstate(all="ignore")
    def means_at(self, z: np.ndarray, x: np.ndarray) -> np.ndarray:
        """m of every input at normal scores z, whose values are x (`values_at(z)`): (ideas,
        inputs, points)."""
        u = (x - self.center[..., None]) / self.spread[..., None]
        flat = x.reshape(-1, x.shape[-1])
        grid = np.broadcast_to(np.asarray(z, dtype=np.float64), flat.shape)
        kind, mu, sigma = (self._params(name).reshape(-1) for name in ("kind", "mu", "sigma"))
        q = _bend(grid, flat, kind, mu, sigma, np.empty_like(flat)).reshape(x.shape)
        b, c = self.coef[..., 0, None], self.coef[..., 1, None]
        mu_u, mu_q = self.means[..., 0, None], self.means[..., 1, None]
        return self.payoff_mean[:, None, None] + b * (u - mu_u) + c * (q - mu_q)
