"""Columnar CSV encoding of the package's CSV format, built in C by pyarrow.

:func:`frame_csv_bytes` is the fast path of :func:`kemitraan_assess.output.safecsv.csv_bytes`.
It writes the format the README defines ("CSV files written"; written out cell by cell
in tests/csvformat.py, which the tests compare it with byte for byte), and returns
``None`` for a frame it does not know how to encode (then the caller's fallback writes
it). Work is done per column, never per cell in Python:

* floats: Python's shortest round-trip ``repr``, once per distinct value, then spread
  with ``take``; NaN is an empty cell; a column of whole numbers is written as integers;
* integers, booleans (``True`` / ``False``) and text: pyarrow casts and string kernels;
* text cells starting with ``= + - @``, a tab or a carriage return get a leading ``'``
  (numbers never do), and so does every line inside a cell that starts with ``= + - @``
  or a tab after a carriage return or line feed (:func:`~.safecsv.neutralise_text`);
  then cells holding ``,``, ``"``, a line feed or a carriage return are quoted with
  ``"`` doubled (RFC 4180's quoting; rows end with LF);
* rows are joined with :func:`pyarrow.compute.binary_join_element_wise`, and the bytes
  are the string array's data buffer, so a million rows never become Python strings.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .neutral import neutralise_text

__all__ = ["csv_chunks", "frame_csv_bytes", "float_strings", "integral_float", "text_cells"]

_FORMULA_BYTES = np.frombuffer(b"=+-@\t\r", dtype=np.uint8)
_LINE_FORMULA_BYTES = np.frombuffer(b"=+-@\t", dtype=np.uint8)
_QUOTE_RE = '[,"\\n\\r]'
_LINE_FORMULA_RE = "([\\r\\n])([=+\\-@\\t])"
_LINE_FORMULA_REWRITE = "\\1'\\2"
_CHUNK = 250_000
_COMMA = pa.scalar(",", pa.large_string())
_NL = pa.scalar("\n", pa.large_string())
_EMPTY = pa.scalar("", pa.large_string())
_APOS = pa.scalar("'", pa.large_string())
_QUOTE = pa.scalar('"', pa.large_string())
_TRUE_FALSE = pa.array(["False", "True"], pa.string())


def _repr_strings(x: np.ndarray) -> pa.Array:
    """``repr`` of every float in ``x`` (no NaN), formatted by pyarrow where it agrees.

    pyarrow's cast writes the same shortest round-trip digits as Python; where Python
    writes a plain decimal (1e-4 <= |x| < 1e16) the two differ only in a ``.0`` after
    whole numbers, and every value pyarrow writes otherwise is formatted by Python.
    """
    text = pc.cast(pa.array(x), pa.string())
    ax = np.abs(x)
    plain = (ax >= 1e-4) & (ax < 1e16)
    sci = pc.match_substring(text, "e").to_numpy(zero_copy_only=False)
    python = ~plain | sci
    whole = plain & ~python & (x == np.floor(x))
    if whole.any():
        text = pc.if_else(pa.array(whole), pc.binary_join_element_wise(text, ".0", ""), text)
    if python.any():
        idx = np.flatnonzero(python)
        fixed = pa.array(list(map(float.__repr__, x[idx].tolist())), pa.string())
        text = pc.replace_with_mask(text, pa.array(python), fixed)
    return text


def float_strings(values: np.ndarray, *, null: str | None = None, suffix: str = "") -> pa.Array:
    """``repr`` of every float as a pyarrow string array; NaN becomes ``null``.

    Columns with few distinct values (scale scores) are formatted once per distinct
    value (by bit pattern, so ``-0.0`` stays ``-0.0``) and spread with ``take``. With a
    ``suffix``, every cell ends with it (a NaN cell is then ``null + suffix``, or the
    suffix alone when ``null`` is None).

    Examples
    --------
    >>> import numpy as np
    >>> float_strings(np.array([3.0, 0.1, np.nan, 1e-05, 3.0])).to_pylist()
    ['3.0', '0.1', None, '1e-05', '3.0']
    """
    x = np.ascontiguousarray(values, dtype=np.float64)
    nan = np.isnan(x)
    codes, uniques = pd.factorize(x.view(np.int64), sort=False)
    u = uniques.view(np.float64)
    u_nan = np.isnan(u)
    text = _repr_strings(np.where(u_nan, 0.0, u))
    if null is not None or suffix:
        text = pc.if_else(pa.array(u_nan), pa.scalar(null or "", pa.string()), text)
        if suffix:
            text = pc.binary_join_element_wise(text, suffix, "")
        return text.take(pa.array(codes))
    return text.take(pa.array(codes, mask=nan if nan.any() else None))


def integral_float(x: np.ndarray) -> bool:
    """True when every non-NaN value is a finite whole number below 2**53 (written as int)."""
    finite = np.isfinite(x)
    nan = np.isnan(x)
    if not np.array_equal(finite, ~nan):
        return False
    vals = x[finite]
    return bool(vals.size == 0 or (np.all(vals == np.round(vals)) and np.abs(vals).max() < 2**53))


def _string_parts(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Offsets (n + 1) and data bytes of a large_string array, as NumPy views."""
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    data = (
        np.frombuffer(bufs[2], dtype=np.uint8)
        if bufs[2] is not None
        else np.zeros(0, dtype=np.uint8)
    )
    return offsets, data


