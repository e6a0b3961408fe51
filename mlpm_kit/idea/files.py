"""Reading and writing idea files: safe loading, readable errors, atomic saves that keep comments.

`load_idea` reads one YAML file into a validated `Idea`, with the defaults of the mlpm.yaml
files above it (`folder_defaults`); every problem becomes one line of an `IdeaFileError`
naming the file, the dotted field path, the value and the fix (see `idea.validation`).
`save_idea` writes an idea back, keeping the human's comments and key order, atomically:
a crash mid-save leaves the previous file intact.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, ScalarEvent
from ruamel.yaml.tokens import CommentToken

from mlpm_kit.errors import IdeaFileError, InputError
from mlpm_kit.idea.defaults import (
    DEFAULTS_FILE,
    NONE,
    FolderDefaults,
    check_file,
    merge_chain,
    shown_path,
)
from mlpm_kit.idea.estimates import EstimateError, parse_estimate
from mlpm_kit.idea.schema import Idea
from mlpm_kit.idea.validation import validate_idea
from mlpm_kit.resources import kit_path

# Idea files are a page or two of text; anything far bigger is not an idea file.
MAX_IDEA_BYTES = 1_000_000
TEMPLATE = kit_path("templates", "idea.yaml")


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def read_yaml_text(path: Path, max_bytes: int = MAX_IDEA_BYTES) -> str:
    """The file's text, or an `IdeaFileError` saying why it cannot be read."""
    name = str(path)
    if not path.exists():
        raise IdeaFileError(
            name, [(None, 'no such file; check the path (mlpm new "Title" creates one).')]
        )
    if not path.is_file():
        raise IdeaFileError(
            name, [(None, "is not a file; give an idea file (.yaml) or a folder of them.")]
        )
    size = path.stat().st_size
    if size > max_bytes:
        raise IdeaFileError(
            name,
            [
                (
                    None,
                    f"is {size / 1e6:.1f} MB; an idea file is a small text file (under {max_bytes / 1e6:.0f} MB).",
                )
            ],
        )
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IdeaFileError(
            name,
            [(None, f"is not UTF-8 text (byte {exc.start}); save it as UTF-8 in your editor.")],
        ) from None


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
    """Round-trip parse with comments kept; rejects aliases, leading-zero numbers and duplicates."""
    yaml = _yaml()
    try:
        for event in yaml.parse(io.StringIO(text)):
            if isinstance(event, AliasEvent):
                line = event.start_mark.line + 1
                raise IdeaFileError(
                    name,
                    [
                        (
                            None,
                            f"line {line}: YAML aliases (*{event.anchor}) are not allowed in idea files; write the value out.",
                        )
                    ],
                )
            if (
                isinstance(event, ScalarEvent)
                and event.style is None
                and len(event.value) > 1
                and event.value[0] == "0"
                and event.value.isdigit()
            ):
                line = event.start_mark.line + 1
                raise IdeaFileError(
                    name,
                    [
                        (
                            None,
                            f"line {line}: {event.value} has a leading zero, which YAML readers may read as octal; write {int(event.value)}, or quote it if it is text.",
                        )
                    ],
                )
        return yaml.load(text)
    except IdeaFileError:
        raise
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
    except RecursionError:
        raise IdeaFileError(name, [(None, "is nested too deeply to be an idea file.")]) from None


_DEFAULTS_CACHE: dict[tuple, tuple[dict[str, Any], dict[str, float]]] = {}


def _defaults_file(path: Path) -> tuple[str, dict[str, Any], dict[str, float]]:
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    name = shown_path(path)
    if key not in _DEFAULTS_CACHE:
        _DEFAULTS_CACHE[key] = check_file(parse_yaml(read_yaml_text(path), name), name)
    return (name, *_DEFAULTS_CACHE[key])


def folder_defaults(folder: str | os.PathLike) -> FolderDefaults:
    """What the mlpm.yaml files in `folder` and its parent folders set; the nearest wins."""
    start = Path(folder).resolve()
    chain = [d / DEFAULTS_FILE for d in (start, *start.parents) if (d / DEFAULTS_FILE).is_file()]
    return merge_chain([_defaults_file(p) for p in reversed(chain)])


def load_idea(path: str | os.PathLike) -> Idea:
    """Load and validate one idea file, with the defaults of the mlpm.yaml files above it.

    >>> idea = load_idea("examples/ideas/ticket-triage.yaml")
    >>> idea.title, str(idea.value.users), idea.currency
    ('Auto-triage of support tickets', '120 to 250', 'USD')
    """
    path = Path(path)
    text = read_yaml_text(path)
    data = parse_yaml(text, str(path))
    stem = path.name.removesuffix(".yaml").removesuffix(".yml")
    defaults = folder_defaults(path.parent)
    idea = validate_idea(data, str(path), default_id=stem, defaults=defaults)
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


def atomic_write_text(path: Path, text: str) -> None:
    """Write `text` to `path` so that a crash at any point leaves the old file or the new one.

    A temporary file in the same folder is written, flushed and fsynced, then moved over
    the target with `os.replace`, which is atomic on POSIX and Windows.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:  # mkstemp makes the file private (0600); a new file gets the usual umask mode
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def save_idea(idea: Idea, path: str | os.PathLike | None = None) -> Path:
    """Save `idea` to `path` (default: the file it was loaded from), atomically, keeping comments.

    The existing file's comments and key order are kept; only changed values are rewritten.
    Values the idea's mlpm.yaml set are not written, unless the target folder's mlpm.yaml
    files set them differently (saving elsewhere keeps the idea's numbers).
    The idea is validated first, so invalid data never reaches the disk.
    """
    target = Path(path) if path is not None else getattr(idea, "_source", None)
    if target is None:
        raise InputError("save_idea needs a path for an idea that was not loaded from a file.")
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
    data = idea_data(validate_idea(data, str(target), defaults=there))
    doc: Any = CommentedMap()
    if target.exists():
        try:
            existing = parse_yaml(read_yaml_text(target), str(target))
        except IdeaFileError:
            existing = None
        if isinstance(existing, CommentedMap):
            doc = existing
    doc = _merge(doc, data)
    buffer = io.StringIO()
    _yaml().dump(doc, buffer)
    atomic_write_text(target, buffer.getvalue())
    idea._source = target
    return target


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
    buffer = io.StringIO()
    if defaults.values:
        sources = ", ".join(sorted(set(defaults.sources.values())))
        buffer.write(
            f"# Left out because {sources} sets them for this folder: "
            f"{', '.join(sorted(defaults.values))}.\n# Add one back to give this idea its own value.\n"
        )
    _yaml().dump(doc, buffer)
    atomic_write_text(target, buffer.getvalue())
    return target
