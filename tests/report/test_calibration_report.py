"""The calibration in reports: the reliability chart, the memo's section, the portfolio section."""

from __future__ import annotations

import numpy as np

from mlpm_kit.calibration.record import calibrate
from mlpm_kit.idea.folders import load_portfolio
from mlpm_kit.report.calibration_charts import reliability_chart
from mlpm_kit.report.calibration_section import calibrated_portfolio, calibration_html
from mlpm_kit.report.scorecard import scorecard_sections
from tests.calibration.histories import history
from tests.conftest import EXAMPLES

HISTORY = EXAMPLES / "history"


def test_reliability_by_hand():
    record = calibrate(history(10, seed=0))
    table = record.reliability()
    z = np.abs(record.pairs["z"].to_numpy())
    # At a stated 90%, an actual hits when |z| <= 1.645: the hit rate of the 90% ranges.
    at_90 = table[(table["field"] == "all") & (table["stated"] == 0.9)]["hit_share"].iloc[0]
    assert at_90 == np.mean(z <= 1.6448536269514722) == record.overall["hit_rate"]
    # One line per field and one for all, each rising with the stated confidence.
    assert set(table["field"]) == {"all", *record.fields}
    for _, part in table.groupby("field"):
        assert np.all(np.diff(part["hit_share"].to_numpy()) >= 0)


def test_reliability_chart_has_a_line_per_field_and_overall():
    record = calibrate(HISTORY)
    table = record.reliability()
    # 10 of the 72 example actuals sit exactly on an end of their range: they count as hits.
    at_90 = table[(table["field"] == "all") & (table["stated"] == 0.9)]["hit_share"].iloc[0]
    assert at_90 == record.overall["hit_rate"] == 38 / 72
    fig = reliability_chart(record)
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert "calibrated" in labels and "all fields (n=72)" in labels
    assert "Effort to MVP (n=12)" in labels
    assert "90% ranges held 53%" in fig.axes[0].get_title()


def test_portfolio_section_lists_corrections_and_no_local_path():
    ideas, record = calibrated_portfolio(load_portfolio(EXAMPLES / "ideas"), HISTORY)
    html = calibration_html(record, ideas)
    assert "12 launched ideas in history" in html and "<img" in html
    assert "use the corrected ranges" in html and "ticket-triage" in html
    assert str(EXAMPLES) not in html
    same, none = calibrated_portfolio(ideas, None)
    assert none is None and same == ideas


def test_memo_says_it_is_calibrated_with_stated_beside_corrected():
    path = EXAMPLES / "ideas" / "ticket-triage.yaml"
    sections = scorecard_sections(path, draws=0, history=HISTORY)
    memo = "".join(sections)
    assert "calibrated estimates" in sections[0]
    assert "Calibrated estimates" in sections[1] and "5 to 8" in sections[1]
    assert str(EXAMPLES) not in memo
    plain = "".join(scorecard_sections(path, draws=0))
    assert "Calibrated" not in plain


def test_report_plans_pass_the_history_to_the_notebooks(tmp_path):
    import pytest

    from mlpm_kit.errors import InputError
    from mlpm_kit.report.render import plan_report

    memo = plan_report(EXAMPLES / "ideas" / "ticket-triage.yaml", "html", tmp_path, history=HISTORY)
    assert memo.parameters["history_path"] == str(HISTORY.resolve())
    folio = plan_report(EXAMPLES / "ideas", "html", tmp_path, portfolio=True, history=HISTORY)
    assert folio.parameters["history_path"] == str(HISTORY.resolve())
    assert "history_path" not in plan_report(EXAMPLES / "ideas", "html", tmp_path, True).parameters
    with pytest.raises(InputError, match="not a folder of launched ideas"):
        plan_report(EXAMPLES / "ideas", "html", tmp_path, portfolio=True, history=tmp_path / "x")
