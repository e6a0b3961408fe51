"""The confirmation-bias rules: loading the rule files and classifying one line of notes.

The rules are data, in `templates/bias_rules/<language>.yaml`, so a product manager can
read them and add their team's phrasing. This module owns the finding categories, the rule
file format, the per-line language choice (a line with any CJK character is read with the
Chinese rules, so mixed notes work) and `classify_line`, the one function that says which
categories a line of a question or an answer shows.

>>> classify_line("Would you use a tool that routes tickets?", "question")
['hypothetical_question']
>>> classify_line("Last Tuesday we lost two hours on it.", "answer")
['past_specific']
"""

from __future__ import annotations

import difflib
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from mlpm_kit.errors import InputError
from mlpm_kit.idea.limits import MAX_PATTERN_CHARS, MAX_RULES_BYTES, REGEX_TIMEOUT_SECONDS
from mlpm_kit.idea.safe_yaml import YamlRefused, check_yaml
from mlpm_kit.idea.text_files import TextKind, read_text
from mlpm_kit.resources import kit_path

try:  # the standard library's pattern parser, read only to build prefilters
    from re import _constants as _sc
    from re import _parser as _sre_parser
except ImportError:  # Python 3.10
    import sre_constants as _sc  # type: ignore[no-redef]
    import sre_parse as _sre_parser  # type: ignore[no-redef]

RULES_DIR = kit_path("templates", "bias_rules")
WARNINGS = (
    "leading_question",
    "hypothetical_question",
    "pitching",
    "compliment",
    "future_promise",
    "generic_claim",
    "feature_request",
)
GOOD_SIGNALS = ("past_specific", "commitment", "workaround", "disconfirming")
CATEGORIES = WARNINGS + GOOD_SIGNALS
QUESTION, ANSWER = "question", "answer"
SPEAKERS = (QUESTION, ANSWER)
# Matching works on the first part of a very long line only: a pasted transcript without
# line breaks must not make the check slow, and a finding is about a sentence or two.
MAX_LINE_CHARS = 2000

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Text the interviewer quotes back ("you said 'we always ...'") is the customer's, not a question.
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|「[^」]*」|『[^』]*』|‘[^’]*’")


def kind_of(category: str) -> str:
    """'warning' or 'good'."""
    return "warning" if category in WARNINGS else "good"


def detect_language(text: str) -> str:
    """'zh' when the line has a Chinese character, else 'en'."""
    return "zh" if _HAN.search(text) else "en"


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


_ESCAPE = re.compile(r"\\.")
_FLAGS_OR_BACKREF = re.compile(r"\\\d|\(\?[aiLmsux-]")
# A prefilter with more alternatives than this costs about as much as the search it saves.
MAX_PREFILTER_WORDS = 24


def _required_literals(items) -> set[str] | None:
    """Texts one of which every match of the parsed pattern contains, or None if unknown.

    Walks the pattern's top-level sequence; each element that must occur (a literal run, a
    group, a repeat of at least one, a branch whose every alternative has literals) offers
    a set, and the most selective set (longest shortest text) wins.
    """
    best = None
    items = list(items)
    i = 0
    while i < len(items):
        op, av = items[i]
        found = None
        if op is _sc.LITERAL:
            run = []
            while i < len(items) and items[i][0] is _sc.LITERAL:
                run.append(chr(items[i][1]))
                i += 1
            found, i = {"".join(run)}, i - 1
        elif op is _sc.SUBPATTERN:
            found = _required_literals(av[-1])
        elif op in (_sc.MAX_REPEAT, _sc.MIN_REPEAT) and av[0] >= 1:
            found = _required_literals(av[2])
        elif op is _sc.BRANCH:
            alternatives = [_required_literals(alt) for alt in av[1]]
            found = set().union(*alternatives) if all(alternatives) else None
        if found and (best is None or _selectivity(found) > _selectivity(best)):
            best = found
        i += 1
    return best


def _selectivity(texts: set[str]) -> tuple[int, int]:
    return min(len(t) for t in texts), -len(texts)


