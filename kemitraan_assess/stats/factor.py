"""Factorability and the number of factors: KMO, Bartlett's test, parallel analysis.

Correlations follow R's psych: Pearson correlations over pairwise-complete observations by
default (``cor(x, use = "pairwise")``), or over complete rows (``nan_policy="listwise"``).
Every function accepts either raw item responses (rows = respondents, columns = items) or
a correlation matrix; a raw matrix is turned into a correlation matrix once, so the cost on
a large sample is that of one pass over the data.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

import numpy as np
from scipy import stats as sps

from kemitraan_assess.errors import DataError, InsufficientDataError
from kemitraan_assess.stats.arrays import numeric_matrix, single_threaded_blas
from kemitraan_assess.stats.extraction import reduced_eigenvalues
from kemitraan_assess.stats.moments import ItemMoments
from kemitraan_assess.stats.pairwise import pairwise_sums
from kemitraan_assess.stats.results import StatResult

__all__ = [
    "CorrelationInput",
    "KMOResult",
    "BartlettResult",
    "ParallelResult",
    "correlation_input",
    "kmo",
    "bartlett_sphericity",
    "parallel_analysis",
    "random_correlations",
]

NanPolicy = Literal["pairwise", "listwise"]


@dataclasses.dataclass(frozen=True)
class CorrelationInput(StatResult):
    """A correlation matrix with what it was computed from.

    Attributes
    ----------
    r : numpy.ndarray
        Correlation matrix (p x p).
    items : tuple of str
        Item names (``V1``, ``V2``, ... when none were given).
    n_obs : int or None
        Rows used: all rows for ``"pairwise"`` (as ``psych`` counts ``n.obs``), complete
        rows for ``"listwise"``, the given ``n_obs`` for a correlation matrix (or None).
    n_pairs : numpy.ndarray or None
        Pairwise complete counts (p x p); None when a correlation matrix was given.
    nan_policy : str
        ``"pairwise"``, ``"listwise"`` or ``"matrix"`` (a correlation matrix was given).
    """

    r: np.ndarray
    items: tuple[str, ...]
    n_obs: int | None
    n_pairs: np.ndarray | None
    nan_policy: str

    @property
    def n_items(self) -> int:
        return int(self.r.shape[0])


def is_correlation(x: np.ndarray) -> bool:
    if x.ndim != 2 or x.shape[0] != x.shape[1] or x.shape[0] == 0:
        return False
    if not np.all(np.isfinite(x)):
        return False
    return bool(
        np.allclose(x, x.T, rtol=0, atol=1e-10) and np.allclose(np.diag(x), 1.0, atol=1e-10)
    )


def correlation_input(
    data_or_corr: Any,
    *,
    nan_policy: NanPolicy = "pairwise",
    n_obs: int | None = None,
    min_items: int = 2,
) -> CorrelationInput:
    """Turn raw responses or a correlation matrix into a :class:`CorrelationInput`.

    Parameters
    ----------
    data_or_corr : array-like, pandas.DataFrame or ItemMoments
        Item responses (rows = respondents, NaN = missing) or a correlation matrix
        (square, symmetric, unit diagonal).
        :func:`~kemitraan_assess.stats.item_moments` give ``cor(x, use = "pairwise")`` of
        their items from the sums already read (their own ``nan_policy``).
    nan_policy : {"pairwise", "listwise"}
        Pairwise-complete correlations (psych's ``use = "pairwise"``) or complete rows only.
    n_obs : int, optional
        Sample size of a correlation matrix; ignored for raw data.
    min_items : int
        Fewest items accepted.

    Returns
    -------
    CorrelationInput

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1, 2, 2.], [2, 3, 1], [3, 3, np.nan], [4, 5, 4]])
    >>> ci = correlation_input(x)  # In R: cor(x, use = "pairwise")
    >>> ci.n_obs, ci.items, ci.r.round(4)[0].tolist()
    (4, ('V1', 'V2', 'V3'), [1.0, 0.9234, 0.7857])
    """
    if isinstance(data_or_corr, ItemMoments):
        mo = data_or_corr
        _enough(len(mo.items), min_items)
        _enough_rows(mo.n, mo.nan_policy)
        return CorrelationInput(
            mo.sums.correlation(mo.items), mo.items, mo.n, mo.n_pairs, mo.nan_policy
        )
    if nan_policy not in ("pairwise", "listwise"):
        raise DataError(f"nan_policy must be 'pairwise' or 'listwise', not {nan_policy!r}")
    x, items = numeric_matrix(data_or_corr)
    _enough(x.shape[1], min_items)
    if is_correlation(x):
        if n_obs is not None and n_obs < 2:
            raise InsufficientDataError(f"n_obs = {n_obs}; at least 2 needed", n=n_obs, required=2)
        r = (x + x.T) / 2.0
        np.fill_diagonal(r, 1.0)
        return CorrelationInput(r, items, n_obs, None, "matrix")
    if nan_policy == "listwise":
        x = x[~np.isnan(x).any(axis=1)]
    n = int(x.shape[0])
    _enough_rows(n, nan_policy)
    sums = pairwise_sums(x)
    return CorrelationInput(sums.correlation(items), items, n, sums.n_ij, nan_policy)


def _enough(p: int, min_items: int) -> None:
    if p < min_items:
        raise InsufficientDataError(
            f"{p} item(s) given; at least {min_items} are needed", n=p, required=min_items
        )


def _enough_rows(n: int, nan_policy: str) -> None:
    if n < 3:
        raise InsufficientDataError(
            f"n = {n} usable rows ({nan_policy}); at least 3 are needed", n=n, required=3
        )


# --------------------------------------------------------------------------- KMO


@dataclasses.dataclass(frozen=True)
class KMOResult(StatResult):
    """Kaiser-Meyer-Olkin measure of sampling adequacy (psych::KMO)."""

    msa: float
    msa_items: dict[str, float]
    n_obs: int | None
    nan_policy: str
    method: str


def _inverse(r: np.ndarray, what: str) -> np.ndarray:
    try:
        inv = np.linalg.inv(r)
    except np.linalg.LinAlgError:
        inv = None
    if inv is None or not np.all(np.isfinite(inv)) or np.linalg.cond(r) > 1e14:
        raise DataError(
            f"the correlation matrix is singular, so {what} is undefined; an item is probably "
            "a copy or a linear combination of others (for example a total score)"
        )
    return inv


def kmo(data_or_corr: Any, *, nan_policy: NanPolicy = "pairwise") -> KMOResult:
    """Kaiser-Meyer-Olkin measure of sampling adequacy, overall and per item.

    Parameters
    ----------
    data_or_corr : array-like or pandas.DataFrame
        Item responses (NaN = missing) or a correlation matrix.
    nan_policy : {"pairwise", "listwise"}
        How missing responses enter the correlations.

    Returns
    -------
    KMOResult
        ``msa`` (overall), ``msa_items`` (per item), ``n_obs``.

    Notes
    -----
    With :math:`r_{ij}` the correlations and :math:`q_{ij}` the anti-image (partial)
    correlations, :math:`q = D^{-1/2} R^{-1} D^{-1/2}` with :math:`D = diag(R^{-1})`,

    .. math::

       MSA = \\frac{\\sum_{i\\ne j} r_{ij}^2}
                   {\\sum_{i\\ne j} r_{ij}^2 + \\sum_{i\\ne j} q_{ij}^2},
       \\quad MSA_j = \\frac{\\sum_{i\\ne j} r_{ij}^2}
                          {\\sum_{i\\ne j} r_{ij}^2 + \\sum_{i\\ne j} q_{ij}^2}.

    Kaiser (1974) reads >= .90 marvelous, .80 meritorious, .70 middling, .60 mediocre,
    .50 miserable, below .50 unacceptable. Validated against R ``psych::KMO`` (2.2.9).
    A singular correlation matrix raises :class:`~kemitraan_assess.errors.DataError`
    (psych falls back to the correlations themselves, which is meaningless).

    References
    ----------
    Kaiser, H. F. (1970). A second generation little jiffy. Psychometrika, 35, 401-415.
    Kaiser, H. F., & Rice, J. (1974). Little jiffy, mark IV. Educational and Psychological
    Measurement, 34, 111-117.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=(500, 1))
    >>> x = f + rng.normal(size=(500, 4))
    >>> res = kmo(x)  # In R: psych::KMO(x)
    >>> round(res.msa, 4) > 0.7
    True
    """
    ci = correlation_input(data_or_corr, nan_policy=nan_policy)
    r = ci.r
    inv = _inverse(r, "KMO")
    d = 1.0 / np.sqrt(np.diag(inv))
    q = inv * np.outer(d, d)
    np.fill_diagonal(q, 0.0)
    r0 = r.copy()
    np.fill_diagonal(r0, 0.0)
    r2 = r0**2
    q2 = q**2
    msa = float(r2.sum() / (r2.sum() + q2.sum()))
    col_r = r2.sum(axis=0)
    msa_i = col_r / (col_r + q2.sum(axis=0))
    return KMOResult(
        msa=msa,
        msa_items={item: float(v) for item, v in zip(ci.items, msa_i, strict=True)},
        n_obs=ci.n_obs,
        nan_policy=ci.nan_policy,
        method="Kaiser-Meyer-Olkin MSA from the anti-image correlations of "
        f"{'given' if ci.nan_policy == 'matrix' else ci.nan_policy} Pearson correlations "
        "(psych::KMO)",
    )


# --------------------------------------------------------------------------- Bartlett


@dataclasses.dataclass(frozen=True)
class BartlettResult(StatResult):
    """Bartlett's test that the correlation matrix is an identity (psych::cortest.bartlett)."""

    chi2: float
    df: int
    p: float
    n_obs: int
    n_items: int
    nan_policy: str
    method: str


