"""The PM's marks in interview notes: the last word on every finding of the bias check.

A mark is a short tag in braces at the end of a line of notes; it survives editing because it
is plain text on the line it is about:

- `{disconfirming}`: the line shows this category, whatever the checker says (any category
  name; several marks may follow each other: `{workaround} {commitment}`).
- `{not: hypothetical_question}`: the line does not show it; the checker's finding is dropped.
- `{ok}`: every finding of the checker on this line is right; `{ok: pitching}` confirms one.

Marks are read and stripped before a line is checked, so they never change what the rules
see. A mark that names no category is reported in the interview's notes and ignored.
`write_mark` adds a mark to a notes file (the notebook's buttons call it), atomically with
the kit's writer, keeping every other byte of the file.

>>> parse_marks("We'd never pay for that. {disconfirming} {not: future_promise}")
("We'd never pay for that.", Marks(add=frozenset({'disconfirming'}), drop=frozenset({'future_promise'}), ok=frozenset(), ok_all=False), [])
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from mlpm_kit.errors import InputError
from mlpm_kit.idea.atomic import atomic_write
from mlpm_kit.interviews.rules import CATEGORIES

# `{word}` or `{not: word}` / `{ok: word}` at the end of a line, one or more of them.
_MARK = re.compile(r"\{\s*(?:(not|ok)\s*[:：]\s*)?([a-z_ -]+?)\s*\}|\{\s*(ok)\s*\}", re.IGNORECASE)
_TRAILING = re.compile(r"(?:\s*\{\s*(?:(?:not|ok)\s*[:：]\s*)?[a-z_ -]+\s*\})+\s*$", re.IGNORECASE)
KINDS = ("add", "not", "ok")


@dataclass(frozen=True)
class Marks:
    """What a person said about one line."""

    add: frozenset[str] = frozenset()
    drop: frozenset[str] = frozenset()
    ok: frozenset[str] = frozenset()
    ok_all: bool = False

    def __bool__(self) -> bool:
        return bool(self.add or self.drop or self.ok or self.ok_all)

    def confirms(self, category: str) -> bool:
        return self.ok_all or category in self.ok or category in self.add


NO_MARKS = Marks()


def _category(word: str) -> str | None:
    key = re.sub(r"[\s-]+", "_", word.strip().lower())
    return key if key in CATEGORIES else None


def parse_marks(text: str) -> tuple[str, Marks, list[str]]:
    """(the line without its trailing marks, the marks, problems to report)."""
    m = _TRAILING.search(text)
    if m is None:
        return text, NO_MARKS, []
    add, drop, ok, ok_all, problems = set(), set(), set(), False, []
    for kind, word, bare_ok in _MARK.findall(m.group(0)):
        if bare_ok or (not kind and word.strip().lower() == "ok"):
            ok_all = True
            continue
        category = _category(word)
        if category is None:
            close = difflib.get_close_matches(word.strip().lower(), CATEGORIES, n=1)
            hint = f"did you mean {{{close[0]}}}? " if close else ""
            problems.append(
                f"mark {{{word.strip()}}} names no category; {hint}ignored "
                f"(the categories are {', '.join(CATEGORIES)})."
            )
            continue
        {"not": drop, "ok": ok}.get(kind.lower(), add).add(category)
    marks = Marks(frozenset(add - drop), frozenset(drop), frozenset(ok - drop), ok_all)
    return text[: m.start()].rstrip(), marks, problems


def mark_text(kind: str, category: str | None = None) -> str:
    """The mark as written in the notes: `{disconfirming}`, `{not: pitching}`, `{ok}`."""
    if kind not in KINDS:
        raise InputError(f"mark kind {kind!r} is not one of {', '.join(KINDS)}.")
    if category is not None and category not in CATEGORIES:
        raise InputError(
            f"{category!r} is not a category; the categories are {', '.join(CATEGORIES)}."
        )
    if kind == "add":
        if category is None:
            raise InputError("a tag mark needs a category, e.g. {disconfirming}.")
        return f"{{{category}}}"
    if kind == "not":
        if category is None:
            raise InputError("a dismissal needs a category, e.g. {not: pitching}.")
        return f"{{not: {category}}}"
    return "{ok}" if category is None else f"{{ok: {category}}}"


def write_mark(path: str | Path, line: int, kind: str, category: str | None = None) -> str:
    """Add a mark to line `line` (1-based) of a notes file, atomically; returns the new line.

    A mark about the same category that says otherwise is replaced (`{not: pitching}` replaces
    `{ok: pitching}` and `{pitching}`); the rest of the file is kept byte for byte.
    """
    path = Path(path)
    new = mark_text(kind, category)
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines(keepends=True)
    if not 1 <= line <= len(lines):
        raise InputError(f"has no line {line}; it has {len(lines)}.", file=str(path))
    body = lines[line - 1]
    ending = body[len(body.rstrip("\r\n")) :]
    text = body[: len(body) - len(ending)]
    m = _TRAILING.search(text)
    kept_text, old = (text[: m.start()].rstrip(), m.group(0)) if m else (text.rstrip(), "")
    kept = [mark.group(0) for mark in _MARK.finditer(old) if not _same_subject(mark, category)]
    updated = " ".join([kept_text, *kept, new])
    lines[line - 1] = updated + ending
    atomic_write(path, ("\ufeff" if bom else "") + "".join(lines))
    return updated


def _same_subject(mark: re.Match, category: str | None) -> bool:
    """Whether an existing mark is about what the new one decides (and so gives way to it)."""
    kind, word, bare_ok = mark.groups()
    if category is None:
        return bool(bare_ok) or (not kind and word.strip().lower() == "ok")
    return _category(word or "") == category


def finding_source(
    category: str, by_rules: set[str], by_model: set[str], marks: Marks
) -> str | None:
    """Who found `category` on a line: 'rules', 'model', 'person' (a mark), or None."""
    if category in by_rules:
        return "rules"
    if category in by_model:
        return "model"
    return "person" if category in marks.add else None
