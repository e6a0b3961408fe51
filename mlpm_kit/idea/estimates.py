"""Numbers and 90% ranges: parsing what a person writes, and the distribution behind it.

Any numeric field of an idea file takes a plain number (`45`), a 90% range as text
(`"200 to 400"`, `"90k–140k"`, `"60-85%"`: the notation of `idea.notation`) or a mapping
(`{low: 200, high: 400}`): the person is 90% sure the true value lies inside.
`parse_estimate` is the one entry point for all of them (files, spreadsheets, the form);
an `Estimate` remembers the text and currency it was written with, so saving keeps them.
This module also owns the one mapping from a range to a distribution whose 5th and 95th
percentiles are `low` and `high`:

- a share (a value in [0, 1]) strictly inside (0, 1): logit-normal; a share range that
  touches 0 or 1 (`0.3 to 1`): normal, clipped to [0, 1];
- any other range with `low > 0`: lognormal;
- otherwise: normal.

Samples are clipped to the field's bounds (a cost is never negative, a share never leaves
[0, 1]). The median of that distribution is what the point score uses, so the point score
and the simulation's p50 agree.

>>> parse_estimate("200 to 400").median
282.8427124746189
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from mlpm_kit.idea.notation import RANGE_HINT, SHARE_HINT, EstimateError, read_text

# The 95th percentile of the standard normal: a 90% interval spans +-Z90 sigmas.
Z90 = 1.6448536269514722
# Magnitudes past this are typos or unit mix-ups, and would overflow products downstream.
MAX_MAGNITUDE = 1e15

KIND_CONSTANT, KIND_NORMAL, KIND_LOGNORMAL, KIND_LOGITNORMAL = 0, 1, 2, 3


@dataclass(frozen=True)
class Estimate:
    """A plain number (`low == high`) or a 90% interval [low, high].

    `share` marks values that live in [0, 1] (adoption, captures, confidence): they get a
    distribution bounded on [0, 1].
    """

    low: float
    high: float
    share: bool = False
    # The currency symbol or code written beside the amount (`€`, `CNY`), if any.
    currency: str | None = field(default=None, compare=False, repr=False)
    # What the person typed, when it was text other than a plain number: saving keeps it.
    text: str | None = field(default=None, compare=False, repr=False)

    @property
    def is_range(self) -> bool:
        return self.high > self.low

    @property
    def kind(self) -> int:
        if not self.is_range:
            return KIND_CONSTANT
        if self.share:
            # A range touching 0 or 1 is a normal clipped to [0, 1]: a logit-normal cannot
            # have a percentile at 0 or 1, and a lognormal would skew `0.3 to 1` low.
            return KIND_LOGITNORMAL if self.low > 0 and self.high < 1 else KIND_NORMAL
        if self.low > 0:
            return KIND_LOGNORMAL
        return KIND_NORMAL

    def params(self) -> tuple[int, float, float]:
        """(kind, mu, sigma) on the scale where the distribution is normal."""
        kind = self.kind
        if kind == KIND_CONSTANT:
            return kind, float(self.low), 0.0
        forward = {KIND_NORMAL: _identity, KIND_LOGNORMAL: np.log, KIND_LOGITNORMAL: _logit}[kind]
        a, b = float(forward(self.low)), float(forward(self.high))
        return kind, (a + b) / 2, (b - a) / (2 * Z90)

    @property
    def median(self) -> float:
        kind, mu, _ = self.params()
        return float(from_normal_scale(np.asarray(mu), np.asarray(kind)))

    def __str__(self) -> str:
        if not self.is_range:
            return format_number(self.low)
        return f"{format_number(self.low)} to {format_number(self.high)}"

    def to_yaml(self) -> float | int | str:
        """The value as a person would write it in an idea file (as they wrote it, if they did)."""
        if self.text is not None:
            return self.text
        if not self.is_range:
            return _plain(self.low)
        return str(self)


def _identity(x):
    return x


def _logit(p):
    return np.log(p) - np.log1p(-p)


def _cap(y: np.ndarray) -> float:
    """Largest safe argument of exp for y's precision (float32 overflows past ~88)."""
    return 80.0 if y.dtype == np.float32 else 700.0


