"""PSI and KS on known distributions, and the drift verdict."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from mlpm_kit import ks, psi
from mlpm_kit.errors import InputError
from mlpm_kit.ml.drift import drift_status, psi_status


def test_psi_by_hand_on_a_small_binned_example():
    # Reference shares (0.5, 0.5), current (0.25, 0.75):
    # (0.25 - 0.5) ln(0.25/0.5) + (0.75 - 0.5) ln(0.75/0.5) = 0.17329 + 0.10137.
    expected = -0.25 * np.log(0.5) + 0.25 * np.log(1.5)
    assert psi([1, 1, 2, 2], [1, 2, 2, 2], bins=[0, 1.5, 3]) == pytest.approx(expected)
    assert expected == pytest.approx(0.2747, abs=1e-4)


def test_identical_samples_have_no_drift():
    x = np.random.default_rng(0).normal(size=5000)
    assert psi(x, x) == pytest.approx(0.0, abs=1e-12)
    assert ks(x, x).statistic == 0.0


def test_same_distribution_is_stable():
    rng = np.random.default_rng(1)
    assert psi(rng.normal(size=20000), rng.normal(size=20000)) < 0.01


def test_shifted_normal_matches_scipy_ks_and_is_significant():
    rng = np.random.default_rng(2)
    ref, cur = rng.normal(0, 1, 20000), rng.normal(0.8, 1, 20000)
    result = ks(ref, cur)
    scipy_result = stats.ks_2samp(ref, cur)
    assert result.statistic == pytest.approx(scipy_result.statistic)
    assert result.pvalue == pytest.approx(scipy_result.pvalue)
    # Population KS of a 0.8 sd shift: 2 Phi(0.4) - 1 = 0.311.
    assert result.statistic == pytest.approx(2 * stats.norm.cdf(0.4) - 1, abs=0.02)
    assert psi_status(psi(ref, cur)) == "significant"


def test_series_and_csv_columns(tmp_path):
    rng = np.random.default_rng(4)
    ref, cur = rng.normal(size=500), rng.normal(0.2, 1, size=500)
    (tmp_path / "ref.csv").write_text(pd.DataFrame({"x": ref}).to_csv(index=False))
    (tmp_path / "cur.csv").write_text(pd.DataFrame({"x": cur}).to_csv(index=False))
    expected = psi(ref, cur)
    assert psi(pd.Series(ref), pd.Series(cur)) == pytest.approx(expected)
    assert psi(tmp_path / "ref.csv", str(tmp_path / "cur.csv"), column="x") == pytest.approx(
        expected
    )
    with pytest.raises(InputError, match="has no column 'y'; its columns are: x"):
        psi(tmp_path / "ref.csv", tmp_path / "cur.csv", column="y")


def test_thresholds():
    assert psi_status(0.05) == "stable"
    assert psi_status(0.1) == "moderate"
    assert psi_status(0.25) == "moderate"
    assert psi_status(0.3) == "significant"


def test_drift_status_message():
    out = drift_status([1, 1, 2, 2], [1, 2, 2, 2], bins=[0, 1.5, 3])
    assert out["status"] == "significant"
    assert out["message"].startswith("PSI 0.275 (significant)")


def test_bad_samples():
    with pytest.raises(InputError, match="the current sample is empty"):
        psi([1, 2, 3], [])
    with pytest.raises(InputError, match="not numeric"):
        ks(["a", "b"], [1, 2])
    with pytest.raises(InputError, match="at least 2 bins"):
        psi([1, 2, 3], [1, 2, 3], bins=1)


@given(
    ref=st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=200),
    cur=st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=200),
)
def test_psi_is_never_negative_and_zero_on_itself(ref, cur):
    assert psi(ref, cur) >= 0
    assert psi(ref, ref) == pytest.approx(0.0, abs=1e-12)
