"""Exploratory factor analysis: minres extraction and oblimin / varimax rotation, as psych::fa.

The extraction, the rotations and the fit statistics are ports of R's ``psych::fa``
(``psych:::fac``, ``psych::factor.stats``), ``GPArotation::GPFoblq`` with the oblimin
criterion and ``stats::varimax``, including their stopping rules, so the numbers agree with
R's to far below the printed precision rather than merely to the same optimum.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import optimize
from scipy import stats as sps

from kemitraan_assess.errors import DataError
from kemitraan_assess.stats.arrays import single_threaded_blas
from kemitraan_assess.stats.extraction import minres
from kemitraan_assess.stats.factor import NanPolicy, correlation_input
from kemitraan_assess.stats.results import StatResult

__all__ = ["EFAResult", "efa", "oblimin", "varimax"]

_EPS = float(np.finfo(np.float64).eps)


# --------------------------------------------------------------------------- rotations


def _vgq_oblimin(lam: np.ndarray, gam: float) -> tuple[float, np.ndarray]:
    k = lam.shape[1]
    x = (lam**2) @ (1.0 - np.eye(k))
    if gam != 0:
        p = lam.shape[0]
        x = (np.eye(p) - gam / p) @ x
    return float(np.sum(lam**2 * x) / 4.0), lam * x


def oblimin(
    a: np.ndarray, *, gam: float = 0.0, eps: float = 1e-5, maxit: int = 1000
) -> tuple[np.ndarray, np.ndarray, bool, int]:
    """Oblique GPA rotation with the oblimin criterion (``GPArotation::oblimin``).

    A port of ``GPArotation::GPFoblq`` (Bernaards & Jennrich, 2005) started at the identity,
    without Kaiser normalisation (``normalize = FALSE``, the default psych::fa uses).
    Returns rotated loadings, factor correlations Phi, convergence and iterations.
    """
    k = a.shape[1]
    t = np.eye(k)
    al = 1.0
    lam = a @ np.linalg.inv(t).T
    f, gq = _vgq_oblimin(lam, gam)
    g = -(lam.T @ gq @ np.linalg.inv(t)).T
    s = math.inf
    it = 0
    for it in range(maxit + 1):  # noqa: B007  (the count is returned after the loop)
        gp = g - t * np.sum(t * g, axis=0)
        s = math.sqrt(float(np.sum(gp**2)))
        if s < eps:
            break
        al *= 2.0
        for _ in range(11):
            x = t - al * gp
            tt = x / np.sqrt(np.sum(x**2, axis=0))
            lam = a @ np.linalg.inv(tt).T
            ft, gqt = _vgq_oblimin(lam, gam)
            if f - ft > 0.5 * s**2 * al:
                break
            al /= 2.0
        t = tt
        f = ft
        g = -(lam.T @ gqt @ np.linalg.inv(tt)).T
    return lam, t.T @ t, s < eps, it


def varimax(a: np.ndarray, *, normalize: bool = True, eps: float = 1e-5) -> np.ndarray:
    """Varimax rotation, a port of R's ``stats::varimax`` (Kaiser normalisation by default)."""
    k = a.shape[1]
    if k < 2:
        return a.copy()
    x = a
    sc = np.ones(a.shape[0])
    if normalize:
        sc = np.sqrt(np.sum(a**2, axis=1))
        x = a / sc[:, None]
    p = x.shape[0]
    tt = np.eye(k)
    d = 0.0
    for _ in range(1000):
        z = x @ tt
        b = x.T @ (z**3 - z * (np.sum(z**2, axis=0) / p))
        u, sv, vt = np.linalg.svd(b)
        tt = u @ vt
        d_past = d
        d = float(np.sum(sv))
        if d < d_past * (1 + eps):
            break
    z = x @ tt
    return z * sc[:, None]


