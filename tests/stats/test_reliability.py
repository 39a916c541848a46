"""Alpha, item analysis and split-half reliability against R psych 2.2.9.

Golden files: tests/reference/reliability/*.json, written by tests/reference/ref_reliability.R
(R 4.x, psych 2.2.9, jsonlite 1.8.4; each entry names its R call in "call"). Data: psych::bfi
(tests/reference/data/bfi.csv) with psych's example keys (A1, C4, C5, E1, E2, O2, O5 reversed
as 7 - x), and tests/reference/data/reliability_small.csv (24 x 6, 8 missing cells).

Tolerance: every statistic here is a closed form of the same covariance matrix, so results
are compared with R at rel = 1e-6 (they agree to ~1e-12). Exceptions, each stated at its test:
psych's printed Duhachek bounds (z = 1.96 instead of the normal quantile), pingouin's CI
(rounded by pingouin to 3 decimals) and random splits (Monte Carlo error).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin
import pytest

from kemitraan_assess.errors import DataError, InsufficientDataError
from kemitraan_assess.stats.items import item_analysis
from kemitraan_assess.stats.reliability import (
    ReliabilityTable,
    cronbach_alpha,
    reliability_table,
    reverse,
)
from kemitraan_assess.stats.splithalf import split_half

# Expected NegativeItemWarnings here: q6 of reliability_small.csv is a weak item by design,
# and the long split-half cases mix the bfi's scales (N against A, C, E) as the R calls do
# with check.keys = FALSE. The warning itself is tested in test_keys.py.
pytestmark = pytest.mark.filterwarnings("ignore::kemitraan_assess.stats.keys.NegativeItemWarning")

REF = Path(__file__).resolve().parents[1] / "reference"
REL = 1e-6
BFI_SCALES = "reliability/bfi_scales.json"
SMALL = "reliability/small.json"
SPLIT_LONG = "reliability/bfi_split_long.json"
SCALES = {s: [f"{s}{i}" for i in range(1, 6)] for s in "ACENO"}
REVERSED = ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]


def _scalar(v):  # jsonlite writes 1-element data frames as [[x]] or [x]
    while isinstance(v, list):
        (v,) = v
    return v


@pytest.fixture(scope="module")
def bfi_keyed(bfi25) -> pd.DataFrame:
    keyed = bfi25.copy()
    for c in REVERSED:
        keyed[c] = reverse(keyed[c], low=1, high=6)
    return keyed


@pytest.fixture(scope="module")
def small() -> pd.DataFrame:
    return pd.read_csv(REF / "data" / "reliability_small.csv").set_index("respondent")


def _cases(
    gold_bfi: dict, gold_small: dict, bfi_keyed: pd.DataFrame, small: pd.DataFrame, key: str
):
    """(R golden alpha entry, data, nan_policy) for a case id such as 'A/pairwise'."""
    name, policy = key.split("/")
    if name in SCALES:
        entry = gold_bfi[name]["alpha" if policy == "pairwise" else "alpha_listwise"]
        return entry, bfi_keyed[SCALES[name]], policy
    if name == "small6empty":  # a row without any answer still counts in n, as in psych
        empty = pd.DataFrame(np.nan, index=["R25"], columns=small.columns)
        return gold_small["alpha6_empty_row"], pd.concat([small, empty]), policy
    cols = {"small6": ["q1", "q2", "q3", "q4", "q5", "q6"], "small3": ["q1", "q2", "q3"]}[name]
    names = {"small6/pairwise": "alpha6", "small6/listwise": "alpha6_listwise"}
    return gold_small[names.get(key, "alpha3")], small[cols], policy


ALPHA_CASES = [f"{s}/{p}" for s in SCALES for p in ("pairwise", "listwise")] + [
    "small6/pairwise",  # psych::alpha(small[, q1:q6])
    "small6/listwise",  # psych::alpha(na.omit(small[, q1:q6]))
    "small3/pairwise",  # psych::alpha(small[, q1:q3])
    "small6empty/pairwise",  # psych::alpha(rbind(small[, q1:q6], NA))
]


@pytest.fixture(params=ALPHA_CASES)
def alpha_case(request, gold, bfi_keyed, small):
    return _cases(gold(BFI_SCALES), gold(SMALL), bfi_keyed, small, request.param)


# ------------------------------------------------------------------ psych::alpha $total, $feldt


def test_alpha_total_matches_psych(alpha_case):
    # R: psych::alpha(x)$total / $Unidim / $Fit / $var.r, psych 2.2.9 (call in entry["call"])
    entry, x, policy = alpha_case
    res = cronbach_alpha(x, nan_policy=policy)
    tot = entry["total"]
    assert res.items == tuple(entry["items"])
    assert res.n == entry["n_rows"] and res.n_complete == entry["n_complete"]
    assert res.raw == pytest.approx(tot["raw_alpha"], rel=REL)
    assert res.standardized == pytest.approx(tot["std.alpha"], rel=REL)
    assert res.guttman_lambda6 == pytest.approx(tot["G6(smc)"], rel=REL)
    assert res.average_r == pytest.approx(tot["average_r"], rel=REL)
    assert res.signal_noise == pytest.approx(tot["S/N"], rel=REL)
    assert res.ase == pytest.approx(tot["ase"], rel=REL)
    assert res.total_mean == pytest.approx(tot["mean"], rel=REL)
    assert res.total_sd == pytest.approx(tot["sd"], rel=REL)
    assert res.median_r == pytest.approx(tot["median_r"], rel=REL)
    assert res.unidim == pytest.approx(_scalar(entry["unidim"]), rel=REL)
    assert res.fit_off == pytest.approx(_scalar(entry["fit_off"]), rel=REL)
    assert res.var_r == pytest.approx(_scalar(entry["var_r"]), rel=REL)


def test_alpha_confidence_intervals_match_psych(alpha_case):
    entry, x, policy = alpha_case
    res = cronbach_alpha(x, nan_policy=policy)
    # R: psych::alpha(x)$feldt (psych::alpha.ci(raw_alpha, nrow(x), ncol(x))), psych 2.2.9
    assert res.ci_method == "feldt" and res.ci_level == 0.95
    assert res.ci[0] == pytest.approx(_scalar(entry["feldt"]["lower"]), rel=REL)
    assert res.ci[1] == pytest.approx(_scalar(entry["feldt"]["upper"]), rel=REL)
    # R: raw_alpha -/+ qnorm(0.975) * psych::alpha(x)$total$ase (Duhachek & Iacobucci 2004)
    assert res.ci_duhachek[0] == pytest.approx(entry["duhachek"]["lower_qnorm"], rel=REL)
    assert res.ci_duhachek[1] == pytest.approx(entry["duhachek"]["upper_qnorm"], rel=REL)
    # print.psych uses z = 1.96: the bounds differ by (1.96 - 1.959964) * ase < 4e-5 * ase
    assert res.ci_duhachek[0] == pytest.approx(entry["duhachek"]["lower_print"], abs=4e-5 * res.ase)
    assert res.ci_duhachek[1] == pytest.approx(entry["duhachek"]["upper_print"], abs=4e-5 * res.ase)


# ------------------------------------------------------------------ item.stats, alpha.drop, freq


def test_item_stats_match_psych(alpha_case):
    # R: psych::alpha(x)$item.stats, psych 2.2.9
    entry, x, policy = alpha_case
    ia = item_analysis(x, nan_policy=policy)
    st = entry["item_stats"]
    assert list(ia.items) == st["rownames"]
    assert ia.item_n.tolist() == st["n"]
    for ours, theirs in [
        ("raw_r", "raw.r"),
        ("std_r", "std.r"),
        ("r_cor", "r.cor"),
        ("r_drop", "r.drop"),
        ("mean", "mean"),
        ("sd", "sd"),
    ]:
        assert getattr(ia, ours) == pytest.approx(st[theirs], rel=REL), ours


def test_alpha_drop_matches_psych(alpha_case):
    # R: psych::alpha(x)$alpha.drop, psych 2.2.9
    entry, x, policy = alpha_case
    ia = item_analysis(x, nan_policy=policy)
    drop = entry["alpha_drop"]
    pairs = [
        ("alpha_if_dropped", "raw_alpha"),
        ("std_alpha_if_dropped", "std.alpha"),
        ("g6_if_dropped", "G6(smc)"),
        ("average_r_if_dropped", "average_r"),
        ("signal_noise_if_dropped", "S/N"),
        ("ase_if_dropped", "alpha se"),
        ("var_r_if_dropped", "var.r"),
        ("median_r_if_dropped", "med.r"),
    ]
    for ours, theirs in pairs:  # R's NA (var.r of one correlation) is NaN here
        expected = [np.nan if v is None else v for v in drop[theirs]]
        assert getattr(ia, ours) == pytest.approx(expected, rel=REL, nan_ok=True), ours
    assert ia.scale_alpha == pytest.approx(entry["total"]["raw_alpha"], rel=REL)


def test_response_frequencies_match_psych(alpha_case):
    # R: psych::alpha(x)$response.freq (psych::response.frequencies, max = 10), psych 2.2.9
    entry, x, policy = alpha_case
    frame = item_analysis(x, nan_policy=policy).response_frame()
    rf = entry["response_freq"]
    assert list(frame.columns) == rf["categories"]
    np.testing.assert_allclose(frame.to_numpy(), np.array(rf["values"], dtype=float), rtol=REL)


def test_frame_has_one_row_per_item(alpha_case):
    entry, x, policy = alpha_case
    frame = item_analysis(x, nan_policy=policy).to_frame()
    assert list(frame.index) == entry["items"]
    assert {"n", "mean", "sd", "r_drop", "alpha_if_dropped", "weakens"} <= set(frame.columns)


def test_weak_item_flags_follow_r_drop_and_alpha_if_dropped(small, gold):
    # q6 of the small dataset: psych::alpha(small[, q1:q6]) gives r.drop = 0.05 (< .30,
    # Nunnally & Bernstein 1994; Field 2013) and raw alpha without it 0.742 > 0.640.
    g = gold(SMALL)["alpha6"]
    ia = item_analysis(small)
    expected_low = np.array(g["item_stats"]["r.drop"]) < 0.30
    expected_up = np.array(g["alpha_drop"]["raw_alpha"]) > g["total"]["raw_alpha"]
    assert ia.low_r_drop.tolist() == expected_low.tolist()
    assert ia.alpha_increases.tolist() == expected_up.tolist()
    assert ia.weakens.tolist() == (expected_low | expected_up).tolist()
    assert ia.weakens[ia.items.index("q6")]
    assert (
        item_analysis(small, r_drop_min=0.0).low_r_drop.sum()
        == (np.array(g["item_stats"]["r.drop"]) < 0).sum()
    )


def test_two_items_have_no_alpha_if_dropped(small):
    ia = item_analysis(small[["q1", "q2"]])
    assert np.isnan(ia.alpha_if_dropped).all()
    r12 = cronbach_alpha(small[["q1", "q2"]]).average_r  # r.drop of 2 items is their r
    assert ia.r_drop == pytest.approx([r12, r12], rel=REL)


# ------------------------------------------------------------------ independent: pingouin 0.7


@pytest.mark.parametrize("scale", list(SCALES))
def test_alpha_agrees_with_pingouin(bfi_keyed, scale):
    x = bfi_keyed[SCALES[scale]]
    ours = cronbach_alpha(x)
    pg_alpha, pg_ci = pingouin.cronbach_alpha(x)  # pairwise pandas cov, n = all rows
    assert ours.raw == pytest.approx(pg_alpha, rel=1e-10)
    # pingouin rounds its (Feldt) interval to 3 decimals
    assert ours.ci == pytest.approx(tuple(pg_ci), abs=5e-4 + 1e-12)
    listwise, _ = pingouin.cronbach_alpha(x, nan_policy="listwise")
    assert cronbach_alpha(x, nan_policy="listwise").raw == pytest.approx(listwise, rel=1e-10)


# ------------------------------------------------------------------ psych::splitHalf


def _check_split(res, g: dict) -> None:
    assert res.n_splits == g["n_splits"]
    assert res.max == pytest.approx(g["maxrb"], rel=REL)
    assert res.min == pytest.approx(g["minrb"], rel=REL)
    assert res.alpha == pytest.approx(g["alpha"], rel=REL)
    assert res.lambda2 == pytest.approx(g["lambda2"], rel=REL)
    assert res.lambda6 == pytest.approx(g["lambda6"], rel=REL)
    assert res.average_r == pytest.approx(g["av_r"], rel=REL)
    assert res.median_r == pytest.approx(g["med_r"], rel=REL)
    lo, med, hi = g["ci"]
    assert res.ci == pytest.approx((lo, hi), rel=REL) and res.median == pytest.approx(med, rel=REL)


def _halves(ab: dict) -> set[tuple[str, ...]]:
    # psych's maxAB / minAB (keys2list): {"A": [...], "B": [...]}
    return {tuple(v) for v in ab.values()}


@pytest.mark.parametrize("scale", list(SCALES))
def test_split_half_matches_psych_bfi(bfi_keyed, gold, scale):
    # R: psych::splitHalf(bfi_keyed[, scale], raw = TRUE, check.keys = FALSE), psych 2.2.9
    g = gold(BFI_SCALES)[scale]["split_half"]
    res = split_half(bfi_keyed[SCALES[scale]])
    assert res.exhaustive and res.splits == "psych"
    _check_split(res, g)
    assert res.mean == pytest.approx(g["meanr"], rel=REL)
    assert set(res.max_split) == _halves(g["max_ab"])
    assert set(res.min_split) == _halves(g["min_ab"])
    # every split: R combn(5, 2) by brute force (ref_reliability.R all_splits)
    every = split_half(bfi_keyed[SCALES[scale]], splits="all")
    ga = gold(BFI_SCALES)[scale]["all_splits"]
    assert every.n_splits == ga["n_splits"] == 10
    assert (every.max, every.min, every.mean) == pytest.approx(
        (ga["max"], ga["min"], ga["mean"]), rel=REL
    )


@pytest.mark.parametrize("key", ["split6", "split4"])
def test_split_half_matches_psych_small_even(small, gold, key):
    # R: psych::splitHalf(small[, q1:q6 / q1:q4], raw = TRUE, check.keys = FALSE), psych 2.2.9
    g = gold(SMALL)[key]
    x = small[[f"q{i}" for i in range(1, int(key[-1]) + 1)]]
    res = split_half(x)
    _check_split(res, g)
    assert res.mean == pytest.approx(g["meanr"], rel=REL)
    # for an even number of items psych's splits are every distinct split
    assert split_half(x, splits="all").n_splits == res.n_splits


def test_split_half_sixteen_items_exhaustive(bfi_keyed, gold):
    # R: psych::splitHalf(bfi_keyed[, c(A, C, E, "N1")], raw = TRUE, check.keys = FALSE): 6435
    # splits
    g = gold(SPLIT_LONG)
    res = split_half(bfi_keyed[g["items16"]])
    assert res.exhaustive
    _check_split(res, g["split16"])
    assert res.mean == pytest.approx(g["split16"]["meanr"], rel=REL)


@pytest.mark.parametrize("which", ["split15", "split7"])
def test_split_half_psych_mean_with_half_count(bfi_keyed, small, gold, which):
    # R: psych::splitHalf on 15 bfi items (C(15,7)/2 = 3217.5) and on small q1..q6 + q7 = q1 + q2
    # (C(7,3)/2 = 17.5; singular R, so the SMCs hit psych's bounds). psych evaluates
    # ceil(count) splits but divides their sum by count: meanr = mean * ceil(count) / count.
    if which == "split15":
        long = gold(SPLIT_LONG)
        x, g = bfi_keyed[long["items15"]], long["split15"]
    else:
        x, g = small.assign(q7=small.q1 + small.q2), gold(SMALL)["split7"]
    res = split_half(x)
    _check_split(res, g)
    count = math.comb(res.n_items, res.n_items // 2) / 2
    assert res.mean * math.ceil(count) / count == pytest.approx(g["meanr"], rel=REL)


def test_split_half_all_splits_odd_items(small, gold):
    # R: combn(7, 3) brute force over R = cov2cor(cov(x, use = "pairwise")) (all_splits7):
    # psych's own splits miss the worst one here (its minrb 0.551 > 0.518)
    g = gold(SMALL)["all_splits7"]
    res = split_half(small.assign(q7=small.q1 + small.q2), splits="all")
    assert res.n_splits == g["n_splits"] == 35
    assert (res.max, res.min, res.mean) == pytest.approx((g["max"], g["min"], g["mean"]), rel=REL)


def test_split_half_random_splits_25_items(bfi_keyed, gold):
    # R: set.seed(42); psych::splitHalf(bfi_keyed[, 1:25], raw = TRUE, check.keys = FALSE):
    # 10000 random splits. R's and numpy's draws differ, so the means are compared within
    # 4 standard errors of the difference of two means of 10000 draws (sd of splits 0.0755).
    g = gold(SPLIT_LONG)["split25"]
    res = split_half(bfi_keyed, seed=1)
    assert not res.exhaustive and res.n_splits == 10000
    assert res.alpha == pytest.approx(g["alpha"], rel=REL)
    assert res.lambda6 == pytest.approx(g["lambda6"], rel=REL)
    se = g["sd_raw"] * math.sqrt(2 / 10000)
    assert res.mean == pytest.approx(g["meanr"], abs=4 * se)
    assert res.min < res.mean < res.max <= 1
    again = split_half(bfi_keyed, seed=1)
    assert (again.max, again.min, again.mean) == (res.max, res.min, res.mean)
    assert split_half(bfi_keyed, seed=2).mean != res.mean


def test_split_half_switches_to_sampling_like_psych(bfi_keyed):
    # psych: all splits while C(p, p %/% 2) / 2 <= n.sample
    assert split_half(bfi_keyed.iloc[:, :16]).exhaustive
    assert not split_half(bfi_keyed.iloc[:, :17]).exhaustive
    assert split_half(bfi_keyed.iloc[:, :17], n_sample=12155).exhaustive  # C(17, 8) / 2 = 12155
    few = split_half(bfi_keyed.iloc[:, :10], n_sample=50)
    assert not few.exhaustive and few.n_splits == 50


# ------------------------------------------------------------------ table, contract, helpers


def test_reliability_table_equals_separate_calls(bfi_keyed):
    tab = reliability_table(bfi_keyed, SCALES)
    assert isinstance(tab, ReliabilityTable) and list(tab.scales) == list(SCALES)
    for name, cols in SCALES.items():
        s = tab.scales[name]
        assert s.alpha == cronbach_alpha(bfi_keyed[cols])
        assert s.split_half.mean == split_half(bfi_keyed[cols]).mean
        np.testing.assert_array_equal(s.items.r_drop, item_analysis(bfi_keyed[cols]).r_drop)
    frame = tab.to_frame()
    assert list(frame.index) == list(SCALES)
    assert frame.loc["A", "alpha_raw"] == tab.scales["A"].alpha.raw


def test_summary_follows_the_json_contract(bfi_keyed, gold):
    # DESIGN.md, `reliability --format json`, per scale (omega_total comes from stats.omega)
    s = reliability_table(bfi_keyed, {"A": SCALES["A"]}).scales["A"].to_summary()
    assert set(s) == {"n_items", "alpha", "guttman_lambda6", "average_r", "split_half", "items"}
    assert set(s["alpha"]) == {"raw", "standardized", "ci95", "ci_method"}
    assert s["alpha"]["ci_method"] == "feldt" and len(s["alpha"]["ci95"]) == 2
    assert set(s["split_half"]) == {"max", "min", "mean"}
    assert list(s["items"]) == SCALES["A"]
    assert set(s["items"]["A1"]) == {"n", "mean", "sd", "r_drop", "alpha_if_dropped"}
    g = gold(BFI_SCALES)["A"]["alpha"]
    assert s["alpha"]["raw"] == pytest.approx(g["total"]["raw_alpha"], rel=REL)
    assert s["items"]["A1"]["alpha_if_dropped"] == pytest.approx(
        g["alpha_drop"]["raw_alpha"][0], rel=REL
    )
    assert s["items"]["A1"]["n"] == g["item_stats"]["n"][0]
    json.dumps(s, allow_nan=False)
    json.dumps(reliability_table(bfi_keyed, {"A": SCALES["A"]}).to_dict())


def test_reliability_table_records_or_raises(small):
    data = small.assign(const=3.0)
    scales = {"good": ["q1", "q2", "q3"], "flat": ["q1", "const"]}
    with pytest.raises(DataError, match="'const' has no variance"):
        reliability_table(data, scales)
    tab = reliability_table(data, scales, on_error="record")
    assert list(tab.scales) == ["good"] and "no variance" in tab.not_computed["flat"]
    with pytest.raises(DataError, match="'q9' is not in the data"):
        reliability_table(data, {"S": ["q1", "q9"]})


def test_reverse():
    s = pd.Series([1.0, 2.0, np.nan, 5.0])
    assert reverse(s, low=1, high=5).tolist()[:2] == [5.0, 4.0]
    assert np.isnan(reverse(s, low=1, high=5).iloc[2])
    # psych::alpha(keys = ...) reverses with the min and max over all items: 1 + 5 - x
    df = pd.DataFrame({"a": [1, 2], "b": [4, 5]})
    assert reverse(df).to_dict("list") == {"a": [5.0, 4.0], "b": [2.0, 1.0]}
    assert reverse(np.array([1, 3]), low=1, high=7).tolist() == [7.0, 5.0]


def test_listwise_uses_complete_rows(small):
    res = cronbach_alpha(small, nan_policy="listwise")
    assert res.n == res.n_complete == 17
    pw = cronbach_alpha(small)
    assert pw.n == 24 and pw.n_complete == 17


def test_input_errors(small):
    with pytest.raises(DataError, match="nan_policy"):
        cronbach_alpha(small, nan_policy="mean")
    with pytest.raises(InsufficientDataError) as one:
        cronbach_alpha(small[["q1"]])
    assert (one.value.n, one.value.required) == (1, 2)
    with pytest.raises(DataError, match="numeric") as txt:
        cronbach_alpha(small.assign(q2="x"))
    assert txt.value.column == "q2"
    with pytest.raises(InsufficientDataError):
        cronbach_alpha(small.iloc[:1])
    with pytest.raises(DataError, match="ci"):
        cronbach_alpha(small, ci=95)
    with pytest.raises(DataError, match="splits"):
        split_half(small, splits="some")
    with pytest.raises(DataError, match="n_sample"):
        split_half(small, n_sample=0)
    with pytest.raises(DataError, match="infinite"):
        cronbach_alpha(small.assign(q1=np.inf))
    sparse = pd.DataFrame(
        {"a": [1, 2, np.nan, np.nan], "b": [np.nan, np.nan, 1, 2], "c": [1, 2, 3, 1]}
    )
    with pytest.raises(InsufficientDataError, match="'a' and 'b'"):
        cronbach_alpha(sparse)


def test_nullable_integer_columns(small):
    res = cronbach_alpha(small.astype("Int64"))
    assert res.raw == cronbach_alpha(small).raw
