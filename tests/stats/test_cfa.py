"""CFA against R lavaan::cfa (lavaan 0.6-14), golden files tests/reference/cfa/*.json written
by tests/reference/ref_cfa.R on Holzinger & Swineford (1939) and psych::bfi (listwise and
``missing = "pairwise"``).

Tolerances. The fit is iterative, so the question is how close each side gets to the same
optimum. Against lavaan's Gauss-Newton fit run to a 1e-12 step (``*_gn.json``) our F_ML
agrees to ~1e-14 relative, so chi-square and everything computed from it alone (CFI, TLI,
RMSEA, log-likelihoods, AIC, BIC) are compared at rel 1e-9. F_ML is flat at its minimum:
a 1e-15 change in F moves parameters by ~1e-7, which is the observed gap (max 1.3e-7), so
estimates, SEs and std.all are compared at abs 1e-6 and SRMR (first-order in the
estimates) at rel 1e-6. Against lavaan's default fit (nlminb, stopping at a relative
objective change of 1e-10) the observed gaps are 2.1e-12 (HS) to 1.1e-10 (bfi) relative on
chi-square and up to 2.5e-5 on bfi's estimates: that is lavaan's stopping point, not ours
(our F_ML is lower), so chi-square is compared at rel 1e-8 and estimates at abs 5e-5;
SRMR, first-order in those estimates, moves with them (1.4e-6 relative on bfi pairwise),
so it is compared at rel 1e-5 there. ``missing = "pairwise"`` (bfi) fits the same ML on
lavaan's pairwise covariance: against its GN fit the gaps are ~1e-15 on chi-square and
its family, 4e-9 relative on SRMR, 1.5e-9 on the standard errors.
lavaan finds the RMSEA interval with uniroot's default tolerance (1.2e-4 on the
noncentrality, ~1e-8 on RMSEA), hence abs 1e-7 there. p-values at abs 1e-12 (R computes
``1 - pchisq``, which loses the digits below 1e-16 that scipy's survival function keeps).
"""

from __future__ import annotations

import importlib
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kemitraan_assess.errors import DataError, InsufficientDataError
from kemitraan_assess.stats.cfa_model import build_model, information, start_values
from kemitraan_assess.stats.confirmatory import CFAResult, cfa

# the module itself: kemitraan_assess.stats re-exports the function cfa under the same name
cfa_module = importlib.import_module("kemitraan_assess.stats.confirmatory")

REF = Path(__file__).resolve().parents[1] / "reference"
LAVAAN = "0.6.14"

# golden file -> (data file, std_lv, estimate tol, chi-square-family rel tol, missing)
CASES = {
    "hs_marker_gn": ("holzinger_swineford.csv", False, 1e-6, 1e-9, "listwise"),
    "hs_stdlv_gn": ("holzinger_swineford.csv", True, 1e-6, 1e-9, "listwise"),
    "bfi_marker_gn": ("bfi.csv", False, 1e-6, 1e-9, "listwise"),
    "hs_marker": ("holzinger_swineford.csv", False, 5e-5, 1e-8, "listwise"),
    "hs_stdlv": ("holzinger_swineford.csv", True, 5e-5, 1e-8, "listwise"),
    "bfi_marker": ("bfi.csv", False, 5e-5, 1e-8, "listwise"),
    # lavaan::cfa(bfi.model, data = bfi, missing = "pairwise"): ML on the pairwise covariance
    "bfi_pairwise_gn": ("bfi.csv", False, 1e-6, 1e-9, "pairwise"),
    "bfi_pairwise": ("bfi.csv", False, 5e-5, 1e-8, "pairwise"),
}


def _load(name: str) -> tuple[dict, pd.DataFrame]:
    gold = json.loads((REF / "cfa" / f"{name}.json").read_text())
    assert gold["versions"]["lavaan"] == LAVAAN, "golden files are from lavaan 0.6-14"
    return gold, pd.read_csv(REF / "data" / CASES[name][0])


@pytest.fixture(scope="module")
def fitted() -> dict[str, tuple[dict, CFAResult]]:
    out = {}
    for name, (_, std_lv, _, _, missing) in CASES.items():
        gold, data = _load(name)
        out[name] = (gold, cfa(data, gold["structure"], std_lv=std_lv, missing=missing))
    return out


def _none_nan(x: float | None) -> float:
    return math.nan if x is None else float(x)


