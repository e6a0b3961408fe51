"""simulate(): closed forms, the point score at zero spread, reproducibility, EVPPI, the CLI."""

from __future__ import annotations

import copy
import json
import math
import platform
import resource
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from mlpm_kit.cli import main
from mlpm_kit.errors import InputError
from mlpm_kit.idea.estimates import Z90
from mlpm_kit.idea.files import validate_idea
from mlpm_kit.model.information import suggestion
from mlpm_kit.model.scoring import score
from mlpm_kit.model.simulate import simulate

# The module itself, for monkeypatching its constants.
engine_module = sys.modules["mlpm_kit.model.engine"]

BASE = {
    "title": "Test idea",
    "pain": {"frequency": 4, "severity": 3},
    "value": {"users": 100, "adoption": 0.5, "hours_saved_per_user_week": 2, "hourly_cost": 50},
    "cost": {"team_size": 2, "team_week_cost": 1000, "mvp_weeks": 10, "build_weeks": 0},
    "timeline": {"horizon_years": 3, "discount_rate": 0},
    "evidence": {"confidence": 1},
}


def make(changes: dict | None = None, idea_id: str = "x"):
    """An idea from BASE with sections updated by `changes` ({section: {field: value}})."""
    data = copy.deepcopy(BASE)
    for section, fields in (changes or {}).items():
        if isinstance(fields, dict):
            data.setdefault(section, {}).update(fields)
        else:
            data[section] = fields
    return validate_idea(data, "test.yaml", default_id=idea_id)


def test_product_of_two_lognormals_is_lognormal():
    idea = make({"value": {"users": "100 to 400", "hourly_cost": "30 to 60"}})
    sim = simulate([idea], draws=200_000, seed=3)
    time_value = sim.samples["time_value"][0]
    mu = (
        (math.log(100) + math.log(400)) / 2
        + (math.log(30) + math.log(60)) / 2
        + math.log(0.5 * 2 * 46)
    )
    sigma = math.hypot(math.log(4) / (2 * Z90), math.log(2) / (2 * Z90))
    assert np.percentile(time_value, 50) == pytest.approx(math.exp(mu), rel=0.01)
    assert np.percentile(time_value, 10) == pytest.approx(
        math.exp(mu + norm.ppf(0.1) * sigma), rel=0.01
    )
    assert np.percentile(time_value, 90) == pytest.approx(
        math.exp(mu + norm.ppf(0.9) * sigma), rel=0.01
    )


def test_p_loss_of_an_npv_linear_in_one_normal_input():
    # npv = saved * annuity - 10 weeks x 1000, with saved ~ normal, 90% in 0 to 200k.
    idea = make({"value": {"users": 0, "money_saved_per_year": "0 to 200000"}})
    sim = simulate([idea], draws=200_000, seed=4)
    annuity = 3 - 10 / 2 / 52
    mu, sigma = 100_000, 200_000 / (2 * Z90)
    expected = norm.cdf((10_000 / annuity - mu) / sigma)
    p_loss = sim.summary()["p_loss"].iloc[0]
    assert p_loss == pytest.approx(expected, abs=4 * math.sqrt(expected * (1 - expected) / 200_000))
    assert sim.summary()["npv_p50"].iloc[0] == pytest.approx(mu * annuity - 10_000, rel=0.01)


def test_zero_spread_equals_the_point_score_exactly():
    ideas = [
        make(
            {
                "alternatives": [
                    {"name": "manual", "captures": 0.3, "cost_per_year": 5000, "replaced": True}
                ]
            },
            "a",
        ),
        make(
            {"value": {"revenue_per_year": 20000}, "opportunity": {"value_per_engineer_week": 800}},
            "b",
        ),
    ]
    sim = simulate(ideas, draws=1000, seed=0)
    point = score(ideas).set_index("id")
    summary = sim.summary().set_index("id")
    for idea_id in ("a", "b"):
        for name in (
            "npv",
            "expected_value",
            "economic_value",
            "annual_benefit",
            "effort_weeks",
            "one_time_cost",
        ):
            for p in (10, 50, 90):
                assert summary.loc[idea_id, f"{name}_p{p}"] == point.loc[idea_id, name]
            assert summary.loc[idea_id, f"{name}_mean"] == pytest.approx(
                point.loc[idea_id, name], rel=1e-12
            )
        assert summary.loc[idea_id, "p_loss"] == (1.0 if point.loc[idea_id, "npv"] < 0 else 0.0)
    assert (sim.samples["npv"][0] == point.loc["a", "npv"]).all()
    assert sim.evpi().empty and (sim.evpi_total() == 0).all()


