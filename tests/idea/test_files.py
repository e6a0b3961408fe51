"""Idea files: loading, every kind of bad input, and saving that keeps comments and survives crashes."""

from __future__ import annotations

import os

import pytest
from ruamel.yaml import YAML

from mlpm_kit import cli
from mlpm_kit.errors import IdeaFileError
from mlpm_kit.idea.estimates import Estimate
from mlpm_kit.idea.files import load_idea, new_idea, save_idea

GOOD = """\
# Ticket triage, from the support dashboard
title: Auto-triage   # short name
pain:
  frequency: 5   # many times a day
  severity: 3
value:
  users: 200 to 400   # support headcount
  adoption: {low: 0.6, high: 0.9}
cost:
  team_week_cost: 4000
  mvp_weeks: 6 to 10
"""


def test_good_file_loads_with_ranges_defaults_and_id(write_yaml):
    idea = load_idea(write_yaml(GOOD, "ticket-triage.yaml"))
    assert idea.id == "ticket-triage"
    assert idea.value.users == Estimate(200, 400)
    assert idea.value.adoption == Estimate(0.6, 0.9, share=True)
    assert idea.value.weeks_per_year.median == 46
    assert idea.cost.team_size.median == 2
    assert idea.timeline.horizon_years.median == 3 and idea.timeline.discount_rate.median == 0.10
    assert idea.opportunity.value_per_engineer_week.median == 0


