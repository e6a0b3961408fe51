"""The kit's exceptions, one tree under `MlpmError`.

    MlpmError                  anything the kit reports to a user as a message, not a traceback
    ├── InputError             a file or a value the user gave is wrong; says file, field, value, fix
    │   └── IdeaFileError      an idea file that cannot be read or does not validate
    ├── ToolError              an outside step failed (a notebook, a PDF, a server)
    └── SaveConflict           a file changed on disk since it was read; saving would lose that change

The CLI turns any `MlpmError` into one line on stderr and exit status 2.
"""

from __future__ import annotations

EXIT_INPUT = 2  # the CLI's exit status for any `MlpmError` (and for an internal error)


class MlpmError(Exception):
    """Base class of every error the kit reports to a user."""

    def lines(self) -> list[str]:
        """The error as the lines the CLI prints, one per problem."""
        return str(self).splitlines() or [type(self).__name__]


class InputError(MlpmError):
    """A file, field or value the user gave is wrong.

    The message is a whole sentence: where (file and dotted field path), what was
    found, and how to fix it.
    """

    def __init__(self, message: str, *, file: str | None = None, field: str | None = None):
        self.file = file
        self.field = field
        self.reason = message
        where = ": ".join(part for part in (file, field) if part)
        super().__init__(f"{where}: {message}" if where else message)


class IdeaFileError(InputError):
    """An idea file cannot be read, parsed or validated.

    `problems` holds every problem found as (field, message) pairs; the exception's
    message has one line per problem (file, field, message), so a person fixes them all
    in one go. `field` and `reason` are the first problem's.
    """

    def __init__(self, file: str, problems: list[tuple[str | None, str]]):
        self.problems = problems
        field, message = problems[0]
        super().__init__(message, file=file, field=field)
        self.args = ("\n".join(self.lines()),)

    def lines(self) -> list[str]:
        return [
            ": ".join(part for part in (self.file, field, message) if part)
            for field, message in self.problems
        ]

    def __str__(self) -> str:
        return "\n".join(self.lines())


class ToolError(MlpmError):
    """An outside step (notebook execution, PDF rendering, a server) failed."""


class SaveConflict(MlpmError):
    """A file changed on disk since it was read: saving would drop someone else's edit."""