@pytest.mark.parametrize("name", list(CASES))
def test_fit_measures_match_lavaan(fitted, name):
    gold, res = fitted[name]
    fm = gold["fit_measures"]
    rel = CASES[name][3]
    # lavaan 0.6-14: fitMeasures(fit, c("chisq", "df", ...)) with lavaan's defaults
    assert res.converged and res.warnings == ()
    assert res.n_used == gold["n_used"] == fm["ntotal"]
    assert res.n_dropped == gold["n_original"] - gold["n_used"]
    assert res.n_parameters == fm["npar"]
    assert res.dof == fm["df"] and res.baseline_dof == fm["baseline.df"]
    for ours, key in [
        (res.fmin, "fmin"),
        (res.chi2, "chisq"),
        (res.baseline_chi2, "baseline.chisq"),
        (res.cfi, "cfi"),
        (res.tli, "tli"),
        (res.rmsea, "rmsea"),
        (res.loglik, "logl"),
        (res.unrestricted_loglik, "unrestricted.logl"),
        (res.aic, "aic"),
        (res.bic, "bic"),
    ]:
        assert ours == pytest.approx(fm[key], rel=rel), f"{key} vs lavaan {LAVAAN}"
    srmr_rel = 1e-6 if name.endswith("_gn") else 1e-5  # nlminb's stop moves the estimates
    assert res.srmr == pytest.approx(fm["srmr"], rel=srmr_rel), f"srmr vs lavaan {LAVAAN}"
    assert res.rmsea_ci90 == pytest.approx((fm["rmsea.ci.lower"], fm["rmsea.ci.upper"]), abs=1e-7)
    assert res.p_value == pytest.approx(fm["pvalue"], abs=1e-12)
    assert res.baseline_p_value == pytest.approx(fm["baseline.pvalue"], abs=1e-12)
    assert res.rmsea_p_value == pytest.approx(fm["rmsea.pvalue"], abs=1e-12)


@pytest.mark.parametrize("name", list(CASES))
def test_estimates_match_lavaan(fitted, name):
    gold, res = fitted[name]
    tol = CASES[name][2]
    pe = gold["parameter_estimates"]  # lavaan 0.6-14: parameterEstimates(fit)
    ss = gold["standardized_solution"]  # lavaan 0.6-14: standardizedSolution(fit)
    assert [(p.lhs, p.op, p.rhs) for p in res.parameters] == [
        (r["lhs"], r["op"], r["rhs"]) for r in pe
    ]
    for p, r, s in zip(res.parameters, pe, ss, strict=True):
        label = f"{p.lhs} {p.op} {p.rhs} vs lavaan {LAVAAN}"
        assert p.est == pytest.approx(r["est"], abs=tol), label
        assert p.se == pytest.approx(r["se"], abs=tol / 5), label
        assert p.ci_lower == pytest.approx(r["ci.lower"], abs=tol), label
        assert p.ci_upper == pytest.approx(r["ci.upper"], abs=tol), label
        assert p.free == (r["z"] is not None)
        if p.free:
            assert p.z == pytest.approx(r["z"], rel=100 * tol), label
            assert p.p_value == pytest.approx(r["pvalue"], abs=1e-8), label
        assert p.std_all == pytest.approx(s["est.std"], abs=tol), label
        assert p.std_all_se == pytest.approx(
            _none_nan(s["se"]) if s["se"] is not None else 0.0, abs=tol / 5
        ), label
    np.testing.assert_allclose(res.sample_cov, np.array(gold["sample_cov"]), rtol=1e-12)
    np.testing.assert_allclose(res.implied_cov, np.array(gold["implied_cov"]), atol=tol)


def test_matrices_agree_with_the_parameter_table(fitted):
    _, res = fitted["hs_marker_gn"]
    table = {(p.lhs, p.op, p.rhs): p for p in res.parameters}
    assert res.loadings[1, 0] == table[("visual", "=~", "x2")].est
    assert res.loadings[1, 1] == 0.0
    assert res.factor_covariance[0, 2] == table[("visual", "~~", "speed")].est
    assert res.residual_variances[4] == table[("x5", "~~", "x5")].est
    assert res.standardized_loadings[3, 1] == table[("textual", "=~", "x4")].std_all
    assert res.factor_correlation[1, 2] == pytest.approx(
        table[("textual", "~~", "speed")].std_all, rel=1e-12
    )
    # std.all residual variance = 1 - squared std loading under simple structure
    np.testing.assert_allclose(
        res.standardized_residual_variances, 1 - res.standardized_loadings.sum(axis=1) ** 2
    )


def test_marker_and_std_lv_are_the_same_model(fitted):
    _, marker = fitted["hs_marker_gn"]
    _, stdlv = fitted["hs_stdlv_gn"]
    assert stdlv.chi2 == pytest.approx(marker.chi2, rel=1e-12)
    np.testing.assert_allclose(stdlv.standardized_loadings, marker.standardized_loadings, atol=1e-7)
    assert np.all(np.diag(stdlv.factor_covariance) == 1.0)
    assert np.all(stdlv.loadings.sum(axis=0) > 0)