class _OnLower:
    """A pattern searched in the lower-cased line without IGNORECASE, compiled on its first
    search: on most notes most prefilters never pass, and compiling every pattern a second
    time was a third of loading the rules (0.3 s of the workshop's start)."""

    __slots__ = ("pattern", "_compiled")

    def __init__(self, pattern: str) -> None:
        self.pattern, self._compiled = pattern, None

    def search(self, text: str) -> re.Match | None:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern)
        return self._compiled.search(text)


@dataclass(frozen=True)
class _Matcher:
    """A list of patterns, searched fast: a pattern that can run on the lower-cased line
    without IGNORECASE does so, after a cheap check that the line contains one of the texts
    every match needs (most lines contain none). Results equal the plain case-insensitive
    search of every pattern; a pattern with an upper-case letter outside escapes such as
    \\S, a back-reference or an inline flag keeps that plain search."""

    checks: tuple[tuple[re.Pattern | _OnLower, bool, tuple[str, ...] | None], ...]
    bounded: bool = False  # patterns of the `regex` module, searched with a time limit

    @classmethod
    def of(cls, patterns: tuple[re.Pattern, ...]) -> _Matcher:
        checks = []
        bounded = any(not isinstance(p, re.Pattern) for p in patterns)
        for p in patterns:
            if bounded:  # a user's pattern: searched as written, with a time limit
                checks.append((p, False, None))
                continue
            if _FLAGS_OR_BACKREF.search(p.pattern) or re.search(
                "[A-Z]", _ESCAPE.sub("", p.pattern)
            ):
                checks.append((p, False, None))
                continue
            try:
                needed = _required_literals(_sre_parser.parse(p.pattern))
            except Exception:  # an internal parser change must never break matching  # noqa: BLE001
                needed = None
            if needed and len(needed) > MAX_PREFILTER_WORDS:
                needed = None
            checks.append((_OnLower(p.pattern), True, tuple(needed) if needed else None))
        return cls(tuple(checks), bounded)

    def search(self, text: str, lowered: str) -> bool:
        for pattern, on_lower, needed in self.checks:
            if self.bounded:
                if pattern.search(text, timeout=REGEX_TIMEOUT_SECONDS):
                    return True
            elif not on_lower:
                if pattern.search(text):
                    return True
            elif (needed is None or any(t in lowered for t in needed)) and pattern.search(lowered):
                return True
        return False


@dataclass(frozen=True)
class Rule:
    """One category's rule: it fires when a pattern matches and no exclusion does."""

    category: str
    speaker: str
    advice: str
    patterns: tuple[re.Pattern, ...]
    exclude: tuple[re.Pattern, ...]
    file: str = ""  # the rule file, for a message about a pattern that runs too long

    def __post_init__(self) -> None:
        object.__setattr__(self, "_any", _Matcher.of(self.patterns))
        object.__setattr__(self, "_none", _Matcher.of(self.exclude))

    def matches(self, text: str, lowered: str | None = None) -> bool:
        """`lowered` is `text.lower()`, passed in when the caller already has it."""
        lowered = text.lower() if lowered is None else lowered
        try:
            return self._any.search(text, lowered) and not self._none.search(text, lowered)
        except TimeoutError:
            raise InputError(
                f"a pattern took over {REGEX_TIMEOUT_SECONDS} s on one line of notes "
                f"({text[:60]!r}); it backtracks catastrophically. Simplify it: avoid a repeat "
                "inside a repeat, such as (a+)+ or (a|aa)*.",
                file=self.file or None,
                field=f"categories.{self.category}",
            ) from None


@dataclass(frozen=True)
class RuleSet:
    language: str
    rules: tuple[Rule, ...]
    file: str

    def advice(self, category: str) -> str:
        for rule in self.rules:
            if rule.category == category:
                return rule.advice
        return ""


def _compile(items: object, name: str, field: str, bounded: bool) -> tuple[re.Pattern, ...]:
    """The patterns, case-insensitive; `bounded` (a user's rules folder): with the `regex`
    module, whose searches take a time limit, so no pattern can hang the check."""
    if items is None:
        return ()
    if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
        raise InputError("must be a list of regular expressions (text).", file=name, field=field)
    if bounded:
        import regex

        engine, error = regex, (regex.error, re.error)
    else:
        engine, error = re, (re.error,)
    out = []
    for i, pattern in enumerate(items):
        if len(pattern) > MAX_PATTERN_CHARS:
            raise InputError(
                f"a pattern of {len(pattern):,} characters is too long (at most "
                f"{MAX_PATTERN_CHARS:,}); split it into several.",
                file=name,
                field=f"{field}[{i}]",
            )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # FutureWarning about nested sets: noise
                out.append(engine.compile(pattern, engine.IGNORECASE))
        except (*error, OverflowError, RecursionError, ValueError) as exc:
            raise InputError(
                f"{pattern!r} is not a valid regular expression ({exc}); fix or remove it.",
                file=name,
                field=f"{field}[{i}]",
            ) from None
    return tuple(out)


