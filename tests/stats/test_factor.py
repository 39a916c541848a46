"""KMO, Bartlett's test and parallel analysis against R psych 2.2.9.

Golden files: tests/reference/factor/*.json, written by tests/reference/ref_factor.R
(R 4.x, psych 2.2.9, GPArotation 2022.10-2, jsonlite) from tests/reference/data/bfi.csv
(psych::bfi, 25 personality items). Closed forms are compared at rel=1e-9 (they agree to
~1e-14; the shared floor is 1e-6).
"""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
import pytest

from kemitraan_assess.errors import DataError, InsufficientDataError
from kemitraan_assess.stats.factor import (
    bartlett_sphericity,
    correlation_input,
    kmo,
    parallel_analysis,
    random_correlations,
)

CLOSED = 1e-9


@pytest.fixture(scope="module")
def pa0(bfi25):
    return parallel_analysis(bfi25, n_iter=100, seed=0)


FACTORABILITY = "factor/factorability.json"
PARALLEL = "factor/parallel.json"


def test_pairwise_correlations_match_r(bfi25, gold):
    # R: cor(bfi25, use = "pairwise")
    ci = correlation_input(bfi25)
    assert ci.n_obs == gold(FACTORABILITY)["n_rows"] == 2800
    assert ci.items == tuple(gold(FACTORABILITY)["items"])
    np.testing.assert_allclose(
        ci.r, np.array(gold(FACTORABILITY)["r_pairwise"]), rtol=0, atol=1e-12
    )
    assert ci.n_pairs.min() < 2800  # bfi has missing responses


def test_listwise_uses_complete_rows(bfi25, gold):
    ci = correlation_input(bfi25, nan_policy="listwise")
    assert ci.n_obs == gold(FACTORABILITY)["n_listwise"] == 2436


def test_kmo_pairwise_matches_psych(bfi25, gold):
    # R: psych::KMO(bfi25)  (psych 2.2.9)
    res = kmo(bfi25)
    ref = gold(FACTORABILITY)["kmo_pairwise"]
    assert res.msa == pytest.approx(ref["MSA"], rel=CLOSED)
    assert list(res.msa_items) == gold(FACTORABILITY)["items"]
    assert list(res.msa_items.values()) == pytest.approx(ref["MSAi"], rel=CLOSED)
    assert res.n_obs == 2800 and "psych::KMO" in res.method


def test_kmo_listwise_and_matrix_input_match_psych(bfi25, gold):
    # R: psych::KMO(cor(na.omit(bfi25)))
    ref = gold(FACTORABILITY)["kmo_listwise"]
    res = kmo(bfi25, nan_policy="listwise")
    assert res.msa == pytest.approx(ref["MSA"], rel=CLOSED)
    assert list(res.msa_items.values()) == pytest.approx(ref["MSAi"], rel=CLOSED)
    # a correlation matrix is used as given (R: psych::KMO(cor(bfi25, use = "pairwise")))
    from_r = kmo(np.array(gold(FACTORABILITY)["r_pairwise"]))
    assert from_r.msa == pytest.approx(gold(FACTORABILITY)["kmo_pairwise"]["MSA"], rel=CLOSED)
    assert from_r.n_obs is None and from_r.nan_policy == "matrix"


def test_bartlett_matches_psych(bfi25, gold):
    # R: psych::cortest.bartlett(cor(bfi25, use = "pairwise"), n = 2800)
    ref = gold(FACTORABILITY)["bartlett_pairwise"]
    res = bartlett_sphericity(bfi25)
    assert res.chi2 == pytest.approx(ref["chisq"], rel=CLOSED)
    assert res.df == ref["df"] == 300
    assert res.p == pytest.approx(ref["p_value"], abs=1e-300)
    assert res.n_obs == 2800
    res_m = bartlett_sphericity(np.array(gold(FACTORABILITY)["r_pairwise"]), n=2800)
    assert res_m.chi2 == pytest.approx(ref["chisq"], rel=CLOSED)
    # R: psych::cortest.bartlett(cor(na.omit(bfi25)), n = 2436)
    ref_l = gold(FACTORABILITY)["bartlett_listwise"]
    res_l = bartlett_sphericity(bfi25, nan_policy="listwise")
    assert res_l.chi2 == pytest.approx(ref_l["chisq"], rel=CLOSED)
    assert res_l.n_obs == 2436


