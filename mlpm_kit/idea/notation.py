"""The notation people write numbers in: the one reader of numbers and ranges typed as text.

Idea files, spreadsheet cells and the workshop form all read text through `read_text`
(via `estimates.parse_estimate`):

| written                          | read as                          |
|----------------------------------|----------------------------------|
| `45`, `1,200`, `1_200`, `1e3`    | a number                         |
| `90k`, `1.2m`, `$1.2M`, `3bn`    | thousands, millions, billions    |
| `50万`, `1.5亿`                  | 10^4 and 10^8 (Chinese)          |
| `30%`                            | 0.3                              |
| `200 to 400`, `200-400`, `200–400`, `200 ~ 400`, `200 至 400` | a 90% range |
| `60-85%`, `90-140k`, `€90-140k` | a unit at one end of a range applies to both |
| `€90k`, `90k EUR`, `CNY 50万`, `50万元` | an amount with its currency |

Refused, with the accepted forms: `1-2-3` (several dashes), `5k-2` (a unit on the low end
only), `-5-3` (a negative written with a dash range: write `-5 to 3`), `0,5` (a decimal
comma), two different currencies in one range.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlpm_kit.idea.currency import SYMBOLS, iso_codes

NUMBER_FORMS = 'a number (300, 1,200, 90k, 1.2M, €90k) or a 90% range ("200 to 400", "200-400", "90k–140k", or {low: 200, high: 400})'
SHARE_FORMS = 'a share (0.3 or 30%) or a 90% range ("0.6 to 0.9", "0.6-0.9", "60%-90%" or "60-90%")'
RANGE_HINT = f"Write {NUMBER_FORMS}."
SHARE_HINT = f"Write {SHARE_FORMS}."

_SCALE = {
    "k": 1e3,
    "K": 1e3,
    "m": 1e6,
    "M": 1e6,
    "mn": 1e6,
    "bn": 1e9,
    "B": 1e9,
    "万": 1e4,
    "亿": 1e8,
}
_SYMBOLS = "|".join(re.escape(s) for s in sorted(SYMBOLS, key=len, reverse=True))
_CURRENCY = rf"(?:{_SYMBOLS}|[A-Za-z]{{3}}(?![A-Za-z]))"
_DIGITS = r"(?:\d+(?:[,_]\d+)*(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?"
_TERM = (
    rf"(?P<sign>[-+−])?\s*(?P<pre>{_CURRENCY})?\s*(?P<sign2>[-+−])?\s*(?P<digits>{_DIGITS})"
    rf"\s*(?P<scale>bn|mn|[kKmMB万亿](?![A-Za-z]))?\s*(?P<pct>%)?\s*(?P<post>{_CURRENCY})?"
)
_ONE = re.compile(rf"^\s*{_TERM}\s*$")
_SEPARATORS = r"to|\.\.|–|—|~|～|至|到|-|−"
_TERM_RE = re.compile(_TERM)
_SEP_RE = re.compile(rf"\s*({_SEPARATORS})\s*")
# Two plain decimal numbers joined by " to ", the way most ranges are written.
_PLAIN_RANGE = re.compile(r"(\d{1,15}(?:\.\d{1,15})?) to (\d{1,15}(?:\.\d{1,15})?)", re.ASCII)


class EstimateError(ValueError):
    """A value that is not a number or a 90% range; the message says how to write one."""


@dataclass(frozen=True)
class Reading:
    """What a text says: low and high (equal for one number) and the currency token, if any."""

    low: float
    high: float
    currency: str | None = None


@dataclass(frozen=True)
class _Term:
    value: float
    scale: str | None
    pct: bool
    currency: str | None
    signed: bool


def _term(match: re.Match, text: str, hint: str) -> _Term:
    digits = match["digits"]
    if "," in digits and not re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:[eE][-+]?\d+)?", digits):
        raise EstimateError(
            f"{text!r} has a comma that is not a thousands separator; write decimals with a "
            f"point (0.5, not 0,5) and thousands as 1,200. {hint}"
        )
    tokens = [t for t in (match["pre"], match["post"]) if t]
    for token in tokens:
        if token not in SYMBOLS and token.upper() not in iso_codes():
            raise EstimateError(f"{text!r}: {token!r} is not a currency code or symbol. {hint}")
    if len({t.upper() for t in tokens}) > 1:
        raise EstimateError(f"{text!r} names two currencies ({' and '.join(tokens)}). {hint}")
    sign = match["sign"] or match["sign2"]
    value = float(digits.replace(",", "").replace("_", ""))
    return _Term(
        -value if sign in ("-", "−") else value,
        match["scale"],
        bool(match["pct"]),
        tokens[0] if tokens else None,
        bool(sign),
    )


def _scaled(term: _Term, scale: str | None, pct: bool) -> float:
    value = term.value * (_SCALE[scale] if scale else 1.0)
    return value * 0.01 if pct else value


def _split(text: str) -> list[tuple[re.Match, str]] | None:
    """The text as terms and the separators between them, or None if it is not terms at all."""
    parts: list[tuple[re.Match, str]] = []
    pos = 0
    while pos < len(text):
        match = _TERM_RE.match(text, pos)
        if not match or match.end() == pos:
            return None
        pos = match.end()
        sep = _SEP_RE.match(text, pos)
        if sep and sep.end() < len(text):
            parts.append((match, sep.group(1)))
            pos = sep.end()
        else:
            parts.append((match, ""))
            if text[pos:].strip():
                return None
            break
    return parts


def read_text(text: str, *, hint: str = RANGE_HINT) -> Reading:
    """Read a number or a 90% range written as text; raise EstimateError naming the accepted forms.

    >>> read_text("90k–140k")
    Reading(low=90000.0, high=140000.0, currency=None)
    >>> read_text("60 - 85 %")
    Reading(low=0.6, high=0.85, currency=None)
    >>> read_text("CNY 50万")
    Reading(low=500000.0, high=500000.0, currency='CNY')
    """
    stripped = text.strip()
    plain = _PLAIN_RANGE.fullmatch(stripped)
    if plain:  # the common "120 to 250": what the general reading below gives, sooner
        return Reading(float(plain[1]), float(plain[2]))
    return _read_terms(text, stripped, hint)


def _read_terms(text: str, stripped: str, hint: str) -> Reading:
    """`read_text` for every notation (terms with scales, percents, currencies, separators)."""
    if not stripped:
        raise EstimateError(f"the value is empty. {hint}")
    single = _ONE.match(stripped)
    if single:
        term = _term(single, text, hint)
        value = _scaled(term, term.scale, term.pct)
        return Reading(value, value, term.currency)
    parts = _split(stripped)
    if parts is None:
        raise EstimateError(f"{text!r} is not a number or a range. {hint}")
    if len(parts) != 2:
        raise EstimateError(
            f"{text!r} has {len(parts) - 1} separators; a range has two ends, such as "
            f'"200 to 400" (write a negative low end as "-5 to 3"). {hint}'
        )
    (first, sep), (second, _) = parts
    low, high = _term(first, text, hint), _term(second, text, hint)
    if sep in ("-", "−") and (low.signed or high.signed):
        raise EstimateError(
            f'{text!r} mixes a minus sign with a dash range; write "-5 to 3" for a range '
            f"that starts below zero. {hint}"
        )
    if low.scale and low.scale != high.scale or (low.pct and not high.pct):
        unit = (low.scale or "") + ("%" if low.pct else "")
        raise EstimateError(
            f"{text!r} has {unit!r} on the low end only; write the unit on both ends "
            f"(90k-140k, 20%-40%) or after the range (90-140k, 60-85%). {hint}"
        )
    if low.currency and high.currency and low.currency.upper() != high.currency.upper():
        raise EstimateError(f"{text!r} names two currencies. {hint}")
    # A unit written after the range (60-85%, 90-140k) applies to both ends.
    scale, pct = high.scale, high.pct
    return Reading(
        _scaled(low, scale, pct), _scaled(high, scale, pct), low.currency or high.currency
    )
