"""Charts: figures whose titles state the conclusion, money on the axes, PNG output, CJK titles."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from mlpm_kit.idea.files import validate_idea
from mlpm_kit.idea.formatting import money
from mlpm_kit.model.simulate import simulate
from mlpm_kit.report import charts


def _idea(title="Chart idea", idea_id="c"):
    return validate_idea(
        {
            "title": title,
            "pain": {"frequency": 4, "severity": 3},
            "value": {"users": 0, "revenue_per_year": "0 to 20000"},
            "cost": {"team_week_cost": 1000, "mvp_weeks": 10, "data_cost": "1000 to 1100"},
            "timeline": {"discount_rate": 0},
            "evidence": {"confidence": 1},
        },
        "test.yaml",
        default_id=idea_id,
    )


@pytest.fixture(scope="module")
def sim():
    return simulate([_idea()], draws=20_000, seed=1)


def test_npv_chart_title_states_the_chance_of_loss_and_the_median(sim):
    fig = charts.npv_chart(sim, "c")
    npv = sim.samples["npv"][0]
    p_loss = (npv < 0).mean()
    assert isinstance(fig, Figure)
    expected = (
        f"{100 * p_loss:.0f}% chance of losing money; median NPV {money(np.percentile(npv, 50))}"
    )
    assert charts.title_of(fig) == expected
    ax = fig.axes[0]
    assert ax.xaxis.get_major_formatter()(25_000, 0) == "25k"
    labels = [t.get_text() for t in ax.texts]
    assert any(label.strip().startswith("p10") for label in labels) and any(
        "median" in label for label in labels
    )


def test_loss_text_extremes():
    assert charts.loss_text(0) == "No simulated outcome loses money"
    assert charts.loss_text(1) == "Every simulated outcome loses money"
    assert charts.loss_text(0.001) == "<1% chance of losing money"
    assert charts.loss_text(0.234) == "23% chance of losing money"


def test_tornado_title_names_the_input_that_moves_expected_value_most(sim):
    fig = charts.tornado_chart(sim)
    top = sim.sensitivity().iloc[0]
    assert top["input"] == "value.revenue_per_year"
    assert charts.title_of(fig).startswith("New revenue per year moves expected value most: ")
    assert money(top["expected_value_high"]) in charts.title_of(fig)


def test_voi_title_says_what_to_validate_first(sim):
    fig = charts.voi_chart(sim, "c")
    value = sim.evpi().iloc[0]["evppi"]
    assert (
        charts.title_of(fig)
        == f"Validate New revenue per year first: knowing it is worth up to {money(value)}"
    )


def test_voi_title_when_nothing_can_change_the_decision():
    idea = validate_idea(
        {
            "title": "Sure thing",
            "pain": {"frequency": 4, "severity": 3},
            "value": {
                "users": "900 to 1100",
                "adoption": 1,
                "hours_saved_per_user_week": 2,
                "hourly_cost": 50,
            },
            "cost": {"team_week_cost": 1000, "mvp_weeks": 10},
        },
        "test.yaml",
        default_id="sure",
    )
    fig = charts.voi_chart(simulate([idea], draws=2000, seed=0))
    assert charts.title_of(fig).startswith("No single input can change the go / no-go decision")


def test_figure_png_is_a_png(sim):
    data = charts.figure_png(charts.npv_chart(sim))
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000


def test_unknown_idea_id_is_a_clear_error(sim):
    with pytest.raises(KeyError, match="no idea with id 'nope'"):
        charts.npv_chart(sim, "nope")


@pytest.mark.skipif(
    not any("CJK" in name or "WenQuanYi" in name for name in charts.font_families()),
    reason="no CJK font installed (Debian: fonts-noto-cjk)",
)
def test_chinese_titles_render_without_missing_glyphs():
    sim = simulate(
        [_idea(title="电商客服咨询意图识别与自动分流", idea_id="zh")], draws=1000, seed=0
    )
    # pytest turns matplotlib's "Glyph ... missing from font(s)" warning into an error.
    for make in (charts.npv_chart, charts.tornado_chart, charts.voi_chart):
        assert charts.figure_png(make(sim))[:4] == b"\x89PNG"


def test_charts_of_an_idea_without_ranges():
    idea = validate_idea(
        {
            "title": "Plain numbers",
            "pain": {"frequency": 4, "severity": 3},
            "value": {
                "users": 10,
                "adoption": 1,
                "hours_saved_per_user_week": 1,
                "hourly_cost": 50,
            },
            "cost": {"team_week_cost": 1000, "mvp_weeks": 100},
        },
        "test.yaml",
        default_id="plain",
    )
    sim = simulate([idea], draws=100, seed=0)
    assert charts.title_of(charts.npv_chart(sim)).startswith("Every simulated outcome loses money")
    assert (
        charts.title_of(charts.tornado_chart(sim))
        == "Every input is a plain number: nothing to swing"
    )
    assert charts.figure_png(charts.voi_chart(sim))[:4] == b"\x89PNG"


def test_a_very_long_title_is_cut_and_never_squeezes_the_plot():
    # warnings are errors in the tests: a collapsed layout would fail here
    sim = simulate([_idea(title="A very long idea title " * 15)], draws=500, seed=0)
    for make in (charts.npv_chart, charts.tornado_chart):
        fig = make(sim)
        assert len(fig.axes[0].get_title(loc="left")) <= 120
        assert charts.figure_png(fig).startswith(b"\x89PNG")
