"""Reports: the scorecard memo, the URL fetcher, and PDFs rendered through a real kernel.

Unit tests (no kernel) cover escaping, the decision on page 1, option checks and the URL
fetcher. Tests marked `kernel`/`pdf` run notebook 01 with papermill and WeasyPrint; they
share one kernel and use few draws to keep the run short.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html import escape
from pathlib import Path

import nbformat
import pytest

from mlpm_kit.errors import IdeaFileError, InputError, ToolError
from mlpm_kit.idea.formatting import money, share
from mlpm_kit.report.render import (
    TEMPLATE_DIR,
    BlockedURLError,
    ReportJob,
    ReportKernel,
    allowed_url,
    plan_report,
    render_report,
    run_job,
    safe_url_fetcher,
    write_pdf,
)
from mlpm_kit.report.scorecard import build_scorecard, scorecard_sections
from tests.conftest import EXAMPLES, idea_dict, run_mlpm

IDEAS = EXAMPLES / "ideas"
DRAWS = 400
HOSTILE_TITLE = "<script>alert(1)</script>"
HOSTILE_IMG = '<img src="file:///etc/passwd">'
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils not installed"
)


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_image_count(path: Path) -> int:
    listing = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return sum(line.split()[2] == "image" for line in listing.strip().splitlines()[2:])


def words_past_the_right_margin(path: Path, margin_mm: float = 16) -> list[tuple[int, str]]:
    """(page, word) of every word that ends right of the page's right margin (report.css: 16 mm)."""
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    past = []
    for number, page in enumerate(boxes.split("<page ")[1:], start=1):
        limit = float(re.search(r'width="([\d.]+)"', page).group(1)) - margin_mm / 25.4 * 72
        for x_max, word in re.findall(r'xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<', page):
            if float(x_max) > limit + 1:  # 1 pt for rounding
                past.append((number, word))
    return past


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


@pytest.fixture
def hostile_idea_file(tmp_path):
    from mlpm_kit.idea.files import save_idea, validate_idea

    data = idea_dict(
        problem={
            "what": f"{HOSTILE_IMG} and <link rel=stylesheet href=http://example.com/x.css>",
            "who": "</td></table><h1>injected</h1>",
        },
        alternatives=[{"name": '<iframe src="file:///etc/passwd"></iframe>', "captures": 0.1}],
    )
    data["title"] = HOSTILE_TITLE
    data["owner"] = HOSTILE_IMG
    idea = validate_idea(data, "evil.yaml", default_id="evil")
    return save_idea(idea, tmp_path / "evil.yaml")


# --- the memo's HTML, without a kernel -------------------------------------------------------


def test_every_idea_string_is_escaped(hostile_idea_file):
    html = "".join(scorecard_sections(hostile_idea_file, draws=0))
    for raw in ("<script", "<img", "<iframe", "<link", "<h1>injected"):
        assert raw not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html


def test_sections_come_in_report_order():
    html = "".join(scorecard_sections(IDEAS / "ticket-triage.yaml", draws=0))
    headings = re.findall(r"<h2>(.*?)</h2>", html)
    assert headings[:4] == [
        "Decision",
        "The problem and the evidence",
        "Alternatives customers use today",
        "Value and cost, step by step",
    ]
    assert headings[-1] == "ML readiness"  # ticket-triage has an ml: section
    assert "Validate first when knowing an input before deciding is worth more than one" not in html


GENERATED = [
    # (what it is, revenue per year, confidence): clear go, clear no-go, close calls, low confidence
    ("clear go", "400000 to 600000", 0.9),
    ("clear no-go", "1000 to 5000", 0.9),
    ("close call", "2000 to 40000", 0.9),  # break-even near 14k: 40k one-time / 2.9 years
    ("low confidence, wide", "60000 to 70000", "0.05 to 0.6"),
    ("low confidence, narrow", "200000 to 300000", "0.3 to 0.4"),
]


@pytest.fixture
def generated_files(tmp_path):
    from mlpm_kit.idea.files import save_idea, validate_idea

    paths = []
    for i, (_, revenue, confidence) in enumerate(GENERATED):
        data = idea_dict(
            value={"users": 0, "revenue_per_year": revenue},
            evidence={"confidence": confidence},
        )
        idea = validate_idea(data, f"g{i}.yaml", default_id=f"g{i}")
        paths.append(save_idea(idea, tmp_path / f"g{i}.yaml"))
    return paths


def test_the_decision_is_the_same_in_json_panel_and_memo(generated_files, capsys):
    from mlpm_kit.cli import main
    from mlpm_kit.idea.files import load_idea
    from mlpm_kit.workshop.live_results import compute_results, results_html

    assert main(["score", "--json", *map(str, generated_files)]) == 0
    scored = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    seen = set()
    for path in generated_files:
        idea = load_idea(path)
        row = scored[idea.id]
        memo = scorecard_sections(path)[0]
        panel = results_html(compute_results(idea))
        for html in (memo, panel):
            assert f'data-decision="{row["decision"]}"' in html
            assert escape(row["decision_reason"]) in html
        seen.add(row["decision"])
        if row["decision"] == "validate_first":
            assert row["evpi_total"] > row["validation_cost"]
            assert row["validate"]["evppi"] > row["validation_cost"]
    assert seen == {"go", "no_go", "validate_first"}


def test_page_one_is_a_decision_with_its_ask():
    card = build_scorecard(IDEAS / "playlist-recommendations.yaml", draws=DRAWS)
    html = scorecard_sections(IDEAS / "playlist-recommendations.yaml", draws=DRAWS)[0]
    text = re.sub(r"<[^>]+>", " ", html)
    for words in (
        "Validate first",
        "The ask",
        "Weeks to MVP",
        "Weeks to launch",
        "Yearly run cost",
        "Chance of losing money",
        "Chance of doing worse than the team&#x27;s next-best work",
        "Kill criteria",
        "Top risks",
    ):
        assert words in text, words
    assert card.decision.decision == "validate_first"
    assert escape(card.decision.kill_texts()[0][1:]) in html


def test_decision_summary_uses_the_point_score():
    card = build_scorecard(IDEAS / "ticket-triage.yaml", draws=0)
    scored = json.loads(run_mlpm("score", "--json", str(IDEAS / "ticket-triage.yaml")).stdout)[0]
    html = scorecard_sections(IDEAS / "ticket-triage.yaml", draws=0)[0]
    assert card.point["expected_value"] == pytest.approx(scored["expected_value"])
    assert f"<td>{money(scored['expected_value'], scored['currency'])}</td>" in html
    assert f"<td>{share(scored['confidence'])}</td>" in html


# --- options and the URL fetcher ----------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"format": "docx"}, "use pdf or html"),
        ({"draws": -1}, "--draws"),
        ({"seed": 1.5}, "--seed"),
        ({"portfolio": True}, "needs a folder"),
    ],
)
def test_bad_options_are_input_errors(kwargs, words):
    with pytest.raises(InputError, match=re.escape(words)):
        plan_report(IDEAS / "ticket-triage.yaml", **kwargs)


def test_the_idea_is_validated_before_anything_runs(write_yaml, tmp_path):
    with pytest.raises(IdeaFileError, match="pain.frequency"):
        plan_report(
            write_yaml(
                "title: x\npain: {frequency: 9, severity: 1}\ncost: {team_week_cost: 1, mvp_weeks: 1}\n"
            )
        )
    with pytest.raises(InputError, match="does not exist"):
        plan_report(tmp_path / "missing.yaml")
    with pytest.raises(InputError, match="is a folder"):
        plan_report(IDEAS)
    moved = tmp_path / "ticket-triage.yaml"
    shutil.copy(IDEAS / "ticket-triage.yaml", moved)  # its interview notes stay behind
    shutil.copy(IDEAS / "mlpm.yaml", tmp_path)  # the folder defaults come along
    with pytest.raises(InputError, match="does not exist"):
        plan_report(moved)


def test_url_fetcher_allows_data_uris_and_template_files():
    fetcher = safe_url_fetcher()
    assert fetcher("data:text/plain;base64,aGk=").read() == b"hi"
    css = fetcher((TEMPLATE_DIR / "report.css").as_uri()).read()
    assert b"@page" in css


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        (TEMPLATE_DIR / ".." / ".." / "pyproject.toml").as_uri(),
        "file://otherhost" + str(TEMPLATE_DIR / "report.css"),
        "http://example.com/x.png",
        "https://example.com/x.css",
        "ftp://example.com/x",
        "/etc/passwd",
    ],
)
def test_url_fetcher_blocks_everything_else(url):
    with pytest.raises(BlockedURLError):
        allowed_url(url)
    with pytest.raises(BlockedURLError):
        safe_url_fetcher()(url)


