"""Vectorised per-partnership statistics on integer group codes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..stats.grouped import group_moments

__all__ = ["GroupIndex", "group_index", "group_describe", "band_uncertain", "modal_choice"]


@dataclass(frozen=True)
class GroupIndex:
    """Respondents' partnership as integer codes ``0..G-1`` and the sorted names."""

    codes: np.ndarray
    names: list[str]

    @property
    def n_groups(self) -> int:
        return len(self.names)

    def sizes(self) -> np.ndarray:
        return np.bincount(self.codes, minlength=self.n_groups)


def group_index(partnership: pd.Series) -> GroupIndex:
    """Factorise partnership names (sorted, so the order is deterministic)."""
    codes, uniques = pd.factorize(partnership.astype(str), sort=True)
    return GroupIndex(codes=codes.astype(np.int64), names=[str(u) for u in uniques])


def group_describe(
    values: np.ndarray, gi: GroupIndex, *, ci_level: float = 0.95
) -> dict[str, np.ndarray]:
    """n, mean, SD (n − 1) and the t-based CI of the mean, for every group at once.

    Groups with fewer than two values get NaN for SD and CI (and NaN mean with none).
    """
    # the grouped mean and variance of the agreement indices (two passes, as R's var)
    m = group_moments(
        np.asarray(values, dtype=np.float64)[:, None], gi.codes, gi.n_groups, "available"
    )
    n, mean, sd = m.count[:, 0], m.mean[:, 0], np.sqrt(m.var[:, 0])
    with np.errstate(invalid="ignore", divide="ignore"):
        df = np.where(n >= 2, n - 1, np.nan)
        tq = _t_quantile(0.5 + ci_level / 2, df)
        half = tq * sd / np.sqrt(n)
    return {
        "n": n.astype(np.int64),
        "mean": mean,
        "sd": sd,
        "ci_low": mean - half,
        "ci_high": mean + half,
    }


def _t_quantile(p: float, df: np.ndarray) -> np.ndarray:
    """Student t quantile ``scipy.stats.t.ppf(p, df)``, computed once per distinct df.

    ``t.ppf`` is ``scipy.special.stdtrit(df, p)``; group sizes repeat, so 20,000 groups
    need a few dozen evaluations. NaN df (groups of fewer than two) gives NaN.
    """
    from scipy.special import stdtrit

    uniq, inv = np.unique(df, return_inverse=True)
    return stdtrit(uniq, p)[inv.reshape(df.shape)]


def band_uncertain(ci_low: np.ndarray, ci_high: np.ndarray, boundaries: list[float]) -> np.ndarray:
    """True where a confidence interval straddles one of the band ``boundaries``."""
    out = np.zeros(len(ci_low), dtype=bool)
    for b in boundaries:
        out |= (ci_low < b) & (ci_high >= b)
    return out


def modal_choice(values: pd.Series, gi: GroupIndex) -> tuple[list[str | None], np.ndarray]:
    """Most frequent non-missing answer per group (ties → alphabetically first) and its share."""
    s = values.astype("string")
    ok = s.notna().to_numpy() & (s.str.strip().fillna("") != "").to_numpy()
    modes = np.full(gi.n_groups, None, dtype=object)
    share = np.full(gi.n_groups, np.nan)
    if not ok.any():
        return modes.tolist(), share
    frame = pd.DataFrame({"g": gi.codes[ok], "v": s[ok].to_numpy()})
    counts = frame.groupby(["g", "v"], sort=True).size().rename("k").reset_index()
    totals = counts.groupby("g")["k"].transform("sum")
    counts["share"] = counts["k"] / totals
    top = counts.sort_values(["g", "k", "v"], ascending=[True, False, True]).drop_duplicates("g")
    idx = top["g"].to_numpy()
    modes[idx] = top["v"].astype(str).to_numpy()
    share[idx] = top["share"].to_numpy()
    return modes.tolist(), share
