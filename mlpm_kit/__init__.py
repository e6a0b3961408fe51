"""mlpm-kit: decide which ML ideas deserve a team, with numbers leadership can check."""

from .drift import ks, psi
from .errors import IdeaFileError, InputError, MlpmError, ToolError
from .idea import load_idea, new_idea, save_idea
from .ml_readiness import ml_check
from .schema import Idea
from .scoring import breakdown, score

__all__ = [
    "Idea",
    "IdeaFileError",
    "InputError",
    "MlpmError",
    "ToolError",
    "breakdown",
    "ks",
    "load_idea",
    "ml_check",
    "new_idea",
    "psi",
    "save_idea",
    "score",
]
