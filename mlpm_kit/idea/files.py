"""Reading and writing idea files: safe loading, readable errors, atomic saves that keep comments.

`load_idea` reads one YAML file into a validated `Idea`; every problem becomes an
`IdeaFileError` naming the file, the dotted field path, the value and the fix.
`save_idea` writes an idea back, keeping the human's comments and key order, atomically:
a crash mid-save leaves the previous file intact.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import os
import re
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from mlpm_kit.errors import IdeaFileError, InputError, SaveConflict
from mlpm_kit.idea.atomic import atomic_write
from mlpm_kit.idea.disk import fingerprint, locked, text_fingerprint
from mlpm_kit.idea.estimates import EstimateError, parse_estimate
from mlpm_kit.idea.fields import PROBLEMS
from mlpm_kit.idea.limits import MAX_IDEA_BYTES
from mlpm_kit.idea.outcome import check_estimates_kept
from mlpm_kit.idea.safe_yaml import YamlRefused, check_yaml
from mlpm_kit.idea.schema import Idea, section_model
from mlpm_kit.idea.text_files import TextKind, read_text
from mlpm_kit.resources import kit_path

TEMPLATE = kit_path("templates", "idea.yaml")


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1_000_000_000  # never re-wrap a line: a save changes only the edited fields
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def dotted(loc: tuple) -> str:
    """('alternatives', 0, 'captures') -> 'alternatives[0].captures'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


IDEA_TEXT = TextKind(
    MAX_IDEA_BYTES,
    missing='no such file; check the path (mlpm new "Title" creates one).',
    not_file="is not a file; give an idea file (.yaml) or a folder of them.",
    too_big=f"an idea file is a small text file (under {MAX_IDEA_BYTES / 1e6:.0f} MB).",
)


def read_yaml_text(path: Path, max_bytes: int = MAX_IDEA_BYTES) -> str:
    """The file's text, or an `IdeaFileError` saying why it cannot be read."""
    kind = IDEA_TEXT if max_bytes == MAX_IDEA_BYTES else replace(IDEA_TEXT, max_bytes=max_bytes)
    try:
        return read_text(Path(path), kind)
    except InputError as exc:
        raise IdeaFileError(str(path), [(None, exc.reason)]) from None