def _exp(y: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """exp(y), capped below overflow; into `out` when given (it may be `y`)."""
    out = np.minimum(y, _cap(y), out=np.empty_like(y) if out is None else out)
    return np.exp(out, out=out)


def _expit(y: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """1 / (1 + exp(-y)), capped below overflow; into `out` when given (it may be `y`)."""
    cap = _cap(y)
    out = np.clip(y, -cap, cap, out=np.empty_like(y) if out is None else out)
    np.negative(out, out=out)
    np.exp(out, out=out)
    out += 1
    return np.reciprocal(out, out=out)


# Kinds whose samples stay inside their bounds by construction (no clipping needed).
_TRANSFORMS = {KIND_LOGNORMAL: _exp, KIND_LOGITNORMAL: _expit}


def from_normal_scale(y: np.ndarray, kind: np.ndarray | int) -> np.ndarray:
    """Map normal-scale values `y` to the estimate's scale, element-wise by `kind`.

    The one inverse transform used for medians and for samples alike. A single `kind`
    (an int) transforms the whole array with one pass; an array of kinds is applied
    element-wise. Keeps y's floating dtype.
    """
    y = np.asarray(y)
    if not np.issubdtype(y.dtype, np.floating):
        y = y.astype(float)
    if np.ndim(kind) == 0:
        kind = int(kind)
        if kind == KIND_LOGNORMAL:
            return _exp(y)
        return _expit(y) if kind == KIND_LOGITNORMAL else y
    kind = np.broadcast_to(kind, y.shape)
    out = np.where(kind == KIND_LOGNORMAL, _exp(y), y)
    return np.where(kind == KIND_LOGITNORMAL, _expit(y), out)


def _uniform_pairs(rng: np.random.Generator, half: int, dtype) -> tuple[np.ndarray, np.ndarray]:
    """`half` uniforms in (0, 1] (for the radius) and `half` in [0, 1) (for the angle).

    float32: both 24-bit uniforms of a pair come from one 64-bit draw of the generator
    (its two halves, shifted to 24 bits and converted exactly), half the draws and none
    of numpy's per-value float conversion; float64: numpy's 53-bit uniforms.
    """
    if dtype is np.float32:
        bits = rng.bit_generator.random_raw(half).view(np.uint32)
        np.right_shift(bits, 8, out=bits)  # 0 .. 2**24 - 1, exact in float32
        whole = bits.view(np.int32).astype(np.float32)
        whole *= np.float32(2**-24)
        radius, angle = whole[:half], whole[half:]
        radius += np.float32(2**-24)  # k / 2**24 -> (k + 1) / 2**24: (0, 1]
        return radius, angle
    radius = rng.random(half, dtype=dtype)
    np.subtract(1, radius, out=radius)  # (0, 1]: log is finite
    return radius, rng.random(half, dtype=dtype)


def standard_normal(rng: np.random.Generator, out: np.ndarray) -> np.ndarray:
    """Fill `out` (float32 or float64) with standard normal draws from `rng`; return it.

    Box-Muller on uniform draws (`_uniform_pairs`), with numpy's vectorized log, sqrt,
    sin and cos: about five times faster than `Generator.standard_normal` (ziggurat) in
    float32. Tails reach 5.8 sigma in float32 and 8.5 sigma in float64 (the uniforms'
    resolution).
    """
    if not out.flags.c_contiguous:
        raise ValueError("out must be a C-contiguous array")
    flat = out.reshape(-1)
    size, dtype = flat.size, out.dtype.type
    half = (size + 1) // 2
    radius, angle = _uniform_pairs(rng, half, dtype)
    np.log(radius, out=radius)
    np.multiply(radius, -2, out=radius)
    np.sqrt(radius, out=radius)
    np.multiply(angle, dtype(2 * np.pi), out=angle)
    np.cos(angle[: size - half], out=flat[half:])
    flat[half:] *= radius[: size - half]
    np.sin(angle, out=flat[:half])
    flat[:half] *= radius
    return out


def sample_rows(
    z: np.ndarray,
    kind: np.ndarray,
    mu: np.ndarray,
    sigma: np.ndarray,
    *,
    share: np.ndarray | bool = False,
) -> np.ndarray:
    """Samples from one distribution per row, given standard normal draws `z` (rows x draws).

    Row r follows the estimate with `params()` == (kind[r], mu[r], sigma[r]); a constant
    row (sigma 0) repeats its value. Samples are clipped to the field's bounds: never
    below 0, and within [0, 1] for shares (a share range touching 0 or 1 is a normal,
    so it needs the clip; a logit-normal never leaves (0, 1)). Works in z's dtype and
    overwrites `z`.
    """
    kind = np.asarray(kind)
    y = z
    y *= np.asarray(sigma, dtype=y.dtype)[:, None]
    y += np.asarray(mu, dtype=y.dtype)[:, None]
    share = np.broadcast_to(np.asarray(share, dtype=bool), kind.shape)
    for k in np.unique(kind):
        rows = kind == k
        every = bool(rows.all())
        part = y if every else y[rows]  # the rows of this kind, in place or as a copy
        transform = _TRANSFORMS.get(int(k))
        if transform is not None:  # lognormal >= 0, logit-normal in (0, 1): no clip needed
            transform(part, out=part)
        else:
            np.maximum(part, 0, out=part)
            bounded = share if every else share[rows]
            if bounded.all():
                np.minimum(part, 1, out=part)
            elif bounded.any():
                part[bounded] = np.minimum(part[bounded], 1)
        if not every:
            y[rows] = part
    return y


def sample(
    estimate: Estimate, draws: int, rng: np.random.Generator, dtype=np.float64
) -> np.ndarray:
    """`draws` samples of one estimate (a convenience over `sample_rows` for one value).

    >>> sample(parse_estimate("200 to 400"), 5, np.random.default_rng(0)).shape
    (5,)
    """
    kind, mu, sigma = estimate.params()
    z = standard_normal(rng, np.empty((1, draws), dtype=dtype))
    return sample_rows(
        z, np.array([kind]), np.array([mu]), np.array([sigma]), share=estimate.share
    )[0]


def format_number(x: float) -> str:
    """A compact, exact-enough rendering: 40000 -> '40000', 0.25 -> '0.25'."""
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.6g}"


def _plain(x: float) -> float | int:
    return int(x) if float(x).is_integer() and abs(x) < 1e15 else float(x)


def _check_number(x: float, original: object, hint: str) -> float:
    if not math.isfinite(x):
        raise EstimateError(f"{original!r} is not a finite number. {hint}")
    if abs(x) > MAX_MAGNITUDE:
        raise EstimateError(
            f"{original!r} is implausibly large (over {MAX_MAGNITUDE:.0e}); check the unit "
            "or a typo in the number of digits."
        )
    return float(x)


def _plain_number(value: object, hint: str) -> tuple[float, str | None]:
    """A YAML scalar that must be one number (and its currency, if written): rejects
    booleans, dates, ranges and other surprises."""
    if isinstance(value, bool):
        raise EstimateError(
            f"{value!r} is a yes/no value, not a number (YAML reads on/off/yes/no/true/false "
            f"as booleans). {hint}"
        )
    if isinstance(value, int | float):
        return _check_number(float(value), value, hint), None
    if isinstance(value, str):
        reading = read_text(value, hint=hint)
        if reading.low != reading.high:
            raise EstimateError(f"{value!r} is a range where one number goes. {hint}")
        return _check_number(reading.low, value, hint), reading.currency
    kind = type(value).__name__
    if kind in ("date", "datetime"):
        raise EstimateError(f"{value!s} was read as a date, not a number. {hint}")
    raise EstimateError(f"{value!r} is not a number or a range. {hint}")


def _is_plain(text: str) -> bool:
    """Whether text is a plain number that YAML would write as a number anyway."""
    try:
        float(text)
    except ValueError:
        return False
    return "_" not in text


def parse_estimate(value: object, *, share: bool = False) -> Estimate:
    """Turn what a person wrote into an `Estimate`, or raise `EstimateError` saying how to fix it.

    The notation is `notation.read_text`'s: `0.2-0.4`, `20%-40%`, `90k–140k`, `€90k`, ...

    >>> parse_estimate(45)
    Estimate(low=45.0, high=45.0, share=False)
    >>> parse_estimate("0.2 to 0.4", share=True).low
    0.2
    >>> parse_estimate("€90k-140k").currency
    '€'
    """
    hint = SHARE_HINT if share else RANGE_HINT
    if isinstance(value, Estimate):
        return replace(value, share=share)
    if value is None:
        raise EstimateError(f"the value is empty. {hint}")
    text = None
    if isinstance(value, dict):
        unknown = sorted(set(map(str, value)) - {"low", "high"})
        if unknown or not {"low", "high"} <= set(value):
            raise EstimateError(
                f"a range needs exactly the keys low and high, got {sorted(map(str, value))}. "
                f"{hint}"
            )
        (low, low_cur), (high, high_cur) = (
            _plain_number(value["low"], hint),
            _plain_number(value["high"], hint),
        )
        if low_cur and high_cur and low_cur.upper() != high_cur.upper():
            raise EstimateError(f"the range names two currencies ({low_cur} and {high_cur}).")
        currency = low_cur or high_cur
    elif isinstance(value, str):
        reading = read_text(value, hint=hint)
        low, high = (
            _check_number(reading.low, value, hint),
            _check_number(reading.high, value, hint),
        )
        currency = reading.currency
        text = None if _is_plain(value.strip()) else value.strip()
    elif isinstance(value, list | tuple):
        raise EstimateError(f"{list(value)!r} is a list. {hint}")
    else:
        (low, currency) = _plain_number(value, hint)
        high = low
    if low > high:
        raise EstimateError(
            f"the range {format_number(low)} to {format_number(high)} has low above high; "
            f"write it as {format_number(high)} to {format_number(low)}."
        )
    return Estimate(low, high, share, currency, text)
