"""The one check every YAML text goes through before any value is built from it.

Idea files, the front matter of interview notes, bias rule files and the `ml.*` cells of a
sheet are all YAML a person (or a colleague, or a download) wrote. `check_yaml` walks the
text's events with libyaml's C parser, which is linear and stops at the first problem,
and refuses what could make building the values slow, huge or surprising: aliases and
anchors (an alias bomb grows to gigabytes), tags (`!!bool maybe`), directives (`%YAML 1.1`
changes what `yes` means), a mapping or list used as a key (`{{{{...}}}}` takes ruamel
exponential time), nesting, node counts and text sizes over `limits`, numbers too long or
too big to convert, dates that do not exist (`2026-02-31`), merge keys (`<<`) and a key
written twice. `load_yaml` builds the values in that same pass (YAML 1.2, as ruamel reads
them: `yaml_values`) for a file that is only read; a file about to be saved is then parsed
again by ruamel, which keeps its comments (`files.parse_yaml`).

>>> check_yaml("a: 1\\nb: [x, y]\\n")
>>> check_yaml("a: &x 1\\nb: *x\\n")
Traceback (most recent call last):
...
mlpm_kit.idea.safe_yaml.YamlRefused: a: line 1: YAML anchors and aliases (&x) are not allowed; write the value out.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from typing import Any

import yaml

from mlpm_kit.idea import limits
from mlpm_kit.idea.yaml_values import plain_kind, plain_value

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d\d?)-(\d\d?)"
    r"(?:(?:[Tt]|[ \t]+)(\d\d?):(\d\d):(\d\d)(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d\d?(?::\d\d)?))?)?$"
)
# Plain scalars a YAML reader may turn into a number (YAML 1.2 core schema, loosely: also
# `1_000`, which ruamel reads as 1000).
_NUMBER = re.compile(r"^[-+]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][-+]?\d+)?$")
_RADIX = re.compile(r"^[-+]?0(?:[xX][0-9a-fA-F_]+|[oO][0-7_]+|[bB][01_]+)$")
_SPECIAL_FLOAT = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$")
# The first characters of what the patterns above may match.
_NUMERIC_START = frozenset("-+.0123456789")


class YamlRefused(ValueError):
    """YAML that is refused before loading.

    `reason` starts with the line when known; `field` is the dotted path of the value
    (`cost.iterations`, `alternatives[0].name`) when the problem is inside one. For a
    syntax error, `syntax` is libyaml's own words (the reason adds the line and the fix).
    """

    def __init__(self, reason: str, field: str | None = None, syntax: str | None = None):
        self.reason = reason
        self.field = field
        self.syntax = syntax
        super().__init__(f"{field}: {reason}" if field else reason)


def _field(stack: list[list]) -> str | None:
    """The dotted path of the node being read: its keys and list positions."""
    out = ""
    for is_mapping, _, at, *_ in stack:
        if at is None:
            break
        out += f".{at}" if is_mapping and out else str(at) if is_mapping else f"[{at}]"
    return out or None


def _where(mark, first_line: int) -> str:
    return f"line {mark.line + first_line}: " if mark is not None else ""


def number_problem(text: str) -> str | None:
    """Why a plain number (as written) cannot be used, or None when it is a usable number."""
    if _SPECIAL_FLOAT.match(text):
        return f"{text} is not a finite number; write a number (or a range such as 2 to 5)."
    if not (_NUMBER.match(text) or _RADIX.match(text)):
        return None
    digits = sum(c.isdigit() for c in text)
    if digits > limits.MAX_NUMBER_DIGITS:
        return (
            f"a number with {digits} digits is too long (at most {limits.MAX_NUMBER_DIGITS}); "
            "check for a typing mistake."
        )
    try:
        value = (
            float(int(text.replace("_", ""), 0))
            if _RADIX.match(text)
            else float(text.replace("_", ""))
        )
    except ValueError:
        return None
    if not math.isfinite(value):
        return f"{text[:40]} is not a finite number; check for a typing mistake."
    return None


def date_problem(text: str) -> str | None:
    """Why a plain YAML timestamp names no real date or time, or None."""
    m = _TIMESTAMP.match(text)
    if not m:
        return None
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in m.groups())
    try:
        dt.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return f"{text} is not a real date; write it as YYYY-MM-DD (or quote it if it is text)."
    return None


def _too_long(text: str) -> str | None:
    if len(text) > limits.MAX_YAML_SCALAR_CHARS:
        return (
            f"a text of {len(text):,} characters is too long (at most "
            f"{limits.MAX_YAML_SCALAR_CHARS:,}); shorten it."
        )
    return None


def _plain_problem(value: str, leading_zeros: bool) -> str | None:
    """Why a plain (unquoted) scalar cannot be used, or None."""
    if value[:1] not in _NUMERIC_START:
        return None  # plain text: no number or date starts with a letter
    if (
        leading_zeros
        and len(value) > 1
        and value[0] == "0"
        and value.isdigit()
        and len(value) <= limits.MAX_NUMBER_DIGITS
    ):
        return (
            f"{value} has a leading zero, which YAML readers may read as octal; write "
            f"{int(value)}, or quote it if it is text."
        )
    return number_problem(value) or date_problem(value)


# Plain scalars up to this long are read once per process (keys, numbers and words repeat
# across the files of a portfolio); at most `_CACHED_SCALARS` of them are kept.
_CACHED_CHARS = 64
_CACHED_SCALARS = 1 << 14


def _plain(text: str, leading_zeros: bool) -> tuple[str | None, Any]:
    """(why the plain scalar `text` is refused, or None; its value as YAML 1.2 reads it:
    see `yaml_values`). Merge keys (<<) and a lone '=' are refused."""
    problem = _too_long(text) or _plain_problem(text, leading_zeros)
    if problem:
        return problem, None
    kind = plain_kind(text)
    if kind == "merge":
        return "YAML merge keys (<<) are not allowed; write the keys out.", None
    if kind == "value":
        return "a lone = is not a value; quote it if it is text.", None
    return None, plain_value(text, kind)


_plain_cached = functools.lru_cache(maxsize=_CACHED_SCALARS)(_plain)


def check_yaml(text: str, first_line: int = 1, leading_zeros: bool = False) -> None:
    """Raise `YamlRefused` for YAML that must not be loaded (see the module docstring).

    `first_line` is the line number of the text's first line in its file (front matter
    starts on line 2). Syntax errors are refused too, with libyaml's line and problem.
    """
    load_yaml(text, first_line, leading_zeros)


def _add(top: list, value: Any, event, first_line: int) -> None:
    """Put `value` into the open container `top` (as the next key, value or list item)."""
    box = top[3]
    if not top[0]:
        box.append(value)
    elif top[1]:  # `top[1]` already says the next node is a key: this one was a value
        box[top[4]] = value
    else:
        if value in box:
            raise YamlRefused(
                f"{_where(event.start_mark, first_line)}the key appears twice; keep one of them.",
                str(value),
            )
        top[4] = value


def load_yaml(text: str, first_line: int = 1, leading_zeros: bool = False) -> Any:
    """The values of YAML `text` as plain dicts, lists and scalars, after the checks of
    `check_yaml`, in one pass of libyaml's C parser.

    Scalars are read as the round-trip parser (ruamel, YAML 1.2) reads them (see
    `yaml_values`); a key written twice is refused.

    >>> load_yaml("a: 1_000\\nb: [yes, 0o17, 2026-01-05]\\n")
    {'a': 1000, 'b': ['yes', 15, datetime.date(2026, 1, 5)]}
    """
    # Per open container: [is_mapping, next node is a key, key text or index, the
    # container's value, its pending key].
    stack: list[list] = []
    nodes = 0
    documents = 0
    root: Any = None
    try:
        for event in yaml.parse(text, Loader=_Loader):
            kind = type(event)
            if kind is yaml.DocumentStartEvent:
                documents += 1
                if event.version or event.tags:
                    raise YamlRefused(
                        f"{_where(event.start_mark, first_line)}YAML directives (%YAML, %TAG) "
                        "are not used here; remove the line."
                    )
                if documents > 1:
                    raise YamlRefused(
                        f"{_where(event.start_mark, first_line)}a second YAML document (---) "
                        "starts here; keep one document per file."
                    )
                continue
            if not issubclass(kind, yaml.NodeEvent):
                if kind in (yaml.MappingEndEvent, yaml.SequenceEndEvent):
                    done = stack.pop()
                    if stack:
                        _add(stack[-1], done[3], event, first_line)
                    else:
                        root = done[3]
                continue
            container = kind in (yaml.MappingStartEvent, yaml.SequenceStartEvent)
            top = stack[-1] if stack else None
            is_key = top is not None and top[0] and top[1]
            if is_key:
                if container:
                    raise YamlRefused(
                        f"{_where(event.start_mark, first_line)}a list or mapping is used as "
                        "a key; keys are plain names.",
                        _field(stack[:-1]),
                    )
                top[2] = getattr(event, "value", "")[:100]
            elif top is not None and not top[0]:
                top[2] = 0 if top[2] is None else top[2] + 1
            if top is not None and top[0]:
                top[1] = not top[1]
            if kind is yaml.AliasEvent or event.anchor is not None or event.tag is not None:
                _refuse_node(event, first_line, _field(stack[:-1]) if is_key else _field(stack))
            nodes += 1
            if nodes > limits.MAX_YAML_NODES:
                raise YamlRefused(
                    f"{_where(event.start_mark, first_line)}more than {limits.MAX_YAML_NODES:,} "
                    "values; this is not a file the kit reads."
                )
            if container:
                is_mapping = kind is yaml.MappingStartEvent
                stack.append([is_mapping, True, None, {} if is_mapping else [], None])
                if len(stack) > limits.MAX_YAML_DEPTH:
                    raise YamlRefused(
                        f"{_where(event.start_mark, first_line)}nested more than "
                        f"{limits.MAX_YAML_DEPTH} levels deep; this is not a file the kit reads."
                    )
                continue
            value = event.value
            if event.style not in (None, "") or not event.implicit[0]:
                problem = _too_long(value)  # quoted or block text: always a string
            else:
                read = _plain_cached if len(value) <= _CACHED_CHARS else _plain
                problem, value = read(value, leading_zeros and not is_key)
            if problem:
                raise YamlRefused(
                    f"{_where(event.start_mark, first_line)}{problem}",
                    _field(stack[:-1]) if is_key else _field(stack),
                )
            if top is None:
                root = value
            else:
                _add(top, value, event, first_line)
    except yaml.MarkedYAMLError as exc:
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        mark = exc.problem_mark
        last = text.count("\n")
        where = (
            f"line {min(mark.line, last) + first_line}, column {mark.column + 1}: " if mark else ""
        )  # an error found at the end of the text is shown on its last line
        raise YamlRefused(f"{where}{problem}; fix the YAML syntax there.", syntax=problem) from None
    except yaml.YAMLError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid YAML"
        raise YamlRefused(f"{first[:200]}; fix the YAML syntax.", syntax=first[:200]) from None
    return root


def _refuse_node(event, first_line: int, field: str | None) -> None:
    """Refuse an alias, an anchor or a tag."""
    where = _where(event.start_mark, first_line)
    if type(event) is yaml.AliasEvent or event.anchor is not None:
        raise YamlRefused(
            f"{where}YAML anchors and aliases (&{event.anchor}) are not allowed; "
            "write the value out.",
            field,
        )
    raise YamlRefused(
        f"{where}YAML tags ({event.tag.replace('tag:yaml.org,2002:', '!!')}) are not "
        "allowed; write the plain value.",
        field,
    )
