"""Every scale of an instrument from one pass over the responses.

:func:`scale_batch` reads a respondents x items matrix once (in blocks of rows) and keeps
what the per-scale statistics need: the pairwise sums of all items
(:mod:`kemitraan_assess.stats._pairwise`), each respondent's scale scores and answered
counts, the item-total cross-products and the answer counts of every item. The
statistics of a scale (psych::alpha, item analysis, split halves, one-factor omega) and
the correlation matrix of any set of items are then closed forms of sub-blocks, equal to
what :func:`~kemitraan_assess.stats.cronbach_alpha`, :func:`~kemitraan_assess.stats.item_analysis`,
:func:`~kemitraan_assess.stats.correlation_input` and the others compute from that
scale's columns (pairwise missing data; bit for bit for the covariances of whole-number
answers, to rounding for the rest). Inputs are checked with the same errors.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping, Sequence

import numpy as np

from kemitraan_assess.errors import DataError, InsufficientDataError
from kemitraan_assess.stats._moments import _checked_moments, _Moments, _RowSummary
from kemitraan_assess.stats._pairwise import (
    CODE_BOUND,
    Block,
    PairwiseSums,
    choose_centre,
    pairwise_sums,
)
from kemitraan_assess.stats.factor import CorrelationInput, _corr_from_sums
from kemitraan_assess.stats.items import _value_counts

__all__ = ["ScaleBatch", "scale_batch"]

_BINS = 2 * CODE_BOUND + 1  # codes -CODE_BOUND .. CODE_BOUND around the centre


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
        self.s_t = [np.zeros(idx.size) for idx in scales]  # the score summed where the item is answered
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
                # a blank is code 0 here: scale_batch takes the blanks off that bin
                code = block.codes.astype(self.offsets.dtype) + self.offsets
                self.counts += np.bincount(code.ravel(), minlength=self.counts.size)


def _columns(idx: np.ndarray) -> np.ndarray | slice:
    """A slice for consecutive columns (a view, no copy), else the indices."""
    if idx.size and np.array_equal(idx, np.arange(idx[0], idx[0] + idx.size)):
        return slice(int(idx[0]), int(idx[0]) + idx.size)
    return idx


@dataclasses.dataclass(frozen=True)
class ScaleBatch:
    """What one pass over the responses keeps (see the module docstring).

    Attributes
    ----------
    items : tuple of str
        Column names of the matrix.
    n : int
        Rows (respondents); every row counts, as psych's pairwise ``n``.
    sums : PairwiseSums
        Pairwise sums of all items.
    scales : dict of str to tuple of int
        Scale id -> column indices of its items.
    totals : numpy.ndarray
        (n, scales): each respondent's mean of the answered items of each scale (NaN
        without any), psych's scale score.
    answered : numpy.ndarray
        (n, scales): answered items of each scale, per respondent.
    max_categories : int
        As in :func:`~kemitraan_assess.stats.item_analysis`.
    """

    items: tuple[str, ...]
    n: int
    sums: PairwiseSums
    scales: dict[str, tuple[int, ...]]
    totals: np.ndarray
    answered: np.ndarray
    max_categories: int
    _item_total: list[tuple[np.ndarray, np.ndarray, np.ndarray]]
    _values: np.ndarray | None
    _counts: np.ndarray | None
    _x: np.ndarray

    def _scale_pos(self, scale: str) -> int:
        return list(self.scales).index(scale)

    def n_complete(self, scale: str) -> int:
        """Respondents who answered every item of ``scale``."""
        s = self._scale_pos(scale)
        return int(np.count_nonzero(self.answered[:, s] == len(self.scales[scale])))

    def moments(self, scale: str) -> _Moments:
        """The pairwise moments of one scale, as ``_prepare(x[:, scale], "pairwise")``
        (same checks and errors) with the row summaries filled in."""
        idx = np.array(self.scales[scale], dtype=np.intp)
        names = tuple(self.items[i] for i in idx)
        if idx.size < 2:
            raise InsufficientDataError(f"{idx.size} item(s) given; at least 2 are needed", n=int(idx.size), required=2)
        if self.n < 2:
            raise InsufficientDataError(
                f"n = {self.n} usable rows (pairwise); at least 2 are needed", n=self.n, required=2
            )
        sub = self.sums.take(idx)
        cov, n_ij, _ = sub.covariance()
        rows = self._row_summary(scale, idx, sub)
        return _checked_moments(None, names, self.n, self.n_complete(scale), cov, n_ij, "pairwise", rows)

    def _row_summary(self, scale: str, idx: np.ndarray, sub: PairwiseSums) -> _RowSummary:
        s = self._scale_pos(scale)
        total = self.totals[:, s]
        total = total[~np.isnan(total)]
        nf = np.diag(sub.n_ij).copy()
        s_x, s_xx = np.diag(sub.s_x).copy(), np.diag(sub.s_xx).copy()
        if sub.exact:  # whole numbers: the item sums are exact, so is each mean (as numpy's)
            item_mean = (s_x + nf * sub.centre) / nf
        else:
            item_mean = s_x / nf + sub.centre
        s_xt, s_t, s_tt = self._item_total[s]
        cov = s_xt - s_x * s_t / nf
        with np.errstate(invalid="ignore", divide="ignore"):
            raw_r = cov / np.sqrt((s_tt - s_t * s_t / nf) * (s_xx - s_x * s_x / nf))
        found: tuple[np.ndarray, np.ndarray] | None
        if self._counts is not None and self._values is not None:
            block = self._counts[idx]
            used = np.flatnonzero(block.sum(axis=0))
            found = (self._values[used], block[:, used])
        else:
            found = _value_counts(self._x[:, idx], self.max_categories)
        return _RowSummary(
            total_mean=float(total.mean()),
            total_sd=float(total.std(ddof=1)) if total.size > 1 else float("nan"),
            item_n=nf.astype(np.int64),
            item_mean=item_mean,
            raw_r=raw_r,
            response=found,
            max_categories=self.max_categories,
        )

    def correlation(self, cols: Sequence[int], *, min_items: int = 2) -> CorrelationInput:
        """``correlation_input(x[:, cols], nan_policy="pairwise", min_items=min_items)``."""
        idx = np.array(cols, dtype=np.intp)
        names = tuple(self.items[i] for i in idx)
        if idx.size < min_items:
            raise InsufficientDataError(
                f"{idx.size} item(s) given; at least {min_items} are needed", n=int(idx.size), required=min_items
            )
        if self.n < 3:
            raise InsufficientDataError(
                f"n = {self.n} usable rows (pairwise); at least 3 are needed", n=self.n, required=3
            )
        r, n_pairs = _corr_from_sums(self.sums.take(idx), names)
        return CorrelationInput(r, names, self.n, n_pairs, "pairwise")


def scale_batch(
    x: np.ndarray, items: Sequence[str], scales: Mapping[str, Sequence[int]], *, max_categories: int = 10
) -> ScaleBatch:
    """One pass over ``x`` (respondents x items, reverse-keyed, NaN = missing).

    Parameters
    ----------
    x : numpy.ndarray
        float64 responses (C order is fastest); kept by reference, and read again only
        for the response frequencies of answers that are not small whole numbers.
    items : sequence of str
        Column names.
    scales : mapping of str to sequence of int
        Scale id -> column indices of its items (at least one each).
    max_categories : int
        As in :func:`~kemitraan_assess.stats.item_analysis`.

    Returns
    -------
    ScaleBatch
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != len(items):
        raise DataError("x must be a respondents x items matrix with one name per column")
    if np.isinf(x).any():
        j = int(np.argwhere(np.isinf(x))[0, 1])
        raise DataError("item responses contain infinite values", column=str(items[j]))
    n, p = x.shape
    index = [np.asarray(list(cols), dtype=np.intp) for cols in scales.values()]
    if any(idx.size == 0 for idx in index):
        raise DataError("every scale needs at least one item")
    centre = choose_centre(x)
    run = _Pass(n, index, centre)
    sums = pairwise_sums(x, run, centre=centre)
    values = counts = None
    if run.counts is not None:
        per_item = run.counts.reshape(p, _BINS)
        per_item[:, CODE_BOUND] -= n - np.diag(sums.n_ij).astype(np.int64)  # blanks counted as code 0
        lo = int(centre.min()) - CODE_BOUND
        width = int(centre.max() - centre.min()) + 2 * CODE_BOUND + 1
        counts = np.zeros((p, width), dtype=np.int64)
        for j in range(p):
            off = int(centre[j]) - CODE_BOUND - lo
            counts[j, off : off + _BINS] = per_item[j]
        values = lo + np.arange(width, dtype=np.float64)
    return ScaleBatch(
        items=tuple(str(i) for i in items),
        n=n,
        sums=sums,
        scales={str(k): tuple(int(c) for c in idx) for k, idx in zip(scales, index, strict=True)},
        totals=run.totals,
        answered=run.answered,
        max_categories=int(max_categories),
        _item_total=list(zip(run.s_xt, run.s_t, run.s_tt, strict=True)),
        _values=values,
        _counts=counts,
        _x=x,
    )
