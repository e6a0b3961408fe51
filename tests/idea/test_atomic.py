"""The one atomic writer: old file or new file after a crash, and the permissions of a new file."""

from __future__ import annotations

import os
import stat

import pytest

from mlpm_kit.idea.atomic import atomic_path, atomic_write


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_new_files_get_the_umask_mode_whatever_the_writer(tmp_path, umask_022):
    atomic_write(tmp_path / "a.yaml", "x: 1\n")
    atomic_write(tmp_path / "a.pdf", b"%PDF")
    with atomic_path(tmp_path / "a.xlsx") as tmp:
        tmp.write_bytes(b"PK")
    # 0o666 & ~0o022 = 0o644 for all three (mkstemp alone would give 0o600)
    assert {_mode(tmp_path / n) for n in ("a.yaml", "a.pdf", "a.xlsx")} == {0o644}


def test_an_existing_file_keeps_its_mode(tmp_path):
    target = tmp_path / "idea.yaml"
    target.write_text("old\n")
    target.chmod(0o640)
    atomic_write(target, "new\n")
    assert target.read_text() == "new\n" and _mode(target) == 0o640


def test_text_is_utf8_with_unix_line_ends(tmp_path):
    atomic_write(tmp_path / "z.md", "客户\r\nline\n")
    # newline="\n": what the caller wrote is what lands, byte for byte
    assert (tmp_path / "z.md").read_bytes() == "客户\r\nline\n".encode()


def test_a_crash_mid_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "idea.yaml"
    target.write_text("old\n")

    def boom(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, "new\n")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["idea.yaml"]


def test_a_failing_library_write_leaves_nothing_behind(tmp_path):
    with pytest.raises(ValueError), atomic_path(tmp_path / "out.xlsx") as tmp:
        tmp.write_bytes(b"half")
        raise ValueError("openpyxl failed")
    assert list(tmp_path.iterdir()) == []
