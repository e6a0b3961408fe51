"""Writing the kit's files safely: atomic replacement, a lock per folder, content fingerprints.

Two writers (two browser tabs, a participant's estimate and the facilitator's adopt, two
processes) must never both believe they saved while one change is lost. `locked(path)`
holds an exclusive `flock` on the file's folder for the length of a check-then-write, so
"has anyone changed it since I read it?" and the write are one step; `idea.atomic`
makes the write itself all-or-nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

try:  # POSIX; elsewhere saves are still atomic, only the cross-writer lock is missing
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

MISSING = "missing"


@contextlib.contextmanager
def locked(path: str | os.PathLike) -> Iterator[None]:
    """Hold an exclusive lock on `path`'s folder (blocks until other holders release it).

    The folder, not the file, is locked: an atomic write replaces the file with a new
    one, and a lock on the old file would not be seen by a writer opening the new one.
    Locks are per open file, so threads of one process exclude each other too.
    """
    folder = Path(path).resolve().parent
    if fcntl is None:
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def fingerprint(path: str | os.PathLike) -> str:
    """The file's content hash ("missing" if there is none): tells whether someone else saved it."""
    try:
        return text_fingerprint(Path(path).read_bytes())
    except FileNotFoundError:
        return MISSING


def text_fingerprint(data: str | bytes) -> str:
    """The hash `fingerprint` gives a file holding `data` (written as UTF-8)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()
