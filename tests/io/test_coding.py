"""Answer columns read by pyarrow become float64 codes exactly as pyarrow converts them.

Reference: ``pyarrow.ChunkedArray.to_numpy(zero_copy_only=False)`` (pyarrow 26), which
turns nulls into NaN; equality is exact.
"""

import numpy as np
import pyarrow as pa
import pytest

from kemitraan_assess.io.mapping import _to_float


@pytest.mark.parametrize(
    "typ", [pa.int8(), pa.int16(), pa.int64(), pa.uint8(), pa.bool_(), pa.float64()]
)
def test_to_float_matches_pyarrow(typ):
    rng = np.random.default_rng(1)
    v = rng.integers(0, 100, 1000)
    if typ == pa.bool_():
        v = v % 2 == 0
    mask = rng.random(1000) < 0.1
    arr = pa.chunked_array(
        [pa.array(v[i : i + 137], mask=mask[i : i + 137], type=typ) for i in range(0, 1000, 137)]
    )
    sliced = pa.chunked_array([c.slice(3) for c in arr.chunks])  # chunks that start at an offset
    for a in (arr, sliced, arr.combine_chunks(), pa.chunked_array([pa.nulls(5, typ)])):
        out = np.empty(len(a))
        _to_float(a, out)
        np.testing.assert_array_equal(out, a.to_numpy(zero_copy_only=False).astype(np.float64))


def test_choice_names_made_from_labels(inst):
    """KoboToolbox's formbuilder names a choice after its label (lower case, ``_`` for
    anything but letters and digits; older versions cut it to 14 characters)."""
    from kemitraan_assess.io.mapping import MISSING, ScaleCoder

    coder = ScaleCoder(inst.response_scales["setuju5"])
    cases = {
        "sangat_setuju": 5.0,
        "Sangat_setuju": 5.0,
        "SANGAT__SETUJU": 5.0,
        "sangat_tidak_setuju": 1.0,
        "tidak_setuju": 2.0,
        "ragu_ragu": 3.0,
        "strongly_disagree": 1.0,
        "neither_agree_nor_disagree": 3.0,
        "neither_agree_": 3.0,  # the 14-character cut of "Neither agree nor disagree"
        "tidak_tahu": MISSING,
        "don_t_know": MISSING,
        "Tidak_Tahu_": MISSING,
    }
    for value, code in cases.items():
        assert coder.code_one(value) == (code, 0), value
    code, problem = coder.code_one("setuju_sekali")
    assert np.isnan(code) and problem == 3  # no such label: reported as unmapped


def test_choice_name_shared_by_two_codes_is_not_guessed():
    from kemitraan_assess.instrument.model import ResponseScale
    from kemitraan_assess.io.mapping import ScaleCoder

    scale = ResponseScale(min=1, max=2, labels={1: {"en": "Type A-1"}, 2: {"en": "Type A 1"}})
    coder = ScaleCoder(scale)
    assert coder.code_one("type a-1") == (1.0, 0) and coder.code_one("Type A 1") == (2.0, 0)
    code, problem = coder.code_one("type_a_1")
    assert np.isnan(code) and problem == 3  # both labels make "type_a_1": reported, not guessed
