"""The point score of a portfolio (one `evaluate` call) equals each idea scored on its own."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from mlpm_kit.idea.estimates import Estimate
from mlpm_kit.idea.folders import load_portfolio
from mlpm_kit.model.economics import OUTPUTS
from mlpm_kit.model.inputs import medians
from mlpm_kit.model.scoring import score
from mlpm_kit.resources import kit_path


def test_the_portfolio_score_equals_each_idea_scored_alone():
    ideas = load_portfolio(kit_path("examples", "ideas"))
    together = score(ideas).drop(columns="rank").set_index("id").sort_index()
    alone = (
        pd.concat([score([idea]) for idea in ideas]).drop(columns="rank").set_index("id")
    ).sort_index()
    assert len(together) == 12
    # exactly the same numbers, not merely close (NaN where both are undefined)
    for name in OUTPUTS:
        assert np.array_equal(together[name], alone[name], equal_nan=True), name
    assert list(together["confidence_source"]) == list(alone["confidence_source"])


BOUNDS = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(BOUNDS, BOUNDS, st.booleans()).map(
            # shares live in [0, 1]: logit-normal inside, clipped normal touching 0 or 1
            lambda t: (
                Estimate(*sorted((abs(t[0]) % 1, abs(t[1]) % 1)), True)
                if t[2]
                else Estimate(*sorted(t[:2]))
            )
        ),
        max_size=30,
    )
)
def test_medians_at_once_are_the_medians_one_by_one(estimates):
    # every kind: constant (low == high), normal, lognormal (low > 0), logit-normal
    assert medians(estimates).tolist() == [est.median for est in estimates]


def test_medians_of_each_kind_by_hand():
    # constant 5; lognormal sqrt(10 x 1000) = 100; normal (-1 + 3) / 2 = 1;
    # logit-normal 0.2 to 0.8: logits -1.386 and 1.386 average 0, so 0.5
    got = medians([Estimate(5, 5), Estimate(10, 1000), Estimate(-1, 3), Estimate(0.2, 0.8, True)])
    assert np.allclose(got, [5, 100, 1, 0.5], rtol=1e-12)
