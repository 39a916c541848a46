"""Intraclass correlations: ICC(1)/ICC(2) for respondents nested in groups, and the six
Shrout & Fleiss (1979) forms for a targets x raters table.

* :func:`icc_nested` is the one-way random-effects ANOVA of Bliese (2000) for groups of
  unequal size, vectorised with :func:`numpy.bincount` (no loop over groups); it equals R's
  ``multilevel::ICC1`` / ``multilevel::ICC2`` applied to ``aov(y ~ as.factor(g))``
  (validated against multilevel 2.7).
* :func:`spearman_brown` and :func:`respondents_needed` project the reliability of a group
  mean to another group size.
* :func:`shrout_fleiss_icc` wraps :func:`pingouin.intraclass_corr` (pingouin 0.7) behind
  stable names; validated against R ``psych::ICC(x, lmer = FALSE)`` (psych 2.2.9).
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
from scipy import special as _special

from kemitraan_assess.errors import DataError, InsufficientDataError, KemitraanError
from kemitraan_assess.stats.arrays import numeric_matrix
from kemitraan_assess.stats.results import StatResult

__all__ = [
    "ICCResult",
    "ICCForm",
    "ShroutFleissResult",
    "icc_nested",
    "spearman_brown",
    "respondents_needed",
    "shrout_fleiss_icc",
]


@dataclasses.dataclass(frozen=True)
class ICCResult(StatResult):
    """ICC(1) and ICC(2) of a variable measured on respondents nested in groups.

    Attributes
    ----------
    icc1 : float
        ICC(1): the share of variance due to the group (reliability of one respondent).
    icc2 : float
        ICC(2): the reliability of the group means.
    n_groups : int
        Groups with at least one observation (G).
    n_obs : int
        Observations used (N, NaN rows dropped).
    mean_group_size : float
        N / G, the group size used by ICC(1).
    F, df1, df2, p : float, int, int, float
        The one-way ANOVA test of group differences: F = MSB / MSW on (G - 1, N - G) df.
    ms_between, ms_within : float
        Mean squares between and within groups.
    """

    icc1: float
    icc2: float
    n_groups: int
    n_obs: int
    mean_group_size: float
    F: float
    df1: int
    df2: int
    p: float
    ms_between: float
    ms_within: float


def icc_nested(y: Any, groups: Any) -> ICCResult:
    """ICC(1) and ICC(2) from a one-way ANOVA of ``y`` on groups of unequal size.

    Parameters
    ----------
    y : array-like of shape (n,)
        The variable (an item or a scale score) per respondent; NaN rows are dropped.
    groups : array-like of shape (n,)
        The group (partnership) of each respondent, any labels; rows with a missing label
        are dropped.

    Returns
    -------
    ICCResult

    Raises
    ------
    InsufficientDataError
        Fewer than two groups, or no group with two or more observations (no within-group
        degrees of freedom).

    Notes
    -----
    With N observations in G groups, the mean squares of the one-way ANOVA are
    MSB = sum_g n_g (ybar_g - ybar)^2 / (G - 1) and MSW = sum (y - ybar_g)^2 / (N - G).
    Following Bliese (2000) and ``multilevel::ICC1`` / ``ICC2`` (multilevel 2.7),

    .. math:: ICC(1) = \\frac{MSB - MSW}{MSB + (k - 1) MSW}, \\qquad
              ICC(2) = \\frac{MSB - MSW}{MSB}

    with k = N / G, the mean group size (not the adjusted k0 of some texts). ICC(2) is
    the Spearman-Brown projection of ICC(1) to k respondents, so
    ``spearman_brown(icc1, mean_group_size) == icc2``. Both are negative when groups
    differ less than chance would make them. F, its df and p match ``summary(aov(...))``.

    References
    ----------
    Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability:
    implications for data aggregation and analysis. In K. J. Klein & S. W. J. Kozlowski
    (Eds.), Multilevel theory, research, and methods in organizations (pp. 349-381).
    Jossey-Bass.

    Examples
    --------
    >>> r = icc_nested([3, 4, 4, 2, 3, 5, 5, 4, 1, 2, 2], [1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3])
    >>> # In R: mod <- aov(y ~ as.factor(g)); multilevel::ICC1(mod); multilevel::ICC2(mod)
    >>> round(r.icc1, 4), round(r.icc2, 4), r.df1, r.df2
    (0.1788, 0.4439, 2, 8)
    """
    if isinstance(y, pd.DataFrame) or np.ndim(y) != 1:
        raise DataError(f"y must be one-dimensional, got shape {np.shape(y)}")
    v = numeric_matrix(y, what="values of y", one_d=True)[0][:, 0]
    g = groups if isinstance(groups, (pd.Series, pd.Index, pd.Categorical)) else np.asarray(groups)
    if len(g) != v.size:
        raise DataError(f"groups has {len(g)} entries but y has {v.size}")
    codes, labels = pd.factorize(g, sort=False, use_na_sentinel=True)
    keep = (codes >= 0) & ~np.isnan(v)
    v, codes = v[keep], np.asarray(codes, dtype=np.intp)[keep]
    # keep only groups that have an observation, renumbered 0..G-1
    present = np.bincount(codes, minlength=len(labels)) > 0
    codes = (np.cumsum(present) - 1)[codes]
    n_groups, n_obs = int(present.sum()), v.size
    if n_groups < 2 or n_obs - n_groups < 1:
        raise InsufficientDataError(
            f"ICC needs at least 2 groups and one group with 2 or more observations; got "
            f"{n_obs} observations in {n_groups} groups",
            n=n_obs,
            required=n_groups + 1,
        )
    size = np.bincount(codes, minlength=n_groups)
    means = np.bincount(codes, weights=v, minlength=n_groups) / size
    grand = v.mean()
    dev = v - means[codes]
    ss_within = float(np.dot(dev, dev))
    ss_between = float(np.dot(size, (means - grand) ** 2))
    df1, df2 = n_groups - 1, n_obs - n_groups
    msb, msw = ss_between / df1, ss_within / df2
    k = n_obs / n_groups
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.float64(msb) / np.float64(msw)
        icc1 = (msb - msw) / np.float64(msb + (k - 1) * msw)
        icc2 = (msb - msw) / np.float64(msb)
    # the F upper tail, scipy.stats.f.sf(f, df1, df2), without importing scipy.stats (~0.6 s)
    p = float(_special.fdtrc(df1, df2, f)) if np.isfinite(f) else float("nan")
    return ICCResult(
        float(icc1),
        float(icc2),
        int(n_groups),
        int(n_obs),
        float(k),
        float(f),
        int(df1),
        int(df2),
        p,
        msb,
        msw,
    )


def spearman_brown(icc1: Any, k: Any) -> Any:
    """Reliability of a mean of k respondents, projected from ICC(1) (Spearman-Brown).

    Parameters
    ----------
    icc1 : float or array-like
        ICC(1), the reliability of one respondent.
    k : float or array-like
        Group size(s).

    Returns
    -------
    float or numpy.ndarray
        ICC(2) expected for groups of k: :math:`k\\,ICC(1) / (1 + (k - 1) ICC(1))`.

    Notes
    -----
    Bliese (2000, eq. 4); at k = N / G this equals the ICC(2) of :func:`icc_nested`.

    Examples
    --------
    >>> round(spearman_brown(0.10, 21), 4)
    0.7
    """
    icc = np.asarray(icc1, dtype=np.float64)
    kk = np.asarray(k, dtype=np.float64)
    if np.any(kk < 1):
        raise DataError("group size k must be at least 1")
    out = kk * icc / (1 + (kk - 1) * icc)
    return float(out) if out.ndim == 0 else out


def respondents_needed(icc1: float, target: float = 0.70) -> int | None:
    """Smallest group size whose mean reaches a reliability (ICC(2)) of ``target``.

    Parameters
    ----------
    icc1 : float
        ICC(1) of the variable.
    target : float
        The ICC(2) wanted, in (0, 1); 0.70 by default (the usual threshold for reporting
        group means, Bliese 2000; LeBreton & Senter 2008).

    Returns
    -------
    int or None
        :math:`\\lceil t(1 - ICC(1)) / (ICC(1)(1 - t)) \\rceil`, the Spearman-Brown formula
        solved for k (at least 1). The ratio is rounded to 9 decimals before the ceiling
        so that an exact k (21 for ICC(1) = .10, t = .70) is not pushed up by float error.
        ``None`` when ICC(1) <= 0 or is NaN: no group size makes the group means reliable
        (or it cannot be told), which a report should say in words.

    Raises
    ------
    DataError
        ``target`` not in (0, 1).

    Examples
    --------
    >>> respondents_needed(0.10)
    21
    >>> respondents_needed(0.25, target=0.80)
    12
    >>> respondents_needed(-0.02) is None
    True
    """
    if not (0 < target < 1):
        raise DataError(f"target reliability must lie in (0, 1), got {target!r}")
    icc = float(icc1)
    if not icc > 0:  # also NaN
        return None
    if icc >= 1:
        return 1
    k = target * (1 - icc) / (icc * (1 - target))
    return max(1, math.ceil(round(k, 9)))


# --------------------------------------------------------------------------- Shrout & Fleiss

#: pingouin 0.7 labels -> Shrout & Fleiss (1979) / psych::ICC names and descriptions.
_PINGOUIN_FORMS: dict[str, tuple[str, str]] = {
    "ICC(1,1)": ("ICC1", "single rater, one-way random (absolute agreement)"),
    "ICC(A,1)": ("ICC2", "single rater, two-way random raters (absolute agreement)"),
    "ICC(C,1)": ("ICC3", "single rater, two-way fixed raters (consistency)"),
    "ICC(1,k)": ("ICC1k", "mean of k raters, one-way random (absolute agreement)"),
    "ICC(A,k)": ("ICC2k", "mean of k raters, two-way random raters (absolute agreement)"),
    "ICC(C,k)": ("ICC3k", "mean of k raters, two-way fixed raters (consistency)"),
}
FORMS: tuple[str, ...] = tuple(name for name, _ in _PINGOUIN_FORMS.values())


@dataclasses.dataclass(frozen=True)
class ICCForm(StatResult):
    """One Shrout & Fleiss ICC form.

    Attributes
    ----------
    form : str
        ``ICC1``, ``ICC2``, ``ICC3``, ``ICC1k``, ``ICC2k`` or ``ICC3k`` (psych's names;
        Shrout & Fleiss ICC(1,1), (2,1), (3,1), (1,k), (2,k), (3,k)).
    description : str
        Model and unit in words.
    value : float
        The ICC.
    F, df1, df2, p : float, int, int, float
        Its F test against ICC = 0.
    ci95 : tuple of float
        95 % confidence interval (McGraw & Wong 1996), not rounded.
    """

    form: str
    description: str
    value: float
    F: float
    df1: int
    df2: int
    p: float
    ci95: tuple[float, float]


@dataclasses.dataclass(frozen=True)
class ShroutFleissResult(StatResult):
    """The six Shrout & Fleiss ICC forms of a targets x raters table.

    Attributes
    ----------
    forms : tuple of ICCForm
        In the order ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k.
    n_targets : int
        Targets (rows) used, after dropping targets with a missing rating.
    n_raters : int
        Raters (columns), k.
    """

    forms: tuple[ICCForm, ...]
    n_targets: int
    n_raters: int

    def __getitem__(self, form: str) -> ICCForm:
        for f in self.forms:
            if f.form == form:
                return f
        raise KeyError(f"unknown ICC form {form!r}; forms are {', '.join(FORMS)}")

    def to_frame(self) -> pd.DataFrame:
        """One row per form with columns value, F, df1, df2, p, ci95_low, ci95_high."""
        rows = [
            {
                "form": f.form,
                "value": f.value,
                "F": f.F,
                "df1": f.df1,
                "df2": f.df2,
                "p": f.p,
                "ci95_low": f.ci95[0],
                "ci95_high": f.ci95[1],
            }
            for f in self.forms
        ]
        return pd.DataFrame(rows).set_index("form")


@contextlib.contextmanager
def _pingouin_unrounded() -> Iterator[None]:
    """pingouin rounds its CI95 column to 2 decimals by default; turn that off for a call."""
    import pingouin

    saved = dict(pingouin.options)
    pingouin.options["round"] = None
    pingouin.options["round.column.CI95"] = None
    try:
        yield
    finally:
        pingouin.options.clear()
        pingouin.options.update(saved)


def shrout_fleiss_icc(ratings: Any) -> ShroutFleissResult:
    """The six Shrout & Fleiss (1979) ICCs of a targets x raters table.

    Parameters
    ----------
    ratings : array-like of shape (n_targets, n_raters)
        One row per target (a partnership, a document, a case), one column per rater, as
        R's ``psych::ICC``. Targets with a missing rating are dropped (listwise), as
        pingouin does.

    Returns
    -------
    ShroutFleissResult
        ``result["ICC2"].value``, ``result.to_frame()``.

    Raises
    ------
    InsufficientDataError
        Fewer than 2 complete targets or fewer than 2 raters.

    Notes
    -----
    From the two-way ANOVA mean squares MSB (targets), MSJ (raters), MSE (residual) and
    MSW (within targets) of a table with n targets and k raters:
    ICC1 = (MSB - MSW)/(MSB + (k-1)MSW); ICC2 = (MSB - MSE)/(MSB + (k-1)MSE + k(MSJ - MSE)/n);
    ICC3 = (MSB - MSE)/(MSB + (k-1)MSE); ICC1k = (MSB - MSW)/MSB;
    ICC2k = (MSB - MSE)/(MSB + (MSJ - MSE)/n); ICC3k = (MSB - MSE)/MSB.
    Computed by :func:`pingouin.intraclass_corr` (pingouin 0.7 labels ICC(1,1), ICC(A,1),
    ICC(C,1), ICC(1,k), ICC(A,k), ICC(C,k), mapped here to psych's names) with its CI
    rounding turned off. Validated against R ``psych::ICC(x, lmer = FALSE)`` (psych 2.2.9)
    and Shrout & Fleiss (1979, Table 2). For respondents nested in partnerships of unequal
    size use :func:`icc_nested` instead.

    References
    ----------
    Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater
    reliability. Psychological Bulletin, 86(2), 420-428.

    McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some intraclass
    correlation coefficients. Psychological Methods, 1(1), 30-46.

    Examples
    --------
    >>> sf = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
    >>> r = shrout_fleiss_icc(sf)  # In R: psych::ICC(sf, lmer = FALSE)
    >>> [round(f.value, 2) for f in r.forms]
    [0.17, 0.29, 0.71, 0.44, 0.62, 0.91]
    """
    import pingouin

    arr, raters = numeric_matrix(ratings, what="ratings (a 2-D targets x raters table)")
    table = pd.DataFrame(arr, columns=list(raters))
    table = table.dropna(axis=0, how="any")
    n_targets, n_raters = table.shape
    if n_targets < 2 or n_raters < 2:
        raise InsufficientDataError(
            f"Shrout & Fleiss ICCs need at least 2 complete targets and 2 raters; got "
            f"{n_targets} x {n_raters}",
            n=n_targets,
            required=2,
        )
    long = pd.DataFrame(
        {
            "target": np.repeat(np.arange(n_targets), n_raters),
            "rater": np.tile(np.arange(n_raters), n_targets),
            "rating": table.to_numpy().ravel(),
        }
    )
    with _pingouin_unrounded(), warnings.catch_warnings():
        # pingouin 0.7 calls DataFrame.dropna(inplace=True), deprecated in pandas 3.1
        warnings.filterwarnings("ignore", message=".*inplace keyword.*", category=Warning)
        res = pingouin.intraclass_corr(long, targets="target", raters="rater", ratings="rating")
    by_label = {str(row["Type"]): row for _, row in res.iterrows()}
    if set(by_label) != set(_PINGOUIN_FORMS):
        raise KemitraanError(
            f"unexpected pingouin.intraclass_corr labels {sorted(by_label)}; this wrapper "
            "expects pingouin 0.7"
        )
    forms = []
    for label, (name, description) in _PINGOUIN_FORMS.items():
        row = by_label[label]
        low, high = (float(v) for v in row["CI95"])
        forms.append(
            ICCForm(
                name,
                description,
                float(row["ICC"]),
                float(row["F"]),
                int(row["df1"]),
                int(row["df2"]),
                float(row["pval"]),
                (low, high),
            )
        )
    return ShroutFleissResult(tuple(forms), int(n_targets), int(n_raters))
