"""The decision of DESIGN section 9: the rule, kill criteria, the confidence and the notes."""

from __future__ import annotations

import copy
import shutil

import numpy as np
import pytest
import yaml

from mlpm_kit.idea.files import load_idea, validate_idea
from mlpm_kit.model import information
from mlpm_kit.model.decision import ALL_INPUTS, decide, decisions, validation_cost
from mlpm_kit.model.information import conditional_means, idea_draws
from mlpm_kit.model.simulate import simulate
from tests.conftest import EXAMPLES

# Revenue is the only benefit: EV = confidence x (annuity x revenue - one-time cost) - ...
BASE = {
    "title": "Decision test",
    "pain": {"frequency": 4, "severity": 3},
    "value": {"users": 0},
    "cost": {"team_size": 2, "team_week_cost": 1000, "mvp_weeks": 10},
    "timeline": {"horizon_years": 3, "discount_rate": 0},
    "evidence": {"confidence": 1},
}
# annuity = 3 - 10 / 2 / 52 years; one-time cost = 10 x 1000 = 10,000
ANNUITY = 3 - 10 / 2 / 52
BREAK_EVEN = 10_000 / ANNUITY  # 3,466 a year of revenue


def make(idea_id: str = "x", **sections):
    data = copy.deepcopy(BASE)
    for key, value in sections.items():
        if isinstance(value, dict):
            data.setdefault(key, {}).update(value)
        else:
            data[key] = value
    return validate_idea(data, "test.yaml", default_id=idea_id)


def decide_one(idea, draws=2000, seed=0):
    sim, (d,) = decisions([idea], draws=draws, seed=seed)
    return sim, d


def test_clear_go_and_clear_no_go_say_why_no_validation_is_worth_it():
    _, go = decide_one(make(value={"revenue_per_year": "40000 to 60000"}))
    # Revenue never falls near 3,466: knowing it changes nothing.
    assert go.decision == "go" and go.evpi_total == 0 and go.validate is None
    assert go.kill_criteria == [] and go.p_loss == 0
    assert "no validation is worth its cost" in go.decision_reason
    _, no = decide_one(make(value={"revenue_per_year": "100 to 1000"}))
    assert no.decision == "no_go" and no.evpi_total == 0 and no.p_loss == 1
    assert no.expected_value_mean < 0 and no.decision_reason.startswith(
        "The expected value averages -"
    )


def test_close_call_validates_the_decisive_input_with_its_kill_criterion():
    idea = make(value={"revenue_per_year": "0 to 20000"}, cost={"data_cost": "1000 to 1100"})
    _, d = decide_one(idea, draws=20_000)
    # E[max(0, 3466 + 1050/annuity... - R)] x annuity ~ 1,047 > one engineer-week (1,000)
    assert d.evpi_total == pytest.approx(1047, rel=0.05)
    assert d.decision == "validate_first"
    assert d.validate["input"] == "value.revenue_per_year" and d.validate["cost"] == 1000
    assert d.validate["evppi"] > 1000 and "Pre-sell" in d.validate["how"]
    # EV = annuity x R - 10,000 - data cost (mean 1,049): crosses 0 at R = 11,049 / annuity
    kill = d.validate["kill_criterion"]
    assert kill["direction"] == "below"
    assert kill["threshold"] == pytest.approx((10_000 + 1049) / ANNUITY, rel=0.002)
    assert "; stop if new revenue per year turns out below 3.8" in d.decision_reason
    # A validation that costs more than knowing everything is not worth it: go.
    dearer = make(
        value={"revenue_per_year": "0 to 20000"},
        cost={"data_cost": "1000 to 1100"},
        evidence={"confidence": 1, "validation_cost": 5000},
    )
    assert validation_cost(dearer) == 5000
    assert decide_one(dearer, draws=20_000)[1].decision == "go"


def _family():
    """Ideas across the range: clear go, clear no-go, close calls, low confidence, alternatives."""
    rng = np.random.default_rng(14)
    out = []
    for k in range(24):
        center = float(rng.choice([800, 3000, 4000, 6000, 20000]))
        spread = float(rng.choice([1.2, 3, 10]))
        value = {"revenue_per_year": f"{center / spread:.0f} to {center * spread:.0f}"}
        cost = {"mvp_weeks": f"{rng.integers(6, 10)} to {rng.integers(10, 16)}"}
        evidence = {"confidence": float(rng.choice([1, 0.3])) if k % 3 else "0.2 to 0.9"}
        data = {"value": value, "cost": cost, "evidence": evidence}
        if k % 4 == 0:
            data["alternatives"] = [{"name": "Spreadsheet", "captures": "0.1 to 0.5"}]
        out.append(make(f"idea-{k}", **data))
    return out