def bartlett_sphericity(
    data_or_corr: Any, n: int | None = None, *, nan_policy: NanPolicy = "pairwise"
) -> BartlettResult:
    """Bartlett's test of sphericity.

    Parameters
    ----------
    data_or_corr : array-like or pandas.DataFrame
        Item responses (NaN = missing) or a correlation matrix.
    n : int, optional
        Sample size. Required for a correlation matrix; for raw data the number of rows
        used is taken (all rows for ``"pairwise"``, as psych does, complete rows for
        ``"listwise"``) unless ``n`` is given.
    nan_policy : {"pairwise", "listwise"}
        How missing responses enter the correlations.

    Returns
    -------
    BartlettResult
        ``chi2``, ``df``, ``p``, ``n_obs``.

    Notes
    -----
    .. math:: \\chi^2 = -\\ln|R| \\left(n - 1 - \\frac{2p + 5}{6}\\right),
       \\quad df = \\frac{p(p-1)}{2}

    Validated against R ``psych::cortest.bartlett(R, n)`` (2.2.9).

    References
    ----------
    Bartlett, M. S. (1951). The effect of standardization on a chi square approximation in
    factor analysis. Biometrika, 38, 337-344.

    Examples
    --------
    >>> import numpy as np
    >>> r = np.array([[1, .5, .4], [.5, 1, .3], [.4, .3, 1]])
    >>> res = bartlett_sphericity(r, n=100)  # In R: psych::cortest.bartlett(r, n = 100)
    >>> round(res.chi2, 4), res.df
    (46.4491, 3)
    """
    ci = correlation_input(data_or_corr, nan_policy=nan_policy, n_obs=n)
    n_used = n if n is not None else ci.n_obs
    if n_used is None:
        raise DataError("bartlett_sphericity needs n (the sample size) for a correlation matrix")
    if n_used < 2:
        raise InsufficientDataError(f"n = {n_used}; at least 2 needed", n=int(n_used), required=2)
    p = ci.n_items
    sign, logdet = np.linalg.slogdet(ci.r)
    if sign <= 0:
        raise DataError(
            "the correlation matrix is not positive definite; Bartlett's test is undefined"
        )
    chi2 = -logdet * (n_used - 1 - (2 * p + 5) / 6)
    df = p * (p - 1) // 2
    return BartlettResult(
        chi2=float(chi2),
        df=int(df),
        p=float(sps.chi2.sf(chi2, df)),
        n_obs=int(n_used),
        n_items=p,
        nan_policy=ci.nan_policy,
        method="Bartlett (1951) chi-square -ln|R| (n - 1 - (2p + 5)/6), df = p(p - 1)/2 "
        "(psych::cortest.bartlett)",
    )