# --- PDFs through a kernel -------------------------------------------------------------------


@pytest.fixture(scope="module")
def kernel():
    with ReportKernel() as k:
        yield k


@pytest.fixture(scope="module")
def triage_pdf(kernel, tmp_path_factory):
    return render_report(
        IDEAS / "ticket-triage.yaml",
        out_dir=tmp_path_factory.mktemp("pdf"),
        draws=DRAWS,
        seed=3,
        kernel=kernel,
    )


@pytest.mark.kernel
@pytest.mark.pdf
@needs_poppler
def test_pdf_reads_like_a_memo(triage_pdf):
    text = pdf_text(triage_pdf)
    assert triage_pdf.name == "ticket-triage.pdf"
    assert 3 <= pdf_pages(triage_pdf) <= 8
    first_page = text.split("\f")[0]
    for words in ("Decision", "The ask", "What it is worth", "Kill criteria", "Top risks"):
        assert words in first_page, words
    assert "Auto-triage of support tickets" in first_page and "Page 1 of" in first_page
    for heading in (
        "The problem and the evidence",
        "Value and cost, step by step",
        "RICE and cost of delay",
    ):
        assert heading in text
    for code in ("Traceback", "show_scorecard", "import ", "idea_path", "In [", "Error"):
        assert code not in text
    assert not triage_pdf.with_name("ticket-triage.report.ipynb").exists()


@pytest.mark.kernel
@pytest.mark.pdf
@needs_poppler
def test_no_table_runs_off_the_page(kernel, triage_pdf, tmp_path):
    # The portfolio table has twelve columns with the simulation's "p selected": it ran
    # 18 mm past the right margin, cutting that column and the value over opportunity cost.
    portfolio = render_report(
        IDEAS, out_dir=tmp_path, portfolio=True, draws=DRAWS, capacity_weeks=60, kernel=kernel
    )
    first_page = pdf_text(portfolio).split("\f")[0]
    # selected, greedy selected, p selected: all twelve columns are there.
    assert re.findall(r"\bselected\b", first_page) == ["selected"] * 3
    assert words_past_the_right_margin(portfolio) == []
    assert words_past_the_right_margin(triage_pdf) == []


@pytest.mark.kernel
@pytest.mark.pdf
@needs_poppler
def test_pdf_numbers_equal_mlpm_score(triage_pdf):
    text = " ".join(pdf_text(triage_pdf).split())
    path = str(IDEAS / "ticket-triage.yaml")
    scored = json.loads(
        run_mlpm("score", "--json", "--draws", str(DRAWS), "--seed", "3", path).stdout
    )[0]
    cur = scored["currency"]  # every amount in the memo carries it
    assert cur == "USD"
    # Page 1 shows the decision of `mlpm score` with the same draws and seed, in its words.
    assert escape(scored["decision_reason"]).replace("&#x27;", "'") in text
    assert f"Expected value {money(scored['expected_value_mean'], cur)}" in text
    assert f"{money(scored['npv_p10'], cur)} to {money(scored['npv_p90'], cur)}" in text
    assert f"Chance of losing money {share(scored['p_loss'])}" in text
    # The label wraps in its cell, so its second line may follow the value.
    worse = re.escape(share(scored["p_below_next_best"]))
    assert re.search(rf"Chance of doing worse than the (team's next-best work )?{worse}", text)
    assert f"{scored['effort_weeks']:.3g} engineer-weeks" in text
    assert f"One-time cost {money(scored['one_time_cost'], cur)}" in text
    assert f"Confidence {share(scored['confidence'])}" in text


@pytest.mark.kernel
@pytest.mark.pdf
@needs_poppler
def test_pdf_has_the_charts(triage_pdf):
    # npv and tornado, plus value of information when some input can change the decision
    # (ticket-triage's ml: section has no pilot curve or error costs, so no ML charts)
    charts = build_scorecard(IDEAS / "ticket-triage.yaml", draws=DRAWS, seed=3).charts
    assert len(charts) >= 2 and pdf_image_count(triage_pdf) == len(charts)


@pytest.mark.kernel
@pytest.mark.pdf
@needs_poppler
def test_chinese_idea_renders_without_missing_glyphs(kernel, tmp_path):
    pdf = render_report(
        IDEAS / "weld-defect-detection.yaml", out_dir=tmp_path, draws=DRAWS, kernel=kernel
    )
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert "CJK" in fonts
    text = pdf_text(pdf)
    assert "汽车副车架焊缝外观缺陷视觉检测" in text and "李娜" in text
    assert "\ufffd" not in text


