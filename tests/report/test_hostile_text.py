"""Hostile text in every text field renders as text in every report kind (issue 18).

The idea files, interview notes and their front matter below carry HTML that would run or
restyle a page (`<script>`, `<style>`, an `<img onerror>`), a right-to-left override
(U+202E, which reverses the rest of a line), matplotlib math (`$\\frac{`), a spreadsheet
formula, emoji and Chinese. Each renderer gets them: the memo (with its ML section and
charts), the portfolio ranking, the notes view, the form's results panel, the CSV and XLSX
writers; the slow tests render the portfolio and a memo through the notebooks to HTML and
PDF and read the PDF back with pdftotext.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from mlpm_kit.idea.files import load_idea
from mlpm_kit.idea.folders import load_ideas
from mlpm_kit.idea.formatting import FORMULA_STARTS
from mlpm_kit.idea.sheets import read_sheet, save_portfolio
from mlpm_kit.interviews.notes import check_notes
from mlpm_kit.portfolio.selection import best_portfolio
from mlpm_kit.report.notes_view import grade_html, notes_report_text, report_html
from mlpm_kit.report.portfolio_table import selection_text, styled_ranking
from mlpm_kit.report.scorecard import scorecard_sections
from mlpm_kit.workshop.live_results import compute_results, results_html
from tests.conftest import EXAMPLES

SCRIPT = "<script>fetch('http://127.0.0.1:9/x')</script>"
STYLE = "<style>table{display:none}</style>"
IMG = "<img src=x onerror=alert(1)>"
RTL = "\u202e"
MATH = "$\\frac{1}{"
HOSTILE = f"{SCRIPT}{STYLE}{IMG} {RTL}APPROVED BY CFO 🚀 汽车 {MATH} =1+1"
# What each must look like once escaped; none of the raw forms may appear.
RAW = ("<script>fetch", "<style>table", "<img src=x", RTL)
ESCAPED = ("&lt;script&gt;", "&lt;style&gt;table{display:none}&lt;/style&gt;", "&lt;img src=x")


def _hostile_idea(source: Path, target: Path, idea_id: str) -> Path:
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["id"] = idea_id
    data["title"] = f"{HOSTILE} {idea_id}"
    data["owner"] = HOSTILE
    for key in ("what", "why", "who"):
        data.setdefault("problem", {})[key] = HOSTILE
    for alternative in data.get("alternatives") or []:
        alternative["name"] = f"{HOSTILE} {alternative.get('kind', '')}"
    groups = (data.get("ml") or {}).get("data", {}).get("groups") or []
    for group in groups:
        group["name"] = HOSTILE
    if data.get("evidence", {}).get("interviews"):
        data["evidence"]["interviews"] = ["../interviews/hostile-01.md"]
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """A project folder: ideas/ with two hostile ideas (one with an ml: section), interviews/."""
    root = tmp_path_factory.mktemp("hostile")
    (root / "ideas").mkdir()
    (root / "interviews").mkdir()
    (root / "interviews" / "hostile-01.md").write_text(
        "---\n"
        + yaml.safe_dump({"interviewee": HOSTILE, "role": HOSTILE, "relationship": HOSTILE})
        + f"---\nQ: Would you use {HOSTILE}?\nA: Last Tuesday we lost two hours on {HOSTILE}.\n",
        encoding="utf-8",
    )
    shutil.copy(EXAMPLES / "ideas" / "mlpm.yaml", root / "ideas")  # the folder's shared numbers
    _hostile_idea(EXAMPLES / "ideas" / "ticket-triage.yaml", root / "ideas" / "a.yaml", "a")
    _hostile_idea(EXAMPLES / "ideas" / "spam-filter.yaml", root / "ideas" / "b.yaml", "b")
    return root


def assert_inert(html: str) -> None:
    for raw in RAW:
        assert raw not in html, raw
    assert any(e in html for e in ESCAPED)


def test_hostile_ideas_load(hostile):
    ideas, errors = load_ideas([hostile / "ideas"])
    assert not errors and [i.id for i in ideas] == ["a", "b"]
    assert ideas[0].title.startswith(SCRIPT)  # kept as written; only rendering changes it


def test_memo_html_with_charts_and_ml_section(hostile):
    for name in ("a.yaml", "b.yaml"):  # b has an ml: section, so its charts and risks too
        html = "".join(scorecard_sections(hostile / "ideas" / name, draws=300))
        assert_inert(html)
        assert "🚀 汽车" in html


def test_portfolio_ranking_escapes_every_cell(hostile):
    ideas, _ = load_ideas([hostile / "ideas"])
    selection = best_portfolio(ideas, 60)
    html = styled_ranking(selection).to_html()
    assert_inert(html)
    assert "&lt;script&gt;fetch(&#39;http://127.0.0.1:9/x&#39;)&lt;/script&gt;" in html
    assert RTL not in selection_text(selection)


def test_notes_view_and_terminal_text(hostile):
    report = check_notes([hostile / "interviews"])
    assert_inert(report_html(report) + grade_html(report.summary))
    assert RTL not in notes_report_text(report)


def test_form_results_panel(hostile):
    html = results_html(compute_results(load_idea(hostile / "ideas" / "a.yaml"), draws=300))
    assert_inert(html)


def test_spreadsheets_neutralise_formulas_and_keep_numbers(hostile, tmp_path):
    ideas, _ = load_ideas([hostile / "ideas"])
    ideas[0].owner = '=HYPERLINK("http://x")'
    ideas[1].owner = "-2+3"
    results = best_portfolio(ideas, 60).table.assign(opportunity_cost=-5.0)
    out = save_portfolio(ideas, tmp_path / "p.csv", results)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    cells = [v for row in rows for v in row.values() if v]
    assert not [c for c in cells if c[:1] in FORMULA_STARTS and not _is_number(c)]
    assert rows[0]["owner"] == '\'=HYPERLINK("http://x")' and rows[1]["owner"] == "'-2+3"
    assert [row["opportunity_cost"] for row in rows] == ["-5.0", "-5.0"]  # numbers stay numbers
    back = read_sheet(out)
    assert [i.owner for i in back] == ['=HYPERLINK("http://x")', "-2+3"]  # and read back as written
    xlsx = save_portfolio(ideas, tmp_path / "p.xlsx", results)
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx).active
    values = [c.value for row in sheet.iter_rows(min_row=2) for c in row if c.value is not None]
    assert not [v for v in values if isinstance(v, str) and v[:1] in FORMULA_STARTS]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert -5.0 in values


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# --- through the notebooks, to HTML and PDF --------------------------------------------------


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.kernel
@pytest.mark.pdf
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_portfolio_and_memo_reports_print_hostile_text_as_text(hostile, tmp_path):
    from mlpm_kit.report.kernel import ReportKernel
    from mlpm_kit.report.render import render_report

    with ReportKernel() as kernel:
        page = render_report(
            hostile / "ideas", "html", tmp_path, portfolio=True, draws=0, kernel=kernel
        )
        portfolio_pdf = render_report(
            hostile / "ideas", "pdf", tmp_path, portfolio=True, draws=0, kernel=kernel
        )
        memo_pdf = render_report(
            hostile / "ideas" / "b.yaml", "pdf", tmp_path, draws=300, kernel=kernel
        )
    assert_inert(page.read_text(encoding="utf-8"))
    for pdf in (portfolio_pdf, memo_pdf):
        text = "".join(pdf_text(pdf).split())  # table cells wrap long titles anywhere
        assert "<script>fetch('http://127.0.0.1:9/x')</script>" in text
        assert "<style>table{display:none}</style>" in text  # shown, so it styled nothing
        assert "<imgsrc=xonerror=alert(1)>" in text
        assert RTL not in text
        assert "汽车" in text
    assert "expected value" in pdf_text(portfolio_pdf).lower()  # the table is still there
