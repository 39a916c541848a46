"""Input checks shared by every statistic: one numeric conversion, one pair-count check.

A leaf of :mod:`kemitraan_assess.stats` (imports nothing else of the package but
:mod:`kemitraan_assess.errors`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from kemitraan_assess.errors import DataError, InsufficientDataError

__all__ = ["numeric_matrix", "check_pair_counts", "check_ci", "row_means", "single_threaded_blas"]


def numeric_matrix(
    data: Any, *, what: str = "item responses", one_d: bool = False
) -> tuple[np.ndarray, tuple[str, ...]]:
    """``data`` as a float64 matrix (rows x columns, NaN = missing) and its column names.

    A DataFrame keeps its column names (numeric or boolean columns only); an array gets
    ``V1``, ``V2``, ... (R's names). With ``one_d`` a 1-D input (a Series, a list) is one
    column. Infinite values are refused with the column named.
    """
    if isinstance(data, pd.Series):
        data = data.to_frame()
    if isinstance(data, pd.DataFrame):
        bad = [
            c
            for c in data.columns
            if not (pd.api.types.is_numeric_dtype(data[c]) or pd.api.types.is_bool_dtype(data[c]))
        ]
        if bad:
            raise DataError(f"{what} must be numeric", column=str(bad[0]))
        x = data.to_numpy(dtype=np.float64, na_value=np.nan)
        names = tuple(str(c) for c in data.columns)
    else:
        try:
            x = np.asarray(data, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise DataError(f"{what} must be numeric (NaN for a missing answer)") from exc
        if one_d and x.ndim == 1:
            x = x[:, None]
        if x.ndim != 2:
            raise DataError(
                f"expected a 2-D table (rows = respondents, columns = items), got {x.ndim} "
                "dimension(s)"
            )
        names = tuple(f"V{i + 1}" for i in range(x.shape[1]))
    if np.isinf(x).any():
        j = int(np.argwhere(np.isinf(x))[0, 1])
        raise DataError(f"{what} contain infinite values", column=names[j])
    return x, names


def check_pair_counts(
    names: Sequence[str],
    n_ij: np.ndarray,
    *,
    var: np.ndarray | None = None,
    what: str = "a covariance",
) -> None:
    """Every item answered at least twice, with some variance (``var``, if given), every
    pair of items answered together at least twice (what a pairwise covariance or
    correlation needs)."""
    counts = np.diag(n_ij)
    if np.any(counts < 2):
        j = int(np.argmin(counts))
        raise InsufficientDataError(
            f"item {names[j]!r} has {int(counts[j])} answer(s); at least 2 are needed",
            n=int(counts[j]),
            required=2,
        )
    if var is not None and np.any(~(var > 0)):
        j = int(np.flatnonzero(~(var > 0))[0])
        raise DataError(
            f"item {names[j]!r} has no variance; drop it from the scale", column=names[j]
        )
    if np.any(n_ij < 2):
        i, j = np.argwhere(n_ij < 2)[0]
        raise InsufficientDataError(
            f"items {names[i]!r} and {names[j]!r} are answered together by {int(n_ij[i, j])} "
            f"row(s); {what} needs at least 2",
            n=int(n_ij[i, j]),
            required=2,
        )


def check_ci(ci: float) -> float:
    """A confidence level strictly between 0 and 1."""
    if not (isinstance(ci, (int, float)) and 0 < ci < 1):
        raise DataError(f"ci must be a level between 0 and 1 (such as 0.95), not {ci!r}")
    return float(ci)


def row_means(x: np.ndarray) -> np.ndarray:
    """Each row's mean over its answered items (psych's ``rowMeans(x, na.rm = TRUE)``);
    NaN for a row without answers."""
    observed = ~np.isnan(x)
    if observed.all():
        return x.mean(axis=1)
    count = observed.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(observed, x, 0.0).sum(axis=1) / np.where(count > 0, count, np.nan)


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Run many small matrix products and eigen-decompositions on one BLAS thread
    (threadpoolctl, if present).

    Multi-threaded BLAS on 25 x 25 matrices costs more in thread hand-offs than it saves:
    on a busy 2-core machine the simulation loop ran 5x slower with two threads.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: only a speed-up
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield
