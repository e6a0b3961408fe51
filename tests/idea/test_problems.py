"""Every problem in one run: files, folders and spreadsheets, and interview paths that do not exist."""

from __future__ import annotations

import json
import shutil

import pytest

from mlpm_kit import cli
from mlpm_kit.errors import IdeaFileError
from mlpm_kit.idea.files import load_idea, save_idea
from mlpm_kit.idea.folders import load_ideas
from tests.conftest import EXAMPLES, run_mlpm
from tests.portfolio_fixtures import GOOD_ROWS, ROW_HEADER, make_idea

FIVE_MISTAKES = """\
title: Five mistakes
pain: {frequency: 7, severity: 3}
value:
  users: 1-2-3
  adoption: lots
  hourly_cost: 45
  usres: 4
cost:
  team_week_cost: 4000
  mvp_weeks: 5k-2
"""


def test_a_file_with_five_mistakes_gives_five_lines(tmp_path, capsys):
    path = tmp_path / "five.yaml"
    path.write_text(FIVE_MISTAKES, encoding="utf-8")
    with pytest.raises(IdeaFileError) as err:
        load_idea(path)
    assert [field for field, _ in err.value.problems] == [
        "value.usres",  # the typo first
        "pain.frequency",
        "value.users",
        "value.adoption",
        "cost.mvp_weeks",
    ]
    assert cli.main(["score", str(path)]) == 2
    out, errors = capsys.readouterr()
    lines = errors.strip().splitlines()
    assert len(lines) == 5 and out == ""  # no "No ideas to score." before the real errors
    assert all(line.startswith(f"mlpm: error: {path}: ") for line in lines)
    assert (
        "value.adoption: 'lots' is not a number or a range. Write a share (0.3 or 30%)" in lines[3]
    )
    assert "value.usres: unknown key 'usres'; did you mean 'users'?" in lines[0]


def test_a_folder_with_two_bad_files_among_ten_scores_the_eight(tmp_path, capsys):
    for i in range(10):
        save_idea(make_idea(f"idea-{i}", 4 + i), tmp_path / f"idea-{i}.yaml")
    (tmp_path / "idea-3.yaml").write_text("title: Three\n", encoding="utf-8")
    (tmp_path / "idea-7.yaml").write_text(FIVE_MISTAKES, encoding="utf-8")
    ideas, errors = load_ideas([tmp_path])
    assert len(ideas) == 8 and [e.file for e in errors] == [
        str(tmp_path / "idea-3.yaml"),
        str(tmp_path / "idea-7.yaml"),
    ]
    assert cli.main(["score", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert sum(f" idea-{i} " in out for i in range(10)) == 8
    assert "Not scored: 2 files with problems" in out
    # idea-3: pain and cost missing (2 lines); idea-7: five mistakes (5 lines)
    assert len(err.strip().splitlines()) == 7

    assert cli.main(["compare", str(tmp_path), "--capacity-weeks", "30"]) == 2
    out, err = capsys.readouterr()
    assert "of 8 ideas" in out and "This comparison is made without 2 files with problems" in out
    assert len(err.strip().splitlines()) == 7

    assert cli.main(["compare", str(tmp_path), "--capacity-weeks", "30", "--json"]) == 2
    out, _ = capsys.readouterr()
    result = json.loads(out)
    assert len(result["ideas"]) == 8 and len(result["left_out"]) == 7


def test_a_spreadsheet_row_with_three_bad_cells_gives_three_lines(tmp_path, capsys):
    rows = GOOD_ROWS.replace(
        "spam,Spam filter,5,4,4000,8,2000,0.9,0.5,40",
        "spam,Spam filter,9,4,lots,8,2000,1-2-3,0.5,40",
    )
    sheet = tmp_path / "portfolio.csv"
    sheet.write_text(ROW_HEADER + rows, encoding="utf-8")
    ideas, errors = load_ideas([sheet])
    assert [i.id for i in ideas] == ["triage", "churn"]
    assert [f for f, _ in errors[0].problems] == [
        "row 3, column pain.frequency",
        "row 3, column value.adoption",
        "row 3, column cost.team_week_cost",
    ]  # in the schema's order
    assert cli.main(["score", str(sheet)]) == 2
    out, err = capsys.readouterr()
    assert " triage " in out and " churn " in out and len(err.strip().splitlines()) == 3


def test_a_missing_interview_names_the_path_the_folder_and_the_closest_file(tmp_path):
    shutil.copytree(EXAMPLES / "interviews", tmp_path / "interviews")
    (tmp_path / "ideas").mkdir()
    idea = make_idea("x", 4, evidence={"interviews": ["../interview/ticket-triage-01.md"]})
    save_idea(idea, tmp_path / "ideas" / "x.yaml")
    save_idea(make_idea("y", 5), tmp_path / "ideas" / "y.yaml")
    ideas, errors = load_ideas([tmp_path / "ideas"])
    assert [i.id for i in ideas] == ["y"]  # the other idea still scores
    ((field, message),) = errors[0].problems
    assert field == "evidence.interviews[0]"
    assert message.startswith(
        f"'../interview/ticket-triage-01.md' does not exist (resolved against {(tmp_path / 'ideas').resolve()}); "
        "the closest existing file is '../interviews/ticket-triage-01.md'."
    )


def test_the_example_folder_copied_elsewhere_still_scores(tmp_path):
    shutil.copytree(EXAMPLES / "ideas", tmp_path / "ideas")  # without ../interviews
    result = run_mlpm("score", str(tmp_path / "ideas"), "--json")
    assert result.returncode == 2
    scored = json.loads(result.stdout)
    with_notes = {
        p.stem for p in (EXAMPLES / "ideas").glob("*.yaml") if "interviews/" in p.read_text()
    }
    assert len(scored) == 12 - len(with_notes) and len(with_notes) == 3
    assert all("does not exist (resolved against" in line for line in result.stderr.splitlines())
