"""`mlpm calibrate` and `--calibrated` as a user runs them (in-process: fast)."""

from __future__ import annotations

import json
import shutil

import pytest

from mlpm_kit import cli
from mlpm_kit.calibration.record import calibrate
from mlpm_kit.idea.files import load_idea
from tests.conftest import EXAMPLES

HISTORY = EXAMPLES / "history"
STAT_KEYS = {"n", "hit_rate", "hit_rate_low", "hit_rate_high", "spread_factor"}


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = cli.main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_calibrate_json_has_the_design_keys(capsys):
    status, out, _ = run(capsys, "calibrate", str(HISTORY), "--json")
    assert status == 0
    data = json.loads(out)
    assert set(data) >= {"overall", "fields", "estimators"}
    assert set(data["overall"]) >= STAT_KEYS
    assert all(set(s) >= STAT_KEYS | {"bias"} for s in data["fields"].values())
    assert all(set(s) >= STAT_KEYS for s in data["estimators"].values())
    assert set(data["estimators"]) == {"Dana", "Marco", "Priya", "Wei"}
    # 12 launched ideas x 6 actuals each
    assert data["overall"]["n"] == 72 and sum(s["n"] for s in data["fields"].values()) == 72
    o = data["overall"]
    assert o["hit_rate_low"] < o["hit_rate"] < o["hit_rate_high"]
    # The example team overruns effort and overestimates adoption.
    assert data["fields"]["cost.mvp_weeks"]["bias_low"] > 1
    assert data["fields"]["value.adoption"]["bias_high"] < 1


def test_calibrate_text_has_overall_fields_estimators_and_misses(capsys):
    status, out, _ = run(capsys, "calibrate", str(HISTORY))
    assert status == 0
    for words in (
        "Calibration of 12 launched ideas",
        "a calibrated team gets 90%",
        "By field",
        "Effort to MVP",
        "By estimator",
        "Largest misses",
        "wide 90% interval",
    ):
        assert words in out, words


def test_a_thin_history_says_the_interval_is_wide_and_corrects_nothing(tmp_path, capsys):
    for name in ("lead-scoring", "churn-alerts", "product-tagging"):
        shutil.copy(HISTORY / f"{name}.yaml", tmp_path)
    status, out, _ = run(capsys, "calibrate", str(tmp_path))
    assert status == 0
    assert "Only 3 launched ideas" in out and "no correction is made" in out
    status, out, _ = run(
        capsys,
        "score",
        str(EXAMPLES / "ideas" / "ticket-triage.yaml"),
        "--calibrated",
        str(tmp_path),
    )
    assert status == 0 and "no correction made" in out
    plain = run(capsys, "score", str(EXAMPLES / "ideas" / "ticket-triage.yaml"), "--json")[1]
    status, out, _ = run(
        capsys,
        "score",
        str(EXAMPLES / "ideas" / "ticket-triage.yaml"),
        "--json",
        "--calibrated",
        str(tmp_path),
    )
    row = json.loads(out)[0]
    assert row["calibration"] == {}
    assert row["expected_value"] == json.loads(plain)[0]["expected_value"]


def test_score_calibrated_json_lists_stated_and_corrected_ranges(capsys):
    status, out, _ = run(
        capsys, "score", str(EXAMPLES / "ideas" / "ticket-triage.yaml"), "--json", "--calibrated"
    )
    assert status == 0
    row = json.loads(out)[0]
    mvp = row["calibration"]["cost.mvp_weeks"]
    assert mvp["stated"] == {"low": 5, "high": 8}
    record = calibrate(HISTORY)
    corrected = record.apply(load_idea(EXAMPLES / "ideas" / "ticket-triage.yaml")).cost.mvp_weeks
    assert mvp["corrected"] == {"low": corrected.low, "high": corrected.high}
    assert mvp["source"] == "its own 12 actuals"
    # Effort overruns in the record: the corrected effort is larger than the stated one.
    plain = json.loads(
        run(capsys, "score", str(EXAMPLES / "ideas" / "ticket-triage.yaml"), "--json")[1]
    )[0]
    assert row["effort_weeks"] > plain["effort_weeks"]