RULES_TEXT = TextKind(
    MAX_RULES_BYTES,
    missing="no such rule file; check the path.",
    not_file="is not a file; the rules folder holds en.yaml and zh.yaml.",
    too_big=f"a rule file is a small text file (under {MAX_RULES_BYTES / 1e6:.0f} MB).",
)


def load_rules(path: str | Path, bounded: bool = True) -> RuleSet:
    """Read and check one rule file; errors name the file, the category and the fix.

    `bounded`: the patterns run with a time limit (every rule file but the kit's own).
    """
    path = Path(path)
    name = str(path)
    text = read_text(path, RULES_TEXT)
    try:
        check_yaml(text)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = YAML(typ="safe").load(text)
    except YamlRefused as exc:
        raise InputError(exc.reason, file=name, field=exc.field) from None
    except YAMLError as exc:
        raise InputError(
            f"cannot be read as UTF-8 YAML ({type(exc).__name__}); fix the file.", file=name
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("categories"), dict):
        raise InputError(
            "needs a `categories:` mapping (see templates/bias_rules/en.yaml).", file=name
        )
    rules = []
    for category, spec in data["categories"].items():
        field = f"categories.{category}"
        if category not in CATEGORIES:
            close = difflib.get_close_matches(str(category), CATEGORIES, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise InputError(
                f"unknown category; {hint}the categories are {', '.join(CATEGORIES)}.",
                file=name,
                field=field,
            )
        if not isinstance(spec, dict):
            raise InputError(
                "must be a mapping with speaker, advice, patterns.", file=name, field=field
            )
        speaker = spec.get("speaker")
        if speaker not in SPEAKERS:
            raise InputError(
                f"speaker is {speaker!r}; write `question` or `answer`.",
                file=name,
                field=f"{field}.speaker",
            )
        rules.append(
            Rule(
                category,
                speaker,
                str(spec.get("advice") or "").strip(),
                _compile(spec.get("patterns"), name, f"{field}.patterns", bounded),
                _compile(spec.get("exclude"), name, f"{field}.exclude", bounded),
                name,
            )
        )
    return RuleSet(str(data.get("language") or path.stem), tuple(rules), name)


@lru_cache(maxsize=8)
def _rules_in(folder: str) -> dict[str, RuleSet]:
    out = {}
    for lang in ("en", "zh"):
        path = Path(folder) / f"{lang}.yaml"
        if not path.exists():
            raise InputError(
                f"no {lang}.yaml in the rules folder; copy it from {RULES_DIR}.", file=folder
            )
        out[lang] = load_rules(path, bounded=Path(folder).resolve() != RULES_DIR.resolve())
    return out


def rule_sets(folder: str | Path | None = None) -> dict[str, RuleSet]:
    """The English and Chinese rule sets from `folder` (default: the shipped templates)."""
    return _rules_in(str(Path(folder).resolve() if folder is not None else RULES_DIR))


def strip_quotes(text: str) -> str:
    return _QUOTED.sub(" ", text)


def classify_line(text: str, speaker: str, rules: dict[str, RuleSet] | None = None) -> list[str]:
    """The categories one line shows, in the order of CATEGORIES.

    `speaker` is 'question' (the interviewer) or 'answer'. The language is chosen per line.
    """
    rules = rules if rules is not None else rule_sets()
    text = text[:MAX_LINE_CHARS]
    ruleset = rules[detect_language(text)]
    seen = strip_quotes(text) if speaker == QUESTION else text
    lowered = seen.lower()
    found = {r.category for r in ruleset.rules if r.speaker == speaker and r.matches(seen, lowered)}
    return [c for c in CATEGORIES if c in found]