def sign_and_sort(lam: np.ndarray, phi: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    """psych: make column sums positive, then order factors by (Phi-weighted) variance."""
    signs = np.sign(lam.sum(axis=0))
    signs[signs == 0] = 1.0
    lam = lam * signs
    if phi is not None:
        phi = phi * np.outer(signs, signs)
    if lam.shape[1] > 1:
        ev = np.diag(lam.T @ lam) if phi is None else np.diag(phi @ lam.T @ lam)
        order = np.argsort(-ev, kind="stable")
        lam = lam[:, order]
        if phi is not None:
            phi = phi[np.ix_(order, order)]
    return lam, phi


def _cor_smooth(r: np.ndarray, eig_tol: float = 1e-12) -> np.ndarray:
    """psych::cor.smooth: repair a non positive definite matrix (otherwise unchanged)."""
    w, v = np.linalg.eigh(r)
    if w.min() >= _EPS:
        return r
    w = np.where(w < eig_tol, 100 * eig_tol, w)
    w = w * r.shape[0] / w.sum()
    s = (v * w) @ v.T
    d = 1.0 / np.sqrt(np.diag(s))
    return s * np.outer(d, d)


def _fit_stats(
    r: np.ndarray,
    lam: np.ndarray,
    phi: np.ndarray | None,
    n_obs: int | None,
    n_pairs: np.ndarray | None,
    alpha: float = 0.1,
) -> dict[str, Any]:
    """The closed-form fit statistics of ``psych::factor.stats``."""
    p, k = lam.shape
    model = lam @ lam.T if phi is None else lam @ phi @ lam.T
    residual = r - model
    r2 = float(np.sum(r * r))
    rstar2 = float(np.sum(residual * residual))
    dof = p * (p - 1) / 2 - p * k + k * (k - 1) / 2
    np.fill_diagonal(residual, 0.0)
    out: dict[str, Any] = {"dof": dof}
    nan = math.nan
    if n_pairs is None:
        rstar_off = float(np.sum(residual**2))
        r2_off = r2 - float(np.trace(r))
        nh = float(n_obs) if n_obs is not None else nan
        chi = rstar_off * nh
        rms = math.sqrt(rstar_off / (p * (p - 1)))
        crms = math.sqrt(rstar_off / (2 * dof)) if dof > 0 else nan
    else:
        rstar_off = float(np.sum(residual**2 * n_pairs))
        rr = r * r * n_pairs
        r2_off = float(rr.sum() - np.trace(rr))
        nh = float(1.0 / np.mean(1.0 / n_pairs))
        chi = rstar_off
        rms = math.sqrt(rstar_off / (nh * p * (p - 1)))
        crms = math.sqrt(rstar_off / (2 * nh * dof)) if dof > 0 else nan
    out.update(
        empirical_chi2=chi,
        empirical_p=float(sps.chi2.sf(chi, dof)) if dof > 0 else nan,
        ebic=chi - dof * math.log(nh) if dof > 0 else nan,
        rms=rms,
        crms=crms,
        fit=1 - rstar2 / r2,
        fit_off=1 - rstar_off / r2_off,
    )
    m = model.copy()
    np.fill_diagonal(m, np.diag(r))
    m = _cor_smooth(m)
    rs = _cor_smooth(r)
    m_inv_r = np.linalg.solve(m, rs)
    objective = float(np.trace(m_inv_r) - np.linalg.slogdet(m_inv_r)[1] - p)
    f0 = float(np.trace(rs) - np.linalg.slogdet(rs)[1] - p)
    out.update(objective=objective, null_objective=f0, null_dof=p * (p - 1) / 2)
    keys = (
        "chi2",
        "p_value",
        "null_chi2",
        "tli",
        "rmsea",
        "rmsea_lower",
        "rmsea_upper",
        "bic",
        "sabic",
    )
    out.update(dict.fromkeys(keys, nan))
    if n_obs is None:
        return out
    nm = (n_obs - 1) - (2 * p + 5) / 6 - 2 * k / 3
    chisq = objective * nm
    out["chi2"] = max(chisq, 0.0)
    out["p_value"] = float(sps.chi2.sf(out["chi2"], dof)) if dof > 0 else nan
    out["null_chi2"] = f0 * ((n_obs - 1) - (2 * p + 5) / 6)
    m0 = f0 * 2 / (p * (p - 1))
    out["tli"] = (m0 - objective / dof) / (m0 - 1 / nm) if dof != 0 else nan
    if dof > 0:
        rmsea = math.sqrt(max(chisq / (dof * n_obs) - 1 / (n_obs - 1), 0.0))
        lower, upper = _rmsea_ci(chisq, out["chi2"], dof, n_obs, rmsea, alpha / 2)
        out.update(
            rmsea=rmsea,
            rmsea_lower=lower,
            rmsea_upper=upper,
            bic=chisq - dof * math.log(n_obs),
            sabic=chisq - dof * math.log((n_obs + 2) / 24),
        )
    return out


def _rmsea_ci(
    chisq: float, stat: float, dof: float, n: int, rmsea: float, tail: float
) -> tuple[float, float]:
    """psych's RMSEA interval: noncentrality where the chi-square cdf hits each tail."""
    top = max(n, chisq) + 2 * n

    def root(target: float) -> float:
        def fn(ncp: float) -> float:
            return (
                float(sps.ncx2.cdf(stat, dof, ncp) if ncp > 0 else sps.chi2.cdf(stat, dof)) - target
            )

        return optimize.brentq(fn, 0.0, top, xtol=1e-10)

    upper = 0.0
    if sps.chi2.cdf(stat, dof) > tail:
        try:
            upper = math.sqrt(root(tail) / (n - 1) / dof)
        except ValueError:
            upper = 0.0 if rmsea <= 0 else math.nan
    lower = 0.0
    if sps.chi2.cdf(stat, dof) > 1 - tail:
        try:
            lower = math.sqrt(root(1 - tail) / (n - 1) / dof)
        except ValueError:
            lower = math.nan
    if not math.isnan(upper) and upper < rmsea:
        upper = math.nan
    if not math.isnan(lower) and lower > rmsea:
        lower = math.nan
    return lower, upper


# --------------------------------------------------------------------------- result and API


@dataclasses.dataclass(frozen=True)
class EFAResult(StatResult):
    """An exploratory factor analysis (psych::fa).

    Loadings are items x factors; factors are ordered by the variance they account for and
    signed so that each column of loadings sums to a positive number, as psych does.
    ``heywood`` is True when a uniqueness stopped at the lower bound 0.005 (or a
    communality reached 1): the solution is improper, and on such a flat boundary the
    optimiser's last steps (hence the last digits) can differ from R's.
    """

    items: tuple[str, ...]
    factors: tuple[str, ...]
    n_factors: int
    n_obs: int | None
    nan_policy: str
    fm: str
    rotation: str
    loadings: np.ndarray
    unrotated_loadings: np.ndarray
    phi: np.ndarray | None
    structure: np.ndarray
    communalities: np.ndarray
    uniquenesses: np.ndarray
    complexity: np.ndarray
    eigenvalues: np.ndarray
    reduced_eigenvalues: np.ndarray
    ss_loadings: np.ndarray
    proportion_var: np.ndarray
    cumulative_var: np.ndarray
    proportion_explained: np.ndarray
    cumulative_proportion: np.ndarray
    objective: float
    dof: float
    chi2: float
    p_value: float
    null_chi2: float
    null_dof: float
    tli: float
    rmsea: float
    rmsea_ci90: tuple[float, float]
    bic: float
    sabic: float
    rms: float
    crms: float
    empirical_chi2: float
    empirical_p: float
    fit: float
    fit_off: float
    converged: bool
    iterations: int
    rotation_converged: bool | None
    heywood: bool
    method: str

    def to_frame(self) -> pd.DataFrame:
        """Pattern loadings with communality (h2), uniqueness (u2) and complexity, as psych
        prints them."""
        df = pd.DataFrame(self.loadings, index=list(self.items), columns=list(self.factors))
        df["h2"] = self.communalities
        df["u2"] = self.uniquenesses
        df["com"] = self.complexity
        return df


def efa(
    data_or_corr: Any,
    n_factors: int,
    *,
    n_obs: int | None = None,
    fm: Literal["minres"] = "minres",
    rotate: Literal["oblimin", "varimax", "none"] = "oblimin",
    nan_policy: NanPolicy = "pairwise",
) -> EFAResult:
    """Exploratory factor analysis by minimum residual, with oblimin or varimax rotation.

    Parameters
    ----------
    data_or_corr : array-like or pandas.DataFrame
        Item responses (NaN = missing) or a correlation matrix.
    n_factors : int
        Number of factors, 1 <= n_factors < number of items.
    n_obs : int, optional
        Sample size of a correlation matrix (needed for chi-square, RMSEA, TLI, BIC).
    fm : {"minres"}
        Factoring method (psych's default, unweighted least squares).
    rotate : {"oblimin", "varimax", "none"}
        Rotation; oblimin is oblique (gives ``phi``), varimax orthogonal.
    nan_policy : {"pairwise", "listwise"}
        How missing responses enter the correlations.

    Returns
    -------
    EFAResult
        Pattern ``loadings``, ``unrotated_loadings``, ``phi`` (factor correlations),
        ``structure``, ``communalities`` (h2), ``uniquenesses`` (u2), variance accounted
        for, and psych's fit statistics.

    Notes
    -----
    Minres (Harman) finds uniquenesses :math:`\\psi` minimising the squared off-diagonal
    residuals :math:`\\sum_{i<j} (r_{ij} - (\\Lambda\\Lambda^T)_{ij})^2`, with
    :math:`\\Lambda` the leading eigenvectors of :math:`R - diag(\\psi)` scaled by the root of
    their eigenvalues. As in ``psych:::fac``, the search starts at :math:`1 - SMC`, uses
    psych's gradient (reproduced minus assumed communality) and R's L-BFGS-B with psych's
    settings (parscale 0.01, bounds [0.005, 1], factr 1e7, maxit 100): stopping where R
    stops matters, since the fully converged optimum differs from psych's printed solution
    by up to ~4e-5. Oblimin (gamma = 0, i.e. quartimin) is GPArotation's GPFoblq from the
    identity without Kaiser normalisation (psych::fa's default); varimax is
    ``stats::varimax`` with Kaiser normalisation. Fit statistics follow
    ``psych::factor.stats``: the ML objective :math:`F = tr(M^{-1}R) - \\ln|M^{-1}R| - p`,
    :math:`\\chi^2 = F((n-1) - (2p+5)/6 - 2k/3)`, dof :math:`p(p-1)/2 - pk + k(k-1)/2`,
    RMSEA :math:`\\sqrt{\\max(\\chi^2/(dof\\,n) - 1/(n-1), 0)}` with its 90% interval,
    Tucker-Lewis index, BIC :math:`\\chi^2 - dof \\ln n`; with raw data the empirical
    chi-square and rms weigh residuals by pairwise counts. Validated against R
    ``psych::fa`` (2.2.9) with GPArotation 2022.10-2.

    References
    ----------
    Harman, H. H., & Jones, W. H. (1966). Factor analysis by minimizing residuals (minres).
    Psychometrika, 31, 351-368.
    Bernaards, C. A., & Jennrich, R. I. (2005). Gradient projection algorithms and software
    for arbitrary rotation criteria in factor analysis. Educational and Psychological
    Measurement, 65, 676-696.
    Revelle, W. (2022). psych: Procedures for Psychological, Psychometric, and Personality
    Research. R package version 2.2.9.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(7)
    >>> f = rng.normal(size=(600, 2))
    >>> x = np.repeat(f, 3, axis=1) + rng.normal(size=(600, 6))
    >>> res = efa(x, 2)  # In R: psych::fa(x, 2, fm = "minres", rotate = "oblimin")
    >>> res.loadings.round(1).tolist()[0], round(float(res.phi[0, 1]), 1)
    ([0.0, 0.7], 0.0)
    """
    if fm != "minres":
        raise DataError(f"fm must be 'minres', not {fm!r}")
    if rotate not in ("oblimin", "varimax", "none"):
        raise DataError(f"rotate must be 'oblimin', 'varimax' or 'none', not {rotate!r}")
    ci = correlation_input(data_or_corr, nan_policy=nan_policy, n_obs=n_obs, min_items=3)
    p = ci.n_items
    if not isinstance(n_factors, (int, np.integer)) or not 1 <= n_factors < p:
        raise DataError(
            f"n_factors must be an integer from 1 to {p - 1} for {p} items, not {n_factors!r}"
        )
    k = int(n_factors)
    r = ci.r
    with single_threaded_blas():
        ext = minres(r, k)
    unrot = ext.loadings
    if k > 1:
        signs = np.sign(unrot.sum(axis=0))
        signs[signs == 0] = 1.0
        unrot = unrot * signs
    elif unrot.sum() < 0:
        unrot = -unrot
    unrot = np.where(unrot == 0, 1e-15, unrot)
    model = unrot @ unrot.T
    phi: np.ndarray | None = None
    rot_conv: bool | None = None
    lam = unrot
    if k > 1 and rotate == "oblimin":
        lam, phi, rot_conv, _ = oblimin(unrot)
    elif k > 1 and rotate == "varimax":
        lam = varimax(unrot)
    lam, phi = sign_and_sort(lam, phi)
    unrot_sorted, _ = sign_and_sort(unrot, None)
    h2 = np.diag(model).copy()
    u2 = np.diag(r - model).copy()
    stats = _fit_stats(r, lam, phi, ci.n_obs, ci.n_pairs)
    vx = np.sum(lam**2, axis=0) if phi is None else np.diag(phi @ lam.T @ lam)
    vtotal = float(np.sum(h2 + u2))
    s = r.copy()
    np.fill_diagonal(s, h2)
    rotation = rotate if k > 1 else "none"
    names = tuple(f"MR{i + 1}" for i in range(k))
    rot_text = {
        "oblimin": "oblimin (GPArotation::oblimin, gam = 0, no Kaiser normalisation)",
        "varimax": "varimax (stats::varimax, Kaiser normalisation)",
        "none": "no rotation",
    }[rotation]
    return EFAResult(
        items=ci.items,
        factors=names,
        n_factors=k,
        n_obs=ci.n_obs,
        nan_policy=ci.nan_policy,
        fm=fm,
        rotation=rotation,
        loadings=lam,
        unrotated_loadings=unrot_sorted,
        phi=phi,
        structure=lam if phi is None else lam @ phi,
        communalities=h2,
        uniquenesses=u2,
        complexity=np.sum(lam**2, axis=1) ** 2 / np.sum(lam**4, axis=1),
        eigenvalues=np.linalg.eigvalsh(r)[::-1],
        reduced_eigenvalues=np.linalg.eigvalsh(s)[::-1],
        ss_loadings=vx,
        proportion_var=vx / vtotal,
        cumulative_var=np.cumsum(vx / vtotal),
        proportion_explained=vx / vx.sum(),
        cumulative_proportion=np.cumsum(vx / vx.sum()),
        objective=stats["objective"],
        dof=stats["dof"],
        chi2=stats["chi2"],
        p_value=stats["p_value"],
        null_chi2=stats["null_chi2"],
        null_dof=stats["null_dof"],
        tli=stats["tli"],
        rmsea=stats["rmsea"],
        rmsea_ci90=(stats["rmsea_lower"], stats["rmsea_upper"]),
        bic=stats["bic"],
        sabic=stats["sabic"],
        rms=stats["rms"],
        crms=stats["crms"],
        empirical_chi2=stats["empirical_chi2"],
        empirical_p=stats["empirical_p"],
        fit=stats["fit"],
        fit_off=stats["fit_off"],
        converged=ext.converged,
        iterations=ext.iterations,
        rotation_converged=rot_conv,
        heywood=ext.at_bound or bool(np.any(h2 >= 1.0)),
        method=(
            f"minres (unweighted least squares, psych::fa defaults) with {rot_text}, "
            f"{k} factor(s), on {'given' if ci.nan_policy == 'matrix' else ci.nan_policy} "
            "Pearson correlations"
        ),
    )