def test_bartlett_small_matrix_by_hand():
    # -ln|R| (n - 1 - (2p + 5)/6) with |R| = 1 - .25 - .16 - .09 + 2(.5)(.4)(.3) = 0.62
    r = np.array([[1, 0.5, 0.4], [0.5, 1, 0.3], [0.4, 0.3, 1]])
    res = bartlett_sphericity(r, n=100)
    assert res.chi2 == pytest.approx(-np.log(0.62) * (99 - 11 / 6), rel=1e-12)
    assert res.df == 3


def test_input_errors():
    r = np.array([[1, 0.5], [0.5, 1]])
    with pytest.raises(DataError, match="needs n"):
        bartlett_sphericity(r)
    x = np.column_stack([np.arange(10.0), np.ones(10), np.arange(10.0) ** 2])
    with pytest.raises(DataError, match="no variance"):
        kmo(pd.DataFrame(x, columns=["a", "flat", "c"]))
    dup = np.random.default_rng(0).normal(size=(50, 3))
    dup = np.column_stack([dup, dup.sum(axis=1)])
    with pytest.raises(DataError, match="singular"):
        kmo(dup)
    with pytest.raises(InsufficientDataError):
        kmo(np.array([[1.0, 2.0], [2.0, 3.5]]).T[:2, :1])
    with pytest.raises(DataError, match="nan_policy"):
        kmo(dup, nan_policy="everything")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="numeric"):
        kmo(pd.DataFrame({"a": ["x", "y", "z"], "b": [1, 2, 3]}))


