"""The one-pass path of ``validate()`` equals the per-scale path, number for number.

``validate(missing="pairwise")`` reads the responses once (``stats._batch.scale_batch``)
and computes every statistic from sub-blocks of the pairwise sums; the reference is the
per-scale path that calls the public statistics on each scale's columns (what
``validate`` did before, and still does for ``missing="listwise"``). Both must give the
same JSON: same keys, same whole numbers, floats equal at rel = 1e-12 (the covariances of
whole-number answers are exact in both, so most numbers are bit-identical; the
item-total correlations are summed in a different order).

Independent references for the one-pass sums: pandas 3 ``DataFrame.cov()`` /
``DataFrame.corr()`` (pairwise-complete, as R's ``cov(x, use = "pairwise")`` /
``cor(x, use = "pairwise")``), numpy's ``nanmean``, and the delta-matrix form of the ML
expected information :math:`tr(\\Sigma^{-1}\\Delta_a\\Sigma^{-1}\\Delta_b)` (Jöreskog 1969)
for the CFA Hessian.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

from kemitraan_assess.demo import make_demo_survey
from kemitraan_assess.errors import DataError, InsufficientDataError
from kemitraan_assess.instrument import load_instrument
from kemitraan_assess.instrument.loader import parse_instrument
from kemitraan_assess.io import ingest
from kemitraan_assess.scoring.scales import reverse_key, scale_scores
from kemitraan_assess.stats._batch import scale_batch
from kemitraan_assess.stats._pairwise import pairwise_sums
from kemitraan_assess.stats.cfa import _build_model, _information, _start
from kemitraan_assess.stats.factor import correlation_input
from kemitraan_assess.stats.items import item_analysis
from kemitraan_assess.stats.omega import omega_total_1f
from kemitraan_assess.stats.reliability import cronbach_alpha
from kemitraan_assess.validation import analyse
from kemitraan_assess.validation.analyse import validate

REL = 1e-12


def _assert_same(fast: Any, slow: Any, path: str = "") -> None:
    """Same keys, lists and whole numbers; floats at rel = REL (NaN/None alike)."""
    if isinstance(slow, dict):
        assert isinstance(fast, dict) and list(fast) == list(slow), path
        for k in slow:
            _assert_same(fast[k], slow[k], f"{path}/{k}")
    elif isinstance(slow, list):
        assert isinstance(fast, list) and len(fast) == len(slow), path
        for i, (a, b) in enumerate(zip(fast, slow, strict=True)):
            _assert_same(a, b, f"{path}[{i}]")
    elif isinstance(slow, float) and not isinstance(fast, bool):
        assert isinstance(fast, float), path
        assert fast == pytest.approx(slow, rel=REL, abs=1e-15), path
    else:
        assert fast == slow, path


def _slow(responses: pd.DataFrame, instrument: Any, missing: str = "pairwise") -> dict[str, Any]:
    """validate() through the per-scale path (the public statistics on each scale's columns)."""
    x = analyse._keyed_matrix(responses, instrument, list(instrument.items))
    source = analyse._ColumnSource(x, reverse_key(responses, instrument), missing)
    plan = analyse.make_plan(x, responses, instrument)
    return analyse.to_jsonable(analyse._validate(source, plan, instrument, missing, 0, 100))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, pd.DataFrame]:
    inst = load_instrument("kemitraan-readiness")
    path = tmp_path_factory.mktemp("demo") / "survey.csv"
    make_demo_survey(inst).to_csv(path, index=False)
    return inst, ingest(path, inst).responses


@pytest.fixture(scope="module")
def holes(demo: tuple[Any, pd.DataFrame]) -> pd.DataFrame:
    """The demo answers with 15 % more blanks (seeded)."""
    inst, responses = demo
    out = responses.copy()
    items = list(inst.items)
    values = out[items].to_numpy(dtype=np.float64, copy=True)
    values[np.random.default_rng(7).random(values.shape) < 0.15] = np.nan
    out[items] = values
    return out


