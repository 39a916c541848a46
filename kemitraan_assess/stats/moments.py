"""Item moments: what every reliability and factor statistic reads from the responses.

:func:`item_moments` reads a respondents x items matrix once (in blocks of rows,
:func:`~kemitraan_assess.stats.pairwise.pairwise_sums`) and keeps the pairwise-complete sums
of every item: counts, covariances and, through them, ``cov2cor`` (psych::alpha's R) and
``cor(x, use = "pairwise")`` (the factor analyses' R). Given ``scales`` (sets of columns
analysed together), the same pass also keeps each respondent's scale score and answered
count, the item-total cross-products and the answer counts of every item, so that the
statistics of a scale (psych::alpha, item analysis, split halves, one-factor omega, a CFA
block) are closed forms of sub-blocks. :meth:`ItemMoments.subset` takes the moments of a
set of items; every statistic accepts data or moments::

    mo = item_moments(x, scales={"A": ["A1", "A2", "A3"], "B": ["B1", "B2", "B3"]})
    cronbach_alpha(mo.subset(["A1", "A2", "A3"])) == cronbach_alpha(x[["A1", "A2", "A3"]])

(the same numbers: bit for bit for the covariances of whole-number answers, to rounding for
the item-total correlations, which are summed in another order). Statistics on moments
raise the errors they raise on data. With ``nan_policy="listwise"`` a subset drops the rows
that miss any of *its* items (as calling the statistic on those columns does).

Also here: :func:`smc` (psych::smc) and the sums psych::alpha builds on.
"""

from __future__ import annotations

import dataclasses
import functools
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from kemitraan_assess.errors import DataError, InsufficientDataError
from kemitraan_assess.stats.arrays import check_pair_counts, numeric_matrix, row_means
from kemitraan_assess.stats.keys import Keys, apply_keys
from kemitraan_assess.stats.pairwise import (
    CODE_BOUND,
    Block,
    PairwiseSums,
    choose_centre,
    pairwise_sums,
)

__all__ = [
    "ItemMoments",
    "RowSummary",
    "item_moments",
    "smc",
    "alpha_ase",
    "alpha_parts",
    "value_counts",
    "NanPolicy",
]

NanPolicy = Literal["pairwise", "listwise"]

# psych::Pinv's tolerance, sqrt(.Machine$double.eps)
_PINV_TOL = float(np.sqrt(np.finfo(np.float64).eps))
_BINS = 2 * CODE_BOUND + 1  # codes -CODE_BOUND .. CODE_BOUND around the centre


def smc(r: np.ndarray) -> np.ndarray:
    """Squared multiple correlations, ``1 - 1/diag(Pinv(R))``, clipped to [0, 1] (psych::smc).

    ``Pinv`` is psych's pseudo-inverse: the SVD of R, keeping singular values above
    ``sqrt(.Machine$double.eps)`` times the largest. Validated against R ``psych::smc``
    (2.2.9; tests/reference/factor/smc.json: positive definite, singular and indefinite R).

    Examples
    --------
    >>> import numpy as np
    >>> smc(np.array([[1, .5], [.5, 1]])).round(4).tolist()  # In R: psych::smc(R)
    [0.25, 0.25]
    """
    r = np.asarray(r, dtype=np.float64)
    u, d, vt = np.linalg.svd(r)
    keep = d > max(_PINV_TOL * d[0], 0.0)
    inv = (vt[keep].T / d[keep]) @ u[:, keep].T
    return np.clip(1.0 - 1.0 / np.diag(inv), 0.0, 1.0)