def text_cells(arr: pa.Array, *, neutralise: bool) -> pa.Array:
    """Text cells as written: neutralised (``'`` before a formula start), then CSV-quoted.

    The common case (no cell starts like a formula, no cell needs quotes) is decided on
    the raw buffers: the first byte of each cell, and one scan of the text bytes.
    """
    arr = arr.cast(pa.large_string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if len(arr) == 0:
        return arr
    offsets, data = _string_parts(arr)
    if neutralise:
        starts, ends = offsets[:-1], offsets[1:]
        first = np.zeros(len(arr), dtype=np.uint8)
        filled = ends > starts
        first[filled] = data[starts[filled]]
        hit = np.isin(first, _FORMULA_BYTES) & filled
        if arr.null_count:
            hit &= arr.is_valid().to_numpy(zero_copy_only=False)
        if hit.any():
            arr = pc.if_else(pa.array(hit), pc.binary_join_element_wise(_APOS, arr, _EMPTY), arr)
            offsets, data = _string_parts(arr)
        text = data[offsets[0] : offsets[-1]]
        breaks = (text[:-1] == 10) | (text[:-1] == 13)
        if breaks.any() and np.isin(text[1:][breaks], _LINE_FORMULA_BYTES).any():
            arr = pc.replace_substring_regex(arr, _LINE_FORMULA_RE, _LINE_FORMULA_REWRITE)
            offsets, data = _string_parts(arr)
    text = data[offsets[0] : offsets[-1]]
    if ((text == 44) | (text == 34) | (text == 10) | (text == 13)).any():  # , " LF or CR somewhere
        quote = pc.fill_null(pc.match_substring_regex(arr, _QUOTE_RE), False)
        quoted = pc.binary_join_element_wise(
            _QUOTE, pc.replace_substring(arr, '"', '""'), _QUOTE, _EMPTY
        )
        arr = pc.if_else(quote, quoted, arr)
    return arr


def _quote_name(name: str) -> str:
    if any(c in name for c in ',"\n\r'):
        return '"' + name.replace('"', '""') + '"'
    return name


class _Column:
    """How one column is written: its values and, for floats, whether as integers."""

    def __init__(self, series: pd.Series, kind: str):
        self.series = series
        self.kind = kind  # float, whole, int, bool, text, object-text, object-bool, empty


def _plan_column(col: pd.Series) -> _Column | None:
    """The writing plan of a column, or None when only pandas writes it exactly."""
    dtype = col.dtype
    if isinstance(dtype, np.dtype):
        if dtype == np.float64:
            return _Column(col, "whole" if integral_float(col.to_numpy()) else "float")
        if dtype.kind in "iu":
            return _Column(col, "int")
        if dtype.kind == "b":
            return _Column(col, "bool")
        if dtype.kind == "O":
            inferred = pd.api.types.infer_dtype(col.to_numpy(), skipna=True)
            kind = {"string": "object-text", "boolean": "object-bool", "empty": "empty"}.get(
                inferred
            )
            return _Column(col, kind) if kind else None
        return None
    if isinstance(dtype, pd.StringDtype):
        return _Column(col, "text")
    if isinstance(dtype, pd.Int64Dtype | pd.Int32Dtype | pd.Int16Dtype | pd.Int8Dtype):
        return _Column(col, "int")
    return None


def _cells(column: _Column, start: int, stop: int, *, neutralise: bool, suffix: str) -> pa.Array:
    """Rows ``start:stop`` of a column as CSV cell text (null = empty cell) + ``suffix``."""
    part = column.series.iloc[start:stop]
    kind = column.kind
    if kind == "float":
        return float_strings(part.to_numpy(), suffix=suffix).cast(pa.large_string())
    if kind == "whole":
        values = part.to_numpy()
        nan = np.isnan(values)
        ints = np.where(nan, 0, values).astype(np.int64)
        arr = pc.cast(pa.array(ints, mask=nan if nan.any() else None), pa.string())
    elif kind == "int":
        arr = pc.cast(
            pa.array(
                part
                if isinstance(part.dtype, pd.api.extensions.ExtensionDtype)
                else part.to_numpy(),
                from_pandas=True,
            ),
            pa.string(),
        )
    elif kind == "bool":
        arr = _TRUE_FALSE.take(pa.array(part.to_numpy().astype(np.int8)))
    elif kind == "object-bool":
        arr = _TRUE_FALSE.take(
            pc.cast(pa.array(part.to_numpy(), from_pandas=True, type=pa.bool_()), pa.int8())
        )
    elif kind == "empty":
        arr = pa.nulls(len(part), pa.string())
    else:  # text
        arr = text_cells(
            pa.array(
                part if kind == "text" else part.to_numpy(),
                from_pandas=True,
                type=pa.large_string(),
            ),
            neutralise=neutralise,
        )
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = arr.cast(pa.large_string())
    if suffix:
        arr = pc.binary_join_element_wise(
            arr, _ls(suffix), _EMPTY, null_handling="replace", null_replacement=""
        )
    return arr


def _ls(text: str) -> pa.Scalar:
    return pa.scalar(text, pa.large_string())


def _buffer_bytes(lines: pa.Array) -> memoryview:
    """The concatenated text of a large_string array, without a copy."""
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)
    lo, hi = int(offsets[lines.offset]), int(offsets[lines.offset + len(lines)])
    return memoryview(lines.buffers()[2])[lo:hi] if hi > lo else memoryview(b"")


