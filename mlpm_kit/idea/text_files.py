"""Reading a text file a user gave: one function for idea files, notes, rules and CSV sheets.

`output_folder` and `output_file` check where the kit will write before any work starts.

`read_text` reads a regular file of at most `kind.max_bytes` as UTF-8 (a byte-order mark is
dropped) and turns every way that can fail (missing, a folder, a device, too big, a file
name too long for the system, no permission, not UTF-8) into one `InputError` naming the
file and the fix. It never reads more than the limit, whatever the file claims its size is.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
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


# What `Path.exists()` counts as no such file: none, a file in the way, a link loop.
_MISSING = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)


def read_text(path: Path, kind: TextKind) -> str:
    """The file's text, or an `InputError` saying why it cannot be read."""
    name = str(path)
    try:
        try:
            found = os.stat(path)  # one system call for both checks (thousands of files)
        except OSError as exc:
            if exc.errno in _MISSING:
                raise InputError(kind.missing, file=name) from None
            raise
        if not stat.S_ISREG(found.st_mode):
            raise InputError(kind.not_file, file=name)
        with open(path, "rb") as handle:
            data = handle.read(kind.max_bytes + 1)
        size = max(len(data), found.st_size)
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


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        try:
            if candidate.exists():
                return candidate
        except OSError:
            continue
    return Path(".")


def _check_writable_folder(folder: Path, what: str, flag: str) -> None:
    """`folder` exists as a folder, or can be created: its nearest existing parent is writable."""
    existing = _nearest_existing(folder)
    if not existing.is_dir():
        raise InputError(f"{existing} is a file, not a folder; {what}", field=flag)
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(f"cannot write in {existing} (no permission); {what}", field=flag)


def output_folder(path: str | os.PathLike, flag: str) -> Path:
    """A folder the kit will write into, created if missing and tried with a temporary file
    before any work starts."""
    folder = Path(path)
    try:
        _check_writable_folder(folder, "give a folder you can write to.", flag)
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError(
            f"cannot write in {folder} ({reason}); give a folder you can write to.", field=flag
        ) from None
    return folder


def output_file(path: str | os.PathLike, flag: str, suffixes: tuple[str, ...]) -> Path:
    """A file the kit will write (replacing it), checked before any work starts."""
    target = Path(path)
    if target.suffix.lower() not in suffixes:
        raise InputError(
            f"{target} does not end in {' or '.join(suffixes)}; change the file name's ending.",
            field=flag,
        )
    try:
        if target.is_dir():
            raise InputError(
                f"{target} is a folder; give a file name such as {target / ('results' + suffixes[0])}.",
                field=flag,
            )
        if not target.parent.is_dir():
            raise InputError(
                f"the folder {target.parent} does not exist; create it or write elsewhere.",
                field=flag,
            )
        _check_writable_folder(target.parent, "write the file elsewhere.", flag)
    except OSError as exc:
        raise _oserror(target, exc) from None
    return target


def linked_outside(path: Path, folder: Path) -> Path | None:
    """Where `path` really is when that is outside `folder` (a symbolic link out), else None."""
    try:
        real = path.resolve()
        return None if real.is_relative_to(folder.resolve()) else real
    except (OSError, RuntimeError):  # a link loop
        return path
