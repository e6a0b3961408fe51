"""Charts and the styled table render, with titles that state the conclusion."""

from __future__ import annotations

import numpy as np

from mlpm_kit.portfolio.selection import best_portfolio
from mlpm_kit.report.portfolio_charts import (
    capacity_curve_chart,
    opportunity_cost_chart,
    pareto_front,
    value_effort_chart,
)
from mlpm_kit.report.portfolio_table import styled_ranking
from tests.portfolio_fixtures import make_idea

IDEAS = [
    make_idea("a", 6, users=3000),
    make_idea("b", 5, users=2000),
    make_idea("c", 5, users=1800),
    make_idea("d", 30),
]


def test_pareto_front_keeps_ideas_no_other_beats_on_both():
    effort = np.array([1.0, 2.0, 2.0, 3.0, 4.0])
    value = np.array([5.0, 4.0, 7.0, 6.0, 9.0])
    assert list(pareto_front(effort, value)) == [0, 2, 4]


def test_charts_render(tmp_path):
    sel = best_portfolio(IDEAS, capacity_weeks=10)
    for make in (value_effort_chart, opportunity_cost_chart, capacity_curve_chart):
        fig = make(sel)
        fig.savefig(tmp_path / f"{make.__name__}.png")
        assert (tmp_path / f"{make.__name__}.png").stat().st_size > 5000
    assert value_effort_chart(sel).axes[0].get_title().startswith("The best set: 2 ideas worth")
    assert (
        capacity_curve_chart(sel)
        .axes[0]
        .get_title()
        .startswith("One more engineer-quarter (13 weeks) adds")
    )


def test_styled_ranking_html():
    html = styled_ranking(best_portfolio(IDEAS, capacity_weeks=10)).to_html()
    assert "value over opportunity cost" in html and "greedy by RICE leaves" in html
