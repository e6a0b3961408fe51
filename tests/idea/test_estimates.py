"""Parsing what a person writes into numbers and 90% ranges, and the medians the point score uses."""

from __future__ import annotations

import math

import pytest

from mlpm_kit.idea.estimates import Estimate, EstimateError, parse_estimate


@pytest.mark.parametrize(
    "written, low, high",
    [
        (45, 45, 45),
        (0.5, 0.5, 0.5),
        ("45", 45, 45),
        ("200 to 400", 200, 400),
        ("200to400", 200, 400),
        ({"low": 200, "high": 400}, 200, 400),
        ("40,000 to 60,000", 40000, 60000),
        ("40k to 60k", 40000, 60000),
        ("1.5M", 1.5e6, 1.5e6),
        ("20% to 40%", 0.2, 0.4),
        ("-5 to 5", -5, 5),
        ("200 至 400", 200, 400),
        ("1e3 to 2e3", 1000, 2000),
    ],
)
def test_ways_to_write_a_number_or_range(written, low, high):
    est = parse_estimate(written)
    assert (est.low, est.high) == pytest.approx((low, high))


@pytest.mark.parametrize(
    "written, words",
    [
        ("200 to", "not a number or a range"),
        ("lots", "not a number or a range"),
        ("400 to 200", "write it as 200 to 400"),
        ({"low": 1}, "exactly the keys low and high"),
        ([1, 2], "is a list"),
        (None, "empty"),
        (True, "yes/no value"),
        (float("nan"), "not a finite number"),
        ("1e400", "not a finite number"),
        (1e16, "implausibly large"),
    ],
)
def test_bad_values_say_how_to_fix_them(written, words):
    with pytest.raises(EstimateError, match=words):
        parse_estimate(written)


def test_medians():
    assert parse_estimate("200 to 400").median == pytest.approx(math.sqrt(200 * 400))  # lognormal
    assert parse_estimate("-5 to 15").median == pytest.approx(5)  # normal
    assert parse_estimate("0 to 30000").median == pytest.approx(15000)  # normal when low is 0
    # logit-normal: expit of the mean logit of 0.2 and 0.8 is 0.5; of 0.6 and 0.9 is 0.7714
    assert parse_estimate("0.2 to 0.8", share=True).median == pytest.approx(0.5)
    odds = math.sqrt((0.6 / 0.4) * (0.9 / 0.1))  # geometric mean of the odds
    assert parse_estimate("0.6 to 0.9", share=True).median == pytest.approx(odds / (1 + odds))
    assert parse_estimate("0 to 0.4", share=True).median == pytest.approx(
        0.2
    )  # touches 0: clipped normal
    assert Estimate(3, 3).median == 3


def test_yaml_form_round_trips():
    assert parse_estimate("200 to 400").to_yaml() == "200 to 400"
    assert parse_estimate(45).to_yaml() == 45
    assert parse_estimate("0.25").to_yaml() == 0.25