BAD = {
    "empty": ("", None, "empty"),
    "only a comment": ("# nothing yet\n", None, "empty"),
    "top-level list": ("- a\n- b\n", None, "holds a list"),
    "top-level scalar": ("hello\n", None, "single value"),
    "invalid yaml": ("title: [unclosed\n", None, "line 2"),
    "tab indentation": ("title: x\npain:\n\tfrequency: 3\n", None, "line 3"),
    "duplicate keys": (GOOD + "title: again\n", "title", "appears twice"),
    "unknown key": (
        GOOD.replace("severity: 3", "severty: 3"),
        "pain.severty",
        "did you mean 'severity'",
    ),
    "misspelled section": (
        GOOD + "timline:\n  horizon_years: 2\n",
        "timline",
        "did you mean 'timeline'",
    ),
    "text for a number": (
        GOOD.replace("team_week_cost: 4000", "team_week_cost: four thousand"),
        "cost.team_week_cost",
        "not a number or a range",
    ),
    "low above high": (
        GOOD.replace("200 to 400", "400 to 200"),
        "value.users",
        "write it as 200 to 400",
    ),
    "share above 1": (
        GOOD.replace("high: 0.9", "high: 90"),
        "value.adoption",
        "share between 0 and 1",
    ),
    "negative cost": (
        GOOD.replace("team_week_cost: 4000", "team_week_cost: -4000"),
        "cost.team_week_cost",
        "at least 0",
    ),
    "negative weeks": (GOOD.replace("6 to 10", "-6 to 10"), "cost.mvp_weeks", "at least 0"),
    "pain above 5": (GOOD.replace("frequency: 5", "frequency: 7"), "pain.frequency", "outside 1-5"),
    "pain not whole": (
        GOOD.replace("frequency: 5", "frequency: 2.5"),
        "pain.frequency",
        "whole number",
    ),
    "NaN": (
        GOOD.replace("team_week_cost: 4000", "team_week_cost: .nan"),
        "cost.team_week_cost",
        "not a finite number",
    ),
    "inf": (
        GOOD.replace("team_week_cost: 4000", "team_week_cost: .inf"),
        "cost.team_week_cost",
        "not a finite number",
    ),
    "1e400": (
        GOOD.replace("team_week_cost: 4000", "team_week_cost: 1e400"),
        "cost.team_week_cost",
        "not a finite number",
    ),
    "huge": (
        GOOD.replace("team_week_cost: 4000", "team_week_cost: 1e300"),
        "cost.team_week_cost",
        "implausibly large",
    ),
    "yes/no for a number": (
        GOOD.replace("team_week_cost: 4000", "team_week_cost: true"),
        "cost.team_week_cost",
        "yes/no value",
    ),
    "on for a number": (
        GOOD.replace("team_week_cost: 4000", "team_week_cost: on"),
        "cost.team_week_cost",
        "not a number",
    ),
    "leading zero": (
        GOOD.replace("team_week_cost: 4000", "team_week_cost: 012"),
        None,
        "leading zero",
    ),
    "bare date for a number": (
        GOOD.replace("team_week_cost: 4000", "team_week_cost: 2024-01-01"),
        "cost.team_week_cost",
        "read as a date",
    ),
    "bare date for text": (
        GOOD.replace("title: Auto-triage", "title: 2024-01-01"),
        "title",
        "put it in quotes",
    ),
    "number for text": (
        GOOD.replace("title: Auto-triage", "title: 12"),
        "title",
        "put it in quotes",
    ),
    "missing required": (
        GOOD.replace("  team_week_cost: 4000\n", ""),
        "cost.team_week_cost",
        "is required",
    ),
    "section as a scalar": (GOOD + "timeline: 3\n", "timeline", "should be a section"),
    "bad status": (GOOD + "status: done\n", "status", "'done' is not allowed"),
    "range with extra key": (
        GOOD.replace("{low: 0.6, high: 0.9}", "{low: 0.6, hi: 0.9}"),
        "value.adoption",
        "exactly the keys low and high",
    ),
    "alias bomb": ('a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\ntitle: *c\n', None, "aliases"),
    "bad alternative": (
        GOOD + "alternatives:\n  - name: Excel\n    captures: 1.5\n",
        "alternatives[0].captures",
        "share between 0 and 1",
    ),
    "control characters in text": (
        GOOD.replace("title: Auto-triage", 'title: "x\\x1b[2Jy"'),
        "title",
        "control characters",
    ),
    "bad id": (GOOD + "id: ../../etc/passwd\n", "id", "not a valid id"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_gets_one_clear_line_and_exit_2(case, write_yaml, capsys):
    text, field, words = BAD[case]
    path = write_yaml(text)
    with pytest.raises(IdeaFileError) as info:
        load_idea(path)
    message = str(info.value)
    assert message.startswith(str(path))
    if field:
        assert f": {field}: " in message
    assert words in message
    assert cli.main(["score", str(path)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err and words in err


def test_non_utf8_file(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: Café\n".encode("latin-1"))
    with pytest.raises(IdeaFileError, match="not UTF-8"):
        load_idea(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(IdeaFileError, match="no such file"):
        load_idea(tmp_path / "nope.yaml")
    with pytest.raises(IdeaFileError, match="is not a file"):
        load_idea(tmp_path)


def test_fifty_megabyte_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "big.yaml"
    with open(path, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    with pytest.raises(IdeaFileError, match="is 52.4 MB"):
        load_idea(path)


def test_chinese_text_loads(write_yaml):
    idea = load_idea(write_yaml(GOOD.replace("Auto-triage", "客服工单自动分类"), "工单.yaml"))
    assert idea.title == "客服工单自动分类" and idea.id == "工单"


def test_folder_with_one_bad_idea_scores_the_good_ones(tmp_path, capsys):
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(GOOD.replace("frequency: 5", "frequency: 9"), encoding="utf-8")
    assert cli.main(["score", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert " a " in out and "b.yaml: pain.frequency" in err and len(err.strip().splitlines()) == 1


def test_save_keeps_comments_order_and_changes_only_values(write_yaml):
    path = write_yaml(GOOD)
    idea = load_idea(path)
    idea.value.users = "250 to 500"
    idea.cost.build_weeks = 12
    save_idea(idea)
    text = path.read_text(encoding="utf-8")
    assert "# Ticket triage, from the support dashboard" in text
    assert "users: 250 to 500   # support headcount" in text
    assert "frequency: 5   # many times a day" in text
    keys = list(YAML(typ="safe").load(text))
    assert keys == ["title", "pain", "value", "cost"]
    again = load_idea(path)
    assert again.value.users == Estimate(250, 500) and again.cost.build_weeks.median == 12


def test_crash_mid_save_leaves_the_previous_file(write_yaml, monkeypatch):
    path = write_yaml(GOOD)
    before = path.read_bytes()
    idea = load_idea(path)
    idea.title = "Changed"

    def crash(*args, **kwargs):
        raise OSError("power cut")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="power cut"):
        save_idea(idea)
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


def test_invalid_data_is_never_written(write_yaml):
    path = write_yaml(GOOD)
    before = path.read_bytes()
    idea = load_idea(path)
    with pytest.raises(ValueError):
        idea.value.adoption = 3
    save_idea(idea)
    assert load_idea(path).value.adoption == Estimate(0.6, 0.9, share=True)
    assert path.read_bytes() == before


def test_new_idea_from_template(tmp_path):
    path = new_idea("Fraud alerts for 商户", tmp_path)
    idea = load_idea(path)
    assert idea.title == "Fraud alerts for 商户" and idea.id == path.stem
    assert new_idea("Fraud alerts for 商户", tmp_path) != path  # never overwrites


def test_a_new_file_gets_the_usual_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        path = new_idea("Permissions", tmp_path)
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644
