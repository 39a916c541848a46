"""Item analysis: psych::alpha's item statistics, alpha if an item is dropped and response
frequencies, with flags for items that weaken a scale.

Covariances, correlations and missing data are handled as in
:mod:`kemitraan_assess.stats.reliability` (pairwise by default; items reverse-keyed by the
caller). Validated against R ``psych::alpha`` (2.2.9).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from kemitraan_assess.errors import DataError
from kemitraan_assess.stats.keys import Keys, warn_negative_items
from kemitraan_assess.stats.moments import (
    ItemMoments,
    NanPolicy,
    alpha_ase,
    alpha_parts,
    prepared,
    smc,
)
from kemitraan_assess.stats.results import StatResult

#: Corrected item-total correlation (psych's r.drop) below which an item is flagged as weakening
#: its scale: the usual .30 rule of thumb (Nunnally & Bernstein 1994; Field 2013).
R_DROP_MIN = 0.30

__all__ = ["ItemAnalysis", "item_analysis"]
_DROP_KEYS = ("raw", "std", "g6", "av_r", "sn", "ase", "var_r", "med_r")


@dataclasses.dataclass(frozen=True)
class ItemAnalysis(StatResult):
    """Item statistics and reliability if an item is dropped (psych::alpha's
    ``item.stats``, ``alpha.drop`` and ``response.freq``), with flags for weak items.

    Per-item arrays follow ``items``. ``response_freq`` has one row per item and one column
    per answer in ``response_categories`` (share of the item's answers) plus a last column
    ``miss`` (share of rows without an answer); it is None when the items have more than
    ``max_categories`` distinct answers (psych returns NULL then). ``weakens`` is
    ``low_r_drop | alpha_increases``.
    """

    items: tuple[str, ...]
    n: int
    n_complete: int
    nan_policy: str
    scale_alpha: float
    item_n: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    raw_r: np.ndarray
    std_r: np.ndarray
    r_cor: np.ndarray
    r_drop: np.ndarray
    alpha_if_dropped: np.ndarray
    std_alpha_if_dropped: np.ndarray
    g6_if_dropped: np.ndarray
    average_r_if_dropped: np.ndarray
    signal_noise_if_dropped: np.ndarray
    ase_if_dropped: np.ndarray
    var_r_if_dropped: np.ndarray
    median_r_if_dropped: np.ndarray
    r_drop_min: float
    low_r_drop: np.ndarray
    alpha_increases: np.ndarray
    weakens: np.ndarray
    response_categories: tuple[float, ...] | None
    response_freq: np.ndarray | None
    method: str

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                value.setflags(write=False)

    def to_frame(self) -> pd.DataFrame:
        """One row per item: psych's item.stats and alpha.drop columns, then the flags."""
        cols = (
            "item_n mean sd raw_r std_r r_cor r_drop alpha_if_dropped std_alpha_if_dropped "
            "g6_if_dropped average_r_if_dropped signal_noise_if_dropped ase_if_dropped "
            "var_r_if_dropped median_r_if_dropped low_r_drop alpha_increases weakens"
        ).split()
        frame = pd.DataFrame(
            {c: getattr(self, c) for c in cols}, index=pd.Index(self.items, name="item")
        )
        return frame.rename(columns={"item_n": "n"})

    def response_frame(self) -> pd.DataFrame | None:
        """psych's ``response.freq``: shares of each answer by item, and ``miss``."""
        if self.response_freq is None or self.response_categories is None:
            return None
        cols = [_category_label(v) for v in self.response_categories] + ["miss"]
        return pd.DataFrame(
            self.response_freq, index=pd.Index(self.items, name="item"), columns=cols
        )


def _category_label(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def _response_freq(
    found: tuple[np.ndarray, np.ndarray] | None, answered: np.ndarray, n: int, max_categories: int
) -> tuple[tuple[float, ...] | None, np.ndarray | None]:
    """psych's ``response.freq`` from the answers found
    (:func:`~kemitraan_assess.stats.moments.value_counts`)."""
    if found is None:
        return None, None
    values, counts = found
    if values.size + int(bool(np.any(answered < n))) > max_categories:
        return None, None
    freq = counts / answered[:, None].astype(np.float64)
    miss = 1.0 - answered / n
    return tuple(float(v) for v in values), np.column_stack([freq, miss])


def _item_analysis(mo: ItemMoments, r_drop_min: float, max_categories: int) -> ItemAnalysis:
    c, r = mo.cov, mo.corr
    p = len(mo.items)
    total_alpha = alpha_parts(c, r)["raw"]
    rows = mo.row_summary(max_categories)
    item_n, item_mean, raw_r, found = rows.item_n, rows.item_mean, rows.raw_r, rows.response
    rc = r.copy()
    np.fill_diagonal(rc, smc(r))
    col_c = c.sum(axis=0)
    r_drop = (col_c - np.diag(c)) / np.sqrt(np.diag(c) * (c.sum() - 2 * col_c + np.diag(c)))
    drop = {k: np.full(p, np.nan) for k in _DROP_KEYS}
    if p > 2:
        for i in range(p):
            keep = np.r_[0:i, i + 1 : p]
            st = alpha_parts(c[np.ix_(keep, keep)], r[np.ix_(keep, keep)])
            st["ase"] = alpha_ase(st["q"], mo.n)
            for k in _DROP_KEYS:
                drop[k][i] = st[k]
    low = r_drop < r_drop_min
    with np.errstate(invalid="ignore"):
        increases = drop["raw"] > total_alpha
    categories, freq = _response_freq(found, item_n, mo.n, max_categories)
    # psych's r.cor; NaN (not a warning) when the smc-corrected matrix sums below zero
    with np.errstate(invalid="ignore"):
        r_cor = rc.sum(axis=0) / np.sqrt(rc.sum())
    # a scale whose correlations sum to < 0 (pairwise samples of a few rows) has no
    # standardised item-total r: NaN, as psych gives, without a numpy warning
    with np.errstate(invalid="ignore"):
        std_r = r.sum(axis=0) / np.sqrt(r.sum())
    return ItemAnalysis(
        items=mo.items,
        n=mo.n,
        n_complete=mo.n_complete,
        nan_policy=mo.nan_policy,
        scale_alpha=float(total_alpha),
        item_n=item_n,
        mean=item_mean,
        sd=np.sqrt(np.diag(c)),
        raw_r=raw_r,
        std_r=std_r,
        r_cor=r_cor,
        r_drop=r_drop,
        alpha_if_dropped=drop["raw"],
        std_alpha_if_dropped=drop["std"],
        g6_if_dropped=drop["g6"],
        average_r_if_dropped=drop["av_r"],
        signal_noise_if_dropped=drop["sn"],
        ase_if_dropped=drop["ase"],
        var_r_if_dropped=drop["var_r"],
        median_r_if_dropped=drop["med_r"],
        r_drop_min=float(r_drop_min),
        low_r_drop=low,
        alpha_increases=increases,
        weakens=low | increases,
        response_categories=categories,
        response_freq=freq,
        method=(
            f"psych::alpha item.stats / alpha.drop / response.freq; flags: r.drop < {r_drop_min:g} "
            "(Nunnally & Bernstein 1994; Field 2013) or raw alpha if dropped > alpha"
        ),
    )


def item_analysis(
    items: Any,
    *,
    nan_policy: NanPolicy = "pairwise",
    r_drop_min: float = R_DROP_MIN,
    max_categories: int = 10,
    keys: Keys = None,
) -> ItemAnalysis:
    """Item statistics, alpha if an item is dropped and response frequencies (psych::alpha).

    Parameters
    ----------
    items : pandas.DataFrame, array-like or ItemMoments
        Responses, rows = respondents, columns = reverse-keyed items; NaN = missing.
        Or :func:`~kemitraan_assess.stats.item_moments` of those items (read once, e.g.
        ``moments.subset(scale_items)``): the same result, and ``nan_policy`` / ``keys``
        are then the moments' own.
    nan_policy : {"pairwise", "listwise"}
        As in :func:`cronbach_alpha`.
    r_drop_min : float
        Corrected item-total correlation below which an item is flagged (0.30).
    max_categories : int
        Most distinct answers for which response frequencies are counted (psych's ``max``).
    keys : None, "auto", sequence or mapping, optional
        Items to reverse first, as in :func:`~kemitraan_assess.stats.cronbach_alpha`.

    Returns
    -------
    ItemAnalysis
        Per item ``item_n``, ``mean``, ``sd``, ``raw_r``, ``std_r``, ``r_cor``, ``r_drop``,
        ``alpha_if_dropped`` (raw) and ``std_alpha_if_dropped`` with psych's other
        alpha.drop columns, ``response_freq``, and the flags ``low_r_drop``,
        ``alpha_increases`` and ``weakens``; ``.to_frame()`` gives one row per item.

    Notes
    -----
    As psych::alpha, with C the covariances and R = cov2cor(C):
    ``raw_r`` is the Pearson correlation of the item with the scale score (row mean of the
    answered items, pairwise); ``std_r`` :math:`= \\sum_j R_{ij} / \\sqrt{1^T R 1}`;
    ``r_cor`` the same with SMCs on the diagonal of R; ``r_drop``
    :math:`= (\\sum_{j\\ne i} C_{ij}) / \\sqrt{C_{ii}\\, 1^T C_{-i,-i} 1}` (item against the
    sum of the other items); the "if dropped" columns are :func:`cronbach_alpha` on
    :math:`C_{-i,-i}`, :math:`R_{-i,-i}` (the covariances are not recomputed). With two
    items an "alpha if dropped" would be the alpha of one item, which is undefined: it is
    NaN here (psych fills that row with other quantities). An item weakens the scale when
    its corrected item-total correlation is below ``r_drop_min`` (.30: Nunnally & Bernstein
    1994; Field 2013) or when alpha rises without it. Validated against R ``psych::alpha``
    (2.2.9).

    References
    ----------
    Nunnally, J. C., & Bernstein, I. H. (1994). Psychometric theory (3rd ed.). McGraw-Hill.
    Field, A. (2013). Discovering statistics using IBM SPSS Statistics (4th ed.). Sage.
    Revelle, W. (2022). psych: Procedures for psychological, psychometric, and personality
    research (2.2.9). Northwestern University.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1, 2, 2, 3], [2, 3, 3, 3], [3, 2, np.nan, 4], [4, 5, 4, 5],
    ...               [2, 2, 1, 2], [5, 4, 5, 4], [3, 4, 2, 3], [4, 3, 4, 2]])
    >>> ia = item_analysis(x)  # In R: psych::alpha(x)$item.stats, $alpha.drop
    >>> cols = ["n", "r_drop", "alpha_if_dropped"]
    >>> ia.to_frame()[cols].round(4)  # doctest: +NORMALIZE_WHITESPACE
          n  r_drop  alpha_if_dropped
    item
    V1    8  0.8082            0.8048
    V2    8  0.7196            0.8431
    V3    7  0.8462            0.7891
    V4    8  0.5735            0.8932
    """
    if not (isinstance(r_drop_min, (int, float)) and -1 <= r_drop_min <= 1):
        raise DataError(f"r_drop_min must be a correlation between -1 and 1, not {r_drop_min!r}")
    mo = prepared(items, nan_policy, keys)
    warn_negative_items(mo.items, mo.cov)
    # degenerate samples (a few pairwise rows) give NaN where R does, without numpy warnings
    with np.errstate(divide="ignore", invalid="ignore"):
        return _item_analysis(mo, float(r_drop_min), int(max_categories))