def alpha_parts(c: np.ndarray, r: np.ndarray) -> dict[str, float]:
    """psych::alpha's inner ``alpha.1(C, R)``: raw and standardised alpha, lambda 6,
    average r, S/N, Duhachek's Q, unidim, fit.off, var.r, med.r.

    Arithmetic follows R's on degenerate samples: a ratio over zero is ``Inf`` or ``NaN``
    (items that correlate perfectly give ``S/N = Inf`` and ``fit.off = NaN``), never an
    exception or a numpy warning.
    """
    p = c.shape[0]
    f = np.float64
    sum_c, tr_c = f(c.sum()), f(np.trace(c))
    sum_r = f(r.sum())
    low = r[np.tril_indices(p, -1)]
    av_r = (sum_r - p) / (p * (p - 1))
    res1 = r - av_r
    off = r - 1.0  # psych: Rd <- R - diag(R), which recycles the unit diagonal over every cell
    res_off = res1 - np.diag(np.diag(res1))
    cc = c @ c
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        q = (2 * p**2 / ((p - 1) ** 2 * sum_c**3)) * (
            sum_c * (np.trace(cc) + tr_c**2) - 2 * tr_c * cc.sum()
        )
        out = {
            "raw": (1 - tr_c / sum_c) * p / (p - 1),
            "std": (1 - p / sum_r) * p / (p - 1),
            "g6": 1 - (p - f(smc(r).sum())) / sum_r,
            "av_r": av_r,
            # psych: s/n = n.var * av.r / (1 - av.r), Inf when every r is 1
            "sn": p * av_r / (1 - av_r),
            "q": q,
            "unidim": 1 - f((res1**2).sum()) / f((r**2).sum()),
            "fit_off": 1 - f((res_off**2).sum()) / f((off**2).sum()),
            "var_r": f(np.var(low, ddof=1)) if low.size > 1 else f("nan"),
            "med_r": f(np.median(low)),
        }
    return {k: float(v) for k, v in out.items()}


def alpha_ase(q: float, n: int) -> float:
    """Duhachek & Iacobucci's standard error of alpha, ``sqrt(Q / n)`` (psych's ``ase``);
    NaN without a warning when rounding on a (near-)singular sample makes Q negative."""
    return float(np.sqrt(q / n)) if q >= 0 else float("nan")


