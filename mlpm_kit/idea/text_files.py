"""Reading a text file a user gave: one function for idea files, notes, rules and CSV sheets.

`read_text` reads a regular file of at most `kind.max_bytes` as UTF-8 (a byte-order mark is
dropped) and turns every way that can fail (missing, a folder, a device, too big, a file
name too long for the system, no permission, not UTF-8) into one `InputError` naming the
file and the fix. It never reads more than the limit, whatever the file claims its size is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mlpm_kit.errors import InputError


@dataclass(frozen=True)
class TextKind:
    """A kind of file for the messages: its size limit and what to do when it is wrong."""

    max_bytes: int
    missing: str  # the message when there is no such file
    not_file: str  # ... when the path is a folder or a device
    too_big: str  # ... after "is 5.2 MB; " when the file is over the limit


def _oserror(path: Path, exc: OSError) -> InputError:
    reason = exc.strerror or type(exc).__name__
    return InputError(f"cannot be read ({reason}); check the path.", file=str(path))


def read_text(path: Path, kind: TextKind) -> str:
    """The file's text, or an `InputError` saying why it cannot be read."""
    name = str(path)
    try:
        if not path.exists():
            raise InputError(kind.missing, file=name)
        if not path.is_file():
            raise InputError(kind.not_file, file=name)
        with path.open("rb") as handle:
            data = handle.read(kind.max_bytes + 1)
            size = max(len(data), path.stat().st_size)
    except OSError as exc:
        raise _oserror(path, exc) from None
    if len(data) > kind.max_bytes:
        raise InputError(f"is {size / 1e6:.1f} MB; {kind.too_big}", file=name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"is not UTF-8 text (byte {exc.start}); save it as UTF-8 in your editor.", file=name
        ) from None
