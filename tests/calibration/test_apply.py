"""Correcting new estimates: exactly the fields the record calls for, by hand-checkable amounts."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlpm_kit.calibration.apply import (
    Correction,
    apply_corrections,
    corrected_estimate,
    corrections_of,
)
from mlpm_kit.calibration.record import calibrate
from mlpm_kit.idea.estimates import Estimate
from mlpm_kit.idea.files import load_idea
from mlpm_kit.idea.schema import ACTUAL_FIELDS
from mlpm_kit.model.simulate import simulate
from tests.calibration.histories import history
from tests.conftest import EXAMPLES

TRIAGE = EXAMPLES / "ideas" / "ticket-triage.yaml"


def test_bias_moves_the_median_and_spread_widens_on_the_log_scale():
    idea = load_idea(TRIAGE)  # cost.mvp_weeks: 5 to 8
    out = apply_corrections(idea, {"cost.mvp_weeks": Correction(1.5, 2.0, "test")})
    # median sqrt(5 x 8) = 6.325 -> x1.5 = 9.487; half-width ln(8/5)/2 doubles to ln(8/5):
    # low 9.487 x 5/8 = 5.929, high 9.487 x 8/5 = 15.18
    median = 1.5 * math.sqrt(40)
    assert out.cost.mvp_weeks.low == pytest.approx(median * 5 / 8)
    assert out.cost.mvp_weeks.high == pytest.approx(median * 8 / 5)
    assert corrections_of(out) == {
        "cost.mvp_weeks": {
            "stated": Estimate(5, 8),
            "corrected": out.cost.mvp_weeks,
            "source": "test",
        }
    }
    # The original idea is untouched; the copy keeps its file (interview notes resolve).
    assert idea.cost.mvp_weeks == Estimate(5, 8) and corrections_of(idea) == {}
    assert out._source == idea._source


def test_shares_widen_on_the_logit_scale_and_stay_within_zero_and_one():
    idea = load_idea(TRIAGE)  # value.adoption: 0.6 to 0.9
    out = apply_corrections(idea, {"value.adoption": Correction(1.0, 3.0, "test")})
    low, high = out.value.adoption.low, out.value.adoption.high
    logit = lambda p: math.log(p / (1 - p))  # noqa: E731
    center, half = (logit(0.6) + logit(0.9)) / 2, (logit(0.9) - logit(0.6)) / 2
    assert logit(low) == pytest.approx(center - 3 * half)
    assert logit(high) == pytest.approx(center + 3 * half)
    assert 0 < low < 0.6 and 0.9 < high < 1 and out.value.adoption.share


def test_a_plain_number_gets_the_bias_but_no_spread():
    idea = load_idea(TRIAGE)  # value.hourly_cost: 35
    out = apply_corrections(
        idea,
        {
            "value.hourly_cost": Correction(1.2, 3.0, "test"),
            "cost.team_week_cost": Correction(1.0, 3.0, "test"),
        },
    )
    assert out.value.hourly_cost == Estimate(42.0, 42.0)  # 35 x 1.2
    assert out.cost.team_week_cost == Estimate(4000, 4000)
    assert list(corrections_of(out)) == ["value.hourly_cost"]


def test_the_record_widens_exactly_the_fields_it_should():
    # Truth: MVP effort 1.5x over plan; every range 2x too narrow (a fixed seed: repeatable).
    record = calibrate(history(60, spread=2.0, bias={"cost.mvp_weeks": 1.5}, seed=0))
    corrections = record.corrections()
    assert set(corrections) == set(ACTUAL_FIELDS)
    biased = {p for p, c in corrections.items() if c.bias != 1}
    assert biased == {"cost.mvp_weeks"}
    own = {"value.users", "value.adoption", "value.hours_saved_per_user_week"}
    own |= {"cost.mvp_weeks", "cost.build_weeks"}
    for path, c in corrections.items():
        stats = record.fields[path] if path in own else record.overall
        assert c.spread == stats["spread_factor"] and c.spread > 1.5, path
        assert c.source == ("its own 60 actuals" if path in own else "all 300 actuals")
    idea = load_idea(TRIAGE)
    out = record.apply(idea)
    changed = set(corrections_of(out))
    # Every range among the correctable fields, and the biased one: no plain number, nothing else.
    ranged = {p for p in ACTUAL_FIELDS if (e := _at(idea, p)) is not None and e.is_range}
    assert changed == ranged
    for path in ranged:
        stated, corrected = _at(idea, path), _at(out, path)
        assert corrected.high / corrected.low > stated.high / stated.low, path
    assert out.value.hourly_cost == idea.value.hourly_cost  # a plain number, no bias
    assert out.alternatives == idea.alternatives and out.evidence == idea.evidence


def _at(idea, path):
    section, name = path.split(".")
    return getattr(getattr(idea, section), name)


def test_simulate_with_a_calibration_uses_the_corrected_ranges():
    record = calibrate(EXAMPLES / "history")
    idea = load_idea(TRIAGE)
    calibrated = simulate([idea], draws=2000, seed=3, calibration=record)
    by_hand = simulate([record.apply(idea)], draws=2000, seed=3)
    plain = simulate([idea], draws=2000, seed=3)
    assert np.array_equal(calibrated.samples["npv"], by_hand.samples["npv"])
    assert corrections_of(calibrated.ideas[0])
    # Effort runs over plan in the record: the calibrated effort is higher.
    assert (
        calibrated.summary()["effort_weeks_p50"].iloc[0]
        > plain.summary()["effort_weeks_p50"].iloc[0]
    )


def test_a_thin_record_changes_nothing():
    record = calibrate(history(3, seed=0))
    idea = load_idea(TRIAGE)
    assert corrections_of(record.apply(idea)) == {}


@given(
    low=st.floats(0.01, 1e6),
    ratio=st.floats(1.01, 100),
    bias=st.floats(0.2, 5),
    spread=st.floats(1.0, 5),
)
def test_correction_invariants_for_positive_ranges(low, ratio, bias, spread):
    stated = Estimate(low, low * ratio)
    corrected = corrected_estimate(stated, bias, spread)
    # The median moves by the bias; the width on the log scale grows by the spread.
    assert corrected.median == pytest.approx(bias * stated.median, rel=1e-9)
    assert math.log(corrected.high / corrected.low) == pytest.approx(
        spread * math.log(ratio), rel=1e-9
    )
    widened = corrected_estimate(stated, 1.0, spread)
    assert widened.low <= stated.low * (1 + 1e-12) and widened.high >= stated.high * (1 - 1e-12)


@given(
    low=st.floats(0.001, 0.9),
    width=st.floats(0.01, 0.5),
    bias=st.floats(0.2, 5),
    spread=st.floats(0.5, 5),
)
def test_corrected_shares_stay_shares(low, width, bias, spread):
    stated = Estimate(low, min(low + width, 0.999), share=True)
    corrected = corrected_estimate(stated, bias, spread)
    assert 0 <= corrected.low <= corrected.high <= 1 and corrected.share