def csv_chunks(df: pd.DataFrame, *, neutralise: bool = True) -> Iterator[bytes | memoryview] | None:
    """The CSV of ``df`` (see the module notes) in chunks of bytes, or None when the
    fallback must write it.

    The header comes first, then the lines of up to 250,000 rows at a time, so that a
    million-row table is never held as text all at once.
    """
    if neutralise:
        # as neutralise_frame: one column per (neutralised) name, the last one's values
        # at the first one's place
        where: dict[str, int] = {}
        for j, c in enumerate(df.columns):
            where[neutralise_text(str(c))] = j
        names, positions = list(where), list(where.values())
    else:
        names, positions = [str(c) for c in df.columns], list(range(df.shape[1]))
    if len(names) < 2:
        return None  # csv writes a lone empty cell as "", which the fast path does not
    plans = [_plan_column(df.iloc[:, j]) for j in positions]
    if any(p is None for p in plans):
        return None
    header = (",".join(_quote_name(c) for c in names) + "\n").encode("utf-8")
    return _generate(header, [p for p in plans if p is not None], len(df), neutralise)


def _generate(
    header: bytes, plans: list[_Column], n: int, neutralise: bool
) -> Iterator[bytes | memoryview]:
    yield header
    last = len(plans) - 1
    for start in range(0, n, _CHUNK):
        stop = min(n, start + _CHUNK)
        parts = [
            _cells(p, start, stop, neutralise=neutralise, suffix="\n" if j == last else "")
            for j, p in enumerate(plans)
        ]
        yield _buffer_bytes(
            pc.binary_join_element_wise(
                *parts, _COMMA, null_handling="replace", null_replacement=""
            )
        )


def frame_csv_bytes(df: pd.DataFrame, *, neutralise: bool = True) -> bytes | None:
    """The CSV bytes of ``df`` (see the module notes), or None when pandas must write them.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1.0, None], "b": ["@x", "y,z"], "c": [0.5, 2.0]})
    >>> data = frame_csv_bytes(df)
    >>> print(data.decode("utf-8"), end="")
    a,b,c
    1,'@x,0.5
    ,"y,z",2.0
    """
    chunks = csv_chunks(df, neutralise=neutralise)
    return None if chunks is None else b"".join(chunks)
