"""The article's example ideas: their ml: sections validate and give the article's metrics."""

import pytest

from mlpm_kit import load_idea, ml_check
from mlpm_kit.idea.folders import idea_files
from mlpm_kit.model.inputs import data_cost_of, run_cost_of
from mlpm_kit.report.ml_charts import error_cost_chart, learning_curve_chart
from tests.conftest import ROOT

IDEAS = ROOT / "examples" / "ideas"
EXAMPLE_IDEAS = sorted(p for p in IDEAS.glob("*.yaml") if p.name != "mlpm.yaml")


@pytest.mark.parametrize("path", idea_files([IDEAS]), ids=lambda p: p.stem)
def test_every_example_gets_an_ml_check(path):
    idea = load_idea(path)
    result = ml_check(idea)
    assert result["id"] == idea.id and result["open_risks"], "every example has an open item"
    fp, fn = idea.ml.false_positive_cost, idea.ml.false_negative_cost
    if fp is None or fn is None:  # no error costs: no metric is recommended, and it says so
        assert result["recommended_metric"] is None and result["min_precision"] is None
        return
    k = fn.median / fp.median  # DESIGN 8: precision when k <= 0.2, recall when k >= 5
    expected = "precision" if k <= 0.2 else "recall" if k >= 5 else "f_beta"
    assert result["recommended_metric"] == expected
    assert result["min_precision"] == pytest.approx(fp.median / (fp.median + fn.median))


def test_the_examples_cover_every_metric():
    metrics = {ml_check(load_idea(p))["recommended_metric"] for p in EXAMPLE_IDEAS}
    assert {"precision", "recall", "f_beta", None} <= metrics


def test_spam_filter_optimizes_precision():
    result = ml_check(IDEAS / "spam-filter.yaml")
    assert result["recommended_metric"] == "precision"
    assert result["min_precision"] == pytest.approx(5 / 5.05)
    assert result["labels_needed"] > result["labels_now"]


def test_cancer_screen_optimizes_recall_and_drives_its_data_cost():
    idea = load_idea(IDEAS / "cancer-cell-screen.yaml")
    result = ml_check(idea)
    assert result["recommended_metric"] == "recall"
    assert idea.cost.data_cost is None
    estimate, source = data_cost_of(idea)
    assert source.startswith("estimated from the ML pilot curve:")
    assert estimate.low <= result["data_cost"] <= estimate.high
    assert "ML retraining" in run_cost_of(idea)[1]


def test_playlist_recommendations_balance_both_errors():
    result = ml_check(IDEAS / "playlist-recommendations.yaml")
    assert result["recommended_metric"] == "f_beta" and result["beta"] == pytest.approx(1.0)


@pytest.mark.parametrize("name", ["spam-filter", "cancer-cell-screen", "playlist-recommendations"])
def test_charts_draw(name):
    idea = load_idea(IDEAS / f"{name}.yaml")
    for fig in (error_cost_chart(idea), learning_curve_chart(idea)):
        assert fig.axes[0].get_title()


def test_saving_keeps_the_ml_section(tmp_path):
    from mlpm_kit import save_idea

    target = tmp_path / "spam-filter.yaml"
    target.write_text((IDEAS / "spam-filter.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "mlpm.yaml").write_bytes((IDEAS / "mlpm.yaml").read_bytes())  # the folder defaults
    idea = load_idea(target)
    idea.title = "Renamed"
    save_idea(idea)
    text = target.read_text(encoding="utf-8")
    assert "pilot_curve: [[1000, 0.962], [3000, 0.978]" in text
    assert "base_rate: 0.45" in text
    assert load_idea(target).ml == idea.ml
