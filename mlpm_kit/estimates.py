"""Numbers and 90% ranges: parsing what a person writes, and the distribution behind it.

Any numeric field of an idea file takes a plain number (`45`), a 90% range as text
(`"200 to 400"`) or a mapping (`{low: 200, high: 400}`): the person is 90% sure the true
value lies inside. This module owns that syntax and the one mapping from a range to a
distribution whose 5th and 95th percentiles are `low` and `high`:

- a share (a value in [0, 1]) strictly inside (0, 1): logit-normal;
- any other range with `low > 0`: lognormal;
- otherwise: normal.

Samples are clipped to the field's bounds (a cost is never negative, a share never leaves
[0, 1]). The median of that distribution is what the point score uses, so the point score
and the simulation's p50 agree.

>>> parse_estimate("200 to 400").median
282.842712474619
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

# The 95th percentile of the standard normal: a 90% interval spans +-Z90 sigmas.
Z90 = 1.6448536269514722
# Magnitudes past this are typos or unit mix-ups, and would overflow products downstream.
MAX_MAGNITUDE = 1e15

KIND_CONSTANT, KIND_NORMAL, KIND_LOGNORMAL, KIND_LOGITNORMAL = 0, 1, 2, 3

RANGE_HINT = 'Write a number (300) or a 90% range ("200 to 400" or {low: 200, high: 400}).'

_NUMBER = r"[-+]?(?:\d[\d,_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*[kKmM%]?"
_RANGE = re.compile(rf"^\s*({_NUMBER})\s*(?:to|\.\.|–|—|~|至|到)\s*({_NUMBER})\s*$")
_SINGLE = re.compile(rf"^\s*({_NUMBER})\s*$")
_SUFFIX = {"k": 1e3, "K": 1e3, "m": 1e6, "M": 1e6, "%": 0.01}


class EstimateError(ValueError):
    """A value that is not a number or a 90% range; the message says how to write one."""


@dataclass(frozen=True)
class Estimate:
    """A plain number (`low == high`) or a 90% interval [low, high].

    `share` marks values that live in [0, 1] (adoption, captures, confidence): they get a
    distribution bounded on [0, 1].
    """

    low: float
    high: float
    share: bool = False

    @property
    def is_range(self) -> bool:
        return self.high > self.low

    @property
    def kind(self) -> int:
        if not self.is_range:
            return KIND_CONSTANT
        if self.share and self.low > 0 and self.high < 1:
            return KIND_LOGITNORMAL
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
        """The value as a person would write it in an idea file."""
        if not self.is_range:
            return _plain(self.low)
        return str(self)


def _identity(x):
    return x


def _logit(p):
    return np.log(p) - np.log1p(-p)


def from_normal_scale(y: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """Map normal-scale values `y` to the estimate's scale, element-wise by `kind`.

    The one inverse transform used for medians and for samples alike.
    """
    y = np.asarray(y)
    kind = np.broadcast_to(kind, y.shape)
    out = np.where(kind == KIND_LOGNORMAL, np.exp(np.minimum(y, 700)), y)
    return np.where(kind == KIND_LOGITNORMAL, 1 / (1 + np.exp(-y)), out)


def format_number(x: float) -> str:
    """A compact, exact-enough rendering: 40000 -> '40000', 0.25 -> '0.25'."""
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.6g}"


def _plain(x: float) -> float | int:
    return int(x) if float(x).is_integer() and abs(x) < 1e15 else float(x)


def _number_from_text(text: str) -> float:
    text = text.strip()
    scale = 1.0
    if text and text[-1] in _SUFFIX:
        scale = _SUFFIX[text[-1]]
        text = text[:-1].strip()
    return float(text.replace(",", "").replace("_", "")) * scale


def _check_number(x: float, original: object) -> float:
    if not math.isfinite(x):
        raise EstimateError(f"{original!r} is not a finite number. {RANGE_HINT}")
    if abs(x) > MAX_MAGNITUDE:
        raise EstimateError(
            f"{original!r} is implausibly large (over {MAX_MAGNITUDE:.0e}); check the unit "
            "or a typo in the number of digits."
        )
    return float(x)


def _plain_number(value: object) -> float:
    """A YAML scalar that must be a number: rejects booleans, dates and other surprises."""
    if isinstance(value, bool):
        raise EstimateError(
            f"{value!r} is a yes/no value, not a number (YAML reads on/off/yes/no/true/false "
            f"as booleans). {RANGE_HINT}"
        )
    if isinstance(value, int | float):
        return _check_number(float(value), value)
    if isinstance(value, str) and _SINGLE.match(value):
        try:
            number = _number_from_text(value)
        except ValueError:
            raise EstimateError(f"{value!r} is not a number or a range. {RANGE_HINT}") from None
        return _check_number(number, value)
    kind = type(value).__name__
    if kind in ("date", "datetime"):
        raise EstimateError(f"{value!s} was read as a date, not a number. {RANGE_HINT}")
    raise EstimateError(f"{value!r} is not a number or a range. {RANGE_HINT}")


def parse_estimate(value: object, *, share: bool = False) -> Estimate:
    """Turn what a person wrote into an `Estimate`, or raise `EstimateError` saying how to fix it.

    >>> parse_estimate(45)
    Estimate(low=45.0, high=45.0, share=False)
    >>> parse_estimate("0.2 to 0.4", share=True).low
    0.2
    """
    if isinstance(value, Estimate):
        return Estimate(value.low, value.high, share)
    if value is None:
        raise EstimateError(f"the value is empty. {RANGE_HINT}")
    if isinstance(value, dict):
        unknown = sorted(set(map(str, value)) - {"low", "high"})
        if unknown or not {"low", "high"} <= set(value):
            raise EstimateError(
                f"a range needs exactly the keys low and high, got {sorted(map(str, value))}. "
                f"{RANGE_HINT}"
            )
        low, high = _plain_number(value["low"]), _plain_number(value["high"])
    elif isinstance(value, str) and (match := _RANGE.match(value)):
        try:
            low_text, high_text = _number_from_text(match.group(1)), _number_from_text(match.group(2))
        except ValueError:
            raise EstimateError(f"{value!r} is not a number or a range. {RANGE_HINT}") from None
        low, high = _check_number(low_text, value), _check_number(high_text, value)
    elif isinstance(value, list | tuple):
        raise EstimateError(f"{list(value)!r} is a list. {RANGE_HINT}")
    else:
        low = high = _plain_number(value)
    if low > high:
        raise EstimateError(
            f"the range {format_number(low)} to {format_number(high)} has low above high; "
            f"write it as {format_number(high)} to {format_number(low)}."
        )
    return Estimate(low, high, share)
