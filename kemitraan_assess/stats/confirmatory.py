"""Confirmatory factor analysis by maximum likelihood, with R lavaan's conventions.

A correlated-factors model with simple structure (each item loads on exactly one factor),
the way an instrument defines its scales. Estimation, standard errors and fit measures
follow ``lavaan::cfa`` defaults (lavaan 0.6): ``estimator = "ML"``, ``likelihood =
"normal"`` (the sample covariance divides by N), ``missing = "listwise"``, ``se =
"standard"`` from the expected information, and marker-variable identification (the first
loading of each factor fixed at 1) unless ``std_lv=True`` (factor variances fixed at 1).
The model is fitted on the covariance matrix, computed once, so the number of rows only
costs one pass over the data.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import optimize
from scipy import stats as sps

from kemitraan_assess.errors import DataError, InsufficientDataError
from kemitraan_assess.stats.arrays import check_pair_counts, single_threaded_blas
from kemitraan_assess.stats.cfa_model import (
    CFAModel,
    build_model,
    gradient,
    information,
    objective,
    start_values,
)
from kemitraan_assess.stats.moments import ItemMoments, item_moments
from kemitraan_assess.stats.results import StatResult

__all__ = ["CFAParameter", "CFAResult", "cfa"]

_Z975 = float(sps.norm.ppf(0.975))
_LOG2PI = math.log(2.0 * math.pi)
_GTOL = 1e-10  # gradient norm of F_ML at which the fit is taken as converged
_MAXITER = 2000


# --------------------------------------------------------------------------- input


def _check_structure(structure: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(structure, Mapping) or not structure:
        raise DataError(
            "structure must be a non-empty mapping of factor name -> list of item columns"
        )
    out: dict[str, tuple[str, ...]] = {}
    seen: dict[str, str] = {}
    for factor, items in structure.items():
        if isinstance(items, str) or not isinstance(items, Sequence):
            raise DataError(
                f"factor {factor!r}: items must be a list of column names, not {items!r}"
            )
        items = tuple(str(i) for i in items)
        if len(items) < 2:
            raise DataError(
                f"factor {factor!r} has {len(items)} item(s); a factor needs at least 2 items "
                "to be identified without constraints (drop it or add items)"
            )
        for item in items:
            if item in seen:
                raise DataError(
                    f"item {item!r} is listed under both {seen[item]!r} and {factor!r}; "
                    "each item loads on exactly one factor"
                )
            seen[item] = str(factor)
        out[str(factor)] = items
    clash = set(out) & set(seen)
    if clash:
        raise DataError(f"factor name(s) {sorted(clash)} are also item names; rename the factor(s)")
    return out


def _item_matrix(data: Any, items: tuple[str, ...]) -> pd.DataFrame:
    """The structure's items of ``data`` as numeric columns (other columns are ignored)."""
    if not isinstance(data, pd.DataFrame):
        try:
            data = pd.DataFrame(data)
        except (TypeError, ValueError) as exc:
            raise DataError(f"data must be a table of item columns: {exc}") from exc
    missing_cols = [i for i in items if i not in data.columns]
    if missing_cols:
        raise DataError(
            f"item(s) {missing_cols} of the structure are not columns of the data",
            column=missing_cols[0],
        )
    cols = {}
    for item in items:
        try:
            cols[item] = pd.to_numeric(data[item], errors="raise").to_numpy(
                dtype=np.float64, na_value=np.nan
            )
        except (TypeError, ValueError) as exc:
            raise DataError(f"item column is not numeric: {exc}", column=item) from exc
    return pd.DataFrame(cols)


