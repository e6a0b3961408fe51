"""The economic model against values computed by hand (DESIGN section 4)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlpm_kit.model.scoring import point_values, score
from tests.conftest import DESIGN_KEYS, make_idea

# Idea A: two alternatives (the best capture counts, only the replaced one's cost is saved),
# an opportunity cost, a 10% discount rate.
IDEA_A = dict(
    pain={"frequency": 4, "severity": 3, "actively_seeking": True},
    value={
        "users": 300,
        "adoption": 0.5,
        "hours_saved_per_user_week": 2,
        "hourly_cost": 50,
        "money_saved_per_year": 10000,
    },
    alternatives=[
        {"name": "Manual routing", "captures": 0.2, "cost_per_year": 40000, "replaced": True},
        {"name": "Macros", "captures": 0.3, "cost_per_year": 10000, "replaced": False},
    ],
    cost={
        "team_size": 2,
        "team_week_cost": 4000,
        "mvp_weeks": 10,
        "build_weeks": 16,
        "iterations": 2,
        "iteration_weeks": 3,
        "data_cost": 20000,
        "run_cost_per_year": 30000,
    },
    opportunity={"value_per_engineer_week": 5000},
    evidence={"confidence": 0.6},
)


def values_of(idea):
    return {k: float(np.asarray(v).item()) for k, v in point_values([idea]).items()}


def test_idea_a_by_hand():
    v = values_of(make_idea(**IDEA_A))
    assert v["adopters"] == 150  # 300 x 0.5
    assert v["time_value"] == 690_000  # 150 x 2 h x 46 weeks x 50
    assert v["gross_benefit"] == 700_000  # + 10,000 money saved
    assert v["best_capture"] == 0.3  # max(0.2, 0.3)
    assert v["replaced_cost"] == 40_000  # only the replaced alternative
    assert v["annual_benefit"] == pytest.approx(530_000)  # 700,000 x 0.7 + 40,000
    assert v["effort_weeks"] == 32  # 10 + 16 + 2 x 3
    assert v["one_time_cost"] == 148_000  # 32 x 4,000 + 20,000
    assert v["launch_years"] == 0.25  # 26 / 2 / 52
    assert v["net_per_year"] == pytest.approx(500_000)  # 530,000 - 30,000
    # (1.1^-0.25 - 1.1^-3) / ln 1.1 = (0.976454 - 0.751315) / 0.0953102
    assert v["annuity"] == pytest.approx(2.362175, abs=1e-6)
    assert v["npv"] == pytest.approx(1_033_087.3, abs=0.1)  # 500,000 x 2.362175 - 148,000
    assert v["roi"] == pytest.approx(6.98032, abs=1e-5)  # npv / 148,000
    assert v["payback_months"] == pytest.approx(6.552)  # 12 x (0.25 + 148,000 / 500,000)
    assert v["opportunity_cost"] == 160_000  # 32 x 5,000
    assert v["economic_value"] == pytest.approx(873_087.3, abs=0.1)
    assert v["failure_cost"] == 110_000  # 10 x (4,000 + 5,000) + 20,000
    assert v["expected_value"] == pytest.approx(
        479_852.4, abs=0.1
    )  # 0.6 x 873,087.3 - 0.4 x 110,000
    assert v["pain_score"] == 48  # 4 x 4 x 3 x 1
    assert v["rice"] == pytest.approx(12.2203, abs=1e-4)  # 150 x 1 x 0.6 / (32 / 4.345)
    assert v["cd3"] == pytest.approx(784.024, abs=1e-3)  # (530,000 / 52) / (0.25 x 52)


def test_zero_discount_no_alternatives_no_opportunity_section():
    idea = make_idea(
        pain={"frequency": 2, "severity": 5, "actively_seeking": False},
        value={
            "users": 100,
            "adoption": 1,
            "hours_saved_per_user_week": 1,
            "hourly_cost": 100,
            "weeks_per_year": 40,
            "revenue_per_year": 50000,
        },
        cost={
            "team_size": 1,
            "team_week_cost": 5000,
            "mvp_weeks": 26,
            "build_weeks": 26,
            "run_cost_per_year": 50000,
        },
        timeline={"horizon_years": 3, "discount_rate": 0},
    )
    v = values_of(idea)
    assert v["annual_benefit"] == 450_000  # 100 x 1 x 40 x 100 + 50,000, nothing captured
    assert v["effort_weeks"] == 52 and v["one_time_cost"] == 260_000  # no data cost given
    assert v["launch_years"] == 1  # 52 / 1 / 52
    assert v["annuity"] == 2  # horizon 3 - launch 1, undiscounted
    assert v["npv"] == 540_000  # 400,000 x 2 - 260,000
    assert v["roi"] == pytest.approx(540_000 / 260_000)
    assert v["payback_months"] == pytest.approx(19.8)  # 12 x (1 + 260,000 / 400,000)
    assert v["opportunity_cost"] == 0 and v["economic_value"] == 540_000
    assert v["confidence"] == 0.5  # the documented default
    assert v["failure_cost"] == 130_000  # 26 x 5,000
    assert v["expected_value"] == 205_000  # 0.5 x 540,000 - 0.5 x 130,000
    assert v["pain_score"] == 20  # 4 x 2 x 5 x 0.5
    assert v["rice"] == pytest.approx(12.53365, abs=1e-5)  # 100 x 3 x 0.5 / (52 / 4.345)
    assert v["cd3"] == pytest.approx(166.4201, abs=1e-4)  # (450,000 / 52) / 52


def test_launch_after_horizon_and_no_payback():
    idea = make_idea(
        value={"users": 10, "adoption": 0.5, "hours_saved_per_user_week": 1, "hourly_cost": 40},
        cost={
            "team_size": 2,
            "team_week_cost": 3000,
            "mvp_weeks": 40,
            "build_weeks": 80,
            "data_cost": 5000,
            "run_cost_per_year": 20000,
        },
        timeline={"horizon_years": 1},
        opportunity={"value_per_engineer_week": 1000},
        evidence={"confidence": 0.3},
    )
    v = values_of(idea)
    assert v["net_per_year"] == -10_800  # 5 x 1 x 46 x 40 - 20,000
    assert v["launch_years"] == pytest.approx(120 / 2 / 52)  # 1.15 years, after the 1-year horizon
    assert v["annuity"] == 0
    assert v["npv"] == -365_000  # -(120 x 3,000 + 5,000)
    assert v["roi"] == -1
    assert math.isnan(v["payback_months"])  # never pays back
    assert v["economic_value"] == -485_000  # - 120 x 1,000
    assert v["failure_cost"] == 165_000  # 40 x (3,000 + 1,000) + 5,000
    assert v["expected_value"] == -261_000  # 0.3 x -485,000 - 0.7 x 165,000


def test_ranges_are_scored_at_their_medians():
    idea = make_idea(value={"users": "100 to 400"})
    plain = make_idea(value={"users": 200})  # sqrt(100 x 400), the lognormal median
    assert values_of(idea)["adopters"] == pytest.approx(values_of(plain)["adopters"])


def test_score_ranks_by_expected_value_and_has_the_design_columns():
    good, bad = make_idea("good", **IDEA_A), make_idea("bad", evidence={"confidence": 0.01})
    table = score([bad, good])
    assert list(table["id"]) == ["good", "bad"]
    assert set(table.columns) >= DESIGN_KEYS


def test_no_effort_gives_null_rice_and_roi():
    v = values_of(make_idea(cost={"team_week_cost": 0, "mvp_weeks": 0}))
    assert math.isnan(v["rice"]) and math.isnan(v["roi"]) and math.isnan(v["cd3"])


money = st.floats(min_value=0, max_value=1e6, allow_nan=False)
shares = st.floats(min_value=0, max_value=1)


@settings(max_examples=60, deadline=None)
@given(
    users=st.floats(0, 1e5),
    more=st.floats(0, 1e5),
    adoption=shares,
    capture=shares,
    hours=st.floats(0, 40),
)
def test_more_users_never_lower_annual_benefit(users, more, adoption, capture, hours):
    def benefit(n):
        idea = make_idea(
            value={"users": n, "adoption": adoption, "hours_saved_per_user_week": hours},
            alternatives=[{"name": "a", "captures": capture}],
        )
        return values_of(idea)["annual_benefit"]

    assert benefit(users + more) >= benefit(users) - 1e-6 * abs(benefit(users))


@settings(max_examples=60, deadline=None)
@given(week_cost=money, extra=money, mvp=st.floats(0, 100), rate=st.floats(0, 0.5))
def test_higher_team_week_cost_never_raises_npv(week_cost, extra, mvp, rate):
    def npv(cost):
        idea = make_idea(
            cost={"team_week_cost": cost, "mvp_weeks": mvp}, timeline={"discount_rate": rate}
        )
        return values_of(idea)["npv"]

    assert npv(week_cost + extra) <= npv(week_cost) + 1e-6 * abs(npv(week_cost))


@settings(max_examples=60, deadline=None)
@given(confidence=shares, users=st.floats(0, 1e5), mvp=st.floats(0, 100), data=money, opp=money)
def test_expected_value_never_exceeds_economic_value(confidence, users, mvp, data, opp):
    idea = make_idea(
        value={"users": users},
        cost={"mvp_weeks": mvp, "data_cost": data},
        opportunity={"value_per_engineer_week": opp},
        evidence={"confidence": confidence},
    )
    v = values_of(idea)
    if v["economic_value"] >= -v["failure_cost"]:
        assert v["expected_value"] <= v["economic_value"] + 1e-6 * max(
            1.0, abs(v["economic_value"])
        )