# --------------------------------------------------------------------------- parallel analysis


@dataclasses.dataclass(frozen=True)
class ParallelResult(StatResult):
    """Horn's parallel analysis (psych::fa.parallel with simulated normal data)."""

    items: tuple[str, ...]
    n_obs: int
    n_iter: int
    seed: int
    quantile: float
    fm: str
    pc_values: np.ndarray
    pc_sim_mean: np.ndarray
    pc_sim_quantile: np.ndarray
    pc_sim_sd: np.ndarray
    n_components: int
    fa_values: np.ndarray | None
    fa_sim_mean: np.ndarray | None
    fa_sim_quantile: np.ndarray | None
    fa_sim_sd: np.ndarray | None
    n_factors: int | None
    nan_policy: str
    method: str


def random_correlations(
    n_obs: int, n_items: int, n_iter: int, rng: np.random.Generator
) -> np.ndarray:
    """Correlation matrices of ``n_obs`` independent standard normal observations.

    The sample covariance of ``n`` normal rows is Wishart(n - 1, I) / (n - 1); it is drawn
    with the Bartlett decomposition (:math:`W = AA^T`, :math:`A` lower triangular,
    :math:`A_{ii}^2 \\sim \\chi^2_{n-1-i}`, :math:`A_{ij} \\sim N(0, 1)` below the diagonal)
    and scaled to a correlation matrix, at a cost independent of ``n_obs``.
    Returns an array of shape ``(n_iter, n_items, n_items)``.
    """
    df = n_obs - 1
    a = np.tril(rng.standard_normal((n_iter, n_items, n_items)), k=-1)
    diag = np.sqrt(rng.chisquare(df - np.arange(n_items), size=(n_iter, n_items)))
    idx = np.arange(n_items)
    a[:, idx, idx] = diag
    w = a @ np.swapaxes(a, 1, 2)
    d = 1.0 / np.sqrt(np.einsum("kii->ki", w))
    r = w * d[:, :, None] * d[:, None, :]
    r[:, idx, idx] = 1.0
    return r