def _sample_covariance(mo: ItemMoments) -> tuple[np.ndarray, int, int]:
    """S, n used and n dropped from the moments of the structure's items: the ML
    covariance (divide by N) of the complete cases (``listwise``), or lavaan's
    ``missing = "pairwise"`` one: R's ``cov(x, use = "pairwise.complete.obs")`` rescaled by
    (N - 1) / N, N the rows that answered any item (``pairwise``)."""
    items, p = mo.items, len(mo.items)
    if mo.nan_policy == "pairwise":
        n = mo.n_answering()
        if n < p + 1:
            raise InsufficientDataError(
                f"CFA needs more cases than items: {n} case(s) with any answer for {p} items "
                f"(at least {p + 1} required)",
                n=n,
                required=p + 1,
            )
        check_pair_counts(items, mo.n_pairs, var=np.diag(mo.cov))
        return mo.cov * ((n - 1.0) / n), n, mo.n - n
    n, n_total = mo.n, mo.n_source
    if n < p + 1:
        raise InsufficientDataError(
            f"CFA needs more complete cases than items: {n} complete case(s) for {p} items "
            f"(at least {p + 1} required, listwise deletion dropped {n_total - n})",
            n=n,
            required=p + 1,
        )
    x = np.array(mo.data(), dtype=np.float64, order="C")  # a copy: centred in place
    x -= x.mean(axis=0)
    s = (x.T @ x) / n
    flat = np.flatnonzero(np.diag(s) <= 0)
    if flat.size:
        raise DataError(
            "item has zero variance among the complete cases; drop it", column=items[flat[0]]
        )
    return s, n, n_total - n


def _fit(model: CFAModel, s: np.ndarray) -> tuple[np.ndarray, bool, int, str]:
    """Minimise F_ML by a trust region using the analytic gradient and expected Hessian."""
    logdet_s = float(np.linalg.slogdet(s)[1])
    with single_threaded_blas():  # many small products: threads cost more than they give
        res = _minimize(model, s, logdet_s)
    grad = gradient(model, s, res.x)
    ok = bool(np.isfinite(res.fun) and np.max(np.abs(grad)) < 1e-6)
    return res.x, ok, int(res.nit), str(res.message)


def _minimize(model: CFAModel, s: np.ndarray, logdet_s: float) -> optimize.OptimizeResult:
    """Trust region with the expected Hessian; where it breaks down (a step into a region
    where the implied covariance is not positive definite can leave its subproblem with
    infinities, as on small or ill-conditioned samples) BFGS from the same start, whose line
    search backs off such steps. A fit that still does not converge is reported so."""

    def fun(x: np.ndarray) -> float:
        return objective(model, s, logdet_s, x)

    def jac(x: np.ndarray) -> np.ndarray:
        return gradient(model, s, x)

    start = start_values(model, s)
    try:
        with np.errstate(over="raise", invalid="raise"):
            res = optimize.minimize(
                fun,
                start,
                jac=jac,
                hess=lambda x: information(model, x),
                method="trust-exact",
                options={"gtol": _GTOL, "maxiter": _MAXITER},
            )
        if np.isfinite(res.fun) and np.all(np.isfinite(res.x)):
            return res
    except (ValueError, np.linalg.LinAlgError, FloatingPointError):
        pass
    with np.errstate(all="ignore"):
        return optimize.minimize(
            fun, start, jac=jac, method="BFGS", options={"gtol": _GTOL, "maxiter": 20 * _MAXITER}
        )


# --------------------------------------------------------------------------- fit measures


def _rmsea_ci(chi2: float, dof: int, n: int, level: float = 0.90) -> tuple[float, float]:
    """lavaan's ``lav_fit_rmsea_ci``: noncentralities where the chi-square cdf hits each tail."""
    if dof < 1:
        return 0.0, 0.0
    upper_p = 1 - (1 - level) / 2
    lower_p = (1 - level) / 2

    def cdf(ncp: float) -> float:
        return float(sps.ncx2.cdf(chi2, dof, ncp)) if ncp > 0 else float(sps.chi2.cdf(chi2, dof))

    lower = 0.0
    if cdf(0.0) - upper_p >= 0:
        lam = optimize.brentq(
            lambda t: cdf(t) - upper_p, 0.0, max(chi2, 1e-12), xtol=1e-12, rtol=1e-14
        )
        lower = math.sqrt(lam / (n * dof))
    upper = 0.0
    top = max(n, 4 * chi2)
    if not (cdf(top) - lower_p > 0 or cdf(0.0) - lower_p < 0):
        lam = optimize.brentq(lambda t: cdf(t) - lower_p, 0.0, top, xtol=1e-12, rtol=1e-14)
        upper = math.sqrt(lam / (n * dof))
    return lower, upper


