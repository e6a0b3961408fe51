"""Turning command-line paths into ideas: folders, files, and the problems found on the way.

A folder with one bad idea among good ones still yields the good ones; each bad file is
reported on its own as an `InputError` (listing all of its problems), and so is an idea
whose interview notes cannot be found.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from mlpm_kit.errors import IdeaFileError, InputError, MlpmError
from mlpm_kit.idea.defaults import DEFAULTS_FILE, FolderDefaults
from mlpm_kit.idea.files import folder_defaults, load_idea
from mlpm_kit.idea.schema import Idea
from mlpm_kit.idea.sheets import SHEET_SUFFIXES, read_sheet_rows
from mlpm_kit.idea.text_files import linked_outside

NOTES_SUFFIXES = (".md", ".markdown", ".txt")
# Folders outside an idea's project from which its notes may be read (os.pathsep-separated).
ALLOWED_NOTES_ENV = "MLPM_NOTES_DIRS"
# How far around an idea's folder the closest notes file to a missing one is looked for.
_NEAR_FILES = 2000

IDEA_SUFFIXES = (".yaml", ".yml")
# Above this many idea files, they are read in parallel processes (when cores are idle).
PARALLEL_ABOVE = 400
# A workshop's group estimates live beside their idea (`x.estimates.yaml`) and are not ideas.
ESTIMATES_SUFFIX = ".estimates.yaml"


def is_idea_file(path: Path) -> bool:
    """A file a folder of ideas counts as an idea: YAML, not hidden, not group estimates,
    not the folder's defaults (mlpm.yaml)."""
    return (
        path.suffix in IDEA_SUFFIXES
        and not path.name.startswith(".")
        and not path.name.endswith(ESTIMATES_SUFFIX)
        and path.name != DEFAULTS_FILE
    )


