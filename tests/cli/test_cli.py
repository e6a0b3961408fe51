"""The `mlpm` command as a user runs it: every command and output format, and its errors."""

from __future__ import annotations

import csv
import io
import json

import pytest

from mlpm_kit.idea.files import load_idea
from mlpm_kit.model.economics import OUTPUTS
from mlpm_kit.model.scoring import point_values
from tests.conftest import DESIGN_KEYS, EXAMPLES, ROOT, run_mlpm


def test_score_json_has_design_keys_and_follows_the_model():
    result = run_mlpm("score", str(EXAMPLES / "ideas"), "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) >= 10
    assert all(set(row) >= DESIGN_KEYS for row in rows)
    evs = [row["expected_value"] for row in rows]
    assert evs == sorted(evs, reverse=True)
    assert any(ev < 0 for ev in evs), "a real portfolio has losers"
    for row in rows:
        values = point_values([load_idea(EXAMPLES / "ideas" / f"{row['id']}.yaml")])
        for name in OUTPUTS:
            if name in row and row[name] is not None:
                assert row[name] == pytest.approx(float(values[name][0]), rel=1e-12)


def test_score_carries_the_decision_of_section_9(capsys):
    from mlpm_kit.cli import main
    from mlpm_kit.model.decision import DECISION_COLUMNS, decisions

    path = EXAMPLES / "ideas" / "playlist-recommendations.yaml"
    assert main(["score", str(path), "--json", "--seed", "4"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert set(row) >= set(DECISION_COLUMNS)
    (expected,) = decisions([load_idea(path)], seed=4)[1]  # 2,000 draws by default
    assert {key: row[key] for key in DECISION_COLUMNS} == json.loads(json.dumps(expected.json()))
    assert main(["score", str(path), "--seed", "4"]) == 0
    table = capsys.readouterr().out
    assert f"{expected.label}. {expected.decision_reason}" in table
    assert main(["score", str(path), "--csv", "--seed", "4"]) == 0
    (line,) = csv.DictReader(io.StringIO(capsys.readouterr().out))
    assert line["decision"] == expected.decision
    assert json.loads(line["kill_criteria"]) == json.loads(json.dumps(expected.kill_criteria))


def test_score_csv_and_table():
    result = run_mlpm("score", str(EXAMPLES / "ideas" / "ticket-triage.yaml"), "--csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["id"] == "ticket-triage" and set(rows[0]) >= DESIGN_KEYS
    table = run_mlpm("score", str(EXAMPLES / "ideas"))
    assert (
        table.returncode == 0
        and "expected value" in table.stdout
        and "ticket-triage" in table.stdout
    )


def test_new_creates_a_valid_idea(tmp_path):
    result = run_mlpm("new", "Churn alerts", "--dir", str(tmp_path / "ideas"))
    assert result.returncode == 0, result.stderr
    path = tmp_path / "ideas" / "churn-alerts.yaml"
    assert result.stdout.strip() == str(path)
    assert load_idea(path).title == "Churn alerts"
    assert run_mlpm("score", str(path)).returncode == 0


def test_demo_prints_the_ranked_example_portfolio():
    result = run_mlpm("demo", timeout=600)
    assert result.returncode == 0, result.stderr
    assert "ticket-triage" in result.stdout and "expected value" in result.stdout
    assert (
        "out/ticket-triage.pdf" in result.stdout and (ROOT / "out" / "ticket-triage.pdf").is_file()
    )


@pytest.mark.parametrize(
    "args, words",
    [
        (["score", "no/such/file.yaml"], "no such file"),
        (["new", "  "], "the title is empty"),
    ],
)
def test_errors_are_one_line_and_exit_2(args, words):
    result = run_mlpm(*args)
    assert result.returncode == 2
    assert words in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_empty_folder(tmp_path):
    result = run_mlpm("score", str(tmp_path))
    assert result.returncode == 2 and "no idea files" in result.stderr


def test_score_reads_a_spreadsheet_like_a_folder(tmp_path, monkeypatch):
    # The sheet lives outside the examples' project: its notes are read only when allowed.
    monkeypatch.setenv("MLPM_NOTES_DIRS", str(EXAMPLES / "interviews"))
    sheet = tmp_path / "portfolio.csv"
    assert (
        run_mlpm(
            "compare", str(EXAMPLES / "ideas"), "--capacity-weeks", "60", "--out", str(sheet)
        ).returncode
        == 0
    )
    from_sheet = json.loads(run_mlpm("score", str(sheet), "--json").stdout)
    from_folder = json.loads(run_mlpm("score", str(EXAMPLES / "ideas"), "--json").stdout)
    assert [r["id"] for r in from_sheet] == [r["id"] for r in from_folder]
    assert [r["expected_value"] for r in from_sheet] == pytest.approx(
        [r["expected_value"] for r in from_folder]
    )


def test_json_output_is_the_text_json_dumps_writes_with_nan_as_null():
    import numpy as np

    from mlpm_kit.output import json_text

    row = {
        "id": "票务-é",
        "text": 'a "quote", a line\nbreak, a tab\t and \x01',
        "empty": [[], {}],
        "numbers": [1.5, 1e16, -0.0, 123456789.125, 2**63, True, None],
    }
    numpy_row = {**row, "numpy": [np.float64(0.1), np.int64(3), np.bool_(True)]}
    expected = json.dumps({**row, "numpy": [0.1, 3, True]}, indent=2, ensure_ascii=False)
    assert json_text([numpy_row]) == f"[\n  {expected.replace(chr(10), chr(10) + '  ')}\n]"
    # NaN and infinities are null (json.dumps writes NaN, which is not JSON).
    assert json_text([float("nan"), float("-inf")]) == "[\n  null,\n  null\n]"
    # An integer beyond 64 bits (json.dumps writes it).
    assert json_text({"seed": 10**30}) == '{\n  "seed": 1000000000000000000000000000000\n}'
    # Small floats may be spelled otherwise than json.dumps does: the same numbers.
    small = [1e-5, 1.234e-6, 3e-9]
    assert json.loads(json_text(small)) == small


def test_a_command_leaves_the_garbage_collector_as_it_found_it(capsys, monkeypatch):
    import gc

    from mlpm_kit import commands
    from mlpm_kit.cli import GC_YOUNG_OBJECTS, main

    during = []
    score = commands.cmd_score

    def spy(args):
        during.append((gc.get_threshold()[0], gc.get_freeze_count() > 0))
        return score(args)

    monkeypatch.setattr(commands, "cmd_score", spy)
    before = gc.get_threshold()
    assert main(["score", str(EXAMPLES / "ideas"), "--json"]) == 0
    # While it ran: what existed before was frozen, young collections every GC_YOUNG_OBJECTS
    # allocations; afterwards, as before.
    assert during == [(GC_YOUNG_OBJECTS, True)]
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    assert json.loads(capsys.readouterr().out)