def value_counts(x: np.ndarray, max_categories: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The answers present in ``x`` and their counts per item (columns follow the
    answers); None when there are more than ``max_categories`` distinct answers."""
    observed = ~np.isnan(x)
    cols = [x[observed[:, j], j] for j in range(x.shape[1])]
    lo = min(float(c.min()) for c in cols)
    hi = max(float(c.max()) for c in cols)
    if hi - lo <= 4 * max_categories and all(np.array_equal(c, np.floor(c)) for c in cols):
        # whole-number answers: one counting pass per item
        bins = np.stack(
            [np.bincount((c - lo).astype(np.intp), minlength=int(hi - lo) + 1) for c in cols]
        )
        used = np.flatnonzero(bins.sum(axis=0))
        return used + lo, bins[:, used]
    values = np.unique(np.concatenate(cols))
    if values.size > max_categories:
        return None
    return values, np.stack([(x == v).sum(axis=0) for v in values], axis=1)


def _total_item_r(x: np.ndarray, total: np.ndarray) -> np.ndarray:
    """``cor(total, x, use = "pairwise")``: each item against the scale score, over the rows
    that answered the item (those rows always have a score)."""
    observed = ~np.isnan(x)
    m = observed.astype(np.float64)
    n_i = m.sum(axis=0)
    xc = np.where(observed, x - np.where(observed, x, 0.0).sum(axis=0) / n_i, 0.0)
    finite = ~np.isnan(total)
    tc = np.where(finite, total - total[finite].mean(), 0.0)
    s_t, s_tt, s_xt = m.T @ tc, m.T @ (tc * tc), xc.T @ tc
    s_x, s_xx = xc.sum(axis=0), (xc * xc).sum(axis=0)
    cov = s_xt - s_x * s_t / n_i
    with np.errstate(invalid="ignore", divide="ignore"):
        return cov / np.sqrt((s_tt - s_t * s_t / n_i) * (s_xx - s_x * s_x / n_i))


@dataclasses.dataclass(frozen=True)
class RowSummary:
    """What the statistics of a set of items read from the rows besides the covariances.

    ``total_mean`` / ``total_sd``: mean and SD of the scale score (row mean of the answered
    items, rows with an answer); ``item_n``, ``item_mean``: answers and mean per item;
    ``raw_r``: item-total correlations; ``response``: the answers present and their counts
    per item, counted up to ``max_categories`` (None: more distinct answers than that).
    """

    total_mean: float
    total_sd: float
    item_n: np.ndarray
    item_mean: np.ndarray
    raw_r: np.ndarray
    response: tuple[np.ndarray, np.ndarray] | None
    max_categories: int


class _Pass:
    """Per-block work beside the pairwise sums: scale scores, item-total sums, counts."""

    def __init__(self, n: int, scales: list[np.ndarray], centre: np.ndarray) -> None:
        p, n_scales = centre.size, len(scales)
        self.p = p
        self.cols = [_columns(idx) for idx in scales]
        member = np.zeros((p, n_scales))
        for s, idx in enumerate(scales):
            member[idx, s] = 1.0
        self.member = member > 0
        # [shifted, answered] @ w = [sum of the answers, answered] per scale
        w = np.zeros((2 * p, 2 * n_scales))
        w[:p, :n_scales] = member
        w[p:, :n_scales] = member * centre[:, None]
        w[p:, n_scales:] = member
        self.w64 = w
        # float32 keeps the whole-number sums exact while they stay below 2^24
        small = p * (CODE_BOUND + float(np.abs(centre).max(initial=0.0))) < 2.0**24
        self.w32 = w.astype(np.float32) if small else None
        self.t0: np.ndarray | None = None
        self.totals = np.empty((n, n_scales))
        self.answered = np.empty((n, n_scales), dtype=np.int32)
        self.s_xt = [np.zeros(idx.size) for idx in scales]  # item (shifted) x score, summed
        self.s_t = [
            np.zeros(idx.size) for idx in scales
        ]  # the score summed where the item is answered
        self.s_tt = [np.zeros(idx.size) for idx in scales]
        self.counts: np.ndarray | None = np.zeros(p * _BINS, dtype=np.int64)
        key = np.int16 if p * _BINS < np.iinfo(np.int16).max else np.intp
        self.offsets = (np.arange(p) * _BINS + CODE_BOUND).astype(key)

    def __call__(self, block: Block) -> None:
        shifted, miss, start, z = block.shifted, block.miss, block.start, block.z
        m, n_scales = shifted.shape[0], len(self.cols)
        if z.dtype == np.float32 and self.w32 is not None:
            agg = (z @ self.w32).astype(np.float64)
        else:
            agg = z.astype(np.float64, copy=False) @ self.w64
        rows = slice(start, start + m)
        with np.errstate(invalid="ignore", divide="ignore"):
            np.divide(agg[:, :n_scales], agg[:, n_scales:], out=self.totals[rows])
        self.answered[rows] = agg[:, n_scales:]
        if self.t0 is None:  # a shift near the mean of each score (any constant will do)
            with np.errstate(invalid="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                first = np.nanmean(self.totals[rows], axis=0)
            self.t0 = np.rint(np.where(np.isfinite(first), first, 0.0) * 256) / 256
        tc = self.totals[rows] - self.t0
        np.copyto(tc, 0.0, where=np.isnan(tc))
        # over the rows that answered each item: every row, less the item's blank cells
        blank_row, blank_item = np.nonzero(miss)
        sum_t, sum_tt = tc.sum(axis=0), (tc * tc).sum(axis=0)
        for s, cols in enumerate(self.cols):
            mine = self.member[blank_item, s]
            at = tc[blank_row[mine], s]
            less_t = np.bincount(blank_item[mine], weights=at, minlength=self.p)[cols]
            less_tt = np.bincount(blank_item[mine], weights=at * at, minlength=self.p)[cols]
            self.s_xt[s] += tc[:, s] @ shifted[:, cols]
            self.s_t[s] += sum_t[s] - less_t
            self.s_tt[s] += sum_tt[s] - less_tt
        if self.counts is not None:
            if block.codes is None:
                self.counts = None
            else:
                # a blank is code 0 here: item_moments takes the blanks off that bin
                code = block.codes.astype(self.offsets.dtype) + self.offsets
                self.counts += np.bincount(code.ravel(), minlength=self.counts.size)


def _columns(idx: np.ndarray) -> np.ndarray | slice:
    """A slice for consecutive columns (a view, no copy), else the indices."""
    if idx.size and np.array_equal(idx, np.arange(idx[0], idx[0] + idx.size)):
        return slice(int(idx[0]), int(idx[0]) + idx.size)
    return idx


@dataclasses.dataclass(frozen=True, eq=False)
class _Scales:
    """What the one pass kept for the declared scales (column tuples of the whole matrix)."""

    index: dict[tuple[int, ...], int]
    totals: np.ndarray  # (n, scales): row mean of the answered items of each scale
    answered: np.ndarray  # (n, scales): answered items of each scale
    item_total: list[tuple[np.ndarray, np.ndarray, np.ndarray]]
    values: np.ndarray | None  # the answers counted, and their counts per item
    counts: np.ndarray | None
    max_categories: int


@dataclasses.dataclass(frozen=True, eq=False)
class ItemMoments:
    """The pairwise moments of a set of items (see the module docstring).

    Attributes
    ----------
    items : tuple of str
        The items, in column order.
    n : int
        Rows used: every row given (``pairwise``, psych's ``n``) or the complete rows
        (``listwise``).
    nan_policy : {"pairwise", "listwise"}
    sums : PairwiseSums
        Pairwise sums of the items over the rows used (:mod:`~kemitraan_assess.stats.pairwise`).
    cov : numpy.ndarray
        R's ``cov(x, use = "pairwise")`` (NaN where a pair has fewer than 2 rows).
    n_pairs : numpy.ndarray
        Rows answering both items of each pair (the diagonal: answers per item).
    """

    items: tuple[str, ...]
    n: int
    nan_policy: str
    sums: PairwiseSums
    cov: np.ndarray
    n_pairs: np.ndarray
    _x: np.ndarray  # the rows used (every column of the matrix read)
    _source: np.ndarray  # the matrix given (listwise subsets drop rows again)
    _cols: tuple[int, ...]  # these items' columns in _x
    _scales: _Scales | None

    @functools.cached_property
    def corr(self) -> np.ndarray:
        """``cov2cor(cov)``, psych::alpha's R (each item's SD over its own answers)."""
        sd = np.sqrt(np.diag(self.cov))
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = self.cov / np.outer(sd, sd)
        np.fill_diagonal(corr, 1.0)
        return corr

    @functools.cached_property
    def n_complete(self) -> int:
        """Rows answering every item."""
        parts = self._covering_scales()
        if parts is not None and self._scales is not None:
            sizes = np.array([len(cols) for cols in parts])
            answered = self._scales.answered[:, [self._scales.index[cols] for cols in parts]]
            return int(np.count_nonzero((answered == sizes).all(axis=1)))
        return int(np.count_nonzero(~np.isnan(self.data()).any(axis=1)))

    def _covering_scales(self) -> list[tuple[int, ...]] | None:
        """The declared scales within these items, if together they hold every one of them."""
        if self._scales is None:
            return None
        mine = set(self._cols)
        parts = [cols for cols in self._scales.index if set(cols) <= mine]
        covered = set().union(*map(set, parts)) if parts else set()
        return parts if covered == mine else None

    @property
    def n_source(self) -> int:
        """Rows given (before a listwise deletion)."""
        return int(self._source.shape[0])

    def _scale(self) -> int | None:
        return None if self._scales is None else self._scales.index.get(self._cols)

    def data(self) -> np.ndarray:
        """The rows used, these items' columns (a view when they are consecutive)."""
        idx = np.array(self._cols, dtype=np.intp)
        return self._x[:, _columns(idx)]

    def subset(self, items: Sequence[str]) -> ItemMoments:
        """The moments of ``items`` (names of :attr:`items`), in that order: a sub-block of
        the sums (``pairwise``), or the complete rows of those items (``listwise``)."""
        pos = {name: j for j, name in enumerate(self.items)}
        missing = [str(i) for i in items if str(i) not in pos]
        if missing:
            raise DataError(
                f"item {missing[0]!r} is not one of the moments' items", column=missing[0]
            )
        rel = np.array([pos[str(i)] for i in items], dtype=np.intp)
        cols = tuple(self._cols[j] for j in rel)
        names = tuple(self.items[j] for j in rel)
        if self.nan_policy == "listwise":
            sub = self._source[:, _columns(np.array(cols, dtype=np.intp))]
            return _build(sub, names, "listwise", None)
        sums = self.sums.take(rel)
        cov, n_ij, _ = sums.covariance()
        return ItemMoments(
            names,
            self.n,
            self.nan_policy,
            sums,
            cov,
            n_ij,
            self._x,
            self._source,
            cols,
            self._scales,
        )

    def checked(self, min_items: int = 2) -> ItemMoments:
        """These moments after the checks of every statistic on covariances (enough items,
        rows, answers per item and per pair, some variance per item); raises otherwise."""
        p = len(self.items)
        if p < min_items:
            raise InsufficientDataError(
                f"{p} item(s) given; at least {min_items} are needed", n=p, required=min_items
            )
        if self.n < 2:
            raise InsufficientDataError(
                f"n = {self.n} usable rows ({self.nan_policy}); at least 2 are needed",
                n=self.n,
                required=2,
            )
        check_pair_counts(self.items, self.n_pairs, var=np.diag(self.cov))
        return self

    def total_mean_sd(self) -> tuple[float, float]:
        """Mean and SD of the scale score (row mean of the answered items)."""
        s = self._scale()
        if s is not None and self._scales is not None:
            total = self._scales.totals[:, s]
        else:
            total = row_means(self.data())
        total = total[~np.isnan(total)]
        return float(total.mean()), float(total.std(ddof=1)) if total.size > 1 else float("nan")

    def row_means(self) -> tuple[np.ndarray, np.ndarray]:
        """Each row's mean over its answered items of this set (NaN without any) and the
        number answered."""
        s = self._scale()
        if s is not None and self._scales is not None:
            return self._scales.totals[:, s], self._scales.answered[:, s]
        block = self.data()
        answered = np.count_nonzero(~np.isnan(block), axis=1)
        total = np.where(np.isnan(block), 0.0, block).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return total / answered, answered

    def n_answering(self) -> int:
        """Rows answering at least one of the items (lavaan's pairwise N)."""
        parts = self._covering_scales()
        if parts is not None and self._scales is not None:
            answered = self._scales.answered[:, [self._scales.index[cols] for cols in parts]]
            return int(np.count_nonzero((answered > 0).any(axis=1)))
        return int(np.count_nonzero((~np.isnan(self.data())).any(axis=1)))

    def row_summary(self, max_categories: int = 10) -> RowSummary:
        """Scale score, per-item answers, means, item-total correlations and answer counts:
        closed forms of the one pass for a declared scale, else read from the rows."""
        s = self._scale()
        sc = self._scales
        if s is not None and sc is not None and sc.max_categories == max_categories:
            return self._summary_from_pass(s, sc)
        x = self.data()
        total = row_means(x)
        total_mean, total_sd = self.total_mean_sd()
        return RowSummary(
            total_mean=total_mean,
            total_sd=total_sd,
            item_n=(~np.isnan(x)).sum(axis=0),
            item_mean=np.nanmean(x, axis=0),
            raw_r=_total_item_r(x, total),
            response=value_counts(x, max_categories),
            max_categories=max_categories,
        )

    def _summary_from_pass(self, s: int, sc: _Scales) -> RowSummary:
        sub = self.sums
        total = sc.totals[:, s]
        total = total[~np.isnan(total)]
        nf = np.diag(sub.n_ij).copy()
        s_x, s_xx = np.diag(sub.s_x).copy(), np.diag(sub.s_xx).copy()
        if sub.exact:  # whole numbers: the item sums are exact, so is each mean (as numpy's)
            item_mean = (s_x + nf * sub.centre) / nf
        else:
            item_mean = s_x / nf + sub.centre
        s_xt, s_t, s_tt = sc.item_total[s]
        cov = s_xt - s_x * s_t / nf
        with np.errstate(invalid="ignore", divide="ignore"):
            raw_r = cov / np.sqrt((s_tt - s_t * s_t / nf) * (s_xx - s_x * s_x / nf))
        found: tuple[np.ndarray, np.ndarray] | None
        if sc.counts is not None and sc.values is not None:
            block = sc.counts[list(self._cols)]
            used = np.flatnonzero(block.sum(axis=0))
            found = (sc.values[used], block[:, used])
        else:
            found = value_counts(self.data(), sc.max_categories)
        return RowSummary(
            total_mean=float(total.mean()),
            total_sd=float(total.std(ddof=1)) if total.size > 1 else float("nan"),
            item_n=nf.astype(np.int64),
            item_mean=item_mean,
            raw_r=raw_r,
            response=found,
            max_categories=sc.max_categories,
        )


def item_moments(
    x: Any,
    *,
    nan_policy: NanPolicy = "pairwise",
    keys: Keys = None,
    scales: Mapping[str, Sequence[str]] | None = None,
    max_categories: int = 10,
    names: Sequence[str] | None = None,
) -> ItemMoments:
    """The pairwise moments of the items of ``x``, read in one pass.

    Parameters
    ----------
    x : pandas.DataFrame or array-like
        Responses, rows = respondents, columns = items (NaN = missing); reverse-keyed, or
        keyed here with ``keys``. A float64 array is kept by reference (C order is fastest).
    nan_policy : {"pairwise", "listwise"}
        Pairwise-complete sums over every row (psych's default), or complete rows only.
    keys : None, "auto", sequence or mapping, optional
        Items to reverse first, as in :func:`~kemitraan_assess.stats.cronbach_alpha`.
    scales : mapping of str to sequence of str, optional
        Sets of items analysed together (an instrument's scales): their scale scores,
        item-total correlations and answer counts are taken in the same pass, so the
        statistics of ``subset(items)`` need no second look at the rows (pairwise only).
    max_categories : int
        As in :func:`~kemitraan_assess.stats.item_analysis`.
    names : sequence of str, optional
        Column names of an array ``x`` (default ``V1``, ``V2``, ...).

    Returns
    -------
    ItemMoments
        No check is made here beyond the input's form: each statistic checks what it needs.

    Examples
    --------
    >>> import numpy as np
    >>> from kemitraan_assess.stats import cronbach_alpha
    >>> x = np.array([[1, 2, 2, 3], [2, 3, 3, 3], [3, 2, np.nan, 4], [4, 5, 4, 5],
    ...               [2, 2, 1, 2], [5, 4, 5, 4], [3, 4, 2, 3], [4, 3, 4, 2]])
    >>> mo = item_moments(x, scales={"first": ["V1", "V2", "V3"]})
    >>> mo.n, int(mo.n_pairs[0, 2]), round(cronbach_alpha(mo).raw, 4)  # In R: psych::alpha(x)
    (8, 7, 0.8735)
    >>> round(cronbach_alpha(mo.subset(["V1", "V2", "V3"])).raw, 4)  # In R: psych::alpha(x[, 1:3])
    0.8932
    """
    if nan_policy not in ("pairwise", "listwise"):
        raise DataError(f"nan_policy must be 'pairwise' or 'listwise', not {nan_policy!r}")
    frame = isinstance(x, pd.DataFrame)
    x, found = numeric_matrix(apply_keys(x, keys) if keys is not None else x)
    if names is None or frame:
        names = found
    elif len(names) != x.shape[1]:
        raise DataError(f"{len(names)} names given for {x.shape[1]} columns")
    names = tuple(str(n) for n in names)
    if scales is None or nan_policy == "listwise":
        return _build(x, names, nan_policy, None)
    pos = {name: j for j, name in enumerate(names)}
    unknown = [str(i) for items in scales.values() for i in items if str(i) not in pos]
    if unknown:
        raise DataError(f"scale item {unknown[0]!r} is not a column of the data", column=unknown[0])
    index = [np.array([pos[str(i)] for i in items], dtype=np.intp) for items in scales.values()]
    if any(idx.size == 0 for idx in index):
        raise DataError("every scale needs at least one item")
    return _build(x, names, nan_policy, (index, int(max_categories)))


def _build(
    x: np.ndarray,
    names: tuple[str, ...],
    nan_policy: str,
    scales: tuple[list[np.ndarray], int] | None,
) -> ItemMoments:
    source = x
    if nan_policy == "listwise":
        complete = ~np.isnan(x).any(axis=1)
        if not complete.all():
            x = x[complete]
    n, p = x.shape
    if scales is None:
        sums = pairwise_sums(x)
        cov, n_ij, _ = sums.covariance()
        return ItemMoments(names, n, nan_policy, sums, cov, n_ij, x, source, tuple(range(p)), None)
    index, max_categories = scales
    centre = choose_centre(x)
    run = _Pass(n, index, centre)
    sums = pairwise_sums(x, run, centre=centre)
    values = counts = None
    if run.counts is not None:
        per_item = run.counts.reshape(p, _BINS)
        per_item[:, CODE_BOUND] -= n - np.diag(sums.n_ij).astype(
            np.int64
        )  # blanks counted as code 0
        lo = int(centre.min()) - CODE_BOUND
        width = int(centre.max() - centre.min()) + 2 * CODE_BOUND + 1
        counts = np.zeros((p, width), dtype=np.int64)
        for j in range(p):
            off = int(centre[j]) - CODE_BOUND - lo
            counts[j, off : off + _BINS] = per_item[j]
        values = lo + np.arange(width, dtype=np.float64)
    kept = _Scales(
        index={tuple(int(c) for c in idx): s for s, idx in enumerate(index)},
        totals=run.totals,
        answered=run.answered,
        item_total=list(zip(run.s_xt, run.s_t, run.s_tt, strict=True)),
        values=values,
        counts=counts,
        max_categories=max_categories,
    )
    cov, n_ij, _ = sums.covariance()
    return ItemMoments(names, n, nan_policy, sums, cov, n_ij, x, source, tuple(range(p)), kept)


def prepared(items: Any, nan_policy: str, keys: Keys, *, min_items: int = 2) -> ItemMoments:
    """Checked moments from data or from :class:`ItemMoments` (what each statistic starts
    with). Keys apply to data: moments are of items already keyed."""
    if isinstance(items, ItemMoments):
        if keys is not None:
            raise DataError("keys apply to item responses: key them in item_moments(x, keys=...)")
        return items.checked(min_items)
    if nan_policy not in ("pairwise", "listwise"):
        raise DataError(f"nan_policy must be 'pairwise' or 'listwise', not {nan_policy!r}")
    x, names = numeric_matrix(apply_keys(items, keys) if keys is not None else items)
    if x.shape[1] < min_items:  # before reading the rows, as before
        raise InsufficientDataError(
            f"{x.shape[1]} item(s) given; at least {min_items} are needed",
            n=x.shape[1],
            required=min_items,
        )
    return _build(x, names, nan_policy, None).checked(min_items)
