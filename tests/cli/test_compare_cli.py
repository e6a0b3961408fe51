"""`mlpm compare` as a user runs it: text, --json, --out, and bad input as one line with exit 2."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from mlpm_kit.cli import main
from mlpm_kit.idea.folders import load_portfolio
from tests.conftest import EXAMPLES, run_mlpm
from tests.portfolio_fixtures import GOOD_ROWS, ROW_HEADER

IDEAS = str(EXAMPLES / "ideas")


@pytest.fixture
def sheet(tmp_path):
    path = tmp_path / "portfolio.csv"
    path.write_text(ROW_HEADER + GOOD_ROWS, encoding="utf-8")
    return path


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_text_shows_best_set_opportunity_costs_and_greedy(capsys):
    code, out, err = run(capsys, "compare", IDEAS, "--capacity-weeks", "60")
    assert code == 0, err
    assert out.startswith("Best portfolio for 60 engineer-weeks:")
    assert "opp. cost" in out and "value - opp. cost" in out
    assert "Greedy by RICE" in out and "on the table" in out
    assert "One more engineer-quarter (13 engineer-weeks) would add" in out


def test_json_matches_design_section_6(capsys):
    code, out, _ = run(capsys, "compare", IDEAS, "--capacity-weeks", "60", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["total_effort_weeks"] <= 60
    chosen = [i for i in data["ideas"] if i["selected"]]
    assert sorted(i["id"] for i in chosen) == sorted(data["selected"])
    assert sum(i["expected_value"] for i in chosen) == pytest.approx(data["total_expected_value"])
    assert all(i["expected_value"] > 0 for i in chosen)
    assert data["greedy"]["total_expected_value"] <= data["total_expected_value"]
    for idea in data["ideas"]:
        assert {
            "id",
            "expected_value",
            "effort_weeks",
            "one_time_cost",
            "selected",
            "opportunity_cost",
        } <= set(idea)


def test_json_with_draws_has_p_selected(capsys, monkeypatch):
    n = len(load_portfolio(IDEAS))
    fake = SimpleNamespace(
        samples={"expected_value": np.random.default_rng(0).normal(1e5, 1e5, size=(n, 300))}
    )
    monkeypatch.setattr("mlpm_kit.portfolio.selection.simulate", lambda ideas, draws, seed: fake)
    code, out, _ = run(
        capsys, "compare", IDEAS, "--capacity-weeks", "60", "--draws", "300", "--json"
    )
    data = json.loads(out)
    assert code == 0
    assert all(0 <= i["p_selected"] <= 1 for i in data["ideas"])
    assert data["best_value_distribution"]["draws"] == 200


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_out_round_trips(capsys, sheet, tmp_path, suffix):
    out_path = tmp_path / f"results{suffix}"
    code, out, _ = run(
        capsys, "compare", str(sheet), "--capacity-weeks", "20", "--out", str(out_path)
    )
    assert code == 0 and f"Wrote the portfolio with the results to {out_path}" in out
    frame = pd.read_csv(out_path) if suffix == ".csv" else pd.read_excel(out_path)
    assert list(frame.columns[:3]) == ["id", "title", "pain.frequency"]
    assert {"selected", "opportunity_cost", "greedy_selected"} <= set(frame.columns)
    # The results file is a valid input: the same comparison again.
    code2, out2, _ = run(capsys, "compare", str(out_path), "--capacity-weeks", "20")
    assert code2 == 0 and out2.splitlines()[:2] == out.splitlines()[:2]


def test_must_lists_and_requires_from_the_command_line(capsys, sheet):
    code, out, _ = run(
        capsys,
        "compare",
        str(sheet),
        "--capacity-weeks",
        "30",
        "--json",
        "--include",
        "churn",
        "--exclude",
        "spam",
        "--requires",
        "triage:churn",
    )
    data = json.loads(out)
    assert code == 0 and "churn" in data["selected"] and "spam" not in data["selected"]


@pytest.mark.parametrize("capacity", ["0", "-4"])
def test_capacity_zero_or_below_exits_2_with_one_line(capacity):
    result = run_mlpm("compare", IDEAS, "--capacity-weeks", capacity)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"mlpm: error: capacity_weeks: {int(capacity)} engineer-weeks leaves no room for any idea; "
        "give a capacity above 0, for example 4 engineers x 13 weeks = 52."
    ]
    assert "Traceback" not in result.stderr


def test_bad_sheet_exits_2_naming_row_and_column(capsys, sheet):
    sheet.write_text(ROW_HEADER + GOOD_ROWS.replace("2000,0.9", "2000 to,0.9"), encoding="utf-8")
    code, _, err = run(capsys, "compare", str(sheet), "--capacity-weeks", "20")
    assert code == 2
    assert err.startswith(
        f"mlpm: error: {sheet}: row 3, column value.users: '2000 to' is not a number or a range."
    )


def test_bad_requires_and_budget(capsys, sheet):
    code, _, err = run(
        capsys, "compare", str(sheet), "--capacity-weeks", "20", "--requires", "triage"
    )
    assert code == 2 and "write B:A for 'B needs A'" in err
    code, _, err = run(capsys, "compare", str(sheet), "--capacity-weeks", "20", "--budget", "-5")
    assert code == 2 and "budget: -5 is not a budget" in err


def test_demo_runs_the_comparison(capsys):
    code, out, err = run(capsys, "demo")
    assert code == 0, err
    assert "Best portfolio for 60 engineer-weeks" in out
    assert "How good were our estimates?" in out and "Calibration of 12 launched ideas" in out
    assert "Calibrated with the record of 12 launched ideas" in out and "corrected" in out