def _fit_measures(
    s: np.ndarray, sigma: np.ndarray, logdet_s: float, f_ml: float, n: int, q: int
) -> dict[str, Any]:
    """lavaan's fitMeasures for ML with likelihood 'normal' (lav_fit_cfi, _tli, _rmsea, srmr)."""
    p = s.shape[0]
    dof = p * (p + 1) // 2 - q
    chi2 = n * f_ml
    base_chi2 = n * (float(np.sum(np.log(np.diag(s)))) - logdet_s)
    base_dof = p * (p - 1) // 2
    t1 = max(chi2 - dof, 0.0)
    t2 = max(chi2 - dof, base_chi2 - base_dof, 0.0)
    cfi = (
        1.0
        if math.isclose(t1, 0.0, abs_tol=1.5e-8) and math.isclose(t2, 0.0, abs_tol=1.5e-8)
        else 1.0 - t1 / t2
    )
    tli_den = (base_chi2 - base_dof) * dof
    sd_s = np.sqrt(np.diag(s))
    resid = (s - sigma) / np.outer(sd_s, sd_s)
    logdet_sigma = float(np.linalg.slogdet(sigma)[1])
    loglik = -n / 2.0 * (p * _LOG2PI + logdet_sigma + float(np.trace(np.linalg.solve(sigma, s))))
    return {
        "fmin": f_ml / 2.0,
        "chi2": chi2,
        "dof": dof,
        "p_value": float(sps.chi2.sf(chi2, dof)) if dof > 0 else math.nan,
        "baseline_chi2": base_chi2,
        "baseline_dof": base_dof,
        "baseline_p_value": float(sps.chi2.sf(base_chi2, base_dof)),
        "cfi": cfi,
        "tli": 1.0 - (chi2 - dof) * base_dof / tli_den if dof > 0 and tli_den != 0 else 1.0,
        "rmsea": math.sqrt(max(chi2 / n / dof - 1.0 / n, 0.0)) if dof > 0 else 0.0,
        "rmsea_ci90": _rmsea_ci(chi2, dof, n),
        "rmsea_p_value": float(sps.ncx2.sf(chi2, dof, n * dof * 0.05**2)) if dof > 0 else math.nan,
        "srmr": math.sqrt(float(np.sum(resid[np.tril_indices(p)] ** 2)) / (p * (p + 1) / 2)),
        "loglik": loglik,
        "unrestricted_loglik": -n / 2.0 * (p * _LOG2PI + logdet_s + p),
        "aic": -2.0 * loglik + 2.0 * q,
        "bic": -2.0 * loglik + q * math.log(n),
    }


def _std_values(model: CFAModel, x: np.ndarray, rows: list[tuple[str, int, int]]) -> np.ndarray:
    """lavaan's std.all for each row of the parameter table; works on complex x (complex step)."""
    lam, phi, theta = model.unpack(x)
    sd_ov = np.sqrt(np.diag(lam @ phi @ lam.T) + theta)
    with np.errstate(invalid="ignore"):  # a negative factor variance (improper solution) gives NaN
        sd_lv = np.sqrt(np.diag(phi))
    out = np.empty(len(rows), dtype=x.dtype)
    for i, (kind, r, c) in enumerate(rows):
        if kind == "l":
            out[i] = lam[r, c] * sd_lv[c] / sd_ov[r]
        elif kind == "t":
            out[i] = theta[c] / sd_ov[c] ** 2
        else:
            out[i] = phi[r, c] / (sd_lv[r] * sd_lv[c])
    return out


