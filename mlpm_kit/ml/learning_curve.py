"""How many labels a model needs: the saturating learning curve fitted to pilot points.

metric(n) = m_max - a * n^(-b), with m_max <= 1 the level the model saturates at, a > 0
and b > 0. The fit is scipy's `curve_fit` (bounded least squares). Solving for the target
gives

    labels_needed = (a / (m_max - target)) ^ (1 / b),

defined only when the target is below m_max. Its range comes from the fit's uncertainty:
parameters are drawn from a normal with the fit's covariance (in the form
m_max, m_ref = metric at the pilot's geometric-mean size, b) and the 5th and 95th
percentiles of labels_needed are taken (a draw whose m_max is below the target needs
infinitely many labels, so the high end may be unbounded: None). The covariance uses the
residual standard error of the fit, but at least `PILOT_NOISE` (a pilot's metric is a
measurement with sampling noise; with exactly three points the residuals are zero).
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass

import numpy as np

from mlpm_kit.errors import InputError

PILOT_NOISE = 0.002
RANGE_DRAWS = 4000
FIELD = "ml.data.pilot_curve"


def curve(n, m_max: float, a: float, b: float):
    """metric(n) = m_max - a * n^(-b)."""
    return m_max - a * np.power(np.asarray(n, dtype=float), -b)


@dataclass(frozen=True)
class CurveFit:
    """A fitted learning curve: parameters, their covariance and the points behind them."""

    m_max: float
    a: float
    b: float
    covariance: np.ndarray
    points: tuple[tuple[float, float], ...]
    n_ref: float

    def metric_at(self, n):
        return curve(n, self.m_max, self.a, self.b)

    def labels_for(self, target: float) -> float:
        """Labels where the fitted curve reaches `target`; InputError when it saturates below."""
        if target >= self.m_max:
            raise InputError(
                f"the target {target:g} is above what the pilot curve reaches: it saturates at "
                f"{self.m_max:.3f}; lower the target, or change the model or the features "
                "(more labels alone will not get there).",
                field="ml.target.value",
            )
        return float(labels_needed(self.m_max, self.a, self.b, target))

    def labels_range(self, target: float, seed: int = 0) -> tuple[float | None, float | None]:
        """5th and 95th percentiles of labels_needed over parameter draws (None: unbounded)."""
        rng = np.random.default_rng(seed)
        m_ref = float(self.metric_at(self.n_ref))
        try:
            draws = rng.multivariate_normal(
                [self.m_max, m_ref, self.b], self.covariance, size=RANGE_DRAWS, method="svd"
            )
        except (ValueError, np.linalg.LinAlgError):
            return None, None
        m_max, m_ref, b = draws.T
        ok = (m_max > m_ref) & (b > 0)
        if not ok.any():
            return None, None
        m_max, m_ref, b = m_max[ok], m_ref[ok], b[ok]
        a = (m_max - m_ref) * self.n_ref**b
        needed = labels_needed(m_max, a, b, target)
        low, high = np.percentile(needed, [5, 95], method="nearest")
        return (float(low) if np.isfinite(low) else None), (
            float(high) if np.isfinite(high) else None
        )


def labels_needed(m_max, a, b, target):
    """(a / (m_max - target))^(1/b); inf where the curve never reaches the target."""
    m_max, a, b = (np.asarray(x, dtype=float) for x in (m_max, a, b))
    gap = m_max - target
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = np.where(gap > 0, np.power(a / np.where(gap > 0, gap, 1.0), 1.0 / b), np.inf)
    return float(out) if np.ndim(out) == 0 else out


def fit_learning_curve(points) -> CurveFit:
    """Fit metric(n) = m_max - a * n^(-b) to (labels, metric) pilot points.

    Raises InputError with fewer than three points or when the metric does not rise.

    >>> fit = fit_learning_curve([(500, 0.81), (1000, 0.86), (2000, 0.89), (4000, 0.905)])
    >>> round(fit.m_max, 2)
    0.93
    """
    return _fit(tuple(sorted((float(n), float(m)) for n, m in points)))


@functools.lru_cache(maxsize=256)
def _fit(pts: tuple[tuple[float, float], ...]) -> CurveFit:
    """The fit for sorted points, once per set of points: the score, the ML check, the memo's
    chart and the data-cost estimate of one idea all ask for the same curve."""
    if len(pts) < 3:
        raise InputError(
            f"has {len(pts)} point{'' if len(pts) == 1 else 's'}; a learning curve needs at least three "
            "[labels, metric] measurements (e.g. train the pilot on 25%, 50% and 100% of the labels).",
            field=FIELD,
        )
    n = np.array([p[0] for p in pts])
    y = np.array([p[1] for p in pts])
    if np.any(n <= 0) or np.any((y < 0) | (y > 1)):
        raise InputError("labels must be above 0 and metrics between 0 and 1.", field=FIELD)
    if y[-1] <= y[0] or np.all(np.diff(y) <= 0):
        raise InputError(
            f"the metric does not rise with more labels ({y[0]:g} at {n[0]:g} labels, {y[-1]:g} at "
            f"{n[-1]:g}); a saturating curve cannot be fitted. Check the pilot: the model may already "
            "be saturated, or the measurements are too noisy to tell.",
            field=FIELD,
        )
    b0 = 0.5
    m0 = min(1.0, y[-1] + 0.5 * (y[-1] - y[0]))
    a0 = max((m0 - y[0]) * n[0] ** b0, 1e-9)
    # m_max may sit a little below the best point (noise), never far below it, never above 1.
    lower = (min(float(y.max()) - 0.05, m0 - 1e-6), 0.0, 1e-3)
    upper = (1.0, np.inf, 5.0)
    # scipy.optimize takes most of a second to import: only a fit pays for it, not `mlpm score`.
    from scipy.optimize import OptimizeWarning, curve_fit

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OptimizeWarning)
        try:
            popt, _ = curve_fit(curve, n, y, p0=(m0, a0, b0), bounds=(lower, upper), maxfev=20000)
        except RuntimeError as exc:
            raise InputError(
                f"the learning curve could not be fitted to these points ({exc}); check them for typos.",
                field=FIELD,
            ) from None
    residuals = y - curve(n, *popt)
    dof = len(y) - 3
    noise = math.sqrt(float(residuals @ residuals) / dof) if dof > 0 else 0.0
    n_ref = float(np.exp(np.log(n).mean()))
    covariance = _covariance(n, popt, n_ref, max(noise, PILOT_NOISE))
    m_max, a, b = (float(v) for v in popt)
    return CurveFit(m_max, a, b, covariance, tuple(pts), n_ref)


def _covariance(n: np.ndarray, popt: np.ndarray, n_ref: float, noise: float) -> np.ndarray:
    """Covariance of (m_max, m_ref, b): noise^2 * (J^T J)^-1, J the Jacobian at the fit.

    The curve is written as m_max - (m_max - m_ref) * (n / n_ref)^(-b), with m_ref the
    metric at the pilot's geometric-mean size n_ref: m_ref is pinned down by the points and
    nearly uncorrelated with the others, so normal draws of these parameters stay on
    plausible curves (draws of a and b directly do not: they are strongly correlated).
    """
    m_max, a, b = popt
    m_ref = m_max - a * n_ref ** (-b)
    power = np.power(n / n_ref, -b)
    jac = np.column_stack([1 - power, power, (m_max - m_ref) * power * np.log(n / n_ref)])
    return noise**2 * np.linalg.pinv(jac.T @ jac)