def test_listwise_deletion_reports_dropped_rows_and_ignores_them():
    gold, hs = _load("hs_marker_gn")
    holes = hs.copy()
    extra = pd.DataFrame(np.full((7, 9), 4.0), columns=hs.columns)
    extra.iloc[np.arange(7), np.arange(7)] = np.nan  # each extra row misses one item
    res = cfa(pd.concat([holes, extra], ignore_index=True), gold["structure"])
    base = cfa(hs, gold["structure"])
    assert (res.n_used, res.n_dropped) == (301, 7)
    assert res.chi2 == pytest.approx(base.chi2, rel=1e-12)
    assert "7 dropped" in res.method


def test_heywood_case_is_flagged_not_raised():
    # One factor, three items: just identified, lambda_1^2 phi = s12 s13 / s23 (Spearman),
    # so with r12 = r13 = .8, r23 = .5 the residual variance of item 1 is 1 - .64/.5 = -0.28.
    r = np.array([[1, 0.8, 0.8], [0.8, 1, 0.5], [0.8, 0.5, 1]])
    z = np.random.default_rng(0).normal(size=(400, 3))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(z.T @ z / 400)).T @ np.linalg.cholesky(r).T
    res = cfa(pd.DataFrame(z, columns=["a", "b", "c"]), {"F": ["a", "b", "c"]})
    assert res.dof == 0 and res.chi2 == pytest.approx(0.0, abs=1e-9)
    assert res.residual_variances[0] == pytest.approx(-0.28, rel=1e-6)
    assert res.factor_covariance[0, 0] == pytest.approx(1.28, rel=1e-6)
    assert res.heywood and any("negative" in w for w in res.warnings)
    assert res.rmsea == 0.0 and res.rmsea_ci90 == (0.0, 0.0) and math.isnan(res.p_value)


def test_non_convergence_is_reported_in_the_result(monkeypatch):
    gold, bfi = _load("bfi_marker_gn")
    monkeypatch.setattr(cfa_module, "_MAXITER", 2)
    res = cfa(bfi, gold["structure"])
    assert res.converged is False
    assert any("did not converge" in w for w in res.warnings)
    assert np.isfinite(res.chi2)


def test_errors_name_the_problem():
    gold, hs = _load("hs_marker_gn")
    with pytest.raises(DataError, match="not columns of the data") as exc:
        cfa(hs, {"visual": ["x1", "x2", "nope"]})
    assert exc.value.column == "nope"
    with pytest.raises(DataError, match="at least 2 items"):
        cfa(hs, {"visual": ["x1", "x2", "x3"], "lonely": ["x4"]})
    with pytest.raises(DataError, match="each item loads on exactly one factor"):
        cfa(hs, {"a": ["x1", "x2"], "b": ["x2", "x3"]})
    with pytest.raises(DataError, match="not identified"):
        cfa(hs, {"a": ["x1", "x2"]})
    with pytest.raises(InsufficientDataError) as small:
        cfa(hs.head(9), gold["structure"])
    assert (small.value.n, small.value.required) == (9, 10)
    text = hs.astype(object)
    text.loc[3, "x5"] = "banyak"
    with pytest.raises(DataError, match="not numeric") as exc:
        cfa(text, gold["structure"])
    assert exc.value.column == "x5"
    flat = hs.assign(x7=2.0)
    with pytest.raises(DataError, match="zero variance") as exc:
        cfa(flat, gold["structure"])
    assert exc.value.column == "x7"
    with pytest.raises(DataError, match="estimator"):
        cfa(hs, gold["structure"], estimator="GLS")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="missing"):
        cfa(hs, gold["structure"], missing="fiml")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="non-empty mapping"):
        cfa(hs, {})


def test_result_serialises_and_is_deterministic(fitted):
    gold, hs = _load("hs_marker_gn")
    a = cfa(hs, gold["structure"]).to_dict()
    b = cfa(hs.to_dict(orient="list"), gold["structure"]).to_dict()
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    frame = fitted["hs_marker_gn"][1].to_frame()
    assert list(frame.columns[:6]) == ["lhs", "op", "rhs", "free", "est", "se"]
    assert "std.all" in frame.columns and len(frame) == 24
    assert "lavaan" in a["method"] and "marker" in a["method"]