# --------------------------------------------------------------------------- result and API


@dataclasses.dataclass(frozen=True)
class CFAParameter:
    """One row of lavaan's ``parameterEstimates`` with its ``standardizedSolution`` (std.all).

    Fixed parameters (a marker loading, a factor variance under ``std_lv``) have ``free``
    False, ``se`` 0 and no z, p or interval width, as lavaan prints them.
    """

    lhs: str
    op: str
    rhs: str
    free: bool
    est: float
    se: float
    z: float
    p_value: float
    ci_lower: float
    ci_upper: float
    std_all: float
    std_all_se: float


@dataclasses.dataclass(frozen=True)
class CFAResult(StatResult):
    """A confirmatory factor analysis (``lavaan::cfa`` with its defaults).

    Matrices follow ``items`` (factor by factor, in the order of the structure) and
    ``factors``. ``fmin`` is lavaan's (half of F_ML); ``chi2 = 2 * n_used * fmin``.
    ``heywood`` is True when a residual variance is negative or the factor covariance
    matrix is not positive definite (an improper solution; lavaan warns about both).
    When ``converged`` is False the estimates are the last iterate and ``warnings`` says so.
    """

    items: tuple[str, ...]
    factors: tuple[str, ...]
    structure: dict[str, tuple[str, ...]]
    estimator: str
    missing: str
    std_lv: bool
    n_used: int
    n_dropped: int
    n_parameters: int
    parameters: tuple[CFAParameter, ...]
    loadings: np.ndarray
    residual_variances: np.ndarray
    factor_covariance: np.ndarray
    standardized_loadings: np.ndarray
    standardized_residual_variances: np.ndarray
    factor_correlation: np.ndarray
    sample_cov: np.ndarray
    implied_cov: np.ndarray
    fmin: float
    chi2: float
    dof: int
    p_value: float
    baseline_chi2: float
    baseline_dof: int
    baseline_p_value: float
    cfi: float
    tli: float
    rmsea: float
    rmsea_ci90: tuple[float, float]
    rmsea_p_value: float
    srmr: float
    loglik: float
    unrestricted_loglik: float
    aic: float
    bic: float
    converged: bool
    iterations: int
    heywood: bool
    warnings: tuple[str, ...]
    method: str

    def to_frame(self) -> pd.DataFrame:
        """The parameter table, with lavaan's column names (``est``, ``se``, ``std.all``, ...)."""
        df = pd.DataFrame([dataclasses.asdict(row) for row in self.parameters])
        return df.rename(
            columns={
                "p_value": "pvalue",
                "ci_lower": "ci.lower",
                "ci_upper": "ci.upper",
                "std_all": "std.all",
                "std_all_se": "std.all.se",
            }
        )


