"""The kit's own files: templates, notebooks, bias rules, the report template, the examples.

One helper finds them, so the kit reads them the same way from a clone and from an
installed wheel. In a wheel they are packaged under `mlpm_kit/_data/` (pyproject.toml maps
the repository's top-level `templates/`, `notebooks/` and `examples/` there); in a clone
or an editable install they are the repository's own folders, one copy of each file.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

PACKAGE = Path(str(files("mlpm_kit")))
# The folder that holds the package: a kernel or server started by the kit imports it from here.
IMPORT_ROOT = PACKAGE.parent
_BUNDLED = PACKAGE / "_data"


def kit_path(*parts: str) -> Path:
    """The path of one of the kit's own files or folders, e.g. kit_path("templates", "idea.yaml")."""
    base = _BUNDLED if _BUNDLED.is_dir() else IMPORT_ROOT
    return base.joinpath(*parts)


def example(*parts: str) -> Path:
    """One of the bundled examples, e.g. example("ideas", "ticket-triage.yaml").

    The notebooks' default when a path parameter is None, so they run from any folder.
    """
    return kit_path("examples", *parts)
