"""Writing the kit's files safely: atomic replacement, a lock per folder, content fingerprints.

Two writers (two browser tabs, a participant's estimate and the facilitator's adopt, two
processes) must never both believe they saved while one change is lost. `locked(path)`
holds an exclusive `flock` on the file's folder for the length of a check-then-write, so
"has anyone changed it since I read it?" and the write are one step; `atomic_write_text`
makes the write itself all-or-nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
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

    The folder, not the file, is locked: `atomic_write_text` replaces the file with a new
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


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write `text` to `path` so that a crash at any point leaves the old file or the new one.

    A temporary file in the same folder is written, flushed and fsynced, then moved over
    the target with `os.replace`, which is atomic on POSIX and Windows.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:  # mkstemp makes the file private (0600); a new file gets the usual umask mode
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
