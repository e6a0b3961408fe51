"""Reading and writing idea files: safe loading, readable errors, atomic saves that keep comments.

`load_idea` reads one YAML file into a validated `Idea`, with the defaults of the mlpm.yaml
files above it (`folder_defaults`); every problem becomes one line of an `IdeaFileError`
naming the file, the dotted field path, the value and the fix (see `idea.validation`).
`save_idea` writes an idea back, keeping the human's comments and key order, atomically:
a crash mid-save leaves the previous file intact.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.tokens import CommentToken

from mlpm_kit.errors import IdeaFileError, InputError, SaveConflict
from mlpm_kit.idea.atomic import atomic_write
from mlpm_kit.idea.defaults import (
    DEFAULTS_FILE,
    NONE,
    FolderDefaults,
    check_file,
    merge_chain,
    shown_path,
)
from mlpm_kit.idea.disk import fingerprint, locked, text_fingerprint
from mlpm_kit.idea.estimates import EstimateError, parse_estimate
from mlpm_kit.idea.limits import MAX_IDEA_BYTES
from mlpm_kit.idea.outcome import check_estimates_kept
from mlpm_kit.idea.safe_yaml import YamlRefused, load_yaml
from mlpm_kit.idea.schema import Idea
from mlpm_kit.idea.text_files import TextKind, read_text
from mlpm_kit.idea.validation import validate_idea
from mlpm_kit.resources import kit_path

TEMPLATE = kit_path("templates", "idea.yaml")


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1_000_000_000  # never re-wrap a line: a save changes only the edited fields
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


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


# What ruamel refuses and libyaml accepts (found by comparing the two on generated texts).
_RUAMEL_STRICTER = re.compile(r"[\t\ufeff\x85\u2028\u2029]|\r(?!\n)|[|>][-+0-9]*#")


def read_yaml(text: str, name: str) -> Any:
    """The values of an idea file's text, for reading only: plain dicts, lists and scalars
    built in one pass of libyaml's C parser (`safe_yaml.load_yaml`), equal to what
    `parse_yaml` gives. Refused: what `parse_yaml` refuses, with the same messages.

    The few texts ruamel reads more strictly than libyaml are read by ruamel (as
    `parse_yaml`), so that reading and saving agree: a tab (ruamel refuses `a: b<tab>`) and
    a block scalar's header touching a comment (`|#`), a
    carriage return alone as a line break.
    """
    values = _checked(text, name)
    return _round_trip(text, name) if _RUAMEL_STRICTER.search(text) else values


def parse_yaml(text: str, name: str) -> Any:
    """Round-trip parse with comments kept, for a file that is going to be saved, after
    `safe_yaml.check_yaml` accepted the text (use `read_yaml` to only read it).

    Refused before any value is built: aliases, anchors, tags, directives, complex keys,
    merge keys, duplicate keys, deep nesting, too many values, numbers too long or too big,
    impossible dates, and leading-zero numbers.
    """
    _checked(text, name)
    return _round_trip(text, name)


def _checked(text: str, name: str) -> Any:
    """`safe_yaml.load_yaml`'s values, its refusals as `IdeaFileError`."""
    try:
        return load_yaml(text, leading_zeros=True)
    except YamlRefused as exc:
        raise IdeaFileError(name, [(exc.field, exc.reason)]) from None
    except (RecursionError, ValueError, OverflowError) as exc:  # `-_` matches the int pattern
        raise _unreadable(name, exc) from None


