"""Group estimates: pooling by hand, who is far from the others, validation, storage, adopting."""

from __future__ import annotations

import difflib

import pytest

from mlpm_kit.idea.estimates import Z90, Estimate
from mlpm_kit.idea.files import load_idea
from mlpm_kit.idea.folders import idea_files
from mlpm_kit.workshop.group import GroupSession, estimates_path
from mlpm_kit.workshop.pooling import cdf, far_from_the_others, pooled_range, rounded
from mlpm_kit.workshop.share import RateLimiter
from tests.workshop.conftest import copy_example


def test_one_range_pooled_is_itself():
    low, high = pooled_range([Estimate(200, 400)])
    assert (low, high) == pytest.approx((200, 400), rel=1e-9)
    low, high = pooled_range([Estimate(0.6, 0.9, share=True)] * 3)
    assert (low, high) == pytest.approx((0.6, 0.9), rel=1e-9)


def test_two_distant_ranges_pool_to_the_mixture_percentiles():
    # Ranges with low <= 0 are normal: A = -10 to -8 has mean -9, B = 0 to 2 has mean 1, both
    # sigma = 1/Z90. At the mixture's 5th percentile B's CDF is ~0 (17 sigmas away), so A's CDF
    # there is 0.10: x = -9 + sigma * z(0.10) = -9 - 1.2815516 / 1.6448536 = -9.7791.
    # At the 95th, A's CDF is ~1, so B's is 0.90: x = 1 + 1.2815516 / 1.6448536 = 1.7791.
    low, high = pooled_range([Estimate(-10, -8), Estimate(0, 2)])
    step = 1.2815515655446004 / Z90
    assert (low, high) == pytest.approx((-9 - step, 1 + step), abs=1e-6)


def test_lognormal_ranges_pool_on_their_own_scale():
    # 100 to 400 and 100 to 400: the CDF at 200 (the geometric middle) is exactly one half.
    assert cdf(Estimate(100, 400), 200) == pytest.approx(0.5)
    assert cdf(Estimate(100, 400), 100) == pytest.approx(0.05)
    assert cdf(Estimate(100, 400), -5) == 0.0
    low, high = pooled_range([Estimate(100, 400), Estimate(200, 800)])
    assert 100 < low < 200 and 400 < high < 800  # between the two people's ends


def test_the_range_far_from_the_others_is_flagged():
    ranges = [Estimate(100, 300), Estimate(120, 280), Estimate(90, 310), Estimate(900, 1500)]
    assert far_from_the_others(ranges) == [3]
    assert far_from_the_others(ranges[:2]) == []  # two people: nobody is "the others"


def test_rounded_keeps_three_significant_digits():
    assert (rounded(108.4), rounded(0.61234), rounded(1234567.0), rounded(0)) == (
        108,
        0.612,
        1230000,
        0,
    )


@pytest.fixture
def group(tmp_path):
    return GroupSession(copy_example(tmp_path))


def test_default_picks_are_the_three_largest_swings(group):
    assert group.current.number == 1
    assert group.current.inputs == [
        "value.hours_saved_per_user_week",
        "value.users",
        "value.adoption",
    ]
    assert estimates_path(group.idea_path).name == "ticket-triage.estimates.yaml"


def test_ranges_are_validated_like_the_idea_file(group):
    assert group.submit("p-1", 1, {"value.adoption": {"low": "0.2", "high": "1.5"}}) == {
        "value.adoption": "0.2 to 1.5 is above the allowed range: it must be a share between 0 and 1 (write 30% or 0.3)."
    }
    assert (
        "not a number"
        in group.submit("p-1", 1, {"value.users": {"low": "x", "high": "2"}})["value.users"]
    )
    assert (
        "low above high"
        in group.submit("p-1", 1, {"value.users": {"low": 9, "high": 2}})["value.users"]
    )
    assert group.submit("p-1", 1, {"cost.build_weeks": {"low": 1, "high": 2}}) == {
        "cost.build_weeks": "is not asked in this round."
    }
    assert group.submit("p-1", 1, {"value.users": "100 to 200"}) == {
        "value.users": "give a low and a high value."
    }
    assert "round 7 is over" in group.submit("p-1", 7, {})[""]
    assert group.current.ranges == []  # nothing invalid was kept


def test_a_restart_keeps_every_range_and_a_resubmission_replaces(group):
    assert group.submit("p-1", 1, {"value.users": {"low": 100, "high": 300}}) == {}
    assert group.submit("p-2", 1, {"value.users": {"low": "150", "high": "250"}}) == {}
    assert group.submit("p-1", 1, {"value.users": {"low": 110, "high": 290}}) == {}
    group.new_round()
    assert group.submit("p-2", 2, {"value.users": {"low": 140, "high": 260}}) == {}
    again = GroupSession(group.idea_path)  # the server restarted
    assert [r.number for r in again.rounds] == [1, 2]
    assert [(s.participant, s.low, s.high) for s in again.rounds[0].ranges] == [
        ("p-2", 150, 250),
        ("p-1", 110, 290),
    ]
    assert [(s.participant, s.low) for s in again.current.ranges] == [("p-2", 140)]


def test_summary_pools_and_names_participants_anonymously(group):
    for i, (low, high) in enumerate([(100, 300), (120, 280), (90, 310), (900, 1500)]):
        assert group.submit(f"p-{i}", 1, {"value.users": {"low": low, "high": high}}) == {}
    users = next(i for i in group.summary()["inputs"] if i["input"] == "value.users")
    assert [r["who"] for r in users["ranges"]] == [f"Participant {i}" for i in (1, 2, 3, 4)]
    assert [r["far"] for r in users["ranges"]] == [False, False, False, True]
    estimates = [Estimate(100, 300), Estimate(120, 280), Estimate(90, 310), Estimate(900, 1500)]
    low, high = pooled_range(estimates)
    assert (users["pooled"]["low"], users["pooled"]["high"]) == (rounded(low), rounded(high))


def test_adopt_writes_the_pooled_range_with_a_comment_and_nothing_else(group):
    before = group.idea_path.read_text(encoding="utf-8")
    for i, (low, high) in enumerate([(100, 300), (150, 250), (120, 260)]):
        group.submit(f"p-{i}", 1, {"value.users": {"low": low, "high": high}})
    text = group.adopt("value.users")
    low, high = pooled_range([Estimate(100, 300), Estimate(150, 250), Estimate(120, 260)])
    assert text == f"{rounded(low)} to {rounded(high)}"
    after = group.idea_path.read_text(encoding="utf-8")
    diff = [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and line[:3] not in ("+++", "---")]  # fmt: skip
    assert len(diff) == 2
    assert diff[1].startswith(f"+  users: {text} ")
    assert "# group estimate of 3 participants on " in diff[1]
    assert "(was 120 to 250); tier-1 agents at the 15 accounts" in diff[1]
    assert str(load_idea(group.idea_path).value.users) == text
    assert GroupSession(group.idea_path).adopted[-1]["participants"] == 3


def test_rate_limiter_allows_a_burst_then_refuses_until_the_window_passes():
    limiter = RateLimiter(limit=3, window=10)
    assert [limiter.allow("a", now=t) for t in (0, 1, 2, 3)] == [True, True, True, False]
    assert limiter.allow("b", now=3)  # another client is not affected
    assert limiter.allow("a", now=10.5)  # the first event left the window


def test_the_estimates_file_is_not_an_idea_of_the_folder(group):
    assert estimates_path(group.idea_path).exists()
    assert idea_files([group.idea_path.parent]) == [group.idea_path]
