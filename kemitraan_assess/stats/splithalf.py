"""Split-half reliability over many splits of a scale (psych::splitHalf).

The items are split into halves A (m = floor(p/2) items) and B (the rest); each split's
reliability is psych's :math:`4\\,1^T R_{AB} 1 / 1^T R 1` (Guttman's lambda 4 on the
correlation matrix, which equals the Spearman-Brown corrected half correlation when both
halves have the same variance). Correlations are as in
:mod:`kemitraan_assess.stats.reliability`: ``cov2cor`` of pairwise-complete covariances
(``splitHalf(x)`` with psych's default ``use = "pairwise"``). Validated against R
``psych::splitHalf`` (2.2.9).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from typing import Any, Literal

import numpy as np

from kemitraan_assess.errors import DataError
from kemitraan_assess.stats.arrays import check_ci
from kemitraan_assess.stats.keys import Keys, warn_negative_items
from kemitraan_assess.stats.moments import ItemMoments, NanPolicy, prepared, smc
from kemitraan_assess.stats.results import StatResult

__all__ = ["SplitHalfResult", "split_half"]

SplitSet = Literal["psych", "all"]
_CHUNK = 65536  # splits evaluated at a time (bounds memory for a large n_sample)


@dataclasses.dataclass(frozen=True)
class SplitHalfResult(StatResult):
    """Split-half reliabilities: psych::splitHalf's ``maxrb``, ``minrb``, ``meanr`` and more.

    Attributes
    ----------
    max, min, mean : float
        Largest (Revelle's beta is the worst split, ``min``), smallest and mean split-half
        reliability over the splits evaluated (psych's ``maxrb``, ``minrb``, ``meanr``).
    median, ci : float, tuple of float
        Median and the central ``ci_level`` interval of the split values (R ``quantile``
        type 7, psych's ``ci`` with ``raw = TRUE``).
    max_split, min_split : tuple of (tuple of str, tuple of str)
        Halves (A, B) of the best and the worst split.
    n_splits : int
        Splits evaluated; ``exhaustive`` says whether they were enumerated (True) or drawn
        at random with ``seed`` (False).
    alpha, lambda2, lambda6, average_r, median_r : float
        psych::splitHalf's companions from the same correlation matrix (alpha is the
        standardised alpha).
    """

    items: tuple[str, ...]
    n_items: int
    n: int
    n_complete: int
    nan_policy: str
    max: float
    min: float
    mean: float
    median: float
    ci_level: float
    ci: tuple[float, float]
    max_split: tuple[tuple[str, ...], tuple[str, ...]]
    min_split: tuple[tuple[str, ...], tuple[str, ...]]
    n_splits: int
    exhaustive: bool
    splits: str
    seed: int | None
    alpha: float
    lambda2: float
    lambda6: float
    average_r: float
    median_r: float
    method: str


def _split_values(a: np.ndarray, r: np.ndarray, r1: np.ndarray, sum_r: float) -> np.ndarray:
    """psych's ``4 * R[A, B] / sum(R)`` for each row of the 0/1 half-A indicator ``a``."""
    within_a = np.einsum("kj,kj->k", a @ r, a)
    return 4.0 * (a @ r1 - within_a) / sum_r


def _indicator(idx: np.ndarray, p: int) -> np.ndarray:
    a = np.zeros((idx.shape[0], p))
    a[np.arange(idx.shape[0])[:, None], idx] = 1.0
    return a


def split_half(
    items: Any,
    *,
    nan_policy: NanPolicy = "pairwise",
    n_sample: int = 10000,
    seed: int | None = 0,
    splits: SplitSet = "psych",
    ci: float = 0.95,
    keys: Keys = None,
) -> SplitHalfResult:
    """Maximum, minimum and mean split-half reliability (psych::splitHalf).

    Parameters
    ----------
    items : pandas.DataFrame, array-like or ItemMoments
        Responses, rows = respondents, columns = reverse-keyed items; NaN = missing.
        Or :func:`~kemitraan_assess.stats.item_moments` of those items (read once, e.g.
        ``moments.subset(scale_items)``): the same result, and ``nan_policy`` / ``keys``
        are then the moments' own.
    nan_policy : {"pairwise", "listwise"}
        As in :func:`~kemitraan_assess.stats.reliability.cronbach_alpha`.
    n_sample : int
        Splits drawn at random when there are more splits than this (psych's rule: every
        split is evaluated while their number is <= ``n_sample``, so up to 16 items with the
        default 10000).
    seed : int or None
        Seed of the random splits (numpy ``default_rng``); the default 0 makes the result
        reproducible. Random splits cannot reproduce R's draws: compare those within their
        Monte Carlo error.
    splits : {"psych", "all"}
        Which splits are enumerated. ``"psych"`` (default) evaluates exactly the splits
        psych::splitHalf does: the first ``ceil(C(p, m)/2)`` combinations of m = floor(p/2)
        items in lexicographic order. For an even p that is every distinct split; for an
        odd p (where the C(p, m) splits are all distinct) it is only about half of them.
        ``"all"`` evaluates every distinct split.
    ci : float
        Level of the central interval of the split values.
    keys : None, "auto", sequence or mapping, optional
        Items to reverse first, as in :func:`~kemitraan_assess.stats.cronbach_alpha`
        (``keys="auto"`` is psych's default ``check.keys = TRUE``).

    Returns
    -------
    SplitHalfResult
        ``max``, ``min``, ``mean``, ``median``, ``ci``, the best and worst halves,
        ``n_splits``, ``exhaustive``, ``n``, ``n_complete``, and alpha / lambda 2 / lambda 6.

    Notes
    -----
    With R the p x p correlation matrix and a split into halves A and B,

    .. math:: r_{split} = \\frac{4 \\sum_{i \\in A, j \\in B} R_{ij}}{1^T R 1},

    which is Guttman's :math:`\\lambda_4` for standardised items (Revelle 2022,
    ``psych::splitHalf``). ``mean`` is the mean over the splits evaluated. psych divides the
    sum by :math:`C(p, m)/2` even when that is not a whole number (p = 3, 7, 15), while it
    evaluates :math:`\\lceil C(p, m)/2 \\rceil` splits; there its ``meanr`` is this ``mean``
    times :math:`\\lceil C/2 \\rceil / (C/2)` (for p = 7, 18/17.5) and ``max``/``min``
    still agree. Also, psych first reverses items with a negative loading on the first
    principal component (``check.keys = TRUE``); here the caller keys the items (``keys``),
    as with ``splitHalf(x, check.keys = FALSE)``, and an item correlating negatively with
    the rest raises a :class:`~kemitraan_assess.stats.NegativeItemWarning`. Validated
    against R ``psych::splitHalf`` (2.2.9).

    References
    ----------
    Guttman, L. (1945). A basis for analyzing test-retest reliability. Psychometrika, 10,
    255-282.
    Revelle, W. (1979). Hierarchical cluster analysis and the internal structure of tests.
    Multivariate Behavioral Research, 14, 57-74.
    Revelle, W., & Condon, D. M. (2019). Reliability from alpha to omega: A tutorial.
    Psychological Assessment, 31, 1395-1411.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1, 2, 2, 3], [2, 3, 3, 3], [3, 2, np.nan, 4], [4, 5, 4, 5],
    ...               [2, 2, 1, 2], [5, 4, 5, 4], [3, 4, 2, 3], [4, 3, 4, 2]])
    >>> sh = split_half(x)  # In R: psych::splitHalf(data.frame(x), check.keys = FALSE)
    >>> round(sh.max, 4), round(sh.min, 4), round(sh.mean, 4), sh.n_splits
    (0.9447, 0.7949, 0.8719, 3)
    """
    level = check_ci(ci)
    if splits not in ("psych", "all"):
        raise DataError(f"splits must be 'psych' or 'all', not {splits!r}")
    if not (isinstance(n_sample, (int, np.integer)) and n_sample >= 1):
        raise DataError(f"n_sample must be a positive integer, not {n_sample!r}")
    if seed is not None and not isinstance(seed, (int, np.integer)):
        raise DataError(f"seed must be an integer or None, not {seed!r}")
    mo = prepared(items, nan_policy, keys)
    warn_negative_items(mo.items, mo.cov)
    return _split_half(mo, int(n_sample), seed, splits, level)


def _split_half(
    mo: ItemMoments, n_sample: int, seed: int | None, splits: str, level: float
) -> SplitHalfResult:
    r = mo.corr
    p = r.shape[0]
    m = p // 2
    n_comb = math.comb(p, m)
    if splits == "psych":
        count: float = n_comb / 2
        n_enum = math.ceil(count)
    else:
        n_enum = n_comb if p % 2 else n_comb // 2
        count = n_enum
    exhaustive = count <= n_sample
    r1 = r.sum(axis=1)
    sum_r = float(r.sum())
    if exhaustive:
        combos = np.array(
            list(itertools.islice(itertools.combinations(range(p), m), n_enum)), dtype=np.intp
        )
        chunks = [combos[i : i + _CHUNK] for i in range(0, n_enum, _CHUNK)]
    else:
        rng = np.random.default_rng(seed)
        sizes = [min(_CHUNK, n_sample - i) for i in range(0, n_sample, _CHUNK)]
        chunks = [np.argpartition(rng.random((k, p)), m - 1, axis=1)[:, :m] for k in sizes]
    values = np.concatenate([_split_values(_indicator(c, p), r, r1, sum_r) for c in chunks])
    best, worst = int(np.argmax(values)), int(np.argmin(values))
    all_idx = np.concatenate(chunks)

    def halves(k: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
        in_a = np.zeros(p, dtype=bool)
        in_a[all_idx[k]] = True
        return (
            tuple(mo.items[j] for j in np.flatnonzero(in_a)),
            tuple(mo.items[j] for j in np.flatnonzero(~in_a)),
        )

    tail = (1 - level) / 2
    lo, med, hi = np.quantile(values, [tail, 0.5, 1 - tail])
    sum_off = sum_r - p
    off = r - np.eye(p)
    low = r[np.tril_indices(p, -1)]
    kind = "every split" if splits == "all" else "psych's splits"
    how = (
        f"{kind} enumerated"
        if exhaustive
        else f"{n_sample} random splits (numpy default_rng({seed}))"
    )
    return SplitHalfResult(
        items=mo.items,
        n_items=p,
        n=mo.n,
        n_complete=mo.n_complete,
        nan_policy=mo.nan_policy,
        max=float(values[best]),
        min=float(values[worst]),
        mean=float(values.mean()),
        median=float(med),
        ci_level=level,
        ci=(float(lo), float(hi)),
        max_split=halves(best),
        min_split=halves(worst),
        n_splits=int(values.size),
        exhaustive=bool(exhaustive),
        splits=splits,
        seed=None if seed is None else int(seed),
        alpha=sum_off / sum_r * p / (p - 1),
        lambda2=(sum_off + math.sqrt(float((off**2).sum()) * p / (p - 1))) / sum_r,
        lambda6=(sum_off + float(smc(r).sum())) / sum_r,
        average_r=float(low.mean()),
        median_r=float(np.median(low)),
        method=f"psych::splitHalf: 4 * sum(R[A, B]) / sum(R), R = cov2cor(C), {how}",
    )
