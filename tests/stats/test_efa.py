"""Minres EFA with oblimin / varimax rotation against R psych::fa (psych 2.2.9, GPArotation
2022.10-2), golden file tests/reference/factor/efa.json from tests/reference/ref_factor.R.

Tolerances. The fit is iterative, but it is the same algorithm as R's, step for step:
psych's objective and gradient, L-BFGS-B with R's settings (factr 1e7, parscale 0.01,
lmm 5), GPFoblq and stats::varimax with their stopping rules. The two agree to ~1e-14, so
loadings, Phi and communalities are compared at abs 1e-8 (bounded by the 15 significant
digits of the golden JSON and by BLAS ordering, not by convergence). This matters: the
fully converged minres optimum differs from psych's stopped one by up to 4e-5, so a looser
port would need 1e-4. Closed forms given the solution (chi-square, TLI, BIC, ...) are
compared at rel 1e-6; RMSEA's interval at rel 1e-6 (R's uniroot tolerance is ~1e-4 on the
noncentrality, i.e. ~1e-9 on RMSEA).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from kemitraan_assess.errors import DataError
from kemitraan_assess.stats.exploratory import efa, oblimin, varimax
from kemitraan_assess.stats.moments import smc

LOAD = 1e-8
CLOSED = 1e-6


EFA = "factor/efa.json"


@pytest.fixture(scope="module")
def r_pairwise(gold) -> np.ndarray:
    return np.array(gold("factor/factorability.json")["r_pairwise"])


def _num(x):
    """jsonlite writes R's NA / NULL as null or {}."""
    return np.nan if x is None or x == {} or x == [] else x


CASES = {
    # golden key: (n_factors, rows, R call)
    "fa5": (5, "all", "psych::fa(bfi25, 5, fm='minres', rotate='oblimin')"),
    "fa3": (3, "all", "psych::fa(bfi25, 3, fm='minres', rotate='oblimin')"),
    "fa1": (1, "all", "psych::fa(bfi25, 1, fm='minres')"),
    "fa5_listwise": (5, "listwise", "psych::fa(na.omit(bfi25), 5)"),
}


@pytest.fixture(scope="module")
def fits(bfi25, r_pairwise):
    out = {
        key: efa(bfi25, nf, nan_policy="pairwise" if rows == "all" else "listwise")
        for key, (nf, rows, _) in CASES.items()
    }
    out["fa5_corr"] = efa(r_pairwise, 5)
    return out


@pytest.mark.parametrize("key", [*CASES, "fa5_corr"])
def test_solution_matches_psych_fa(fits, gold, key):
    # R: see CASES (and psych::fa(cor(bfi25, use = "pairwise"), 5) for fa5_corr)
    res, ref = fits[key], gold(EFA)[key]
    np.testing.assert_allclose(
        res.loadings, np.array(ref["loadings"]).reshape(res.loadings.shape), atol=LOAD, rtol=0
    )
    np.testing.assert_allclose(
        res.unrotated_loadings,
        np.array(ref["unrotated"]).reshape(res.loadings.shape),
        atol=LOAD,
        rtol=0,
    )
    if res.n_factors > 1:
        np.testing.assert_allclose(res.phi, np.array(ref["Phi"]), atol=LOAD, rtol=0)
    else:
        assert res.phi is None and ref["Phi"] in (None, {})
    np.testing.assert_allclose(res.communalities, ref["communality"], atol=LOAD, rtol=0)
    np.testing.assert_allclose(res.uniquenesses, ref["uniquenesses"], atol=LOAD, rtol=0)
    np.testing.assert_allclose(res.complexity, ref["complexity"], atol=1e-6, rtol=0)
    np.testing.assert_allclose(res.reduced_eigenvalues, ref["values"], atol=LOAD, rtol=0)
    np.testing.assert_allclose(res.eigenvalues, ref["e.values"], atol=1e-10, rtol=0)
    vacc = np.atleast_2d(np.array(ref["Vaccounted"], dtype=float))
    if res.n_factors == 1:
        vacc = vacc.reshape(-1, 1)
    np.testing.assert_allclose(res.ss_loadings, vacc[0], atol=LOAD)
    np.testing.assert_allclose(res.proportion_var, vacc[1], atol=LOAD)
    if res.n_factors > 1:
        np.testing.assert_allclose(res.cumulative_var, vacc[2], atol=LOAD)
        np.testing.assert_allclose(res.proportion_explained, vacc[3], atol=LOAD)
        np.testing.assert_allclose(res.cumulative_proportion, vacc[4], atol=LOAD)
    assert res.converged and not res.heywood


