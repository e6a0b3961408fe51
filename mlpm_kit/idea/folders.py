"""Turning command-line paths into ideas: folders, files, and the problems found on the way.

A folder with one bad idea among good ones still yields the good ones; each bad file is
reported on its own as an `InputError`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from mlpm_kit.errors import InputError, MlpmError
from mlpm_kit.idea.files import load_idea
from mlpm_kit.idea.schema import Idea
from mlpm_kit.idea.sheets import SHEET_SUFFIXES, read_sheet
from mlpm_kit.idea.text_files import linked_outside

IDEA_SUFFIXES = (".yaml", ".yml")
# A workshop's group estimates live beside their idea (`x.estimates.yaml`) and are not ideas.
ESTIMATES_SUFFIX = ".estimates.yaml"


def is_idea_file(path: Path) -> bool:
    """A file a folder of ideas counts as an idea: YAML, not hidden, not group estimates."""
    return (
        path.suffix in IDEA_SUFFIXES
        and not path.name.startswith(".")
        and not path.name.endswith(ESTIMATES_SUFFIX)
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
                if linked_outside(p, path) is not None:
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
    """(file, idea) for every idea in `files`; the errors of bad files go to `errors`."""
    for path in files:
        try:
            if path.suffix.lower() in SHEET_SUFFIXES:
                for idea in read_sheet(path):
                    yield path, idea
            else:
                yield path, load_idea(path)
        except MlpmError as exc:
            errors.append(exc)


def load_portfolio(path: str | os.PathLike) -> list[Idea]:
    """The ideas of a folder of idea files, one idea file, a .csv or an .xlsx.

    A folder must load completely: silently dropping a bad idea would change the best set.
    """
    path = Path(path)
    if path.is_dir() or path.suffix in IDEA_SUFFIXES:
        ideas, errors = load_ideas([path])
        if errors:
            more = (
                f" ({len(errors) - 1} more bad file{'s' if len(errors) > 2 else ''})"
                if len(errors) > 1
                else ""
            )
            raise InputError(
                f"{str(errors[0]).rstrip('.')}{more}. A comparison needs every idea of the portfolio: "
                "fix the file or move it out of the folder."
            )
        return ideas
    return read_sheet(path)
