"""Turning command-line paths into ideas: folders, files, and the problems found on the way.

A folder with one bad idea among good ones still yields the good ones; each bad file is
reported on its own as an `InputError`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .errors import InputError, MlpmError
from .idea import load_idea
from .schema import Idea

IDEA_SUFFIXES = (".yaml", ".yml")


def idea_files(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Expand folders to their idea files (sorted); keep files as given."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for p in path.iterdir()
                if p.suffix in IDEA_SUFFIXES and not p.name.startswith(".")
            )
            if not found:
                raise InputError(
                    'the folder has no idea files (*.yaml); create one with mlpm new "Title".',
                    file=str(path),
                )
            files.extend(found)
        else:
            files.append(path)
    return files


def load_ideas(paths: Iterable[str | os.PathLike]) -> tuple[list[Idea], list[MlpmError]]:
    """Load every idea under `paths`; return the good ones and the errors of the bad ones.

    Two files with the same id are an error for the second one.
    """
    ideas: list[Idea] = []
    errors: list[MlpmError] = []
    seen: dict[str, Path] = {}
    for path in idea_files(paths):
        try:
            idea = load_idea(path)
        except MlpmError as exc:
            errors.append(exc)
            continue
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
