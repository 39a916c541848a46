"""McDonald's omega: psych's Schmid-Leiman omega_h / omega_t and one-factor omega total.

Two estimators, each result naming its own in ``method`` so a researcher can reproduce it:

* :func:`omega` — ``psych::omega``: a minres solution with ``n_factors`` group factors,
  varimax then oblimin, a general factor from the factor correlations and the
  Schmid-Leiman transformation; omega_h and omega_t use the observed total variance.
* :func:`omega_total_1f` — McDonald's omega total of a one-factor (congeneric) model,
  :math:`(\\sum\\lambda)^2 / ((\\sum\\lambda)^2 + \\sum\\psi)` with minres loadings
  (``psych::fa(x, 1)``).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from kemitraan_assess.errors import DataError
from kemitraan_assess.stats.arrays import single_threaded_blas
from kemitraan_assess.stats.exploratory import oblimin, sign_and_sort, varimax
from kemitraan_assess.stats.extraction import minres
from kemitraan_assess.stats.factor import (
    NanPolicy,
    correlation_input,
    is_correlation,
)
from kemitraan_assess.stats.keys import Keys, apply_keys
from kemitraan_assess.stats.moments import ItemMoments, smc
from kemitraan_assess.stats.results import StatResult

__all__ = ["OmegaResult", "OmegaTotalResult", "omega", "omega_total_1f"]


@dataclasses.dataclass(frozen=True)
class OmegaResult(StatResult):
    """psych::omega: Schmid-Leiman omega hierarchical and omega total.

    ``sl_loadings`` has columns ``g, F1*, ..., Fk*`` (general and residualised group
    loadings), ``h2``, ``u2``, ``p2`` (share of h2 due to g) as psych's ``schmid$sl``;
    items whose general loading is negative are reversed first (``key`` = -1), as psych
    does with ``flip = TRUE``. ``omega_group`` has rows ``g, F1*, ...`` and columns
    total / general / group, as psych's ``omega.group``. ``heywood`` flags a uniqueness
    at the bound 0.005 in the item solution or in the general factor of Phi (often when
    there are too many factors for the items): an improper solution, reproduced from R
    only to about 1e-3.
    """

    items: tuple[str, ...]
    n_factors: int
    n_obs: int | None
    nan_policy: str
    omega_h: float
    omega_total: float
    omega_limit: float
    alpha: float
    g6: float
    ecv: float
    key: np.ndarray
    sl_loadings: np.ndarray
    sl_columns: tuple[str, ...]
    oblique_loadings: np.ndarray
    phi: np.ndarray
    g_loadings: np.ndarray
    omega_group: np.ndarray
    heywood: bool
    method: str

    def to_frame(self) -> pd.DataFrame:
        """The Schmid-Leiman table (``g``, group factors, ``h2``, ``u2``, ``p2``) by item."""
        return pd.DataFrame(self.sl_loadings, index=list(self.items), columns=list(self.sl_columns))


@dataclasses.dataclass(frozen=True)
class OmegaTotalResult(StatResult):
    """McDonald's omega total from a one-factor minres model."""

    items: tuple[str, ...]
    n_obs: int | None
    nan_policy: str
    omega_total: float
    omega_total_observed: float
    loadings: np.ndarray
    uniquenesses: np.ndarray
    key: np.ndarray
    method: str


def _varimax_solution(r: np.ndarray, k: int) -> tuple[np.ndarray, bool]:
    """psych::fa(r, k, rotate = "varimax") loadings (the start of psych's schmid), Heywood flag."""
    fit = minres(r, k)
    lam = fit.loadings
    if k > 1:
        signs = np.sign(lam.sum(axis=0))
        signs[signs == 0] = 1.0
        lam = lam * signs
        lam = np.where(lam == 0, 1e-15, lam)
        lam = varimax(lam)
    elif lam.sum() < 0:
        lam = -lam
    lam, _ = sign_and_sort(lam, None)
    return lam, fit.at_bound or bool(np.any(np.sum(lam**2, axis=1) >= 1.0))


