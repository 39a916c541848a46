"""Change since the previous survey wave, with the confidence interval of the difference.

When the data has a wave column (an instrument field with role ``wave``: a round number,
a label or an ISO date), a partnership's report compares its latest wave with the one
before: for each scale, the difference of the wave means and a Welch confidence
interval of that difference (respondents in two waves need not be the same people, and
the two variances need not be equal).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import stdtrit

from ..errors import InsufficientDataError

__all__ = ["WaveDifference", "welch_difference", "order_waves", "wave_change"]


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


def welch_difference(previous: np.ndarray, current: np.ndarray, *, ci_level: float = 0.95) -> WaveDifference:
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
) -> dict[str, Any] | None:
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
    dict or None
        ``None`` when there are fewer than two waves. Otherwise ``previous``,
        ``current`` (labels), ``n_previous``, ``n_current``, ``comparable`` (both waves
        reach the minimum) and ``scales``: scale id → :meth:`WaveDifference.to_dict`
        (or None when not computable).
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
    out: dict[str, object] = {
        "previous": prev,
        "current": cur,
        "n_previous": int(m_prev.sum()),
        "n_current": int(m_cur.sum()),
        "comparable": bool(m_prev.sum() >= min_group_size and m_cur.sum() >= min_group_size),
        "scales": {},
    }
    if not out["comparable"]:
        return out
    scales: dict[str, object] = {}
    for sid in scale_ids:
        if sid not in rows.columns:
            continue
        v = rows[sid].to_numpy(dtype=float)
        try:
            scales[sid] = welch_difference(v[m_prev], v[m_cur], ci_level=ci_level).to_dict()
        except InsufficientDataError:
            scales[sid] = None
    out["scales"] = scales
    return out
