"""Item moments (``stats.item_moments``): the sums every reliability and factor statistic
reads, and each statistic taking data or moments with the same numbers and errors.

Independent references: pandas ``DataFrame.cov()`` / ``.corr()`` (pairwise-complete, as R's
``cov(x, use = "pairwise")`` / ``cor(x, use = "pairwise")``), ``psych::smc``
(tests/reference/factor/smc.json, written by tests/reference/ref_smc.R), and the statistics
called on the columns themselves.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kemitraan_assess.errors import DataError, InsufficientDataError
from kemitraan_assess.stats import (
    NegativeItemWarning,
    cfa,
    correlation_input,
    cronbach_alpha,
    item_analysis,
    item_moments,
    omega_total_1f,
    smc,
    split_half,
)

REF = Path(__file__).resolve().parents[1] / "reference"
REL = 1e-12  # moments vs columns: the same sums, item-total correlations summed in another order


def _whole(n: int, p: int, blank: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 1))
    x = np.clip(np.rint(3 + f + rng.normal(size=(n, p))), 1, 5)
    x[rng.random((n, p)) < blank] = np.nan
    return x


@pytest.mark.parametrize("shift", [0.0, 0.5, 1000.25])
def test_pairwise_sums_match_pandas(shift: float) -> None:
    x = _whole(400, 6, 0.2, 1) * (1.0 if shift == 0 else 1.1) + shift
    df = pd.DataFrame(x)
    mo = item_moments(x)
    np.testing.assert_allclose(mo.cov, df.cov().to_numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(mo.n_pairs, df.notna().astype(float).T @ df.notna().astype(float))
    np.testing.assert_allclose(
        correlation_input(mo).r, df.corr().to_numpy(), rtol=1e-12, atol=1e-15
    )
    assert mo.sums.exact is (shift == 0)


def test_subset_of_whole_numbers_is_bit_identical_to_those_items_alone() -> None:
    x = _whole(3000, 9, 0.1, 2)
    cols = [7, 2, 4]
    sub = item_moments(x).subset([f"V{j + 1}" for j in cols])
    alone = item_moments(x[:, cols])
    assert sub.sums.exact and alone.sums.exact
    np.testing.assert_array_equal(sub.cov, alone.cov)
    np.testing.assert_array_equal(sub.n_pairs, alone.n_pairs)


@pytest.mark.parametrize("case", ["bfi_pairwise", "bfi_singular", "indefinite"])
def test_smc_equals_psych(case: str) -> None:
    # psych::smc = 1 - 1/diag(Pinv(R)) (SVD pseudo-inverse); measured agreement 2e-15
    gold = json.loads((REF / "factor" / "smc.json").read_text())[case]
    np.testing.assert_allclose(smc(np.array(gold["r"])), np.array(gold["smc"]), rtol=0, atol=1e-12)


@pytest.mark.parametrize("shift", [0.0, 0.25])
def test_every_statistic_takes_data_or_moments(shift: float) -> None:
    # whole numbers (exact sums, answers counted in the pass) and quarter points (float sums)
    x = _whole(1500, 7, 0.08, 3) + shift
    df = pd.DataFrame(x, columns=[f"q{j}" for j in range(7)])
    scales = {"A": ["q0", "q1", "q2", "q3"], "B": ["q4", "q5", "q6"]}
    mo = item_moments(df, scales=scales)
    for items in scales.values():
        sub, cols = mo.subset(items), df[items]
        a, b = cronbach_alpha(sub), cronbach_alpha(cols)
        assert (a.n, a.n_complete) == (b.n, b.n_complete)
        for f in ("raw", "standardized", "guttman_lambda6", "total_mean", "total_sd", "ase"):
            assert getattr(a, f) == pytest.approx(getattr(b, f), rel=REL), f
        pd.testing.assert_frame_equal(
            item_analysis(sub).to_frame(), item_analysis(cols).to_frame(), rtol=REL
        )
        assert split_half(sub).max == pytest.approx(split_half(cols).max, rel=REL)
        assert omega_total_1f(sub).omega_total == pytest.approx(
            omega_total_1f(cols).omega_total, rel=REL
        )
    fit_m = cfa(mo, scales, missing="pairwise")
    fit_d = cfa(df, scales, missing="pairwise")
    assert (fit_m.n_used, fit_m.dof) == (fit_d.n_used, fit_d.dof)
    assert fit_m.chi2 == pytest.approx(fit_d.chi2, rel=1e-9)
    with warnings.catch_warnings():  # rows without an answer: NaN, as numpy says
        warnings.simplefilter("ignore", RuntimeWarning)
        np.testing.assert_array_equal(
            mo.subset(scales["B"]).row_means()[0], np.nanmean(x[:, 4:], axis=1)
        )


def test_listwise_subset_drops_the_rows_missing_its_own_items() -> None:
    x = _whole(300, 6, 0.1, 7)
    mo = item_moments(x, nan_policy="listwise")
    sub = mo.subset(["V1", "V2", "V3"])
    assert sub.n == int((~np.isnan(x[:, :3])).all(axis=1).sum()) > mo.n
    assert cronbach_alpha(sub).raw == pytest.approx(
        cronbach_alpha(x[:, :3], nan_policy="listwise").raw, rel=REL
    )


def test_moments_raise_what_the_data_raise() -> None:
    x = _whole(200, 4, 0.0, 4)
    x[:, 1] = 3.0  # no variance
    df = pd.DataFrame(x, columns=["a", "b", "c", "d"])
    mo = item_moments(df, scales={"S": ["a", "b", "c"], "T": ["c", "d"]})
    with pytest.raises(DataError) as on_moments:
        cronbach_alpha(mo.subset(["a", "b", "c"]))
    with pytest.raises(DataError) as on_data:
        cronbach_alpha(df[["a", "b", "c"]])
    assert str(on_moments.value) == str(on_data.value) and "'b' has no variance" in str(
        on_data.value
    )
    with pytest.raises(InsufficientDataError) as om_moments:
        omega_total_1f(mo.subset(["c", "d"]))
    with pytest.raises(InsufficientDataError) as om_data:
        omega_total_1f(df[["c", "d"]])
    assert str(om_moments.value) == str(om_data.value)
    with pytest.raises(DataError, match="not one of the moments' items"):
        mo.subset(["a", "z"])


def test_keys_belong_to_the_moments_not_to_the_statistic() -> None:
    x = _whole(500, 4, 0.05, 8)
    x[:, 3] = 6 - x[:, 3]  # a reverse-worded item, not keyed
    with pytest.warns(NegativeItemWarning, match="V4"):
        raw = cronbach_alpha(item_moments(x))
    keyed = cronbach_alpha(item_moments(x, keys=["V4"]))
    assert keyed.raw > raw.raw
    assert keyed.raw == pytest.approx(cronbach_alpha(x, keys=["V4"]).raw, rel=REL)
    with pytest.raises(DataError, match="key them in item_moments"):
        cronbach_alpha(item_moments(x), keys=["V4"])
