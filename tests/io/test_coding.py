"""Answer columns read by pyarrow become float64 codes exactly as pyarrow converts them.

Reference: ``pyarrow.ChunkedArray.to_numpy(zero_copy_only=False)`` (pyarrow 26), which
turns nulls into NaN; equality is exact.
"""

import numpy as np
import pyarrow as pa
import pytest

from kemitraan_assess.io.mapping import _to_float


@pytest.mark.parametrize("typ", [pa.int8(), pa.int16(), pa.int64(), pa.uint8(), pa.bool_(), pa.float64()])
def test_to_float_matches_pyarrow(typ):
    rng = np.random.default_rng(1)
    v = rng.integers(0, 100, 1000)
    if typ == pa.bool_():
        v = v % 2 == 0
    mask = rng.random(1000) < 0.1
    arr = pa.chunked_array([pa.array(v[i:i + 137], mask=mask[i:i + 137], type=typ) for i in range(0, 1000, 137)])
    sliced = pa.chunked_array([c.slice(3) for c in arr.chunks])  # chunks that start at an offset
    for a in (arr, sliced, arr.combine_chunks(), pa.chunked_array([pa.nulls(5, typ)])):
        out = np.empty(len(a))
        _to_float(a, out)
        np.testing.assert_array_equal(out, a.to_numpy(zero_copy_only=False).astype(np.float64))
