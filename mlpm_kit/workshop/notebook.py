"""The scorecard in a notebook: the workshop form, or the static memo sections."""

from __future__ import annotations

import os

from IPython.display import HTML, display

from mlpm_kit.model.decision import DECISION_DRAWS
from mlpm_kit.workshop.form import workshop_form


def show_scorecard(
    idea_path: str | os.PathLike,
    draws: int = DECISION_DRAWS,
    seed: int = 0,
    interactive: bool = True,
    history_path: str | os.PathLike | None = None,
) -> None:
    """Display the workshop form (interactive) or the static scorecard, in a notebook.

    `history_path`: a folder of launched ideas whose record corrects the static scorecard.
    """
    if interactive:
        display(workshop_form(idea_path, draws=draws, seed=seed))
        return
    # Imported here for start-up speed only: the memo's charts pull in matplotlib, which the
    # workshop's kernels (started while the room waits) never need.
    from mlpm_kit.report.scorecard import scorecard_sections

    for section in scorecard_sections(idea_path, draws=draws, seed=seed, history=history_path):
        display(HTML(section))
