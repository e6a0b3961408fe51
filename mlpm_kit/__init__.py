"""mlpm-kit: decide which ML ideas deserve a team, with numbers leadership can check."""

from .errors import IdeaFileError, InputError, MlpmError, ToolError
from .idea import load_idea, new_idea, save_idea
from .portfolio import Selection, best_portfolio
from .portfolio_io import load_portfolio, save_portfolio
from .schema import Idea
from .scoring import breakdown, score

__all__ = [
    "Idea",
    "Selection",
    "best_portfolio",
    "IdeaFileError",
    "InputError",
    "MlpmError",
    "ToolError",
    "breakdown",
    "load_idea",
    "load_portfolio",
    "new_idea",
    "save_idea",
    "save_portfolio",
    "score",
]
