"""How numbers and text are shown to people. One place, used by CLI, charts, reports and the form.

Text a person wrote (titles, names, notes) is untrusted wherever it is shown: `plain_text`
removes what could change how other text looks (direction overrides such as U+202E, which
reverse the rest of a line, and control characters that a terminal would act on);
`html_text` also escapes it for HTML, `chart_text` for matplotlib (where `$...$` is math),
and `spreadsheet_text` for a CSV or XLSX cell (where `=`, `+`, `-`, `@` start a formula).
Every renderer uses these, so nothing a user wrote is ever interpreted.
"""

from __future__ import annotations

import html
import math
import unicodedata

import pandas as pd


def _missing(x: float | None) -> bool:
    """None, NaN or infinite: nothing a person can read as an amount."""
    return x is None or not math.isfinite(x)


def money(x: float | None, currency: str | None = None, digits: int = 3) -> str:
    """Compact money with its currency code in front: (1234567, "EUR") -> 'EUR 1.23M'.

    Without a currency (an idea file that names none) the number stands alone. Amounts
    under half a cent are 0 (rounding noise such as 5.82e-11); beyond 1e15, powers of ten.

    >>> money(1234567), money(5.82e-11), money(-3.47e16), money(float("inf")), money(1234567, "EUR")
    ('1.23M', '0', '-3.47e16', 'n/a', 'EUR 1.23M')
    """
    if _missing(x):
        return "n/a"
    if abs(x) < 0.005:
        return "0"
    sign = "-" if x < 0 else ""
    x = abs(float(x))
    prefix = f"{currency} " if currency else ""
    if x >= 1e15:
        return f"{prefix}{sign}{x:.{digits}g}".replace("e+", "e")
    for threshold, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if x >= threshold:
            return f"{prefix}{sign}{x / threshold:.{digits}g}{suffix}"
    return f"{prefix}{sign}{x:.{digits}g}" if x < 100 else f"{prefix}{sign}{x:.0f}"


def in_currency(label: str, currency: str | None) -> str:
    """A column or axis label with its currency: ('npv', 'EUR') -> 'npv (EUR)'."""
    return f"{label} ({currency})" if currency else label


def share(x: float | None) -> str:
    """0.375 -> '38%'."""
    if _missing(x):
        return "n/a"
    return f"{100 * x:.0f}%"


def number(x: float | None, digits: int = 3) -> str:
    """A plain quantity with a few significant digits: 46.0 -> '46', 0.4567 -> '0.457'."""
    if _missing(x):
        return "n/a"
    if abs(x) < 1e-9:
        return "0"
    if abs(x) >= 1e6:
        return money(x, digits=digits)
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.{digits}g}" if abs(x) < 1000 else f"{x:,.0f}"


# Invisible characters that change the direction of the text after them (bidi controls).
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_HIDDEN = dict.fromkeys(
    [ord(c) for c in _BIDI]
    + [c for c in range(0xA0) if unicodedata.category(chr(c)) == "Cc" and chr(c) not in "\t\n"]
)
# Cell starts that make a spreadsheet program evaluate text as a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def plain_text(value: object) -> str:
    """Text as it may be shown anywhere: direction overrides and control characters removed.

    >>> plain_text("evil\u202egnp.exe")
    'evilgnp.exe'
    """
    return ("" if value is None else str(value)).translate(_HIDDEN)


def html_text(value: object) -> str:
    """`plain_text`, escaped for HTML text and attribute values.

    >>> html_text('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    return html.escape(plain_text(value), quote=True)


def chart_text(value: object, width: int = 48) -> str:
    """`plain_text` cut to `width`, with `$` escaped so matplotlib never reads it as math.

    >>> print(chart_text("Save $5M or $10M"))
    Save \\$5M or \\$10M
    """
    return shorten(plain_text(value), width).replace("$", r"\$")


def spreadsheet_text(value: object) -> object:
    """A value for a CSV or XLSX cell: text that a spreadsheet would run as a formula gets a
    leading apostrophe (`=1+1` -> `'=1+1`); numbers, including -5, stay numbers.

    >>> spreadsheet_text("-5 to 10"), spreadsheet_text(-5), spreadsheet_text("@SUM(A1)")
    ("'-5 to 10", -5, "'@SUM(A1)")
    """
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def months(x: float | None, unit: bool = True) -> str:
    """A payback time in whole months ('7 months', or '7' without the unit), or 'never' (no
    payback: None, NaN or infinite)."""
    if _missing(x):
        return "never"
    return f"{number(round(x))} months" if unit else number(round(x))


def estimate_text(est) -> str:
    """An `Estimate` as people read it: '58.4 to 211', '27% to 91%', '4000'."""
    show = share if est.share else number
    return f"{show(est.low)} to {show(est.high)}" if est.is_range else show(est.low)


def shorten(text: str, width: int = 48) -> str:
    """Cut text to `width` characters with an ellipsis: long titles must not break tables or charts.

    Direction overrides and control characters are removed (`plain_text`).
    """
    text = plain_text(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def terminal_table(frame: pd.DataFrame) -> str:
    """A table as terminal text, without the index; Chinese and Japanese text is two columns
    wide in a terminal, and pandas counts that when asked."""
    shown = frame.map(lambda v: plain_text(v) if isinstance(v, str) else v)
    with pd.option_context("display.unicode.east_asian_width", True):
        return shown.to_string(index=False)
