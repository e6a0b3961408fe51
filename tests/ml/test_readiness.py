"""The ml: section: schema errors, open risks, ml_check, the CLI and the hooks into the economic model."""

import copy
import json

import numpy as np
import pytest

from mlpm_kit import ml_check
from mlpm_kit.cli import main
from mlpm_kit.errors import IdeaFileError
from mlpm_kit.idea.files import validate_idea
from mlpm_kit.ml.learning_curve import curve
from mlpm_kit.ml.readiness import ml_check_text, open_risks, retraining_cost
from mlpm_kit.model.inputs import data_cost_of, run_cost_of
from mlpm_kit.model.scoring import point_values

SIZES = [500, 1000, 2000, 4000]

BASE = {
    "id": "spam",
    "title": "Spam filter",
    "pain": {"frequency": 5, "severity": 3},
    "value": {"users": 1000, "adoption": 0.5, "hours_saved_per_user_week": 1, "hourly_cost": 40},
    "cost": {"team_week_cost": 4000, "mvp_weeks": 6, "build_weeks": 10, "run_cost_per_year": 10000},
    "ml": {
        "task": "binary_classification",
        "positive_class": "spam",
        "decisions_per_year": 1000000,
        "base_rate": 0.3,
        "false_positive_cost": 50,
        "false_negative_cost": 1,
        "target": {"metric": "precision", "value": 0.9},
        "data": {
            "labels_now": 600,
            "cost_per_label": 2,
            "purchase_cost": 500,
            # metric(n) = 0.95 - 2 n^-0.5: reaches 0.9 at n = 1600.
            "pilot_curve": [[n, float(curve(n, 0.95, 2.0, 0.5))] for n in SIZES],
        },
        "compliance": {
            "personal_data": True,
            "lawful_basis": "contract",
            "dpia_done": True,
            "sensitive_attributes": [],
            "segments": [{"name": "18-25", "sample_share": 0.15, "population_share": 0.2}],
        },
        "monitoring": {"retrain_every_weeks": 4, "retrain_weeks": 0.5, "watch": ["input PSI"]},
        "explainability": {"inline_explanation": "New sender", "documented_use_cases": True},
    },
}


def idea_with(**ml_changes):
    data = copy.deepcopy(BASE)
    for path, value in ml_changes.items():
        target = data["ml"]
        *parents, last = path.split("__")
        for part in parents:
            target = target[part]
        if value is None:
            target.pop(last, None)
        else:
            target[last] = value
    return validate_idea(data, "spam.yaml")


def problem(**ml_changes):
    with pytest.raises(IdeaFileError) as info:
        idea_with(**ml_changes)
    return str(info.value)


# ---------------------------------------------------------------- schema


def test_empty_or_absent_ml_section_is_valid():
    data = copy.deepcopy(BASE)
    data["ml"] = {}
    assert ml_check(validate_idea(data, "x.yaml"))["has_ml"] is False
    del data["ml"]
    result = ml_check(validate_idea(data, "x.yaml"))
    assert result["has_ml"] is False
    assert "has no ml: section" in result["messages"][0]


def test_unknown_key_suggests_the_closest():
    assert (
        problem(data__labls_now=5)
        == "spam.yaml: ml.data.labls_now: unknown key 'labls_now'; did you mean 'labels_now'?"
    )
    assert "did you mean 'dpia_done'?" in problem(compliance__dpia_don=True)
    assert "did you mean 'base_rate'?" in problem(base_rat=0.3)


def test_base_rate_must_be_strictly_inside_0_1():
    assert "ml.base_rate: 1 is not strictly between 0 and 1" in problem(base_rate=1)
    assert "ml.base_rate: 0 is not strictly between 0 and 1" in problem(base_rate=0)
    assert idea_with(base_rate="0.2 to 0.4").ml.base_rate.high == 0.4


