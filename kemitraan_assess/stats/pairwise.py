"""One pass over item responses: the sums behind pairwise-complete covariances.

Every pairwise statistic of the package (psych's ``cov(x, use = "pairwise")`` behind
alpha and item analysis, ``cor(x, use = "pairwise")`` behind omega and the factor
analyses) is a closed form of four p x p matrices summed over the rows: for items i, j
over the rows where both are answered, the count :math:`N_{ij}`, the sums
:math:`S_{ij} = \\sum x_i` and :math:`Q_{ij} = \\sum x_i^2`, and the cross-products
:math:`P_{ij} = \\sum x_i x_j`, with every item shifted by a whole-number centre c near
its mean (a shift changes no covariance). With M the 0/1 answered mask and Z the
shifted answers with 0 for a blank, :math:`[Z, M]^T[Z, M]` holds P, S and N, and
:math:`Q = (Z \\circ Z)^T M`: two matrix products per block of rows.

Likert answers are whole numbers, so every product and partial sum is a whole number far
below 2^53 and the float64 sums are exact whatever the order of summation; the
covariance numerators :math:`N_{ij}P_{ij} - S_{ij}S_{ji}` are then formed exactly in
int64 and rounded once. So a sub-block of the sums of all items equals the sums of those
items alone, bit for bit, and a covariance is as accurate as float64 allows. Other data
take the same formulas in float64.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import numpy as np

from kemitraan_assess.errors import DataError
from kemitraan_assess.stats.arrays import check_pair_counts

__all__ = ["Block", "PairwiseSums", "choose_centre", "pairwise_sums", "CHUNK_ROWS", "CODE_BOUND"]

#: Rows per block of the pass (a block stays in cache), and the largest |answer - centre|
#: multiplied in float32: 16384 * 15^2 < 2^24, so every float32 partial sum is exact.
CHUNK_ROWS = 16384
CODE_BOUND = 15
_SAMPLE_ROWS = 8192  # rows that choose the centres
_EXACT = 2.0**53  # float64 holds every whole number below this
_INT64_SAFE = 2.0**62


@dataclasses.dataclass(frozen=True)
class PairwiseSums:
    """The four matrices of pairwise-complete sums (see the module docstring).

    Attributes
    ----------
    n_rows : int
        Rows summed over (answered or not).
    centre : numpy.ndarray
        Whole-number shift subtracted from each item before summing.
    n_ij, s_x, s_xx, s_xy : numpy.ndarray
        :math:`N`, :math:`S` (``s_x[i, j]``: sum of item i over the rows where i and j are
        answered), :math:`Q` and :math:`P`, float64.
    exact : bool
        Every sum is a whole number held exactly (whole-number answers).
    """

    n_rows: int
    centre: np.ndarray
    n_ij: np.ndarray
    s_x: np.ndarray
    s_xx: np.ndarray
    s_xy: np.ndarray
    exact: bool

    def take(self, idx: Sequence[int] | np.ndarray) -> PairwiseSums:
        """The sums of a subset of the items (in the order of ``idx``)."""
        i = np.asarray(idx, dtype=np.intp)
        ix = np.ix_(i, i)
        return PairwiseSums(
            self.n_rows,
            self.centre[i],
            self.n_ij[ix],
            self.s_x[ix],
            self.s_xx[ix],
            self.s_xy[ix],
            self.exact,
        )

    def numerators(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``cross`` :math:`= NP - SS^T`, ``square`` :math:`= NQ - S \\circ S` and N.

        ``cross / (N (N - 1))`` is the pairwise covariance, ``square[i, j] / (N (N - 1))``
        the variance of item i over the rows shared with j; exact when :attr:`exact`.
        """
        n = self.n_ij
        if self.exact:
            ni, sx = n.astype(np.int64), self.s_x.astype(np.int64)
            cross = ni * self.s_xy.astype(np.int64) - sx * sx.T
            square = ni * self.s_xx.astype(np.int64) - sx * sx
            return cross.astype(np.float64), square.astype(np.float64), n
        return n * self.s_xy - self.s_x * self.s_x.T, n * self.s_xx - self.s_x * self.s_x, n

    def covariance(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """R's ``cov(x, use = "pairwise")``: covariances, pair counts (float) and
        pair-specific variances (``var_pair[i, j]``: variance of i over the rows where i
        and j are answered). NaN where a pair has fewer than 2 rows."""
        cross, square, n = self.numerators()
        with np.errstate(invalid="ignore", divide="ignore"):
            denom = n * (n - 1.0)
            return cross / denom, n, square / denom

    def correlation(self, items: Sequence[str]) -> np.ndarray:
        """R's ``cor(x, use = "pairwise")``: each pair on its shared rows,
        ``(N P - S S^T) / sqrt((N Q - S^2) (N Q - S^2)^T)``, after the pair-count and
        variance checks (``items`` name the columns in errors)."""
        cross, square, n_ij = self.numerators()
        check_pair_counts(items, n_ij, what="a correlation")
        sd = np.sqrt(np.clip(np.diag(square), 0.0, None))
        bad = np.flatnonzero(~(sd > 0))
        if bad.size:
            raise DataError(
                f"item {items[bad[0]]!r} has no variance; drop it before factor analysis",
                column=str(items[bad[0]]),
            )
        with np.errstate(invalid="ignore", divide="ignore"):
            r = cross / np.sqrt(square * square.T)
        if not np.all(np.isfinite(r)):
            i, j = np.argwhere(~np.isfinite(r))[0]
            raise DataError(
                f"items {items[i]!r} and {items[j]!r} do not vary on their shared responses; "
                "their correlation is undefined",
                column=str(items[i]),
            )
        np.fill_diagonal(r, 1.0)
        return np.clip(r, -1.0, 1.0)


@dataclasses.dataclass(frozen=True)
class Block:
    """One block of rows of the pass.

    ``shifted``: answers minus the centre, 0 for a blank (float64); ``miss``: the blank
    mask; ``codes``: ``shifted`` as int8 when every answer of the block is a whole
    number within ``CODE_BOUND`` of its centre (else None); ``z``: ``[shifted,
    answered]`` as multiplied (float32 with codes, else float64); ``start``: first row.
    """

    start: int
    shifted: np.ndarray
    miss: np.ndarray
    codes: np.ndarray | None
    z: np.ndarray


ChunkVisitor = Callable[[Block], None]
"""Called with each :class:`Block` of the pass."""


def choose_centre(x: np.ndarray) -> np.ndarray:
    """A whole number near each item's mean, from the first rows."""
    head = x[: min(len(x), _SAMPLE_ROWS)]
    obs = ~np.isnan(head)
    if not obs.any(axis=0).all():  # an item blank in the first rows: look at every row
        head, obs = x, ~np.isnan(x)
    cnt = obs.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(obs, head, 0.0).sum(axis=0) / cnt
    return np.rint(np.where(np.isfinite(mean), mean, 0.0))


def _is_exact(n_rows: int, n_ij: np.ndarray, *sums: np.ndarray) -> bool:
    """Whole-number sums whose partial sums stayed below 2^53 (then they are exact) and
    whose int64 numerators cannot overflow."""
    if not all(np.array_equal(s, np.rint(s)) for s in sums):
        return False
    # every partial sum is at most n + sum of squares in size
    big = float(n_rows) + max(float(np.abs(s).max(initial=0.0)) for s in sums)
    return big < _EXACT and max(float(n_ij.max(initial=0.0)), big) * big < _INT64_SAFE


def _small_codes(shifted: np.ndarray) -> np.ndarray | None:
    """``shifted`` as int8 if every value is a whole number within CODE_BOUND of 0."""
    codes = shifted.astype(np.int8)
    if (
        np.array_equal(codes, shifted)
        and int(codes.max(initial=0)) <= CODE_BOUND
        and int(codes.min(initial=0)) >= -CODE_BOUND
    ):
        return codes
    return None


def pairwise_sums(
    x: np.ndarray, visit: ChunkVisitor | None = None, *, centre: np.ndarray | None = None
) -> PairwiseSums:
    """The pairwise-complete sums of a float matrix (rows = respondents, NaN = blank).

    Blocks of small whole-number answers are multiplied in float32 (exact: every partial
    sum of a block stays below 2^24), others in float64. ``visit``, if given, sees every
    block of rows of the pass (other sums can then be taken in the same pass); ``centre``
    (whole numbers, one per item) defaults to :func:`choose_centre`.
    """
    x = np.asarray(x, dtype=np.float64)  # any layout; blocks of rows are made contiguous
    n, p = x.shape
    centre = choose_centre(x) if centre is None else np.asarray(centre, dtype=np.float64)
    gram = np.zeros((2 * p, 2 * p))
    sq = np.zeros((p, p))
    rows = min(n, CHUNK_ROWS)
    z32 = np.empty((rows, 2 * p), dtype=np.float32)
    z64: np.ndarray | None = None
    shifted_buf = np.empty((rows, p))
    row_major = x.flags.c_contiguous
    xbuf = None if row_major else np.empty((rows, p))
    for start in range(0, n, CHUNK_ROWS):
        xb = x[start : start + CHUNK_ROWS]
        m = xb.shape[0]
        if xbuf is not None:  # column-major input: this block's rows, made contiguous
            np.copyto(xbuf[:m], xb)
            xb = xbuf[:m]
        miss = np.isnan(xb)
        shifted = shifted_buf[:m]
        np.subtract(xb, centre, out=shifted)
        np.copyto(shifted, 0.0, where=miss)
        codes = _small_codes(shifted)
        if codes is not None:
            z = z32[:m]
            z[:, :p] = codes
        else:
            if z64 is None:
                z64 = np.empty((rows, 2 * p))
            z = z64[:m]
            z[:, :p] = shifted
        np.logical_not(miss, out=z[:, p:], casting="unsafe")
        gram += z.T @ z
        sq += (z[:, :p] * z[:, :p]).T @ z[:, p:]
        if visit is not None:
            visit(Block(start, shifted, miss, codes, z))
    n_ij, s_x, s_xy = gram[p:, p:], gram[:p, p:], gram[:p, :p]
    return PairwiseSums(
        n_rows=n,
        centre=centre,
        n_ij=n_ij,
        s_x=s_x,
        s_xx=sq,
        s_xy=s_xy,
        exact=_is_exact(n, n_ij, s_x, sq, s_xy),
    )