def test_the_rule_holds_for_generated_ideas():
    ideas = _family()
    sim, decided = decisions(ideas, draws=2000, seed=3)
    seen = set()
    for idea, d in zip(ideas, decided, strict=True):
        seen.add(d.decision)
        cost = validation_cost(idea)
        assert (d.decision == "validate_first") == (d.evpi_total > cost), d.id
        if d.decision == "validate_first":
            named = d.validate["input"]
            if named == ALL_INPUTS:
                assert max(d.evppi.values()) <= cost and d.validate["evppi"] == d.evpi_total
            else:
                assert d.evppi[named] > cost and named == max(d.evppi, key=d.evppi.get)
                kill = next((k for k in d.kill_criteria if k["input"] == named), None)
                assert d.validate["kill_criterion"] == kill
        else:
            assert d.validate is None
            assert (d.decision == "go") == (d.expected_value_mean > 0)
        assert 0 <= d.p_loss <= 1 and 0 <= d.p_below_next_best <= 1
        # Every value of one input is at most the value of knowing all of them.
        assert all(0 <= v <= d.evpi_total + 1e-9 for v in d.evppi.values())
    assert seen == {"go", "no_go", "validate_first"}


def test_each_kill_criterion_flips_the_conditional_mean_just_past_it():
    ideas = _family()
    sim, decided = decisions(ideas, draws=2000, seed=3)
    checked = 0
    for i, d in enumerate(decided):
        x = idea_draws(sim.samples, i, len(sim.inputs[i].captures))
        for kill in d.kill_criteria:
            est = sim.inputs[i].uncertain()[kill["input"]]
            assert est.low <= kill["threshold"] <= est.high
            step = 1e-3 * (est.high - est.low)
            below, above = conditional_means(
                x, kill["input"], [kill["threshold"] - step, kill["threshold"] + step]
            )
            stop, keep = (below, above) if kill["direction"] == "below" else (above, below)
            assert stop <= 0 < keep, (d.id, kill)
            checked += 1
    assert checked >= 5


def test_a_kill_criterion_is_where_the_exact_conditional_mean_is_zero(monkeypatch):
    # Revenue enters the payoff linearly: three exact means on one line, the secant's first
    # root is the threshold and no step follows. The weeks to MVP act through discounting
    # (10% a year): bent, so the secant goes on until m is 0 there too.
    stepped = []
    secant = information._secant
    monkeypatch.setattr(
        information, "_secant", lambda x, paths, *a: stepped.extend(paths) or secant(x, paths, *a)
    )
    idea = make(
        value={"revenue_per_year": "2000 to 20000"},
        cost={"mvp_weeks": "4 to 30"},
        timeline={"discount_rate": 0.1},
    )
    sim, d = decide_one(idea)
    x = idea_draws(sim.samples, 0, 0)
    kills = {k["input"]: k["threshold"] for k in d.kill_criteria}
    assert set(kills) == {"value.revenue_per_year", "cost.mvp_weeks"}
    assert stepped == ["cost.mvp_weeks"]
    for path, threshold in kills.items():
        est = sim.inputs[0].uncertain()[path]
        ends = conditional_means(x, path, [est.low, est.high])
        # |m| at the threshold is rounding next to m at the range's ends (1e-9 of them).
        assert abs(conditional_means(x, path, [threshold])[0]) <= 1e-9 * np.abs(ends).sum()


def test_fixing_the_only_uncertain_input_past_its_kill_criterion_flips_the_decision():
    # With one uncertain input the conditional mean is the model at that value: exact.
    for spread in ("1000 to 9000", "2000 to 5000"):
        _, d = decide_one(make(value={"revenue_per_year": spread}))
        (kill,) = d.kill_criteria
        assert kill["threshold"] == pytest.approx(BREAK_EVEN, rel=1e-6)
        for factor, expected in ((0.99, "no_go"), (1.01, "go")):
            fixed = make(value={"revenue_per_year": kill["threshold"] * factor})
            assert decide_one(fixed)[1].decision == expected


def test_fixing_one_of_several_inputs_past_its_kill_criterion_flips_the_decision():
    idea = make(value={"revenue_per_year": "1000 to 9000"}, cost={"mvp_weeks": "8 to 12"})
    _, d = decide_one(idea, draws=20_000)
    kill = next(k for k in d.kill_criteria if k["input"] == "value.revenue_per_year")
    for factor, sign in ((0.95, -1), (1.05, 1)):
        fixed = make(
            value={"revenue_per_year": kill["threshold"] * factor}, cost={"mvp_weeks": "8 to 12"}
        )
        # Fixing the input redraws the others: 5% past the threshold is well beyond that noise.
        assert np.sign(decide_one(fixed, draws=20_000)[1].expected_value_mean) == sign


def test_low_confidence_validates_only_when_knowing_it_is_worth_the_cost():
    wide = make(value={"revenue_per_year": 20000}, evidence={"confidence": "0.05 to 0.6"})
    _, d = decide_one(wide)
    # EV = c x 47,000 - (1 - c) x 10,000 crosses 0 at c = 10,000 / 57,000 = 17.5%
    assert d.decision == "validate_first" and d.validate["input"] == "evidence.confidence"
    assert d.validate["kill_criterion"]["threshold"] == pytest.approx(
        10_000 / (20_000 * ANNUITY - 10_000 + 10_000), rel=1e-3
    )
    assert "interviews with strangers" in d.validate["how"]
    # Low but certain enough: 40-60% never flips the decision, whatever the 70% of old.
    _, sure = decide_one(
        make(value={"revenue_per_year": 20000}, evidence={"confidence": "0.4 to 0.6"})
    )
    assert sure.decision == "go" and sure.kill_criteria == []