@pytest.mark.slow
def test_one_million_rows_fit_on_the_covariance_matrix():
    rng = np.random.default_rng(11)
    n = 1_000_000
    f = rng.multivariate_normal(np.zeros(2), [[1.0, 0.3], [0.3, 1.0]], size=n)
    x = np.repeat(f, 4, axis=1) * 0.7 + rng.normal(scale=0.7, size=(n, 8))
    x[rng.random(x.shape) < 0.001] = np.nan
    cols = [f"q{i}" for i in range(8)]
    res = cfa(pd.DataFrame(x, columns=cols), {"A": cols[:4], "B": cols[4:]})
    assert res.converged and res.n_used + res.n_dropped == n
    assert res.factor_correlation[0, 1] == pytest.approx(0.3, abs=0.01)
    assert res.standardized_loadings[0, 0] == pytest.approx(math.sqrt(0.5), abs=0.01)


def test_pairwise_drops_empty_cases_as_lavaan_does():
    """lavaan (missing = "pairwise") drops cases with no answer and counts N without them."""
    gold, data = _load("bfi_pairwise_gn")
    empty = pd.DataFrame(np.nan, index=range(3), columns=data.columns)
    padded = pd.concat([empty, data, empty.iloc[:1]], ignore_index=True)
    res = cfa(padded, gold["structure"], missing="pairwise")
    assert (res.n_used, res.n_dropped) == (gold["n_used"], 4)
    assert res.chi2 == pytest.approx(gold["fit_measures"]["chisq"], rel=1e-9)
    assert "pairwise deletion" in res.method and res.missing == "pairwise"


def test_pairwise_needs_two_cases_for_every_pair():
    x = pd.DataFrame(
        {
            "a1": [1, 2, 3, np.nan, np.nan, np.nan],
            "a2": [2, 3, 1, 3, np.nan, np.nan],
            "b1": [np.nan, np.nan, np.nan, 2, 3, 1],
            "b2": [1, np.nan, 2, 3, 2, 1],
        }
    )
    with pytest.raises(InsufficientDataError, match="'a1' and 'b1' are answered together by 0"):
        cfa(x, {"A": ["a1", "a2"], "B": ["b1", "b2"]}, missing="pairwise")
    with pytest.raises(DataError, match="missing must be 'listwise' or 'pairwise'"):
        cfa(x, {"A": ["a1", "a2"], "B": ["b1", "b2"]}, missing="fiml")


def test_fit_falls_back_to_bfgs_when_the_trust_region_breaks_down(monkeypatch):
    """Where the trust-region subproblem overflows (seen on a small just-identified block of a
    validation run), the fit restarts with BFGS and reaches the same optimum."""
    gold, data = _load("hs_marker_gn")
    expected = cfa(data, gold["structure"])
    real = cfa_module.optimize.minimize
    methods = []

    def breaking(*args, **kwargs):
        methods.append(kwargs.get("method"))
        if kwargs.get("method") == "trust-exact":
            raise FloatingPointError("overflow encountered in scalar multiply")
        return real(*args, **kwargs)

    monkeypatch.setattr(cfa_module.optimize, "minimize", breaking)
    res = cfa(data, gold["structure"])
    assert methods == ["trust-exact", "BFGS"]
    assert res.converged and res.warnings == ()
    assert res.chi2 == pytest.approx(expected.chi2, rel=1e-9)
    np.testing.assert_allclose(res.loadings, expected.loadings, atol=1e-6)


def test_cfa_information_equals_delta_matrix_form() -> None:
    # H_ab = tr(S^-1 D_a S^-1 D_b) with D_a = dSigma/dx_a built cell by cell (Joreskog 1969)
    struct = {f"F{f}": tuple(f"F{f}i{i}" for i in range(4)) for f in range(3)}
    rng = np.random.default_rng(6)
    x = np.repeat(rng.normal(size=(500, 3)), 4, axis=1) + rng.normal(size=(500, 12))
    s = np.cov(x.T, bias=True)
    for std_lv in (False, True):
        model = build_model(struct, std_lv)
        theta = start_values(model, s) + rng.normal(scale=0.05, size=len(model.kind))
        lam, phi, _ = model.unpack(theta)
        lp = lam @ phi
        deltas = []
        for kind, r, c in zip(model.kind, model.row, model.col, strict=True):
            d = np.zeros((model.p, model.p))
            if kind == "l":
                d[r, :] += lp[:, c]
                d[:, r] += lp[:, c]
            elif kind == "t":
                d[c, c] = 1.0
            else:
                o = np.outer(lam[:, r], lam[:, c])
                d = o if r == c else o + o.T
            deltas.append(d)
        inv = np.linalg.inv(model.sigma(theta))
        ref = np.array([[np.trace(inv @ da @ inv @ db) for db in deltas] for da in deltas])
        np.testing.assert_allclose(
            information(model, theta), ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max()
        )
        assert math.isfinite(float(ref.sum()))