def test_parallel_observed_eigenvalues_match_psych(pa0, gold):
    # R: psych::fa.parallel(bfi25, fm = "minres", fa = "both")$fa.values / $pc.values
    res = pa0
    np.testing.assert_allclose(res.pc_values, gold(PARALLEL)["pc_values"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(res.fa_values, gold(PARALLEL)["fa_values"], rtol=0, atol=1e-6)


def test_parallel_suggestion_agrees_with_psych(bfi25, pa0, gold):
    # psych (set.seed(20240601), n.iter = 50) suggests nfact = 6 and ncomp = 6 for bfi25.
    # The decision is far from the simulation noise: the 6th / 7th observed reduced
    # eigenvalues are 0.257 / 0.007 against a simulated 95% quantile near 0.10 / 0.087
    # (components: 1.113 / 0.846 against ~1.09 / 1.08), so every seed must agree.
    assert gold(PARALLEL)["nfact"] == 6 and gold(PARALLEL)["ncomp"] == 6
    for res in (pa0, parallel_analysis(bfi25, n_iter=100, seed=1)):
        assert (res.n_factors, res.n_components) == (
            gold(PARALLEL)["nfact"],
            gold(PARALLEL)["ncomp"],
        )


def test_parallel_simulated_means_agree_with_psych_within_sampling_error(pa0, gold):
    # Simulated means are Monte Carlo estimates (ours: 100 Wishart draws; psych: 50 draws
    # of normal data). Their difference must lie within 5 standard errors,
    # se = sd * sqrt(1/100 + 1/50), eigenvalue by eigenvalue.
    res = pa0
    se_pc = res.pc_sim_sd * np.sqrt(1 / 100 + 1 / 50)
    se_fa = res.fa_sim_sd * np.sqrt(1 / 100 + 1 / 50)
    assert np.all(np.abs(res.pc_sim_mean - np.array(gold(PARALLEL)["pc_sim"])) < 5 * se_pc)
    assert np.all(np.abs(res.fa_sim_mean - np.array(gold(PARALLEL)["fa_sim"])) < 5 * se_fa)


def test_parallel_is_deterministic_and_seeded(bfi25):
    a = parallel_analysis(bfi25, n_iter=10, seed=3)
    b = parallel_analysis(bfi25, n_iter=10, seed=3)
    c = parallel_analysis(bfi25, n_iter=10, seed=4)
    assert np.array_equal(a.pc_sim_mean, b.pc_sim_mean) and np.array_equal(
        a.fa_sim_mean, b.fa_sim_mean
    )
    assert not np.array_equal(a.pc_sim_mean, c.pc_sim_mean)
    assert np.all(a.pc_sim_quantile >= a.pc_sim_mean - 1e-12)
    assert a.pc_sim_mean.sum() == pytest.approx(25, rel=1e-12)  # trace of a correlation matrix
    assert np.all(np.diff(a.pc_values) <= 0)
    json.dumps(a.to_dict())


def test_parallel_components_only():
    r = np.eye(6)
    res = parallel_analysis(r, n_obs=500, n_iter=20, fm="pc")
    assert res.fa_values is None and res.n_factors is None
    assert res.n_components == 0


def test_random_correlations_have_the_null_distribution():
    # Under independence Var(r_ij) = 1/(n - 1) exactly for normal data; E(r_ij) = 0.
    rng = np.random.default_rng(11)
    r = random_correlations(30, 4, 4000, rng)
    off = r[:, 0, 1]
    assert abs(off.mean()) < 4 * np.sqrt(1 / 29 / 4000)
    assert off.var() == pytest.approx(1 / 29, rel=0.1)
    assert np.allclose(np.einsum("kii->ki", r), 1.0)
    # the same law as correlations of drawn data: compare the mean largest eigenvalue
    data = rng.standard_normal((2000, 30, 4))
    direct = np.array([np.linalg.eigvalsh(np.corrcoef(d, rowvar=False))[-1] for d in data])
    wish = np.linalg.eigvalsh(r)[:, -1]
    se = np.sqrt(direct.var() / 2000 + wish.var() / 4000)
    assert abs(direct.mean() - wish.mean()) < 5 * se


def test_parallel_cost_does_not_depend_on_n():
    r = np.eye(40)
    t0 = time.perf_counter()
    small = parallel_analysis(r, n_obs=1_000, n_iter=5, fm="pc")
    t1 = time.perf_counter()
    big = parallel_analysis(r, n_obs=1_000_000_000, n_iter=5, fm="pc")
    t2 = time.perf_counter()
    assert (t2 - t1) < 10 * (t1 - t0) + 0.05
    assert np.abs(big.pc_sim_mean - 1).max() < 0.01 < np.abs(small.pc_sim_mean - 1).max()


def test_parallel_needs_more_rows_than_items():
    with pytest.raises(InsufficientDataError):
        parallel_analysis(np.eye(5), n_obs=5)
    with pytest.raises(DataError, match="n_obs"):
        parallel_analysis(np.eye(5))


@pytest.mark.slow
def test_large_sample_is_dominated_by_one_correlation_pass():
    rng = np.random.default_rng(0)
    x = rng.integers(1, 6, size=(1_000_000, 40)).astype(np.float64)
    x[rng.random(x.shape) < 0.01] = np.nan
    t0 = time.perf_counter()
    ci = correlation_input(x)
    t1 = time.perf_counter()
    kmo(ci.r)
    bartlett_sphericity(ci.r, n=ci.n_obs)
    parallel_analysis(ci.r, n_obs=ci.n_obs, n_iter=100)
    t2 = time.perf_counter()
    assert ci.n_obs == 1_000_000
    assert (t2 - t1) < 3 * (t1 - t0) + 2.0
