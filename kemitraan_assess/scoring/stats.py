"""Per-partnership statistics the reports show: wave differences, sector means, item shares.

Computed here, once, so ``report/`` only formats them.

**Waves.** When the data has a wave column (an instrument field with role ``wave``: a round number,
a label or an ISO date), a partnership's report compares its latest wave with the one
before: for each scale, the difference of the wave means and a Welch confidence
interval of that difference (respondents in two waves need not be the same people, and
the two variances need not be equal).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import stdtrit

from ..errors import InsufficientDataError

__all__ = [
    "WaveDifference",
    "WaveComparison",
    "SectorMean",
    "ItemDistribution",
    "welch_difference",
    "order_waves",
    "wave_change",
    "sector_means",
    "item_distribution",
    "RatingSplit",
    "rating_split",
]


@dataclass(frozen=True)
class WaveDifference:
    """Difference ``mean_current - mean_previous`` with its Welch CI."""

    n_previous: int
    n_current: int
    mean_previous: float
    mean_current: float
    difference: float
    ci_low: float
    ci_high: float
    df: float
    ci_level: float

    def to_dict(self) -> dict[str, float | int | list[float]]:
        return {
            "n_previous": self.n_previous,
            "n_current": self.n_current,
            "mean_previous": self.mean_previous,
            "mean_current": self.mean_current,
            "difference": self.difference,
            "ci": [self.ci_low, self.ci_high],
            "df": self.df,
            "ci_level": self.ci_level,
        }


@dataclass(frozen=True)
class WaveComparison:
    """The last two waves of one partnership.

    ``comparable`` is False when either wave has fewer respondents than the
    confidentiality minimum; ``differences`` is then empty. A scale whose difference
    cannot be computed maps to None.
    """

    previous: str
    current: str
    n_previous: int
    n_current: int
    comparable: bool
    differences: tuple[tuple[str, WaveDifference | None], ...]


@dataclass(frozen=True)
class SectorMean:
    """A scale's mean among one partnership's respondents of one sector."""

    sector: str
    n: int
    total: float

    @property
    def mean(self) -> float:
        return self.total / self.n if self.n else math.nan


def sector_means(scale_scores: np.ndarray, sectors: np.ndarray) -> tuple[SectorMean, ...]:
    """n and sum of the scale scores per sector (NaN scores left out), sorted by sector.

    The sums let a report pool hidden sectors into one mean without the raw scores:
    ``sum(total) / sum(n)``.
    """
    vals = np.asarray(scale_scores, dtype=float)
    ok = ~np.isnan(vals)
    if not ok.any():
        return ()
    codes, uniques = pd.factorize(pd.Series(sectors[ok], dtype=object), sort=True)
    n = np.bincount(codes, minlength=len(uniques))
    tot = np.bincount(codes, weights=vals[ok], minlength=len(uniques))
    return tuple(
        SectorMean(str(u), int(k), float(t)) for u, k, t in zip(uniques, n, tot, strict=True)
    )


def pooled_mean(parts: Sequence[SectorMean]) -> float:
    """The mean of the scores of several sectors together."""
    n = sum(p.n for p in parts)
    return sum(p.total for p in parts) / n if n else math.nan


@dataclass(frozen=True)
class ItemDistribution:
    """Answers to one item in one partnership, and the favourable / unfavourable shares.

    ``counts`` are raw answers per option, lowest code first. ``favourable`` is the share
    of answers on the side that is good for the partnership: agreeing with a positively
    worded statement, disagreeing with a reverse-keyed one (marked (−)).
    ``keyed_counts`` are the counts with reverse-keyed items flipped, so the last
    option is always the most favourable.
    """

    item_id: str
    reverse: bool
    counts: tuple[int, ...]

    @property
    def n(self) -> int:
        return int(sum(self.counts))

    @property
    def keyed_counts(self) -> tuple[int, ...]:
        return tuple(reversed(self.counts)) if self.reverse else self.counts

    def _share(self, part: Sequence[int]) -> float | None:
        return sum(part) / self.n if self.n else None

    @property
    def favourable(self) -> float | None:
        k = self.keyed_counts
        return self._share(k[len(k) - len(k) // 2 :])

    @property
    def unfavourable(self) -> float | None:
        k = self.keyed_counts
        return self._share(k[: len(k) // 2])

    @property
    def neutral(self) -> float | None:
        k = self.keyed_counts
        return self._share(k[len(k) // 2 : len(k) - len(k) // 2])


def item_distribution(
    item_id: str, values: np.ndarray, lo: int, hi: int, *, reverse: bool
) -> ItemDistribution:
    """Counts of the answers ``lo..hi`` in ``values`` (NaN and out-of-range ignored)."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    v = v[(v >= lo) & (v <= hi)]
    counts = np.bincount((v - lo).astype(np.int64), minlength=hi - lo + 1)
    return ItemDistribution(item_id, bool(reverse), tuple(int(c) for c in counts))


