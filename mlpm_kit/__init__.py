"""mlpm-kit: decide which ML ideas deserve a team, with numbers leadership can check."""

from .drift import ks, psi
from .errors import IdeaFileError, InputError, MlpmError, ToolError
from .idea import load_idea, new_idea, save_idea
from .interviews import NotesReport, check_notes
from .ml_readiness import ml_check
from .portfolio import Selection, best_portfolio
from .portfolio_io import load_portfolio, save_portfolio
from .report import render_report, render_reports
from .schema import Idea
from .scoring import breakdown, score
from .simulate import Simulation, simulate

__all__ = [
    "Idea",
    "IdeaFileError",
    "InputError",
    "MlpmError",
    "NotesReport",
    "Selection",
    "Simulation",
    "ToolError",
    "best_portfolio",
    "breakdown",
    "check_notes",
    "ks",
    "load_idea",
    "load_portfolio",
    "ml_check",
    "new_idea",
    "psi",
    "render_report",
    "render_reports",
    "save_idea",
    "save_portfolio",
    "score",
    "simulate",
]