def cfa(
    data: Any,
    structure: Mapping[str, Sequence[str]],
    *,
    estimator: Literal["ML"] = "ML",
    missing: Literal["listwise", "pairwise"] = "listwise",
    std_lv: bool = False,
) -> CFAResult:
    """Confirmatory factor analysis of a simple-structure, correlated-factors model.

    Parameters
    ----------
    data : pandas.DataFrame or ItemMoments
        Item responses, one numeric column per item (NaN = missing); other columns are
        ignored. A mapping of column name -> values is accepted too, and so are
        :func:`~kemitraan_assess.stats.item_moments` holding the structure's items (then
        their own ``nan_policy`` is the missing-data policy and ``missing`` is not used).
    structure : mapping of str -> list of str
        Factor name -> its items (at least 2 each; each item on one factor), e.g. the
        scales of an instrument. The first item of each factor is its marker.
    estimator : {"ML"}
        Maximum likelihood (lavaan's default, ``likelihood = "normal"``).
    missing : {"listwise", "pairwise"}
        ``listwise`` (lavaan's default): cases with any missing item are dropped.
        ``pairwise`` (lavaan's ``missing = "pairwise"``): the model is fitted on the
        pairwise-complete covariance, rescaled to divide by N, with N the cases that
        answered at least one item; fit measures and standard errors use that N.
    std_lv : bool
        Identify factors by fixing their variances at 1 and freeing every loading
        (lavaan's ``std.lv = TRUE``) instead of fixing each first loading at 1.

    Returns
    -------
    CFAResult
        Parameter table with standard errors and std.all, loadings / residual variances /
        factor covariances as matrices, and lavaan's fit measures (chi-square, baseline,
        CFI, TLI, RMSEA with 90% CI and close-fit p, SRMR, log-likelihood, AIC, BIC).

    Notes
    -----
    The model is :math:`\\Sigma = \\Lambda\\Phi\\Lambda^T + \\Theta` with :math:`\\Theta`
    diagonal. With :math:`S` the covariance of the complete cases divided by N, the
    estimates minimise :math:`F_{ML} = \\ln|\\Sigma| + tr(S\\Sigma^{-1}) - \\ln|S| - p` by a
    trust-region method (``scipy.optimize.minimize(method="trust-exact")``) with the
    analytic gradient :math:`tr(G\\,\\partial\\Sigma)`,
    :math:`G = \\Sigma^{-1} - \\Sigma^{-1}S\\Sigma^{-1}`, and the expected Hessian
    :math:`H_{ab} = tr(\\Sigma^{-1}\\partial_a\\Sigma\\,\\Sigma^{-1}\\partial_b\\Sigma)`, from
    one-factor principal-axis starts per scale; variances are not bounded (Heywood cases
    are reported, as lavaan does). Standard errors are :math:`\\sqrt{diag(2H^{-1}/N)}` (the
    inverse expected information, lavaan's ``se = "standard"``); std.all standard errors by
    the delta method (complex-step Jacobian). Fit: :math:`\\chi^2 = N F_{ML}` (lavaan's
    ``2 N f_{min}``), dof :math:`p(p+1)/2 - q`; the baseline is the independence model
    :math:`\\chi^2_0 = N(\\sum\\ln s_{jj} - \\ln|S|)` on :math:`p(p-1)/2` dof; CFI
    :math:`1 - \\max(\\chi^2-df,0)/\\max(\\chi^2-df, \\chi^2_0-df_0, 0)`; TLI
    :math:`1 - (\\chi^2-df)df_0/((\\chi^2_0-df_0)df)`; RMSEA
    :math:`\\sqrt{\\max(\\chi^2/(N\\,df) - 1/N, 0)}` with the 90% interval from the
    noncentral chi-square and the p-value of :math:`H_0: RMSEA \\le 0.05`; SRMR is
    lavaan's ``srmr_bentler``, the root mean square of
    :math:`(s_{ij} - \\sigma_{ij})/\\sqrt{s_{ii}s_{jj}}` over :math:`i \\le j`; AIC
    :math:`-2\\ell + 2q`, BIC :math:`-2\\ell + q\\ln N`. Validated against R
    ``lavaan::cfa`` (lavaan 0.6-14) on Holzinger & Swineford (1939) and psych's bfi.

    References
    ----------
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of
    Statistical Software, 48(2), 1-36.
    Joreskog, K. G. (1969). A general approach to confirmatory maximum likelihood factor
    analysis. Psychometrika, 34, 183-202.
    Browne, M. W., & Cudeck, R. (1993). Alternative ways of assessing model fit. In K. A.
    Bollen & J. S. Long (Eds.), Testing structural equation models (pp. 136-162). Sage.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> f = rng.multivariate_normal([0, 0], [[1, .4], [.4, 1]], size=500)
    >>> x = np.repeat(f, 3, axis=1) * 0.8 + rng.normal(scale=0.6, size=(500, 6))
    >>> df = pd.DataFrame(x, columns=["a1", "a2", "a3", "b1", "b2", "b3"])
    >>> res = cfa(df, {"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"]})
    >>> # In R: lavaan::cfa("A =~ a1 + a2 + a3\\n B =~ b1 + b2 + b3", data = df)
    >>> res.dof, res.converged, round(float(res.factor_correlation[0, 1]), 2)
    (8, True, 0.43)
    >>> res.standardized_loadings[:3, 0].round(1).tolist(), res.n_used
    ([0.8, 0.8, 0.8], 500)
    """
    if estimator != "ML":
        raise DataError(f"estimator must be 'ML', not {estimator!r}")
    if missing not in ("listwise", "pairwise"):
        raise DataError(f"missing must be 'listwise' or 'pairwise', not {missing!r}")
    struct = _check_structure(structure)
    items = tuple(i for f in struct for i in struct[f])
    if isinstance(data, ItemMoments):
        mo = data.subset(items)
    else:
        mo = item_moments(_item_matrix(data, items), nan_policy=missing)
    s, n, n_dropped = _sample_covariance(mo)
    return _cfa_from_cov(struct, s, n, n_dropped, std_lv=bool(std_lv), missing=mo.nan_policy)  # type: ignore[arg-type]


