"""The scorecard in a notebook: the workshop form, or the static memo sections."""

from __future__ import annotations

import asyncio
import os

from IPython.display import HTML, display

from mlpm_kit.model.decision import DECISION_DRAWS
from mlpm_kit.workshop.form import Later, workshop_form


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
        display(workshop_form(idea_path, draws=draws, seed=seed, later=after_this_cell()))
        return
    # Imported here for start-up speed only: the memo's charts pull in matplotlib, which the
    # workshop's kernels (started while the room waits) never need.
    from mlpm_kit.report.scorecard import scorecard_sections

    for section in scorecard_sections(idea_path, draws=draws, seed=seed, history=history_path):
        display(HTML(section))


def after_this_cell() -> Later | None:
    """In a kernel, a way to run a function once the running cell has finished; else None.

    Voila sends the page when the notebook's cells have run, and the browser asks the kernel
    for the widgets only after loading its scripts (about a second): the first results
    (grading the notes, the simulation, the decision) are computed in that second instead
    of before the page leaves. The kernel answers the browser once they are done, so the
    form appears with them.
    """
    try:
        return asyncio.get_running_loop().call_soon
    except RuntimeError:  # no event loop: a script or a test, where the form is built at once
        return None