def _portfolio():
    return [
        make(
            {
                "value": {"users": "50 to 200", "hours_saved_per_user_week": "1 to 3"},
                "evidence": {"confidence": "0.4 to 0.8"},
            },
            "p",
        ),
        make(
            {
                "value": {"revenue_per_year": "0 to 50000"},
                "cost": {"mvp_weeks": "5 to 15"},
                "alternatives": [
                    {"name": "tool", "captures": "0.2 to 0.5"},
                    {"name": "sheet", "captures": 0.1},
                ],
            },
            "q",
        ),
        make({}, "r"),
    ]


def test_same_seed_same_numbers_whatever_the_threads(monkeypatch):
    monkeypatch.setattr(engine_module, "CHUNK_CELLS", 20_000)  # one idea per block: 3 blocks
    monkeypatch.setattr(engine_module, "threads", lambda: 3)
    first = simulate(_portfolio(), draws=20_000, seed=7)
    monkeypatch.setattr(engine_module, "threads", lambda: 1)
    second = simulate(_portfolio(), draws=20_000, seed=7)
    np.testing.assert_array_equal(first.samples["npv"], second.samples["npv"])
    np.testing.assert_array_equal(first.samples["value.users"], second.samples["value.users"])
    assert first.summary().equals(second.summary())
    assert first.evpi().equals(second.evpi())
    assert (
        first.seed == 7 and first.draws == 20_000 and [i.id for i in first.ideas] == ["p", "q", "r"]
    )


def test_an_idea_gets_the_same_numbers_alone_or_in_any_portfolio():
    together = simulate(_portfolio(), draws=5_000, seed=3)
    reordered = simulate(_portfolio()[::-1], draws=5_000, seed=3)
    for k, idea in enumerate(_portfolio()):
        alone = simulate([idea], draws=5_000, seed=3)
        np.testing.assert_array_equal(alone.samples["npv"][0], together.samples["npv"][k])
        np.testing.assert_array_equal(alone.samples["npv"][0], reordered.samples["npv"][2 - k])
    other_seed = simulate(_portfolio()[:1], draws=5_000, seed=4)
    assert not np.array_equal(other_seed.samples["npv"][0], together.samples["npv"][0])


def test_different_seeds_agree_within_monte_carlo_error():
    a = simulate(_portfolio(), draws=50_000, seed=1)
    b = simulate(_portfolio(), draws=50_000, seed=2)
    assert not np.array_equal(a.samples["npv"], b.samples["npv"])
    sd = a.samples["npv"].std(axis=1)
    diff = a.summary()["npv_mean"] - b.summary()["npv_mean"]
    assert (np.abs(diff) <= 4 * np.sqrt(2) * sd / math.sqrt(50_000) + 1e-6).all()


def test_recomputed_samples_are_the_same_draws():
    sim = simulate(_portfolio(), draws=5000, seed=9)
    npv = sim.samples["npv"].copy()  # kept from the run
    rebuilt = sim.samples["net_per_year"] * sim.samples["annuity"] - sim.samples["one_time_cost"]
    np.testing.assert_allclose(rebuilt, npv, rtol=1e-9, atol=1e-6)
    assert sim.samples["value.users"].shape == (3, 5000)
    assert sim.samples["alternatives[0].captures"][2].max() == 0  # idea r has no alternative
    assert set(sim.samples) >= {"npv", "expected_value", "value.users", "alternatives[1].captures"}


def test_float32_for_large_runs_matches_float64_within_monte_carlo_error():
    ideas = _portfolio()
    wide = simulate(ideas, draws=100_000, seed=5, dtype=np.float64).summary()
    narrow = simulate(ideas, draws=100_000, seed=5, dtype=np.float32)
    assert narrow.samples["npv"].dtype == np.float32
    assert np.allclose(narrow.summary()["npv_p50"], wide["npv_p50"], rtol=0.02)


def test_evppi_is_zero_for_an_input_that_cannot_flip_the_decision_and_largest_for_the_dominant_one():
    # Revenue decides go / no-go; the data cost's range is far too small to matter.
    idea = make(
        {
            "value": {"users": 0, "revenue_per_year": "0 to 20000"},
            "cost": {"data_cost": "1000 to 1100"},
        }
    )
    sim = simulate([idea], draws=200_000, seed=2)
    table = sim.evpi().set_index("input")
    assert (
        0 < sim.summary()["p_loss"].iloc[0] < 0.5
    )  # usually worth it, sometimes not: a real decision
    assert table.loc["value.revenue_per_year", "rank"] == 1
    assert table.loc["value.revenue_per_year", "evppi"] > 1000
    assert (
        table.loc["cost.data_cost", "evppi"] < 0.02 * table.loc["value.revenue_per_year", "evppi"]
    )
    total = sim.evpi_total().iloc[0]
    assert total >= table["evppi"].max() - 1e-6
    assert "Pre-sell" in table.loc["value.revenue_per_year", "suggestion"]
    assert list(sim.validate_next(top=1)["input"]) == ["value.revenue_per_year"]