def _cfa_from_cov(
    struct: dict[str, tuple[str, ...]],
    s: np.ndarray,
    n: int,
    n_dropped: int,
    *,
    std_lv: bool = False,
    missing: Literal["listwise", "pairwise"] = "listwise",
) -> CFAResult:
    """:func:`cfa` from the ML covariance ``s`` of the structure's items (in structure
    order): of the complete cases (``listwise``) or lavaan's pairwise one; ``n`` cases used
    and ``n_dropped`` dropped."""
    estimator = "ML"
    factors = tuple(struct)
    items = tuple(i for f in factors for i in struct[f])
    p, k = len(items), len(factors)
    try:
        chol_s = np.linalg.cholesky(s)
    except np.linalg.LinAlgError:
        raise DataError(
            "the sample covariance matrix of the complete cases is not positive definite "
            "(an item is a linear combination of others); drop redundant items"
            if missing == "listwise"
            else "the pairwise covariance matrix is not positive definite (too few cases answer "
            "some pairs of items, or an item is a linear combination of others); use "
            "listwise deletion or drop items"
        ) from None
    logdet_s = 2.0 * float(np.sum(np.log(np.diag(chol_s))))
    model = build_model(struct, bool(std_lv))
    q = len(model.kind)
    dof = p * (p + 1) // 2 - q
    if dof < 0:
        raise DataError(
            f"the model is not identified: {q} free parameters for {p * (p + 1) // 2} moments"
        )

    x, converged, iterations, message = _fit(model, s)
    if model.std_lv:  # orient each factor so that its first item loads positively
        lam0, _, _ = model.unpack(x)
        flip = np.ones(k)
        for f in range(k):
            flip[f] = -1.0 if lam0[np.flatnonzero(model.factor_of == f)[0], f] < 0 else 1.0
        for a, (kind, r, c) in enumerate(zip(model.kind, model.row, model.col, strict=True)):
            x[a] *= flip[c] if kind == "l" else flip[r] * flip[c] if kind == "p" else 1.0
    lam, phi, theta = model.unpack(x)
    sigma = model.sigma(x)
    warnings: list[str] = []
    if not converged:
        warnings.append(
            f"the optimiser did not converge ({message}); estimates are the last iterate"
        )

    h = information(model, x)
    try:
        vcov = 2.0 * np.linalg.inv(h) / n
        se_free = np.sqrt(np.clip(np.diag(vcov), 0.0, None))
    except np.linalg.LinAlgError:
        vcov = np.full((q, q), np.nan)
        se_free = np.full(q, np.nan)
        warnings.append("the information matrix is singular: standard errors are not available")

    # parameter table in lavaan's order: loadings, residual variances, factor (co)variances
    rows: list[tuple[str, int, int]] = [("l", j, int(model.factor_of[j])) for j in range(p)]
    rows += [("t", j, j) for j in range(p)]
    rows += [("p", f, f) for f in range(k)]
    rows += [("p", f, g) for f in range(k) for g in range(f + 1, k)]
    free_index = {
        key: a for a, key in enumerate(zip(model.kind, model.row, model.col, strict=True))
    }
    h_step = 1e-20
    jac = np.empty((len(rows), q))
    for a in range(q):
        xc = x.astype(complex)
        xc[a] += 1j * h_step
        jac[:, a] = _std_values(model, xc, rows).imag / h_step
    std = _std_values(model, x, rows).real
    std_se = np.sqrt(np.clip(np.einsum("ia,ab,ib->i", jac, vcov, jac), 0.0, None))
    params = []
    for i, (kind, r, c) in enumerate(rows):
        if kind == "l":
            lhs, op, rhs, est = factors[c], "=~", items[r], float(lam[r, c])
        elif kind == "t":
            lhs, op, rhs, est = items[c], "~~", items[c], float(theta[c])
        else:
            lhs, op, rhs, est = factors[r], "~~", factors[c], float(phi[r, c])
        a_free = free_index.get((kind, r, c))
        if a_free is None:
            se, z, pv, lo, hi = 0.0, math.nan, math.nan, est, est
        else:
            se = float(se_free[a_free])
            z = est / se if se > 0 else math.nan
            pv = float(2.0 * sps.norm.sf(abs(z))) if se > 0 else math.nan
            lo, hi = est - _Z975 * se, est + _Z975 * se
        params.append(
            CFAParameter(
                lhs,
                op,
                rhs,
                a_free is not None,
                est,
                se,
                z,
                pv,
                lo,
                hi,
                float(std[i]),
                float(std_se[i]),
            )
        )

    measures = _fit_measures(s, sigma, logdet_s, objective(model, s, logdet_s, x), n, q)

    heywood = bool(np.any(theta < 0) or np.any(np.linalg.eigvalsh(phi) <= 0))
    if np.any(theta < 0):
        warnings.append("some estimated residual variances are negative (Heywood case)")
    if np.any(np.linalg.eigvalsh(phi) <= 0):
        warnings.append("the covariance matrix of the factors is not positive definite")
    sd_ov = np.sqrt(np.diag(sigma))
    sd_lv = np.sqrt(np.abs(np.diag(phi)))
    ident = (
        "factor variances fixed at 1 (std.lv)"
        if model.std_lv
        else "marker variables (first loading = 1)"
    )
    method = (
        f"CFA, maximum likelihood (lavaan::cfa defaults: likelihood 'normal', S divided by N, "
        f"expected-information standard errors), {ident}; "
        + (
            f"listwise deletion ({n} used, {n_dropped} dropped)"
            if missing == "listwise"
            else "pairwise deletion (lavaan missing = 'pairwise': the pairwise-complete "
            f"covariance divided by N; N = {n} cases with any answer, {n_dropped} empty dropped)"
        )
    )
    return CFAResult(
        items=items,
        factors=factors,
        structure=struct,
        estimator=estimator,
        missing=missing,
        std_lv=bool(std_lv),
        n_used=n,
        n_dropped=n_dropped,
        n_parameters=q,
        parameters=tuple(params),
        loadings=lam,
        residual_variances=theta,
        factor_covariance=phi,
        standardized_loadings=lam * sd_lv / sd_ov[:, None],
        standardized_residual_variances=theta / sd_ov**2,
        factor_correlation=phi / np.outer(sd_lv, sd_lv),
        sample_cov=s,
        implied_cov=sigma,
        **measures,
        converged=converged,
        iterations=iterations,
        heywood=heywood,
        warnings=tuple(warnings),
        method=method,
    )
