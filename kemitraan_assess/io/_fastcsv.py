"""Columnar CSV encoding: the bytes pandas' ``to_csv`` writes, built in C by pyarrow.

:func:`frame_csv_bytes` is the fast path of :func:`kemitraan_assess.io.safecsv.csv_bytes`.
It gives byte for byte what ``neutralise_frame(df).to_csv(index=False,
lineterminator="\\n", na_rep="")`` gives after whole-number float columns are written as
integers, and returns ``None`` for a frame it does not know how to encode exactly (then
the caller uses pandas). Work is done per column, never per cell in Python:

* floats: Python's shortest round-trip ``repr`` (what pandas writes through NumPy), once
  per distinct value, then spread with ``take``; NaN is an empty cell;
* integers, booleans (``True`` / ``False``) and text: pyarrow casts and string kernels;
* text cells starting with ``= + - @``, a tab or a carriage return get a leading ``'``
  (numbers never do), then cells holding ``,``, ``"`` or a line feed are quoted with
  ``"`` doubled, as :mod:`csv`'s ``QUOTE_MINIMAL`` does with a ``"\\n"`` line terminator;
* rows are joined with :func:`pyarrow.compute.binary_join_element_wise`, and the bytes
  are the string array's data buffer, so a million rows never become Python strings.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["frame_csv_bytes", "float_strings", "integral_float", "text_cells"]

_FORMULA_RE = r"^[=+\-@\t\r]"
_QUOTE_RE = '[,"\\n]'
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


def float_strings(values: np.ndarray, *, null: str | None = None) -> pa.Array:
    """``repr`` of every float as a pyarrow string array; NaN becomes ``null``.

    Columns with few distinct values (scale scores) are formatted once per distinct
    value (by bit pattern, so ``-0.0`` stays ``-0.0``) and spread with ``take``.

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
    if null is not None:
        text = pc.if_else(pa.array(u_nan), pa.scalar(null, pa.string()), text)
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


def text_cells(arr: pa.Array, *, neutralise: bool) -> pa.Array:
    """Text cells as written: neutralised (``'`` before a formula start), then CSV-quoted."""
    arr = arr.cast(pa.large_string())
    if neutralise:
        hit = pc.fill_null(pc.match_substring_regex(arr, _FORMULA_RE), False)
        if pc.any(hit).as_py():
            arr = pc.if_else(hit, pc.binary_join_element_wise(_APOS, arr, _EMPTY), arr)
    quote = pc.fill_null(pc.match_substring_regex(arr, _QUOTE_RE), False)
    if pc.any(quote).as_py():
        quoted = pc.binary_join_element_wise(_QUOTE, pc.replace_substring(arr, '"', '""'), _QUOTE, _EMPTY)
        arr = pc.if_else(quote, quoted, arr)
    return arr


def _quote_name(name: str) -> str:
    if any(c in name for c in ',"\n'):
        return '"' + name.replace('"', '""') + '"'
    return name


def _column_cells(col: pd.Series, *, neutralise: bool) -> pa.Array | None:
    """One column as CSV cell text (null = empty cell), or None when not supported."""
    dtype = col.dtype
    if isinstance(dtype, np.dtype):
        values = col.to_numpy()
        if dtype.kind == "f":
            if dtype != np.float64:
                return None
            if integral_float(values):
                nan = np.isnan(values)
                ints = np.where(nan, 0, values).astype(np.int64)
                return pc.cast(pa.array(ints, mask=nan if nan.any() else None), pa.string())
            return float_strings(values)
        if dtype.kind in "iu":
            return pc.cast(pa.array(values), pa.string())
        if dtype.kind == "b":
            return _TRUE_FALSE.take(pa.array(values.astype(np.int8)))
        if dtype.kind == "O":
            return _object_cells(values, neutralise=neutralise)
        return None
    if isinstance(dtype, pd.StringDtype):
        arr = pa.array(col, from_pandas=True)
        if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            return None
        return text_cells(arr, neutralise=neutralise)
    if isinstance(dtype, pd.Int64Dtype | pd.Int32Dtype | pd.Int16Dtype | pd.Int8Dtype):
        return pc.cast(pa.array(col, from_pandas=True), pa.string())
    return None


def _object_cells(values: np.ndarray, *, neutralise: bool) -> pa.Array | None:
    try:
        arr = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return text_cells(arr, neutralise=neutralise)
    if pa.types.is_boolean(arr.type):
        return _TRUE_FALSE.take(pc.cast(arr, pa.int8()))
    if pa.types.is_null(arr.type):
        return pa.nulls(len(arr), pa.string())
    return None


def join_rows(columns: Sequence[pa.Array], n: int) -> list[memoryview]:
    """The CSV lines of ``columns`` (cell text, null = empty) as chunks of raw bytes."""
    out: list[memoryview] = []
    for start in range(0, n, _CHUNK):
        stop = min(n, start + _CHUNK)
        parts = [c.slice(start, stop - start).cast(pa.large_string()) for c in columns]
        body = pc.binary_join_element_wise(*parts, _COMMA, null_handling="replace", null_replacement="")
        lines = pc.binary_join_element_wise(body, _NL, _EMPTY)
        if isinstance(lines, pa.ChunkedArray):
            lines = lines.combine_chunks()
        if pa.types.is_large_string(lines.type):
            offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)
        else:
            offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)
        lo, hi = int(offsets[lines.offset]), int(offsets[lines.offset + len(lines)])
        out.append(memoryview(lines.buffers()[2])[lo:hi])
    return out


def frame_csv_bytes(df: pd.DataFrame, *, neutralise: bool = True) -> bytes | None:
    """The CSV bytes of ``df`` (see the module notes), or None when pandas must write them.

    Examples
    --------
    >>> import pandas as pd
    >>> data = frame_csv_bytes(pd.DataFrame({"a": [1.0, None], "b": ["@x", "y,z"], "c": [0.5, 2.0]}))
    >>> print(data.decode("utf-8"), end="")
    a,b,c
    1,'@x,0.5
    ,"y,z",2.0
    """
    from .safecsv import _neutral_name

    if neutralise:
        # as neutralise_frame: one column per (neutralised) name, the last one's values
        # at the first one's place
        where: dict[str, int] = {}
        for j, c in enumerate(df.columns):
            where[_neutral_name(str(c))] = j
        names, positions = list(where), list(where.values())
    else:
        names, positions = [str(c) for c in df.columns], list(range(df.shape[1]))
    if len(names) < 2:
        return None  # csv writes a lone empty cell as "", which the fast path does not
    header = ",".join(_quote_name(c) for c in names) + "\n"
    cells = []
    for j in positions:
        arr = _column_cells(df.iloc[:, j], neutralise=neutralise)
        if arr is None:
            return None
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        cells.append(arr)
    n = len(df)
    return b"".join([header.encode("utf-8"), *join_rows(cells, n)])
