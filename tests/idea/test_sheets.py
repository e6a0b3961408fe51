"""Portfolios from folders, CSV and XLSX: row/column errors and the spreadsheet round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlpm_kit import load_portfolio
from mlpm_kit.errors import InputError
from mlpm_kit.idea.files import idea_data, save_idea
from mlpm_kit.idea.sheets import save_portfolio
from mlpm_kit.model.scoring import score
from mlpm_kit.portfolio.selection import best_portfolio
from tests.conftest import ROOT
from tests.portfolio_fixtures import GOOD_ROWS, ROW_HEADER, make_idea


def write(tmp_path: Path, text: str, name: str = "portfolio.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def comparable(idea) -> dict:
    data = {k: v for k, v in idea_data(idea).items() if v not in ([], {}, None)}
    data["id"] = idea.id
    return data


def test_csv_rows_become_validated_ideas(tmp_path):
    ideas = load_portfolio(write(tmp_path, ROW_HEADER + GOOD_ROWS))
    assert [i.id for i in ideas] == ["triage", "spam", "churn"]
    triage = ideas[0]
    assert (triage.value.users.low, triage.value.users.high) == (120, 250)
    assert triage.pain.frequency == 5
    assert triage.alternatives[0].captures.high == 0.4
    assert ideas[1].alternatives == []  # empty cells: the alternative is left out


def test_bad_interval_names_file_row_and_column(tmp_path):
    rows = GOOD_ROWS.replace("30,0.8", "200 to,0.8")
    with pytest.raises(InputError) as err:
        load_portfolio(write(tmp_path, ROW_HEADER + rows))
    assert str(err.value).startswith(
        f"{tmp_path / 'portfolio.csv'}: row 4, column value.users: '200 to' is not a number or a range."
    )


def test_bad_cell_in_an_alternative_column(tmp_path):
    rows = GOOD_ROWS.replace("Spreadsheet,0.1", "Spreadsheet,1.5")
    with pytest.raises(
        InputError,
        match=r"row 4, column alternatives\[0\]\.captures: 1\.5 is above the allowed range",
    ):
        load_portfolio(write(tmp_path, ROW_HEADER + rows))


def test_every_bad_row_is_counted(tmp_path):
    rows = GOOD_ROWS.replace("5,3,4000", "9,3,4000").replace("2,4,5000", "2,4,lots")
    with pytest.raises(
        InputError,
        match=r"row 2, column pain\.frequency: 9 is outside 1-5(.|\n)*\n.*portfolio.csv: row 4, column cost\.team_week_cost: 'lots'",
    ):
        load_portfolio(write(tmp_path, ROW_HEADER + rows))


def test_missing_required_column(tmp_path):
    header = ROW_HEADER.replace("pain.severity,", "")
    rows = "\n".join(",".join(r.split(",")[:3] + r.split(",")[4:]) for r in GOOD_ROWS.splitlines())
    with pytest.raises(
        InputError, match="the required column pain.severity is missing; add it to the header row."
    ):
        load_portfolio(write(tmp_path, header + rows))


def test_misspelled_column_suggests_the_closest(tmp_path):
    header = ROW_HEADER.replace("value.users", "value.user")
    with pytest.raises(
        InputError, match=r"unknown column 'value.user' \(column 7\); did you mean 'value.users'\?"
    ):
        load_portfolio(write(tmp_path, header + GOOD_ROWS))
    header = ROW_HEADER.replace("alternatives[0].captures", "alternatives.0.capture")
    with pytest.raises(InputError, match=r"did you mean 'alternatives\[0\]\.captures'\?"):
        load_portfolio(write(tmp_path, header + GOOD_ROWS))


def test_duplicate_ids(tmp_path):
    rows = GOOD_ROWS.replace("churn,", "spam,")
    with pytest.raises(
        InputError,
        match="row 4, column id: the id 'spam' is also used on row 3; give each idea its own id.",
    ):
        load_portfolio(write(tmp_path, ROW_HEADER + rows))


def test_missing_id_comes_from_the_title(tmp_path):
    rows = GOOD_ROWS.replace("triage,Ticket", ",Ticket")
    assert load_portfolio(write(tmp_path, ROW_HEADER + rows))[0].id == "ticket-triage"


def test_empty_inputs(tmp_path):
    with pytest.raises(InputError, match="the file is empty"):
        load_portfolio(write(tmp_path, ""))
    with pytest.raises(InputError, match="has a header row but no ideas"):
        load_portfolio(write(tmp_path, ROW_HEADER + ",,,\n"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="the folder has no idea files"):
        load_portfolio(tmp_path / "empty")
    with pytest.raises(InputError, match="is not a folder, an idea file"):
        load_portfolio(write(tmp_path, "x", "notes.txt"))


def test_a_bad_file_in_a_folder_is_an_error(tmp_path):
    save_idea(make_idea("a", 4), tmp_path / "a.yaml")
    (tmp_path / "b.yaml").write_text("title: B\n", encoding="utf-8")
    with pytest.raises(
        InputError, match=r"b.yaml: pain: is required(.|\n)*a comparison needs every idea"
    ):
        load_portfolio(tmp_path)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_round_trip_with_results(tmp_path, suffix):
    ideas = load_portfolio(write(tmp_path, ROW_HEADER + GOOD_ROWS))
    selection = best_portfolio(ideas, capacity_weeks=20)
    out = save_portfolio(ideas, tmp_path / f"results{suffix}", selection.table)
    back = load_portfolio(out)
    assert [comparable(i) for i in back] == [comparable(i) for i in ideas]
    assert score(back).equals(score(ideas))
    # Results are columns beside the inputs, and reading skips them.
    import pandas as pd

    frame = pd.read_csv(out) if suffix == ".csv" else pd.read_excel(out)
    assert {"selected", "opportunity_cost", "expected_value", "value.users"} <= set(frame.columns)
    assert list(frame.loc[frame["selected"], "id"]) == [
        i for i in frame["id"] if i in selection.selected
    ]


def test_yaml_ideas_with_ml_sections_round_trip(tmp_path):
    idea = make_idea(
        "ml-one",
        5,
        ml={
            "task": "binary_classification",
            "data": {"pilot_curve": [[500, 0.81], [1000, 0.86]]},
            "explainability": {"inline_explanation": "Flagged: sender unknown, link mismatch"},
        },
        tags=["email", "nlp"],
    )
    out = save_portfolio([idea], tmp_path / "one.xlsx")
    assert [comparable(i) for i in load_portfolio(out)] == [comparable(idea)]


def test_results_go_to_csv_or_xlsx_only(tmp_path):
    with pytest.raises(InputError, match="written as .csv or .xlsx"):
        save_portfolio([make_idea("a", 4)], tmp_path / "out.json")


def test_semicolon_csv_is_refused_rather_than_misread(tmp_path):
    text = (ROW_HEADER + GOOD_ROWS).replace(",", ";")
    with pytest.raises(InputError, match="looks like a semicolon-separated CSV"):
        load_portfolio(write(tmp_path, text))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_interview_paths_still_resolve_from_a_sheet_elsewhere(tmp_path, suffix, monkeypatch):
    examples = ROOT / "examples" / "ideas"
    ideas = load_portfolio(examples)
    sheet = save_portfolio(ideas, tmp_path / f"portfolio{suffix}")
    with pytest.raises(InputError, match="leads outside the idea's project folder"):
        load_portfolio(sheet)  # notes outside the sheet's project are read only when allowed:
    monkeypatch.setenv("MLPM_NOTES_DIRS", str(ROOT / "examples" / "interviews"))
    again = load_portfolio(sheet)
    before, after = score(ideas).set_index("id"), score(again).set_index("id")
    assert after.loc["ticket-triage", "confidence_source"].startswith("from 5 interview notes")
    assert after.loc["ticket-triage", "expected_value"] == pytest.approx(
        before.loc["ticket-triage", "expected_value"]
    )


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_text_that_looks_like_a_formula_stays_text(tmp_path, suffix):
    idea = make_idea("f", 4, title='=HYPERLINK("http://evil.example","click")')
    sheet = save_portfolio([idea], tmp_path / f"p{suffix}")
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        cells = [c for row in load_workbook(sheet).active.iter_rows() for c in row]
        assert all(c.data_type != "f" for c in cells)
    else:
        assert "'=HYPERLINK" in sheet.read_text(encoding="utf-8")
    assert load_portfolio(sheet)[0].title == idea.title
