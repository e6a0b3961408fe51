"""Placeholder for the scorecard (issue 7 writes the real one): the interactive branch only.

`show_scorecard(..., interactive=True)` displays the workshop app from `mlpm_kit.forms`;
the static scorecard belongs to issue 7.
"""

from __future__ import annotations

import os


def show_scorecard(
    idea_path: str | os.PathLike, draws: int = 10_000, seed: int = 0, interactive: bool = True
) -> None:
    """Display the workshop form for `idea_path` in a notebook."""
    if not interactive:
        raise NotImplementedError("static scorecard: see issue 7")
    from IPython.display import display

    from .forms import workshop_form

    display(workshop_form(idea_path, draws=draws, seed=seed))