def test_demo_survey_one_pass_equals_per_scale(demo: tuple[Any, pd.DataFrame]) -> None:
    inst, responses = demo
    fast = validate(responses, inst)
    assert fast["scales"]["GOL"]["alpha"]["raw"] > 0.5  # a real result, not an error entry
    _assert_same(fast, _slow(responses, inst))


def test_missing_values_one_pass_equals_per_scale(demo: tuple[Any, pd.DataFrame], holes: pd.DataFrame) -> None:
    inst, _ = demo
    fast = validate(holes, inst)
    assert fast["sample"]["complete_cases"] < len(holes) // 10
    _assert_same(fast, _slow(holes, inst))


def test_keyed_matrix_and_scale_scores_equal_scoring(demo: tuple[Any, pd.DataFrame], holes: pd.DataFrame) -> None:
    inst, _ = demo
    keyed = reverse_key(holes, inst)
    x = analyse._keyed_matrix(holes, inst, list(inst.items))
    assert x.flags.f_contiguous and any(item.reverse for item in inst.items.values())
    np.testing.assert_array_equal(x, keyed.to_numpy())
    ours = analyse._BatchSource(x, inst).scale_scores(inst)
    np.testing.assert_array_equal(ours.to_numpy(), scale_scores(keyed, inst).to_numpy())


def _whole(n: int, p: int, blank: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 1))
    x = np.clip(np.rint(3 + f + rng.normal(size=(n, p))), 1, 5)
    x[rng.random((n, p)) < blank] = np.nan
    return x