def test_compare_calibrated_says_so_above_and_below_the_table(capsys):
    status, out, _ = run(
        capsys, "compare", str(EXAMPLES / "ideas"), "--capacity-weeks", "60", "--calibrated"
    )
    assert status == 0
    assert out.startswith("Calibrated: estimates corrected by the record of 12 launched ideas")
    assert "stated 5 to 8, corrected" in out
    status, out, _ = run(
        capsys,
        "compare",
        str(EXAMPLES / "ideas"),
        "--capacity-weeks",
        "60",
        "--json",
        "--calibrated",
    )
    ideas = json.loads(out)["ideas"]
    assert all("calibration" in row for row in ideas)
    assert ideas[0]["calibration"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("calibrate", str(EXAMPLES / "ideas")), "no idea here records outcome.actual"),
        (("calibrate", "no/such/folder"), "no/such/folder"),
        (
            ("score", str(EXAMPLES / "ideas" / "ticket-triage.yaml"), "--calibrated", "nope"),
            "nope",
        ),
    ],
)
def test_bad_history_is_one_line_and_exit_2(capsys, args, message):
    status, out, err = run(capsys, *args)
    assert status == 2 and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_calibrated_without_a_history_folder_says_how_to_name_one(tmp_path, capsys):
    shutil.copy(EXAMPLES / "ideas" / "spam-filter.yaml", tmp_path)
    shutil.copy(EXAMPLES / "ideas" / "mlpm.yaml", tmp_path)  # the shared numbers
    status, _, err = run(capsys, "score", str(tmp_path), "--calibrated")
    assert status == 2 and "--calibrated DIR" in err


def test_score_csv_names_the_corrected_ranges(capsys):
    import csv
    import io

    status, out, _ = run(
        capsys, "score", str(EXAMPLES / "ideas" / "ticket-triage.yaml"), "--csv", "--calibrated"
    )
    row = next(csv.DictReader(io.StringIO(out)))
    assert status == 0 and "cost.mvp_weeks: 5 to 8 -> " in row["calibration"]


def test_compare_out_keeps_the_stated_estimates(tmp_path, capsys):
    from mlpm_kit.idea.sheets import read_sheet

    out = tmp_path / "portfolio.csv"
    status, _, err = run(
        capsys,
        "compare",
        str(EXAMPLES / "ideas"),
        "--capacity-weeks",
        "60",
        "--out",
        str(out),
        "--calibrated",
    )
    assert status == 0, err
    triage = next(i for i in read_sheet(out) if i.id == "ticket-triage")
    assert str(triage.cost.mvp_weeks) == "5 to 8"


def test_a_history_of_plain_numbers_has_nothing_to_compare(tmp_path, capsys):
    (tmp_path / "a.yaml").write_text(
        "title: A\npain: {frequency: 3, severity: 3}\nvalue: {users: 100}\n"
        "cost: {team_week_cost: 4000, mvp_weeks: 6}\n"
        "outcome:\n  actual: {value.users: 80, cost.mvp_weeks: 0}\n",
        encoding="utf-8",
    )
    status, out, _ = run(capsys, "calibrate", str(tmp_path))
    assert status == 0 and "2 actuals were estimated as a plain number" in out
    status, out, _ = run(capsys, "calibrate", str(tmp_path), "--json")
    data = json.loads(out)
    assert data["overall"]["n"] == 0 and data["overall"]["hit_rate"] is None
    assert data["warnings"][0]["code"] == "no_actuals"


def test_actuals_at_zero_are_large_misses_not_errors(tmp_path, capsys):
    for i in range(6):
        (tmp_path / f"i{i}.yaml").write_text(
            "title: A\npain: {frequency: 3, severity: 3}\n"
            "value: {users: 100 to 200, adoption: 0.3 to 0.6}\n"
            "cost: {team_week_cost: 4000, mvp_weeks: 4 to 6}\n"
            f"outcome:\n  actual: {{value.users: {0 if i == 0 else 150}, value.adoption: "
            f"{0 if i == 1 else 1 if i == 2 else 0.4}, cost.mvp_weeks: 5}}\n",
            encoding="utf-8",
        )
    status, out, _ = run(capsys, "calibrate", str(tmp_path), "--json")
    data = json.loads(out)
    assert status == 0 and data["overall"]["n"] == 18
    assert {m["id"] for m in data["largest_misses"][:3]} == {"i0", "i1", "i2"}
