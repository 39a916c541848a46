"""Item moments shared by the reliability statistics: input checks, pairwise-complete
covariances and correlations, row means, squared multiple correlations and the sums
``psych::alpha`` builds on.

Private to :mod:`kemitraan_assess.stats`; :mod:`~kemitraan_assess.stats.reliability`,
:mod:`~kemitraan_assess.stats.items`, :mod:`~kemitraan_assess.stats.splithalf` and
:mod:`~kemitraan_assess.stats._batch` use it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from kemitraan_assess.errors import DataError, InsufficientDataError
from kemitraan_assess.stats._pairwise import pairwise_sums

# psych::Pinv's tolerance, sqrt(.Machine$double.eps)
_PINV_TOL = float(np.sqrt(np.finfo(np.float64).eps))


@dataclasses.dataclass(frozen=True)
class _RowSummary:
    """What the statistics read from the rows besides the covariances, when it was
    computed elsewhere (one pass over every scale, :mod:`kemitraan_assess.stats._batch`).

    ``total_mean`` / ``total_sd``: mean and SD of the scale score (row mean of the answered
    items, rows with an answer); ``item_n``, ``item_mean``: answers and mean per item;
    ``raw_r``: item-total correlations; ``response``: the answers present and their counts
    per item, counted with ``max_categories`` (None: more distinct answers than that).
    """

    total_mean: float
    total_sd: float
    item_n: np.ndarray
    item_mean: np.ndarray
    raw_r: np.ndarray
    response: tuple[np.ndarray, np.ndarray] | None
    max_categories: int


@dataclasses.dataclass(frozen=True)
class _Moments:
    """Items as analysed: the rows used, pairwise covariances C and R = cov2cor(C).

    ``x`` is None when ``rows`` carries everything else the statistics need.
    """

    x: np.ndarray | None
    items: tuple[str, ...]
    n: int
    n_complete: int
    cov: np.ndarray
    corr: np.ndarray
    nan_policy: str
    rows: _RowSummary | None = None

    def total_mean_sd(self) -> tuple[float, float]:
        """Mean and SD of the scale score (row mean of the answered items)."""
        if self.rows is not None:
            return self.rows.total_mean, self.rows.total_sd
        total = _row_means(self._data())
        total = total[~np.isnan(total)]
        return float(total.mean()), float(total.std(ddof=1)) if total.size > 1 else float("nan")

    def _data(self) -> np.ndarray:
        if self.x is None:  # pragma: no cover - built with rows or with x
            raise ValueError("moments without rows")
        return self.x


def _as_matrix(items: Any) -> tuple[np.ndarray, tuple[str, ...]]:
    if isinstance(items, pd.DataFrame):
        bad = [
            c
            for c in items.columns
            if not (pd.api.types.is_numeric_dtype(items[c]) or pd.api.types.is_bool_dtype(items[c]))
        ]
        if bad:
            raise DataError("item columns must be numeric", column=str(bad[0]))
        x = items.to_numpy(dtype=np.float64, na_value=np.nan)
        names = tuple(str(c) for c in items.columns)
    else:
        try:
            x = np.asarray(items, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise DataError("item responses must be numeric") from exc
        if x.ndim != 2:
            raise DataError(
                f"expected a 2-D table (rows = respondents, columns = items), got {x.ndim} dimension(s)"
            )
        names = tuple(f"V{i + 1}" for i in range(x.shape[1]))
    if np.isinf(x).any():
        j = int(np.argwhere(np.isinf(x))[0, 1])
        raise DataError("item responses contain infinite values", column=names[j])
    return x, names


def _pairwise_cov(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """R's ``cov(x, use = "pairwise")``: covariance, pair counts and pair-specific variances.

    ``var_pair[i, j]`` is the variance of item i over the rows where i and j are both
    answered (what ``cor(x, use = "pairwise")`` divides by). The sums come from one pass
    (:func:`kemitraan_assess.stats._pairwise.pairwise_sums`; exact for whole-number answers).
    """
    return pairwise_sums(x).covariance()


def _prepare(items: Any, nan_policy: str, *, min_items: int = 2) -> _Moments:
    if nan_policy not in ("pairwise", "listwise"):
        raise DataError(f"nan_policy must be 'pairwise' or 'listwise', not {nan_policy!r}")
    x, names = _as_matrix(items)
    p = x.shape[1]
    if p < min_items:
        raise InsufficientDataError(
            f"{p} item(s) given; at least {min_items} are needed", n=p, required=min_items
        )
    complete = ~np.isnan(x).any(axis=1)
    n_complete = int(complete.sum())
    if nan_policy == "listwise":
        x = x[complete]
    n = int(x.shape[0])
    if n < 2:
        raise InsufficientDataError(
            f"n = {n} usable rows ({nan_policy}); at least 2 are needed", n=n, required=2
        )
    cov, n_ij, _ = _pairwise_cov(x)
    return _checked_moments(x, names, n, n_complete, cov, n_ij, nan_policy)


def _checked_moments(
    x: np.ndarray | None,
    names: tuple[str, ...],
    n: int,
    n_complete: int,
    cov: np.ndarray,
    n_ij: np.ndarray,
    nan_policy: str,
    rows: _RowSummary | None = None,
) -> _Moments:
    """:class:`_Moments` from pairwise covariances, after the checks every statistic needs."""
    _check_pairwise(names, cov, n_ij)
    var = np.diag(cov)
    sd = np.sqrt(var)
    corr = cov / np.outer(sd, sd)
    np.fill_diagonal(corr, 1.0)
    return _Moments(x, names, n, n_complete, cov, corr, nan_policy, rows)


def _check_pairwise(names: Sequence[str], cov: np.ndarray, n_ij: np.ndarray) -> None:
    """The checks every statistic on pairwise covariances needs: each item answered at
    least twice and with some variance, each pair of items answered together at least twice."""
    counts = np.diag(n_ij)
    if np.any(counts < 2):
        j = int(np.argmin(counts))
        raise InsufficientDataError(
            f"item {names[j]!r} has {int(counts[j])} answer(s); at least 2 are needed",
            n=int(counts[j]),
            required=2,
        )
    var = np.diag(cov)
    if np.any(~(var > 0)):
        j = int(np.flatnonzero(~(var > 0))[0])
        raise DataError(
            f"item {names[j]!r} has no variance; drop it from the scale", column=names[j]
        )
    if np.any(n_ij < 2):
        i, j = np.argwhere(n_ij < 2)[0]
        raise InsufficientDataError(
            f"items {names[i]!r} and {names[j]!r} are answered together by {int(n_ij[i, j])} row(s); "
            "a covariance needs at least 2",
            n=int(n_ij[i, j]),
            required=2,
        )


def _row_means(x: np.ndarray) -> np.ndarray:
    """Each row's mean over its answered items (psych's ``rowMeans(x, na.rm = TRUE)``);
    NaN for a row without answers."""
    observed = ~np.isnan(x)
    if observed.all():
        return x.mean(axis=1)
    count = observed.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(observed, x, 0.0).sum(axis=1) / np.where(count > 0, count, np.nan)


def _smc(r: np.ndarray) -> np.ndarray:
    """psych::smc: ``1 - 1/diag(Pinv(R))``, clipped to [0, 1]."""
    u, d, vt = np.linalg.svd(r)
    keep = d > max(_PINV_TOL * d[0], 0.0)
    inv = (vt[keep].T / d[keep]) @ u[:, keep].T
    return np.clip(1.0 - 1.0 / np.diag(inv), 0.0, 1.0)


def _alpha_stats(c: np.ndarray, r: np.ndarray) -> dict[str, float]:
    """psych::alpha's inner ``alpha.1(C, R)``."""
    p = c.shape[0]
    sum_c, tr_c = float(c.sum()), float(np.trace(c))
    sum_r = float(r.sum())
    low = r[np.tril_indices(p, -1)]
    av_r = (sum_r - p) / (p * (p - 1))
    res1 = r - av_r
    off = r - 1.0  # psych: Rd <- R - diag(R), which recycles the unit diagonal over every cell
    res_off = res1 - np.diag(np.diag(res1))
    cc = c @ c
    q = (2 * p**2 / ((p - 1) ** 2 * sum_c**3)) * (
        sum_c * (np.trace(cc) + tr_c**2) - 2 * tr_c * cc.sum()
    )
    return {
        "raw": (1 - tr_c / sum_c) * p / (p - 1),
        "std": (1 - p / sum_r) * p / (p - 1),
        "g6": 1 - (p - float(_smc(r).sum())) / sum_r,
        "av_r": av_r,
        "sn": p * av_r / (1 - av_r),
        "q": float(q),
        "unidim": 1 - float((res1**2).sum()) / float((r**2).sum()),
        "fit_off": 1 - float((res_off**2).sum()) / float((off**2).sum()),
        "var_r": float(np.var(low, ddof=1)) if low.size > 1 else float("nan"),
        "med_r": float(np.median(low)),
    }


def _check_ci(ci: float) -> float:
    if not (isinstance(ci, (int, float)) and 0 < ci < 1):
        raise DataError(f"ci must be a level between 0 and 1 (such as 0.95), not {ci!r}")
    return float(ci)
