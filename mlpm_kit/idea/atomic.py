"""Atomic writes: a crash at any point leaves the old file or the new one, never a mix.

The one writer for everything the kit saves (idea files, spreadsheets, reports, notes marks):
a temporary file in the same folder is written, flushed and fsynced, given the permissions
the target has (or a new file would get under the umask), then moved over the target with
`os.replace`, which is atomic on POSIX and Windows; the folder is fsynced after.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


def atomic_write(path: str | os.PathLike, data: str | bytes) -> None:
    """Write `data` (text as UTF-8 with `\\n` line ends, or bytes) to `path` atomically."""
    with atomic_path(path) as tmp:
        mode = "w" if isinstance(data, str) else "wb"
        text_args = {"encoding": "utf-8", "newline": "\n"} if isinstance(data, str) else {}
        with open(tmp, mode, **text_args) as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary path beside `path` for a library that writes by file name (openpyxl);
    it replaces `path` when the block ends without an error, and is removed otherwise."""
    path = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.name[:200]}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def _mode_for(path: Path) -> int:
    """The existing file's permissions, else those of a new file (mkstemp's are private)."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