def test_clear_decision_has_zero_value_of_information():
    idea = make({"value": {"users": "900 to 1100"}, "cost": {"mvp_weeks": "8 to 12"}})
    sim = simulate([idea], draws=20_000, seed=1)
    assert (sim.evpi()["evppi"] == 0).all()
    assert sim.evpi_total().iloc[0] == 0
    assert sim.validate_next().empty


def test_sensitivity_swing_of_a_linear_input_by_hand():
    idea = make(
        {
            "value": {"users": 0, "money_saved_per_year": "10000 to 50000"},
            "evidence": {"confidence": 0.5},
        }
    )
    table = simulate([idea], draws=1000, seed=0).sensitivity()
    row = table.iloc[0]
    annuity = 3 - 10 / 2 / 52
    # expected value = 0.5 x (saved x annuity - one-time cost) - 0.5 x failure cost: linear in saved.
    assert row["input"] == "value.money_saved_per_year"
    assert row["swing"] == pytest.approx(0.5 * annuity * 40_000)
    assert row["expected_value_high"] - row["expected_value_low"] == pytest.approx(
        0.5 * annuity * 40_000
    )
    assert row["low"] == 10_000 and row["high"] == 50_000
    assert row["base"] == pytest.approx(score([idea])["expected_value"].iloc[0])


def test_suggestions_by_kind_of_input():
    assert suggestion("value.users").startswith("Count them in real data")
    assert suggestion("value.hours_saved_per_user_week").startswith(
        "Ask for the last time it happened"
    )
    assert "letter of intent" in suggestion("value.adoption")
    assert "workaround" in suggestion("alternatives[3].captures")
    assert "spike" in suggestion("cost.mvp_weeks")
    assert "strangers" in suggestion("evidence.confidence")
    assert suggestion("something.else")


@pytest.mark.parametrize(
    ("draws", "message"),
    [
        (10, "draws must be from 100 to 1,000,000, got 10"),
        (2_000_000, "got 2,000,000"),
        (1.5, "whole number"),
        (True, "whole number"),
    ],
)
def test_draws_out_of_range_is_a_clear_error(draws, message):
    with pytest.raises(InputError, match=message):
        simulate([make()], draws=draws)


def test_negative_seed_is_an_error():
    with pytest.raises(InputError, match="seed must be a whole number of 0 or more"):
        simulate([make()], draws=100, seed=-1)


def test_empty_portfolio():
    sim = simulate([], draws=100)
    assert sim.summary().empty and sim.evpi().empty


# --- mlpm score --draws ---------------------------------------------------------------

IDEA_YAML = """\
id: cli-idea
title: CLI idea
pain: {frequency: 4, severity: 3}
value: {users: 0, revenue_per_year: 0 to 20000}
cost: {team_week_cost: 1000, mvp_weeks: 10, data_cost: 1000 to 1100}
timeline: {discount_rate: 0}
evidence: {confidence: 1}
"""


@pytest.fixture
def idea_file(tmp_path):
    path = tmp_path / "cli-idea.yaml"
    path.write_text(IDEA_YAML, encoding="utf-8")
    return path


