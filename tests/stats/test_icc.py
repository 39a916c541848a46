"""Tests for kemitraan_assess.stats.icc.

Golden values: tests/reference/agreement/nested_survey.json and shrout_fleiss.json, written
by tests/reference/ref_agreement.R (multilevel 2.7, psych 2.2.9, jsonlite 1.8.4; 15
significant digits). Closed forms: rel=1e-6.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin
import pytest

from kemitraan_assess.errors import DataError, InsufficientDataError
from kemitraan_assess.stats.icc import (
    icc_nested,
    respondents_needed,
    shrout_fleiss_icc,
    spearman_brown,
)

REF = Path(__file__).resolve().parents[1] / "reference"
GOLDEN = json.loads((REF / "agreement" / "nested_survey.json").read_text())
SF = json.loads((REF / "agreement" / "shrout_fleiss.json").read_text())
SURVEY = pd.read_csv(REF / "data" / "nested_survey.csv")
REL = 1e-6


def _variable(name: str) -> pd.Series:
    if name in GOLDEN["scales"]:
        # R: rowMeans(x, na.rm = TRUE) (NaN when a respondent answered no item of the scale)
        return SURVEY[GOLDEN["scales"][name]["items"]].mean(axis=1)
    return SURVEY[name]


# --------------------------------------------------------------------------- icc_nested


@pytest.mark.parametrize("name", list(GOLDEN["icc"]))
def test_icc_nested_matches_multilevel_and_aov(name):
    g = GOLDEN["icc"][name]
    r = icc_nested(_variable(name), SURVEY["partnership"])
    # R: mod <- aov(y ~ as.factor(partnership)); multilevel::ICC1(mod); multilevel::ICC2(mod)
    # (multilevel 2.7)
    assert r.icc1 == pytest.approx(g["icc1"], rel=REL)
    assert r.icc2 == pytest.approx(g["icc2"], rel=REL)
    # R: summary(mod)[[1]]: F value, Df, Pr(>F), Mean Sq  (stats, R 4.x)
    assert r.F == pytest.approx(g["F"], rel=REL)
    assert r.p == pytest.approx(g["p"], rel=REL)
    assert (r.df1, r.df2) == (g["df1"], g["df2"])
    assert r.ms_between == pytest.approx(g["ms_between"], rel=REL)
    assert r.ms_within == pytest.approx(g["ms_within"], rel=REL)
    assert (r.n_obs, r.n_groups) == (g["n_obs"], g["n_groups"])
    assert r.mean_group_size == pytest.approx(g["n_obs"] / g["n_groups"], rel=1e-12)


def test_icc2_is_spearman_brown_of_icc1_at_mean_group_size():
    # Bliese (2000): ICC(2) is ICC(1) stepped up to k = N / G by Spearman-Brown
    r = icc_nested(_variable("COMM"), SURVEY["partnership"])
    assert spearman_brown(r.icc1, r.mean_group_size) == pytest.approx(r.icc2, rel=1e-12)


def test_nan_rows_and_ungrouped_rows_are_dropped():
    y = np.array([3, 4, 4, np.nan, 2, 3, 5, 5, 4, 1, 2, 2, 5, 4], dtype=float)
    g = np.array([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 9, None], dtype=object)
    g[12] = 4
    y[12] = np.nan  # group 4 has no observation: not counted
    r = icc_nested(y, g)
    # In R: multilevel::ICC1(aov(y ~ as.factor(g))) on the 11 complete rows -> 0.1787839
    assert r.icc1 == pytest.approx(0.1787839, rel=1e-6)
    assert r.icc2 == pytest.approx(0.4439058, rel=1e-6)
    assert (r.n_obs, r.n_groups, r.df1, r.df2) == (11, 3, 2, 8)


def test_icc_nested_insufficient_data():
    with pytest.raises(InsufficientDataError, match="at least 2 groups"):
        icc_nested([1.0, 2.0, 3.0], [0, 0, 0])
    with pytest.raises(InsufficientDataError):
        icc_nested([1.0, 2.0, 3.0], [0, 1, 2])  # no within-group df
    with pytest.raises(DataError, match="one-dimensional"):
        icc_nested([[1.0, 2.0]], [0])
    with pytest.raises(DataError, match="groups has 2 entries"):
        icc_nested([1.0, 2.0, 3.0], [0, 1])


def test_icc_result_serialises():
    d = icc_nested(_variable("GOL"), SURVEY["partnership"]).to_dict()
    assert set(d) == {
        "icc1",
        "icc2",
        "n_groups",
        "n_obs",
        "mean_group_size",
        "F",
        "df1",
        "df2",
        "p",
        "ms_between",
        "ms_within",
    }


# --------------------------------------------------------------------------- projections


def test_spearman_brown_and_respondents_needed():
    # k ICC1 / (1 + (k - 1) ICC1): ICC(1) = .10 needs 21 respondents for ICC(2) = .70
    # (.7 x .9 / (.1 x .3) = 21 exactly; Bliese 2000)
    assert spearman_brown(0.10, 21) == pytest.approx(0.70, rel=1e-12)
    assert respondents_needed(0.10) == 21
    np.testing.assert_allclose(spearman_brown(0.2, np.array([1, 4])), [0.2, 0.5], rtol=1e-12)
    for icc1 in np.linspace(0.01, 0.9, 37):
        for target in (0.5, 0.7, 0.8, 0.9):
            k = respondents_needed(float(icc1), target)
            assert spearman_brown(icc1, k) >= target - 1e-9
            if k > 1:
                assert spearman_brown(icc1, k - 1) < target
    # ICC(1) <= 0 or undefined: no group size makes the means reliable
    assert respondents_needed(-0.05) is None
    assert respondents_needed(0.0) is None
    assert respondents_needed(float("nan")) is None
    assert respondents_needed(1.0) == 1
    with pytest.raises(DataError, match="target"):
        respondents_needed(0.1, target=1.0)
    with pytest.raises(DataError, match="at least 1"):
        spearman_brown(0.1, 0)


# --------------------------------------------------------------------------- Shrout & Fleiss

SF_TABLE = np.array(SF["ratings"], dtype=float)  # Shrout & Fleiss (1979) Table 1 (psychTools::sf)


def test_shrout_fleiss_published_table_2():
    # Shrout & Fleiss (1979, Table 2), printed to two decimals: abs tolerance 0.005
    published = {
        "ICC1": 0.17,
        "ICC2": 0.29,
        "ICC3": 0.71,
        "ICC1k": 0.44,
        "ICC2k": 0.62,
        "ICC3k": 0.91,
    }
    r = shrout_fleiss_icc(SF_TABLE)
    assert [f.form for f in r.forms] == list(published)
    for form, value in published.items():
        assert r[form].value == pytest.approx(value, abs=0.005)
    assert (r.n_targets, r.n_raters) == (6, 4)


def test_shrout_fleiss_matches_psych_icc():
    r = shrout_fleiss_icc(pd.DataFrame(SF_TABLE, columns=["J1", "J2", "J3", "J4"]))
    # R: psych::ICC(sf, lmer = FALSE)$results  (psych 2.2.9): ICC, F, df1, df2, p and the
    # lower/upper bounds, in the order ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k
    assert [f.form for f in r.forms] == SF["type"]
    for i, f in enumerate(r.forms):
        assert f.value == pytest.approx(SF["ICC"][i], rel=REL)
        assert f.F == pytest.approx(SF["F"][i], rel=REL)
        assert (f.df1, f.df2) == (SF["df1"][i], SF["df2"][i])
        assert f.p == pytest.approx(SF["p"][i], rel=REL)
        assert f.ci95[0] == pytest.approx(SF["lower"][i], rel=REL)
        assert f.ci95[1] == pytest.approx(SF["upper"][i], rel=REL)
    frame = r.to_frame()
    assert list(frame.columns) == ["value", "F", "df1", "df2", "p", "ci95_low", "ci95_high"]
    assert list(frame.index) == SF["type"]


def test_shrout_fleiss_drops_incomplete_targets_and_restores_pingouin_options():
    before = dict(pingouin.options)
    with_missing = np.vstack([SF_TABLE, [3.0, np.nan, 4.0, 5.0]])
    r = shrout_fleiss_icc(with_missing)
    assert r.n_targets == 6
    assert r["ICC3"].value == pytest.approx(SF["ICC"][2], rel=REL)
    assert pingouin.options == before
    with pytest.raises(KeyError, match="unknown ICC form"):
        r["ICC4"]
    with pytest.raises(InsufficientDataError):
        shrout_fleiss_icc([[1.0, 2.0]])
    with pytest.raises(DataError, match="2-D"):
        shrout_fleiss_icc([1.0, 2.0])