@pytest.fixture
def churn_idea(tmp_path):
    """An idea in tmp_path with the three churn interview notes (they support 21% to 59%)."""
    notes = sorted((EXAMPLES / "interviews").glob("churn-prediction-0*.md"))
    for path in notes:
        shutil.copy(path, tmp_path / path.name)

    def write(**evidence):
        data = copy.deepcopy(BASE)
        data["value"]["revenue_per_year"] = "10000 to 40000"
        data["evidence"] = {"interviews": [p.name for p in notes], **evidence}
        path = tmp_path / "idea.yaml"
        path.write_text(yaml.safe_dump(data))
        return load_idea(path)

    return write


def test_stated_confidence_above_the_notes_is_bounded_and_said(churn_idea):
    _, d = decide_one(churn_idea(confidence=0.9))
    assert d.confidence_stated == 0.9 and d.confidence_evidence == [0.21, 0.59]
    (warning,) = d.warnings
    assert warning["code"] == "confidence_bounded"
    assert warning["message"] == (
        "stated 90%; 3 interview notes (evidence grade 12/100) support 21% to 59%; using 59%"
    )
    sim = simulate([churn_idea(confidence=0.9)], draws=100)
    assert (sim.samples["evidence.confidence"] == 0.59).all()


def test_stated_confidence_below_or_inside_the_notes(churn_idea):
    _, low = decide_one(churn_idea(confidence="0.05 to 0.3"))
    assert low.warnings[0]["message"].endswith("using 21% to 30%")
    _, inside = decide_one(churn_idea(confidence=0.4))
    assert inside.warnings == [] and inside.confidence_stated == 0.4
    _, notes_only = decide_one(churn_idea())
    assert notes_only.confidence_stated is None and notes_only.confidence_evidence == [0.21, 0.59]
    assert "evidence.confidence" in notes_only.evppi  # the notes' range is an uncertain input


def test_an_override_reason_keeps_the_stated_confidence_and_says_so(churn_idea):
    idea = churn_idea(confidence=0.9, confidence_override_reason="Signed pilot with 3 customers")
    sim = simulate([idea], draws=100)
    assert (sim.samples["evidence.confidence"] == 0.9).all()
    (d,) = decide(sim)
    assert d.warnings[0]["code"] == "confidence_override"
    assert "kept because: Signed pilot with 3 customers" in d.warnings[0]["message"]
    assert d.override_reason == "Signed pilot with 3 customers"


def test_json_keys_of_section_9():
    _, d = decide_one(make(value={"revenue_per_year": "1000 to 9000"}))
    assert set(d.json()) >= {
        "decision",
        "decision_reason",
        "validate",
        "kill_criteria",
        "evpi_total",
        "p_below_next_best",
        "confidence_stated",
        "confidence_evidence",
        "currency",
        "warnings",
    }
    assert d.json()["currency"] is None


def test_a_small_value_of_information_is_right_within_the_noise_it_states():
    # Revenue decides; the MVP effort matters a little. The small EVPPI at 2,000 draws stays
    # within 3 stated standard errors of a 100,000-draw estimate, over several seeds.
    idea = make(value={"revenue_per_year": "1000 to 9000"}, cost={"mvp_weeks": "9 to 11"})
    reference = decide_one(idea, draws=100_000)[1].evppi["cost.mvp_weeks"]
    assert reference > 0
    for seed in range(5):
        d = decide_one(idea, seed=seed)[1]
        assert abs(d.evppi["cost.mvp_weeks"] - reference) < 3 * d.evppi_noise
        assert d.evppi_noise < 0.2 * d.evpi_total


def test_all_inputs_together_when_no_single_one_is_worth_a_validation():
    # Two equal benefits; a 16-week MVP puts break-even near the middle of their sum.
    value = {"revenue_per_year": "1000 to 7000", "money_saved_per_year": "1000 to 7000"}
    cost = {"mvp_weeks": 16}
    _, first = decide_one(make(value=value, cost=cost))
    top = max(first.evppi.values())
    assert 0 < top < first.evpi_total  # each input alone is worth less than both together
    step = (top + first.evpi_total) / 2
    _, d = decide_one(
        make(value=value, cost=cost, evidence={"confidence": 1, "validation_cost": step})
    )
    assert d.evppi == first.evppi  # the validation cost does not change the simulation
    assert d.decision == "validate_first" and d.validate["input"] == ALL_INPUTS
    assert d.validate["evppi"] == d.evpi_total and d.validate["kill_criterion"] is None
    assert d.decision_reason.startswith("Knowing every input before deciding is worth")