def _round_trip(text: str, name: str) -> Any:
    """ruamel's round-trip values (comments kept) of a text `_checked` accepted."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ruamel's warnings are noise on stderr, never news
            return _yaml().load(text)
    except YAMLError as exc:
        raise IdeaFileError(name, [(None, _yaml_problem(exc))]) from None
    except (RecursionError, ValueError, OverflowError) as exc:  # checked above; a last guard
        raise _unreadable(name, exc) from None


def _unreadable(name: str, exc: Exception) -> IdeaFileError:
    return IdeaFileError(
        name, [(None, f"cannot be read as YAML ({type(exc).__name__}); fix the file.")]
    )


_DEFAULTS_CACHE: dict[tuple, tuple[dict[str, Any], dict[str, float]]] = {}


def _defaults_file(path: Path) -> tuple[str, dict[str, Any], dict[str, float]]:
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    name = shown_path(path)
    if key not in _DEFAULTS_CACHE:
        _DEFAULTS_CACHE[key] = check_file(read_yaml(read_yaml_text(path), name), name)
    return (name, *_DEFAULTS_CACHE[key])


def folder_defaults(folder: str | os.PathLike) -> FolderDefaults:
    """What the mlpm.yaml files in `folder` and its parent folders set; the nearest wins."""
    start = Path(folder).resolve()
    chain = [d / DEFAULTS_FILE for d in (start, *start.parents) if (d / DEFAULTS_FILE).is_file()]
    return merge_chain([_defaults_file(p) for p in reversed(chain)])


def id_from_file_name(stem: str) -> str:
    """The id an idea file without `id:` gets from its name: the name itself when it is a
    valid id, else its letters and digits joined by '-' ("my idea" -> "my-idea").

    >>> id_from_file_name("ticket-triage"), id_from_file_name("my idea (v2)")
    ('ticket-triage', 'my-idea-v2')
    """
    if re.fullmatch(r"\w[\w.-]{0,99}", stem):
        return stem
    return re.sub(r"[^\w.-]+", "-", stem).strip("-._")[:100].strip("-.") or "idea"


def load_idea(path: str | os.PathLike, defaults: FolderDefaults | None = None) -> Idea:
    """Load and validate one idea file, with the defaults of the mlpm.yaml files above it
    (`defaults`: those already found for its folder, when reading many files).

    >>> idea = load_idea("examples/ideas/ticket-triage.yaml")
    >>> idea.title, str(idea.value.users), idea.currency
    ('Auto-triage of support tickets', '120 to 250', 'USD')
    """
    path = Path(path)
    data = read_yaml(read_yaml_text(path), str(path))
    stem = path.name.removesuffix(".yaml").removesuffix(".yml")
    if defaults is None:
        defaults = folder_defaults(path.parent)
    idea = validate_idea(data, str(path), default_id=id_from_file_name(stem), defaults=defaults)
    if idea.id is None:
        raise IdeaFileError(
            str(path), [("id", "cannot be derived from the file name; add an id: key.")]
        )
    idea._source = path
    return idea


def idea_data(idea: Idea, with_defaults: bool = False) -> dict:
    """The idea as plain YAML-ready data, leaving out fields the file never set.

    `with_defaults` adds what the folder's mlpm.yaml set and the currency, so the data
    stands on its own elsewhere (a spreadsheet written to another folder).
    """
    data = idea.model_dump(mode="python", exclude_unset=True)
    if with_defaults:
        full = idea.model_dump(mode="python")
        for path in sorted(getattr(idea, "_filled", set()) | {"currency"}):
            section, _, name = path.rpartition(".")
            if section:
                data.setdefault(section, {})[name] = full[section][name]
            elif full[name] is not None:
                data[name] = full[name]
    return data


def _merge(target: Any, new: Any) -> Any:
    """Write `new` into the round-trip structure `target`, keeping comments and key order."""
    if isinstance(target, CommentedMap) and isinstance(new, dict):
        for key in [k for k in target if k not in new]:
            del target[key]
        for key, value in new.items():
            if key in target:
                target[key] = _merge(target[key], value)
            else:
                _append(target, key, _fresh(value))
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


def _append(target: CommentedMap, key: Any, value: Any) -> None:
    """Add a key at the end of a block, before the blank lines that close it.

    ruamel keeps the blank lines after a block in the last key's end-of-line comment; they
    move to the new key, so the block stays together.
    """
    last = next(reversed(target), None) if len(target) else None
    target[key] = value
    tokens = target.ca.items.get(last) if last is not None else None
    if not tokens or len(tokens) < 3 or tokens[2] is None or isinstance(value, dict | list):
        return
    head, _, tail = tokens[2].value.partition("\n")
    if tail.strip("\n") or not tail:
        return  # comment lines after the block: leave the layout as it is
    tokens[2].value = head + "\n"
    target.ca.items[key] = [None, None, CommentToken("\n" + tail, tokens[2].start_mark), None]


def _plain_type(value: Any) -> type:
    """The built-in type of a value the round-trip parser read (`ScalarFloat` -> float);
    the fast reader gives the built-in types themselves."""
    for kind in (bool, int, float, str, dt.datetime, dt.date):
        if isinstance(value, kind):
            return kind
    return type(value)


def _same_value(old: Any, new: Any) -> bool:
    if old == new and _plain_type(old) is _plain_type(new):
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
    are rewritten, so a `git diff` shows just the edited fields. Values the idea's mlpm.yaml
    set are not written, unless the target folder's mlpm.yaml files set them differently
    (saving elsewhere keeps the idea's numbers). The idea is validated first, so invalid
    data never reaches the disk. When the file on disk records `outcome.actual`, its
    estimates are kept as decided: a save that would change one raises `InputError`,
    unless `allow_estimate_changes=True`.
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
    checked, data = _data_to_write(idea, target)
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
                        before = validate_idea(existing, str(target), defaults=checked._defaults)
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


def _data_to_write(idea: Idea, target: Path) -> tuple[Idea, dict]:
    """The idea validated for `target`'s folder, and its keys as they go into the file: values
    its own mlpm.yaml filled in are left out, unless `target`'s folder sets them differently."""
    there = folder_defaults(target.parent)
    own: FolderDefaults = getattr(idea, "_defaults", None) or NONE
    data = idea_data(idea)
    full = idea_data(idea, with_defaults=True)
    for key in getattr(idea, "_filled", set()):
        if own.values.get(key) != there.values.get(key):
            section, _, name = key.rpartition(".")
            if section:
                data.setdefault(section, {})[name] = full[section][name]
            else:
                data[name] = full[name]
    checked = validate_idea(data, str(target), defaults=there)
    return checked, idea_data(checked)


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
    """Create `folder/<id>.yaml` from the blank template with `title` filled in, leaving out
    what the mlpm.yaml files of the folder set."""
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
    # What the folder's mlpm.yaml sets is left out, so the idea follows the folder's value.
    defaults = folder_defaults(folder)
    for path in defaults.values:
        section, _, name = path.rpartition(".")
        block = doc.get(section) if section else doc
        if isinstance(block, dict) and name in block:
            del block[name]
    for section in [k for k, v in doc.items() if isinstance(v, dict) and not v]:
        del doc[section]
    header = ""
    if defaults.values:
        sources = ", ".join(sorted(set(defaults.sources.values())))
        header = (
            f"# Left out because {sources} sets them for this folder: "
            f"{', '.join(sorted(defaults.values))}.\n# Add one back to give this idea its own value.\n"
        )
    atomic_write(target, header + dump_yaml(doc))
    return target