def test_cli_json_has_the_uncertainty_fields(idea_file, capsys):
    assert main(["score", str(idea_file), "--draws", "20000", "--seed", "3", "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    for key in (
        "npv_mean",
        "npv_p10",
        "npv_p50",
        "npv_p90",
        "p_loss",
        "expected_value_mean",
        "evpi",
    ):
        assert key in row
    assert row["seed"] == 3 and row["draws"] == 20000
    assert set(row["evpi"]) == {"value.revenue_per_year", "cost.data_cost"}
    assert row["evpi"]["value.revenue_per_year"] > row["evpi"]["cost.data_cost"]
    assert row["validate_next"][0]["input"] == "value.revenue_per_year"
    assert row["npv_p10"] <= row["npv_p50"] <= row["npv_p90"]


def test_cli_same_seed_same_output(idea_file, capsys):
    main(["score", str(idea_file), "--draws", "1000", "--seed", "5", "--json"])
    first = capsys.readouterr().out
    main(["score", str(idea_file), "--draws", "1000", "--seed", "5", "--json"])
    assert capsys.readouterr().out == first


def test_cli_table_and_csv(idea_file, capsys):
    assert main(["score", str(idea_file), "--draws", "2000"]) == 0
    out = capsys.readouterr().out
    assert "npv p10" in out and "P(loss)" in out and "Validate next" in out
    assert "New revenue per year (value.revenue_per_year)" in out
    assert main(["score", str(idea_file), "--draws", "2000", "--csv"]) == 0
    header = capsys.readouterr().out.splitlines()[0].split(",")
    assert {
        "npv_mean",
        "npv_p10",
        "npv_p50",
        "npv_p90",
        "p_loss",
        "expected_value_mean",
        "seed",
        "draws",
    } <= set(header)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--draws", "10"], "draws must be from 100 to 1,000,000, got 10"),
        (["--draws", "lots"], "--draws must be a whole number, got 'lots'"),
    ],
)
def test_cli_bad_draws_exit_2_with_one_line(idea_file, capsys, args, message):
    assert main(["score", str(idea_file), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


# --- invariants over random ideas ------------------------------------------------------

ranges_ = st.tuples(st.floats(0, 1e6), st.floats(0, 1e6)).map(lambda t: f"{min(t)} to {max(t)}")
shares_ = st.tuples(st.floats(0, 1), st.floats(0, 1)).map(lambda t: f"{min(t)} to {max(t)}")


@settings(max_examples=25, deadline=None)
@given(
    users=ranges_,
    adoption=shares_,
    captures=shares_,
    mvp=st.tuples(st.floats(0.5, 50), st.floats(0.5, 50)).map(lambda t: f"{min(t)} to {max(t)}"),
    run_cost=ranges_,
    confidence=shares_,
    seed=st.integers(0, 2**32 - 1),
)
def test_summary_invariants_on_random_ideas(
    users, adoption, captures, mvp, run_cost, confidence, seed
):
    idea = make(
        {
            "value": {"users": users, "adoption": adoption},
            "alternatives": [{"name": "today", "captures": captures}],
            "cost": {"mvp_weeks": mvp, "run_cost_per_year": run_cost},
            "evidence": {"confidence": confidence},
        }
    )
    sim = simulate([idea], draws=500, seed=seed)
    row = sim.summary().iloc[0]
    for name in ("npv", "expected_value", "annual_benefit", "effort_weeks", "one_time_cost"):
        assert np.isfinite([row[f"{name}_mean"], row[f"{name}_p10"], row[f"{name}_p90"]]).all()
        assert row[f"{name}_p10"] <= row[f"{name}_p50"] <= row[f"{name}_p90"]
    assert 0 <= row["p_loss"] <= 1
    table = sim.evpi()
    assert (table["evppi"] >= 0).all()
    # Knowing everything is worth at least knowing any one input (Jensen, on the same samples).
    total = sim.evpi_total().iloc[0]
    assert total >= 0 and (table["evppi"] <= total * (1 + 1e-9) + 1e-6).all()
    for path in ("value.adoption", "alternatives[0].captures", "evidence.confidence"):
        values = sim.samples[path]
        assert values.min() >= 0 and values.max() <= 1


def test_value_of_information_later_equals_in_the_same_pass():
    # Without `information`, evpi() runs the same blocks again: the same numbers.
    now = simulate(_portfolio(), draws=5_000, seed=4)
    later = simulate(_portfolio(), draws=5_000, seed=4, information=False)
    assert later.information is None
    assert now.evpi().equals(later.evpi())
    assert now.summary().equals(later.summary())


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc thresholds")
def test_blocks_reuse_their_memory_instead_of_faulting_it_in_again():
    # 60 ideas x 10,000 draws in 5 blocks: with glibc's default thresholds each block
    # maps its large arrays afresh or has them trimmed when freed, and faults them in
    # again (measured: about 4,000 page faults for the second run); with the memory kept
    # for reuse, the second run faults a dozen pages.
    ideas = [make({"value": {"users": "100 to 300"}}, idea_id=f"i{k}") for k in range(60)]
    simulate(ideas, draws=10_000, seed=1)  # the first run may fault its heap in
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    simulate(ideas, draws=10_000, seed=2)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    assert engine_module._reuse_freed_memory()
    assert faults < 1_000


def test_percentiles_of_some_outputs_only_are_the_same_numbers():
    full = simulate(_portfolio(), draws=4_000, seed=5).summary()
    some = simulate(_portfolio(), draws=4_000, seed=5, percentiles_of=("npv",)).summary()
    # npv's percentiles and every mean as in the full summary; the others' not selected.
    assert list(some.columns[:5]) == ["id", "npv_mean", "npv_p10", "npv_p50", "npv_p90"]
    assert some.equals(full[some.columns])
    assert "expected_value_mean" in some and "expected_value_p50" not in some
    assert "one_time_cost_p90" in full and "one_time_cost_p90" not in some
    none = simulate(_portfolio(), draws=4_000, seed=5, percentiles_of=()).summary()
    assert "npv_p50" not in none and none["p_loss"].equals(full["p_loss"])
    with pytest.raises(ValueError, match="npv_p50"):
        simulate(_portfolio(), draws=4_000, seed=5, percentiles_of=("npv_p50",))
