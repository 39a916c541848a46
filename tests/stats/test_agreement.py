"""Tests for kemitraan_assess.stats.agreement against R multilevel 2.7 golden values.

Golden values: tests/reference/agreement/*.json, written by tests/reference/ref_agreement.R
(R 4.x, multilevel 2.7, jsonlite 1.8.4; 15 significant digits). Closed forms: rel=1e-6.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kemitraan_assess.errors import DataError, InsufficientDataError
from kemitraan_assess.stats.agreement import (
    NULL_DISTRIBUTIONS,
    GroupAgreement,
    ad_by_group,
    awg_by_group,
    null_variance,
    rwg,
    rwg_by_group,
    rwg_j,
    rwg_j_by_group,
)

REF = Path(__file__).resolve().parents[1] / "reference"
GOLDEN = json.loads((REF / "agreement" / "nested_survey.json").read_text())
EDGE = json.loads((REF / "agreement" / "edge.json").read_text())
SURVEY = pd.read_csv(REF / "data" / "nested_survey.csv")
EDGE_DATA = pd.read_csv(REF / "agreement" / "edge.csv")
SCALES = list(GOLDEN["scales"])
NULLS = list(GOLDEN["nulls"])
REL = 1e-6


def _values(v: object) -> np.ndarray:
    return np.array([np.nan if a is None else a for a in np.atleast_1d(v)], dtype=float)


def assert_matches_r(result: GroupAgreement, golden: dict) -> None:
    """Compare per group, aligned by label.

    R's split() on a character grpid omits groups left without rows (after listwise
    deletion); we keep them with n = 0 and NaN, which is checked here too.
    """
    frame = result.to_frame()
    ids = [str(g) for g in np.atleast_1d(golden["grpid"])]
    extra = frame.drop(index=ids)
    assert (extra["n"] == 0).all()
    assert extra[result.statistic].isna().all()
    frame = frame.loc[ids]
    np.testing.assert_array_equal(frame["n"].to_numpy(), np.atleast_1d(golden["n"]))
    expected = _values(golden["value"])
    np.testing.assert_array_equal(np.isnan(frame[result.statistic].to_numpy()), np.isnan(expected))
    ok = ~np.isnan(expected)
    assert frame[result.statistic].to_numpy()[ok] == pytest.approx(expected[ok], rel=REL, abs=1e-12)


# --------------------------------------------------------------------------- null variances


def test_uniform_null_is_a_squared_minus_one_over_twelve():
    # James, Demaree & Wolf (1984): sigma_EU^2 = (A^2 - 1) / 12
    assert null_variance(5) == pytest.approx(2.0, rel=1e-12)
    assert null_variance(7) == pytest.approx(4.0, rel=1e-12)
    assert null_variance(4) == pytest.approx(15 / 12, rel=1e-12)
    assert null_variance(11, "uniform") == pytest.approx(10.0, rel=1e-12)


@pytest.mark.parametrize(
    ("null", "proportions"),
    [
        # James, Demaree & Wolf (1984, p. 94) response-bias distributions for A = 5,
        # reproduced by LeBreton & Senter (2008, Table 3) as 1.34, 0.90, 0.44 and 1.32.
        ("slight_skew", [0.05, 0.15, 0.20, 0.35, 0.25]),
        ("moderate_skew", [0.00, 0.10, 0.15, 0.40, 0.35]),
        ("heavy_skew", [0.00, 0.00, 0.10, 0.40, 0.50]),
        ("triangular", [0.11, 0.22, 0.34, 0.22, 0.11]),
    ],
)
def test_skewed_nulls_for_five_options_follow_their_distributions(null, proportions):
    p = np.array(proportions)
    x = np.arange(1, 6)
    variance = p @ x**2 - (p @ x) ** 2
    # the table prints two decimals, so agreement is to 0.005
    assert null_variance(5, null) == pytest.approx(variance, abs=0.005)


def test_table3_values_and_golden_nulls():
    # LeBreton & Senter (2008, Table 3), as printed
    assert null_variance(7, "slight_skew") == 2.90
    assert null_variance(7, "heavy_skew") == 1.39
    assert null_variance(9, "moderate_skew") == 4.73
    assert null_variance(11, "triangular") == 3.32
    for name, value in GOLDEN["nulls"].items():  # the ranvar values given to multilevel
        assert null_variance(5, name) == pytest.approx(value, rel=1e-12)
    assert set(NULL_DISTRIBUTIONS) == set(GOLDEN["nulls"])


def test_null_variance_errors_and_custom_values():
    with pytest.raises(DataError, match="no 'heavy_skew' null variance for 4 response options"):
        null_variance(4, "heavy_skew")
    with pytest.raises(DataError, match="unknown null distribution"):
        null_variance(5, "lognormal")
    with pytest.raises(DataError, match="n_options"):
        null_variance(1)
    with pytest.raises(DataError, match="positive"):
        null_variance(5, -1.0)
    assert null_variance(5, 1.5) == 1.5
    r = rwg_j_by_group([1.0, 2.0, 3.0], [0, 0, 0], 5, null=1.5)
    assert r.null == "custom" and r.null_variance == 1.5


# --------------------------------------------------------------------------- golden: survey


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("null", NULLS)
def test_rwg_j_matches_multilevel(scale, null):
    block = GOLDEN["scales"][scale]
    X = SURVEY[block["items"]]
    # R: multilevel::rwg.j(x, partnership, ranvar = null)  (multilevel 2.7)
    assert_matches_r(rwg_j_by_group(X, SURVEY["partnership"], 5, null=null), block["rwg_j"][null])
    # R: per group mean(apply(x, 2, var, na.rm = TRUE)) over items with >= 2 answers,
    # truncated at ranvar, in the rwg.j formula (see ref_agreement.R, rwg_j_available)
    assert_matches_r(
        rwg_j_by_group(X, SURVEY["partnership"], 5, null=null, missing="available"),
        block["rwg_j_available"][null],
    )


@pytest.mark.parametrize("scale", SCALES)
def test_rwg_single_item_matches_multilevel(scale):
    block = GOLDEN["scales"][scale]
    for item in block["items"]:
        for null in NULLS:
            # R: multilevel::rwg(x[[item]], partnership, ranvar = null)  (multilevel 2.7)
            result = rwg_by_group(SURVEY[item], SURVEY["partnership"], 5, null=null)
            assert result.statistic == "rwg"
            assert_matches_r(result, block["rwg"][item][null])


@pytest.mark.parametrize("scale", SCALES)
def test_awg_and_ad_match_multilevel(scale):
    block = GOLDEN["scales"][scale]
    X, g = SURVEY[block["items"]], SURVEY["partnership"]
    # R: multilevel::awg(x, partnership, range = c(1, 5))  (multilevel 2.7)
    assert_matches_r(awg_by_group(X, g, 5), block["awg"])
    # R: multilevel::ad.m(x, partnership, type = "mean" / "median")  (multilevel 2.7)
    assert_matches_r(ad_by_group(X, g), block["ad_mean"])
    assert_matches_r(ad_by_group(X, g, center="median"), block["ad_median"])
    for item in block["items"]:
        assert_matches_r(awg_by_group(SURVEY[item], g, 5), block["awg_item"][item])
        assert_matches_r(ad_by_group(SURVEY[item], g), block["ad_mean_item"][item])
        assert_matches_r(
            ad_by_group(SURVEY[item], g, center="median"), block["ad_median_item"][item]
        )


@pytest.mark.parametrize("scale", SCALES)
def test_single_group_rwg_j_matches_multilevel(scale):
    block, overall = GOLDEN["scales"][scale], GOLDEN["overall"][scale]
    for null, expected in overall["rwg_j"].items():
        # R: multilevel::rwg.j(x, rep(1, n), ranvar = null)$rwg.j  (multilevel 2.7)
        r = rwg_j(SURVEY[block["items"]], 5, null=null)
        assert r.value == pytest.approx(expected, rel=REL, abs=1e-12)
        assert r.n == overall["n"]
        assert r.n_items == len(block["items"])


# --------------------------------------------------------------------------- golden: edge cases


@pytest.mark.parametrize("null", NULLS)
def test_edge_cases_match_multilevel(null):
    X, g = EDGE_DATA[EDGE["items"]], EDGE_DATA["group"]
    # R: multilevel::rwg.j / rwg on tests/reference/agreement/edge.csv (multilevel 2.7):
    # singleton -> NA, variance above the null -> 0 (truncated), identical answers -> 1,
    # a row without a group dropped, listwise deletion leaving one row -> NA.
    assert_matches_r(rwg_j_by_group(X, g, 5, null=null), EDGE["rwg_j"][null])
    assert_matches_r(
        rwg_j_by_group(X, g, 5, null=null, missing="available"), EDGE["rwg_j_available"][null]
    )
    for item in EDGE["items"]:
        assert_matches_r(rwg_by_group(EDGE_DATA[item], g, 5, null=null), EDGE["rwg"][item][null])


def test_edge_awg_and_ad_match_multilevel():
    X, g = EDGE_DATA[EDGE["items"]], EDGE_DATA["group"]
    # R: multilevel::awg(x, group, range = c(1, 5)): mean at L or H -> 1, the mean outside
    # Brown & Hauenstein's bounds -> NA; multilevel::ad.m(x, group, type)  (multilevel 2.7)
    assert_matches_r(awg_by_group(X, g, 5), EDGE["awg"])
    assert_matches_r(ad_by_group(X, g), EDGE["ad_mean"])
    assert_matches_r(ad_by_group(X, g, center="median"), EDGE["ad_median"])
    for item in EDGE["items"]:
        assert_matches_r(awg_by_group(EDGE_DATA[item], g, 5), EDGE["awg_item"][item])
        assert_matches_r(ad_by_group(EDGE_DATA[item], g), EDGE["ad_mean_item"][item])
        assert_matches_r(
            ad_by_group(EDGE_DATA[item], g, center="median"), EDGE["ad_median_item"][item]
        )
    b = awg_by_group(X, g, 5).to_frame().loc["b", "awg"]
    assert b == pytest.approx(-1 / 3, rel=1e-12)  # items at (1, 5): awg -1; (3, 3): 1


# --------------------------------------------------------------------------- behaviour


def test_integer_codes_with_n_groups_keep_empty_groups():
    X = SURVEY[GOLDEN["scales"]["GOL"]["items"]].to_numpy()
    codes, labels = pd.factorize(SURVEY["partnership"], sort=True)
    by_label = rwg_j_by_group(X, SURVEY["partnership"], 5)
    by_code = rwg_j_by_group(X, codes, 5, n_groups=len(labels) + 2)
    assert len(by_code.value) == len(labels) + 2
    np.testing.assert_array_equal(by_code.value[: len(labels)], by_label.value)
    assert np.isnan(by_code.value[-2:]).all() and (by_code.n[-2:] == 0).all()
    with pytest.raises(DataError, match="group codes must lie in"):
        rwg_j_by_group(X, codes, 5, n_groups=3)
    # -1 (pandas.factorize's missing label) drops the row, as a missing label does
    codes_na = codes.copy()
    codes_na[:5] = -1
    dropped = rwg_j_by_group(X[5:], codes[5:], 5, n_groups=len(labels))
    np.testing.assert_array_equal(
        rwg_j_by_group(X, codes_na, 5, n_groups=len(labels)).value, dropped.value
    )
    with pytest.raises(DataError, match="integer codes"):
        rwg_j_by_group(X, SURVEY["partnership"], 5, n_groups=40)


def test_row_order_does_not_matter():
    items = GOLDEN["scales"]["LEAD"]["items"]
    shuffled = SURVEY.sample(frac=1.0, random_state=3)
    for fn in (
        lambda d: rwg_j_by_group(d[items], d["partnership"], 5),
        lambda d: awg_by_group(d[items], d["partnership"], 5),
        lambda d: ad_by_group(d[items], d["partnership"], center="median"),
    ):
        a, b = fn(SURVEY), fn(shuffled)
        np.testing.assert_allclose(a.value, b.value, rtol=1e-12)
        np.testing.assert_array_equal(a.groups, b.groups)


def test_single_group_functions():
    # In R: multilevel::rwg(c(4, 5, 4, 4, 3), rep(1, 5)) -> 0.75 (variance 0.5, ranvar 2)
    r = rwg([4, 5, 4, 4, 3, np.nan], 5)
    assert r.value == pytest.approx(0.75, rel=1e-12)
    assert r.variance == pytest.approx(0.5, rel=1e-12)
    assert r.n == 5 and r.n_items == 1 and r.null == "uniform"
    # the observed variance (8) above the null (2) truncates rwg to 0
    assert rwg([1, 5], 5).value == 0.0
    with pytest.raises(InsufficientDataError) as info:
        rwg([3, np.nan], 5)
    assert info.value.n == 1 and info.value.required == 2
    with pytest.raises(InsufficientDataError):
        rwg_j([[1, np.nan], [2, 3]], 5)  # listwise leaves one row
    assert rwg_j([[1, np.nan], [2, 3], [2, 2]], 5, missing="available").n == 3
    with pytest.raises(DataError, match="one item"):
        rwg([[1, 2], [3, 4]], 5)


def test_result_serialises():
    r = rwg_j_by_group(EDGE_DATA[EDGE["items"]], EDGE_DATA["group"], 5)
    d = r.to_dict()
    assert d["statistic"] == "rwg_j" and d["groups"] == ["a", "b", "c", "d", "e", "f"]
    assert d["value"][0] is None and d["value"][2] == 1.0  # NaN -> null
    assert rwg([4, 5, 4], 5).to_dict()["null_variance"] == 2.0
    assert list(r.to_frame().columns) == ["rwg_j", "n"]


def test_input_errors():
    with pytest.raises(DataError, match="numeric"):
        rwg_j_by_group([["a", "b"], ["c", "d"]], [0, 0], 5)
    with pytest.raises(DataError, match="groups has 1 entries"):
        rwg_j_by_group([[1.0], [2.0]], [0], 5)
    with pytest.raises(DataError, match="missing must be"):
        rwg_j_by_group([[1.0], [2.0]], [0, 0], 5, missing="pairwise")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="center"):
        ad_by_group([1.0, 2.0], [0, 0], center="mode")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="column 'x'"):
        rwg_j_by_group(pd.DataFrame({"x": ["a", "b"]}), [0, 0], 5)


@pytest.mark.slow
def test_one_million_rows_in_twenty_thousand_groups_is_fast():
    # DESIGN.md: 1,000,000 rows x 5 items in 20,000 groups in about a second
    rng = np.random.default_rng(7)
    n, g = 1_000_000, 20_000
    groups = rng.integers(0, g, n)
    X = rng.integers(1, 6, size=(n, 5)).astype(float)
    X[rng.random(X.shape) < 0.03] = np.nan
    start = time.perf_counter()
    r = rwg_j_by_group(X, groups, 5, n_groups=g)
    elapsed = time.perf_counter() - start
    assert r.value.shape == (g,)
    assert elapsed < 3.0  # ~0.25 s on the 2-vCPU reference machine; generous for CI noise