def _general_loadings(phi: np.ndarray, option: str) -> tuple[np.ndarray, bool]:
    k = phi.shape[0]
    if k > 2:
        fit = minres(phi, 1)
        g = fit.loadings[:, 0]
        return (-g if g.sum() < 0 else g), fit.at_bound
    r12 = phi[0, 1]
    root = np.sqrt(abs(r12))
    if option == "equal":
        return np.array([root, np.sign(r12) * root]), False
    if option == "first":
        return np.array([1.0, r12]), False
    return np.array([r12, 1.0]), False


def omega(
    data_or_corr: Any,
    n_factors: int = 3,
    *,
    n_obs: int | None = None,
    nan_policy: NanPolicy = "pairwise",
    option: str = "equal",
    keys: Keys = None,
) -> OmegaResult:
    """Omega hierarchical and omega total by the Schmid-Leiman transformation (psych::omega).

    Parameters
    ----------
    data_or_corr : array-like or pandas.DataFrame
        Item responses (NaN = missing) or a correlation matrix.
    n_factors : int
        Number of group factors (psych's default 3). With 2, the general loadings are
        not identified and ``option`` fixes them; with 1, omega_h equals omega total's
        general part and is not meaningful.
    n_obs : int, optional
        Sample size of a correlation matrix (reported only).
    nan_policy : {"pairwise", "listwise"}
        How missing responses enter the correlations.
    option : {"equal", "first", "second"}
        psych's rule for two group factors: equal general loadings (default), or the
        first / second group factor loading 1 on g.
    keys : None, "auto", sequence or mapping, optional
        Items (of a data input) to reverse first, as in
        :func:`~kemitraan_assess.stats.cronbach_alpha`; items with a negative general
        loading are reversed anyway, as psych does.

    Returns
    -------
    OmegaResult
        ``omega_h``, ``omega_total`` (psych's ``omega.tot``), ``omega_limit``, ``alpha``,
        ``g6``, ``ecv``, the Schmid-Leiman loadings and group omegas.

    Notes
    -----
    As ``psych::omega`` / ``psych::schmid``: minres with ``n_factors`` factors and varimax
    (:func:`~kemitraan_assess.stats.efa`), then oblimin from that start; the factor
    correlations :math:`\\Phi` get one minres factor, the general loadings :math:`\\gamma`;
    the general loading of item i is :math:`g_i = \\sum_j F_{ij}\\gamma_j` and its residual
    group loadings :math:`F_{ij}\\sqrt{1 - \\gamma_j^2}`. Items with :math:`g_i < 0` are
    reversed. With :math:`V_t = 1^T R 1` (keyed items), :math:`h^2` the communalities and
    :math:`u^2 = 1 - h^2`,

    .. math:: \\omega_h = \\frac{(\\sum_i g_i)^2}{V_t}, \\quad
       \\omega_t = \\frac{V_t - \\sum_i u_i^2}{V_t}, \\quad
       \\omega_{lim} = \\frac{(\\sum_i g_i)^2}{V_t - \\sum_i u_i^2},

    alpha :math:`= \\frac{V_t - p}{V_t}\\frac{p}{p-1}` (standardised), Guttman's
    :math:`\\lambda_6 = (V_t + \\sum SMC - p)/V_t` and ECV the general factor's share of
    common variance. Validated against R ``psych::omega`` (2.2.9, GPArotation 2022.10-2).

    References
    ----------
    McDonald, R. P. (1999). Test theory: A unified treatment. Erlbaum.
    Schmid, J., & Leiman, J. M. (1957). The development of hierarchical factor solutions.
    Psychometrika, 22, 53-61.
    Zinbarg, R. E., Revelle, W., Yovel, I., & Li, W. (2005). Cronbach's alpha, Revelle's
    beta, and McDonald's omega_h. Psychometrika, 70, 123-133.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(5)
    >>> g, s = rng.normal(size=(800, 1)), rng.normal(size=(800, 3))
    >>> x = g + np.repeat(s, 3, axis=1) * 0.8 + rng.normal(size=(800, 9))
    >>> res = omega(x, 3)  # In R: psych::omega(x, nfactors = 3)
    >>> round(res.omega_h, 2), round(res.omega_total, 2)
    (0.75, 0.91)
    """
    ci = correlation_input(
        _keyed(data_or_corr, keys), nan_policy=nan_policy, n_obs=n_obs, min_items=3
    )
    p = ci.n_items
    if not isinstance(n_factors, (int, np.integer)) or not 1 <= n_factors < p:
        raise DataError(
            f"n_factors must be an integer from 1 to {p - 1} for {p} items, not {n_factors!r}"
        )
    if option not in ("equal", "first", "second"):
        raise DataError(f"option must be 'equal', 'first' or 'second', not {option!r}")
    k = int(n_factors)
    m = ci.r
    with single_threaded_blas():
        orth, heywood = _varimax_solution(m, k)
        if k == 1:
            fload, phi, gload = orth, np.ones((1, 1)), np.ones(1)
        else:
            fload, phi, _, _ = oblimin(orth)
            gload, heywood_g = _general_loadings(phi, option)
            heywood = heywood or heywood_g
    g = fload @ gload
    h2 = np.sum(orth**2, axis=1)
    u2 = np.diag(m) - h2
    uniq2 = np.clip(fload**2 - (fload * gload) ** 2, 0.0, None)
    sm = np.sign(fload) * np.sqrt(uniq2)
    key = np.sign(g)
    key[key == 0] = 1.0
    m = m * np.outer(key, key)
    g = g * key
    sm = sm * key[:, None]
    sl = np.column_stack([g, sm, h2, u2, g**2 / h2])
    vt = float(m.sum())
    gsq = float(g.sum()) ** 2
    uniq = float(u2.sum())
    ev = np.sum(sl[:, : k + 1] ** 2, axis=0)
    groups = np.full((k + 1, 3), np.nan)
    groups[0] = [(vt - uniq) / vt, gsq / vt, np.nan]
    sub = np.argmax(np.abs(sm), axis=1)
    grs = 0.0
    for j in range(k):
        idx = np.flatnonzero(sub == j)
        if idx.size:
            vgr = float(m[np.ix_(idx, idx)].sum())
            gr = float(sm[idx, j].sum())
            gg = float(g[idx].sum())
            grs += gr**2
            groups[j + 1] = [(gr**2 + gg**2) / vgr, gg**2 / vgr, gr**2 / vgr]
    groups[0, 2] = grs / vt
    columns = ("g", *(f"F{j + 1}*" for j in range(k)), "h2", "u2", "p2")
    how = {
        "equal": "two group factors: equal general loadings sqrt(|phi12|) (psych option='equal')",
        "first": "two group factors: group factor 1 loads 1 on g (psych option='first')",
        "second": "two group factors: group factor 2 loads 1 on g (psych option='second')",
    }[option]
    general = (
        "one factor: omega_h is not meaningful"
        if k == 1
        else how
        if k == 2
        else "general factor: one minres factor of the oblimin factor correlations"
    )
    return OmegaResult(
        items=ci.items,
        n_factors=k,
        n_obs=ci.n_obs,
        nan_policy=ci.nan_policy,
        omega_h=gsq / vt,
        omega_total=(vt - uniq) / vt,
        omega_limit=gsq / (vt - uniq),
        alpha=((vt - p) / vt) * (p / (p - 1)),
        g6=(vt + float(smc(m).sum()) - p) / vt,
        ecv=float(ev[0] / ev.sum()),
        key=key.astype(int),
        sl_loadings=sl,
        sl_columns=columns,
        oblique_loadings=fload,
        phi=phi,
        g_loadings=gload,
        omega_group=groups,
        heywood=heywood,
        method=(
            f"psych::omega Schmid-Leiman: minres, {k} factor(s), varimax then oblimin "
            f"(GPArotation, gam = 0); {general}; items with negative general loadings "
            "reversed; omega_h = (sum g)^2 / Vt, omega_total = (Vt - sum u2) / Vt with Vt the "
            f"sum of the {'given' if ci.nan_policy == 'matrix' else ci.nan_policy} "
            "correlation matrix"
        ),
    )