def test_negative_costs_are_rejected():
    assert problem(false_positive_cost=-5) == (
        "spam.yaml: ml.false_positive_cost: -5 is below the allowed range: it must be at least 0."
    )
    assert "ml.data.cost_per_label" in problem(data__cost_per_label=-1)


def test_shares_above_one_are_rejected():
    segs = [{"name": "a", "sample_share": 1.2, "population_share": 0.2}]
    assert "ml.compliance.segments[0].sample_share: 1.2 is outside 0-1" in problem(
        compliance__segments=segs
    )


def test_pilot_curve_values_are_checked():
    assert "point 2 has metric 1.3" in problem(data__pilot_curve=[[100, 0.5], [200, 1.3]])
    assert "point 1 has labels 0" in problem(data__pilot_curve=[[0, 0.5]])
    assert "is not a [labels, metric] pair" in problem(data__pilot_curve=[[100, 0.5, 3]])


def test_enums_are_checked():
    assert "'maybe' is not allowed" in problem(compliance__lawful_basis="maybe")
    assert "'auc' is not allowed" in problem(target={"metric": "auc", "value": 0.9})
    assert "outside (0, 1]" in problem(target={"metric": "recall", "value": 95})


# ---------------------------------------------------------------- open risks


def test_a_complete_section_has_no_open_risks():
    assert open_risks(idea_with().ml) == []


def test_open_risks_on_constructed_cases():
    idea = idea_with(
        compliance={
            "personal_data": True,
            "lawful_basis": "none",
            "sensitive_attributes": ["age"],
            "segments": [
                {"name": "18-25", "sample_share": 0.05, "population_share": 0.2},
                {
                    "name": "26-40",
                    "sample_share": 0.1,
                    "population_share": 0.2,
                },  # exactly half: fine
            ],
        },
        monitoring=None,
        explainability=None,
    )
    risks = open_risks(idea.ml)
    assert any(r.startswith("Personal data without a lawful basis") for r in risks)
    assert any(r.startswith("Personal data without a DPIA") for r in risks)
    assert any(r.startswith("Sensitive attributes (age) without a fairness check") for r in risks)
    assert any(
        "Segment '18-25' is under-sampled: 5% of the training sample vs 20%" in r for r in risks
    )
    assert not any("26-40" in r for r in risks)
    assert any(r.startswith("No retraining plan") for r in risks)
    assert any(r.startswith("No drift monitoring") for r in risks)
    assert any(r.startswith("No inline explanation") for r in risks)
    assert any(r.startswith("Use cases not documented") for r in risks)
    assert len(risks) == 8


def test_fairness_check_closes_the_sensitive_attribute_risk():
    comp = dict(BASE["ml"]["compliance"], sensitive_attributes=["age"], fairness_check_done=True)
    assert open_risks(idea_with(compliance=comp).ml) == []


# ---------------------------------------------------------------- ml_check


def test_ml_check_values():
    out = ml_check(idea_with())
    assert out["recommended_metric"] == "precision" and out["beta"] is None
    assert out["min_precision"] == pytest.approx(50 / 51)
    # The target precision 0.9 is below min_precision 0.980: no recall beats doing nothing.
    assert out["min_recall"] is None
    assert any("At precision 0.9 no recall beats doing nothing" in m for m in out["messages"])
    assert out["labels_needed"] == 1600
    assert out["labels_needed_low"] < 1600 < out["labels_needed_high"]
    # One data-cost number: the median of the range the economic model samples.
    assert out["data_cost"] == data_cost_of(idea_with())[0].median
    assert out["data_cost_low"] < (1600 - 600) * 2 + 500 < out["data_cost_high"]
    assert out["retraining_cost_per_year"] == pytest.approx(52 / 4 * 0.5 * 4000)  # 26000
    assert out["open_risks"] == []
    assert out["explanation"] == "New sender" and out["documented_use_cases"] is True