def _first_not_above(observed: np.ndarray, threshold: np.ndarray) -> int:
    """psych: ``which(!(observed > threshold))[1] - 1``."""
    below = np.flatnonzero(~(observed > threshold))
    return int(below[0]) if below.size else int(observed.size)


def parallel_analysis(
    data: Any,
    *,
    n_iter: int = 100,
    seed: int = 0,
    fm: Literal["minres", "pc"] = "minres",
    quantile: float = 0.95,
    nan_policy: NanPolicy = "pairwise",
    n_obs: int | None = None,
) -> ParallelResult:
    """Horn's parallel analysis for the number of factors and components.

    Parameters
    ----------
    data : array-like or pandas.DataFrame
        Item responses (NaN = missing) or a correlation matrix (then ``n_obs`` is required).
    n_iter : int
        Number of simulated correlation matrices.
    seed : int
        Seed of :func:`numpy.random.default_rng`; the result is deterministic given it.
    fm : {"minres", "pc"}
        ``"minres"``: factors and components (psych ``fa = "both"``); ``"pc"``: components only.
    quantile : float
        Quantile of the simulated eigenvalues an observed one must exceed (psych ``quant``).
    nan_policy : {"pairwise", "listwise"}
        How missing responses enter the correlations.
    n_obs : int, optional
        Sample size when ``data`` is a correlation matrix.

    Returns
    -------
    ParallelResult
        Observed eigenvalues of the correlation matrix (``pc_values``) and of the reduced
        matrix (``fa_values``), the simulated means, quantiles and standard deviations,
        and the suggested
        ``n_components`` / ``n_factors``.

    Notes
    -----
    As psych::fa.parallel: ``pc_values`` are the eigenvalues of :math:`R`; ``fa_values`` are
    those of :math:`R` with the communalities of a one-factor minres solution on its
    diagonal (``fa(R, 1, rotate = "none")$values``). Each simulated correlation matrix is
    that of ``n_obs`` standard normal observations of the same number of items, drawn as a
    Wishart matrix (see :func:`random_correlations`) rather than by drawing the data, so
    the simulation costs the same for 1,000 or 1,000,000 rows. The suggested number is the
    count of leading observed eigenvalues above the ``quantile`` of the simulated ones
    (psych's ``nfact`` / ``ncomp``). Validated against R ``psych::fa.parallel`` (2.2.9):
    observed eigenvalues to 1e-6; simulated ones are random (psych draws normal data with
    R's generator) and agree in distribution.

    References
    ----------
    Horn, J. L. (1965). A rationale and test for the number of factors in factor analysis.
    Psychometrika, 30, 179-185.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(3)
    >>> f = rng.normal(size=(400, 2))
    >>> x = np.repeat(f, 3, axis=1) + rng.normal(size=(400, 6))
    >>> res = parallel_analysis(x, n_iter=20, seed=1)  # In R: psych::fa.parallel(x)
    >>> res.n_factors, res.n_components
    (2, 2)
    """
    if fm not in ("minres", "pc"):
        raise DataError(f"fm must be 'minres' or 'pc', not {fm!r}")
    if not 0 < quantile < 1:
        raise DataError(f"quantile must be between 0 and 1, not {quantile!r}")
    if n_iter < 1:
        raise DataError(f"n_iter must be at least 1, not {n_iter!r}")
    ci = correlation_input(data, nan_policy=nan_policy, n_obs=n_obs, min_items=2)
    n = ci.n_obs
    if n is None:
        raise DataError("parallel_analysis needs n_obs for a correlation matrix")
    p = ci.n_items
    if n <= p:
        raise InsufficientDataError(
            f"n = {n} observations for {p} items; parallel analysis needs more observations "
            "than items",
            n=n,
            required=p + 1,
        )

    with single_threaded_blas():
        pc_values = np.linalg.eigvalsh(ci.r)[::-1]
        rng = np.random.default_rng(seed)
        sims = random_correlations(n, p, n_iter, rng)
        pc_sim = np.linalg.eigvalsh(sims)[:, ::-1]
        fa_values = fa_sim = None
        if fm == "minres":
            fa_values = reduced_eigenvalues(ci.r, 1)
            fa_sim = np.vstack([reduced_eigenvalues(s, 1) for s in sims])
    pc_mean = pc_sim.mean(axis=0)
    pc_q = np.quantile(pc_sim, quantile, axis=0)
    n_comp = _first_not_above(pc_values, pc_q)
    fa_mean = fa_q = fa_sd = None
    n_fact = None
    if fa_values is not None and fa_sim is not None:
        fa_mean = fa_sim.mean(axis=0)
        fa_q = np.quantile(fa_sim, quantile, axis=0)
        fa_sd = fa_sim.std(axis=0, ddof=1) if n_iter > 1 else np.full(p, np.nan)
        n_fact = _first_not_above(fa_values, fa_q)
    return ParallelResult(
        items=ci.items,
        n_obs=n,
        n_iter=n_iter,
        seed=seed,
        quantile=quantile,
        fm=fm,
        pc_values=pc_values,
        pc_sim_mean=pc_mean,
        pc_sim_quantile=pc_q,
        pc_sim_sd=pc_sim.std(axis=0, ddof=1) if n_iter > 1 else np.full(p, np.nan),
        n_components=n_comp,
        fa_values=fa_values,
        fa_sim_mean=fa_mean,
        fa_sim_quantile=fa_q,
        fa_sim_sd=fa_sd,
        n_factors=n_fact,
        nan_policy=ci.nan_policy,
        method=(
            f"Horn's parallel analysis: {n_iter} correlation matrices of {n} x {p} standard "
            "normal data (Wishart/Bartlett decomposition, numpy default_rng seed "
            f"{seed}); observed eigenvalues above the {quantile:g} quantile of the simulated "
            "ones, components on R, factors on R with one-factor minres communalities "
            "(psych::fa.parallel)"
        ),
    )