def welch_difference(
    previous: np.ndarray, current: np.ndarray, *, ci_level: float = 0.95
) -> WaveDifference:
    """Difference of two means with the Welch (unequal variances) t interval.

    Parameters
    ----------
    previous, current
        Scores of the respondents of each wave (NaN ignored).
    ci_level
        Confidence level of the interval.

    Returns
    -------
    WaveDifference

    Raises
    ------
    InsufficientDataError
        When a wave has fewer than two scores.

    Notes
    -----
    :math:`d = \\bar x_2 - \\bar x_1`, :math:`SE = \\sqrt{s_1^2/n_1 + s_2^2/n_2}`, and
    Welch–Satterthwaite degrees of freedom
    :math:`\\nu = SE^4 / \\big((s_1^2/n_1)^2/(n_1-1) + (s_2^2/n_2)^2/(n_2-1)\\big)`;
    the interval is :math:`d \\pm t_{1-\\alpha/2,\\nu} SE` (Welch 1947). Validated
    against R ``t.test(current, previous, var.equal = FALSE)$conf.int``.

    References
    ----------
    Welch, B. L. (1947). The generalization of "Student's" problem when several
    different population variances are involved. *Biometrika*, 34, 28–35.

    Examples
    --------
    >>> d = welch_difference(np.array([3.0, 3.5, 2.5, 3.0]), np.array([4.0, 3.5, 4.5, 4.0, 3.5]))
    >>> round(d.difference, 4), round(d.ci_low, 4), round(d.ci_high, 4)
    (0.9, 0.238, 1.562)
    >>> # In R: t.test(c(4, 3.5, 4.5, 4, 3.5), c(3, 3.5, 2.5, 3))$conf.int
    """
    a = np.asarray(previous, dtype=float)
    b = np.asarray(current, dtype=float)
    a = a[~np.isnan(a)]
    b = b[~np.isnan(b)]
    if len(a) < 2 or len(b) < 2:
        raise InsufficientDataError(
            f"a wave difference needs at least 2 scores per wave (got {len(a)} and {len(b)})",
            n=int(min(len(a), len(b))),
            required=2,
        )
    va = a.var(ddof=1) / len(a)
    vb = b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    diff = float(b.mean() - a.mean())
    if se == 0:
        df = float(len(a) + len(b) - 2)
        lo = hi = diff
    else:
        df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
        # stdtrit is the t quantile scipy.stats.t.ppf calls (scipy.stats is slow to import)
        half = float(stdtrit(df, 0.5 + ci_level / 2)) * se
        lo, hi = diff - half, diff + half
    return WaveDifference(
        n_previous=len(a),
        n_current=len(b),
        mean_previous=float(a.mean()),
        mean_current=float(b.mean()),
        difference=diff,
        ci_low=lo,
        ci_high=hi,
        df=float(df),
        ci_level=ci_level,
    )


