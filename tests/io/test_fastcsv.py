"""The columnar CSV encoder gives exactly the bytes of pandas' writer (the reference).

Reference: ``neutralise_frame(df)`` then ``DataFrame.to_csv(index=False,
lineterminator="\\n", na_rep="")`` with whole-number float columns as ``Int64``
(pandas 3.1, Python 3.11 ``csv.QUOTE_MINIMAL``), i.e. ``safecsv._pandas_csv_bytes``.
Equality is exact (bytes), no tolerance.
"""

import numpy as np
import pandas as pd
import pytest

from kemitraan_assess.output.fastcsv import float_strings, frame_csv_bytes
from kemitraan_assess.output.safecsv import _pandas_csv_bytes, csv_bytes

TEXT = [
    "=1+1",
    "+62 812",
    "-2",
    "@SUM(A1)",
    "\tx",
    "\rx",
    "a,b",
    'say "hi"',
    "two\nlines",
    "cr\rinside",
    " padded ",
    "",
    "é ü ñ 中文",
    "'quoted'",
    "plain",
    "-",
    "x;y",
    "a\x0bb",
]


def _frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    special = np.array(
        [
            0.0,
            -0.0,
            1e-05,
            1e-4,
            0.1,
            1 / 3,
            1e16,
            1.5e16,
            123456789012345.0,
            1e15 + 0.5,
            5e-324,
            1e308,
            -2.5,
            np.nan,
            np.inf,
            -np.inf,
        ]
    )
    floats = np.where(
        rng.random(n) < 0.3,
        special[rng.integers(0, len(special), n)],
        np.exp(rng.normal(0, 12, n)) * rng.choice([-1, 1], n),
    )
    scores = rng.integers(1, 41, n) / rng.integers(1, 9, n)
    scores[rng.random(n) < 0.1] = np.nan
    whole = rng.integers(-5, 6, n).astype(float)
    whole[rng.random(n) < 0.2] = np.nan
    text = np.array(TEXT, dtype=object)[rng.integers(0, len(TEXT), n)]
    text[rng.random(n) < 0.1] = None
    flags = np.array([True, False, None], dtype=object)[rng.integers(0, 3, n)]
    return pd.DataFrame(
        {
            "floats": floats,
            "scores": scores,
            "whole": whole,
            "all_nan": np.full(n, np.nan),
            "ints": rng.integers(-(10**12), 10**12, n),
            "small": rng.integers(0, 200, n).astype(np.uint8),
            "flag": rng.random(n) < 0.5,
            "nullable": pd.array(
                np.where(rng.random(n) < 0.2, None, rng.integers(-3, 3, n)), dtype="Int64"
            ),
            "str_col": pd.Series(text, dtype="str"),
            "obj_text": text,
            "obj_flag": flags,
            "obj_none": np.full(n, None, dtype=object),
            "=name, with comma": np.arange(n),
        }
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fast_path_equals_pandas_writer(seed):
    df = _frame(3000, seed)
    fast = frame_csv_bytes(df)
    assert fast is not None
    assert fast == _pandas_csv_bytes(df)
    assert frame_csv_bytes(df, neutralise=False) == _pandas_csv_bytes(df, neutralise=False)


def test_chunked_rows_equal_pandas(monkeypatch):
    import kemitraan_assess.output.fastcsv as fc

    monkeypatch.setattr(fc, "_CHUNK", 7)
    df = _frame(50, 3)
    assert fc.frame_csv_bytes(df) == _pandas_csv_bytes(df)


def test_empty_and_fallback_frames():
    empty = _frame(0, 0)
    assert frame_csv_bytes(empty) == _pandas_csv_bytes(empty)
    one_col = pd.DataFrame({"a": ["", None, "x"]})
    assert frame_csv_bytes(one_col) is None
    assert csv_bytes(one_col) == b'a\n""\n""\nx\n'
    cat = pd.DataFrame({"c": pd.Categorical(["=x", "y"]), "n": [1, 2]})
    assert frame_csv_bytes(cat) is None
    assert csv_bytes(cat) == b"c,n\n'=x,1\ny,2\n"


def test_float_strings_are_python_repr():
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.random(2000) * 5, np.exp(rng.normal(0, 30, 2000)), [-0.0, 0.0, 1e-7]])
    assert float_strings(x).to_pylist() == [repr(v) for v in x.tolist()]


def test_duplicate_names_as_neutralise_frame():
    # neutralise_frame keeps one column per name: the first one's place, the last one's values
    df = pd.DataFrame([["a", 1, "b", 2.5], ["=c", 3, "d", 4.0]], columns=["x", "n", "x", "=n"])
    assert frame_csv_bytes(df) == _pandas_csv_bytes(df) == b"x,n,'=n\nb,1,2.5\nd,3,4.0\n"
    assert frame_csv_bytes(df, neutralise=False) == _pandas_csv_bytes(df, neutralise=False)


def test_float_strings_match_repr_across_magnitudes():
    # pyarrow's digits where they agree with Python, Python's repr elsewhere: the
    # result must be repr() for every value (random bit patterns cover every exponent)
    rng = np.random.default_rng(11)
    bits = rng.integers(0, 2**63, 200_000, dtype=np.int64)
    x = bits.view(np.float64)
    x = x[np.isfinite(x)]
    y = np.concatenate(
        [
            x,
            rng.random(100_000) * 10.0 ** rng.integers(-6, 18, 100_000),
            np.round(rng.random(20_000) * 1e6),
            [1e16, 9999999999999998.0, 1e-4, 0.0001],
        ]
    )
    assert float_strings(y).to_pylist() == [repr(v) for v in y.tolist()]
