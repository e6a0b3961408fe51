"""Currencies: ISO 4217 codes, the symbols people write before amounts, and which match which.

An idea's `currency` is an ISO 4217 code (`EUR`). Amounts may carry a symbol or a code
(`€90k`, `CNY 50万`, `$1.2M`): a symbol matches the codes it stands for (`$` is any dollar,
`¥` the yen or the yuan), and sets the file's currency when the file names none, if it
stands for one currency only (`$` is read as USD).
"""

from __future__ import annotations

import difflib
from functools import cache

# Symbol -> the currencies it is written for; the first is the one it sets when a file has none.
SYMBOLS: dict[str, tuple[str, ...]] = {
    "€": ("EUR",),
    "$": ("USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", "TWD"),
    "US$": ("USD",),
    "£": ("GBP",),
    "¥": ("CNY", "JPY"),
    "CN¥": ("CNY",),
    "元": ("CNY",),
    "￥": ("CNY", "JPY"),
    "₹": ("INR",),
    "₩": ("KRW",),
    "₽": ("RUB",),
    "₺": ("TRY",),
    "₪": ("ILS",),
    "₫": ("VND",),
    "฿": ("THB",),
    "₱": ("PHP",),
    "R$": ("BRL",),
    "zł": ("PLN",),
}
# Symbols that stand for more than one currency and cannot set one on their own.
AMBIGUOUS = {"¥", "￥"}


@cache
def iso_codes() -> frozenset[str]:
    """Every ISO 4217 code (current and historic) that Babel (CLDR) knows."""
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


def check_code(code: object) -> str:
    """An ISO 4217 code in capitals, or a ValueError with the closest code."""
    if not isinstance(code, str) or not code.strip():
        raise ValueError(
            f"{code!r} is not a currency code; write an ISO 4217 code such as EUR or USD."
        )
    text = code.strip().upper()
    if text in SYMBOLS:
        hint = " or ".join(SYMBOLS[text][:2])
        raise ValueError(f"{code!r} is a symbol; write the ISO 4217 code, such as {hint}.")
    if text not in iso_codes():
        close = difflib.get_close_matches(text, sorted(iso_codes()), n=1, cutoff=0.6)
        hint = (
            f"did you mean {close[0]}?" if close else "write an ISO 4217 code such as EUR or USD."
        )
        raise ValueError(f"{code!r} is not an ISO 4217 currency code; {hint}")
    return text


def codes_of(token: str) -> tuple[str, ...]:
    """The currencies a symbol or code written beside an amount stands for."""
    return SYMBOLS.get(token, (token.upper(),))


def matches(token: str, currency: str) -> bool:
    """Whether an amount written with `token` (a symbol or code) can be in `currency`."""
    return currency.upper() in codes_of(token)


def implied(token: str) -> str | None:
    """The currency a symbol or code sets on a file that names none (None: ambiguous)."""
    return None if token in AMBIGUOUS else codes_of(token)[0]


def describe(token: str) -> str:
    """What a symbol or code stands for, in words: '$' -> 'dollars (USD, CAD, AUD, ...)'."""
    codes = codes_of(token)
    if len(codes) > 2:
        return f"dollars ({', '.join(codes[:3])}, ...)"
    return " or ".join(codes)