@pytest.mark.kernel
@pytest.mark.pdf
@needs_poppler
def test_hostile_idea_prints_as_literal_text(kernel, hostile_idea_file, tmp_path):
    pdf = render_report(hostile_idea_file, out_dir=tmp_path, draws=DRAWS, kernel=kernel)
    text = " ".join(pdf_text(pdf).split())
    assert HOSTILE_TITLE in text
    assert '<img src="file:///etc/passwd">' in text
    assert "root:" not in text
    charts = len(build_scorecard(hostile_idea_file, draws=DRAWS).charts)
    assert pdf_image_count(pdf) == charts  # no image fetched from the idea's text


@pytest.mark.pdf
def test_weasyprint_never_fetches_a_local_file_or_the_network(tmp_path, monkeypatch):
    import mlpm_kit.report.render as report

    asked, loaded = [], []

    def spy(url):
        asked.append(url)
        allowed = allowed_url(url)
        loaded.append(allowed)
        return allowed

    monkeypatch.setattr(report, "allowed_url", spy)
    html = (
        '<html><head><link rel="stylesheet" href="http://127.0.0.1:9/x.css"></head><body>'
        '<img src="file:///etc/passwd"><img src="../../pyproject.toml">'
        '<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="></body></html>'
    )
    out = tmp_path / "x.pdf"
    write_pdf(html, out)
    assert out.read_bytes().startswith(b"%PDF")
    assert len(asked) == 4
    assert loaded == [u for u in asked if u.startswith("data:")]  # only the data: URI got through


@pytest.mark.kernel
def test_html_format_is_self_contained(kernel, tmp_path):
    out = render_report(
        IDEAS / "spam-filter.yaml", format="html", out_dir=tmp_path, draws=DRAWS, kernel=kernel
    )
    html = out.read_text(encoding="utf-8")
    assert out.suffix == ".html" and 'data-decision="' in html
    assert "<script" not in html.lower() and "http://" not in html and "https://" not in html
    assert "show_scorecard" not in html and "jp-InputArea" not in html


