"""Which notes files an idea may make the kit read, and where the kit may write (issue 18)."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest

from mlpm_kit.cli import main
from mlpm_kit.errors import InputError
from mlpm_kit.idea.folders import listed_notes_path
from mlpm_kit.interviews.notes import notes_paths


@pytest.fixture
def project(tmp_path):
    """project/ideas/x.yaml beside project/interviews/, and a secret outside the project."""
    (tmp_path / "project" / "ideas").mkdir(parents=True)
    (tmp_path / "project" / "interviews").mkdir()
    (tmp_path / "project" / "interviews" / "a.md").write_text("Q: hi?\nA: no\n")
    (tmp_path / "secret.md").write_text("password: hunter2\n")
    return tmp_path / "project"


def test_notes_beside_the_ideas_are_read(project):
    idea = project / "ideas" / "x.yaml"
    assert listed_notes_path("../interviews/a.md", idea) == project / "ideas/../interviews/a.md"


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ("../../secret.md", "leads outside the idea's project folder"),
        ("../interviews/link.md", "leads outside"),  # a link out of the project
        ("../interviews/passwd.txt", "leads outside"),  # a link named .txt to a system file
        ("../interviews/inner.md", "is not interview notes"),  # a link in to a .yaml
        ("/etc/passwd.md", "is an absolute path"),
        ("../interviews/a.yaml", "is not interview notes"),
        ("../interviews/missing.md", "does not exist"),
        ("../interviews", "is not interview notes"),
    ],
)
def test_notes_outside_the_project_links_and_absolute_paths_are_refused(project, entry, words):
    links = project / "interviews"
    (links / "link.md").symlink_to(project.parent / "secret.md")
    (links / "passwd.txt").symlink_to("/etc/passwd")
    (project / "ideas" / "inner.yaml").write_text("title: x\n")
    (links / "inner.md").symlink_to(project / "ideas" / "inner.yaml")
    with pytest.raises(ValueError, match=words) as info:
        listed_notes_path(entry, project / "ideas" / "x.yaml")
    assert "hunter2" not in str(info.value) and "root:" not in str(info.value)


def test_an_allowed_folder_opens_absolute_paths_and_other_folders(project, monkeypatch):
    secret = project.parent / "secret.md"
    with pytest.raises(ValueError):
        listed_notes_path(str(secret), project / "ideas" / "x.yaml")
    monkeypatch.setenv("MLPM_NOTES_DIRS", f"/nonexistent{os.pathsep}{project.parent}")
    assert listed_notes_path(str(secret), project / "ideas" / "x.yaml") == secret


def test_a_notes_folder_with_a_link_out_is_refused(project):
    (project / "interviews" / "b.md").symlink_to(project.parent / "secret.md")
    with pytest.raises(InputError, match="b.md: is a link to a file outside the folder"):
        notes_paths([project / "interviews"])


def _cli(*args: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(list(args))
    return status, err.getvalue()


def test_output_paths_are_checked_before_any_work(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    idea = "examples/ideas/ticket-triage.yaml"
    cases = [
        (["report", idea, "-o", str(afile)], "--out: " + str(afile) + " is a file, not a folder"),
        (["report", idea, "-o", str(afile / "sub")], "is a file, not a folder"),
        (
            ["compare", "examples/ideas", "--capacity-weeks", "9", "--out", str(tmp_path)],
            "does not end in .csv or .xlsx",
        ),
        (
            [
                "compare",
                "examples/ideas",
                "--capacity-weeks",
                "9",
                "--out",
                str(tmp_path / "no" / "x.csv"),
            ],
            "does not exist",
        ),
        (["new", "X", "--dir", str(afile)], "--dir: " + str(afile) + " is a file"),
    ]
    for args, words in cases:
        status, err = _cli(*args)
        assert status == 2 and words in err and err.count("\n") == 1, (args, err)


def test_duplicate_ids_stop_a_folder_report_before_any_is_written(tmp_path):
    ideas = tmp_path / "ideas"
    ideas.mkdir()
    for name in ("a.yaml", "b.yaml"):
        (ideas / name).write_bytes(Path("examples/ideas/spam-filter.yaml").read_bytes())
    (ideas / "mlpm.yaml").write_bytes(Path("examples/ideas/mlpm.yaml").read_bytes())
    status, err = _cli("report", str(ideas), "-o", str(tmp_path / "out"), "--format", "html")
    assert status == 2 and "the id 'spam-filter' is also used by" in err
    assert not list((tmp_path / "out").glob("*.html"))