def test_min_recall_is_zero_when_doing_nothing_is_cheaper():
    out = ml_check(idea_with(false_positive_cost=5))  # min_precision 5/6 < target 0.9
    assert out["recommended_metric"] == "precision"
    assert out["min_recall"] == 0.0 and out["baseline"].startswith("doing nothing")


def test_ml_check_f_beta_and_recall():
    assert ml_check(idea_with(false_negative_cost=50))["beta"] == pytest.approx(1.0)
    out = ml_check(
        idea_with(
            false_positive_cost=1,
            false_negative_cost=100,
            target={"metric": "recall", "value": 0.9},
        )
    )
    assert out["recommended_metric"] == "recall"


def test_ml_check_reports_a_target_beyond_the_curve():
    out = ml_check(idea_with(target={"metric": "precision", "value": 0.97}))
    assert out["labels_needed"] is None and out["data_cost"] is None
    assert any("saturates at 0.950" in m for m in out["messages"])


def test_ml_check_reports_a_two_point_curve():
    out = ml_check(idea_with(data__pilot_curve=[[500, 0.8], [1000, 0.85]]))
    assert out["labels_needed"] is None
    assert any("has 2 points; a learning curve needs at least three" in m for m in out["messages"])


def test_ml_check_text_summary():
    text = ml_check_text(ml_check(idea_with()))
    assert "Metric to optimize   precision" in text
    assert "Labels needed        1,600" in text
    assert "Open risks: none." in text


# ---------------------------------------------------------------- CLI


def write_idea(tmp_path, data=None):
    from ruamel.yaml import YAML

    path = tmp_path / "spam.yaml"
    with path.open("w") as handle:
        YAML().dump(copy.deepcopy(data or BASE), handle)
    return path


def test_cli_text_and_json(tmp_path, capsys):
    path = write_idea(tmp_path)
    assert main(["ml-check", str(path)]) == 0
    assert "Metric to optimize   precision" in capsys.readouterr().out
    assert main(["ml-check", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in (
        "recommended_metric",
        "beta",
        "min_precision",
        "min_recall",
        "labels_needed",
        "labels_needed_low",
        "labels_needed_high",
        "data_cost",
        "open_risks",
    ):
        assert key in out
    assert out["recommended_metric"] == "precision" and out["labels_needed"] == 1600


def test_cli_bad_file_is_one_line(tmp_path, capsys):
    data = copy.deepcopy(BASE)
    data["ml"]["base_rate"] = 1.5
    assert main(["ml-check", str(write_idea(tmp_path, data))]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "ml.base_rate: 1.5 is not strictly between 0 and 1" in err


# ---------------------------------------------------------------- hooks into the economic model


def test_data_cost_comes_from_the_pilot_curve_when_absent():
    estimate, source = data_cost_of(idea_with())
    assert source.startswith("estimated from the ML pilot curve: ")
    assert source.endswith(
        f", median {round(estimate.median)} (about 1,000 labels still needed x 2 per label + 500 purchase)"
    )
    assert estimate.low <= 2500 <= estimate.high


def test_stated_data_cost_wins():
    data = copy.deepcopy(BASE)
    data["cost"]["data_cost"] = 7000
    estimate, source = data_cost_of(validate_idea(data, "x.yaml"))
    assert (estimate.low, source) == (7000, "stated in the idea file")


def test_retraining_is_added_to_run_cost():
    estimate, source = run_cost_of(idea_with())
    assert estimate.low == estimate.high == 10000 + 26000
    assert "ML retraining 26000 a year" in source
    assert retraining_cost(idea_with(monitoring=None)) is None


def test_hooks_reach_the_score():
    with_ml = idea_with()
    without = idea_with(data=None, monitoring=None)
    a, b = point_values([with_ml]), point_values([without])
    assert a["net_per_year"][0] == pytest.approx(b["net_per_year"][0] - 26000)
    data_cost = data_cost_of(with_ml)[0].median
    assert a["one_time_cost"][0] == pytest.approx(b["one_time_cost"][0] + data_cost)
    assert np.isfinite(a["expected_value"][0])
