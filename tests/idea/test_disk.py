"""Saving without losing an edit: the folder lock, compare-and-write, and diffs of one field."""

from __future__ import annotations

import difflib
import multiprocessing
import shutil
import threading
import time
from pathlib import Path

import pytest

from mlpm_kit.errors import SaveConflict
from mlpm_kit.idea.disk import fingerprint, locked, text_fingerprint
from mlpm_kit.idea.files import dump_yaml, load_idea, parse_yaml, save_idea, write_idea
from tests.conftest import EXAMPLES

SMALL = """\
title: A   # short name
pain: {frequency: 5, severity: 3}
value: {users: 200 to 400}
cost: {team_week_cost: 4000, mvp_weeks: 6 to 10}
"""
EXAMPLE_FILES = sorted(p for p in (EXAMPLES / "ideas").glob("*.yaml") if p.name != "mlpm.yaml")


def changed_lines(before: str, after: str) -> list[str]:
    """The '-'/'+' lines of a unified diff, as `git diff` would show them."""
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def test_the_lock_excludes_a_second_holder(tmp_path):
    target = tmp_path / "a.yaml"
    order = []

    def second():
        with locked(target):
            order.append("second")

    with locked(target):
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.2)  # the second holder is waiting: it has not run yet
        order.append("first")
    thread.join()
    assert order == ["first", "second"]


def test_fingerprint_of_a_file_and_of_its_text(tmp_path):
    path = tmp_path / "a.yaml"
    assert fingerprint(path) == "missing"
    path.write_text("title: x\n", encoding="utf-8")
    assert fingerprint(path) == text_fingerprint("title: x\n")


def test_write_refuses_when_the_file_changed_since_it_was_read(write_yaml):
    path = write_yaml(SMALL)
    idea = load_idea(path)
    seen = fingerprint(path)
    path.write_text(path.read_text().replace("title: A", "title: B"), encoding="utf-8")
    idea.title = "C"
    with pytest.raises(SaveConflict, match="changed by someone else.*Reload the file"):
        write_idea(idea, path, expected=seen)
    assert "title: B" in path.read_text()  # their change survives
    new = write_idea(idea, path, expected=fingerprint(path))
    assert new == fingerprint(path) and "title: C" in path.read_text()


def _edit_and_save(path: Path, expected: str, title: str, start) -> str:
    """One writer: its own edit, saved at the same moment as the others; 'saved' or 'refused'."""
    idea = load_idea(path)
    idea.title = title
    start.wait()
    try:
        write_idea(idea, path, expected=expected)
    except SaveConflict:
        return "refused"
    return "saved"


def test_concurrent_saves_in_threads_one_lands_the_others_are_refused(write_yaml):
    path = write_yaml(SMALL)
    for trial in range(20):
        start = threading.Barrier(6)
        outcomes: list[str] = [""] * 6
        expected = fingerprint(path)

        def writer(i, trial=trial, expected=expected, start=start, outcomes=outcomes):
            outcomes[i] = _edit_and_save(path, expected, f"Title {trial}.{i}", start)

        threads = [threading.Thread(target=writer, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # Every writer read the same file: exactly one save lands, five are told to reload.
        assert sorted(outcomes) == ["refused"] * 5 + ["saved"]
        winner = outcomes.index("saved")
        assert (
            load_idea(path).title == f"Title {trial}.{winner}"
        )  # the one reported saved is on disk


def _process_writer(args) -> str:
    path, expected, title, barrier = args
    return _edit_and_save(path, expected, title, barrier)


def test_concurrent_saves_in_processes_never_lose_a_reported_save(write_yaml):
    path = write_yaml(SMALL)
    ctx = multiprocessing.get_context("fork")
    with ctx.Manager() as manager:
        for trial in range(5):
            barrier = manager.Barrier(4)
            expected = fingerprint(path)
            with ctx.Pool(4) as pool:
                outcomes = pool.map(
                    _process_writer, [(path, expected, f"P{trial}.{i}", barrier) for i in range(4)]
                )
            assert sorted(outcomes) == ["refused"] * 3 + ["saved"]
            assert load_idea(path).title == f"P{trial}.{outcomes.index('saved')}"


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
@pytest.mark.parametrize(
    ("field", "value", "key"),
    [
        (("value", "users"), "777", "users:"),
        (("title",), "A new title for the idea", "title:"),
        (("cost", "build_weeks"), "3 to 9", "build_weeks:"),
    ],
)
def test_a_save_changes_only_the_edited_line(tmp_path, example, field, value, key):
    path = tmp_path / example.name
    shutil.copy(example, path)
    shutil.copy(EXAMPLES / "ideas" / "mlpm.yaml", tmp_path)  # the folder's shared numbers
    before = path.read_text(encoding="utf-8")
    idea = load_idea(path)
    section = idea
    for part in field[:-1]:
        section = getattr(section, part)
    setattr(section, field[-1], value)
    save_idea(idea)
    after = path.read_text(encoding="utf-8")
    diff = changed_lines(before, after)
    assert len(diff) == 2, diff  # one line out, one line in
    assert diff[0].lstrip("-").strip().startswith(key) and diff[1].lstrip("+").strip().startswith(
        key
    )
    assert value in diff[1]
    assert not any(line != line.rstrip() for line in after.splitlines())  # no trailing spaces


def test_saving_an_unchanged_example_changes_nothing(tmp_path):
    shutil.copy(EXAMPLES / "ideas" / "mlpm.yaml", tmp_path)  # the folder's shared numbers
    for example in EXAMPLE_FILES:
        path = tmp_path / example.name
        shutil.copy(example, path)
        save_idea(load_idea(path))
        assert path.read_text(encoding="utf-8") == example.read_text(encoding="utf-8"), example


def test_trailing_spaces_are_removed_except_where_they_are_data():
    assert dump_yaml(parse_yaml("a: 1\nb:\n", "x")) == "a: 1\nb:\n"
    kept = parse_yaml("note: |\n  keep two  \n  lines\n", "x")
    assert dump_yaml(kept) == "note: |\n  keep two  \n  lines\n"  # inside a block: data