@pytest.mark.parametrize("shift", [0.0, 0.5, 1000.25])
def test_pairwise_sums_match_pandas(shift: float) -> None:
    # pandas 3 DataFrame.cov()/.corr(): pairwise-complete, as R's use = "pairwise"
    x = _whole(400, 6, 0.2, 1) * (1.0 if shift == 0 else 1.1) + shift
    df = pd.DataFrame(x)
    cov, n_ij, _ = pairwise_sums(x).covariance()
    np.testing.assert_allclose(cov, df.cov().to_numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(n_ij, df.notna().astype(float).T @ df.notna().astype(float))
    np.testing.assert_allclose(correlation_input(x).r, df.corr().to_numpy(), rtol=1e-12, atol=1e-15)
    assert pairwise_sums(x).exact is (shift == 0)


def test_sub_block_of_whole_numbers_is_bit_identical() -> None:
    x = _whole(3000, 9, 0.1, 2)
    all_items = pairwise_sums(x)
    cols = [7, 2, 4]
    alone = pairwise_sums(x[:, cols])
    assert all_items.exact and alone.exact
    for a, b in zip(all_items.take(cols).covariance(), alone.covariance(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("shift", [0.0, 0.25])
def test_batch_scale_statistics_equal_public_functions(shift: float) -> None:
    # whole numbers (exact path) and quarter points (float path, counted from the columns)
    x = _whole(1500, 7, 0.08, 3) + shift
    batch = scale_batch(x, [f"q{j}" for j in range(7)], {"A": [0, 1, 2, 3], "B": [4, 5, 6]})
    for scale, cols in (("A", [0, 1, 2, 3]), ("B", [4, 5, 6])):
        mo = batch.moments(scale)
        a_fast = analyse._alpha_result(mo, 0.95)
        a_slow = cronbach_alpha(x[:, cols])
        assert (a_fast.n, a_fast.n_complete) == (a_slow.n, a_slow.n_complete)
        for f in ("raw", "standardized", "guttman_lambda6", "total_mean", "total_sd", "ase"):
            assert getattr(a_fast, f) == pytest.approx(getattr(a_slow, f), rel=REL), f
        ia_fast = analyse._item_analysis(mo, 0.3, 10).to_frame()
        ia_slow = item_analysis(x[:, cols]).to_frame()
        ia_slow.index = ia_fast.index
        pd.testing.assert_frame_equal(ia_fast, ia_slow, rtol=REL, atol=1e-15)
        om = analyse._omega_total_1f(batch.correlation(cols, min_items=3))
        assert om.omega_total == pytest.approx(omega_total_1f(x[:, cols]).omega_total, rel=REL)
    with warnings.catch_warnings():  # rows without an answer: NaN, as in the batch
        warnings.simplefilter("ignore", RuntimeWarning)
        np.testing.assert_array_equal(batch.totals[:, 1], np.nanmean(x[:, 4:], axis=1))


def test_batch_raises_what_the_statistics_raise() -> None:
    x = _whole(200, 4, 0.0, 4)
    x[:, 1] = 3.0  # no variance
    batch = scale_batch(x, ["a", "b", "c", "d"], {"S": [0, 1, 2], "T": [2, 3]})
    with pytest.raises(DataError) as fast:
        batch.moments("S")
    with pytest.raises(DataError) as slow:
        cronbach_alpha(pd.DataFrame(x[:, :3], columns=["a", "b", "c"]))
    assert str(fast.value) == str(slow.value)
    with pytest.raises(InsufficientDataError) as fast_om:
        batch.correlation([2, 3], min_items=3)
    with pytest.raises(InsufficientDataError) as slow_om:
        omega_total_1f(pd.DataFrame(x[:, 2:], columns=["c", "d"]))
    assert str(fast_om.value) == str(slow_om.value)


def test_scale_that_cannot_be_computed_reads_the_same() -> None:
    inst = parse_instrument(
        {
            "id": "tiny",
            "version": "1.0.0",
            "languages": ["en"],
            "response_scales": {"a5": {"min": 1, "max": 5}},
            "scales": [
                {"id": s, "name": {"en": s}, "items": [{"id": f"{s}{j}", "text": {"en": "t"}, "response": "a5"}
                                                       for j in range(k)]}
                for s, k in (("A", 4), ("B", 3), ("C", 2))
            ],
        }
    )
    x = _whole(120, 9, 0.05, 5)
    x[:, 4] = 2.0  # B0 has no variance: left out, B analysed on B1 and B2
    x[:, 7] = np.nan  # C0 has one answer: left out, C (one item left) not computed
    x[0, 7] = 3.0
    responses = pd.DataFrame(x, columns=list(inst.items))
    responses["partnership"] = [f"P{i % 12}" for i in range(120)]
    fast = validate(responses, inst)
    assert fast["items_left_out"] == {"B0": "constant_item", "C0": "sparse_item"}
    assert fast["scales"]["B"]["n_items"] == 2 and fast["scales"]["B"]["items_left_out"] == ["B0"]
    assert list(fast["scales"]["B"]["items"]) == ["B1", "B2"]
    assert fast["scales"]["C"]["not_computed"] == "a scale needs at least 2 items (1 left after leaving out C0)"
    _assert_same(fast, _slow(responses, inst))


def test_cfa_information_equals_delta_matrix_form() -> None:
    # H_ab = tr(S^-1 D_a S^-1 D_b) with D_a = dSigma/dx_a built cell by cell (Joreskog 1969)
    struct = {f"F{f}": tuple(f"F{f}i{i}" for i in range(4)) for f in range(3)}
    rng = np.random.default_rng(6)
    x = np.repeat(rng.normal(size=(500, 3)), 4, axis=1) + rng.normal(size=(500, 12))
    s = np.cov(x.T, bias=True)
    for std_lv in (False, True):
        model = _build_model(struct, std_lv)
        theta = _start(model, s) + rng.normal(scale=0.05, size=len(model.kind))
        lam, phi, _ = model.unpack(theta)
        lp = lam @ phi
        deltas = []
        for kind, r, c in zip(model.kind, model.row, model.col, strict=True):
            d = np.zeros((model.p, model.p))
            if kind == "l":
                d[r, :] += lp[:, c]
                d[:, r] += lp[:, c]
            elif kind == "t":
                d[c, c] = 1.0
            else:
                o = np.outer(lam[:, r], lam[:, c])
                d = o if r == c else o + o.T
            deltas.append(d)
        inv = np.linalg.inv(model.sigma(theta))
        ref = np.array([[np.trace(inv @ da @ inv @ db) for db in deltas] for da in deltas])
        np.testing.assert_allclose(_information(model, theta), ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max())
        assert math.isfinite(float(ref.sum()))
