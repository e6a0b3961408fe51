"""The scorecard in a notebook: the workshop form, or the static memo sections."""

from __future__ import annotations

import os

from IPython.display import HTML, display

from mlpm_kit.model.decision import DECISION_DRAWS
from mlpm_kit.report.scorecard import scorecard_sections
from mlpm_kit.workshop.form import workshop_form


def show_scorecard(
    idea_path: str | os.PathLike,
    draws: int = DECISION_DRAWS,
    seed: int = 0,
    interactive: bool = True,
) -> None:
    """Display the workshop form (interactive) or the static scorecard, in a notebook."""
    if interactive:
        display(workshop_form(idea_path, draws=draws, seed=seed))
        return
    for section in scorecard_sections(idea_path, draws=draws, seed=seed):
        display(HTML(section))