@pytest.mark.parametrize("key", [*CASES, "fa5_corr"])
def test_fit_statistics_match_psych_factor_stats(fits, gold, key):
    res, ref = fits[key], gold(EFA)[key]
    pairs = {
        "objective": "objective",
        "dof": "dof",
        "chi2": "STATISTIC",
        "null_chi2": "null.chisq",
        "null_dof": "null.dof",
        "tli": "TLI",
        "bic": "BIC",
        "sabic": "SABIC",
        "rms": "rms",
        "crms": "crms",
        "empirical_chi2": "chi",
        "fit": "fit",
        "fit_off": "fit.off",
    }
    for ours, theirs in pairs.items():
        expected = _num(ref[theirs])
        got = getattr(res, ours)
        if np.isnan(expected):
            assert np.isnan(got), ours
        else:
            assert got == pytest.approx(expected, rel=CLOSED), ours
    rmsea = ref["RMSEA"]
    if rmsea in (None, {}, []):
        assert np.isnan(res.rmsea)
    else:
        assert res.rmsea == pytest.approx(rmsea[0], rel=CLOSED)
        assert res.rmsea_ci90 == pytest.approx(tuple(rmsea[1:3]), rel=CLOSED)
    if not np.isnan(_num(ref["PVAL"])) and ref["PVAL"] > 1e-300:
        assert res.p_value == pytest.approx(ref["PVAL"], rel=1e-6)


def test_n_used_is_reported(fits):
    assert fits["fa5"].n_obs == 2800 and fits["fa5"].nan_policy == "pairwise"
    assert fits["fa5_listwise"].n_obs == 2436
    assert fits["fa5_corr"].n_obs is None and np.isnan(fits["fa5_corr"].chi2)


def test_correlation_input_with_n_obs_gives_chi_square(r_pairwise, gold):
    # With n.obs and no pairwise counts psych uses n.obs everywhere; STATISTIC and RMSEA
    # depend on n only, so they equal the raw-data values (R: psych::fa(bfi25, 5)).
    res = efa(r_pairwise, 5, n_obs=2800)
    assert res.chi2 == pytest.approx(gold(EFA)["fa5"]["STATISTIC"], rel=CLOSED)
    assert res.rmsea == pytest.approx(gold(EFA)["fa5"]["RMSEA"][0], rel=CLOSED)


def test_varimax_matches_psych(bfi25, gold):
    # R: psych::fa(bfi25, 5, fm = "minres", rotate = "varimax")
    res = efa(bfi25, 5, rotate="varimax")
    np.testing.assert_allclose(
        res.loadings, np.array(gold(EFA)["fa5_varimax"]["loadings"]), atol=LOAD
    )
    assert res.phi is None
    np.testing.assert_allclose(res.structure, res.loadings)


def test_conventions_sign_order_and_structure(fits):
    res = fits["fa5"]
    assert np.all(res.loadings.sum(axis=0) > 0)
    assert np.all(np.diff(res.ss_loadings) <= 0)
    np.testing.assert_allclose(np.diag(res.phi), 1.0, atol=1e-12)
    np.testing.assert_allclose(res.structure, res.loadings @ res.phi)
    # oblique rotation leaves the common part unchanged: L Phi L' = unrotated L L'
    np.testing.assert_allclose(
        res.loadings @ res.phi @ res.loadings.T,
        res.unrotated_loadings @ res.unrotated_loadings.T,
        atol=1e-10,
    )
    assert res.factors == ("MR1", "MR2", "MR3", "MR4", "MR5")
    frame = res.to_frame()
    assert list(frame.columns) == ["MR1", "MR2", "MR3", "MR4", "MR5", "h2", "u2", "com"]
    assert frame.index[0] == "A1"
    assert "oblimin" in res.method and "minres" in res.method
    json.dumps(res.to_dict())


def test_rotations_keep_the_common_part_and_lower_their_criterion():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(12, 3)) * 0.3 + np.kron(np.eye(3), np.ones((4, 1))) * 0.7
    lam, phi, conv, _ = oblimin(a)
    assert conv
    np.testing.assert_allclose(lam @ phi @ lam.T, a @ a.T, atol=1e-10)
    np.testing.assert_allclose(np.diag(phi), 1.0, atol=1e-12)

    def quartimin(x):  # GPArotation's oblimin criterion with gam = 0
        x2 = x**2
        return (np.sum(x2.sum(axis=1) ** 2) - np.sum(x2**2)) / 4

    assert quartimin(lam) < quartimin(a)
    v = varimax(a)
    np.testing.assert_allclose(v @ v.T, a @ a.T, atol=1e-12)  # orthogonal
    np.testing.assert_allclose(varimax(v), v, atol=1e-4)  # a fixed point


def test_smc_matches_definition():
    r = np.array([[1, 0.5, 0.3], [0.5, 1, 0.4], [0.3, 0.4, 1]])
    # SMC of item 1 = R^2 of item 1 on items 2 and 3
    beta = np.linalg.solve(r[1:, 1:], r[1:, 0])
    assert smc(r)[0] == pytest.approx(float(r[0, 1:] @ beta), rel=1e-12)


def test_heywood_case_is_flagged(bfi25):
    # bfi A1..C5 with 5 factors: psych stops A4's uniqueness at its bound 0.005
    res = efa(bfi25.iloc[:, :10], 5)
    assert res.heywood


def test_input_errors(bfi25):
    with pytest.raises(DataError, match="n_factors"):
        efa(bfi25, 25)
    with pytest.raises(DataError, match="n_factors"):
        efa(bfi25, 0)
    with pytest.raises(DataError, match="rotate"):
        efa(bfi25, 2, rotate="promax")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="fm"):
        efa(bfi25, 2, fm="ml")  # type: ignore[arg-type]
