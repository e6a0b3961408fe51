"""best_portfolio on ideas: values from the point score, totals, greedy, must lists, draws."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from mlpm_kit.errors import InputError
from mlpm_kit.model.scoring import score
from mlpm_kit.portfolio.selection import MAX_KNAPSACK_DRAWS, best_portfolio
from tests.portfolio_fixtures import make_idea

# Efforts 6, 5, 5 engineer-weeks; users set the values (more users, more value).
IDEAS = [
    make_idea("a", 6, users=3000),
    make_idea("b", 5, users=2000),
    make_idea("c", 5, users=1800),
]


def values_by_id(ideas):
    table = score(ideas)
    return dict(zip(table["id"], table["expected_value"], strict=True))


def test_selection_uses_the_point_score_and_respects_capacity():
    ev = values_by_id(IDEAS)
    assert ev["a"] < ev["b"] + ev["c"]  # so at 10 weeks the best set is {b, c}, not {a}
    sel = best_portfolio(IDEAS, capacity_weeks=10)
    assert sel.selected == ["b", "c"]
    assert sel.total_expected_value == pytest.approx(ev["b"] + ev["c"])
    assert sel.total_effort_weeks == 10
    assert sel.total_one_time_cost == 10 * 4000
    row = sel.table.set_index("id")
    assert row.loc["a", "expected_value"] == ev["a"]
    # a, outside: forcing it in leaves room for nothing else.
    assert row.loc["a", "opportunity_cost"] == pytest.approx(ev["b"] + ev["c"])
    # b, inside: without b the best is a alone.
    assert row.loc["b", "opportunity_cost"] == pytest.approx(ev["a"] - ev["c"])
    assert row.loc["b", "value_over_opportunity_cost"] == pytest.approx(ev["b"] + ev["c"] - ev["a"])
    assert list(sel.table["selected"]) == [True, True, False]  # selected first


def test_greedy_by_rice_and_the_value_it_leaves():
    sel = best_portfolio(IDEAS, capacity_weeks=10)
    # a has the highest RICE; after a (6 weeks) neither b nor c fits the 4 weeks left.
    assert sel.greedy["selected"] == ["a"]
    ev = values_by_id(IDEAS)
    assert sel.value_left_by_greedy == pytest.approx(ev["b"] + ev["c"] - ev["a"])


def test_json_has_the_design_keys():
    out = best_portfolio(IDEAS, capacity_weeks=10).to_json()
    for key in (
        "selected",
        "total_expected_value",
        "total_effort_weeks",
        "total_one_time_cost",
        "greedy",
        "ideas",
    ):
        assert key in out
    assert set(out["greedy"]) == {
        "selected",
        "total_expected_value",
        "total_effort_weeks",
        "total_one_time_cost",
    }
    for key in (
        "id",
        "expected_value",
        "effort_weeks",
        "one_time_cost",
        "selected",
        "opportunity_cost",
    ):
        assert key in out["ideas"][0]
    assert "p_selected" not in out["ideas"][0]


def test_must_lists_and_dependencies():
    assert best_portfolio(IDEAS, 10, must_include=["a"]).selected == ["a"]
    assert best_portfolio(IDEAS, 10, must_exclude=["b"]).selected == ["a"]
    assert best_portfolio(IDEAS, 11, requires={"c": "b", "b": ["a"]}).selected == ["a", "b"]
    with pytest.raises(InputError, match="'bb' is not an idea of this portfolio; did you mean 'b'"):
        best_portfolio(IDEAS, 10, must_include=["bb"])
    with pytest.raises(InputError, match="on both the must-include and the must-exclude list"):
        best_portfolio(IDEAS, 10, must_include=["a"], must_exclude=["a"])
    with pytest.raises(
        InputError, match="must-include ideas \\(a, b\\) and what they need do not fit"
    ):
        best_portfolio(IDEAS, 10, must_include=["a", "b"])


def test_a_loss_is_never_selected_and_too_big_ideas_never_fit():
    loss = make_idea("loss", 1, users=0)
    huge = make_idea("huge", 50, users=100000)
    sel = best_portfolio([*IDEAS, loss, huge], capacity_weeks=20)
    assert "loss" not in sel.selected and "huge" not in sel.selected
    assert np.isnan(sel.table.set_index("id").loc["huge", "opportunity_cost"])


@pytest.mark.parametrize("capacity", [0, -5, float("nan")])
def test_capacity_must_be_above_zero(capacity):
    with pytest.raises(
        InputError, match="capacity_weeks: .* leaves no room for any idea; give a capacity above 0"
    ):
        best_portfolio(IDEAS, capacity)


def test_negative_budget_and_no_ideas():
    with pytest.raises(InputError, match="budget: -1 is not a budget"):
        best_portfolio(IDEAS, 10, budget=-1)
    with pytest.raises(InputError, match="there are no ideas to compare"):
        best_portfolio([], 10)


def test_budget_limits_the_set():
    # b and c cost 20k each; a budget of 25k allows one of them, or a (24k).
    sel = best_portfolio(IDEAS, capacity_weeks=20, budget=25_000)
    assert sel.selected == ["a"] and sel.total_one_time_cost <= 25_000


def test_capacity_curve_and_one_more_quarter():
    sel = best_portfolio(IDEAS, capacity_weeks=10)
    curve = sel.capacity_curve
    assert curve["capacity_weeks"].iloc[0] == 0 and curve["capacity_weeks"].max() == 23
    assert curve["best_value"].is_monotonic_increasing
    ev = values_by_id(IDEAS)
    # 23 weeks hold all three ideas (16 weeks).
    assert sel.extra_quarter_value == pytest.approx(ev["a"])


def test_uncertainty_counts_how_often_each_idea_is_in_the_best_set():
    # Four draws of expected value (a, b, c) at capacity 10:
    #   (10, 7, 6) -> {b, c} 13;  (20, 7, 6) -> {a} 20;  (1, -1, 6) -> {c} 6;  (10, 7, 6) -> {b, c} 13.
    samples = np.array([[10, 20, 1, 10], [7, 7, -1, 7], [6, 6, 6, 6]], dtype=float)
    fake = SimpleNamespace(samples={"expected_value": samples})
    sel = best_portfolio(IDEAS, 10, simulation=fake)
    p = sel.table.set_index("id")["p_selected"]
    assert (p["a"], p["b"], p["c"]) == (0.25, 0.5, 0.75)
    assert list(sel.best_value_draws) == [13, 20, 6, 13]
    assert sel.best_value_summary()["mean"] == 13
    # The chosen set {b, c} in each draw: 13, 13, 5, 13.
    assert list(sel.chosen_value_draws) == [13, 13, 5, 13]
    assert sel.best_value_summary()["chosen_set"]["mean"] == 11
    assert "p_selected" in sel.to_json()["ideas"][0]


def test_uncertainty_solves_at_most_200_draws(monkeypatch):
    rng = np.random.default_rng(0)
    fake = SimpleNamespace(samples={"expected_value": rng.normal(1, 1, size=(3, 500))})
    monkeypatch.setattr("mlpm_kit.portfolio.selection.simulate", lambda ideas, draws, seed: fake)
    sel = best_portfolio(IDEAS, 10, draws=500, seed=1)
    assert sel.draws_solved == MAX_KNAPSACK_DRAWS
    assert sel.table["p_selected"].between(0, 1).all()


def test_with_the_real_simulation_when_it_is_installed():
    ranged = [
        make_idea("a", "4 to 8", users="2000 to 4000"),
        make_idea("b", 5, users="1000 to 3000"),
        IDEAS[2],
    ]
    first = best_portfolio(ranged, 10, draws=1000, seed=3)
    again = best_portfolio(ranged, 10, draws=1000, seed=3)
    assert first.draws_solved == MAX_KNAPSACK_DRAWS
    assert list(first.table["p_selected"]) == list(again.table["p_selected"])
    assert first.table["p_selected"].between(0, 1).all()


def test_a_loss_making_prerequisite_does_not_block_a_set_worth_more():
    # platform loses money on its own (no users); feature needs it and is worth far more.
    platform = make_idea("platform", 1, users=0)
    feature = make_idea("feature", 10, users=3000)
    ev = values_by_id([platform, feature])
    assert ev["platform"] < 0 < ev["platform"] + ev["feature"]
    sel = best_portfolio([platform, feature], 40, requires={"feature": "platform"})
    assert sorted(sel.selected) == ["feature", "platform"]
    assert sel.total_expected_value == pytest.approx(ev["platform"] + ev["feature"])
    # Without the dependency the loss stays out.
    assert best_portfolio([platform, feature], 40).selected == ["feature"]


def test_the_table_carries_each_ideas_own_decision_and_the_constraints():
    from mlpm_kit.model.decision import decisions
    from mlpm_kit.report.portfolio_table import constraint_lines, selection_text

    loss = make_idea("loss", 1, users=0)
    ideas = [*IDEAS, loss]
    sel = best_portfolio(ideas, 11, budget=50_000, must_exclude=["c"], requires={"b": "a"})
    own = {d.id: d.decision for d in decisions(ideas)[1]}
    assert dict(zip(sel.table["id"], sel.table["decision"], strict=True)) == own
    assert own["loss"] == "no_go"
    assert {row["id"]: row["decision"] for row in sel.to_json()["ideas"]} == own
    assert constraint_lines(sel)[:4] == [
        "Capacity: 11 engineer-weeks.",
        "Budget: 50k of one-time cost.",
        "Forced out: c.",
        "Dependencies: b needs a.",
    ]
    assert "Budget: 50k of one-time cost." in selection_text(sel)
