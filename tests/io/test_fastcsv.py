"""Every CSV the package writes is the format the README defines ("CSV files written").

The reference is :func:`tests.csvformat.readme_csv`, the README's rules written out cell by
cell in plain Python (not pandas' writer: the columnar encoder of
``kemitraan_assess.output.fastcsv`` and the fallback for frames it does not take must both
give exactly those bytes). Files are also read back, by :mod:`csv` and by pandas, cell for
cell, and every float comes back bit for bit. Equality is exact, no tolerance.
"""

import csv
import io

import numpy as np
import pandas as pd
import pytest

from kemitraan_assess.output.fastcsv import float_strings, frame_csv_bytes
from kemitraan_assess.output.safecsv import csv_bytes
from tests.csvformat import readme_cells, readme_csv

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
def test_csv_bytes_are_the_readme_format(seed):
    df = _frame(3000, seed)
    assert frame_csv_bytes(df) is not None  # the columnar encoder takes this frame
    assert csv_bytes(df) == readme_csv(df)
    assert csv_bytes(df, neutralise=False) == readme_csv(df, neutralise=False)


def test_rows_written_in_chunks_are_the_same_bytes(monkeypatch):
    import kemitraan_assess.output.fastcsv as fc

    monkeypatch.setattr(fc, "_CHUNK", 7)
    df = _frame(50, 3)
    assert fc.frame_csv_bytes(df) == readme_csv(df)


def test_a_small_table_byte_for_byte():
    """The README's rules on one table a user can read."""
    df = pd.DataFrame(
        {
            "partnership": ["Forum, Bantul", 'say "hi"', "two\nlines", "cr\rin", " sp ; x ", None],
            "comment": ["=1+1", "-2", "ok\n@x", "\tt", "'q'", ""],
            "score": [3.8666666666666667, np.nan, 4.0, 0.1, -0.0, 1e16 + 2],
            "answer": [4.0, np.nan, 1.0, -1.0, 5.0, 2.0],
            "n": [-1, 2, 3, 4, 5, 6],
            "ok": [True, False, True, True, False, True],
        }
    )
    assert csv_bytes(df) == (
        b"partnership,comment,score,answer,n,ok\n"
        b'"Forum, Bantul",\'=1+1,3.8666666666666667,4,-1,True\n'
        b'"say ""hi""",\'-2,,,2,False\n'
        b'"two\nlines","ok\n\'@x",4.0,1,3,True\n'
        b'"cr\rin",\'\tt,0.1,-1,4,True\n'
        b" sp ; x ,'q',-0.0,5,5,False\n"
        b",,1.0000000000000002e+16,2,6,True\n"
    )
    assert csv_bytes(df) == readme_csv(df)


def test_frames_the_columnar_encoder_leaves_to_the_fallback_have_the_same_format():
    frames = {
        "one column": pd.DataFrame({"a": ["", None, "x", "=y"]}),
        "categorical": pd.DataFrame({"c": pd.Categorical(["=x", "y", None]), "n": [1, 2, 3]}),
        "mixed objects": pd.DataFrame({"m": ["-t", 2, 1.5, None, True], "n": range(5)}),
        "nullable floats": pd.DataFrame(
            {"f": pd.array([0.1, None, 2.0], dtype="Float64"), "t": ["a", "b", "c"]}
        ),
    }
    for name, df in frames.items():
        assert frame_csv_bytes(df) is None, name
        assert csv_bytes(df) == readme_csv(df), name
    empty = _frame(0, 0)  # no rows: the header alone
    assert csv_bytes(empty) == readme_csv(empty) == readme_csv(_frame(1, 0)).split(b"\n")[0] + b"\n"
    assert csv_bytes(frames["one column"]) == b'a\n""\n""\nx\n\'=y\n'
    assert csv_bytes(frames["categorical"]) == b"c,n\n'=x,1\ny,2\n,3\n"


def test_files_read_back_cell_for_cell_and_floats_bit_for_bit():
    df = _frame(2000, 4)
    data = csv_bytes(df)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    by_pandas = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    assert [list(by_pandas.columns), *by_pandas.to_numpy().tolist()] == rows
    names = rows[0]
    assert names[-1] == "'=name, with comma"  # a name is neutralised as a cell is
    assert len(rows) == len(df) + 1 and all(len(r) == df.shape[1] for r in rows)
    for j, name in enumerate(df.columns):
        assert [r[j] for r in rows[1:]] == readme_cells(df[name]), name
    for name in ("floats", "scores"):  # numbers: the same float64 bits, NaN as empty
        j = names.index(name)
        back = np.array([float(r[j]) if r[j] else np.nan for r in rows[1:]])
        assert back.tobytes() == df[name].to_numpy().tobytes()
        typed = pd.read_csv(io.BytesIO(data), usecols=[name])
        assert typed[name].to_numpy().tobytes() == df[name].to_numpy().tobytes()


def test_float_strings_are_python_repr():
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.random(2000) * 5, np.exp(rng.normal(0, 30, 2000)), [-0.0, 0.0, 1e-7]])
    assert float_strings(x).to_pylist() == [repr(v) for v in x.tolist()]


def test_duplicate_names_are_one_column():
    # one column per (neutralised) name: the first one's place, the last one's values
    df = pd.DataFrame([["a", 1, "b", 2.5], ["=c", 3, "d", 4.0]], columns=["x", "n", "x", "=n"])
    assert csv_bytes(df) == readme_csv(df) == b"x,n,'=n\nb,1,2.5\nd,3,4.0\n"
    assert csv_bytes(df, neutralise=False) == readme_csv(df, neutralise=False)


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