def _yaml_problem(exc: YAMLError) -> str:
    if isinstance(exc, MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        problem = (exc.problem or "invalid YAML").strip()
        return (
            f"line {mark.line + 1}, column {mark.column + 1}: {problem}; fix the YAML syntax there."
        )
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid YAML"
    return f"{first}; fix the YAML syntax."


def parse_yaml(text: str, name: str) -> Any:
    """Round-trip parse with comments kept, after `safe_yaml.check_yaml` accepted the text.

    Refused before any value is built: aliases, anchors, tags, directives, complex keys,
    deep nesting, too many values, numbers too long or too big, impossible dates, and
    leading-zero numbers; duplicate keys are refused while loading.
    """
    try:
        check_yaml(text, leading_zeros=True)
    except YamlRefused as exc:
        raise IdeaFileError(name, [(exc.field, exc.reason)]) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ruamel's warnings are noise on stderr, never news
            return _yaml().load(text)
    except YAMLError as exc:
        message = str(exc)
        if "found duplicate key" in message:
            key = message.split('found duplicate key "', 1)[-1].split('"', 1)[0]
            line = getattr(getattr(exc, "problem_mark", None), "line", None)
            where = f"line {line + 1}: " if line is not None else ""
            raise IdeaFileError(
                name, [(key, f"{where}the key appears twice; keep one of them.")]
            ) from None
        raise IdeaFileError(name, [(None, _yaml_problem(exc))]) from None
    except (RecursionError, ValueError, OverflowError) as exc:  # checked above; a last guard
        raise IdeaFileError(
            name, [(None, f"cannot be read as YAML ({type(exc).__name__}); fix the file.")]
        ) from None


def _problems(error: dict) -> list[tuple[str, str]]:
    """Every (dotted field, message) problem of one validation error."""
    if error["type"] == PROBLEMS:
        where = dotted(tuple(error["loc"]))
        return [
            (f"{where}.{path}" if where else path, message)
            for path, message in error["ctx"]["problems"]
        ]
    return [_problem(error)]


def _problem(error: dict) -> tuple[str, str]:
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == PROBLEMS:
        return _problems(error)[0]
    if kind == "extra_forbidden":
        parent, key = loc[:-1], str(loc[-1])
        model = section_model(parent)
        valid = list(model.model_fields) if model else []
        close = difflib.get_close_matches(key, valid, n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'?" if close else f"valid keys here: {', '.join(valid)}."
        return dotted(loc), f"unknown key '{key}'; {hint}"
    if kind == "missing":
        return dotted(loc), "is required; add it (templates/idea.yaml shows every field)."
    message = error["msg"].removeprefix("Value error, ")
    if kind == "literal_error":
        message = f"{error['input']!r} is not allowed; {message[0].lower()}{message[1:]}."
    elif kind in ("model_type", "dict_type"):
        message = f"should be a section of keys, got {error['input']!r}."
    elif kind == "list_type":
        message = f"should be a list (lines starting with '- '), got {error['input']!r}."
    return dotted(loc), message


def validate_idea(data: Any, name: str, default_id: str | None = None) -> Idea:
    """Validate parsed YAML into an `Idea`, or raise `IdeaFileError` listing every problem."""
    if data is None:
        raise IdeaFileError(
            name, [(None, 'the file is empty; start from templates/idea.yaml (mlpm new "Title").')]
        )
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single value ({data!r})"
        raise IdeaFileError(
            name,
            [
                (
                    None,
                    f"the file holds {kind}; an idea file is a set of keys (title:, pain:, cost: ...).",
                )
            ],
        )
    try:
        idea = Idea.model_validate(data)
    except ValidationError as exc:
        # A misspelled key also makes the real one "missing": report the typo first.
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        raise IdeaFileError(name, [p for e in errors for p in _problems(e)]) from None
    if idea.id is None and default_id is not None:
        idea.id = default_id
        idea.model_fields_set.discard("id")  # derived, so saving does not write it into the file
    return idea


def id_from_file_name(stem: str) -> str:
    """The id an idea file without `id:` gets from its name: the name itself when it is a
    valid id, else its letters and digits joined by '-' ("my idea" -> "my-idea").

    >>> id_from_file_name("ticket-triage"), id_from_file_name("my idea (v2)")
    ('ticket-triage', 'my-idea-v2')
    """
    if re.fullmatch(r"\w[\w.-]{0,99}", stem):
        return stem
    return re.sub(r"[^\w.-]+", "-", stem).strip("-._")[:100].strip("-.") or "idea"


def load_idea(path: str | os.PathLike) -> Idea:
    """Load and validate one idea file.

    >>> idea = load_idea("examples/ideas/ticket-triage.yaml")
    >>> idea.title, str(idea.value.users)
    ('Auto-triage of support tickets', '120 to 250')
    """
    path = Path(path)
    text = read_yaml_text(path)
    data = parse_yaml(text, str(path))
    stem = path.name.removesuffix(".yaml").removesuffix(".yml")
    try:
        idea = validate_idea(data, str(path), default_id=id_from_file_name(stem))
    except IdeaFileError:
        raise
    if idea.id is None:
        raise IdeaFileError(
            str(path), [("id", "cannot be derived from the file name; add an id: key.")]
        )
    idea._source = path
    return idea


def idea_data(idea: Idea) -> dict:
    """The idea as plain YAML-ready data, leaving out fields the file never set."""
    return idea.model_dump(mode="python", exclude_unset=True)


def _merge(target: Any, new: Any) -> Any:
    """Write `new` into the round-trip structure `target`, keeping comments and key order."""
    if isinstance(target, CommentedMap) and isinstance(new, dict):
        for key in [k for k in target if k not in new]:
            del target[key]
        for key, value in new.items():
            target[key] = _merge(target[key], value) if key in target else _fresh(value)
        return target
    if isinstance(target, CommentedSeq) and isinstance(new, list):
        del target[len(new) :]
        for i, value in enumerate(new):
            if i < len(target):
                target[i] = _merge(target[i], value)
            else:
                target.append(_fresh(value))
        return target
    if _same_value(target, new):
        return target  # keep the person's own spelling: {low: 1, high: 2}, "1,000", quotes
    return _fresh(new)


def _same_value(old: Any, new: Any) -> bool:
    if old == new and type(old) is type(new):
        return True
    try:
        return parse_estimate(old) == parse_estimate(new)
    except EstimateError:
        return False


def _fresh(value: Any) -> Any:
    if isinstance(value, dict):
        return CommentedMap((k, _fresh(v)) for k, v in value.items())
    if isinstance(value, list):
        return CommentedSeq(_fresh(v) for v in value)
    return value


def save_idea(
    idea: Idea, path: str | os.PathLike | None = None, *, allow_estimate_changes: bool = False
) -> Path:
    """Save `idea` to `path` (default: the file it was loaded from), atomically, keeping comments.

    The existing file's comments, key order and line layout are kept; only changed values
    are rewritten, so a `git diff` shows just the edited fields. The idea is validated
    first, so invalid data never reaches the disk. When the file on disk records
    `outcome.actual`, its estimates are kept as decided: a save that would change one
    raises `InputError`, unless `allow_estimate_changes=True`.
    """
    target = Path(path) if path is not None else getattr(idea, "_source", None)
    if target is None:
        raise InputError("save_idea needs a path for an idea that was not loaded from a file.")
    write_idea(idea, target, allow_estimate_changes=allow_estimate_changes)
    return target


def write_idea(
    idea: Idea,
    target: Path,
    expected: str | None = None,
    comments: dict[tuple, str] | None = None,
    allow_estimate_changes: bool = False,
) -> str:
    """`save_idea`, refusing with `SaveConflict` if the file's fingerprint is no longer `expected`.

    The check and the write happen under one lock (`disk.locked`), so no other writer can
    slip in between. `comments` sets the end-of-line comment of the given fields (by path),
    in the column of the comment it replaces. Returns the fingerprint of the file as written.
    """
    checked = Idea.model_validate(idea_data(idea))
    data = idea_data(checked)
    with locked(target):
        if expected is not None and fingerprint(target) != expected:
            raise SaveConflict(
                f"{target}: the file was changed by someone else (another tab, a participant "
                "or an editor) since it was read; this change was not saved so that theirs is "
                "not lost. Reload the file, then make the change again."
            )
        doc: Any = CommentedMap()
        if target.exists():
            try:
                existing = parse_yaml(read_yaml_text(target), str(target))
            except IdeaFileError:
                existing = None
            if isinstance(existing, CommentedMap):
                doc = existing
                if not allow_estimate_changes:
                    try:
                        before = validate_idea(existing, str(target))
                    except IdeaFileError:
                        before = None
                    if before is not None:
                        check_estimates_kept(before, checked, str(target))
        doc = _merge(doc, data)
        for path, comment in (comments or {}).items():
            set_comment(doc, path, comment)
        text = dump_yaml(doc)
        atomic_write(target, text)
    idea._source = target
    return text_fingerprint(text)


def set_comment(doc: Any, path: tuple, text: str) -> None:
    """Make `text` the end-of-line comment of the field at `path` (keeping the old one's column)."""
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    old = parent.ca.items.get(path[-1])
    token = old[2] if old and len(old) > 2 else None
    if token is not None:
        token.value = f"# {text}\n"
    else:
        parent.yaml_add_eol_comment(f"# {text}", path[-1])


def comment_of(doc: Any, path: tuple) -> str:
    """The end-of-line comment of the field at `path`, without '#', or ''."""
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    old = parent.ca.items.get(path[-1]) if hasattr(parent, "ca") else None
    token = old[2] if old and len(old) > 2 else None
    return token.value.strip().lstrip("#").strip() if token is not None else ""


def dump_yaml(doc: Any) -> str:
    """Round-trip YAML text without trailing spaces, unless removing one would change the data."""
    buffer = io.StringIO()
    _yaml().dump(doc, buffer)
    text = buffer.getvalue()
    tidy = "\n".join(line.rstrip() for line in text.split("\n"))
    if tidy == text:
        return text
    with contextlib.suppress(YAMLError):  # e.g. trailing spaces inside a block scalar are data
        if YAML(typ="safe").load(tidy) == YAML(typ="safe").load(text):
            return tidy
    return text


def new_idea(title: str, folder: str | os.PathLike = ".") -> Path:
    """Create `folder/<id>.yaml` from the blank template with `title` filled in."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    slug = (
        "-".join("".join(c if c.isalnum() else " " for c in title.lower()).split())[:60] or "idea"
    )
    target = folder / f"{slug}.yaml"
    n = 2
    while target.exists():
        target = folder / f"{slug}-{n}.yaml"
        n += 1
    doc = parse_yaml(read_yaml_text(TEMPLATE), str(TEMPLATE))
    doc["id"] = target.stem
    doc["title"] = title
    atomic_write(target, dump_yaml(doc))
    return target
