"""Grouped moments for the agreement indices: input checks, group codes, per-group means,
variances and medians.

Used by :mod:`kemitraan_assess.stats.agreement` and by
:func:`kemitraan_assess.scoring.groups.group_describe` (one grouped mean / SD). Per-group
sums come from :func:`numpy.bincount` over the group codes, item by item (two passes: the
means, then the squared deviations from them, so the variances are as exact as R's
``var``), and medians from one sort per item; nothing loops over groups in Python.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

import numpy as np
import pandas as pd

from kemitraan_assess.errors import DataError
from kemitraan_assess.stats.arrays import numeric_matrix

Missing = Literal["listwise", "available"]


def as_items(x: Any) -> np.ndarray:
    """Responses as a float64 (respondents, items) matrix; a 1-D input is one item."""
    arr, _ = numeric_matrix(x, what="responses", one_d=True)
    if arr.shape[1] == 0:
        raise DataError(
            "responses must be a 1-D item or a 2-D (respondents, items) table, got shape "
            f"{arr.shape}"
        )
    return arr


def factorize_groups(
    groups: Any, n_rows: int, n_groups: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes 0..G-1 (-1: no group) and the labels of the G groups."""
    if isinstance(groups, (pd.Series, pd.Index, pd.Categorical)):
        values: Any = groups
    else:
        values = np.asarray(groups)
    if len(values) != n_rows:
        raise DataError(f"groups has {len(values)} entries but the responses have {n_rows} rows")
    if n_groups is not None:
        codes = np.asarray(values)
        if codes.dtype.kind not in "iu":
            raise DataError("with n_groups, groups must be integer codes 0..n_groups-1")
        if codes.size and (codes.min() < -1 or codes.max() >= n_groups):
            raise DataError(f"group codes must lie in 0..{n_groups - 1} (-1: no group)")
        return codes.astype(np.intp, copy=False), np.arange(n_groups)
    codes, labels = pd.factorize(values, sort=True, use_na_sentinel=True)
    return np.asarray(codes, dtype=np.intp), np.asarray(labels)


@dataclasses.dataclass(frozen=True)
class GroupMoments:
    count: np.ndarray  # (G, J) answers per group and item
    mean: np.ndarray  # (G, J)
    var: np.ndarray  # (G, J), ddof = 1, NaN where count < 2
    n: np.ndarray  # (G,) respondents used
    codes: np.ndarray  # group of each row used
    source: np.ndarray  # the responses given
    keep: np.ndarray | None  # rows used (None: all)

    @property
    def x(self) -> np.ndarray:
        """The rows used."""
        return self.source if self.keep is None else self.source[self.keep]


def group_moments(
    x: np.ndarray, codes: np.ndarray, n_groups: int, missing: Missing
) -> GroupMoments:
    if missing not in ("listwise", "available"):
        raise DataError(f"missing must be 'listwise' or 'available', got {missing!r}")
    answered = ~np.isnan(x)
    keep: np.ndarray | None = codes >= 0
    if x.shape[1] == 1:  # one item (a scale score): its answers, without a reduction over rows
        keep &= answered[:, 0]
    else:
        keep &= answered.all(axis=1) if missing == "listwise" else answered.any(axis=1)
    if keep.all():
        keep = None
    else:
        codes = codes[keep]
    n_items = x.shape[1]
    n = np.bincount(codes, minlength=n_groups)
    count = np.empty((n_groups, n_items))
    mean = np.empty((n_groups, n_items))
    var = np.empty((n_groups, n_items))
    # every kept row answers every item when rows are kept listwise or there is one item
    complete = missing == "listwise" or n_items == 1
    if not complete:
        if keep is not None:
            answered = answered[keep]
        complete = bool(answered.all())
    # item by item: a group's answers are added in row order, so the sums are those of one
    # bincount over every (group, item) cell, without copying the rows used
    with np.errstate(invalid="ignore", divide="ignore"):
        for j in range(n_items):
            v = x[:, j] if keep is None else x[:, j][keep]
            c = codes
            if complete:
                count[:, j] = n
            else:
                ok = answered[:, j]
                c, v = codes[ok], v[ok]
                count[:, j] = np.bincount(c, minlength=n_groups)
            mean[:, j] = np.bincount(c, weights=v, minlength=n_groups) / count[:, j]
            dev = v - mean[:, j][c]
            ss = np.bincount(c, weights=dev * dev, minlength=n_groups)
            var[:, j] = np.where(count[:, j] > 1, ss / (count[:, j] - 1), np.nan)
    return GroupMoments(count, mean, var, n, codes, x, keep)


def nanmean_rows(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ok = ~np.isnan(a)
    k = ok.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok, a, 0.0).sum(axis=1) / k, k


def group_medians(x: np.ndarray, codes: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Per-group, per-item medians (average of the two middle values for an even count)."""
    n_groups, n_items = count.shape
    out = np.full((n_groups, n_items), np.nan)
    for j in range(n_items):  # a loop over items, never over groups
        col = x[:, j]
        ok = ~np.isnan(col)
        v, c = col[ok], codes[ok]
        order = np.lexsort((v, c))
        v = v[order]
        cnt = count[:, j].astype(np.intp)
        start = np.concatenate(([0], np.cumsum(cnt)[:-1]))
        has = cnt > 0
        lo = start[has] + (cnt[has] - 1) // 2
        hi = start[has] + cnt[has] // 2
        out[has, j] = (v[lo] + v[hi]) / 2
    return out
