"""Internal consistency: Cronbach's alpha and Guttman's lambda 6 (psych::alpha).

Every number follows R's ``psych::alpha`` (validated against psych 2.2.9), so a researcher
can check it there:

* items are reverse-keyed by the caller (:func:`reverse`), as ``psych::alpha`` without
  ``keys`` expects;
* covariances are pairwise-complete (``cov(x, use = "pairwise")``) by default, and the
  correlations are ``cov2cor`` of those covariances (item variances over every answer of the
  item, not over the rows shared with the other item), exactly as psych; with
  ``nan_policy="listwise"`` only complete rows are used (``psych::alpha(na.omit(x))``);
* ``n`` is the number of rows analysed. psych counts every row given, even a row with no
  answer, and uses it for the standard error and the Feldt interval; so do we.

Item analysis (psych::alpha's ``item.stats``, ``alpha.drop``, ``response.freq``) lives in
:mod:`kemitraan_assess.stats.items`, split-half reliabilities (``psych::splitHalf``) in
:mod:`kemitraan_assess.stats.splithalf`; :func:`reliability_table` combines all three per
scale. The helpers they share (input checks, pairwise covariances, SMCs) are in
:mod:`kemitraan_assess.stats.moments`.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats as sps

from kemitraan_assess.errors import DataError, InsufficientDataError
from kemitraan_assess.stats.arrays import check_ci
from kemitraan_assess.stats.items import R_DROP_MIN, ItemAnalysis, item_analysis
from kemitraan_assess.stats.keys import Keys, NegativeItemWarning, warn_negative_items
from kemitraan_assess.stats.moments import ItemMoments, NanPolicy, alpha_ase, alpha_parts, prepared
from kemitraan_assess.stats.results import StatResult, to_jsonable
from kemitraan_assess.stats.splithalf import SplitHalfResult, split_half

__all__ = [
    "AlphaResult",
    "ScaleReliability",
    "ReliabilityTable",
    "cronbach_alpha",
    "reliability_table",
    "reverse",
    "R_DROP_MIN",
]


# --------------------------------------------------------------------------- alpha


@dataclasses.dataclass(frozen=True)
class AlphaResult(StatResult):
    """Cronbach's alpha with psych::alpha's companions (``$total``, ``$feldt``, ``ase``).

    Attributes
    ----------
    raw, standardized : float
        psych's ``raw_alpha`` (covariances) and ``std.alpha`` (correlations).
    guttman_lambda6 : float
        psych's ``G6(smc)``.
    average_r, median_r, var_r : float
        Mean, median and variance of the inter-item correlations.
    signal_noise : float
        psych's ``S/N``.
    ase : float
        Duhachek & Iacobucci's asymptotic standard error of raw alpha (psych's ``ase``).
    ci : tuple of float
        Feldt interval at ``ci_level`` (``ci_method = "feldt"``, psych's ``$feldt``).
    ci_duhachek : tuple of float
        ``raw -/+ z * ase`` with z the normal quantile at ``ci_level``.
    total_mean, total_sd : float
        Mean and SD of the scale score (mean of each row's answered items).
    unidim, fit_off : float
        psych's ``Unidim`` and ``Fit``: fit of R by a matrix of equal correlations
        (``average_r``), over all cells and over the off-diagonal cells, computed as psych
        2.2.9 does (its ``Fit`` divides by :math:`\\sum (R_{ij} - 1)^2` over every cell).
    n, n_complete : int
        Rows analysed and rows with every item answered.
    """

    items: tuple[str, ...]
    n_items: int
    n: int
    n_complete: int
    nan_policy: str
    raw: float
    standardized: float
    guttman_lambda6: float
    average_r: float
    median_r: float
    var_r: float
    signal_noise: float
    ase: float
    ci_level: float
    ci: tuple[float, float]
    ci_method: str
    ci_duhachek: tuple[float, float]
    total_mean: float
    total_sd: float
    unidim: float
    fit_off: float
    method: str

    @property
    def alpha(self) -> float:
        """Raw alpha (same as :attr:`raw`)."""
        return self.raw


def _feldt(alpha: float, n: int, p: int, level: float) -> tuple[float, float]:
    tail = (1 - level) / 2
    df1, df2 = n - 1, (n - 1) * (p - 1)
    return (
        1 - (1 - alpha) * float(sps.f.ppf(1 - tail, df1, df2)),
        1 - (1 - alpha) * float(sps.f.ppf(tail, df1, df2)),
    )


def _alpha_result(mo: ItemMoments, level: float) -> AlphaResult:
    p = len(mo.items)
    st = alpha_parts(mo.cov, mo.corr)
    ase = alpha_ase(st["q"], mo.n)
    z = float(sps.norm.ppf(1 - (1 - level) / 2))
    total_mean, total_sd = mo.total_mean_sd()
    return AlphaResult(
        items=mo.items,
        n_items=p,
        n=mo.n,
        n_complete=mo.n_complete,
        nan_policy=mo.nan_policy,
        raw=float(st["raw"]),
        standardized=float(st["std"]),
        guttman_lambda6=float(st["g6"]),
        average_r=float(st["av_r"]),
        median_r=st["med_r"],
        var_r=st["var_r"],
        signal_noise=float(st["sn"]),
        ase=ase,
        ci_level=level,
        ci=_feldt(st["raw"], mo.n, p, level),
        ci_method="feldt",
        ci_duhachek=(st["raw"] - z * ase, st["raw"] + z * ase),
        total_mean=total_mean,
        total_sd=total_sd,
        unidim=st["unidim"],
        fit_off=st["fit_off"],
        method=("psych::alpha(x)" if mo.nan_policy == "pairwise" else "psych::alpha(na.omit(x))")
        + ": C = cov(x, use = 'pairwise'), R = cov2cor(C); "
        "Feldt CI (psych::alpha.ci), Duhachek ASE",
    )


def cronbach_alpha(
    items: Any, *, nan_policy: NanPolicy = "pairwise", ci: float = 0.95, keys: Keys = None
) -> AlphaResult:
    """Cronbach's alpha, standardised alpha and Guttman's lambda 6, as psych::alpha.

    Parameters
    ----------
    items : pandas.DataFrame, array-like or ItemMoments
        Responses, rows = respondents, columns = items already reverse-keyed
        (:func:`reverse`); NaN = missing.
        Or :func:`~kemitraan_assess.stats.item_moments` of those items (read once, e.g.
        ``moments.subset(scale_items)``): the same result, and ``nan_policy`` / ``keys``
        are then the moments' own.
    nan_policy : {"pairwise", "listwise"}
        Pairwise-complete covariances (psych's default ``use = "pairwise"``), or complete
        rows only (``psych::alpha(na.omit(x))``).
    ci : float
        Level of the confidence intervals.
    keys : None, "auto", sequence or mapping, optional
        Items to reverse first (as ``min + max - x`` over all the items, psych's rule):
        item names (``["A1"]``), psych's scoring keys (``["-A1", "A2", ...]``), one +1/-1
        per item, a mapping item -> +1/-1, or ``"auto"`` for psych's ``check.keys = TRUE``
        (reverse the items loading negatively on the first principal component).

    Returns
    -------
    AlphaResult
        ``raw``, ``standardized``, ``guttman_lambda6``, ``average_r``, ``signal_noise``,
        ``ci`` (Feldt), ``ci_duhachek``, ``ase``, ``n``, ``n_complete`` and more.

    Notes
    -----
    With p items, covariance matrix C and :math:`R = \\mathrm{cov2cor}(C)`:

    .. math:: \\alpha = \\frac{p}{p-1}\\Big(1 - \\frac{\\mathrm{tr}\\,C}{1^T C 1}\\Big), \\quad
       \\alpha_{std} = \\frac{p}{p-1}\\Big(1 - \\frac{p}{1^T R 1}\\Big), \\quad
       \\lambda_6 = 1 - \\frac{p - \\sum_i SMC_i}{1^T R 1},

    :math:`\\bar r = (1^T R 1 - p)/(p(p-1))` and :math:`S/N = p\\bar r/(1-\\bar r)`.
    The Feldt interval is :math:`1 - (1-\\alpha)F_{q}(n-1, (n-1)(p-1))` at
    :math:`q = 1 - (1-ci)/2` (lower) and :math:`(1-ci)/2` (upper) (``psych::alpha.ci``).
    The Duhachek interval is :math:`\\alpha \\pm z\\,ASE` with
    :math:`ASE = \\sqrt{Q/n}` (Duhachek & Iacobucci 2004, psych's ``ase``); psych prints it
    with z = 1.96, here z is the exact normal quantile (1.959964 at 95 %).
    ``n`` counts every row given (pairwise) or complete rows (listwise), as psych.
    Pairwise deletion can make R indefinite; then the SMCs behind lambda 6 may rest on
    a near-zero pivot of the pseudo-inverse and differ from psych's in rounding.
    An item whose corrected item-total correlation is negative raises a
    :class:`~kemitraan_assess.stats.NegativeItemWarning`: on raw answers a reverse-worded
    item lowers alpha silently (psych warns likewise). Validated against R
    ``psych::alpha`` (2.2.9).

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    Psychometrika, 16, 297-334.
    Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for
    coefficient alpha. Applied Psychological Measurement, 11, 93-103.
    Duhachek, A., & Iacobucci, D. (2004). Alpha's standard error (ASE). Journal of Applied
    Psychology, 89, 792-808.
    Guttman, L. (1945). A basis for analyzing test-retest reliability. Psychometrika, 10,
    255-282.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1, 2, 2, 3], [2, 3, 3, 3], [3, 2, np.nan, 4], [4, 5, 4, 5],
    ...               [2, 2, 1, 2], [5, 4, 5, 4], [3, 4, 2, 3], [4, 3, 4, 2]])
    >>> res = cronbach_alpha(x)  # In R: psych::alpha(x)
    >>> round(res.raw, 4), round(res.standardized, 4), res.n, res.n_complete
    (0.8735, 0.8719, 8, 7)
    >>> [round(v, 4) for v in res.ci], res.ci_method
    ([0.6245, 0.9716], 'feldt')
    >>> y = x.copy(); y[:, 3] = 6 - y[:, 3]  # V4 as a reverse-worded item would be answered
    >>> round(cronbach_alpha(y, keys=["V4"]).raw, 4)  # In R: psych::alpha(y, keys = "V4")
    0.8735
    """
    level = check_ci(ci)
    mo = prepared(items, nan_policy, keys)
    warn_negative_items(mo.items, mo.cov)
    return _alpha_result(mo, level)


def reverse(x: Any, *, low: float | None = None, high: float | None = None) -> Any:
    """Reverse-key responses: ``low + high - x`` (what psych::alpha does with ``keys``).

    Parameters
    ----------
    x : pandas.Series, pandas.DataFrame or array-like
        Responses of the items to reverse; NaN stays NaN.
    low, high : float, optional
        Ends of the response scale (1 and 5 for a 1-5 Likert item). When absent they are the
        smallest and largest answer in ``x`` (over all its columns, as psych): pass them
        whenever the scale is known, since a sample that never used an end would be reversed
        wrongly.

    Returns
    -------
    Same type as ``x``.

    Examples
    --------
    >>> import pandas as pd
    >>> reverse(pd.Series([1, 2, 5, None]), low=1, high=5).tolist()
    [5.0, 4.0, 1.0, nan]
    """
    if isinstance(x, (pd.Series, pd.DataFrame)):
        values = x.astype("float64")
        lo = float(np.nanmin(values.to_numpy())) if low is None else float(low)
        hi = float(np.nanmax(values.to_numpy())) if high is None else float(high)
        return (lo + hi) - values
    arr = np.asarray(x, dtype=np.float64)
    lo = float(np.nanmin(arr)) if low is None else float(low)
    hi = float(np.nanmax(arr)) if high is None else float(high)
    return (lo + hi) - arr


# --------------------------------------------------------------------------- all scales


@dataclasses.dataclass(frozen=True)
class ScaleReliability(StatResult):
    """One scale's alpha, item analysis and split-half results (all from one covariance matrix)."""

    scale: str
    alpha: AlphaResult
    items: ItemAnalysis
    split_half: SplitHalfResult

    def to_summary(self) -> dict[str, Any]:
        """The scale's entry of the ``reliability --format json`` contract (DESIGN.md),
        without ``omega_total`` (computed by :mod:`kemitraan_assess.stats.omegas`).

        The interval key is ``ci95`` at the default level and ``ci<level>`` otherwise.
        """
        a, ia, sh = self.alpha, self.items, self.split_half
        return to_jsonable(
            {
                "n_items": a.n_items,
                "alpha": {
                    "raw": a.raw,
                    "standardized": a.standardized,
                    f"ci{round(a.ci_level * 100):d}": list(a.ci),
                    "ci_method": a.ci_method,
                },
                "guttman_lambda6": a.guttman_lambda6,
                "average_r": a.average_r,
                "split_half": {"max": sh.max, "min": sh.min, "mean": sh.mean},
                "items": {
                    name: {
                        "n": ia.item_n[i],
                        "mean": ia.mean[i],
                        "sd": ia.sd[i],
                        "r_drop": ia.r_drop[i],
                        "alpha_if_dropped": ia.alpha_if_dropped[i],
                    }
                    for i, name in enumerate(ia.items)
                },
            }
        )


@dataclasses.dataclass(frozen=True)
class ReliabilityTable(StatResult):
    """Reliability of every scale; ``not_computed`` maps a scale to the reason it has no
    results (with ``on_error="record"``)."""

    scales: dict[str, ScaleReliability]
    not_computed: dict[str, str]
    nan_policy: str

    def to_frame(self) -> pd.DataFrame:
        """One row per computed scale: n, alpha with its Feldt interval, lambda 6, average r,
        split-half max / min / mean."""
        rows = {
            name: {
                "n_items": s.alpha.n_items,
                "n": s.alpha.n,
                "n_complete": s.alpha.n_complete,
                "alpha_raw": s.alpha.raw,
                "alpha_std": s.alpha.standardized,
                "ci_lower": s.alpha.ci[0],
                "ci_upper": s.alpha.ci[1],
                "guttman_lambda6": s.alpha.guttman_lambda6,
                "average_r": s.alpha.average_r,
                "split_half_max": s.split_half.max,
                "split_half_min": s.split_half.min,
                "split_half_mean": s.split_half.mean,
                "weak_items": int(s.items.weakens.sum()),
            }
            for name, s in self.scales.items()
        }
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("scale")


def reliability_table(
    data: pd.DataFrame,
    scales: Mapping[str, Sequence[str]],
    *,
    nan_policy: NanPolicy = "pairwise",
    ci: float = 0.95,
    n_sample: int = 10000,
    seed: int | None = 0,
    r_drop_min: float = R_DROP_MIN,
    on_error: Literal["raise", "record"] = "raise",
) -> ReliabilityTable:
    """Alpha, item analysis and split-half reliability for every scale of an instrument.

    Parameters
    ----------
    data : pandas.DataFrame
        Responses with one (reverse-keyed) column per item; other columns are ignored.
    scales : mapping of str to sequence of str
        Scale id -> its item columns.
    nan_policy : {"pairwise", "listwise"}
        As in :func:`cronbach_alpha`; listwise deletion is per scale.
    ci : float
        Level of the alpha intervals.
    n_sample, seed : int
        As in :func:`~kemitraan_assess.stats.splithalf.split_half`.
    r_drop_min : float
        As in :func:`~kemitraan_assess.stats.items.item_analysis`.
    on_error : {"raise", "record"}
        What a scale with too little data (``InsufficientDataError``) or unusable items
        (``DataError``) does: raise, or be listed in ``not_computed`` with the message.

    Returns
    -------
    ReliabilityTable
        ``scales`` (scale id -> :class:`ScaleReliability`), ``not_computed``;
        ``.to_frame()`` summarises one row per scale.

    Notes
    -----
    Each scale's covariance matrix is computed once and shared by
    :func:`cronbach_alpha`, :func:`~kemitraan_assess.stats.items.item_analysis` and
    :func:`~kemitraan_assess.stats.splithalf.split_half`, so the results equal separate calls.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"q1": [1, 2, 3, 4, 2, 5, 3, 4], "q2": [2, 3, 2, 5, 2, 4, 4, 3],
    ...                    "q3": [2, 3, None, 4, 1, 5, 2, 4], "q4": [3, 3, 4, 5, 2, 4, 3, 2]})
    >>> tab = reliability_table(df, {"S1": ["q1", "q2", "q3", "q4"]})
    >>> cols = ["n", "alpha_raw", "split_half_min"]
    >>> tab.to_frame()[cols].round(4)  # doctest: +NORMALIZE_WHITESPACE
           n  alpha_raw  split_half_min
    scale
    S1     8     0.8735          0.7949
    """
    level = check_ci(ci)
    if on_error not in ("raise", "record"):
        raise DataError(f"on_error must be 'raise' or 'record', not {on_error!r}")
    if not isinstance(data, pd.DataFrame):
        raise DataError("data must be a pandas DataFrame with one column per item")
    if not (isinstance(n_sample, (int, np.integer)) and n_sample >= 1):
        raise DataError(f"n_sample must be a positive integer, not {n_sample!r}")
    results: dict[str, ScaleReliability] = {}
    failed: dict[str, str] = {}
    for name, cols in scales.items():
        missing = [c for c in cols if c not in data.columns]
        if missing:
            raise DataError(
                f"scale {name!r}: item column {missing[0]!r} is not in the data",
                column=str(missing[0]),
            )
        try:
            mo = prepared(data[list(cols)], nan_policy, None)
            with warnings.catch_warnings():  # the table reports items, it does not warn
                warnings.simplefilter("ignore", NegativeItemWarning)
                results[str(name)] = ScaleReliability(
                    scale=str(name),
                    alpha=_alpha_result(mo, level),
                    items=item_analysis(mo, r_drop_min=float(r_drop_min)),
                    split_half=split_half(mo, n_sample=int(n_sample), seed=seed, ci=level),
                )
        except (InsufficientDataError, DataError) as exc:
            if on_error == "raise":
                raise
            failed[str(name)] = str(exc)
    return ReliabilityTable(scales=results, not_computed=failed, nan_policy=nan_policy)