@pytest.mark.kernel
def test_failing_notebook_keeps_it_and_names_idea_and_step(kernel, tmp_path):
    nb = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}
        }
    )
    nb.cells = [
        nbformat.v4.new_code_cell("idea_path = ''", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("raise ValueError('boom')"),
    ]
    notebook = tmp_path / "broken.ipynb"
    nbformat.write(nb, notebook)
    job = ReportJob(
        IDEAS / "spam-filter.yaml",
        notebook,
        {"idea_path": "x"},
        "t",
        "spam-filter",
        "pdf",
        tmp_path / "out" / "spam-filter.pdf",
    )
    with pytest.raises(ToolError) as info:
        run_job(job, kernel)
    message = str(info.value)
    assert "the idea 'spam-filter'" in message and "running the notebook broken.ipynb" in message
    assert "ValueError: boom" in message and "kept at" in message
    assert (tmp_path / "out" / "spam-filter.report.ipynb").exists()
    assert not job.output.exists()


@pytest.mark.kernel
@pytest.mark.pdf
def test_folder_batch_survives_a_broken_idea(tmp_path):
    ideas = tmp_path / "ideas"
    ideas.mkdir()
    shutil.copytree(EXAMPLES / "interviews", tmp_path / "interviews")  # ticket-triage's notes
    for name in ("ticket-triage", "spam-filter", "mlpm"):
        shutil.copy(IDEAS / f"{name}.yaml", ideas)
    (ideas / "broken.yaml").write_text(
        "title: Broken\npain: {frequency: 9, severity: 1}\n", encoding="utf-8"
    )
    result = run_mlpm(
        "report", str(ideas), "-o", str(tmp_path / "out"), "--draws", str(DRAWS), timeout=300
    )
    assert result.returncode == 2
    assert sorted(p.name for p in (tmp_path / "out").glob("*.pdf")) == [
        "spam-filter.pdf",
        "ticket-triage.pdf",
    ]
    assert "2 of 3 reports written" in result.stderr and "1 failed" in result.stderr
    assert "broken.yaml: pain.frequency" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.split() == [
        str(tmp_path / "out" / n) for n in ("spam-filter.pdf", "ticket-triage.pdf")
    ]


def test_portfolio_report_needs_its_notebook_and_passes_parameters_by_name(tmp_path):
    from mlpm_kit.report.render import PORTFOLIO_NOTEBOOK

    if not PORTFOLIO_NOTEBOOK.is_file():
        with pytest.raises(ToolError, match="not part of this installation"):
            plan_report(IDEAS, portfolio=True)
        return
    job = plan_report(IDEAS, portfolio=True, out_dir=tmp_path, draws=None, capacity_weeks=40)
    assert job.output == tmp_path / "portfolio.pdf" and job.markdown
    assert job.parameters["ideas_path"] == str(IDEAS.resolve())
    assert job.parameters["capacity_weeks"] == 40.0 and "draws" not in job.parameters
    with pytest.raises(InputError, match="--capacity-weeks"):
        plan_report(IDEAS, portfolio=True, capacity_weeks=-1)


def test_cli_report_help_lists_the_options():
    result = run_mlpm("report", "--help")
    for option in (
        "--portfolio",
        "--format",
        "-o",
        "--draws",
        "--seed",
        "--capacity-weeks",
        "--budget",
    ):
        assert option in result.stdout


def test_value_of_information_chart_only_when_some_input_can_change_the_decision():
    # cs-intent-classifier: every EVPPI is 0, so the bars would be empty and the text says why
    clear = build_scorecard(IDEAS / "cs-intent-classifier.yaml", draws=DRAWS)
    assert all((r["evppi"] or 0) == 0 for r in clear.evpi) and len(clear.charts) == 2
    close = build_scorecard(IDEAS / "playlist-recommendations.yaml", draws=DRAWS)
    assert any((r["evppi"] or 0) > 0 for r in close.evpi) and len(close.charts) >= 3


def test_an_unresponsive_kernel_gets_one_second_chance(monkeypatch, tmp_path):
    import papermill
    from nbclient.exceptions import CellTimeoutError

    from mlpm_kit.report import kernel as report_kernel

    class FakeManager:
        has_kernel = True

    starts, timeouts = [], []

    def fake_start(self):
        starts.append(1)
        self.km = FakeManager()
        return self

    def fake_execute(*args, execution_timeout, **kwargs):
        timeouts.append(execution_timeout)
        if len(timeouts) == 1:
            raise CellTimeoutError("A cell timed out while it was being executed")
        return "executed"

    monkeypatch.setattr(report_kernel.ReportKernel, "start", fake_start)
    monkeypatch.setattr(report_kernel.ReportKernel, "close", lambda self: setattr(self, "km", None))
    monkeypatch.setattr(papermill, "execute_notebook", fake_execute)
    kernel = report_kernel.ReportKernel()
    assert kernel.execute(tmp_path / "in.ipynb", {}, tmp_path / "out.ipynb") == "executed"
    assert timeouts == [
        report_kernel.FIRST_TRY_TIMEOUT_SECONDS,
        report_kernel.EXECUTION_TIMEOUT_SECONDS,
    ]
    assert len(starts) == 2  # the second try runs on a fresh kernel

    timeouts.clear()
    monkeypatch.setattr(
        papermill,
        "execute_notebook",
        lambda *a, **k: (_ for _ in ()).throw(ValueError("cell error")),
    )
    with pytest.raises(ValueError, match="cell error"):  # a notebook's own error is not retried
        kernel.execute(tmp_path / "in.ipynb", {}, tmp_path / "out.ipynb")


def test_numbers_stated_twice_that_disagree_are_a_top_risk():
    from mlpm_kit.report.scorecard_data import stated_twice, top_risks

    card = build_scorecard(IDEAS / "spam-filter.yaml", draws=0)
    # The file says 4,000 to 12,000 (median 6,928); the learning curve's labels cost 2,196.
    (risk,) = [r for r in stated_twice(card) if "data cost" in r]
    assert "6.93k (cost.data_cost)" in risk and f"labels cost {money(card.ml['data_cost'])}" in risk
    assert risk in top_risks(card)
    assert stated_twice(build_scorecard(IDEAS / "ticket-triage.yaml", draws=0)) == []


def test_no_local_path_in_a_memo():
    html = "".join(scorecard_sections(IDEAS / "churn-prediction.yaml", draws=0))
    assert str(EXAMPLES) not in html and "../interviews/churn-prediction-01.md" in html