def omega_total_1f(
    data_or_corr: Any,
    *,
    n_obs: int | None = None,
    nan_policy: NanPolicy = "pairwise",
    keys: Keys = None,
) -> OmegaTotalResult:
    """McDonald's omega total from a one-factor minres model.

    Parameters
    ----------
    data_or_corr : array-like, pandas.DataFrame or ItemMoments
        Item responses of one scale (NaN = missing), their
        :func:`~kemitraan_assess.stats.item_moments`, or their correlation matrix.
    n_obs : int, optional
        Sample size of a correlation matrix (reported only).
    nan_policy : {"pairwise", "listwise"}
        How missing responses enter the correlations.
    keys : None, "auto", sequence or mapping, optional
        Items (of a data input) to reverse first, as in
        :func:`~kemitraan_assess.stats.cronbach_alpha`.

    Returns
    -------
    OmegaTotalResult
        ``omega_total`` (model-implied, McDonald), ``omega_total_observed`` (psych's
        ``omega(x, nfactors = 1)$omega.tot``), loadings, uniquenesses, ``key``.

    Notes
    -----
    With :math:`\\lambda` the loadings of ``psych::fa(x, 1, fm = "minres")`` on the
    correlations and :math:`\\psi = 1 - \\lambda^2` the uniquenesses, items with a negative
    loading reversed (``key``),

    .. math:: \\omega_t = \\frac{(\\sum|\\lambda_i|)^2}{(\\sum|\\lambda_i|)^2 + \\sum\\psi_i}.

    ``omega_total_observed`` replaces the model-implied total variance by the observed
    one, :math:`1 - \\sum\\psi_i / V_t` with :math:`V_t` the sum of the keyed correlation
    matrix, which is what ``psych::omega(x, nfactors = 1)`` prints as omega total. Both
    are on standardised items. Validated against R ``psych::fa`` / ``psych::omega`` (2.2.9).

    References
    ----------
    McDonald, R. P. (1999). Test theory: A unified treatment. Erlbaum.

    Examples
    --------
    >>> import numpy as np
    >>> r = np.full((4, 4), 0.49) + np.eye(4) * 0.51
    >>> res = omega_total_1f(r)  # In R: psych::omega(r, nfactors = 1)$omega.tot
    >>> round(res.omega_total, 4), round(res.omega_total_observed, 4)
    (0.7935, 0.7935)
    """
    ci = correlation_input(
        _keyed(data_or_corr, keys), nan_policy=nan_policy, n_obs=n_obs, min_items=3
    )
    with single_threaded_blas():
        lam = minres(ci.r, 1).loadings[:, 0]
    if lam.sum() < 0:
        lam = -lam
    psi = np.diag(ci.r) - lam**2
    key = np.sign(lam)
    key[key == 0] = 1.0
    s = float(np.sum(lam * key))
    vt = float((ci.r * np.outer(key, key)).sum())
    return OmegaTotalResult(
        items=ci.items,
        n_obs=ci.n_obs,
        nan_policy=ci.nan_policy,
        omega_total=s**2 / (s**2 + float(psi.sum())),
        omega_total_observed=1.0 - float(psi.sum()) / vt,
        loadings=lam,
        uniquenesses=psi,
        key=key.astype(int),
        method=(
            "McDonald's omega total (sum lambda)^2 / ((sum lambda)^2 + sum psi) from a "
            "one-factor minres model (psych::fa(x, 1)) on "
            f"{'given' if ci.nan_policy == 'matrix' else ci.nan_policy} Pearson correlations, "
            "psi = 1 - lambda^2, items with negative loadings reversed; omega_total_observed "
            "= 1 - sum psi / Vt (psych::omega(x, nfactors = 1)$omega.tot)"
        ),
    )


def _keyed(data_or_corr: Any, keys: Keys) -> Any:
    """Data with ``keys`` applied; keys on a correlation matrix are an error (reverse the
    items before correlating them)."""
    if keys is None:
        return data_or_corr
    if isinstance(data_or_corr, ItemMoments):
        raise DataError("keys apply to item responses: key them in item_moments(x, keys=...)")
    arr = np.asarray(
        data_or_corr.to_numpy() if isinstance(data_or_corr, pd.DataFrame) else data_or_corr,
        dtype=float,
    )
    if is_correlation(arr):
        raise DataError(
            "keys apply to item responses, not to a correlation matrix: reverse the items first"
        )
    return apply_keys(data_or_corr, keys)
