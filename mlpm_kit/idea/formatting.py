"""How numbers are shown to people: money, shares, weeks. One place, used by CLI, charts and reports."""

from __future__ import annotations

import math

import pandas as pd


def money(x: float | None, currency: str | None = None, digits: int = 3) -> str:
    """Compact money with its currency code in front: (1234567, "EUR") -> 'EUR 1.23M'.

    Without a currency (an idea file that names none) the number stands alone: '1.23M'.
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    sign = "-" if x < 0 else ""
    x = abs(float(x))
    prefix = f"{currency} " if currency else ""
    for threshold, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if x >= threshold:
            return f"{prefix}{sign}{x / threshold:.{digits}g}{suffix}"
    return f"{prefix}{sign}{x:.{digits}g}" if x < 100 else f"{prefix}{sign}{x:.0f}"


def in_currency(label: str, currency: str | None) -> str:
    """A column or axis label with its currency: ('npv', 'EUR') -> 'npv (EUR)'."""
    return f"{label} ({currency})" if currency else label


def share(x: float | None) -> str:
    """0.375 -> '38%'."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{100 * x:.0f}%"


def number(x: float | None, digits: int = 3) -> str:
    """A plain quantity with a few significant digits: 46.0 -> '46', 0.4567 -> '0.457'."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if abs(x) >= 1e6:
        return money(x, digits=digits)
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.{digits}g}" if abs(x) < 1000 else f"{x:,.0f}"


def shorten(text: str, width: int = 48) -> str:
    """Cut text to `width` characters with an ellipsis: long titles must not break tables or charts."""
    return text if len(text) <= width else text[: width - 1] + "…"


def terminal_table(frame: pd.DataFrame) -> str:
    """A table as terminal text, without the index; Chinese and Japanese text is two columns
    wide in a terminal, and pandas counts that when asked."""
    with pd.option_context("display.unicode.east_asian_width", True):
        return frame.to_string(index=False)