def order_waves(values: pd.Series) -> list[str]:
    """Distinct wave labels in time order: numerically when all are numbers, else as text.

    ISO dates (``2025-03``) sort correctly as text.

    Examples
    --------
    >>> order_waves(pd.Series(["10", "2", "2", None]))
    ['2', '10']
    >>> order_waves(pd.Series(["2025-11", "2025-03"]))
    ['2025-03', '2025-11']
    """
    s = values.dropna().astype(str).str.strip()
    s = s[s != ""]
    labels = sorted(set(s))
    num = pd.to_numeric(pd.Series(labels, dtype="object"), errors="coerce")
    if len(labels) and num.notna().all():
        return [lab for _, lab in sorted(zip(num.tolist(), labels, strict=True))]
    return labels


def wave_change(
    rows: pd.DataFrame,
    wave_col: str,
    scale_ids: Sequence[str],
    *,
    min_group_size: int,
    ci_level: float = 0.95,
) -> WaveComparison | None:
    """Change between the last two waves of one partnership.

    Parameters
    ----------
    rows
        The partnership's respondents (columns ``wave_col`` and the scale ids).
    wave_col
        Column of the wave labels.
    scale_ids
        Scales (and ``readiness``) to compare.
    min_group_size
        A wave with fewer respondents is not compared (confidentiality and stability).
    ci_level
        Confidence level.

    Returns
    -------
    WaveComparison or None
        ``None`` when there are fewer than two waves.
    """
    if wave_col not in rows.columns:
        return None
    waves = order_waves(rows[wave_col])
    if len(waves) < 2:
        return None
    prev, cur = waves[-2], waves[-1]
    labels = rows[wave_col].astype("string").str.strip()
    m_prev = (labels == prev).fillna(False).to_numpy(dtype=bool)
    m_cur = (labels == cur).fillna(False).to_numpy(dtype=bool)
    n_prev, n_cur = int(m_prev.sum()), int(m_cur.sum())
    comparable = n_prev >= min_group_size and n_cur >= min_group_size
    diffs: list[tuple[str, WaveDifference | None]] = []
    if comparable:
        for sid in scale_ids:
            if sid not in rows.columns:
                continue
            v = rows[sid].to_numpy(dtype=float)
            try:
                diffs.append((sid, welch_difference(v[m_prev], v[m_cur], ci_level=ci_level)))
            except InsufficientDataError:
                diffs.append((sid, None))
    return WaveComparison(prev, cur, n_prev, n_cur, bool(comparable), tuple(diffs))


@dataclass(frozen=True)
class RatingSplit:
    """How many members rate a scale low and how many high: a divided partnership's split
    in members' terms (the alert on page 1 words it; a standard deviation is not read).

    The cut points are the instrument's band limits, so "low" and "high" mean what the
    bands mean: a member rates low when their scale score falls in the lowest band
    (below ``low_below``, e.g. 3.0, the lower limit of the band above it) and high when it
    falls in the top band (``high_from`` or more, e.g. 4.0, the top band's lower limit).
    Scores are compared as the reports print them (two decimals), as the bands of means
    are. Members between the two cut points count in ``n`` only.
    """

    n: int
    low: int
    high: int
    low_below: float
    high_from: float


def rating_split(
    scale_scores: np.ndarray, low_below: float, high_from: float, half_unit: float = 0.0
) -> RatingSplit:
    """Count the respondents' scale scores below ``low_below`` and at or above
    ``high_from`` (NaN scores left out); ``half_unit`` is the rounding tolerance of the
    printed precision (a score printed as 3,00 is not low)."""
    v = np.asarray(scale_scores, dtype=float)
    v = v[~np.isnan(v)]
    return RatingSplit(
        n=int(v.size),
        low=int(np.count_nonzero(v < low_below - half_unit)),
        high=int(np.count_nonzero(v >= high_from - half_unit)),
        low_below=float(low_below),
        high_from=float(high_from),
    )