def idea_files(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Expand folders to their idea files (sorted); keep files as given."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if is_idea_file(p))
            if not found:
                raise InputError(
                    'the folder has no idea files (*.yaml); create one with mlpm new "Title".',
                    file=str(path),
                )
            for p in found:  # a link out of the folder would read (and quote) any file
                if p.is_symlink() and linked_outside(p, path) is not None:
                    raise InputError(
                        "is a link to a file outside the folder; copy the idea file in instead.",
                        file=str(p),
                    )
            files.extend(found)
        else:
            files.append(path)
    return files


def load_ideas(paths: Iterable[str | os.PathLike]) -> tuple[list[Idea], list[MlpmError]]:
    """Load every idea under `paths`; return the good ones and the errors of the bad ones.

    A `.csv` or `.xlsx` path is a spreadsheet of ideas (see `idea.sheets`). Two ideas with
    the same id are an error for the second one.
    """
    ideas: list[Idea] = []
    errors: list[MlpmError] = []
    seen: dict[str, Path] = {}
    for path, idea in _each_idea(idea_files(paths), errors):
        if idea.id in seen:
            errors.append(
                InputError(
                    f"the id '{idea.id}' is also used by {seen[idea.id]}; give each idea its own id.",
                    file=str(path),
                    field="id",
                )
            )
            continue
        seen[idea.id] = path
        ideas.append(idea)
    return ideas, errors


def _each_idea(files: list[Path], errors: list[MlpmError]) -> Iterator[tuple[Path, Idea]]:
    """(file, idea) for every idea in `files` whose notes exist; errors go to `errors`."""
    loaded = _load_many([p for p in files if p.suffix.lower() not in SHEET_SUFFIXES])
    for path in files:
        try:
            if path.suffix.lower() in SHEET_SUFFIXES:
                ideas, error = read_sheet_rows(path)
                if error is not None:
                    errors.append(error)
            else:
                # A file the workers could not read is read again here, for its error.
                ideas = [loaded.get(path) or load_idea(path)]
        except MlpmError as exc:
            # A bad mlpm.yaml fails every idea below it: report it once.
            if all(str(exc) != str(seen) for seen in errors):
                errors.append(exc)
            continue
        for idea in ideas:
            try:
                interview_paths(idea)
            except MlpmError as exc:
                errors.append(exc)
                continue
            yield path, idea


def _notes_near(base: Path) -> list[str]:
    """Notes files in `base`'s parent folder and two levels below it (`base` itself and its
    siblings, such as ../interviews), relative to `base`."""
    root = base.parent
    found: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root):
        depth = len(Path(dirpath).relative_to(root).parts)
        dirnames[:] = [] if depth >= 2 else [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.lower().endswith(NOTES_SUFFIXES):
                found.add(os.path.relpath(Path(dirpath) / name, base).replace(os.sep, "/"))
                if len(found) >= _NEAR_FILES:
                    return sorted(found)
    return sorted(found)


def closest_notes(entry: str, base: Path) -> str | None:
    """The existing notes file whose path (relative to `base`) is closest to `entry`."""
    near = _notes_near(base)
    close = difflib.get_close_matches(entry, near, n=1, cutoff=0.5)
    if close:
        return close[0]
    by_name = [p for p in near if Path(p).name == Path(entry).name]
    return by_name[0] if by_name else None


def notes_roots(idea_file: Path | None) -> list[Path]:
    """The folders an idea's notes may be in: its project (the idea's folder and the folders
    beside it, such as ../interviews) and the folders listed in $MLPM_NOTES_DIRS."""
    base = (Path(idea_file).parent if idea_file is not None else Path(".")).resolve()
    extra = [Path(p) for p in os.environ.get(ALLOWED_NOTES_ENV, "").split(os.pathsep) if p]
    return [base.parent, *extra]


def listed_notes_path(entry: str, idea_file: Path | None) -> Path:
    """The notes file an idea lists, or a `ValueError` saying why it may not be read.

    Only regular Markdown or text files inside `notes_roots` are read, after resolving
    symbolic links; an absolute path only inside a folder of $MLPM_NOTES_DIRS. Notes text
    ends up in reports: an idea file must never make the kit read another kind of file.
    """
    base = Path(idea_file).parent if idea_file is not None else Path(".")
    roots = notes_roots(idea_file)
    raw = Path(entry)
    if raw.is_absolute() and not any(linked_outside(raw, r) is None for r in roots[1:]):
        raise ValueError(
            f"{entry!r} is an absolute path; write it relative to the idea file (or list its "
            f"folder in ${ALLOWED_NOTES_ENV})."
        )
    path = base / raw
    if path.suffix.lower() not in NOTES_SUFFIXES:
        raise ValueError(
            f"{entry!r} is not interview notes; list Markdown or text files "
            f"({', '.join(NOTES_SUFFIXES)})."
        )
    try:
        real = path.resolve()
        regular = real.is_file()
    except (OSError, RuntimeError):
        real, regular = path, False
    if not regular:
        close = closest_notes(entry, base)
        hint = f"the closest existing file is {close!r}" if close else "no notes files are near it"
        raise ValueError(
            f"{entry!r} does not exist (resolved against {base.resolve()}); {hint}. "
            "Fix the path (relative to the idea file) or remove it from the list."
        )
    if all(not real.is_relative_to(r.resolve()) for r in roots):
        raise ValueError(
            f"{entry!r} leads outside the idea's project folder {roots[0]} (to {real}); keep "
            f"notes beside the ideas, or list their folder in ${ALLOWED_NOTES_ENV}."
        )
    if real.suffix.lower() not in NOTES_SUFFIXES:
        raise ValueError(
            f"{entry!r} is a link to {real.name}, which is not interview notes; list the notes "
            "file itself."
        )
    return path


def interview_paths(idea: Idea) -> list[Path]:
    """The notes files the idea lists, resolved against the idea file's folder.

    Only these files are ever read (see `listed_notes_path`); entries that may not be read
    are one `IdeaFileError` naming the idea file, each entry as written, the folder it was
    resolved against and the closest existing notes file.
    """
    source = getattr(idea, "_source", None)
    name = str(source) if source is not None else (idea.id or "the idea")
    if source is not None and Path(source).suffix.lower() in SHEET_SUFFIXES:
        name = f"{source} (idea {idea.id})"
    out: list[Path] = []
    problems: list[tuple[str | None, str]] = []
    for i, entry in enumerate(idea.evidence.interviews):
        try:
            out.append(listed_notes_path(entry, source))
        except ValueError as exc:
            problems.append((f"evidence.interviews[{i}]", str(exc)))
    if problems:
        raise IdeaFileError(name, problems)
    return out


def check_portfolio_path(path: str | os.PathLike) -> Path:
    """`path` if it can hold a portfolio (a folder, an idea file, a .csv or an .xlsx)."""
    path = Path(path)
    if not (path.is_dir() or path.suffix in IDEA_SUFFIXES or path.suffix.lower() in SHEET_SUFFIXES):
        raise InputError(
            "is not a folder, an idea file (.yaml), a .csv or an .xlsx.", file=str(path)
        )
    return path


def _load_or_none(path: Path, defaults: FolderDefaults | None = None) -> Idea | None:
    """The idea of one file, or None if it has a problem (the caller reads it again for the
    error: errors carry more than a worker process can send back)."""
    try:
        return load_idea(path, defaults)
    except MlpmError:
        return None


def _load_folder(paths: list[Path]) -> list[Idea | None]:
    """`_load_or_none` of files in one folder, its mlpm.yaml files read once."""
    try:
        defaults = folder_defaults(paths[0].parent) if paths else None
    except MlpmError:
        return [None] * len(paths)  # each file is read again for the error
    return [_load_or_none(path, defaults) for path in paths]


def _reading_workers() -> int:
    """How many processes reading is worth (at most 8): this one and the idle cores.

    A file takes about 1 ms to read; a worker process costs its start and sending the ideas
    back, which only pays on a core no one else is using (measured on 2,000 files with 2
    cores busy with other work: 4.5 s one by one, 8.6 s in two workers).
    """
    cores = os.cpu_count() or 1
    busy = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    return max(1, min(8, int(cores - busy + 1)))


def _load_many(paths: list[Path]) -> dict[Path, Idea]:
    """The ideas of many files, read once each, the mlpm.yaml files of each folder once;
    above `PARALLEL_ABOVE` files and with idle cores, in worker processes. Files with a
    problem are left out."""
    by_folder: dict[Path, list[Path]] = {}
    for path in paths:
        by_folder.setdefault(path.parent, []).append(path)
    workers = _reading_workers()
    if len(paths) <= PARALLEL_ABOVE or workers < 2:
        parts = list(by_folder.values())
        ideas = [idea for part in parts for idea in _load_folder(part)]
    else:
        size = max(1, len(paths) // (workers * 4))
        parts = [
            part[i : i + size] for part in by_folder.values() for i in range(0, len(part), size)
        ]
        with ProcessPoolExecutor(workers) as pool:
            ideas = [idea for found in pool.map(_load_folder, parts) for idea in found]
    files = [path for part in parts for path in part]
    return {path: idea for path, idea in zip(files, ideas, strict=True) if idea is not None}


def load_portfolio(path: str | os.PathLike) -> list[Idea]:
    """The ideas of a folder of idea files, one idea file, a .csv or an .xlsx.

    Every idea must load: silently dropping a bad idea would change the best set. The
    error lists every problem of every bad idea, one line each. (`mlpm compare` uses
    `load_ideas`, compares the good ideas and lists the bad ones.)
    """
    path = check_portfolio_path(path)
    ideas, errors = load_ideas([path])
    if len(errors) == 1 and not path.is_dir():
        raise errors[0]
    if errors:
        raise InputError(
            "\n".join(
                [
                    *(line for exc in errors for line in exc.lines()),
                    f"{len(errors)} file{'s' if len(errors) > 1 else ''} with problems in {path}; "
                    "a comparison needs every idea of the portfolio: fix them or move them out "
                    "of the folder.",
                ]
            )
        )
    return ideas
