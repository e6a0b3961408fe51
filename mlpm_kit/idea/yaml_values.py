"""Plain YAML scalars to values, exactly as the round-trip parser (ruamel, YAML 1.2) reads them.

The fast reader (`safe_yaml.load_yaml`) builds values from libyaml's events; a plain
(unquoted) scalar becomes a bool, null, int, float, date or text by ruamel's own YAML 1.2
table of patterns (`ruamel.yaml.resolver.Resolver`), so `yes`, `on` and `1:30` stay text
and `1_000`, `0o17`, `1e3` and `017` are read as ruamel reads them.

>>> [plain_value(t) for t in ("yes", "1_000", "0o17", "1e3", "017", "~", "TRUE")]
['yes', 1000, 15, 1000.0, 17, None, True]
"""

from __future__ import annotations

import re
from typing import Any

from ruamel.yaml.resolver import Resolver
from ruamel.yaml.util import create_timestamp, timestamp_regexp

_TAG = "tag:yaml.org,2002:"
# First character -> [(kind, pattern)], in ruamel's order (the first match wins).
# (ruamel's patterns are lazy wrappers; compiled once here, the same pattern and flags.)
_PATTERNS: dict[str, list[tuple[str, re.Pattern]]] = {
    first: [
        (str(tag).removeprefix(_TAG), re.compile(regexp.pattern, regexp.flags))
        for tag, regexp in pairs
    ]
    for first, pairs in Resolver.yaml_implicit_resolvers.items()
}


def plain_kind(text: str) -> str:
    """The YAML 1.2 type ruamel gives a plain scalar: 'bool', 'null', 'int', 'float',
    'timestamp', 'merge' (`<<`), 'value' (`=`) or 'str'."""
    for kind, regexp in _PATTERNS.get(text[:1], ()):
        if regexp.match(text):
            return kind
    return "str"


def _int(text: str) -> int:
    digits = text.replace("_", "")
    sign = -1 if digits[0] == "-" else 1
    digits = digits.lstrip("+-")
    base = {"0b": 2, "0x": 16, "0o": 8}.get(digits[:2])
    # YAML 1.2: a leading zero without 0o is a decimal number (ruamel reads 017 as 17).
    return sign * (int(digits[2:], base) if base else int(digits))


def _float(text: str) -> float:
    digits = text.replace("_", "").lower()
    sign = -1.0 if digits[0] == "-" else 1.0
    digits = digits.lstrip("+-")
    if digits in (".inf", ".nan"):  # refused before loading; kept for completeness
        return sign * float("inf") if digits == ".inf" else float("nan")
    return sign * float(digits)


def _timestamp(text: str) -> Any:
    return create_timestamp(**timestamp_regexp.match(text).groupdict())


_BUILD = {
    "bool": lambda text: text.lower() == "true",
    "null": lambda text: None,
    "int": _int,
    "float": _float,
    "timestamp": _timestamp,
}


def plain_value(text: str, kind: str | None = None) -> Any:
    """The value of a plain scalar (see the module docstring), of `kind` if already known
    (`plain_kind`); `<<` and `=` are text here (`safe_yaml` refuses them before)."""
    build = _BUILD.get(kind or plain_kind(text))
    return text if build is None else build(text)
