"""mlpm-kit: decide which ML ideas deserve a team, with numbers leadership can check."""

from .errors import IdeaFileError, InputError, MlpmError, ToolError
from .idea import load_idea, new_idea, save_idea
from .schema import Idea
from .scoring import breakdown, score
from .simulate import Simulation, simulate

__all__ = [
    "Idea",
    "IdeaFileError",
    "InputError",
    "MlpmError",
    "ToolError",
    "breakdown",
    "load_idea",
    "new_idea",
    "save_idea",
    "Simulation",
    "score",
    "simulate",
]
