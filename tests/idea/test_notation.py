"""The notation people already use for numbers, ranges, shares and money (DESIGN section 3)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlpm_kit.idea.estimates import Estimate, EstimateError, parse_estimate
from mlpm_kit.idea.notation import RANGE_HINT, SHARE_FORMS, Reading, _read_terms, read_text


@pytest.mark.parametrize(
    "written, low, high, currency",
    [
        ("0.2-0.4", 0.2, 0.4, None),
        ("20%-40%", 0.2, 0.4, None),
        ("60 - 85 %", 0.6, 0.85, None),  # a unit after the range applies to both ends
        ("60-85%", 0.6, 0.85, None),
        ("90k-140k", 90_000, 140_000, None),
        ("90k–140k", 90_000, 140_000, None),  # en dash
        ("90k—140k", 90_000, 140_000, None),  # em dash
        ("90-140k", 90_000, 140_000, None),
        ("€90k", 90_000, 90_000, "€"),
        ("€90k-140k", 90_000, 140_000, "€"),  # a symbol before the range applies to both ends
        ("90k-140k EUR", 90_000, 140_000, "EUR"),
        ("$1.2M", 1_200_000, 1_200_000, "$"),
        ("1,200", 1200, 1200, None),
        ("1,200,000.5", 1_200_000.5, 1_200_000.5, None),
        ("1.2m", 1_200_000, 1_200_000, None),
        ("3bn", 3e9, 3e9, None),
        ("CNY 50万", 500_000, 500_000, "CNY"),  # 万 = 10^4
        ("50万元", 500_000, 500_000, "元"),
        ("1.5亿", 1.5e8, 1.5e8, None),  # 亿 = 10^8
        ("200 to 400", 200, 400, None),
        ("40k to 60k", 40_000, 60_000, None),
        ("20% to 40%", 0.2, 0.4, None),
        ("200 ~ 400", 200, 400, None),
        ("200 至 400", 200, 400, None),
        ("-5 to 3", -5, 3, None),
        ("USD 4k to 6k", 4000, 6000, "USD"),
    ],
)
def test_every_notation(written, low, high, currency):
    est = parse_estimate(written)
    assert (est.low, est.high) == pytest.approx((low, high))
    assert est.currency == currency
    assert est.to_yaml() == written  # saving keeps what the person typed


def test_a_mapping_and_plain_numbers_still_work():
    assert parse_estimate({"low": "90k", "high": "€140k"}) == Estimate(90_000, 140_000)
    assert parse_estimate({"low": "90k", "high": "€140k"}).currency == "€"
    assert parse_estimate(45).to_yaml() == 45
    assert parse_estimate("0.25").to_yaml() == 0.25  # a plain number is written as a number


@pytest.mark.parametrize(
    "written, words",
    [
        ("1-2-3", "has 2 separators"),
        ("5k-2", "'k' on the low end only"),
        ("20%-40", "'%' on the low end only"),
        ("-5-3", 'mixes a minus sign with a dash range; write "-5 to 3"'),
        ("5--3", "mixes a minus sign with a dash range"),
        ("0,5", "not a thousands separator; write decimals with a point"),
        ("1,20", "not a thousands separator"),
        ("€5-£6", "names two currencies"),
        ("€5 USD", "names two currencies"),
        ("ABC 5", "'ABC' is not a currency code or symbol"),
        ("200 to", "is not a number or a range"),
        ("400 to 200", "write it as 200 to 400"),
    ],
)
def test_refused_forms_say_why_and_list_the_accepted_ones(written, words):
    with pytest.raises(EstimateError) as err:
        parse_estimate(written)
    message = str(err.value)
    assert words in message
    assert "low above high" in message or '"200 to 400", "200-400", "90k–140k"' in message


def test_a_share_error_suggests_share_forms_not_a_count():
    with pytest.raises(EstimateError) as err:
        parse_estimate("lots", share=True)
    assert SHARE_FORMS in str(err.value) and "300" not in str(err.value)


def test_a_range_where_one_number_goes_is_refused_in_a_mapping():
    with pytest.raises(EstimateError, match="is a range where one number goes"):
        parse_estimate({"low": "1-2", "high": 3})


_numbers = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@given(_numbers, _numbers, st.booleans())
def test_any_range_the_kit_writes_reads_back_to_the_same_numbers(a, b, share):
    low, high = sorted((a, b))
    written = Estimate(low, high, share).to_yaml()
    back = parse_estimate(written, share=share)
    # format_number keeps 6 significant digits for non-integers: the kit's own precision.
    assert back.low == pytest.approx(low, rel=1e-5, abs=1e-6)
    assert back.high == pytest.approx(high, rel=1e-5, abs=1e-6)
    again = parse_estimate(Estimate(back.low, back.high, share).to_yaml(), share=share)
    assert (again.low, again.high) == (back.low, back.high)  # and is then stable exactly


@given(st.integers(0, 10**9), st.integers(0, 10**9))
def test_every_kit_written_whole_range_reads_back_exactly(a, b):
    low, high = sorted((a, b))
    text = str(Estimate(low, high))
    assert (read_text(text).low, read_text(text).high) == (low, high)


@given(
    st.from_regex(r"\A[0-9]{1,16}(\.[0-9]{0,16})? to [0-9]{1,16}(\.[0-9]{1,3})?k?\Z"),
    st.sampled_from(["", " ", "\t"]),
)
def test_the_quick_reading_of_plain_ranges_equals_the_general_one(written, pad):
    text = pad + written + pad
    try:
        general = _read_terms(text, text.strip(), RANGE_HINT)
    except EstimateError:
        general = "refused"
    try:
        quick = read_text(text)
    except EstimateError:
        quick = "refused"
    assert quick == general
    if " to " in written and "k" not in written and "." not in written:
        low, high = written.split(" to ")
        assert quick == Reading(float(low), float(high))  # "120 to 250" is 120.0 and 250.0
